"""Importers and the exporter: parse a model file (ArchiMate exchange XML, Archi, Archi CSV,
Backstage), map it to the schema (pure), compare it with what its source wrote before, and
load the difference in one write (`pipeline`); export the graph back (`export`)."""
