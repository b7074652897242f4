"""Building blocks shared by every section of the plan model (domain/plan.py).

Money in plan.yaml is a quoted decimal string ("1200000.00") or a whole number, read into a
Decimal; a YAML float (1.5) is refused because it cannot be exact. Rates are fractions 0–1.
Errors raised here carry their own message id (`plan_rule` errors, see `rule_error`), which
services translate; pydantic's English never reaches a person.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

RULE_ERROR = "plan_rule"
"""Pydantic error type of the plan's own rules; ctx["msgid"] is the message id."""


def N_(msgid: str, /) -> str:
    """Mark a message id for the catalogue test; translated by the face that shows it."""
    return msgid


def rule_error(msgid: str, /, **params: Any) -> PydanticCustomError:
    """A validation error whose message id and parameters services translate."""
    return PydanticCustomError(RULE_ERROR, msgid, {"msgid": msgid, **params})


def _money(value: object) -> object:
    if isinstance(value, float):
        raise rule_error(
            N_('Write money as a quoted decimal string such as "1200000.00", not {value}.'),
            value=repr(value),
        )
    if isinstance(value, str):
        try:
            return Decimal(value.strip().replace(",", "").replace("_", ""))
        except InvalidOperation:
            return value  # pydantic reports decimal_parsing with the path
    return value


def _fraction(value: object) -> object:
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


Money = Annotated[
    Decimal,
    BeforeValidator(_money),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"},
                {"type": "integer"},
            ],
            "description": "Money in the plan currency, as a decimal string.",
        }
    ),
]
"""An exact amount in the plan currency (major units, e.g. yuan)."""

Number = Annotated[
    Decimal,
    BeforeValidator(_fraction),
    WithJsonSchema({"anyOf": [{"type": "number"}, {"type": "string"}]}),
]
"""A target or a lift in the unit of its metric (rates as fractions 0–1)."""

Fraction = Annotated[
    Decimal,
    BeforeValidator(_fraction),
    WithJsonSchema({"anyOf": [{"type": "number", "minimum": 0, "maximum": 1}, {"type": "string"}]}),
]
"""A share between 0 and 1 (0.2 = 20 %); bounds are checked where it is used."""

Id = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[\w][\w.\-]*$", max_length=64)
]
"""A short identifier other sections refer to (letters, digits, `_`, `-`, `.`)."""

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Decision = Annotated[str | None, StringConstraints(strip_whitespace=True, min_length=1)]
"""What a person must decide again before the item holds (`target`, `deadline`, `continue`,
`amount`); `salesplan plan roll-forward` sets it on everything it carries into a new year.
Delete the key once decided. Absent (the default) means nothing is pending."""
Date = dt.date
FIRST_YEAR, LAST_YEAR = 2000, 2100
"""The years a plan may be for (keeps every date the plan implies in range)."""
Year = Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR)]

Unit = Literal["money", "count", "rate", "days", "ratio"]
Cadence = Literal["weekly", "biweekly", "monthly", "quarterly", "yearly"]
PlanType = Literal["30-60-90", "market-alignment", "bd", "expansion", "new-product", "annual"]
PLAN_TYPES: tuple[str, ...] = PlanType.__args__  # type: ignore[attr-defined]
Language = Literal["en", "zh"]
GrowthPath = Literal["inbound", "outbound", "bd", "channel"]


class Section(BaseModel):
    """Every part of the plan: unknown keys are errors (they are usually typos)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
