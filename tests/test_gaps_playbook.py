"""The gap playbook: every gap type has a play, the file is checked, drafts link to gaps."""

from __future__ import annotations

from decimal import Decimal

import pytest

from salesplan.planning.gaps import Gap, GapType
from salesplan.planning.playbook import (
    draft_id,
    kpi_units,
    load_playbook,
    parse_playbook,
    play_for,
    propose,
)


def _gap(gap_type: GapType, **scope: str) -> Gap:
    return Gap(
        type=gap_type, period="2026", scope=scope, metric="conversion", unit="rate",
        actual=0.20, benchmark=0.35, benchmark_source="median_rep", at_stake_minor=1_000_000,
        formula="funnel_impact",
    )  # fmt: skip


def test_every_gap_type_has_a_play_with_both_languages() -> None:
    plays = load_playbook()
    for gap_type in GapType:
        play = play_for(_gap(gap_type), plays)
        assert play is not None, gap_type
        for item in play.initiatives:
            assert all(item.title) and all(item.change) and all(item.lift)
            assert item.stakeholders


@pytest.mark.parametrize(
    ("gap_type", "stage", "play"),
    [
        (GapType.REP_CONVERSION, "demo", "weak_demos"),
        (GapType.STAGE_CONVERSION, "qualification", "poor_qualification"),
        (GapType.REP_CONVERSION, "needs_analysis", "rep_coaching"),
        (GapType.PIPELINE_CREATION, None, "low_pipeline"),
        (GapType.CAPACITY, None, "capacity"),
        (GapType.INCONSISTENT_MESSAGING, None, "inconsistent_messaging"),
        (GapType.STALE_COLLATERAL, None, "stale_collateral"),
    ],
)
def test_specific_plays_win(gap_type: GapType, stage: str | None, play: str) -> None:
    scope = {"stage": stage} if stage else {}
    found = play_for(_gap(gap_type, **scope), load_playbook())
    assert found is not None and found.key == play


def test_low_pipeline_offers_webinars_partners_and_promotions() -> None:
    found = play_for(_gap(GapType.PIPELINE_COVERAGE), load_playbook())
    assert found is not None
    assert [i.id for i in found.initiatives] == ["webinars", "partner-program", "promotion"]


def test_drafts_in_chinese_with_lift_in_the_kpi_unit() -> None:
    gap = _gap(GapType.REP_CONVERSION, owner_id="R5", stage="demo")
    drafts = propose([gap], load_playbook(), language="zh", currency_exponent=2)
    first = drafts[0]
    assert first.title == "结构化演示训练" and first.gap == gap.id
    # lift = (0.35 − 0.20) × lift_share 0.5 = 0.075; revenue = 1,000,000 × 0.5.
    assert first.expected_lift == Decimal("0.0750")
    assert first.expected_revenue_minor == 500_000
    assert first.id == draft_id("demo-training", gap.id)
    assert first.id.startswith("demo-training-") and len(first.id) <= 64


def test_money_lift_is_in_major_units() -> None:
    gap = Gap(
        type=GapType.PIPELINE_CREATION, period="2026-04", scope={}, metric="pipeline_created",
        unit="money", actual=1_000_000.0, benchmark=4_333_333.0,
        benchmark_source="reverse_funnel", at_stake_minor=769_231, formula="pipeline_creation",
    )  # fmt: skip
    webinars = propose([gap], load_playbook(), language="en", currency_exponent=2)[0]
    # (4,333,333 − 1,000,000) minor × 0.3 = 999,999.9 minor = 9,999.999 → 10000.00 major.
    assert webinars.expected_lift == Decimal("10000.00")


def test_a_broken_playbook_is_refused() -> None:
    units = kpi_units()
    with pytest.raises(ValueError, match="unknown KPI"):
        parse_playbook(
            {"plays": [{"key": "x", "match": {"gaps": ["follow_up"]}, "initiatives": [
                {"id": "a", "kpi": "nope", "lift_share": 0.5}]}]},
            units,
        )  # fmt: skip
    with pytest.raises(ValueError, match=r"play x"):
        parse_playbook({"plays": [{"key": "x", "match": {"gaps": ["nope"]}}]}, units)
