"""Demo frames on disk for the benchmarks that start from a loaded workspace.

Generating the 1m dataset peaks at ~2.2 GB, which would swamp the peak RSS of whatever a
benchmark measures after it. So `prepare(size, directory)` generates it in a child process
(`python -m benchmarks.workspace_data SIZE DIR`) that writes the frames a benchmark needs as
Parquet; the benchmark then reads them (seconds, not counted in its targets). `--rows N`
generates a smaller company (the size's defaults with N opportunities) for development.
"""

from __future__ import annotations

import argparse
import dataclasses
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from benchmarks.common import AS_OF, SEED
from salesplan.domain.records import RecordKind

KINDS = (
    RecordKind.OPPORTUNITY,
    RecordKind.STAGE_EVENT,
    RecordKind.FX_RATE,
    RecordKind.PRODUCT,
    RecordKind.ACCOUNT,
    RecordKind.LEAD,
    RecordKind.ACTIVITY,
    RecordKind.TEAM_MEMBER,
)


def prepare(size: str, directory: Path, rows: int | None = None) -> float:
    """Write the frames of `size` to `directory` from a child process; returns its seconds."""
    started = time.perf_counter()
    command = [sys.executable, "-m", "benchmarks.workspace_data", size, str(directory)]
    if rows is not None:
        command += ["--rows", str(rows)]
    subprocess.run(command, check=True)
    return time.perf_counter() - started


def load(directory: Path, kind: RecordKind) -> pl.DataFrame:
    return pl.read_parquet(directory / f"{kind.value}.parquet")


def _write(size: str, directory: Path, rows: int | None) -> None:
    from salesplan.demo import default_params, generate

    params = default_params(size)  # type: ignore[arg-type]
    if rows is not None:
        params = dataclasses.replace(params, n_opportunities=rows)
    dataset = generate(size, SEED, AS_OF, params=params)  # type: ignore[arg-type]
    directory.mkdir(parents=True, exist_ok=True)
    for kind in KINDS:
        dataset.frames[kind].write_parquet(directory / f"{kind.value}.parquet")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("size")
    parser.add_argument("directory", type=Path)
    parser.add_argument("--rows", type=int, default=None)
    args = parser.parse_args(argv)
    _write(args.size, args.directory, args.rows)


if __name__ == "__main__":
    main()
