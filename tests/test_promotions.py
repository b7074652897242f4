"""`salesplan promotions`: promotion vs comparable deals on a hand-made dataset, and the CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, cast

import polars as pl
import pytest

from salesplan.analytics.promotions import NO_PROMOTION, promotion_comparison, promotion_margins
from salesplan.cli import run
from salesplan.domain.plan import Plan
from salesplan.domain.plan_market import Guardrail, Pricing, Promotion
from salesplan.services.promotions import plan_max_discounts

D = dt.date
START, END = D(2025, 1, 1), D(2026, 1, 1)
CLOSED = D(2025, 6, 1)


def _deal(
    ident: str,
    segment: str,
    status: str,
    amount: int,
    days: int,
    promotion: str | None = None,
    discount: float | None = None,
    owner: str = "o1",
) -> dict[str, Any]:
    return {
        "id": ident,
        "owner_id": owner,
        "segment": segment,
        "type": "new",
        "status": status,
        "amount_plan_minor": amount,
        "created_on": CLOSED - dt.timedelta(days=days),
        "closed_on": None if status == "open" else CLOSED,
        "promotion": promotion,
        "discount_pct": discount,
    }


def _deals() -> pl.DataFrame:
    rows = [
        # No promotion. S1: 2 won (100 in 10 days, 300 in 20) of 4; S2: 1 won (1000, 50) of 5.
        _deal("n1", "S1", "won", 100, 10),
        _deal("n2", "S1", "won", 300, 20),
        _deal("n3", "S1", "lost", 50, 3),
        _deal("n4", "S1", "lost", 50, 3),
        _deal("n5", "S2", "won", 1000, 50),
        *(_deal(f"n{i}", "S2", "lost", 70, 4) for i in range(6, 10)),
        # trial: S1 1 won (200, 5 days); S2 2 won (800 in 30, 1200 in 40) of 3.
        _deal("t1", "S1", "won", 200, 5, "trial"),
        _deal("t2", "S2", "won", 800, 30, "trial"),
        _deal("t3", "S2", "won", 1200, 40, "trial"),
        _deal("t4", "S2", "lost", 10, 2, "trial"),
        # discount: S1 won 90 in 8 days at 10 %; S3 (no comparable deals) lost at 50 %.
        _deal("d1", "S1", "won", 90, 8, "discount", 0.10),
        _deal("d2", "S3", "lost", 400, 9, "discount", 0.50, owner="o2"),
        # Open deals: o2 at 25 % breaches a 20 % cap; o1 at exactly 20 % does not.
        _deal("d3", "S1", "open", 100, 9, "discount", 0.25, owner="o2"),
        _deal("d4", "S1", "open", 100, 9, "discount", 0.20),
    ]
    return pl.DataFrame(rows)


def test_promotions_against_the_same_segment_mix() -> None:
    result = promotion_comparison(_deals(), START, END, {"discount": 0.2})
    rows = {r.promotion: r for r in result.rows}
    assert sorted(rows) == ["discount", "trial"]
    trial = rows["trial"]
    assert (trial.win_rate.successes, trial.win_rate.n) == (3, 4)
    # Mix: S1 1/4, S2 3/4. Comparable rates S1 2/4, S2 1/5: 0.25·0.5 + 0.75·0.2 = 0.275.
    assert trial.comparable_win_rate_adjusted == pytest.approx(0.275)
    assert trial.lift == pytest.approx(0.75 - 0.275)
    assert (trial.comparable.successes, trial.comparable.n) == (3, 9)
    assert trial.coverage == 1.0
    # Deal size (200 + 800 + 1200)/3 = 733.33 → 733; comparable 0.25·200 + 0.75·1000 = 800.
    assert trial.avg_deal_minor == 733 and trial.comparable_avg_deal_minor == 800
    # Cycle median(5, 30, 40) = 30; comparable 0.25·median(10, 20) + 0.75·50 = 41.25.
    assert trial.cycle_median_days == 30 and trial.comparable_cycle_days == pytest.approx(41.25)
    assert trial.discount_mean is None and trial.discount_n == 0 and trial.max_discount is None
    discount = rows["discount"]
    # 1 won of 2 closed; only the S1 deal has comparables: coverage 1/2, adjusted 2/4.
    assert (discount.win_rate.successes, discount.win_rate.n) == (1, 2)
    assert discount.coverage == 0.5
    assert discount.comparable_win_rate_adjusted == pytest.approx(0.5)
    # Lift on the covered deals only: the S1 deal was won (1/1) against 2/4 → +0.5.
    assert discount.lift == pytest.approx(0.5)
    assert discount.comparable.n == 4
    # Discount depth of its closed deals (0.10 + 0.50)/2 = 0.30.
    assert discount.discount_mean == pytest.approx(0.3) and discount.discount_n == 2
    assert discount.avg_deal_minor == 90 and discount.comparable_avg_deal_minor == 200
    assert discount.max_discount == 0.2
    # Breaches above 20 %: o2's closed 50 % deal (400) and open 25 % deal (100).
    breaches = [
        (b.owner_id, b.promotion, b.deals, b.amount_minor, b.worst_discount, b.deal_ids)
        for b in result.breaches
    ]
    assert breaches == [("o2", "discount", 2, 500, 0.5, ["d2", "d3"])]


def test_margin_where_cost_is_known() -> None:
    def won(ident: str, amount: int, cost: int | None, promotion: str | None) -> dict[str, Any]:
        return {**_deal(ident, "S1", "won", amount, 10, promotion), "cost_plan_minor": cost}

    deals = pl.DataFrame(
        [
            won("t1", 1000, 600, "trial"),
            won("t2", 500, None, "trial"),  # no cost: counted as unknown, not measured
            {**_deal("t3", "S1", "lost", 300, 5, "trial"), "cost_plan_minor": 100},  # lost
            won("n1", 2000, 800, None),
            won("n2", 1000, 700, "  "),  # a blank code is no promotion
            won("n3", 0, 10, None),  # no amount: no margin to speak of
            won("d1", 900, 600, "discount"),
        ]
    )
    margins = promotion_margins(deals, START, END)
    assert margins is not None and sorted(margins) == [NO_PROMOTION, "discount", "trial"]
    trial, base, discount = margins["trial"], margins[NO_PROMOTION], margins["discount"]
    # trial: (1000 − 600) ÷ 1000 = 0.4 on 1 deal; t2 has no cost.
    assert (trial.deals, trial.unknown_cost, trial.amount_minor, trial.margin_minor) == (
        1, 1, 1000, 400,
    )  # fmt: skip
    assert trial.margin == pytest.approx(0.4)
    # Without a promotion: (2000 + 1000 − 800 − 700) ÷ 3000 = 1500 ÷ 3000 = 0.5.
    assert (base.deals, base.margin_minor) == (2, 1500) and base.margin == pytest.approx(0.5)
    # discount: (900 − 600) ÷ 900 = 1/3.
    assert discount.margin == pytest.approx(1 / 3)
    # The canonical schema has no cost: needs input.
    assert promotion_margins(deals.drop("cost_plan_minor"), START, END) is None


def test_no_limits_no_breaches_and_empty_history() -> None:
    assert promotion_comparison(_deals(), START, END).breaches == []
    empty = promotion_comparison(_deals().clear(), START, END, {"discount": 0.1})
    assert empty.rows == [] and empty.breaches == []


def test_plan_caps_match_the_promotion_id_or_its_kind_code() -> None:
    pricing = Pricing(
        promotions=[
            Promotion(
                id="spring",
                kind="time_limited_discount",
                name="Spring sale",
                discount=0.1,
                ends=D(2026, 5, 1),
                guardrail=Guardrail(max_discount=0.15),
            ),
            Promotion(id="trial14", kind="free_trial", name="Trial", trial_days=14),
        ]
    )
    plan = cast(Plan, type("P", (), {"pricing": pricing})())
    assert plan_max_discounts(plan) == {"spring": 0.15, "discount": 0.15}
    assert plan_max_discounts(None) == {}


def test_cli_promotions_json_with_and_without_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = str(tmp_path / "ws")
    assert run(["-q", "--workspace", ws, "demo-data", "--as-of", "2026-11-28"]) == 0
    capsys.readouterr()
    assert run(["-q", "--workspace", ws, "promotions", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert set(document) == {"as_of", "currency", "locale", "promotions", "warnings"}
    doc = document["promotions"]
    assert doc["plan"] is False and doc["breaches"] == []
    # The demo's won deals all carry a cost (demo/costs.py): margin is measured. A discount
    # lowers the amount but not the cost, so discount deals earn less than deals without one.
    margin = doc["margin"]
    assert margin["status"] == "measured" and margin["needs"] == []
    base = margin["without_promotion"]
    assert base["deals"] > 0 and base["unknown_cost"] == 0 and 0 < base["margin"] < 1
    by_code = {p["promotion"]: p["margin"] for p in doc["promotions"]}
    assert all(m["deals"] > 0 and m["unknown_cost"] == 0 for m in by_code.values())
    assert by_code["discount"]["margin"] < base["margin"]
    # Also at the same product mix (the recovery of the planted margins is tests/test_costs.py).
    assert by_code["discount"]["margin"] < by_code["discount"]["comparable_margin"]
    assert all(m["mix_coverage"] == pytest.approx(1.0) for m in by_code.values())
    assert {p["promotion"] for p in doc["promotions"]} == {"trial", "discount", "subscription"}
    for p in doc["promotions"]:
        assert p["win_rate"]["low"] <= p["win_rate"]["rate"] <= p["win_rate"]["high"]
        assert p["comparable_win_rate"]["n"] > 0 and p["coverage"] == pytest.approx(1.0)
    # The template plan caps the time-limited discount at 15 %; the demo discounts reach 40 %.
    assert run(["-q", "--workspace", ws, "plan", "new", "--type", "annual", "--lang", "en"]) == 0
    capsys.readouterr()
    assert run(["-q", "--workspace", ws, "promotions", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)["promotions"]
    assert doc["plan"] is True and doc["breaches"]
    assert all(b["promotion"] == "discount" and b["worst_discount"] > 0.15 for b in doc["breaches"])
    assert run(["-q", "--workspace", ws, "--lang", "zh", "promotions"]) == 0
    assert "超出计划上限的折扣" in capsys.readouterr().out


def test_promotion_codes_are_compared_trimmed() -> None:
    """A code with stray spaces is the same promotion (same figures as the clean data)."""
    padded = _deals().with_columns(
        pl.when(pl.col("promotion") == "trial")
        .then(pl.lit(" trial "))
        .otherwise(pl.col("promotion"))
        .alias("promotion")
    )
    rows = {r.promotion: r for r in promotion_comparison(padded, START, END).rows}
    assert sorted(rows) == ["discount", "trial"]
    assert (rows["trial"].win_rate.successes, rows["trial"].win_rate.n) == (3, 4)
