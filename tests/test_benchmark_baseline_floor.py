"""The floor of the baseline benchmark computes the same figures as the service.

`benchmarks/baseline_floor.py` writes the baseline's figures as plain Polars queries; its
time is the yardstick of issue 4 (within 1.5×), so it must compute the same metric set, not
a subset. On the small demo dataset every figure it computes must equal the service's
(exact for counts and money, 1e-9 relative for floats, whose summation order differs).
"""

from __future__ import annotations

import importlib
import math
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from salesplan.analytics.funnel import stage_conversion_by
from salesplan.services.baseline import BaselineFrames, BaselineReport, baseline_report

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def computed(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[BaselineFrames, BaselineReport, dict[str, Any]]:
    """The small demo's frames (as the benchmark loads them), the service's report, the floor."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(ROOT))  # benchmarks/ is importable from the repository root
        bench = importlib.import_module("benchmarks.baseline_1m")
        data = importlib.import_module("benchmarks.workspace_data")
        floor = importlib.import_module("benchmarks.baseline_floor").floor
    directory: Path = tmp_path_factory.mktemp("frames")
    data._write("small", directory, None)
    frames = bench.load_frames(directory)
    return frames, baseline_report(frames, "CNY"), floor(frames)


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def half_even(x: float | None) -> int | None:
    return None if x is None else round(x)  # Python rounds half to even


def rows(frame: pl.DataFrame, key: str) -> dict[Any, dict[str, Any]]:
    return {r[key]: r for r in frame.iter_rows(named=True)}


def test_deal_figures_match(
    computed: tuple[BaselineFrames, BaselineReport, dict[str, Any]],
) -> None:
    _, report, fl = computed
    pairs = [
        (report.overall, fl["deals.period"].row(0, named=True)),
        (report.previous_year, fl["deals.year_ago"].row(0, named=True)),
    ]
    segments = rows(fl["deals.segment"], "segment")
    pairs += [(s, segments[s.segment]) for s in report.segments]
    owners = rows(fl["deals.owner_id"], "owner_id")
    pairs += [(r, owners[r.owner_id]) for r in report.reps.reps if r.owner_id in owners]
    assert len(pairs) > 10
    for g, f in pairs:
        assert (g.won, g.lost, g.bookings_minor) == (
            f["won"],
            f["closed"] - f["won"],
            f["bookings"],
        )
    for g, f in pairs[:2]:
        assert g.median_deal_minor == half_even(f["median_deal"])
        assert (g.created, g.created_minor) == (f["created"], f["created_minor"])
        for mine, theirs in (
            (g.cycle_median_days, "cycle_p50"),
            (g.cycle_p75_days, "cycle_p75"),
            (g.cycle_p90_days, "cycle_p90"),
        ):
            assert close(mine, f[theirs])
    for s in report.segments:
        assert close(s.cycle_median_days, segments[s.segment]["cycle_p50"])


def test_stage_figures_match(
    computed: tuple[BaselineFrames, BaselineReport, dict[str, Any]],
) -> None:
    frames, report, fl = computed
    theirs = rows(fl["stages"], "stage_code")
    for s in report.stages:
        f = theirs[s.stage_code]
        assert (s.entered, s.advanced, s.died) == (f["entered"], f["advanced"], f["died"])
        assert close(s.median_days_in_stage, f["p50"]) and close(s.p75_days_in_stage, f["p75"])
    p = report.period
    by_segment = stage_conversion_by(
        frames.events, frames.opportunities, frames.stages, p.start, p.end
    )
    got = {
        (seg, r["stage_code"]): r
        for seg, r in ((r["segment"], r) for r in fl["stages_by_segment"].iter_rows(named=True))
    }
    for segment, stages in by_segment.items():
        for s in stages:
            f = got.get((segment, s.stage_code))
            assert (s.entered, s.advanced, s.died) == (
                (f["entered"], f["advanced"], f["died"]) if f else (0, 0, 0)
            )


def test_other_sections_match(
    computed: tuple[BaselineFrames, BaselineReport, dict[str, Any]],
) -> None:
    _, report, fl = computed
    assert all(
        close(a, b) for a, b in zip(report.seasonality.index, fl["seasonality"], strict=True)
    )
    lead = fl["leads.period"].row(0, named=True)
    overall = report.leads[0]
    assert (
        overall.leads,
        overall.mql,
        overall.sql,
        overall.opportunities,
        overall.closed,
        overall.won,
        overall.disqualified,
        overall.bookings_minor,
    ) == tuple(lead.values())
    sources = rows(fl["leads.source"], "source")
    for s in report.leads[1:]:
        assert (s.leads, s.won, s.bookings_minor) == tuple(
            sources[s.source][k] for k in ("leads", "won", "bookings")
        )
    acts, a = report.activities, fl["activities"].row(0, named=True)
    assert (acts.calls, acts.emails, acts.meetings, acts.demos, acts.total, acts.meetings_held) == (
        a["call"],
        a["email"],
        a["meeting"],
        a["demo"],
        a["total"],
        a["held"],
    )
    assert close(acts.meetings_per_100_touches, 100 * a["held"] / a["outreach"])
    reps = rows(fl["activities.reps"], "owner_id")
    assert {r.owner_id: r.total for r in acts.reps} == {k: v["total"] for k, v in reps.items()}
    week = fl["activities.per_week"].row(0, named=True)
    assert close(acts.per_rep_week_median, week["p50"]) and close(
        acts.per_rep_week_p25, week["p25"]
    )
    out = fl["outreach.period"].row(0, named=True)
    assert (acts.outreach_to_meeting.successes, acts.outreach_to_meeting.n) == (
        out["converted"],
        out["targets"],
    )
    kept, acc = report.retention[0], fl["accounts.period"].row(0, named=True)
    assert (
        kept.customers_at_start,
        kept.churned,
        kept.new_customers,
        kept.customers_at_end,
        kept.missing_since,
    ) == tuple(acc.values())
    ren, nrr = fl["renewals.period"].row(0, named=True), fl["nrr.period"].row(0, named=True)
    assert (kept.renewal.successes, kept.renewal.n) == (ren["renewals_won"], ren["renewals"])
    assert (kept.cohort_bookings_minor, kept.cohort_previous_bookings_minor) == (
        nrr["now"],
        nrr["before"],
    )
    by_segment = rows(fl["accounts_by_segment.period"], "segment")
    for r in report.retention[1:]:
        assert (r.customers_at_start, r.churned) == (
            by_segment[r.segment]["at_start"],
            by_segment[r.segment]["churned"],
        )
    lost = report.losses
    reasons = rows(fl["loss_reasons"], "loss_reason")
    assert {r.reason: (r.lost, r.lost_minor) for r in lost.reasons} == {
        k: (v["lost"], v["amount"]) for k, v in reasons.items()
    }
    comp = rows(fl["competitors"], "competitor")
    assert {c.competitor: (c.lost, c.won, c.lost_minor) for c in lost.competitors} == {
        k: (v["lost"], v["won"], v["amount"]) for k, v in comp.items()
    }
    quota = fl["reps"].row(0, named=True)
    q = report.reps.attainment_quantiles
    assert q is not None and all(
        close(a, quota[k]) for a, k in zip(q, ("p10", "p25", "p50", "p75", "p90"), strict=True)
    )
    assert (report.reps.at_or_above_quota.successes, report.reps.at_or_above_quota.n) == (
        quota["at_quota"],
        quota["with_quota"],
    )


def test_trend_windows_match(
    computed: tuple[BaselineFrames, BaselineReport, dict[str, Any]],
) -> None:
    _, report, fl = computed
    for trends, (now, before) in (
        (report.trends.yoy, ("period", "year_ago")),
        (report.trends.qoq, ("quarter", "quarter_before")),
    ):
        values = {t.metric: (t.current, t.previous) for t in trends}
        for index, name in enumerate((now, before)):
            deals = fl[f"deals.{name}"].row(0, named=True)
            leads = fl[f"leads.{name}"].row(0, named=True)
            acc = fl[f"accounts.{name}"].row(0, named=True)
            out = fl[f"outreach.{name}"].row(0, named=True)
            assert values["deals_won"][index] == deals["won"]
            assert values["bookings"][index] == deals["bookings"]
            assert values["pipeline_created"][index] == deals["created_minor"]
            assert values["leads"][index] == leads["leads"]
            assert close(
                values["lead_to_opportunity"][index], leads["opportunities"] / leads["leads"]
            )
            assert close(values["churn"][index], acc["churned"] / acc["at_start"])
            assert values["activities"][index] == fl[f"activities.total.{name}"].item()
            assert close(values["outreach_to_meeting"][index], out["converted"] / out["targets"])
