"""forecast_1m: fit, forecast with 10,000-simulation ranges, and a 12-cutoff backtest at 1m.

How the data is kept out of the figures: another process generates the demo dataset and
writes its frames as Parquet (`benchmarks.workspace_data`, phase `generate (child)`); this
process reads only the columns the forecast reads and builds the forecast's history in the
plan currency exactly as `services.forecast.load_workspace` does after reading the store
(`load history`: projection, currency conversion, synthetic events). The generator is
started detached (`prepare_detached`): Linux adds the peak RSS of every child a process
reaps to that process's own `ru_maxrss`, so a generator child (~2.2 GB at 1m) reaped here
set the floor of this benchmark's reported peak RSS (2,189 MB) whatever the forecast did.
Then:

* `fit`: `bookings.fit_models(history, cutoff)` (stage, calibrated and timing models) with
  the cutoff the day after the data's as-of date, as `salesplan forecast` uses;
* `forecast`: the open pipeline (`current_pipeline`, ~100,000 deals at 1m), amount
  imputation, scoring and `forecast_period(method="calibrated", sims=10_000)`;
* `fit + forecast`: their sum, target < 5 s; `rss.fit + forecast` in the details is the
  peak RSS while they ran (VmHWM reset before `fit`; the loaded frames are resident and
  count); `rss.load history` and `rss.backtest` likewise, `rss.process_peak` the largest,
  target < 1 GiB;
* `backtest`: `run_backtest(history, grain="month", cutoffs=12)`, target < 60 s.

`--workdir DIR` reuses the frames under `DIR/frames` from an earlier run instead of
generating them. Polars' allocator (jemalloc, `_RJEM_MALLOC_CONF`) keeps its defaults; a
shorter dirty-page decay lowers the peak a little and slows every phase (measured in
session 2: 100 ms, -110 MB and about +1 s on `fit`; 0 ms, -150 MB and `fit` ~1.7x).

Memory (session 3, three runs): process peak 873, 882 and 891 MB (was 1,009-1,085 MB over
six runs), `fit + forecast` 2.1-2.4 s, `backtest` 16.7-19.1 s, `load history` 813-832 MB,
the figures unchanged. The fit no longer hashes the deals' 16-byte ids: each event's deal
is its row in the opportunities (`History.deal_rows`), the training rows carry it and read
their outcome by it (`forecast.outcomes`); each model builds only its own training columns;
the calibrated cells, the timing cells and the stage bands are counted with numpy over
integer codes; the events are rechunked one column at a time.
"""

from __future__ import annotations

import datetime as dt
import shlex
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from benchmarks.common import SEED, DemoSize, Recorder, run_benchmark
from benchmarks.import_1m import _peak
from benchmarks.workspace_data import load
from salesplan.domain.records import RecordKind
from salesplan.domain.stages import DEFAULT_STAGES
from salesplan.forecast.backtest import run_backtest
from salesplan.forecast.bookings import fit_models, forecast_period, prepare_pipeline
from salesplan.forecast.history import History, build_history, current_pipeline
from salesplan.forecast.loading import EVENT_COLUMNS, OPPORTUNITY_COLUMNS, compact, plan_amounts
from salesplan.i18n.money import currency_exponent

NAME = "forecast_1m"
PLAN_CURRENCY = "CNY"
SIMS = 10_000
BACKTEST_CUTOFFS = 12


def load_history(directory: Path) -> History:
    """The forecast's History from the frames on disk, as load_workspace builds it: only
    the columns the forecast reads (history.OPPORTUNITY_COLUMNS, EVENT_COLUMNS)."""
    opportunities = compact(
        pl.read_parquet(
            directory / f"{RecordKind.OPPORTUNITY.value}.parquet", columns=list(OPPORTUNITY_COLUMNS)
        ),
        OPPORTUNITY_COLUMNS,
    )
    events = pl.read_parquet(
        directory / f"{RecordKind.STAGE_EVENT.value}.parquet", columns=list(EVENT_COLUMNS)
    )
    rates = load(directory, RecordKind.FX_RATE)
    products = load(directory, RecordKind.PRODUCT)
    codes = set(opportunities["currency"].drop_nulls().unique().to_list())
    codes |= set(products["currency"].drop_nulls().unique().to_list()) | {PLAN_CURRENCY}
    exponents = {code: currency_exponent(code) for code in codes}
    opportunities = plan_amounts(opportunities, rates, PLAN_CURRENCY, exponents, on="close_date")
    as_of = max(opportunities["created_on"].max(), opportunities["closed_on"].max())  # type: ignore[type-var]
    assert isinstance(as_of, dt.date)
    return build_history(
        opportunities, events, DEFAULT_STAGES,
        rates=rates, products=products, plan_currency=PLAN_CURRENCY,
        exponents=exponents, as_of=as_of,
    )  # fmt: skip


def prepare_detached(size: str, directory: Path, rows: int | None = None) -> float:
    """Write the frames of `size` from a process this one never reaps; returns its seconds.

    `sh` starts the generator in the background and exits at once, so the generator is
    re-parented (and reaped) elsewhere; this process waits for its marker file."""
    started = time.perf_counter()
    done, failed = directory.with_suffix(".done"), directory.with_suffix(".failed")
    command = [sys.executable, "-m", "benchmarks.workspace_data", size, str(directory)]
    if rows is not None:
        command += ["--rows", str(rows)]
    line = " ".join(shlex.quote(part) for part in command)
    script = f"({line} && touch {shlex.quote(str(done))} || touch {shlex.quote(str(failed))}) &"
    subprocess.run(["sh", "-c", script], check=True, stdin=subprocess.DEVNULL)
    while not done.exists():
        if failed.exists():
            raise RuntimeError(f"generating the {size} frames failed")
        time.sleep(0.2)
    return time.perf_counter() - started


def run(recorder: Recorder, size: DemoSize, workdir: Path, rows: int | None = None) -> None:
    data = workdir / "frames"
    if not (data / "opportunity.parquet").exists():
        seconds = prepare_detached(size, data, rows)
        recorder.phases.append({"name": "generate (child)", "seconds": seconds, "baseline": None})
    with _peak(recorder, "load history"), recorder.phase("load history"):
        history = load_history(data)
    recorder.info("rows.opportunity", history.opportunities.height)
    recorder.info("rows.events", history.events.height)

    # One-off start-up cost, paid untimed like store_frames_1m's warm-up reads: importing
    # statsmodels (the run-rate's ETS) takes 2-4 s on a 2-core machine, once per process.
    started = time.perf_counter()
    import statsmodels.tsa.holtwinters  # type: ignore[import-untyped]  # noqa: F401

    recorder.info("statsmodels_import_s", round(time.perf_counter() - started, 3))
    cutoff = history.as_of + dt.timedelta(days=1)
    with _peak(recorder, "fit + forecast"):
        with recorder.phase("fit"):
            fitted = fit_models(history, cutoff)
        with recorder.phase("forecast"):
            deals = prepare_pipeline(history, current_pipeline(history), cutoff)
            start = dt.date(cutoff.year, cutoff.month, 1)
            end = dt.date(start.year + (start.month + 2) // 12, (start.month + 2) % 12 + 1, 1)
            result = forecast_period(
                history, fitted, deals, start, end, "calibrated", sims=SIMS, seed=SEED
            )
    recorder.total("fit + forecast", ["fit", "forecast"])
    recorder.info("open_deals", deals.height)
    recorder.info("forecast.expected_minor", result.range.expected_minor)
    recorder.info("forecast.p10_minor", result.range.p10_minor)
    recorder.info("forecast.p90_minor", result.range.p90_minor)
    calibration = fitted.calibrated.calibration
    recorder.info("calibration.ece", None if calibration is None else calibration.ece)
    del fitted, deals, result

    with _peak(recorder, "backtest"), recorder.phase("backtest"):
        report = run_backtest(history, grain="month", cutoffs=BACKTEST_CUTOFFS, seed=SEED)
    recorder.info("backtest.cutoffs", len(report.cutoffs))
    # Each `rss.<phase>` resets the kernel's high-water mark (also the one wait4 reports to
    # the harness, which therefore sees only the last phase's peak): the process's peak is
    # the largest of them.
    peaks = [v for k, v in recorder.facts.items() if k.startswith("rss.")]
    recorder.info("rss.process_peak", max((int(v) for v in peaks if v is not None), default=None))
    for score in report.scores:
        if score.wape is not None:
            recorder.info(f"backtest.wape.{score.method}", round(score.wape, 4))
        if score.coverage is not None:
            recorder.info(f"backtest.coverage.{score.method}", round(score.coverage, 4))


def main(argv: Sequence[str] | None = None) -> None:
    run_benchmark(NAME, __doc__ or NAME, "1m", run, argv)


if __name__ == "__main__":
    main()
