"""import_1m: a 1M-row opportunities CSV into the SQLite store, against pandas and DuckDB.

The CSV is written by another process (`python -m benchmarks.import_1m --write-csv`, detached
as described below) from `salesplan.demo.generate(size, seed=1, as_of=2026-11-28)`
opportunities, so generating the data (about 2 GB at 1m) never counts towards this
process's peak RSS; phase `write csv` is its wall time, not a target. On the same file:

1. `duckdb csv→parquet`: DuckDB's `COPY (SELECT * FROM read_csv(...)) TO 'x.parquet'`, the
   floor: `import` names it as baseline, so the ratio is how far above the floor we are.
2. `pandas read_csv+to_sql`: the plain-pandas reference (`pd.read_csv` + `DataFrame.to_sql`
   into a new SQLite file through sqlite3), with `import` as baseline: its ratio is how many
   times faster our import is (issue 3's goal: at least 5×).
3. `import rejected (bad last row)`: the same file with the last row's amount made
   unreadable, into a fresh workspace: the import must refuse it (report written, nothing
   stored, checked in `bad_row.*`) in at most the time of a good import.
4. `import`: `services.imports.import_file(settings, "opportunities", csv)` into a fresh
   workspace, exactly what `salesplan import opportunities FILE --as-of 2026-11-28` runs
   (read, detect preset, parse and validate every value, one transaction). Target < 15 s.

Everything but the good import runs in its own process that is *not* this process's child
(`/bin/sh` starts it in the background and exits; its result comes back as a JSON line on a
pipe): Linux folds the peak RSS of reaped children into a process's `wait4` figures, so a
child writing the CSV (~2.2 GB at 1m) or running pandas (~2.4 GB) would have set the
harness's `(process)` peak. Each times itself on the same machine and file within the same
run, so the ratios stay like for like; their own peaks are `rss.duckdb`, `rss.pandas`,
`rss.rejected`. The import runs last, in this process, so the harness's `(process)` peak
RSS is the import's own (target < 1.5 GiB), and `rss.import` is its phase high-water mark
(Linux: VmHWM reset through /proc/self/clear_refs first).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl

from benchmarks.common import AS_OF, SEED, DemoSize, Recorder, megabytes, run_benchmark

NAME = "import_1m"
CSV_NAME = "opportunities.csv"
BAD_NAME = "opportunities-bad-last-row.csv"
BAD_AMOUNT = "12,34.5.6"
"""Unreadable in every decimal convention: the import must refuse the whole file."""


def _amount_text(minor: pl.Expr, exponent: pl.Expr) -> pl.Expr:
    """Exact decimal text of integer minor units (`123456`, 2 → `1234.56`), no float."""
    scale = pl.lit(10, pl.Int64).pow(exponent)
    whole = (minor.abs() // scale).cast(pl.String)
    cents = (minor.abs() % scale).cast(pl.String).str.zfill(exponent)
    sign = pl.when(minor < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    text = pl.when(exponent > 0).then(whole + "." + cents).otherwise(whole)
    return pl.when(minor.is_null()).then(None).otherwise(sign + text)


def export_frame(opportunities: pl.DataFrame) -> pl.DataFrame:
    """Canonical opportunities as a generic CRM export: the importer's own field names,
    amounts as decimal text in their currency, ISO dates, stage labels, probability in %."""
    from salesplan.i18n.money import currency_exponent

    codes = opportunities["currency"].drop_nulls().unique().to_list()
    exponents = {code: currency_exponent(code) for code in codes}
    exponent = pl.col("currency").replace_strict(exponents, default=2, return_dtype=pl.Int64)
    return opportunities.select(
        "id",
        "name",
        "account_id",
        "owner_id",
        "pipeline",
        _amount_text(pl.col("amount_minor"), exponent).alias("amount"),
        "currency",
        "created_on",
        "close_date",
        "closed_on",
        "stage",
        "status",
        (pl.col("probability") * 100).round(0).cast(pl.Int64).alias("probability"),
        "forecast_category",
        "type",
        "source",
        "product",
        "segment",
        "region",
        "industry",
        "loss_reason",
        "competitor",
        "promotion",
        "discount_pct",
        "next_step",
        "next_step_date",
        "last_activity_on",
    )


def write_csv(size: DemoSize, directory: Path) -> None:
    """Generate the dataset and write the good file and the bad-last-row file (child only)."""
    from salesplan.demo import generate
    from salesplan.domain.records import RecordKind

    frame = generate(size, SEED, AS_OF).frames[RecordKind.OPPORTUNITY]
    export = export_frame(frame)
    export.write_csv(directory / CSV_NAME)
    bad = export.with_columns(
        pl.when(pl.int_range(pl.len()) == pl.len() - 1)
        .then(pl.lit(BAD_AMOUNT))
        .otherwise(pl.col("amount"))
        .alias("amount")
    )
    bad.write_csv(directory / BAD_NAME)


def _hwm_kb() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _reset_hwm() -> bool:
    """Reset this process's VmHWM (Linux ≥ 4.0); False when the kernel does not allow it."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
            clear.write("5")
    except OSError:
        return False
    return True


@contextmanager
def _peak(recorder: Recorder, phase: str) -> Iterator[None]:
    """Record the phase's own peak RSS (MB) as `rss.<phase>` when the kernel can tell it."""
    reset = _reset_hwm()
    yield
    if reset:
        recorder.info(f"rss.{phase}", round(_hwm_kb() / 1024))


def _import(settings_dir: Path, csv: Path) -> object:
    from salesplan.config import Settings
    from salesplan.services.imports import import_file

    settings = Settings(workspace=settings_dir, database_url=None, locale="en", currency="CNY")
    return import_file(settings, "opportunities", csv, as_of=AS_OF)


def _stored_rows(workspace: Path) -> int | None:
    database = workspace / "salesplan.db"
    if not database.exists():
        return None
    with sqlite3.connect(database) as connection:
        (n,) = connection.execute("SELECT count(*) FROM opportunity").fetchone()
    return int(n)


def reference(name: str, csv: Path, workdir: Path) -> None:
    """Run one reference or the rejected import on `csv` and print its figures as one JSON
    line (`seconds`, `rows`, `peak_rss_mb`, …): the detached worker's side."""
    import importlib
    import resource

    library = {"duckdb": "duckdb", "pandas": "pandas", "rejected": "salesplan.services.imports"}
    importlib.import_module(library[name])  # before the clock: start-up is not the phase's
    result: dict[str, Any] = {}
    started = time.perf_counter()
    if name == "duckdb":
        import duckdb

        parquet = workdir / "floor.parquet"
        duckdb.sql(
            f"COPY (SELECT * FROM read_csv('{csv}', all_varchar = true)) "
            f"TO '{parquet}' (FORMAT parquet)"
        )
        result["seconds"] = time.perf_counter() - started
        row = duckdb.execute(f"SELECT count(*) FROM '{parquet}'").fetchone()
        result["rows"] = None if row is None else int(row[0])
    elif name == "pandas":
        import pandas as pd  # type: ignore[import-untyped]

        target = workdir / "pandas.db"
        target.unlink(missing_ok=True)  # a --workdir reused from an earlier run holds one
        started = time.perf_counter()
        with sqlite3.connect(target) as connection:
            pd.read_csv(csv).to_sql("opportunity", connection, index=False)
        result["seconds"] = time.perf_counter() - started
        with sqlite3.connect(target) as connection:
            (n,) = connection.execute("SELECT count(*) FROM opportunity").fetchone()
        result["rows"] = int(n)
    else:  # "rejected": the bad-last-row file into a fresh workspace
        bad = workdir / "ws-bad"
        report = _import(bad, csv)
        result["seconds"] = time.perf_counter() - started
        errors = getattr(report, "errors", [])
        result["errors"] = len(errors)
        result["row"] = errors[0].row if errors else None
        result["rows_written"] = getattr(report, "rows_written", None)
        result["stored_rows"] = _stored_rows(bad)
        shutil.rmtree(bad, ignore_errors=True)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result["peak_rss_mb"] = round(peak_kb / 1024)
    print(json.dumps(result))


def _detached(recorder: Recorder, label: str, arguments: list[str]) -> dict[str, Any]:
    """Run `python -m benchmarks.import_1m ARGUMENTS` in a process that is not ours (see the
    module docstring); its last stdout line, parsed as JSON, or {} when it printed none."""
    command = [sys.executable, "-m", "benchmarks.import_1m", *arguments]
    recorder.log(f"{label} (detached process)…")
    shell = subprocess.Popen(
        ["/bin/sh", "-c", '"$@" &', "sh", *command], stdout=subprocess.PIPE, text=True
    )
    out, _ = shell.communicate()  # EOF once the worker has exited and closed the pipe
    lines = out.strip().splitlines()
    result: dict[str, Any] = json.loads(lines[-1]) if lines else {}
    return result


def run(recorder: Recorder, size: DemoSize, workdir: Path) -> None:
    started = time.perf_counter()
    _detached(recorder, "write csv", ["--size", size, "--write-csv", str(workdir)])
    recorder.phases.append(
        {"name": "write csv", "seconds": time.perf_counter() - started, "baseline": None}
    )
    csv, bad_csv = workdir / CSV_NAME, workdir / BAD_NAME
    if not (csv.exists() and bad_csv.exists()):
        raise RuntimeError("the CSV writer failed; see its messages above")
    recorder.info("csv_mb", megabytes(csv.stat().st_size))

    for name, phase, baseline, source in (
        ("duckdb", "duckdb csv→parquet", None, csv),
        ("pandas", "pandas read_csv+to_sql", "import", csv),
        ("rejected", "import rejected (bad last row)", "import", bad_csv),
    ):
        arguments = ["--reference", name, "--csv", str(source), "--workdir", str(workdir)]
        result = _detached(recorder, phase, arguments)
        if "seconds" not in result:
            raise RuntimeError(f"{phase} failed; see its messages above")
        recorder.phases.append({"name": phase, "seconds": result["seconds"], "baseline": baseline})
        recorder.log(f"{phase}: {result['seconds']:.3f} s")
        recorder.info(f"rss.{name}", result["peak_rss_mb"])
        if name == "rejected":
            for key in ("errors", "row", "rows_written", "stored_rows"):
                recorder.info(f"bad_row.{key}", result[key])
        else:
            recorder.info(f"{name}_rows", result["rows"])

    rows = pl.scan_csv(csv).select(pl.len()).collect().item()
    recorder.info("rows", rows)
    from salesplan.services import imports  # noqa: F401 - import time is not the import's

    good = workdir / "ws"
    with _peak(recorder, "import"), recorder.phase("import", baseline="duckdb csv→parquet"):
        report = _import(good, csv)
    recorder.info("import.rows_written", getattr(report, "rows_written", None))
    recorder.info("import.errors", len(getattr(report, "errors", [])))
    recorder.info("import.stored_rows", _stored_rows(good))
    recorder.info("store_file_mb", megabytes((good / "salesplan.db").stat().st_size))
    del report
    shutil.rmtree(good)


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if "--reference" in args:
        parser = argparse.ArgumentParser()
        parser.add_argument("--reference", choices=("duckdb", "pandas", "rejected"), required=True)
        parser.add_argument("--csv", type=Path, required=True)
        parser.add_argument("--workdir", type=Path, required=True)
        parsed = parser.parse_args(args)
        reference(parsed.reference, parsed.csv, parsed.workdir)
        return
    if "--write-csv" in args:
        parser = argparse.ArgumentParser()
        parser.add_argument("--size", default="1m")
        parser.add_argument("--write-csv", type=Path, required=True)
        parsed = parser.parse_args(args)
        write_csv(parsed.size, parsed.write_csv)
        return
    run_benchmark(NAME, __doc__ or NAME, "1m", run, args)


if __name__ == "__main__":
    main()
