"""Funnel and rep gaps on constructed data where the bottleneck is known, money by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from salesplan.domain.records import DealStatus
from salesplan.domain.stages import Stage, StageList
from salesplan.planning.gaps import Confidence, GapInputs, GapType, find_gaps

STAGES = StageList(
    (
        Stage(20, "qualification", "Qualification", DealStatus.OPEN, 0.2),
        Stage(40, "demo", "Demo", DealStatus.OPEN, 0.4),
        Stage(50, "proposal", "Proposal", DealStatus.OPEN, 0.6),
        Stage(90, "closed_won", "Won", DealStatus.WON, 1.0),
        Stage(91, "closed_lost", "Lost", DealStatus.LOST, 0.0),
    )
)
AS_OF = dt.date(2026, 1, 10)
WINDOW = (dt.date(2025, 1, 1), dt.date(2026, 1, 1))
CREATED = dt.date(2025, 3, 1)


def _deals(specs: list[tuple[str, str, bool, bool, int]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(segment, owner, advanced past demo, won at proposal, amount) → opportunities, events.

    Every deal: qualification on day 0, demo on day 10, then proposal (day 20) and won or lost
    (day 30), or lost at demo (day 20)."""
    opps, events = [], []
    start = dt.datetime.combine(CREATED, dt.time())
    for i, (segment, owner, advanced, won, amount) in enumerate(specs):
        oid = f"O{i:04d}"
        path = [(20, 0), (40, 10)]
        path += [(50, 20), (90 if won else 91, 30)] if advanced else [(91, 20)]
        for code, day in path:
            events.append(
                {
                    "opportunity_id": oid,
                    "stage": STAGES.stages[[s.code for s in STAGES.stages].index(code)].key,
                    "stage_code": code,
                    "entered_at": start + dt.timedelta(days=day),
                    "amount_minor": amount,
                    "close_date": CREATED + dt.timedelta(days=30),
                }
            )
        closed_on = CREATED + dt.timedelta(days=path[-1][1])
        opps.append(
            {
                "id": oid,
                "owner_id": owner,
                "segment": segment,
                "region": "east",
                "status": "won" if advanced and won else "lost",
                "created_on": CREATED,
                "closed_on": closed_on,
                "close_date": closed_on,
                "amount_plan_minor": amount,
                "type": "new",
            }
        )
    return pl.DataFrame(opps), pl.DataFrame(events)


def _inputs(opps: pl.DataFrame, events: pl.DataFrame) -> GapInputs:
    return GapInputs(
        period="2026", as_of=AS_OF, opportunities=opps, events=events, stages=STAGES,
        window=WINDOW, by=("segment",),
    )  # fmt: skip


def test_one_segment_with_a_bad_demo_stage_ranks_first() -> None:
    # 60 deals per segment; demo → proposal: smb 30/60, mid 36/60, enterprise 12/60; half of
    # those reaching proposal are won. Owners rotate over three reps.
    specs = []
    for segment, advanced, amount in (("smb", 30, 100_000), ("mid", 36, 100_000),
                                      ("enterprise", 12, 300_000)):  # fmt: skip
        for i in range(60):
            specs.append((segment, f"R{i % 3}", i < advanced, i < advanced // 2, amount))
    gaps = find_gaps(_inputs(*_deals(specs)))
    top = gaps[0]
    assert top.type is GapType.STAGE_CONVERSION
    assert top.scope == {"segment": "enterprise", "stage": "demo"}
    assert top.benchmark_source == "median_segment"
    # Benchmark: median of the other segments = (0.50 + 0.60) / 2 = 0.55; actual 12/60 = 0.20.
    assert top.actual == pytest.approx(0.20)
    assert top.benchmark == pytest.approx(0.55)
    # extra deals = 60 entries × (0.55 − 0.20) × downstream 6/12 = 10.5;
    # at stake = 10.5 × average won deal 300,000 = 3,150,000 minor units.
    assert top.at_stake_minor == 3_150_000
    assert top.benchmarks["best_segment"] == pytest.approx(0.60)
    assert top.n == 60 and top.confidence is Confidence.HIGH
    assert top.id == "stage_conversion/2026/segment=enterprise,stage=demo"
    # Nothing else is worth as much; no other segment sits below its peers' median at demo.
    assert all(g.at_stake_minor < top.at_stake_minor for g in gaps[1:])
    assert not [g for g in gaps if g.type is GapType.STAGE_CONVERSION and g is not top]


def test_one_rep_with_poor_demo_conversion_ranks_first() -> None:
    # Six reps with 40 demo entries each: five advance 20/40, R5 advances 8/40; half of those
    # reaching proposal are won (10 and 4); every deal is worth 100,000.
    specs = []
    for rep in range(6):
        advanced = 8 if rep == 5 else 20
        for i in range(40):
            specs.append(("smb", f"R{rep}", i < advanced, i < advanced // 2, 100_000))
    gaps = find_gaps(_inputs(*_deals(specs)))
    top = gaps[0]
    assert top.type is GapType.REP_CONVERSION
    assert top.scope == {"owner_id": "R5", "stage": "demo"}
    # Shrinkage by hand (rates.py): pooled p0 = 108/240 = 0.45;
    # observed = (5·40·0.05² + 40·0.25²)/240 = 3/240 = 0.0125;
    # sampling = 0.45·0.55·6/240 = 0.0061875; between = 0.0063125;
    # m = 0.2475/0.0063125 − 1 = 38.20792…
    m = 0.2475 / 0.0063125 - 1
    bad = (8 + m * 0.45) / (40 + m)  # 0.32214
    peer = (20 + m * 0.45) / (40 + m)  # 0.47557 (every other rep)
    assert top.actual == pytest.approx(bad, abs=1e-9)
    assert top.benchmark == pytest.approx(peer, abs=1e-9)
    # at stake = 40 entries × (0.47557 − 0.32214) × team downstream 54/108 × 100,000
    #          = 40 × 0.153437 × 0.5 × 100,000 ≈ 306,874
    expected = 40 * (peer - bad) * 0.5 * 100_000
    assert abs(top.at_stake_minor - expected) <= 1
    assert 306_800 < top.at_stake_minor < 306_950
    assert top.benchmark_source == "median_rep"
    assert top.confidence is Confidence.HIGH  # n = 40 and the Wilson interval excludes 0.4756
    assert [g.scope.get("owner_id") for g in gaps if g.type is GapType.REP_CONVERSION] == ["R5"]


def test_a_rep_on_a_handful_of_deals_is_not_named() -> None:
    specs = [("smb", f"R{r}", i < 20, i < 10, 100_000) for r in range(5) for i in range(40)]
    specs += [("smb", "NEW", False, False, 100_000) for _ in range(10)]  # 0/10: too few
    gaps = find_gaps(_inputs(*_deals(specs)))
    assert not [g for g in gaps if g.scope.get("owner_id") == "NEW"]
