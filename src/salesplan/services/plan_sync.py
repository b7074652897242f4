"""Writing a changed `Plan` model back onto its round-trip YAML document.

A command that derives a new plan from a stored one (`plan roll-forward`) changes the model;
this module carries the changes into the ruamel document of the old text, so comments, key
order, quoting and flow style of everything unchanged survive. Only the fields a plan file
sets are written (`model_dump(exclude_unset=True)`); list items with an identity (`id`,
`path`, `stakeholder`) are matched by it, and removed items are deleted.

New money values are written as quoted decimal strings (plan.yaml refuses a YAML float for
money); other new numbers as integers or decimals (`0.402`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from salesplan.domain.plan import Plan

KEY_FIELDS = ("id", "path", "stakeholder")
MONEY_KEYS = frozenset({"amount", "entry_cost", "estimate"})
RESULT_MONEY = frozenset({"target", "actual", "shortfall"})
TARGET_KEYS = frozenset({"target", "baseline", "proposed_target", "actual"})


def sync_document(document: CommentedMap, plan: Plan, money_kpis: Collection[str]) -> None:
    """Make `document` say what `plan` says (in place). `money_kpis`: KPI ids in money.

    `lessons` is written whole: an older year's lessons (and their notes) are replaced."""
    data = plan.model_dump(exclude_unset=True)
    if "lessons" in data:
        document.pop("lessons", None)
    _sync_map(document, data, "", money_kpis)


def _is_money(
    section: str, key: str, parent: Mapping[str, Any], money_kpis: Collection[str]
) -> bool:
    if key in MONEY_KEYS or (parent.get("unit") == "money" and key in TARGET_KEYS):
        return True
    if section == "sub_plans" and key == "target":
        return True
    if section == "lessons" and "scope" in parent and key in RESULT_MONEY:
        return True
    if section == "goals" and key in TARGET_KEYS:  # a goal without `unit` of a money KPI
        return parent.get("metric") in money_kpis
    return section == "kpis" and key in TARGET_KEYS and parent.get("id") in money_kpis


def _scalar(value: Any, money: bool) -> Any:
    if isinstance(value, Decimal):
        if money:
            return DoubleQuotedScalarString(str(value))
        return int(value) if value == value.to_integral_value() else float(str(value))
    return value


def _same(old: Any, new: Any) -> bool:
    if isinstance(new, bool) or isinstance(old, bool):
        return old is new
    if isinstance(new, Decimal) and old is not None and not isinstance(old, dict | list):
        try:
            return Decimal(str(old).replace(",", "").replace("_", "")) == new
        except InvalidOperation:
            return False
    return bool(old == new)


def _empty(value: Any) -> bool:
    return value is None or value == [] or value == {}


def _build(value: Any, section: str, parent: Mapping[str, Any], key: str, kpis: Any) -> Any:
    """A new YAML node; maps inside lists whose values are all scalars are written in flow
    style (`{id: A1, …}`), and empty fields are left out."""
    if isinstance(value, dict):
        node = CommentedMap()
        for k, v in value.items():
            if not _empty(v):
                node[k] = _build(v, section, value, k, kpis)
        return node
    if isinstance(value, list):
        seq = CommentedSeq()
        for item in value:
            child = _build(item, section, parent, key, kpis)
            if isinstance(child, CommentedMap) and not any(
                isinstance(v, dict | list) for v in item.values()
            ):
                child.fa.set_flow_style()
            seq.append(child)
        if all(not isinstance(i, dict | list) for i in value):
            seq.fa.set_flow_style()
        return seq
    return _scalar(value, _is_money(section, key, parent, kpis))


def _sync_map(node: CommentedMap, data: Mapping[str, Any], section: str, kpis: Any) -> None:
    for key in [k for k in node if k not in data]:
        del node[key]
    previous: str | None = None
    for key, value in data.items():
        here = section or key
        if key in node:
            node[key] = _sync(node[key], value, here, data, key, kpis)
        elif not _empty(value):
            position = list(node).index(previous) + 1 if previous in node else 0
            node.insert(position, key, _build(value, here, data, key, kpis))
        if key in node:
            previous = key


def _key_field(items: list[Any]) -> str | None:
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    return next((k for k in KEY_FIELDS if all(isinstance(i.get(k), str) for i in items)), None)


def _sync(old: Any, new: Any, section: str, parent: Mapping[str, Any], key: str, kpis: Any) -> Any:
    if isinstance(old, CommentedMap) and isinstance(new, dict):
        _sync_map(old, new, section, kpis)
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, list):
        field = _key_field(new)
        if field is not None and all(isinstance(i, CommentedMap) for i in old):
            wanted = {i[field]: i for i in new}
            for index in reversed(range(len(old))):
                if old[index].get(field) not in wanted:
                    del old[index]
            present = {str(i.get(field)) for i in old}
            for item in old:
                _sync_map(item, wanted[str(item.get(field))], section, kpis)
            for item in new:
                if item[field] not in present:
                    old.append(_build(item, section, parent, key, kpis))
            return old
        if len(old) == len(new) and all(_same(a, b) for a, b in zip(old, new, strict=True)):
            return old
        old.clear()
        old.extend(_build(v, section, parent, key, kpis) for v in new)
        return old
    if not isinstance(new, dict | list) and _same(old, new):
        return old
    return _build(new, section, parent, key, kpis)
