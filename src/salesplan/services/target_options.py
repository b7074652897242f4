"""Target inputs from option text (`--growth 25%`, `--weights yoy=0.5,…`, `--hire 2027-04:ae:2`,
`--lock 2027-03=1000000`), as the CLI and later web forms write them.

Every malformed value becomes a ConfigError naming the option and the value.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from salesplan.domain.targets import PlannedHire, TargetInputs
from salesplan.errors import ConfigError
from salesplan.i18n.money import decimal_to_minor, parse_decimal_exact
from salesplan.services.targets import target_inputs

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def _bad(option: str, value: str) -> ConfigError:
    return ConfigError(
        "The option {option} cannot use the value {value}; see `salesplan targets --help`.",
        option=option,
        value=value,
    )


def parse_rate(text: str, option: str) -> Decimal:
    """`25%` → 0.25 and `0.25` → 0.25, exactly."""
    value = text.strip()
    try:
        if value.endswith("%"):
            return parse_decimal_exact(value[:-1]) / 100
        return parse_decimal_exact(value)
    except (ValueError, InvalidOperation):
        raise _bad(option, text) from None


def parse_pairs(text: str, option: str) -> dict[str, Decimal]:
    """`a=0.5,b=50%` → {"a": 0.5, "b": 0.5}."""
    result: dict[str, Decimal] = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise _bad(option, text)
        result[key.strip()] = parse_rate(value, option)
    return result


def parse_amount(text: str, currency: str, option: str) -> int:
    """A plain decimal amount in the plan currency → minor units (never rounded)."""
    try:
        return decimal_to_minor(parse_decimal_exact(text), currency)
    except (ValueError, InvalidOperation):
        raise _bad(option, text) from None


def parse_hire(text: str) -> PlannedHire:
    """`START[:ROLE[:COUNT]]`, START as 2027-04 (the 1st) or 2027-04-15."""
    parts = text.split(":")
    try:
        start_text = parts[0].strip()
        if match := _MONTH.match(start_text):
            start = dt.date(int(match.group(1)), int(match.group(2)), 1)
        else:
            start = dt.date.fromisoformat(start_text)
        role = parts[1].strip().lower() if len(parts) > 1 and parts[1].strip() else "ae"
        count = int(parts[2]) if len(parts) > 2 else 1
        if len(parts) > 3 or count < 1:
            raise ValueError(text)
    except ValueError:
        raise _bad("--hire", text) from None
    return PlannedHire(start=start, role=role, count=count)


def parse_locks(
    texts: Sequence[str], year: int, currency: str
) -> tuple[dict[int, int], dict[str, int]]:
    """`2027-03=1000000` locks a month of `year`; `KEY=AMOUNT` locks a group."""
    months: dict[int, int] = {}
    groups: dict[str, int] = {}
    for text in texts:
        key, sep, value = text.partition("=")
        key = key.strip()
        if not sep or not key:
            raise _bad("--lock", text)
        amount = parse_amount(value, currency, "--lock")
        if match := _MONTH.match(key):
            if int(match.group(1)) != year or not 1 <= int(match.group(2)) <= 12:
                raise _bad("--lock", text)
            months[int(match.group(2))] = amount
        else:
            groups[key] = amount
    return months, groups


def inputs_from_options(
    *,
    year: int,
    currency: str,
    method: str = "blend",
    growth: str | None = None,
    market_growth: str | None = None,
    attainment: str | None = None,
    attrition: str | None = None,
    weights: str | None = None,
    hires: Sequence[str] = (),
    hiring_lead: int | None = None,
    distribution: str | None = None,
    by: str | None = None,
    basis: str | None = None,
    shares: str | None = None,
    locks: Sequence[str] = (),
) -> TargetInputs:
    """TargetInputs from option text; unset options keep the model's defaults."""
    fields: dict[str, Any] = {"year": year, "method": method}
    for name, text in (
        ("growth", growth),
        ("market_growth", market_growth),
        ("attainment", attainment),
        ("attrition", attrition),
    ):
        if text is not None:
            fields[name] = parse_rate(text, "--" + name.replace("_", "-"))
    if weights is not None:
        fields["weights"] = parse_pairs(weights, "--weights")
    if hires:
        fields["planned_hires"] = tuple(parse_hire(h) for h in hires)
    if hiring_lead is not None:
        fields["hiring_lead_months"] = hiring_lead
    if distribution is not None:
        fields["month_distribution"] = tuple(
            parse_rate(v, "--distribution") * (100 if v.strip().endswith("%") else 1)
            for v in distribution.split(",")
        )
    if by is not None:
        fields["by"] = {"rep": "owner", "owner_id": "owner"}.get(by.lower(), by.lower())
    if shares is not None:
        fields["shares"] = parse_pairs(shares, "--shares")
        fields["basis"] = basis or "explicit"
    elif basis is not None:
        fields["basis"] = basis
    if locks:
        fields["locked_months"], fields["locked_groups"] = parse_locks(locks, year, currency)
    return target_inputs(**fields)
