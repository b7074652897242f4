"""`salesplan competitors`: numbers on a hand-made dataset merged with the plan's notes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from statsmodels.stats.proportion import proportion_confint  # type: ignore[import-untyped]

from salesplan.analytics.losses import losses
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
    lost = losses(deals, D(2025, 1, 1), D(2026, 1, 1))
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
