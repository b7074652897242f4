"""The demo names competitors on won deals too, at the planted win rate against each."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import polars as pl
import pytest

from salesplan.demo import generate
from salesplan.demo.competition import won_competitors
from salesplan.domain.records import RecordKind


def test_recovered_win_rates_match_the_planted_ones() -> None:
    data = generate("medium", seed=1, as_of=dt.date(2026, 11, 28))
    opp = data.frames[RecordKind.OPPORTUNITY]
    competitive = opp.filter(
        pl.col("competitor").is_not_null() & pl.col("status").is_in(["won", "lost"])
    )
    recovered = competitive.group_by("competitor").agg(
        (pl.col("status") == "won").sum().alias("won"), pl.len().alias("n")
    )
    joined = data.competitor_truth.join(recovered, on="competitor")
    assert joined.height == len(data.params.competitors)
    rates = []
    for row in joined.iter_rows(named=True):
        truth, n = row["true_win_rate"], row["n"]
        # Truth is odds ÷ (1 + odds) unless a month had too few wins to carry it (clipped).
        planted = row["win_odds"] / (1 + row["win_odds"])
        assert truth == pytest.approx(planted, abs=0.02)
        assert row["n"] - row["won"] == row["lost"]
        # Within 3.5 binomial standard errors of the truth (n ≈ 1,000 each: about ±5 points).
        se = math.sqrt(truth * (1 - truth) / n)
        assert abs(row["won"] / n - truth) < 3.5 * se, row
        rates.append(row["won"] / n)
    # The table is informative: the planted rates range from 31 % to 50 %.
    assert max(rates) - min(rates) > 0.1
    # Open deals still name no competitor.
    assert (
        opp.filter(pl.col("status") == "open")["competitor"].null_count()
        == opp.filter(pl.col("status") == "open").height
    )


def test_won_side_by_hand() -> None:
    # One stratum (mainland, January 1970 = epoch days 0-30): 4 wins; lost deals name
    # competitor 0 twice and competitor 1 once. Odds 1.0 and 2.0: p0 = 2·1/4 = 0.5,
    # p1 = 1·2/4 = 0.5 → every win names one; expected won 2 and 2, true rates 2/4 and 2/3.
    won = np.array([True, True, True, True, False, False, False])
    lost_comp = np.array([-1, -1, -1, -1, 0, 0, 1])
    close_t = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0])
    mainland = np.ones(7, dtype=bool)
    result = won_competitors(
        ("A", "B"), (1.0, 2.0), mainland, close_t, won, lost_comp, np.random.default_rng(0)
    )
    assert (result.competitor[:4] >= 0).all() and (result.competitor[4:] == -1).all()
    truth = result.truth
    assert truth["expected_won"].to_list() == pytest.approx([2.0, 2.0])
    assert truth["true_win_rate"].to_list() == pytest.approx([0.5, 2 / 3])
    # Odds 2 and 2 would need 4/4 + 2/4 > 1 per win: scaled to 2/3 and 1/3 → expected
    # won 8/3 and 4/3, true rates (8/3)/(8/3 + 2) = 4/7 and (4/3)/(4/3 + 1) = 4/7.
    clipped = won_competitors(
        ("A", "B"), (2.0, 2.0), mainland, close_t, won, lost_comp, np.random.default_rng(0)
    ).truth
    assert clipped["expected_won"].to_list() == pytest.approx([8 / 3, 4 / 3])
    assert clipped["true_win_rate"].to_list() == pytest.approx([4 / 7, 4 / 7])
