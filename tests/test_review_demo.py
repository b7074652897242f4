"""The demo workspace advanced by one export: review, import a later snapshot in which one
deal is won, one slips, one changes amount and one is new, review again. Each lands in its
bucket with the right money, and the buckets reconcile to the unit (calibrated forecast)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from review_fixtures import PLAN
from salesplan.cli import run
from salesplan.config import Settings
from salesplan.domain.records import RecordKind
from salesplan.services.demo import load_demo_data
from salesplan.services.plan_store import store_version
from salesplan.services.review import run_review
from salesplan.services.store import open_store
from salesplan.storage import frames, records

D = dt.date


def _later_export(settings: Settings, won: str, slips: str, grows: str) -> int:
    """Write the next export (as of 2026-12-05) and return the new deal's amount (fen)."""
    engine = open_store(settings)
    try:
        opportunities = frames.read_opportunities(engine)
        with engine.connect() as conn:
            stored = records.read_stages(conn)
        assert stored is not None
        stages = {s.key: s.code for s in stored.stages}
        picked = opportunities.filter(pl.col("id").is_in([won, slips, grows]))
        changed = picked.with_columns(
            pl.when(pl.col("id") == won).then(pl.lit("won")).otherwise(pl.col("status"))
            .alias("status"),
            pl.when(pl.col("id") == won).then(pl.lit(D(2026, 12, 3))).otherwise(pl.col("closed_on"))
            .alias("closed_on"),
            pl.when(pl.col("id") == won).then(pl.lit(stages["closed_won"]))
            .otherwise(pl.col("stage_code")).alias("stage_code"),
            pl.when(pl.col("id") == slips).then(pl.lit(D(2027, 2, 15)))
            .otherwise(pl.col("close_date")).alias("close_date"),
            pl.when(pl.col("id") == grows).then(pl.col("amount_minor") * 2)
            .otherwise(pl.col("amount_minor")).alias("amount_minor"),
        )  # fmt: skip
        template = picked.filter(pl.col("id") == grows)
        new = template.with_columns(
            pl.lit("OPP-NEW-1").alias("id"),
            pl.lit(D(2026, 12, 4)).alias("created_on"),
            pl.lit(D(2026, 12, 20)).alias("close_date"),
            pl.lit(80_000_000, pl.Int64).alias("amount_minor"),
        )
        batch_frame = pl.concat([changed, new]).drop("stage")
        with engine.begin() as conn:
            batch = records.create_batch(
                conn, kind="opportunity", source="export-2026-12-05.csv", as_of=D(2026, 12, 5),
                row_count=batch_frame.height,
            )  # fmt: skip
            records.write_records(conn, RecordKind.OPPORTUNITY, batch_frame, batch)
    finally:
        engine.dispose()
    return 80_000_000


def test_demo_advanced_by_one_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("SALESPLAN_DATABASE_URL", "SALESPLAN_WORKSPACE", "SALESPLAN_LOCALE"):
        monkeypatch.delenv(name, raising=False)
    ws = tmp_path / "ws"
    settings = Settings(workspace=ws, database_url=None, locale="en", currency="CNY")
    load_demo_data(settings, size="small", seed=7, as_of=D(2026, 11, 28))
    store_version(settings, PLAN, author="lead", reason="first plan")  # the 2026 plan
    first = run_review(settings, "2026Q4", today=D(2026, 11, 28))
    assert first.payload["movement"] is None
    assert first.payload["targets"]["source"] == "plan:G1"
    owners = [r for r in first.payload["actuals"] if r["scope"] == "owner"]
    assert owners and all(r["period_target"] is not None for r in owners[:3])

    # Three CNY deals the forecast counts on in Q4 (positive expected value, dated in Q4).
    deals = [
        d for d in first.payload["forecast"]["deals"]
        if d["status"] == "open" and d["close_date"] and d["close_date"] >= "2026-12-01"
        and Decimal(d["expected_period"]) > 0
    ]  # fmt: skip
    engine = open_store(settings)
    try:
        cny = set(
            frames.read_opportunities(engine).filter(pl.col("currency") == "CNY")["id"].to_list()
        )
    finally:
        engine.dispose()
    won, slips, grows = [d for d in deals if d["opportunity_id"] in cny][:3]
    _later_export(settings, won["opportunity_id"], slips["opportunity_id"],
                  grows["opportunity_id"])  # fmt: skip

    second = run_review(settings, "2026Q4", today=D(2026, 12, 5))
    move = second.payload["movement"]
    assert (move["previous_review"], move["horizon"]) == (first.id, "period")
    where = {i["opportunity_id"]: (b["bucket"], i) for b in move["buckets"] for i in b["items"]}
    assert where[won["opportunity_id"]][0] == "won"
    assert where[slips["opportunity_id"]][0] == "slipped"
    assert where[grows["opportunity_id"]][0] == "amount_changed"
    assert where["OPP-NEW-1"][0] == "added"
    # The won deal now counts its whole amount (won on 3 December, inside Q4): its change is
    # the amount less what the first review expected of it.
    won_item = where[won["opportunity_id"]][1]
    assert Decimal(won_item["delta"]) == Decimal(won["amount"]) - Decimal(won["expected_period"])
    assert won_item["current"]["expected"] == won["amount"]
    # The slipped deal dated 15 February left Q4: it can only lose expected value here.
    assert Decimal(where[slips["opportunity_id"]][1]["delta"]) < 0
    # Previous expected + every bucket = current expected, to the fen.
    before, after = Decimal(move["previous_expected"]), Decimal(move["current_expected"])
    assert before == Decimal(first.payload["forecast"]["period"]["expected"])
    assert after == Decimal(second.payload["forecast"]["period"]["expected"])
    assert before + sum(Decimal(b["delta"]) for b in move["buckets"]) == after
    # Year to date now includes the won deal.
    ytd = next(r for r in second.payload["actuals"] if r["scope"] == "total")["ytd_actual"]
    first_ytd = next(r for r in first.payload["actuals"] if r["scope"] == "total")["ytd_actual"]
    assert Decimal(ytd) - Decimal(first_ytd) == Decimal(won["amount"])

    # A past quarter: its year ended before the cutoff, so the re-spread's "booked this year"
    # is the whole of 2025 (= Q4's year to date, January–December), not 2025 plus 2026.
    past = run_review(settings, "2025Q4", store=False, today=D(2026, 12, 5))
    spread = past.payload["adjustments"]["respread"]
    past_ytd = next(r for r in past.payload["actuals"] if r["scope"] == "total")["ytd_actual"]
    assert spread["won"] == past_ytd and spread["months"] == []

    out = tmp_path / "review.zh.html"
    argv = ["-q", "-w", str(ws), "report", "--review", "2026Q4", "--lang", "zh", "-o", str(out)]
    assert run(argv) == 0
    html = out.read_text("utf-8")
    assert "2026Q4 复盘" in html and "预测为何变化" in html and "赢单" in html
