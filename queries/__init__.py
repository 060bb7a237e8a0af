"""The questions asked of the model (impact, bottlenecks, health, what-if scenarios): each
a parameterised Cypher in one place plus the Python analytics run on its answer. Surfaces
(`app/`) only call these."""
