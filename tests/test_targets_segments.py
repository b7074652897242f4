"""The reverse funnel per segment: exact target shares and each segment's own rates."""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from salesplan.cli import run
from salesplan.config import Settings
from salesplan.services.demo import load_demo_data
from salesplan.services.overview import plan_currency_opportunities
from salesplan.services.store import open_store


def test_segment_funnels_split_the_target_exactly(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("SALESPLAN_DATABASE_URL", "SALESPLAN_WORKSPACE", "SALESPLAN_LOCALE"):
        monkeypatch.delenv(name, raising=False)
    ws = tmp_path / "ws"
    settings = Settings(workspace=ws, database_url=None, locale="en", currency="CNY")
    load_demo_data(settings, size="small", seed=7, as_of=dt.date(2026, 11, 28))
    assert run(["-q", "-w", str(ws), "targets", "--year", "2027", "-f", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)["targets"]
    segments = doc["reverse_funnel_by_segment"]
    assert sum(Decimal(s["target"]) for s in segments) == Decimal(doc["target"])

    # Independently: each segment's share of won bookings in the baseline period, and
    # deals to win = ⌈segment target ÷ the segment's average won deal⌉.
    period = doc["baseline_period"]
    start = dt.date.fromisoformat(period["start"])
    end = dt.date.fromisoformat(period["end_exclusive"])
    engine = open_store(settings)
    won = plan_currency_opportunities(engine, "CNY").filter(
        (pl.col("status") == "won") & (pl.col("closed_on") >= start) & (pl.col("closed_on") < end)
    )
    engine.dispose()
    total = won["amount_plan_minor"].sum()
    by_segment = {s["segment"]: s for s in segments}
    for (segment,), deals in won.group_by("segment"):
        row = by_segment[segment]
        bookings = deals["amount_plan_minor"].sum()
        target_minor = int(Decimal(row["target"]) * 100)
        exact_share = Decimal(doc["target"]) * 100 * bookings / total
        assert abs(target_minor - exact_share) < 1  # largest remainder: within one fen
        avg = round(Decimal(bookings) / deals.height)  # half-even, as the baseline rounds
        assert row["won_deals"] == math.ceil(Decimal(target_minor) / avg)
