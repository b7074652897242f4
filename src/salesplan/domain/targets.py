"""The plan's target inputs: what a leader decides, as opposed to what the data says.

Today they come from CLI options; later the plan file embeds this model under `targets:`.
Rates are exact decimal fractions (0.25 = 25%), money is integer minor units of the plan
currency, months are the first day of the month.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from salesplan.domain.plan_types import Year

Method = Literal["yoy", "capacity", "trend", "blend"]
METHODS: tuple[str, ...] = ("yoy", "capacity", "trend", "blend")
BASE_METHODS: tuple[str, ...] = ("yoy", "capacity", "trend")
Split = Literal["quarter", "month"]
Basis = Literal["history", "capacity", "explicit"]


class PlannedHire(BaseModel):
    """A hire the plan already counts on; quota and ramp default to the role's medians."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: dt.date
    role: str = "ae"
    count: int = Field(default=1, ge=1, le=1000)
    annual_quota_minor: int | None = Field(default=None, ge=0)
    ramp_months: int | None = Field(default=None, ge=0, le=36)


class TargetInputs(BaseModel):
    """Every judgement call behind a target, with its default."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    year: Year
    method: Method = "blend"
    growth: Decimal = Field(default=Decimal("0.20"), ge=-1, le=10)
    """yoy: growth over last year's bookings."""
    market_growth: Decimal = Field(default=Decimal("0"), ge=-1, le=10)
    """trend: growth of the market on top of the fitted trend."""
    attainment: Decimal = Field(default=Decimal("0.80"), gt=0, le=2)
    """capacity: expected share of quota a ramped rep attains."""
    attrition: Decimal = Field(default=Decimal("0"), ge=0, lt=1)
    """capacity: expected annual share of quota carriers who leave."""
    quota_roles: tuple[str, ...] = ("ae", "am")
    planned_hires: tuple[PlannedHire, ...] = ()
    hiring_lead_months: int = Field(default=3, ge=0, le=24)
    weights: dict[str, Decimal] = Field(
        default_factory=lambda: {
            "yoy": Decimal("0.4"),
            "capacity": Decimal("0.3"),
            "trend": Decimal("0.3"),
        }
    )
    """blend: weight per method, summing to 1."""
    month_distribution: tuple[Decimal, ...] | None = None
    """Twelve percentages summing to 100; None uses the baseline's seasonality index."""
    locked_months: dict[int, int] = Field(default_factory=dict)
    """Month number (1–12) → fixed target in minor units."""
    by: str | None = None
    """Break the target down by region, segment, product or owner."""
    basis: Basis | None = None
    """How to share the target among groups; default: capacity for owner, else history."""
    shares: dict[str, Decimal] = Field(default_factory=dict)
    """Explicit group shares (basis `explicit`), normalised to their sum."""
    locked_groups: dict[str, int] = Field(default_factory=dict)
    """Group key → fixed annual target in minor units; the rest re-spreads."""
    weeks_per_year: int = Field(default=48, ge=1, le=53)
    """Selling weeks per rep per year, for activities per rep per week."""

    @field_validator("weights")
    @classmethod
    def _weights(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        unknown = sorted(set(value) - set(BASE_METHODS))
        if unknown:
            raise ValueError(f"unknown methods in weights: {', '.join(unknown)}")
        if any(w < 0 for w in value.values()):
            raise ValueError("weights must not be negative")
        if sum(value.values(), Decimal(0)) != 1:
            raise ValueError("weights must add up to 1")
        return value

    @field_validator("month_distribution")
    @classmethod
    def _distribution(cls, value: tuple[Decimal, ...] | None) -> tuple[Decimal, ...] | None:
        if value is None:
            return value
        if len(value) != 12 or any(v < 0 for v in value):
            raise ValueError("the month distribution needs twelve non-negative percentages")
        if sum(value, Decimal(0)) != 100:
            raise ValueError("the month distribution must add up to 100%")
        return value

    @field_validator("locked_months")
    @classmethod
    def _locked_months(cls, value: dict[int, int]) -> dict[int, int]:
        if any(not 1 <= m <= 12 for m in value) or any(v < 0 for v in value.values()):
            raise ValueError("locked months are 1–12 with non-negative amounts")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> TargetInputs:
        if self.basis == "explicit" and not self.shares:
            raise ValueError("basis explicit needs shares")
        if self.shares and any(v < 0 for v in self.shares.values()):
            raise ValueError("shares must not be negative")
        return self
