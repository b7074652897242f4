"""Loss-reason Pareto and competitors against values worked out by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from salesplan.analytics.losses import losses

D = dt.date
YEAR = (D(2025, 1, 1), D(2026, 1, 1))

OPPS = pl.DataFrame(
    {
        "status": ["lost", "lost", "lost", "lost", "lost", "won", "won", "lost", "open"],
        "closed_on": [D(2025, 2, 1)] * 7 + [D(2024, 2, 1), None],
        "loss_reason": ["price", "price", "price", "timing", None, None, None, "price", None],
        "competitor": ["X", "X", None, None, "Y", "X", None, "Y", "Y"],
        "amount_plan_minor": [100, 200, 300, 50, None, 1000, 10, 999, 5],
    }
)  # fmt: skip


def test_reason_pareto_by_hand() -> None:
    result = losses(OPPS, *YEAR)
    # Lost in 2025: 5 (the 2024 loss and the open deal are out); amounts 100+200+300+50+0.
    assert (result.lost, result.lost_minor) == (5, 650)
    rows = [(r.reason, r.lost, r.lost_minor) for r in result.reasons]
    # Ties (timing, missing) by name, missing last.
    assert rows == [("price", 3, 600), ("timing", 1, 50), (None, 1, 0)]
    assert [r.share for r in result.reasons] == pytest.approx([0.6, 0.2, 0.2])
    assert [r.cumulative_share for r in result.reasons] == pytest.approx([0.6, 0.8, 1.0])


def test_competitors_by_hand() -> None:
    result = losses(OPPS, *YEAR)
    x, y = result.competitors
    # X: lost 2, won 1 → win rate 1/3; Y: lost 1 (the 2024 loss is out of the period).
    assert (x.competitor, x.lost, x.won, x.lost_minor) == ("X", 2, 1, 300)
    assert x.win_rate.rate == pytest.approx(1 / 3)
    assert (y.competitor, y.lost, y.won) == ("Y", 1, 0)
    assert (x.share_of_losses, y.cumulative_share) == pytest.approx((2 / 3, 1.0))
    # Closed in 2025: 7, naming a competitor: 4.
    assert (result.competitive_share.successes, result.competitive_share.n) == (4, 7)


def test_no_closed_deals() -> None:
    result = losses(OPPS, D(2030, 1, 1), D(2031, 1, 1))
    assert (result.lost, result.reasons, result.competitors) == (0, [], [])
    assert result.competitive_share.rate is None
