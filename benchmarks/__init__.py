"""Speed and memory benchmarks for salesplan (`make bench`, see benchmarks/README.md).

`benchmarks.run` is the harness: it runs every benchmark module in its own child process
(`python -m benchmarks.<name>`), measures the child's wall time and peak RSS, checks the
targets and writes `benchmarks/results/latest.md` and `latest.json`. Each benchmark module
times its own phases and prints them as one JSON line (see `benchmarks.common`).
"""
