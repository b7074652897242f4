"""The plan's lead qualification criteria and priority rules, executed on imported leads.

A lead is qualified when it meets every criterion (`lead.<column> operator value`); the
first criterion it fails is reported. Conditions on other records (opportunity., account.)
cannot be judged from a lead and are listed as `skipped`, never failed.

Operators on a lead's value v: eq/ne (equal / not equal), in/not_in (member of the list),
gt/ge/lt/le (numbers compare as numbers, anything else as text), contains (text contains
the value), exists (v present when value is true, absent when false). Text compares
case-insensitively after trimming. A missing value (null or no such column) fails every
operator except ne, not_in and `exists false`.

Priority: among the rules whose conditions a qualified lead all meets, the lowest
`priority` (1 = work first) wins (ties: the first rule); its band is `P<priority>`.
Qualified leads matching no rule get no band; unqualified leads are not prioritised.
Converted = `converted_on` set or status `converted`; the qualified and unqualified
conversion rates (Wilson) show whether the rules separate leads that convert.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from salesplan.analytics.rates import Rate, rate
from salesplan.domain.plan_market import Condition, PriorityRule


@dataclass(frozen=True, slots=True)
class LeadScore:
    lead_id: str
    qualified: bool
    failed: str | None
    """The first failed criterion as `field operator value`, None when qualified."""
    priority: int | None
    band: str | None
    rule: str | None
    route_to: str | None
    converted: bool


@dataclass(frozen=True, slots=True)
class CriterionCount:
    criterion: str
    failed_first: int


@dataclass(frozen=True, slots=True)
class Qualified:
    leads: list[LeadScore]
    skipped: list[str]
    failures: list[CriterionCount]
    qualified_conversion: Rate
    unqualified_conversion: Rate


def describe(condition: Condition) -> str:
    value = condition.value
    shown = "[" + ", ".join(str(v) for v in value) + "]" if isinstance(value, list) else value
    return f"{condition.field} {condition.operator} {shown}"


def _text(value: Any) -> str:
    return str(value).strip().casefold()


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return None


def _equal(left: Any, right: Any) -> bool:
    a, b = _number(left), _number(right)
    if a is not None and b is not None:
        return a == b
    return _text(left) == _text(right)


def _order(left: Any, right: Any) -> int:
    a, b = _number(left), _number(right)
    if a is not None and b is not None:
        return (a > b) - (a < b)
    x = left.isoformat() if isinstance(left, dt.date) else _text(left)
    y = _text(right)
    return (x > y) - (x < y)


def meets(condition: Condition, value: Any) -> bool:
    """Whether a lead's value meets one condition (see module doc)."""
    op, target = condition.operator, condition.value
    present = value is not None and _text(value) != ""
    if op == "exists":
        return present == bool(target)
    if not present:
        return op in ("ne", "not_in")
    if op in ("in", "not_in"):
        members = target if isinstance(target, list) else [target]
        inside = any(_equal(value, m) for m in members)
        return inside if op == "in" else not inside
    if op == "eq":
        return _equal(value, target)
    if op == "ne":
        return not _equal(value, target)
    if op == "contains":
        return _text(target) in _text(value)
    sign = _order(value, target)
    return {"gt": sign > 0, "ge": sign >= 0, "lt": sign < 0, "le": sign <= 0}[op]


def _judgeable(condition: Condition) -> bool:
    return condition.field.partition(".")[0] == "lead"


def _value(lead: Mapping[str, Any], condition: Condition) -> Any:
    return lead.get(condition.field.partition(".")[2])


def qualify(
    leads: pl.DataFrame, criteria: Sequence[Condition], rules: Sequence[PriorityRule]
) -> Qualified:
    """Each lead qualified or not (first failed criterion), with its priority band."""
    judged = [c for c in criteria if _judgeable(c)]
    usable = [r for r in rules if all(_judgeable(c) for c in r.when)]
    skipped = [describe(c) for c in criteria if not _judgeable(c)]
    skipped += [r.name for r in rules if r not in usable]
    counts = {describe(c): 0 for c in judged}
    scores = []
    for lead in leads.iter_rows(named=True):
        failed = next((c for c in judged if not meets(c, _value(lead, c))), None)
        converted = lead.get("converted_on") is not None or lead.get("status") == "converted"
        rule = None
        if failed is None:
            matching = [r for r in usable if all(meets(c, _value(lead, c)) for c in r.when)]
            rule = min(matching, key=lambda r: r.priority) if matching else None
        else:
            counts[describe(failed)] += 1
        scores.append(
            LeadScore(
                lead_id=str(lead.get("id")),
                qualified=failed is None,
                failed=describe(failed) if failed is not None else None,
                priority=rule.priority if rule else None,
                band=f"P{rule.priority}" if rule else None,
                rule=rule.name if rule else None,
                route_to=rule.route_to if rule else None,
                converted=converted,
            )
        )
    good = [s for s in scores if s.qualified]
    bad = [s for s in scores if not s.qualified]
    return Qualified(
        leads=scores,
        skipped=skipped,
        failures=[CriterionCount(k, n) for k, n in counts.items()],
        qualified_conversion=rate(sum(s.converted for s in good), len(good)),
        unqualified_conversion=rate(sum(s.converted for s in bad), len(bad)),
    )
