"""Where the plan's qualification rules and the conversion history disagree.

Criteria on the outcome itself (OUTCOME_FIELDS: status, converted_on, opportunity_id,
disqualify_reason) are left out: a disqualified lead fails `status ne disqualified` because
it did not convert, which says nothing about the rule. Per remaining criterion
(`lead.<column> operator value`), among *decided* leads (converted or disqualified): the
conversion rate of the leads meeting it and of those failing it, each with
n and its 95 % Wilson interval. Verdict:

- `agrees` when the meeting leads' interval lies wholly above the failing leads' interval;
- `contradicts` when the failing leads' interval lies wholly above the meeting leads': the
  criterion turns away leads that convert better, beyond sampling noise;
- `unclear` otherwise (overlapping intervals, or one side empty).

Groups: decided leads meeting every remaining criterion (qualified by their attributes) and
the others, each with its conversion rate and Wilson interval. Per lead, when both groups
have leads: `rejected_but_likely` when the rules reject it but its conversion score is at
least the higher of the two groups' upper bounds (the data expects it to convert better than
either group plausibly does); `qualified_but_unlikely` when the rules accept it but its score
is below the lower of the two lower bounds; else None.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from salesplan.analytics.lead_scoring import OUTCOME
from salesplan.analytics.rates import Rate, rate
from salesplan.domain.plan_market import Condition
from salesplan.planning.qualification import describe, meets

OUTCOME_FIELDS = frozenset({"status", "converted_on", "opportunity_id", "disqualify_reason"})


def attribute_criteria(criteria: Sequence[Condition]) -> list[Condition]:
    """Lead criteria that can be judged before the outcome is known."""
    found = []
    for condition in criteria:
        record, _, column = condition.field.partition(".")
        if record == "lead" and column not in OUTCOME_FIELDS:
            found.append(condition)
    return found


@dataclass(frozen=True, slots=True)
class CriterionCheck:
    criterion: str
    meeting: Rate
    failing: Rate
    verdict: str
    """`agrees`, `contradicts` or `unclear`."""


def _verdict(meeting: Rate, failing: Rate) -> str:
    if meeting.n == 0 or failing.n == 0:
        return "unclear"
    assert meeting.low is not None and meeting.high is not None
    assert failing.low is not None and failing.high is not None
    if meeting.low > failing.high:
        return "agrees"
    if failing.low > meeting.high:
        return "contradicts"
    return "unclear"


def criteria_against_history(
    decided: pl.DataFrame, criteria: Sequence[Condition]
) -> list[CriterionCheck]:
    """Each lead criterion's meeting vs failing conversion rate among decided leads."""
    checks = []
    rows = list(decided.iter_rows(named=True))
    for condition in attribute_criteria(criteria):
        column = condition.field.partition(".")[2]
        met = [meets(condition, row.get(column)) for row in rows]
        good = [int(row[OUTCOME]) for row, ok in zip(rows, met, strict=True) if ok]
        bad = [int(row[OUTCOME]) for row, ok in zip(rows, met, strict=True) if not ok]
        meeting, failing = rate(sum(good), len(good)), rate(sum(bad), len(bad))
        checks.append(
            CriterionCheck(describe(condition), meeting, failing, _verdict(meeting, failing))
        )
    return checks


def group_rates(decided: pl.DataFrame, criteria: Sequence[Condition]) -> tuple[Rate, Rate]:
    """(qualified, not qualified) conversion among decided leads, by attribute criteria."""
    judged = attribute_criteria(criteria)
    good: list[int] = []
    bad: list[int] = []
    for row in decided.iter_rows(named=True):
        ok = all(meets(c, row.get(c.field.partition(".")[2])) for c in judged)
        (good if ok else bad).append(int(row[OUTCOME]))
    return rate(sum(good), len(good)), rate(sum(bad), len(bad))


def lead_disagreement(
    qualified: bool, score: float | None, qualified_rate: Rate, unqualified_rate: Rate
) -> str | None:
    """`rejected_but_likely`, `qualified_but_unlikely` or None (see module doc)."""
    groups = (qualified_rate, unqualified_rate)
    if score is None or any(r.n == 0 for r in groups):
        return None
    high = max(r.high for r in groups if r.high is not None)
    low = min(r.low for r in groups if r.low is not None)
    if not qualified and score >= high:
        return "rejected_but_likely"
    if qualified and score < low:
        return "qualified_but_unlikely"
    return None
