"""What every benchmark module shares: its command line, phase timing and the JSON line.

A benchmark runs in a child process started by `benchmarks.run`. It times its phases with
`Recorder.phase`, may add facts with `Recorder.info`, and ends with `Recorder.emit`, which
prints exactly one JSON line on stdout:

    {"benchmark": "...", "size": "1m", "phases": [{"name": "...", "seconds": 1.5,
     "baseline": null}], "info": {"rows": 1000000}}

A phase with a `baseline` names another phase of the same run; the harness reports
`seconds / baseline seconds` as its ratio. Progress goes to stderr, never stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

DemoSize = Literal["small", "medium", "1m"]
SIZES: tuple[DemoSize, ...] = get_args(DemoSize)
"""Demo dataset sizes (salesplan.demo.generate)."""

SEED = 1
AS_OF = dt.date(2026, 11, 28)
"""Fixed inputs, so every run of a benchmark generates the same data."""

Scalar = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class Options:
    size: DemoSize
    workdir: Path | None


def parse_options(
    description: str, default_size: DemoSize, argv: Sequence[str] | None = None
) -> Options:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--size",
        choices=SIZES,
        default=default_size,
        help=f"demo dataset size (default: {default_size})",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="directory for scratch files (default: a temporary directory)",
    )
    args = parser.parse_args(argv)
    size = next(s for s in SIZES if s == args.size)
    return Options(size=size, workdir=args.workdir)


def run_benchmark(
    name: str,
    description: str,
    default_size: DemoSize,
    run: Callable[[Recorder, DemoSize, Path], None],
    argv: Sequence[str] | None = None,
) -> None:
    """Every benchmark's `main`: parse --size/--workdir, call `run(recorder, size, folder)`
    in --workdir (kept, so its data can be reused) or a scratch folder (removed), record the
    seed and as-of date, print the result line."""
    options = parse_options(description, default_size, argv)
    recorder = Recorder(name, options.size)
    if options.workdir is not None:
        options.workdir.mkdir(parents=True, exist_ok=True)
        run(recorder, options.size, options.workdir)
    else:
        scratch = Path(tempfile.mkdtemp(prefix="salesplan-bench-"))
        try:
            run(recorder, options.size, scratch)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    recorder.info("seed", SEED)
    recorder.info("as_of", AS_OF.isoformat())
    recorder.emit()


@dataclass(slots=True)
class Recorder:
    """Collects a benchmark's timed phases and facts, then prints them as one JSON line."""

    benchmark: str
    size: str
    phases: list[dict[str, Scalar]] = field(default_factory=list)
    facts: dict[str, Scalar] = field(default_factory=dict)
    _started: float = field(default_factory=time.perf_counter)

    @contextmanager
    def phase(self, name: str, *, baseline: str | None = None) -> Iterator[None]:
        """Time the body as phase `name` (after a full garbage collection, outside the timing)."""
        if any(p["name"] == name for p in self.phases):
            raise ValueError(f"phase {name!r} recorded twice")
        gc.collect()
        self.log(f"{name}…")
        start = time.perf_counter()
        yield
        seconds = time.perf_counter() - start
        self.phases.append({"name": name, "seconds": seconds, "baseline": baseline})
        self.log(f"{name}: {seconds:.3f} s")

    def total(self, name: str, parts: Sequence[str], *, baseline: str | None = None) -> None:
        """Record phase `name` as the sum of the already recorded phases `parts`."""
        seconds = {p["name"]: p["seconds"] for p in self.phases}
        missing = [part for part in parts if part not in seconds]
        if missing:
            raise ValueError(f"cannot total {name!r}: phases {missing} not recorded")
        total = sum(float(seconds[part] or 0.0) for part in parts)
        self.phases.append({"name": name, "seconds": total, "baseline": baseline})
        self.log(f"{name}: {total:.3f} s")

    def info(self, key: str, value: Scalar) -> None:
        self.facts[key] = value

    def log(self, message: str) -> None:
        elapsed = time.perf_counter() - self._started
        print(f"[{self.benchmark} {elapsed:7.1f}s] {message}", file=sys.stderr, flush=True)

    def emit(self) -> None:
        line = {
            "benchmark": self.benchmark,
            "size": self.size,
            "phases": self.phases,
            "info": self.facts,
        }
        print(json.dumps(line, sort_keys=True), flush=True)


def megabytes(n_bytes: int) -> float:
    """Bytes as MB (2**20 bytes), rounded to 0.1."""
    return round(n_bytes / 2**20, 1)
