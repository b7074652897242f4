"""What changed between two plan versions, section by section, in words a person can read.

`diff_plans(old, new)` compares two validated `Plan` models (not their YAML text, so comments,
quoting and key order do not count as changes). List items that carry an identity are matched
by it (`id`; sub-plans by `path`; initiative stakeholders by `stakeholder`), so reordering a
list is not a change and a path names the item: `goals[G1].target`. Other lists (plain values,
hand-offs) are compared whole. Money and numbers stay Decimal: `120000000 → 110000000.50` is
shown exactly as written, and `120000000` equals `120000000.00` (same amount, no change).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from salesplan.domain.plan import Plan

ChangeKind = Literal["added", "removed", "changed"]

KEY_FIELDS: tuple[str, ...] = ("id", "path", "stakeholder")
"""Fields that identify a list item, tried in this order."""


@dataclass(frozen=True, slots=True)
class PlanChange:
    """One difference: `old`/`new` are plain values (Decimal, date, str, dict, list, None)."""

    path: str
    change: ChangeKind
    old: Any
    new: Any


def diff_plans(old: Plan, new: Plan) -> list[PlanChange]:
    """Every difference from `old` to `new`, in the order of the plan's sections."""
    return list(_diff(old.model_dump(), new.model_dump(), ""))


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _diff(old: Any, new: Any, path: str) -> Iterator[PlanChange]:
    if isinstance(old, dict) and isinstance(new, dict):
        keys = list(new) + [k for k in old if k not in new]
        for key in keys:
            yield from _diff(old.get(key), new.get(key), _join(path, str(key)))
        return
    if isinstance(old, list) and isinstance(new, list):
        key = _key_field(old + new)
        if key is not None:
            yield from _diff_keyed(old, new, key, path)
            return
    if old == new:
        return
    if old is None and isinstance(new, dict):
        yield PlanChange(path, "added", None, new)
    elif new is None and isinstance(old, dict):
        yield PlanChange(path, "removed", old, None)
    else:
        yield PlanChange(path, "changed", old, new)


def _key_field(items: list[Any]) -> str | None:
    """The field that identifies every item of a list of mappings, or None."""
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    for key in KEY_FIELDS:
        values = [i.get(key) for i in items]
        if all(isinstance(v, str) for v in values):
            return key
    return None


def _diff_keyed(old: list[Any], new: list[Any], key: str, path: str) -> Iterator[PlanChange]:
    before = {item[key]: item for item in old}
    after = {item[key]: item for item in new}
    for ident, item in before.items():
        if ident not in after:
            yield PlanChange(f"{path}[{ident}]", "removed", item, None)
    for ident, item in after.items():
        item_path = f"{path}[{ident}]"
        if ident not in before:
            yield PlanChange(item_path, "added", None, item)
        else:
            yield from _diff(before[ident], item, item_path)


def plain(value: Any) -> Any:
    """JSON-ready form: Decimal as an exact string, dates ISO, containers recursively."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items() if v not in (None, [], {})}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def shown(value: Any) -> str:
    """One-line text of a value for tables: `120000000`, `2027-03-31`, `{id: G1, …}`, `–`."""
    if value is None:
        return "–"
    if isinstance(value, dict):
        inner = ", ".join(f"{k}: {shown(v)}" for k, v in plain(value).items())
        return "{" + inner + "}"
    if isinstance(value, list):
        return "[" + ", ".join(shown(v) for v in value) + "]"
    return str(plain(value))


def change_line(change: PlanChange) -> str:
    """`goals[G1].target: 120000000 → 110000000`, `+ actions[A9]: {…}`, `- budget[B2]: {…}`."""
    if change.change == "added":
        return f"+ {change.path}: {shown(change.new)}"
    if change.change == "removed":
        return f"- {change.path}: {shown(change.old)}"
    return f"{change.path}: {shown(change.old)} → {shown(change.new)}"
