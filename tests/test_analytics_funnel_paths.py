"""Stage conversion from the one-pass path table equals the definition, on awkward histories.

`analytics.funnel` reads every conversion off `stage_paths` (array passes, one sort). Here a
plain per-deal Python reading of the definition (docs/methods.md, "Stage conversion") is the
independent reference, on random histories with what breaks clever code: several events at
the same instant, reopened deals (a stage entered twice), skipped and backward moves, lost
then back, events out of order in the input, deals without a segment.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

import polars as pl
import pytest

from salesplan.analytics.funnel import stage_conversion, stage_conversion_by
from salesplan.domain.stages import DEFAULT_STAGES

STAGES = DEFAULT_STAGES
LOST = {s.code for s in STAGES.stages if s.status.value == "lost"}
CODES = [s.code for s in STAGES.stages]
T0 = dt.datetime(2025, 1, 1)
START, END = dt.date(2025, 1, 3), dt.date(2025, 1, 9)


def _events(seed: int) -> pl.DataFrame:
    rng = random.Random(seed)
    rows = []
    for deal in range(40):
        t = rng.randint(0, 100)
        for _ in range(rng.randint(1, 7)):
            t += rng.choice([0, 0, 5, 12, 30])  # many same-instant events
            at = T0 + dt.timedelta(hours=t) if rng.random() > 0.03 else None
            code = rng.choice(CODES) if rng.random() > 0.03 else None
            rows.append((f"D{deal:03d}", code, at))
    rng.shuffle(rows)  # out of order, so the function must sort
    schema = {"opportunity_id": pl.String, "stage_code": pl.Int32, "entered_at": pl.Datetime("us")}
    return pl.DataFrame(rows, schema=schema, orient="row")


def _reference(events: pl.DataFrame) -> dict[int, tuple[int, int, int, list[float]]]:
    """Per open stage: entered, advanced, died and the days in stage of the advanced.

    An event without a time sorts first in its deal and never enters nor advances; one
    without a stage only ends the previous stage's visit (its code matches nothing)."""
    by_deal: dict[str, list[tuple[bool, dt.datetime, int, int]]] = defaultdict(list)
    for i, (deal, code, at) in enumerate(events.iter_rows()):
        by_deal[deal].append((at is not None, at or T0, i, -1 if code is None else code))
    lo, hi = dt.datetime.combine(START, dt.time()), dt.datetime.combine(END, dt.time())
    result = {}
    for stage in STAGES.open_stages:
        entered = advanced = died = 0
        days: list[float] = []
        for history in by_deal.values():
            # By time (none first), then the recorded order (stable).
            path = [(at if timed else None, i, code) for timed, at, i, code in sorted(history)]
            inside = [
                k
                for k, (at, _, code) in enumerate(path)
                if code == stage.code and at is not None and lo <= at < hi
            ]
            if not inside:
                continue
            k = inside[0]
            entered += 1
            first = min(at for at, _, code in path if code == stage.code and at is not None)
            later = [
                at
                for at, _, code in path
                if at is not None and at > first and code > stage.code and code not in LOST
            ]
            if later:
                advanced += 1
                entered_at = path[k][0]
                assert entered_at is not None
                days.append(int((min(later) - entered_at).total_seconds()) / 86_400)
            elif k + 1 < len(path) and path[k + 1][2] in LOST:
                died += 1
        result[stage.code] = (entered, advanced, died, days)
    return result


@pytest.mark.parametrize("seed", range(12))
def test_stage_conversion_matches_the_definition(seed: int) -> None:
    events = _events(seed)
    expected = _reference(events)
    for row in stage_conversion(events, STAGES, START, END):
        entered, advanced, died, days = expected[row.stage_code]
        assert (row.entered, row.advanced, row.died) == (entered, advanced, died)
        assert row.unresolved == entered - advanced - died
        median = pl.Series(days, dtype=pl.Float64).quantile(0.5, "linear") if days else None
        assert row.median_days_in_stage == pytest.approx(median)


def test_breakdown_sums_to_the_whole_and_keeps_deals_without_a_value() -> None:
    events = _events(99)
    deals = sorted(set(events["opportunity_id"].to_list()))
    segment = ["smb" if i % 3 == 0 else "ent" if i % 3 == 1 else None for i in range(len(deals))]
    opportunities = pl.DataFrame({"id": deals[:-2], "segment": segment[:-2]})  # 2 deals unknown
    parts = stage_conversion_by(events, opportunities, STAGES, START, END)
    assert set(parts) == {"smb", "ent", None}
    whole = stage_conversion(events, STAGES, START, END)
    for i, row in enumerate(whole):
        assert sum(p[i].entered for p in parts.values()) == row.entered
        assert sum(p[i].advanced for p in parts.values()) == row.advanced
        assert sum(p[i].died for p in parts.values()) == row.died
    # The same with the opportunities in another order (the lookup then joins).
    shuffled = stage_conversion_by(events, opportunities.reverse(), STAGES, START, END)
    assert shuffled == parts
