"""Every record kind round-trips through the store exactly, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import Engine, select

from salesplan.domain.records import SCHEMAS, RecordKind, conform
from salesplan.domain.stages import DEFAULT_STAGES
from salesplan.storage import frames, migrate, records, tables

# 2**53 + 1 cannot be represented by a float64: it survives only if money stays an integer.
BEYOND_FLOAT = 9_007_199_254_740_993
D = dt.date
T = dt.datetime

SAMPLES: dict[RecordKind, dict[str, list[object]]] = {
    RecordKind.OPPORTUNITY: {
        "id": ["OPP-1", "OPP-2", "商机-3"],
        "name": ["Acme renewal", "Beta new", "华东 扩容"],
        "account_id": ["ACC-1", "ACC-2", "ACC-1"],
        "owner_id": ["U1", "U2", "U1"],
        "pipeline": ["default", "default", "default"],
        "amount_minor": [BEYOND_FLOAT, 1, 123_456_78],
        "currency": ["CNY", "USD", "CNY"],
        "created_on": [D(2025, 1, 2), D(2025, 2, 3), D(2026, 3, 4)],
        "close_date": [D(2025, 6, 30), D(2025, 5, 1), D(2026, 12, 31)],
        "closed_on": [D(2025, 6, 30), D(2025, 5, 1), None],
        "stage": ["closed_won", "closed_lost", "proposal"],
        "stage_code": [90, 91, 50],
        "status": ["won", "lost", "open"],
        "probability": [1.0, 0.0, 0.6],
        "forecast_category": ["closed", "omitted", "best_case"],
        "type": ["renewal", "new", "expansion"],
        "source": ["referral", "inbound", "partner"],
        "product": ["Suite", "Suite", "Add-on"],
        "segment": ["enterprise", "smb", "enterprise"],
        "region": ["east_china", "emea", "east_china"],
        "industry": ["manufacturing", "retail", "manufacturing"],
        "loss_reason": [None, "price", None],
        "competitor": [None, "Rival Co", None],
        "promotion": [None, "discount", "trial"],
        "discount_pct": [None, 0.15, None],
        "next_step": [None, None, "Send quote"],
        "next_step_date": [None, None, D(2026, 12, 1)],
        "last_activity_on": [D(2025, 6, 29), D(2025, 4, 30), D(2026, 11, 20)],
    },
    RecordKind.STAGE_EVENT: {
        "opportunity_id": ["OPP-1", "OPP-1", "OPP-1"],
        "stage": ["prospecting", "proposal", "closed_won"],
        "stage_code": [10, 50, 90],
        "entered_at": [T(2025, 1, 2, 9), T(2025, 3, 1, 14, 30, 0, 123456), T(2025, 6, 30, 18)],
        "amount_minor": [100_00, BEYOND_FLOAT, BEYOND_FLOAT],
        "close_date": [D(2025, 5, 31), D(2025, 6, 15), D(2025, 6, 30)],
    },
    RecordKind.ACCOUNT: {
        "id": ["ACC-1", "ACC-2"],
        "name": ["Acme 上海", "Beta GmbH"],
        "industry": ["manufacturing", "retail"],
        "employees": [12_000, 40],
        "annual_revenue_minor": [BEYOND_FLOAT, None],
        "currency": ["CNY", "USD"],
        "country": ["CN", "DE"],
        "region": ["east_china", "emea"],
        "segment": ["enterprise", "smb"],
        "customer_since": [D(2023, 3, 1), None],
        "churned_on": [None, None],
    },
    RecordKind.LEAD: {
        "id": ["L1", "L2"],
        "created_on": [D(2025, 1, 1), D(2025, 1, 5)],
        "source": ["website", "event"],
        "status": ["converted", "disqualified"],
        "mql_on": [D(2025, 1, 2), None],
        "sql_on": [D(2025, 1, 3), None],
        "converted_on": [D(2025, 1, 4), None],
        "opportunity_id": ["OPP-1", None],
        "owner_id": ["U3", "U3"],
        "segment": ["enterprise", "smb"],
        "region": ["east_china", "emea"],
        "industry": ["manufacturing", "retail"],
        "company_size": ["1000+", "1-50"],
        "disqualify_reason": [None, "no budget"],
    },
    RecordKind.ACTIVITY: {
        "id": ["A1", "A2"],
        "type": ["call", "demo"],
        "occurred_at": [T(2025, 1, 3, 10), T(2025, 2, 1, 15, 45)],
        "owner_id": ["U3", "U1"],
        "opportunity_id": [None, "OPP-1"],
        "lead_id": ["L1", None],
        "account_id": ["ACC-1", "ACC-1"],
        "outcome": ["connected", "held"],
    },
    RecordKind.TEAM_MEMBER: {
        "id": ["U1", "U2", "U3"],
        "name": ["王芳", "Bob", "Li Lei"],
        "email": ["wf@example.com", "bob@example.com", "ll@example.com"],
        "role": ["ae", "ae", "sdr"],
        "manager_id": [None, "U1", "U1"],
        "team": ["East", "EMEA", "East"],
        "region": ["east_china", "emea", "east_china"],
        "segment": ["enterprise", "smb", None],
        "start_date": [D(2020, 1, 1), D(2025, 9, 1), D(2024, 2, 1)],
        "end_date": [None, None, D(2026, 6, 30)],
        "annual_quota_minor": [BEYOND_FLOAT, 500_000_00, None],
        "ramp_months": [3, 6, None],
        "annual_cost_minor": [600_000_00, 120_000_00, 200_000_00],
        "currency": ["CNY", "USD", "CNY"],
    },
    RecordKind.PRODUCT: {
        "id": ["P1", "P2"],
        "name": ["Suite", "Add-on"],
        "family": ["platform", "extensions"],
        "list_price_minor": [BEYOND_FLOAT, 99_00],
        "currency": ["CNY", "CNY"],
    },
    RecordKind.FX_RATE: {
        "currency": ["CNY", "USD", "USD"],
        "valid_from": [D(2023, 1, 1), D(2023, 1, 1), D(2025, 1, 1)],
        "rate": ["1", "7.1234567891234", "7.0500000000001"],
    },
}


def _sample(kind: RecordKind) -> pl.DataFrame:
    return conform(kind, pl.DataFrame(SAMPLES[kind], strict=False, infer_schema_length=None))


def _write(engine: Engine, kind: RecordKind, frame: pl.DataFrame) -> records.ImportBatch:
    with engine.begin() as connection:
        batch = records.create_batch(
            connection, kind=kind.value, source="test.csv", as_of=D(2026, 11, 28),
            row_count=frame.height,
        )  # fmt: skip
        records.write_records(connection, kind, frame, batch)
    return batch


@pytest.fixture
def ready(engine: Engine) -> Engine:
    migrate.upgrade(engine)
    with engine.begin() as connection:
        records.replace_stages(connection, DEFAULT_STAGES)
    return engine


def _sort_key(kind: RecordKind) -> list[str]:
    if kind is RecordKind.STAGE_EVENT:
        return ["opportunity_id", "entered_at"]
    if kind is RecordKind.FX_RATE:
        return ["currency", "valid_from"]
    return ["id"]


@pytest.mark.parametrize("kind", list(RecordKind), ids=str)
def test_every_kind_round_trips_exactly(ready: Engine, kind: RecordKind) -> None:
    written = _sample(kind)
    _write(ready, kind, written)
    read = frames.read_frame(ready, kind)
    assert read.schema == SCHEMAS[kind]
    key = _sort_key(kind)
    assert_frame_equal(read.sort(key), written.sort(key))


def test_money_beyond_float_precision_is_exact(ready: Engine) -> None:
    _write(ready, RecordKind.OPPORTUNITY, _sample(RecordKind.OPPORTUNITY))
    read = frames.read_opportunities(ready)
    assert read.filter(pl.col("id") == "OPP-1")["amount_minor"].item() == BEYOND_FLOAT
    assert float(BEYOND_FLOAT) != BEYOND_FLOAT  # the value really is out of float range


def test_reimport_upserts_by_id_and_keeps_a_snapshot_per_batch(ready: Engine) -> None:
    first = _sample(RecordKind.OPPORTUNITY)
    batch1 = _write(ready, RecordKind.OPPORTUNITY, first)
    # A week later OPP-3 moved from proposal to negotiation and grew; OPP-4 is new.
    second = pl.concat(
        [
            first.filter(pl.col("id") == "商机-3").with_columns(
                pl.lit("negotiation").alias("stage"),
                pl.lit(60, pl.Int32).alias("stage_code"),
                pl.lit(150_000_00, pl.Int64).alias("amount_minor"),
            ),
            first.filter(pl.col("id") == "OPP-2").with_columns(pl.lit("OPP-4").alias("id")),
        ]
    )
    batch2 = _write(ready, RecordKind.OPPORTUNITY, second)

    stored = frames.read_opportunities(ready).sort("id")
    assert stored["id"].to_list() == ["OPP-1", "OPP-2", "OPP-4", "商机-3"]
    moved = stored.filter(pl.col("id") == "商机-3")
    assert moved["stage"].item() == "negotiation"
    assert moved["amount_minor"].item() == 150_000_00

    with ready.connect() as connection:
        snap = tables.opportunity_snapshot
        rows = connection.execute(
            select(snap.c.batch_id, snap.c.stage_code, snap.c.amount_minor)
            .where(snap.c.opportunity_id == "商机-3")
            .order_by(snap.c.batch_id)
        ).all()
        batches = records.list_batches(connection)
    assert [tuple(r) for r in rows] == [(batch1.id, 50, 123_456_78), (batch2.id, 60, 150_000_00)]
    assert [b.id for b in batches] == [batch1.id, batch2.id]
    assert batches[0].as_of == D(2026, 11, 28)
    assert batches[1].row_count == 2


def test_a_failed_write_leaves_nothing_behind(ready: Engine) -> None:
    frame = _sample(RecordKind.OPPORTUNITY)
    duplicated = pl.concat([frame, frame.head(1)])
    with pytest.raises(ValueError, match="duplicate opportunity ids"), ready.begin() as connection:
        batch = records.create_batch(
            connection, kind="opportunity", source="dup.csv", as_of=D(2026, 1, 1), row_count=4
        )
        records.write_records(connection, RecordKind.OPPORTUNITY, frame, batch)
        records.write_records(connection, RecordKind.OPPORTUNITY, duplicated, batch)
    with ready.connect() as connection:
        assert records.count_rows(connection, RecordKind.OPPORTUNITY) == 0
        assert records.list_batches(connection) == []


def test_stage_history_reimport_replaces_that_opportunitys_events(ready: Engine) -> None:
    events = _sample(RecordKind.STAGE_EVENT)
    _write(ready, RecordKind.STAGE_EVENT, events)
    _write(ready, RecordKind.STAGE_EVENT, events.head(2))
    assert frames.read_stage_events(ready).height == 2


def test_stage_list_is_stored_in_order(ready: Engine) -> None:
    with ready.connect() as connection:
        stored = records.read_stages(connection)
    assert stored == DEFAULT_STAGES


def test_a_read_after_a_write_in_the_same_process_sees_it(ready: Engine) -> None:
    """Regression: a second SQLite library in the process (connectorx) missed WAL commits."""
    frame = _sample(RecordKind.OPPORTUNITY)
    for count in (1, 2, 3):
        _write(ready, RecordKind.OPPORTUNITY, frame.head(count))
        assert frames.read_opportunities(ready).height == count
