"""The canonical record kinds and their column contract as Polars schemas.

Every importer maps a CRM export onto these columns; every analytic reads only these columns
(see docs/data-model.md). Money columns end in `_minor` and hold exact integer minor units of
the row's `currency` (cents, fen); rates are fractions 0-1; dates are `pl.Date`, instants are
naive UTC `pl.Datetime("us")`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

import polars as pl


class RecordKind(StrEnum):
    """The kinds of record the store holds; values are also the table names."""

    OPPORTUNITY = "opportunity"
    STAGE_EVENT = "stage_event"
    ACCOUNT = "account"
    LEAD = "lead"
    ACTIVITY = "activity"
    TEAM_MEMBER = "team_member"
    PRODUCT = "product"
    FX_RATE = "fx_rate"


class DealStatus(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


class DealType(StrEnum):
    NEW = "new"
    EXPANSION = "expansion"
    RENEWAL = "renewal"


class ForecastCategory(StrEnum):
    PIPELINE = "pipeline"
    BEST_CASE = "best_case"
    COMMIT = "commit"
    CLOSED = "closed"
    OMITTED = "omitted"


class LeadStatus(StrEnum):
    NEW = "new"
    MQL = "mql"
    SQL = "sql"
    CONVERTED = "converted"
    DISQUALIFIED = "disqualified"


class ActivityType(StrEnum):
    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"
    DEMO = "demo"
    SOCIAL = "social"
    EVENT = "event"
    OTHER = "other"


class Role(StrEnum):
    SDR = "sdr"
    BDR = "bdr"
    AE = "ae"
    AM = "am"
    CSM = "csm"
    MANAGER = "manager"
    OPS = "ops"


S: pl.DataType = pl.String()
D: pl.DataType = pl.Date()
TS: pl.DataType = pl.Datetime("us")
I64: pl.DataType = pl.Int64()
I32: pl.DataType = pl.Int32()
F64: pl.DataType = pl.Float64()

OPPORTUNITY_SCHEMA: Final = pl.Schema(
    {
        "id": S,
        "name": S,
        "account_id": S,
        "owner_id": S,
        "pipeline": S,
        "amount_minor": I64,
        "currency": S,
        "created_on": D,
        "close_date": D,
        "closed_on": D,
        "stage": S,
        "stage_code": I32,
        "status": S,
        "probability": F64,
        "forecast_category": S,
        "type": S,
        "source": S,
        "product": S,
        "segment": S,
        "region": S,
        "industry": S,
        "loss_reason": S,
        "competitor": S,
        "promotion": S,
        "discount_pct": F64,
        "next_step": S,
        "next_step_date": D,
        "last_activity_on": D,
        # Cost of the goods and services sold for the deal, same currency as amount_minor.
        "cost_minor": I64,
    }
)

STAGE_EVENT_SCHEMA: Final = pl.Schema(
    {
        "opportunity_id": S,
        "stage": S,
        "stage_code": I32,
        "entered_at": TS,
        "amount_minor": I64,
        "close_date": D,
    }
)

ACCOUNT_SCHEMA: Final = pl.Schema(
    {
        "id": S,
        "name": S,
        "industry": S,
        "employees": I64,
        "annual_revenue_minor": I64,
        "currency": S,
        "country": S,
        "region": S,
        "segment": S,
        "customer_since": D,
        "churned_on": D,
    }
)

LEAD_SCHEMA: Final = pl.Schema(
    {
        "id": S,
        "created_on": D,
        "source": S,
        "status": S,
        "mql_on": D,
        "sql_on": D,
        "converted_on": D,
        "opportunity_id": S,
        "owner_id": S,
        "segment": S,
        "region": S,
        "industry": S,
        "company_size": S,
        "disqualify_reason": S,
    }
)

ACTIVITY_SCHEMA: Final = pl.Schema(
    {
        "id": S,
        "type": S,
        "occurred_at": TS,
        "owner_id": S,
        "opportunity_id": S,
        "lead_id": S,
        "account_id": S,
        "outcome": S,
    }
)

TEAM_MEMBER_SCHEMA: Final = pl.Schema(
    {
        "id": S,
        "name": S,
        "email": S,
        "role": S,
        "manager_id": S,
        "team": S,
        "region": S,
        "segment": S,
        "start_date": D,
        "end_date": D,
        "annual_quota_minor": I64,
        "ramp_months": I32,
        "annual_cost_minor": I64,
        "currency": S,
    }
)

PRODUCT_SCHEMA: Final = pl.Schema(
    {
        "id": S,
        "name": S,
        "family": S,
        "list_price_minor": I64,
        "currency": S,
        # Cost of one unit, same currency as list_price_minor.
        "unit_cost_minor": I64,
    }
)

FX_RATE_SCHEMA: Final = pl.Schema(
    {
        "currency": S,
        "valid_from": D,
        # Units of plan currency per one unit of `currency`, as a decimal string (exact).
        "rate": S,
    }
)

SCHEMAS: Final[dict[RecordKind, pl.Schema]] = {
    RecordKind.OPPORTUNITY: OPPORTUNITY_SCHEMA,
    RecordKind.STAGE_EVENT: STAGE_EVENT_SCHEMA,
    RecordKind.ACCOUNT: ACCOUNT_SCHEMA,
    RecordKind.LEAD: LEAD_SCHEMA,
    RecordKind.ACTIVITY: ACTIVITY_SCHEMA,
    RecordKind.TEAM_MEMBER: TEAM_MEMBER_SCHEMA,
    RecordKind.PRODUCT: PRODUCT_SCHEMA,
    RecordKind.FX_RATE: FX_RATE_SCHEMA,
}


def empty_frame(kind: RecordKind) -> pl.DataFrame:
    """A zero-row frame with the canonical columns of `kind`."""
    return pl.DataFrame(schema=SCHEMAS[kind])


def conform(kind: RecordKind, frame: pl.DataFrame) -> pl.DataFrame:
    """Select and cast `frame` to the canonical schema of `kind`; missing columns become null."""
    schema = SCHEMAS[kind]
    columns = [
        (pl.col(name).cast(dtype) if name in frame.columns else pl.lit(None, dtype)).alias(name)
        for name, dtype in schema.items()
    ]
    return frame.select(columns)
