"""`salesplan leads score`: the plan's criteria and priority rules on hand-made leads."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from salesplan.cli import run
from salesplan.domain.plan_market import Condition, PriorityRule
from salesplan.planning.qualification import meets, qualify


def _c(field: str, operator: str, value: Any = None) -> Condition:
    return Condition.model_validate({"field": field, "operator": operator, "value": value})


@pytest.mark.parametrize(
    ("condition", "value", "expected"),
    [
        (_c("lead.source", "eq", "Referral"), " referral ", True),  # case and spaces ignored
        (_c("lead.source", "ne", "referral"), None, True),  # missing is "not equal"
        (_c("lead.source", "eq", "referral"), None, False),
        (_c("lead.company_size", "in", ["51-200", "1000+"]), "1000+", True),
        (_c("lead.company_size", "not_in", ["51-200"]), "1-50", True),
        (_c("lead.employees", "ge", 100), 100, True),
        (_c("lead.employees", "gt", 100), "99", False),  # numbers compare as numbers
        (_c("lead.employees", "lt", 100), None, False),
        (_c("lead.industry", "contains", "tech"), "FinTech", True),
        (_c("lead.owner_id", "exists", True), "", False),
        (_c("lead.owner_id", "exists", False), None, True),
        (_c("lead.created_on", "ge", "2025-06-01"), dt.date(2025, 7, 1), True),
    ],
)
def test_operators(condition: Condition, value: Any, expected: bool) -> None:
    assert meets(condition, value) is expected


def test_qualify_by_hand() -> None:
    leads = pl.DataFrame(
        {
            "id": ["L1", "L2", "L3", "L4", "L5"],
            "company_size": ["1000+", "1-50", "51-200", None, "51-200"],
            "status": ["sql", "new", "disqualified", "new", "converted"],
            "source": ["referral", "referral", "web", "web", "web"],
            "converted_on": [dt.date(2025, 1, 5), None, None, None, dt.date(2025, 2, 1)],
        }
    )
    criteria = [
        _c("lead.company_size", "in", ["51-200", "1000+"]),
        _c("lead.status", "ne", "disqualified"),
        _c("account.employees", "gt", 50),  # cannot be judged from a lead
    ]
    rules = [
        PriorityRule(name="Big", when=[_c("lead.company_size", "eq", "1000+")], priority=2),
        PriorityRule(
            name="Referral", when=[_c("lead.source", "eq", "referral")], priority=1, route_to="ae"
        ),
    ]
    result = qualify(leads, criteria, rules)
    got = {s.lead_id: (s.qualified, s.failed, s.band, s.route_to) for s in result.leads}
    size = "lead.company_size in [51-200, 1000+]"
    assert got == {
        "L1": (True, None, "P1", "ae"),  # both rules match; priority 1 wins
        "L2": (False, size, None, None),  # 1-50 is not a listed size
        "L3": (False, "lead.status ne disqualified", None, None),
        "L4": (False, size, None, None),  # a missing size fails `in`
        "L5": (True, None, None, None),  # qualified, no rule matches
    }
    assert result.skipped == ["account.employees gt 50"]
    assert [(f.criterion, f.failed_first) for f in result.failures] == [
        (size, 2),
        ("lead.status ne disqualified", 1),
    ]
    # Converted: qualified L1, L5 both (2 of 2); unqualified 0 of 3.
    q, u = result.qualified_conversion, result.unqualified_conversion
    assert (q.successes, q.n, u.successes, u.n) == (2, 2, 0, 3)


def test_cli_leads_score(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = str(tmp_path / "ws")
    assert run(["-q", "--workspace", ws, "demo-data", "--as-of", "2026-11-28"]) == 0
    capsys.readouterr()
    assert run(["-q", "--workspace", ws, "leads", "score"]) == 1
    assert "plan new" in capsys.readouterr().err
    assert run(["-q", "--workspace", ws, "plan", "new", "--type", "annual", "--lang", "en"]) == 0
    capsys.readouterr()
    assert run(["-q", "--workspace", ws, "leads", "score", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert set(document) == {"as_of", "currency", "locale", "lead_scores", "warnings"}
    doc = document["lead_scores"]
    assert doc["criteria"] == 2 and doc["priority_rules"] == 2
    assert doc["qualified"] + doc["unqualified"] == len(doc["leads"]) > 0
    assert sum(f["leads"] for f in doc["failures"]) == doc["unqualified"]
    assert all(lead["qualified"] == (lead["failed"] is None) for lead in doc["leads"])
    assert run(["-q", "--workspace", ws, "leads", "score", "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("id,qualified,failed,band,route_to")
