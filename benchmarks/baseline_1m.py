"""baseline_1m: the full baseline on 1M opportunities and ~4-5M stage events, after loading.

A child process generates the demo dataset and writes its frames as Parquet
(`benchmarks.workspace_data`, phase `generate (child)`); this process reads them and converts
money to the plan currency as `services.baseline.load_frames` does (`load frames`). Neither
counts. Then, on the same frames and the same period (last-12m):

* `baseline`: `services.baseline.baseline_report(frames, "CNY")`: every section (groups,
  stage conversion overall and by segment, seasonality, leads, activities, retention,
  losses, reps, trends, segments, findings). Target < 3 s.
* `polars floor`: the same figures written directly as plain Polars queries
  (`benchmarks.baseline_floor`, checked equal to the service's by
  tests/test_benchmark_baseline_floor.py). `baseline` names it as its baseline (issue 4:
  within 1.5×). Both are timed twice, alternately, and the faster run of each is recorded,
  so a burst of load on a shared machine does not decide the ratio.
* `polars headline` / `pandas reference`: a few headline metrics (win rate, deal size, cycle,
  stage-to-next-stage counts, pipeline created, won bookings per month, loss reasons,
  competitors, bookings per rep, lead and activity counts) in Polars and in pandas, for
  comparison with pandas; `pandas reference` names `polars headline` as its baseline. (Until
  session 2 this headline set was the "floor", which made the 1.5× comparison meaningless.)
"""

from __future__ import annotations

import datetime as dt
import gc
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

from benchmarks.baseline_floor import floor as polars_floor
from benchmarks.common import DemoSize, Recorder, run_benchmark
from benchmarks.import_1m import _peak
from benchmarks.workspace_data import load, prepare
from salesplan.analytics.currency import to_plan_currency
from salesplan.domain.periods import parse_period
from salesplan.domain.records import RecordKind as K
from salesplan.domain.stages import DEFAULT_STAGES
from salesplan.i18n.money import currency_exponent
from salesplan.services.baseline import (
    BaselineFrames,
    BaselineReport,
    baseline_report,
    data_as_of,
    team_in_plan_currency,
)

NAME = "baseline_1m"
PLAN_CURRENCY = "CNY"


def load_frames(directory: Path) -> BaselineFrames:
    opportunities, rates = load(directory, K.OPPORTUNITY), load(directory, K.FX_RATE)
    codes = set(opportunities["currency"].drop_nulls().unique().to_list()) | {PLAN_CURRENCY}
    exponents = {code: currency_exponent(code) for code in codes}
    opportunities = to_plan_currency(
        opportunities, rates, PLAN_CURRENCY, exponents, on="close_date"
    )
    as_of = data_as_of(opportunities)
    team = team_in_plan_currency(load(directory, K.TEAM_MEMBER), rates, PLAN_CURRENCY, as_of)
    return BaselineFrames(
        as_of, opportunities, load(directory, K.STAGE_EVENT), load(directory, K.ACCOUNT),
        load(directory, K.LEAD), load(directory, K.ACTIVITY), team, DEFAULT_STAGES,
    )  # fmt: skip


def _window(as_of: dt.date, years_back: int) -> tuple[dt.date, dt.date]:
    """The baseline's period (last-12m), or the same dates `years_back` years earlier."""
    period = parse_period("last-12m", as_of)
    if years_back:
        period = period.previous_year()
    return period.start, period.end


def polars_headline(f: BaselineFrames) -> dict[str, Any]:
    o, ev = f.opportunities, f.events
    out: dict[str, Any] = {}
    for label, back in (("period", 0), ("previous_year", 1)):
        start, end = _window(f.as_of, back)
        closed = o.filter(
            pl.col("status").is_in(["won", "lost"])
            & (pl.col("closed_on") >= start)
            & (pl.col("closed_on") < end)
        )
        won = pl.col("status") == "won"
        cycle = (pl.col("closed_on") - pl.col("created_on")).dt.total_days()
        out[label] = closed.select(
            won.mean().alias("win_rate"),
            (pl.col("amount_plan_minor").filter(won).sum() / pl.col("amount_plan_minor").sum())
            .alias("win_rate_value"),
            pl.col("amount_plan_minor").filter(won).mean().alias("mean_deal"),
            pl.col("amount_plan_minor").filter(won).median().alias("median_deal"),
            *(cycle.filter(won).quantile(q).alias(f"cycle_p{int(q * 100)}")
              for q in (0.5, 0.75, 0.9)),
        ).row(0, named=True)  # fmt: skip
    start, end = _window(f.as_of, 0)
    lo, hi = dt.datetime.combine(start, dt.time()), dt.datetime.combine(end, dt.time())
    ordered = ev.sort("opportunity_id", "entered_at")
    same = pl.col("opportunity_id").shift(-1) == pl.col("opportunity_id")
    steps = ordered.with_columns(
        pl.when(same).then(pl.col("stage_code").shift(-1)).alias("next_code")
    ).filter((pl.col("entered_at") >= lo) & (pl.col("entered_at") < hi))
    out["stages"] = (
        steps.group_by("stage_code")
        .agg(pl.len().alias("entered"), (pl.col("next_code") > pl.col("stage_code")).sum())
        .sort("stage_code")
    )
    out["created"] = o.group_by(pl.col("created_on").dt.truncate("1mo")).agg(
        pl.len(), pl.col("amount_plan_minor").sum()
    )
    out["seasonality"] = (
        o.filter(pl.col("status") == "won")
        .group_by(pl.col("closed_on").dt.truncate("1mo"))
        .agg(pl.col("amount_plan_minor").sum())
    )
    lost = o.filter((pl.col("status") == "lost") & pl.col("closed_on").is_between(start, end))
    out["loss_reasons"] = lost.group_by("loss_reason").len().sort("len", descending=True)
    out["competitors"] = (
        o.filter(pl.col("competitor").is_not_null())
        .group_by("competitor")
        .agg((pl.col("status") == "won").mean(), pl.len())
    )
    out["reps"] = (
        o.filter((pl.col("status") == "won") & pl.col("closed_on").is_between(start, end))
        .group_by("owner_id")
        .agg(pl.col("amount_plan_minor").sum())
    )
    out["leads"] = f.leads.group_by("source", "status").len()
    act = f.activities.filter((pl.col("occurred_at") >= lo) & (pl.col("occurred_at") < hi))
    out["activities"] = act.group_by("owner_id", "type").len()
    return out


def pandas_reference(f: BaselineFrames) -> dict[str, Any]:
    import pandas as pd  # type: ignore[import-untyped]

    o = f.opportunities.select(
        "status", "created_on", "closed_on", "amount_plan_minor", "loss_reason",
        "competitor", "owner_id",
    ).to_pandas()  # fmt: skip
    ev = f.events.select("opportunity_id", "stage_code", "entered_at").to_pandas()
    out: dict[str, Any] = {}
    for label, back in (("period", 0), ("previous_year", 1)):
        start, end = (pd.Timestamp(d) for d in _window(f.as_of, back))
        closed_on = pd.to_datetime(o["closed_on"])
        closed = o[o["status"].isin(["won", "lost"]) & (closed_on >= start) & (closed_on < end)]
        won = closed[closed["status"] == "won"]
        cycle = (pd.to_datetime(won["closed_on"]) - pd.to_datetime(won["created_on"])).dt.days
        out[label] = {
            "win_rate": (closed["status"] == "won").mean(),
            "win_rate_value": won["amount_plan_minor"].sum() / closed["amount_plan_minor"].sum(),
            "mean_deal": won["amount_plan_minor"].mean(),
            "median_deal": won["amount_plan_minor"].median(),
            **{f"cycle_p{int(q * 100)}": cycle.quantile(q) for q in (0.5, 0.75, 0.9)},
        }
    start, end = (pd.Timestamp(d) for d in _window(f.as_of, 0))
    ev = ev.sort_values(["opportunity_id", "entered_at"])
    ev["next_code"] = ev.groupby("opportunity_id")["stage_code"].shift(-1)
    steps = ev[(ev["entered_at"] >= start) & (ev["entered_at"] < end)]
    out["stages"] = (
        steps.assign(adv=steps["next_code"] > steps["stage_code"])
        .groupby("stage_code")["adv"]
        .agg(["size", "sum"])
    )
    created = pd.to_datetime(o["created_on"]).dt.to_period("M")
    out["created"] = o.groupby(created)["amount_plan_minor"].agg(["size", "sum"])
    won_all = o[o["status"] == "won"]
    out["seasonality"] = won_all.groupby(pd.to_datetime(won_all["closed_on"]).dt.to_period("M"))[
        "amount_plan_minor"
    ].sum()
    closed_on = pd.to_datetime(o["closed_on"])
    in_period = (closed_on >= start) & (closed_on < end)
    out["loss_reasons"] = o[(o["status"] == "lost") & in_period]["loss_reason"].value_counts()
    named = o[o["competitor"].notna()]
    out["competitors"] = (
        named.assign(w=named["status"] == "won").groupby("competitor")["w"].agg(["mean", "size"])
    )
    out["reps"] = (
        o[(o["status"] == "won") & in_period].groupby("owner_id")["amount_plan_minor"].sum()
    )
    leads = f.leads.select("source", "status").to_pandas()
    out["leads"] = leads.groupby(["source", "status"]).size()
    act = f.activities.select("owner_id", "type", "occurred_at").to_pandas()
    act = act[(act["occurred_at"] >= start) & (act["occurred_at"] < end)]
    out["activities"] = act.groupby(["owner_id", "type"]).size()
    return out


def run(recorder: Recorder, size: DemoSize, workdir: Path) -> None:
    data = workdir / "frames"
    if not (data / "opportunity.parquet").exists():
        seconds = prepare(size, data)
        recorder.phases.append({"name": "generate (child)", "seconds": seconds, "baseline": None})
    with recorder.phase("load frames"):
        frames = load_frames(data)
    recorder.info("rows.opportunity", frames.opportunities.height)
    recorder.info("rows.stage_event", frames.events.height)
    recorder.info("rows.activity", frames.activities.height)
    recorder.info("rows.lead", frames.leads.height)
    report = _best_of_two(recorder, frames)
    recorder.info("baseline.win_rate", report.overall.win_rate.rate)
    with recorder.phase("polars headline"):
        headline = polars_headline(frames)
    recorder.info("headline.win_rate", headline["period"]["win_rate"])
    with recorder.phase("pandas reference", baseline="polars headline"):
        reference = pandas_reference(frames)
    recorder.info("pandas.win_rate", float(reference["period"]["win_rate"]))


def _best_of_two(recorder: Recorder, frames: BaselineFrames) -> BaselineReport:
    """Time the service and the floor twice, alternately; record the faster run of each."""
    runs: dict[str, list[float]] = {"baseline": [], "polars floor": []}
    report: BaselineReport | None = None
    for attempt in range(2):
        for name in runs:
            gc.collect()
            started = time.perf_counter()
            if name == "polars floor":
                polars_floor(frames)
            elif attempt == 0:  # the first run, first of all: its own peak RSS
                with _peak(recorder, "baseline"):
                    report = baseline_report(frames, PLAN_CURRENCY)
            else:
                report = baseline_report(frames, PLAN_CURRENCY)
            runs[name].append(time.perf_counter() - started)
            recorder.log(f"{name}: {runs[name][-1]:.3f} s")
    for name, seconds in runs.items():
        baseline = "polars floor" if name == "baseline" else None
        recorder.phases.append({"name": name, "seconds": min(seconds), "baseline": baseline})
        recorder.info(f"{name}.runs", ", ".join(f"{s:.3f}" for s in seconds))
    assert report is not None
    return report


def main(argv: Sequence[str] | None = None) -> None:
    run_benchmark(NAME, __doc__ or NAME, "1m", run, argv)


if __name__ == "__main__":
    main()
