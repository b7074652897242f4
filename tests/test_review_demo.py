"""The demo workspace advanced month by month: snapshot 1 as of 31 October 2026, review
October; snapshot 2 as of 30 November (a later export derived from the first, since the demo
generator draws a fresh history for each as-of date: two deals won, one slipped into 2027, one
doubled, one new), review November. Per review the month's actual is recomputed
from the raw stored frames and its target from the plan's goal; the movement puts each deal
in its bucket with the right money and the buckets reconcile to the fen (stage method, whose
expected values are amount × the stage's fixed probability, so they can be worked by hand)."""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from review_fixtures import PLAN
from salesplan.cli import run
from salesplan.config import Settings
from salesplan.documents.model import Bullets
from salesplan.documents.review import build_review_report
from salesplan.domain.records import RecordKind
from salesplan.services.demo import load_demo_data
from salesplan.services.plan_store import store_version
from salesplan.services.review import run_review
from salesplan.services.store import open_store
from salesplan.storage import frames, records

D = dt.date
GOAL_FEN = 120_000_000  # PLAN's G1: bookings ¥1,200,000.00 for 2026
NEW_FEN = 80_000_000  # the new deal: ¥800,000.00
EXPONENT = {"JPY": 0}  # minor-unit digits (docs/data-model.md); CNY, USD, EUR … have 2


def _to_cny(amount_minor: int, currency: str, on: dt.date, rates: pl.DataFrame) -> int:
    """docs/data-model.md, Plan currency: the rate valid on the date (latest valid_from on or
    before it, else the earliest), round_half_even(amount × rate × 10^(2 − e_source))."""
    if currency == "CNY":
        return amount_minor
    mine = rates.filter(pl.col("currency") == currency).sort("valid_from")
    valid = mine.filter(pl.col("valid_from") <= on)
    rate = Decimal((valid if valid.height else mine.head(1))["rate"][-1])
    exact = Decimal(amount_minor) * rate * Decimal(10) ** (2 - EXPONENT.get(currency, 2))
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def _won_in_month(settings: Settings, start: dt.date, end: dt.date) -> int:
    """Independent actual: the raw stored deals won with closed_on in [start, end), each
    converted at its close-date rate (the date the converted amount uses), summed exactly."""
    engine = open_store(settings)
    try:
        opportunities, rates = frames.read_opportunities(engine), frames.read_fx_rates(engine)
    finally:
        engine.dispose()
    won = opportunities.filter(
        (pl.col("status") == "won") & (pl.col("closed_on") >= start) & (pl.col("closed_on") < end)
    )
    assert won.height > 0
    return sum(
        _to_cny(r["amount_minor"], r["currency"], r["close_date"] or r["closed_on"], rates)
        for r in won.iter_rows(named=True)
    )


def _largest_remainder(total: int, weights: list[Fraction]) -> list[int]:
    """Shares of `total` floored, the units left over to the largest remainders (ties: the
    earlier part), so the parts add up exactly."""
    shares = [total * w / sum(weights) for w in weights]
    parts = [math.floor(s) for s in shares]
    for k in sorted(range(len(shares)), key=lambda k: (parts[k] - shares[k], k))[
        : total - sum(parts)
    ]:
        parts[k] += 1
    return parts


def _seasonality(settings: Settings) -> list[float]:
    """docs/methods.md, Seasonality index (ratio-to-moving-average, the demo has 36 months):
    won amounts in CNY capped at their 90th percentile, summed by close month, zero months
    filled, first and last month dropped; x(t) ÷ the centred 2×12 moving average, averaged by
    calendar month and rescaled to average 1."""
    engine = open_store(settings)
    try:
        opportunities, rates = frames.read_opportunities(engine), frames.read_fx_rates(engine)
    finally:
        engine.dispose()
    won = opportunities.filter(
        (pl.col("status") == "won")
        & pl.col("closed_on").is_not_null()
        & pl.col("amount_minor").is_not_null()
    )
    deals = [
        (r["closed_on"], _to_cny(r["amount_minor"], r["currency"], r["close_date"], rates))
        for r in won.iter_rows(named=True)
    ]
    cap = float(np.percentile([a for _, a in deals], 90))  # linear interpolation
    by_month: dict[int, float] = {}
    for day, amount in deals:
        key = day.year * 12 + day.month - 1
        by_month[key] = by_month.get(key, 0.0) + min(float(amount), cap)
    keys = list(range(min(by_month) + 1, max(by_month)))  # first and last month dropped
    x = [by_month.get(k, 0.0) for k in keys]
    ratios: dict[int, list[float]] = {m: [] for m in range(12)}
    for t in range(6, len(x) - 6):
        cma = (0.5 * x[t - 6] + sum(x[t - 5 : t + 6]) + 0.5 * x[t + 6]) / 12
        ratios[keys[t] % 12].append(x[t] / cma)
    raw = [sum(ratios[m]) / len(ratios[m]) for m in range(12)]
    return [v * 12 / sum(raw) for v in raw]


def _month_target(settings: Settings, month: int) -> int:
    """docs/reviews.md, Targets: the goal split by the bookings seasonality index (recomputed
    above), year → quarters → months by largest remainder, not by planning.decomposition."""
    index = [Fraction(v) for v in _seasonality(settings)]
    quarters = _largest_remainder(GOAL_FEN, [sum(index[3 * q : 3 * q + 3]) for q in range(4)])
    months = [
        m for q in range(4) for m in _largest_remainder(quarters[q], index[3 * q : 3 * q + 3])
    ]
    assert sum(months) == GOAL_FEN
    return months[month - 1]


def _fen(text: str) -> int:
    return int(Decimal(text) * 100)


def _total(payload: dict[str, Any]) -> dict[str, Any]:
    return next(r for r in payload["actuals"] if r["scope"] == "total")


def _november_export(
    settings: Settings, won: list[str], slips: str, grows: str, template: str
) -> None:
    """The export as of 30 November: `won` won (15 and 30 November), `slips` moved to
    15 February 2027, `grows` at twice its amount, and a new deal (created 20 November, due
    20 December) like `template`."""
    engine = open_store(settings)
    try:
        opportunities = frames.read_opportunities(engine)
        with engine.connect() as conn:
            stored = records.read_stages(conn)
        assert stored is not None
        closed_won = next(s.code for s in stored.stages if s.key == "closed_won")
        day = {won[0]: D(2026, 11, 15), won[1]: D(2026, 11, 30)}
        picked = opportunities.filter(pl.col("id").is_in([*won, slips, grows]))
        closing = pl.col("id").is_in(won)
        when = pl.col("id").replace_strict(day, default=None, return_dtype=pl.Date)
        changed = picked.with_columns(
            pl.when(closing).then(pl.lit("won")).otherwise(pl.col("status")).alias("status"),
            pl.when(closing).then(when).otherwise(pl.col("closed_on")).alias("closed_on"),
            pl.when(closing).then(when).when(pl.col("id") == slips).then(pl.lit(D(2027, 2, 15)))
            .otherwise(pl.col("close_date")).alias("close_date"),
            pl.when(closing).then(pl.lit(closed_won)).otherwise(pl.col("stage_code"))
            .alias("stage_code"),
            pl.when(pl.col("id") == grows).then(pl.col("amount_minor") * 2)
            .otherwise(pl.col("amount_minor")).alias("amount_minor"),
        )  # fmt: skip
        new = opportunities.filter(pl.col("id") == template).with_columns(
            pl.lit("OPP-NEW-1").alias("id"),
            pl.lit(D(2026, 11, 20)).alias("created_on"),
            pl.lit(D(2026, 12, 20)).alias("close_date"),
            pl.lit(NEW_FEN, pl.Int64).alias("amount_minor"),
        )
        batch_frame = pl.concat([changed, new]).drop("stage", strict=False)
        with engine.begin() as conn:
            batch = records.create_batch(
                conn, kind="opportunity", source="export-2026-11-30.csv", as_of=D(2026, 11, 30),
                row_count=batch_frame.height,
            )  # fmt: skip
            records.write_records(conn, RecordKind.OPPORTUNITY, batch_frame, batch)
    finally:
        engine.dispose()


def test_demo_advanced_month_by_month(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("SALESPLAN_DATABASE_URL", "SALESPLAN_WORKSPACE", "SALESPLAN_LOCALE"):
        monkeypatch.delenv(name, raising=False)
    ws = tmp_path / "ws"
    settings = Settings(workspace=ws, database_url=None, locale="en", currency="CNY")
    load_demo_data(settings, size="small", seed=7, as_of=D(2026, 10, 31))
    store_version(settings, PLAN, author="lead", reason="first plan")  # the 2026 plan

    # Review 1: October, on the snapshot as of 31 October.
    first = run_review(settings, "2026-10", method="stage", today=D(2026, 11, 2))
    p1 = first.payload
    assert p1["movement"] is None and p1["targets"]["source"] == "plan:G1"
    october = _total(p1)
    assert _fen(october["period_actual"]) == _won_in_month(settings, D(2026, 10, 1), D(2026, 11, 1))
    assert _fen(october["period_target"]) == _month_target(settings, 10)
    assert sum(_fen(m) for m in p1["targets"]["months"]) == GOAL_FEN

    # Deals the year's forecast counts on at review 1: open CNY deals dated in November or
    # December with a positive expected value for the year.
    engine = open_store(settings)
    try:
        raw = frames.read_opportunities(engine).filter(pl.col("amount_minor").is_not_null())
    finally:
        engine.dispose()
    currency = dict(raw.select("id", "currency").iter_rows())  # deals with a stated amount
    counted = [
        d for d in p1["forecast"]["deals"]
        if d["status"] == "open" and "2026-11-01" <= (d["close_date"] or "") < "2027-01-01"
        and _fen(d["expected_year"]) > 0 and d["opportunity_id"] in currency
    ]  # fmt: skip
    cny = [d for d in counted if currency[d["opportunity_id"]] == "CNY"]
    other = [d for d in counted if currency[d["opportunity_id"]] != "CNY"]
    won, slips, grows = cny[0], cny[1], cny[4]
    # A non-CNY deal too when there is one, so November's actual exercises the conversion.
    second_win = other[0] if other else cny[2]
    _november_export(
        settings,
        [second_win["opportunity_id"], won["opportunity_id"]],
        slips["opportunity_id"],
        grows["opportunity_id"],
        template=cny[3]["opportunity_id"],
    )

    # Review 2: November, on the snapshot as of 30 November.
    second = run_review(settings, "2026-11", method="stage", today=D(2026, 12, 1))
    p2 = second.payload
    assert p2["as_of"] == "2026-11-30"
    november = _total(p2)
    booked = _won_in_month(settings, D(2026, 11, 1), D(2026, 12, 1))
    assert _fen(november["period_actual"]) == booked
    assert _fen(november["period_target"]) == _month_target(settings, 11)
    # Year to date grew by November's bookings exactly (October's deals did not change).
    assert _fen(november["ytd_actual"]) - _fen(october["ytd_actual"]) == booked

    # The last review was of another period of the same year: the year's forecast moved.
    move = p2["movement"]
    assert (move["previous_review"], move["horizon"]) == (first.id, "year")
    where = {i["opportunity_id"]: (b["bucket"], i) for b in move["buckets"] for i in b["items"]}
    now = {d["opportunity_id"]: d for d in p2["forecast"]["deals"]}
    # Won: its e becomes its amount (won 30 November, inside the year); the change is the
    # amount less the expected value review 1 stored for it.
    bucket, item = where[won["opportunity_id"]]
    assert bucket == "won" and where[second_win["opportunity_id"]][0] == "won"
    assert item["previous"]["expected"] == won["expected_year"]
    assert item["current"]["expected"] == won["amount"] == now[won["opportunity_id"]]["amount"]
    assert _fen(item["delta"]) == _fen(won["amount"]) - _fen(won["expected_year"])
    # Slipped to 15 February 2027: out of the year, so the stage method counts nothing of it
    # and it loses all it had at review 1.
    bucket, item = where[slips["opportunity_id"]]
    assert bucket == "slipped" and item["current"]["close_date"] == "2027-02-15"
    assert _fen(item["delta"]) == -_fen(slips["expected_year"])
    # New: ¥800,000 at the template's stage → round(80,000,000 × that stage's probability).
    bucket, item = where["OPP-NEW-1"]
    with open_store(settings).connect() as conn:
        stages = records.read_stages(conn)
    assert stages is not None
    probability = {s.key: s.default_probability for s in stages.stages}[cny[3]["stage"]]
    assert bucket == "added" and item["previous"] is None
    assert _fen(item["delta"]) == round(NEW_FEN * probability) > 0
    assert now["OPP-NEW-1"]["amount"] == "800000.00"
    # Twice the amount at the same stage and date: round(2 × amount × p) − review 1's e.
    bucket, item = where[grows["opportunity_id"]]
    p_grows = {s.key: s.default_probability for s in stages.stages}[grows["stage"]]
    assert bucket == "amount_changed"
    assert _fen(item["delta"]) == round(2 * _fen(grows["amount"]) * p_grows) - _fen(
        grows["expected_year"]
    )
    # Previous expected + every bucket = current expected, to the fen.
    before, after = _fen(move["previous_expected"]), _fen(move["current_expected"])
    assert before == _fen(p1["forecast"]["year"]["expected"])
    assert after == _fen(p2["forecast"]["year"]["expected"])
    assert before + sum(_fen(b["delta"]) for b in move["buckets"]) == after

    # A past month: its year ended before the cutoff, so the re-spread's "booked this year"
    # is the whole of 2025 (= December's year to date), not 2025 plus 2026.
    past = run_review(settings, "2025-12", store=False, method="stage", today=D(2026, 12, 1))
    spread = past.payload["adjustments"]["respread"]
    assert spread["won"] == _total(past.payload)["ytd_actual"] and spread["months"] == []

    # Two gaps with the same play: the document lists its tactic once, under the first gap.
    tactic = {
        "id": "follow-up-cadence",
        "kpi": "outreach_to_meeting",
        "title": {"en": "Follow-up cadences", "zh": "多触点跟进节奏"},
        "change": {},
    }
    same_play = [
        {"gap": f"follow_up/2026/{region}", "play": "follow_up", "initiatives": [tactic]}
        for region in ("east", "north")
    ]
    doubled = {**p2, "adjustments": {**p2["adjustments"], "tactics": same_play}}
    adjustments = build_review_report(doubled, "en").sections[-1]
    assert [b.items for b in adjustments.blocks if isinstance(b, Bullets)] == [
        ["follow_up: Follow-up cadences (follow_up/2026/east)"]
    ]

    out = tmp_path / "review.zh.html"
    argv = ["-q", "-w", str(ws), "report", "--review", "2026-11", "--lang", "zh", "-o", str(out)]
    assert run(argv) == 0
    html = out.read_text("utf-8")
    assert "2026-11 复盘" in html and "预测为何变化" in html and "赢单" in html
