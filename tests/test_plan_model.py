"""The plan model: templates, validation messages with paths, JSON Schema, YAML round-trip."""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from salesplan.domain.plan import plan_json_schema
from salesplan.domain.plan_templates import plan_period
from salesplan.domain.plan_types import PLAN_TYPES
from salesplan.errors import DataError
from salesplan.i18n import translator
from salesplan.services.plan_fill import template_plan_text
from salesplan.services.plan_store import (
    check_text,
    dump_document,
    parse_document,
)

AS_OF = dt.date(2026, 11, 28)
DOCS = Path(__file__).resolve().parents[1] / "docs"


@cache
def _template(plan_type: str = "annual", lang: str = "en") -> str:
    return template_plan_text(plan_type, lang, AS_OF, "CNY")


def _edit(text: str, path: list[Any], value: Any) -> str:
    doc = parse_document(text, "t")
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return dump_document(doc)


def _only_issue(text: str) -> tuple[str, str, dict[str, Any]]:
    issues = [i for i in check_text(text, "plan.yaml").issues if i.severity == "error"]
    assert len(issues) == 1, issues
    return issues[0].path, issues[0].msgid, issues[0].params


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("plan_type", PLAN_TYPES)
def test_every_template_is_a_valid_plan(plan_type: str, lang: str) -> None:
    checked = check_text(_template(plan_type, lang), "template")
    assert checked.issues == []
    assert checked.plan is not None
    assert (checked.plan.type, checked.plan.language) == (plan_type, lang)
    # as of 2026-11-28 (after October) plans are for next year; 30-60-90 starts tomorrow
    if plan_type == "30-60-90":
        assert (checked.plan.starts, checked.plan.ends) == (
            dt.date(2026, 11, 29),
            dt.date(2027, 2, 26),
        )
        assert [p.ends for p in checked.plan.phases] == [
            dt.date(2026, 12, 28),
            dt.date(2027, 1, 27),
            dt.date(2027, 2, 26),
        ]  # day 30 = Nov 29 + 29 days, day 60 = + 59, day 90 = + 89
    else:
        assert checked.plan.year == 2027
    if plan_type == "expansion":
        assert checked.plan.expansion is not None and checked.plan.expansion.time_zones
    if plan_type == "new-product":
        assert checked.plan.launch is not None


def test_plan_period_before_october_is_this_year() -> None:
    period = plan_period("annual", dt.date(2026, 3, 5))
    assert (period.year, period.start, period.anchor) == (
        2026,
        dt.date(2026, 1, 1),
        dt.date(2026, 3, 6),
    )


def test_round_trip_keeps_comments_order_and_quotes() -> None:
    text = _template()
    doc = parse_document(text, "t")
    assert dump_document(doc) == text  # unchanged document: byte for byte
    doc["goals"][0]["target"] = "150000000.00"
    edited = dump_document(doc)
    assert "# Goals: one top-level goal broken into operational goals" in edited
    assert "# Rules another command can execute on lead records" in edited
    keys = [line.split(":")[0] for line in edited.splitlines() if line and line[0].isalpha()]
    assert keys[:8] == [
        "schema_version",
        "type",
        "year",
        "language",
        "title",
        "currency",
        "starts",
        "ends",
    ]
    assert 'amount: "0.00"' in edited  # quoted money stays quoted


def test_missing_field_names_its_path() -> None:
    doc = parse_document(_template(), "t")
    del doc["initiatives"][0]["title"]
    path, msgid, _ = _only_issue(dump_document(doc))
    assert (path, msgid) == ("initiatives[0].title", "This field is required.")


def test_unknown_field_is_an_error() -> None:
    text = _edit(_template(), ["goals", 1, "taget"], 5)
    path, msgid, _ = _only_issue(text)
    assert path == "goals[1].taget"
    assert msgid.startswith("Unknown field")


def test_two_owners_is_one_dri_error() -> None:
    text = _edit(_template(), ["initiatives", 0, "owner"], ["Li Wei", "Anna"])
    path, msgid, _ = _only_issue(text)
    assert path == "initiatives[0].owner"
    assert msgid == "Name exactly one DRI (a team member id or name), not a list."


@pytest.mark.parametrize(
    ("path", "value", "msgid", "params"),
    [
        (
            ["goals", 0, "due"],
            "31/12/2027",
            "Expected a date written as YYYY-MM-DD, got {value}.",
            {"value": "31/12/2027"},
        ),
        (
            ["goals", 0, "level"],
            "main",
            "{value} is not allowed here; use one of: {choices}.",
            {"value": "main", "choices": "top, operational"},
        ),
        (
            ["goals", 0, "target"],
            "lots",
            "Expected a number such as 1200000.00, got {value}.",
            {"value": "lots"},
        ),
        (
            ["budget", 0, "amount"],
            1.5,
            'Write money as a quoted decimal string such as "1200000.00", not {value}.',
            {"value": "1.5"},
        ),
        (
            ["team", "handoffs", 0, "sla_hours"],
            -1,
            "{value} is too small; the minimum is {limit}.",
            {"value": "-1", "limit": "0"},
        ),
        (["year"], "next", "Expected a whole number, got {value}.", {"value": "next"}),
        (["goals"], "grow", "Expected a list.", {}),
        (
            ["pricing", "promotions", 1, "discount"],
            0.2,
            "The discount {discount} is above the guardrail's max_discount {cap}.",
            {"discount": "0.2", "cap": "0.15"},
        ),
        (["pricing", "promotions", 0, "trial_days"], None, "A free trial needs trial_days.", {}),
        (
            ["qualification", "criteria", 0, "operator"],
            "eq",
            "The operator {operator} needs {expected}.",
            {"operator": "eq", "expected": "one value"},
        ),
        (
            ["qualification", "criteria", 1, "field"],
            "status",
            "{value} is not a field; write record.column with record one of: {choices}.",
            {"value": "status", "choices": "lead, opportunity, account"},
        ),
        (["kpis", 4, "thresholds", "at_risk"], 0.99, "at_risk must be below on_track.", {}),
        (
            ["ends"],
            dt.date(2026, 12, 1),
            "The end date {ends} is before the start date {starts}.",
            {"ends": "2026-12-01", "starts": "2027-01-01"},
        ),
    ],
)
def test_each_validation_message(
    path: list[Any], value: Any, msgid: str, params: dict[str, str]
) -> None:
    issue_path, issue_msgid, issue_params = _only_issue(_edit(_template(), path, value))
    assert issue_msgid == msgid
    for key, expected in params.items():
        assert issue_params[key] == expected
    assert issue_path.startswith(str(path[0])) or issue_path == "(plan)"


def test_expansion_plan_needs_its_section() -> None:
    doc = parse_document(_template("expansion"), "t")
    del doc["expansion"]
    path, msgid, _ = _only_issue(dump_document(doc))
    assert (path, msgid) == ("(plan)", "A market expansion plan needs the expansion section.")


def test_reference_errors_name_the_path() -> None:
    text = _edit(_template(), ["goals", 2, "parent"], "G9")
    text = _edit(text, ["initiatives", 0, "kpi"], "happiness")
    text = _edit(text, ["actions", 1, "id"], "A1")
    issues = {
        (i.path, i.msgid, tuple(sorted(i.params.items()))) for i in check_text(text, "t").issues
    }
    assert issues == {
        ("goals[2].parent", "{value} is not a known {kind}.", (("kind", "goal"), ("value", "G9"))),
        (
            "initiatives[0].kpi",
            "{value} is not a known {kind}.",
            (("kind", "KPI"), ("value", "happiness")),
        ),
        ("actions[0].id", "The id {value} is used twice.", (("value", "A1"),)),
        ("actions[1].id", "The id {value} is used twice.", (("value", "A1"),)),
    }


def test_unknown_team_member_is_a_warning() -> None:
    text = _edit(_template(), ["team", "roles", 0, "members"], ["EMP-1", "EMP-404"])
    issues = check_text(text, "t", {"EMP-1"}).issues
    assert [(i.path, i.severity) for i in issues] == [("team.roles[0].members[1]", "warning")]


def test_messages_are_translated_with_the_path() -> None:
    text = _edit(_template(), ["goals", 0, "due"], "soon")
    issue = check_text(text, "t").issues[0]
    zh = translator("zh_CN")
    shown = zh.gettext(
        "{path}: {message}", path=issue.path, message=zh.gettext(issue.msgid, **issue.params)
    )
    assert shown == "goals[0].due：应为 YYYY-MM-DD 格式的日期，实际为 soon。"


def test_yaml_syntax_error_names_line_and_column() -> None:
    with pytest.raises(DataError) as caught:
        parse_document("goals:\n  - id: G1\n   level: top\n", "plan.yaml")
    assert caught.value.params["file"] == "plan.yaml"
    assert caught.value.params["line"] == 3


def test_published_schema_is_the_generated_one() -> None:
    committed = json.loads((DOCS / "plan.schema.json").read_text("utf-8"))
    assert committed == plan_json_schema(), (
        "regenerate: salesplan plan schema --out docs/plan.schema.json"
    )
    assert committed["title"] == "salesplan plan.yaml"
    assert committed["additionalProperties"] is False


def test_the_examples_in_the_docs_are_valid_plans() -> None:
    text = (DOCS / "plan-file.md").read_text("utf-8")
    blocks = [b.split("```", 1)[0] for b in text.split("```yaml\n")[1:]]
    languages = []
    for block in blocks:
        checked = check_text(block, "docs/plan-file.md")
        assert checked.issues == [] and checked.plan is not None
        languages.append(checked.plan.language)
    assert languages == ["en", "zh"]
