"""Benchmarks: the workloads of issue 6 against baselines measured in the same run.

`python -m bench --size M` (see `bench.harness`) generates a synthetic model
(`samples.generate`), imports it, asks the questions over HTTP and directly, runs a
bounded load test and prints a table; the JSON result goes to `bench/results/`.
`python -m bench.soak` is a long mixed soak (issue 7); `python -m bench.adversarial` the
bounded adversarial load run of issue 14 (exit 1 when a target is missed).
Benchmarks are not part of the test suite; `tests/test_bench_smoke.py` runs the harness
at a tiny size so it cannot rot. Figures and the machine: `docs/benchmarks.md`.
"""
