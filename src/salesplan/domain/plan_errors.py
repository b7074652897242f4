"""Plan problems as (path, message id, parameters), so every face can translate them.

Pydantic's error types are mapped to salesplan's own message ids; pydantic's English text is
never shown. Paths look like `initiatives[3].owner` (list positions count from 0).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError

from salesplan.domain.plan_types import N_, RULE_ERROR

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class PlanIssue:
    """One problem in plan.yaml: errors stop an import, warnings are shown beside it."""

    path: str
    msgid: str
    params: dict[str, Any] = field(default_factory=dict)
    severity: Severity = "error"


_BY_TYPE: dict[str, str] = {
    "missing": N_("This field is required."),
    "extra_forbidden": N_("Unknown field; check its spelling against docs/plan-file.md."),
    "string_type": N_("Expected text, got {value}."),
    "int_type": N_("Expected a whole number, got {value}."),
    "int_parsing": N_("Expected a whole number, got {value}."),
    "int_from_float": N_("Expected a whole number, got {value}."),
    "decimal_parsing": N_("Expected a number such as 1200000.00, got {value}."),
    "decimal_type": N_("Expected a number such as 1200000.00, got {value}."),
    "date_type": N_("Expected a date written as YYYY-MM-DD, got {value}."),
    "date_parsing": N_("Expected a date written as YYYY-MM-DD, got {value}."),
    "date_from_datetime_parsing": N_("Expected a date written as YYYY-MM-DD, got {value}."),
    "date_from_datetime_inexact": N_("Expected a date written as YYYY-MM-DD, got {value}."),
    "literal_error": N_("{value} is not allowed here; use one of: {choices}."),
    "list_type": N_("Expected a list."),
    "model_type": N_("Expected a section of named fields."),
    "model_attributes_type": N_("Expected a section of named fields."),
    "dict_type": N_("Expected a section of named fields."),
    "bool_type": N_("Expected true or false, got {value}."),
    "bool_parsing": N_("Expected true or false, got {value}."),
    "greater_than_equal": N_("{value} is too small; the minimum is {limit}."),
    "greater_than": N_("{value} is too small; it must be above {limit}."),
    "less_than_equal": N_("{value} is too large; the maximum is {limit}."),
    "less_than": N_("{value} is too large; it must be below {limit}."),
    "string_too_short": N_("This must not be empty."),
    "too_short": N_("This list needs at least {limit} entries."),
    "string_pattern_mismatch": N_("{value} does not have the expected form ({pattern})."),
    "string_too_long": N_("{value} is too long; at most {limit} characters."),
}
FALLBACK = N_("Invalid value ({code}).")
PATH_MESSAGE = N_("{path}: {message}")
"""How a face shows one issue: the path, then the translated message."""

_UNION_PARTS = {"str", "int", "bool", "decimal", "float", "list", "none", "dict"}


def format_path(loc: Sequence[int | str]) -> str:
    """('initiatives', 3, 'owner') → 'initiatives[3].owner'; union member names dropped."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif "[" in part or "(" in part or part in _UNION_PARTS:
            continue
        else:
            text += f".{part}" if text else part
    return text or "(plan)"


def _show(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:57] + "..."


def _issue(error: Any) -> PlanIssue:
    kind = str(error["type"])
    ctx = dict(error.get("ctx") or {})
    path = format_path(error["loc"])
    if kind == RULE_ERROR:
        msgid = str(ctx.pop("msgid"))
        return PlanIssue(path, msgid, {k: str(v) for k, v in ctx.items()})
    params: dict[str, Any] = {"value": _show(error.get("input")), "code": kind}
    if "expected" in ctx:
        params["choices"] = str(ctx["expected"]).replace("'", "").replace(" or ", ", ")
    for key in ("ge", "gt", "le", "lt", "min_length", "max_length"):
        if key in ctx:
            params["limit"] = str(ctx[key])
    if "pattern" in ctx:
        params["pattern"] = str(ctx["pattern"])
    return PlanIssue(path, _BY_TYPE.get(kind, FALLBACK), params)


def validation_issues(exc: ValidationError) -> list[PlanIssue]:
    """Every problem pydantic found, one per path (a union reports each member otherwise)."""
    return dedupe(_issue(error) for error in exc.errors(include_url=False))


def dedupe(issues: Iterable[PlanIssue]) -> list[PlanIssue]:
    seen: set[str] = set()
    result = []
    for issue in issues:
        if issue.path not in seen:
            seen.add(issue.path)
            result.append(issue)
    return result
