"""Calibration measures of the conversion score, checked by hand and on known mappings."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import polars as pl
import pytest

from salesplan.analytics.lead_calibration import fit_platt, reliability, time_split


def test_reliability_table_ece_brier_and_log_loss_by_hand() -> None:
    predicted = [0.05, 0.15, 0.15, 0.85, 0.95]
    outcome = [0, 0, 1, 1, 1]
    c = reliability(predicted, outcome)
    # Bins of width 0.1: 0.05 → bin 0; 0.15, 0.15 → bin 1; 0.85 → bin 8; 0.95 → bin 9.
    by_bin = {round(b.low * 10): b for b in c.bins}
    assert len(c.bins) == 10
    assert (by_bin[0].n, by_bin[0].mean_predicted, by_bin[0].observed) == (1, 0.05, 0.0)
    assert by_bin[1].n == 2
    assert by_bin[1].mean_predicted == pytest.approx(0.15)
    assert by_bin[1].observed == pytest.approx(0.5)
    assert (by_bin[8].n, by_bin[9].n) == (1, 1)
    assert by_bin[4].n == 0 and by_bin[4].observed is None
    # ECE = 1/5·|0 − .05| + 2/5·|.5 − .15| + 1/5·|1 − .85| + 1/5·|1 − .95|
    #     = .01 + .14 + .03 + .01 = 0.19
    assert c.ece == pytest.approx(0.19)
    # Brier = (.05² + .15² + .85² + .15² + .05²) ÷ 5 = .7725 ÷ 5 = 0.1545
    assert c.brier == pytest.approx(0.1545)
    # Log loss = −(ln .95 + ln .85 + ln .15 + ln .85 + ln .95) ÷ 5
    expected = -(2 * math.log(0.95) + 2 * math.log(0.85) + math.log(0.15)) / 5
    assert c.log_loss == pytest.approx(expected)
    assert (c.n, c.converted) == (5, 3)


def test_edges_of_the_bins() -> None:
    # p = 1 belongs to the last bin, p = 0.1 to the second (bins are [low, high)).
    c = reliability([1.0, 0.1, 0.0], [1, 0, 0])
    assert [b.n for b in c.bins] == [1, 1, 0, 0, 0, 0, 0, 0, 0, 1]
    # Every prediction exact: ECE 0; Brier (0 + .01 + 0) ÷ 3.
    assert c.ece == pytest.approx(0.1 / 3)  # bin 1: |0 − 0.1| × 1/3
    assert c.brier == pytest.approx(0.01 / 3)


def test_platt_recovers_a_known_distortion() -> None:
    # Outcomes drawn with P(y) = σ(0.5·logit(p) − 0.3): the fit must find a ≈ 0.5, b ≈ −0.3.
    rng = np.random.default_rng(3)
    p = rng.uniform(0.02, 0.98, 40_000)
    true = 1 / (1 + np.exp(-(0.5 * np.log(p / (1 - p)) - 0.3)))
    y = (rng.random(p.size) < true).astype(int)
    platt = fit_platt(p.tolist(), y.tolist())
    assert platt.slope == pytest.approx(0.5, abs=0.04)
    assert platt.intercept == pytest.approx(-0.3, abs=0.04)
    assert platt.apply(0.5) == pytest.approx(1 / (1 + math.exp(0.3)), abs=0.02)


def test_platt_is_the_identity_without_both_outcomes() -> None:
    platt = fit_platt([0.2, 0.7], [1, 1])
    assert (platt.slope, platt.intercept) == (1.0, 0.0)


def test_time_split_holds_back_the_newest_quarter() -> None:
    days = [5, 1, 3, 8, 2, 7, 4, 6]
    leads = pl.DataFrame(
        {"id": [f"L{d}" for d in days], "created_on": [dt.date(2026, 1, d) for d in days]}
    )
    older, newest = time_split(leads)
    # 8 leads × 25 % = 2: the two newest (7th and 8th January), never an older one.
    assert newest["id"].to_list() == ["L7", "L8"]
    assert older["created_on"].max() < newest["created_on"].min()
    assert older.height == 6


def test_platt_on_a_separable_slice_stays_inside_zero_and_one() -> None:
    # Two disqualified (0.1, 0.2) and two converted (0.8, 0.9): a plain fit would send the
    # slope to infinity. Platt's targets (2 + 1)/(2 + 2) = 0.75 and 1/(2 + 2) = 0.25 keep it
    # finite; the data are symmetric about 0.5, so the intercept is 0.
    platt = fit_platt([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])
    assert platt.intercept == pytest.approx(0.0, abs=1e-9)
    assert 0.6 < platt.apply(0.9) < 0.85
    assert platt.apply(0.1) == pytest.approx(1 - platt.apply(0.9))
