"""Benchmarks: the workloads of issue 6 against baselines measured in the same run.

`python -m bench --size M` (see `bench.harness`) generates a synthetic model
(`samples.generate`), imports it, asks the questions over HTTP and directly, runs a
bounded load test and prints a table; the JSON result goes to `bench/results/`.
Benchmarks are not part of the test suite; `tests/test_bench_smoke.py` runs the harness
at a tiny size so it cannot rot. Figures and the machine: `docs/benchmarks.md`.
"""
