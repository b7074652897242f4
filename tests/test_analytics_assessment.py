"""Current-state findings from hand-made baseline pieces."""

from __future__ import annotations

import pytest

from salesplan.analytics.assessment import assess, two_proportion_z
from salesplan.analytics.baseline import GroupBaseline
from salesplan.analytics.funnel import StageConversion
from salesplan.analytics.leads import LeadFunnel
from salesplan.analytics.losses import Competitor, Losses, LossReason
from salesplan.analytics.rates import rate
from salesplan.analytics.reps import RepDistribution
from salesplan.analytics.retention import Retention
from salesplan.analytics.segments import SegmentRow


def _group(won: int, lost: int, cycle: float) -> GroupBaseline:
    return GroupBaseline({}, rate(won, won + lost), None, None, won, lost, 0, None, None,
                         cycle, None, None, 0, 0)  # fmt: skip


def _stage(stage: str, advanced: int, died: int) -> StageConversion:
    return StageConversion(stage, 40, advanced + died, advanced, died, 0,
                           rate(advanced, advanced + died), None, None)  # fmt: skip


def _segment(name: str, won: int, lost: int, shrunk: float) -> SegmentRow:
    r = rate(won, won + lost)
    return SegmentRow(name, won, lost, r, shrunk, None, None, 0, None, r, None, False, None,
                      None, None, None, None)  # fmt: skip


def _funnel(source: str | None, leads: int, won: int) -> LeadFunnel:
    r = rate(won, leads)
    return LeadFunnel(source, source is None, leads, 0, 0, 0, 0, won, 0, 0, r, r, r, r, r, r, None)


def _retention(nrr: float | None) -> Retention:
    r = rate(0, 0)
    return Retention(None, True, 50, 0, 50, 0, 50, 0, r, r, None, r, None, nrr, 0, 0)


def test_two_proportion_z() -> None:
    # 60/100 against 40/100: pooled 0.5, se = √(0.25 × 0.02) = 0.0707107, z = 0.2 / se.
    assert two_proportion_z(60, 100, 40, 100) == pytest.approx(2.828427, rel=1e-6)
    assert two_proportion_z(1, 0, 1, 1) is None


def test_findings_from_numbers() -> None:
    findings = assess(
        overall=_group(60, 40, 66.0),
        previous_year=_group(40, 60, 50.0),
        # Demo: all segments 0.31 ... enterprise 18/100; small segments (n < 30) do not count.
        stages=[_stage("demo", 31, 69), _stage("proposal", 50, 50)],
        stages_by_segment={
            "enterprise": [_stage("demo", 18, 82), _stage("proposal", 45, 55)],
            "smb": [_stage("demo", 40, 60), _stage("proposal", 55, 45)],
            "tiny": [_stage("demo", 0, 5), _stage("proposal", 0, 5)],
        },
        segments=[_segment("smb", 50, 50, 0.5), _segment("ent", 10, 30, 0.3),
                  _segment("tiny", 3, 0, 0.9)],
        losses=Losses(
            lost=40, lost_minor=0,
            reasons=[LossReason(None, 20, 0, 0.5, 0.5), LossReason("price", 12, 0, 0.3, 0.8)],
            competitors=[Competitor("X", 30, 10, rate(10, 40), 0, 1.0, 1.0)],
            competitive_share=rate(40, 100),
        ),
        leads=[_funnel(None, 200, 10), _funnel("web", 100, 8), _funnel("event", 100, 2)],
        retention=[_retention(0.9)],
        reps=RepDistribution([], None, None, rate(1, 4)),
    )  # fmt: skip
    by_code = {f.code: f for f in findings}
    low = by_code["lowest_stage_conversion"]
    assert (low.segment, low.stage, low.value, low.benchmark, low.n) == (
        "enterprise", "demo", 0.18, 0.31, 100,
    )  # fmt: skip
    # "tiny" has the highest shrunk rate but only 3 deals: not a finding.
    assert by_code["best_segment_win_rate"].segment == "smb"
    assert by_code["worst_segment_win_rate"].segment == "ent"
    # 60/100 vs 40/100: z = 2.83 > 1.96.
    assert by_code["win_rate_up"].kind == "strength"
    # 66 days ≥ 1.1 × 50.
    assert by_code["cycle_longer"].value == 66.0
    # The missing reason is skipped: price is the top named reason.
    assert (by_code["top_loss_reason"].subject, by_code["top_loss_reason"].value) == ("price", 0.3)
    assert by_code["top_competitor"].value == pytest.approx(0.25)
    assert by_code["best_lead_source"].subject == "web"
    assert by_code["worst_lead_source"].subject == "event"
    assert by_code["nrr_below_one"].value == 0.9
    assert by_code["most_reps_below_quota"].value == 0.25
    assert all(f.kind in ("strength", "obstacle") for f in findings)


def test_no_findings_without_evidence() -> None:
    empty = Losses(0, 0, [], [], rate(0, 0))
    findings = assess(
        overall=_group(0, 0, 0.0), previous_year=_group(0, 0, 0.0), stages=[],
        stages_by_segment={}, segments=[], losses=empty, leads=[], retention=[],
        reps=RepDistribution([], None, None, rate(0, 0)),
    )  # fmt: skip
    assert findings == []
