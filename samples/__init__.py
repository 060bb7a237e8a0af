"""Sample models, not importers: the hand-written retail-bank demo (`demo`, with its
`retail_bank.yaml`) and the generator of large synthetic models for the benchmarks and
tests (`generate`, which writes ArchiMate exchange XML for the importer to read)."""
