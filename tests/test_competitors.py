"""`salesplan competitors`: numbers on a hand-made dataset merged with the plan's notes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from statsmodels.stats.proportion import proportion_confint  # type: ignore[import-untyped]

from salesplan.analytics.competition import competition, median_minor
from salesplan.cli import run
from salesplan.domain.plan_market import Competitor
from salesplan.services.competitors import merge_notes

D = dt.date


def _deal(ident: str, status: str, amount: int, competitor: str | None) -> dict[str, Any]:
    return {
        "id": ident,
        "status": status,
        "amount_plan_minor": amount,
        "created_on": D(2025, 3, 1),
        "closed_on": D(2025, 6, 1),
        "loss_reason": "price" if status == "lost" else None,
        "competitor": competitor,
    }


def test_numbers_and_notes_by_hand() -> None:
    deals = pl.DataFrame(
        [
            _deal("a1", "won", 500, "Acme"),
            _deal("a2", "lost", 100, "Acme"),
            _deal("a3", "lost", 200, "Acme"),
            _deal("a4", "lost", 300, "Acme"),
            _deal("b1", "lost", 50, "Beta"),
            _deal("x1", "won", 70, None),
        ]
    )
    lost = competition(deals, D(2025, 1, 1), D(2026, 1, 1))
    notes = [
        Competitor(name="  acme ", pricing="20 % below us", messaging="Cheapest"),
        Competitor(name="Gamma", strengths=["Brand"]),
    ]
    rows = merge_notes(lost.competitors, notes)
    assert [r.competitor for r in rows] == ["Acme", "Beta", "Gamma"]
    acme, beta, gamma = rows
    assert acme.numbers is not None and beta.numbers is not None
    # Acme: won 1 of 4 → 0.25; lost 100 + 200 + 300 = 600; 3 of the 4 competitive losses.
    assert (acme.numbers.won, acme.numbers.lost) == (1, 3)
    assert acme.numbers.win_rate.rate == 0.25 and acme.numbers.lost_minor == 600
    assert acme.numbers.share_of_losses == pytest.approx(0.75)
    low, high = proportion_confint(1, 4, alpha=0.05, method="wilson")
    assert acme.numbers.win_rate.low == pytest.approx(low)
    assert acme.numbers.win_rate.high == pytest.approx(high)
    assert acme.notes is not None and acme.notes.pricing == "20 % below us"
    assert beta.notes is None and beta.numbers.lost_minor == 50
    assert gamma.numbers is None and gamma.notes is not None
    # 5 of the 6 closed deals name a competitor.
    assert (lost.competitive_share.successes, lost.competitive_share.n) == (5, 6)


def _closed(
    ident: str,
    status: str,
    amount: int,
    competitor: str | None,
    created: dt.date,
    closed: dt.date | None,
    reason: str | None = None,
) -> dict[str, Any]:
    return {
        "id": ident,
        "status": status,
        "amount_plan_minor": amount,
        "created_on": created,
        "closed_on": closed,
        "loss_reason": reason,
        "competitor": competitor,
    }


def test_reasons_profiles_and_trend_by_hand() -> None:
    deals = pl.DataFrame(
        [
            # Acme in the period: won 500 (60 days, 2025H1); lost 100 price (30 d, H1),
            # 200 price (70 d, H2), 0 missing_feature (10 d, H2; no size).
            _closed("a1", "won", 500, "Acme", D(2025, 1, 1), D(2025, 3, 2)),
            _closed("a2", "lost", 100, "Acme", D(2025, 2, 1), D(2025, 3, 3), "price"),
            # (a trailing space is the same competitor)
            _closed("a3", "lost", 200, "Acme ", D(2025, 6, 1), D(2025, 8, 10), "price"),
            _closed("a4", "lost", 0, "Acme", D(2025, 7, 1), D(2025, 7, 11), "missing_feature"),
            # Before the period (trend only) and still open (ignored).
            _closed("a0", "won", 400, "Acme", D(2024, 9, 1), D(2024, 10, 1)),
            _closed("a5", "open", 900, "Acme", D(2025, 9, 1), None),
            _closed("b1", "lost", 50, "Beta", D(2025, 4, 1), D(2025, 5, 1)),
            # No competitor (a blank name counts as none): 71 in 20 days, 30 in 10 days.
            _closed("x1", "won", 71, None, D(2025, 1, 1), D(2025, 1, 21)),
            _closed("x2", "lost", 30, "  ", D(2025, 1, 1), D(2025, 1, 11), "timing"),
        ]
    )
    result = competition(deals, D(2025, 1, 1), D(2026, 1, 1))
    acme, beta = result.competitors
    assert (acme.competitor, acme.won, acme.lost) == ("Acme", 1, 3)
    assert (acme.win_rate.successes, acme.win_rate.n) == (1, 4)
    # Won 500; lost 100 + 200 + 0 = 300; 3 of the 4 competitive losses (Beta has the 4th).
    assert (acme.won_minor, acme.lost_minor) == (500, 300)
    assert acme.share_of_losses == pytest.approx(0.75)
    # Loss reasons: price 2 of 3, then missing_feature 1 of 3 (cumulative 1).
    assert [(r.reason, r.lost) for r in acme.reasons] == [("price", 2), ("missing_feature", 1)]
    assert acme.reasons[0].share == pytest.approx(2 / 3)
    assert acme.reasons[1].cumulative_share == pytest.approx(1.0)
    # Sizes of 500, 100, 200 (the 0 is left out): mean 800/3 = 266.67 → 267, median 200.
    # Cycle days 60, 30, 70, 10: median (30 + 60) / 2 = 45.
    p = acme.present
    assert (p.deals, p.sized, p.avg_minor, p.median_minor) == (4, 3, 267, 200)
    assert p.cycle_median_days == 45.0
    # Trend: 2024H2 1 of 1 (before the period); 2025H1 a1 won, a2 lost; 2025H2 0 of 2.
    trend = [(t.label, t.start, t.win_rate.successes, t.win_rate.n) for t in acme.trend]
    assert trend == [
        ("2024H2", D(2024, 7, 1), 1, 1),
        ("2025H1", D(2025, 1, 1), 1, 2),
        ("2025H2", D(2025, 7, 1), 0, 2),
    ]
    assert beta.win_rate.rate == 0.0 and beta.share_of_losses == pytest.approx(0.25)
    assert [(r.reason, r.share) for r in beta.reasons] == [(None, 1.0)]
    assert (beta.present.avg_minor, beta.present.cycle_median_days) == (50, 30.0)
    # No competitor: 71 and 30 → mean 50.5 → 50 (half-even), median 50.5 → 50; cycle 15.
    a = result.absent
    assert (a.deals, a.avg_minor, a.median_minor, a.cycle_median_days) == (2, 50, 50, 15.0)
    # 5 of the 7 closed deals in the period name a competitor.
    assert (result.competitive_share.successes, result.competitive_share.n) == (5, 7)


def test_median_minor_half_even() -> None:
    # [1, 2] → 1.5 → 2; [2, 3] → 2.5 → 2; odd counts take the middle value.
    assert median_minor([2, 1]) == 2 and median_minor([3, 2]) == 2
    assert median_minor([5, 1, 9]) == 5 and median_minor([]) is None


def test_cli_competitors_json_with_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = str(tmp_path / "ws")
    assert run(["-q", "--workspace", ws, "demo-data", "--as-of", "2026-11-28"]) == 0
    capsys.readouterr()
    assert run(["-q", "--workspace", ws, "competitors", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert set(document) == {"as_of", "currency", "locale", "competitors", "warnings"}
    doc = document["competitors"]
    assert doc["plan"] is False and doc["competitors"]
    assert all(c["deals"] == c["won"] + c["lost"] == c["win_rate"]["n"] for c in doc["competitors"])
    share = doc["competitive_share"]
    assert sum(c["deals"] for c in doc["competitors"]) == share["successes"]
    keys = {"competitor", "deals", "won", "lost", "win_rate", "won_amount", "lost_amount",
            "share_of_losses", "loss_reasons", "present", "trend", "plan"}  # fmt: skip
    assert all(set(c) == keys for c in doc["competitors"])
    # The demo names competitors on won deals too (docs/demo-data.md).
    assert all(c["won"] > 0 for c in doc["competitors"])
    for c in doc["competitors"]:
        assert sum(r["lost"] for r in c["loss_reasons"]) == c["lost"]
        assert c["present"]["deals"] == c["deals"]
        assert all(set(t) == {"period", "start", "win_rate"} for t in c["trend"])
    assert doc["absent"]["deals"] + share["successes"] == share["n"]
    assert run(["-q", "--workspace", ws, "plan", "new", "--type", "annual", "--lang", "en"]) == 0
    capsys.readouterr()
    assert run(["-q", "--workspace", ws, "competitors", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)["competitors"]
    noted = [c for c in doc["competitors"] if c["plan"] is not None]
    assert [c["competitor"] for c in noted] == ["Competitor A"]  # the template's example
    assert noted[0]["deals"] == 0 and noted[0]["plan"]["weaknesses"]
    assert run(["-q", "--workspace", ws, "competitors", "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("competitor,deals,win_rate")
    assert run(["-q", "--workspace", ws, "--lang", "zh", "competitors"]) == 0
    assert capsys.readouterr().out.startswith("竞争对手")  # the translated title
