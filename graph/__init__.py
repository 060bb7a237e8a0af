"""The graph layer: the schema declared once as data (`schema`), what is derived from it
(`labels`, `cypher`, `cleanup`, `model`), and the store, the only door to Neo4j (`store`);
API tokens and the audit log beside the model; the local Neo4j launcher."""
