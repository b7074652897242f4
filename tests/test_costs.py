"""Deal cost (`cost_minor`): import, plan currency, the demo's planted margins, and
`salesplan promotions` margins on a workspace imported through the CLI."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from sqlalchemy import Engine, inspect, text

from salesplan.analytics.currency import to_plan_currency
from salesplan.analytics.promotions import promotion_margins
from salesplan.cli import run
from salesplan.config import Settings
from salesplan.demo.generator import generate
from salesplan.demo.params import default_params
from salesplan.domain.records import RecordKind
from salesplan.i18n.money import currency_exponent
from salesplan.services.imports import import_file
from salesplan.services.overview import plan_currency_opportunities
from salesplan.services.store import open_store
from salesplan.storage import frames, migrate

HEADER = "id,name,stage,status,amount,{cost},currency,created_on,close_date,closed_on\n"


def _write(path: Path, rows: list[str], cost: str = "cost") -> Path:
    path.write_text(HEADER.format(cost=cost) + "".join(rows), encoding="utf-8")
    return path


def _stored(settings: Settings) -> pl.DataFrame:
    engine = open_store(settings)
    try:
        return plan_currency_opportunities(engine, "CNY").sort("id")
    finally:
        engine.dispose()


def test_cost_is_read_like_an_amount(settings: Settings, tmp_path: Path) -> None:
    path = _write(
        tmp_path / "deals.csv",
        [
            'A,Alpha,Closed Won,won,"1,234.50","1,000.25",CNY,2026-01-05,2026-03-01,2026-03-01\n',
            "B,Beta,Closed Won,won,200000,12.5万,CNY,2026-01-05,2026-03-02,2026-03-02\n",
            "C,Gamma,Closed Won,won,$2K,$1.2K,USD,2026-01-05,2026-03-03,2026-03-03\n",
            "D,Delta,Prospecting,open,500,,CNY,2026-01-05,2026-06-30,\n",
            "E,Eps,Closed Won,won,¥900,¥630,,2026-01-05,2026-03-04,2026-03-04\n",
        ],
    )
    report = import_file(settings, "opportunities", path, as_of=dt.date(2026, 3, 31))
    assert report.ok, report.errors
    engine = open_store(settings)
    try:
        stored = frames.read_opportunities(engine).sort("id")
    finally:
        engine.dispose()
    # 1,000.25 CNY = 100025 fen; 12.5万 = 125,000 CNY = 12,500,000 fen; $1.2K = 1,200 USD =
    # 120,000 cents (row currency USD); empty = null; ¥630 = 63,000 fen with the currency from
    # the symbol, as for its amount ¥900.
    assert stored.select("id", "amount_minor", "cost_minor", "currency").rows() == [
        ("A", 123450, 100025, "CNY"),
        ("B", 20000000, 12500000, "CNY"),
        ("C", 200000, 120000, "USD"),
        ("D", 50000, None, "CNY"),
        ("E", 90000, 63000, "CNY"),
    ]


@pytest.mark.parametrize(
    "header", ["Cost", "Total Cost", "COGS", "Cost of Sales", "成本", "销售成本", "总成本"]
)
def test_cost_header_synonyms(settings: Settings, tmp_path: Path, header: str) -> None:
    path = _write(
        tmp_path / "deals.csv",
        ["A,Alpha,Closed Won,won,100,40,CNY,2026-01-05,2026-03-01,2026-03-01\n"],
        cost=header,
    )
    assert import_file(settings, "opportunities", path).ok
    assert _stored(settings)["cost_minor"].to_list() == [4000]  # 40 CNY = 4000 fen


def test_a_bad_cost_names_file_row_column_and_value(settings: Settings, tmp_path: Path) -> None:
    path = _write(
        tmp_path / "bad.csv",
        [
            "A,Alpha,Closed Won,won,100,40,CNY,2026-01-05,2026-03-01,2026-03-01\n",
            "B,Beta,Closed Won,won,100,4o,CNY,2026-01-05,2026-03-01,2026-03-01\n",
        ],
        cost="COGS",
    )
    report = import_file(settings, "opportunities", path)
    assert not report.ok and report.rows_written == 0
    assert [(p.row, p.column, p.value, p.code) for p in report.errors] == [
        (3, "COGS", "4o", "bad_value")  # row 3 of the file: the header is row 1
    ]
    assert report.report_path is not None
    with report.report_path.open(encoding="utf-8-sig") as handle:
        (row,) = list(csv.DictReader(handle))
    assert (row["file"], row["row"], row["column"], row["value"]) == ("bad.csv", "3", "COGS", "4o")
    assert row["problem"] == "4o is not an amount salesplan can read."


def test_a_cost_in_another_currency_than_the_row_is_refused(
    settings: Settings, tmp_path: Path
) -> None:
    path = _write(
        tmp_path / "mixed.csv",
        [
            "A,Alpha,Closed Won,won,¥900,$100,,2026-01-05,2026-03-01,2026-03-01\n",
            "B,Beta,Closed Won,won,900,€100,CNY,2026-01-05,2026-03-01,2026-03-01\n",
            "C,Gamma,Closed Won,won,900,$100,,2026-01-05,2026-03-01,2026-03-01\n",
        ],
    )
    report = import_file(settings, "opportunities", path)
    # A: the amount's ¥ makes the row CNY, so $100 is refused; B: the currency column says CNY;
    # C: only the cost names a currency, so the row is USD (amount 900 USD) and nothing clashes.
    assert sorted((p.row, p.column, p.value, p.code) for p in report.errors) == [
        (2, "cost", "$100", "currency_mismatch"),
        (3, "cost", "€100", "currency_mismatch"),
    ]


def test_cost_converts_to_the_plan_currency_half_even(settings: Settings, tmp_path: Path) -> None:
    rates = tmp_path / "rates.csv"
    rates.write_text("currency,valid_from,rate\nUSD,2026-01-01,7.5\n", encoding="utf-8")
    assert import_file(settings, "rates", rates).ok
    path = _write(
        tmp_path / "deals.csv",
        [
            "A,Alpha,Closed Won,won,1.00,0.01,USD,2026-01-05,2026-03-01,2026-03-01\n",
            "B,Beta,Closed Won,won,1.00,0.03,USD,2026-01-05,2026-03-01,2026-03-01\n",
            "C,Gamma,Closed Won,won,1.00,,USD,2026-01-05,2026-03-01,2026-03-01\n",
            "D,Delta,Closed Won,won,1.00,0.40,CNY,2026-01-05,2026-03-01,2026-03-01\n",
        ],
    )
    assert import_file(settings, "opportunities", path).ok
    stored = _stored(settings)
    # 1 cent × 7.5 = 7.5 fen → 8 (half to even); 3 cents × 7.5 = 22.5 → 22; 100 cents × 7.5 =
    # 750; no cost → null; CNY stays 40 fen.
    assert stored.select("id", "amount_plan_minor", "cost_plan_minor").rows() == [
        ("A", 750, 8),
        ("B", 750, 22),
        ("C", 750, None),
        ("D", 100, 40),
    ]


def test_no_cost_anywhere_gives_a_null_plan_cost(settings: Settings, tmp_path: Path) -> None:
    path = _write(
        tmp_path / "deals.csv",
        ["A,Alpha,Closed Won,won,100,,CNY,2026-01-05,2026-03-01,2026-03-01\n"],
    )
    assert import_file(settings, "opportunities", path).ok
    stored = _stored(settings)
    assert stored["cost_plan_minor"].dtype == pl.Int64
    assert stored["cost_plan_minor"].to_list() == [None]


def test_migration_0004_keeps_stored_deals_and_products(engine: Engine) -> None:
    """A store at 0003 with rows gains empty cost columns, and loses only them going back."""
    migrate.upgrade(engine, "0003")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO import_batch (id, kind, source, as_of, imported_at, row_count) "
                "VALUES (1, 'opportunities', 'x.csv', '2026-01-01', '2026-01-01 00:00:00', 1)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO stage (code, key, label, status, default_probability) "
                "VALUES (90, 'closed_won', 'Closed Won', 'won', 1.0)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO opportunity (id, amount_minor, currency, stage_code, status, "
                "batch_id) VALUES ('A', 1000, 'CNY', 90, 'won', 1)"
            )
        )
        connection.execute(
            text("INSERT INTO product (id, list_price_minor, batch_id) VALUES ('P', 500, 1)")
        )
    migrate.upgrade(engine, "0004")
    with engine.connect() as connection:
        row = connection.execute(text("SELECT id, amount_minor, cost_minor FROM opportunity"))
        assert row.all() == [("A", 1000, None)]
        row = connection.execute(text("SELECT id, list_price_minor, unit_cost_minor FROM product"))
        assert row.all() == [("P", 500, None)]
    migrate.downgrade(engine, "0003")
    columns = {c["name"] for c in inspect(engine).get_columns("opportunity")}
    assert "cost_minor" not in columns and "amount_minor" in columns
    assert "unit_cost_minor" not in {c["name"] for c in inspect(engine).get_columns("product")}
    with engine.connect() as connection:
        assert connection.execute(text("SELECT id, amount_minor FROM opportunity")).all() == [
            ("A", 1000)
        ]


def test_product_unit_cost_imports(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "products.csv"
    path.write_text("id,name,list_price,Unit Cost,currency\nP1,Pro,1200,¥450.5,\n", "utf-8")
    assert import_file(settings, "products", path).ok
    engine = open_store(settings)
    try:
        stored = frames.read_products(engine)
    finally:
        engine.dispose()
    # ¥450.5 = 45,050 fen, currency CNY from the symbol.
    assert stored.select("id", "list_price_minor", "unit_cost_minor", "currency").rows() == [
        ("P1", 120000, 45050, "CNY")
    ]


# --- the demo -------------------------------------------------------------------------------


def test_demo_costs_follow_the_planted_margins_and_change_nothing_else() -> None:
    as_of = dt.date(2026, 6, 30)
    data = generate("small", 1, as_of)
    deals = data[RecordKind.OPPORTUNITY]
    costed = deals.filter(pl.col("cost_minor").is_not_null())
    assert set(costed["status"].unique()) == {"won"}
    assert costed.height == deals.filter(pl.col("status") == "won").height
    # Each deal's margin at list price, m = 1 − cost ÷ (amount ÷ (1 − discount)), is drawn
    # N(planted, 0.05): the mean per product lands within 4 standard errors (0.05 ÷ √n).
    discount = pl.col("discount_pct").fill_null(0.0)
    margin = 1 - pl.col("cost_minor") * (1 - discount) / pl.col("amount_minor")
    recovered = costed.group_by("product").agg(margin.mean().alias("m"), pl.len().alias("n"))
    joined = data.margin_truth.join(recovered, on="product")
    assert joined.height == 6
    assert joined["won_with_cost"].sum() == costed.height
    for row in joined.iter_rows(named=True):
        assert abs(row["m"] - row["planted_margin"]) < 4 * 0.05 / np.sqrt(row["n"]), row
    # The cost draw has its own stream: other margins leave every other value unchanged.
    params = dataclasses.replace(default_params("small"), margin_sigma=0.2)
    other = generate("small", 1, as_of, params=params)
    for kind, frame in data.frames.items():
        assert frame.drop("cost_minor", strict=False).equals(
            other[kind].drop("cost_minor", strict=False)
        ), kind
    assert not deals["cost_minor"].equals(other[RecordKind.OPPORTUNITY]["cost_minor"])
    assert data.competitor_truth.equals(other.competitor_truth)


def test_promotion_margins_recover_the_planted_margins_on_medium_demo_data() -> None:
    """The demo plants margins by product only; a discount lowers the amount, not the cost.
    So at the same product mix trials and subscriptions earn what deals without a promotion
    earn, and discounts less: 1 − (1 − m) ÷ (1 − d), about 7 points for m ≈ 0.75, d ≈ 0.22."""
    as_of = dt.date(2026, 6, 30)
    data = generate("medium", 1, as_of)
    deals, rates = data[RecordKind.OPPORTUNITY], data[RecordKind.FX_RATE]
    codes = set(deals["currency"].unique().to_list()) | {"CNY"}
    exponents = {code: currency_exponent(code) for code in codes}
    for source, out in (("amount_minor", "amount_plan_minor"), ("cost_minor", "cost_plan_minor")):
        deals = to_plan_currency(
            deals, rates, "CNY", exponents, amount=source, on="close_date", out=out
        )
    margins = promotion_margins(deals, dt.date(2023, 7, 1), as_of)
    assert margins is not None
    for code in ("trial", "subscription"):
        m = margins[code]
        assert m.deals > 300 and m.comparable_margin is not None and m.margin is not None
        assert abs(m.margin - m.comparable_margin) < 0.02, (code, m)
    d = margins["discount"]
    assert d.margin is not None and d.comparable_margin is not None
    assert 0.04 < d.comparable_margin - d.margin < 0.10, d


# --- salesplan promotions -------------------------------------------------------------------

PROMO_HEADER = (
    "id,stage,status,amount,cost,currency,created_on,close_date,closed_on,promotion,product\n"
)


def _promotions(tmp_path: Path, capsys: pytest.CaptureFixture[str], rows: list[str]) -> Any:
    ws = str(tmp_path / "ws")
    path = tmp_path / "deals.csv"
    path.write_text(PROMO_HEADER + "".join(rows), encoding="utf-8")
    assert run(["-q", "--workspace", ws, "import", "opportunities", str(path)]) == 0
    capsys.readouterr()
    code = run(["-q", "--workspace", ws, "promotions", "--period", "2025", "--format", "json"])
    assert code == 0
    return json.loads(capsys.readouterr().out)["promotions"]


def _won(
    ident: str,
    amount: str,
    cost: str,
    promotion: str = "",
    product: str = "P1",
    status: str = "won",
) -> str:
    stage = "Closed Won" if status == "won" else "Closed Lost"
    dates = "2025-01-10,2025-06-01,2025-06-01"
    return f"{ident},{stage},{status},{amount},{cost},CNY,{dates},{promotion},{product}\n"


def test_promotions_margin_from_imported_costs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _promotions(
        tmp_path,
        capsys,
        [
            _won("T1", "1000", "600", "trial", "P2"),
            _won("T2", "500", "", "trial", "P2"),  # no cost: unknown_cost
            _won("T3", "300", "100", "trial", "P2", "lost"),  # lost: no margin
            _won("D1", "900", "630", "discount", "P1"),
            _won("D2", "100", "50", "discount", "P3"),  # P3 is never sold without a promotion
            _won("N1", "2000", "800", "", "P1"),
            _won("N2", "1000", "700", "", "P2"),
            _won("N3", "400", "100", "", "P1", "lost"),
        ],
    )
    margin = {p["promotion"]: p["margin"] for p in doc["promotions"]}
    # Without a promotion: P1 (2000 − 800) ÷ 2000 = 0.6, P2 (1000 − 700) ÷ 1000 = 0.3; overall
    # (3000 − 1500) ÷ 3000 = 0.5.
    # trial: (1000 − 600) ÷ 1000 = 0.4 over T1 (T2 won without a cost); all of it P2, so at
    # its product mix deals without a promotion earn 0.3, coverage 1000 ÷ 1000 = 1.
    assert margin["trial"] == {
        "deals": 1, "unknown_cost": 1, "amount": "1000.00", "margin_amount": "400.00",
        "margin": pytest.approx(0.4), "comparable_margin": pytest.approx(0.3),
        "mix_coverage": pytest.approx(1.0), "min_margin": None, "below_min": None,
    }  # fmt: skip
    # discount: (900 + 100 − 630 − 50) ÷ 1000 = 320 ÷ 1000 = 0.32; only P1 (900 of 1000) has
    # deals without a promotion: comparable 0.6, coverage 0.9.
    discount = margin["discount"]
    assert (discount["amount"], discount["margin_amount"]) == ("1000.00", "320.00")
    assert discount["margin"] == pytest.approx(0.32)
    assert discount["comparable_margin"] == pytest.approx(0.6)
    assert discount["mix_coverage"] == pytest.approx(0.9)
    assert doc["margin"]["status"] == "measured" and doc["margin"]["needs"] == []
    base = doc["margin"]["without_promotion"]
    assert (base["deals"], base["amount"], base["margin_amount"]) == (2, "3000.00", "1500.00")
    assert base["margin"] == pytest.approx(0.5) and base["comparable_margin"] is None


def test_promotions_margin_needs_input_without_any_cost(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _promotions(
        tmp_path,
        capsys,
        [
            _won("T1", "1000", "", "trial"),
            _won("N1", "2000", ""),
            _won("N2", "800", "", "", "P1", "lost"),
        ],
    )
    assert doc["margin"] == {
        "status": "needs_input", "needs": ["cost"], "min_margin": {}, "without_promotion": None,
    }  # fmt: skip
    assert all(p["margin"] is None for p in doc["promotions"])
