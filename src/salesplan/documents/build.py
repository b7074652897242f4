"""Assembling the written plan from its inputs, in the order of the guide (撰写销售计划)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from salesplan.documents.appendix import appendix_section
from salesplan.documents.goals import goals_section
from salesplan.documents.inputs import ReportInputs
from salesplan.documents.market import (
    leads_section,
    market_section,
    positioning_section,
    strategy_section,
)
from salesplan.documents.model import Day, Report, Section, _t
from salesplan.documents.plan_sections import (
    action_section,
    mission_section,
    resources_section,
    team_section,
)
from salesplan.documents.summary import summary_section

BUILDERS: dict[str, Callable[[ReportInputs], Section]] = {
    "summary": summary_section,
    "mission": mission_section,
    "team": team_section,
    "market": market_section,
    "resources": resources_section,
    "positioning": positioning_section,
    "strategy": strategy_section,
    "leads": leads_section,
    "actions": action_section,
    "goals": goals_section,
    "appendix": appendix_section,
}
SECTION_KEYS: tuple[str, ...] = tuple(BUILDERS)


def build_report(inputs: ReportInputs, sections: Sequence[str] | None = None) -> Report:
    """The plan with `sections` (keys of SECTION_KEYS, in the guide's order; default all)."""
    wanted = set(sections or SECTION_KEYS)
    return Report(
        year=inputs.year,
        as_of=inputs.as_of,
        currency=inputs.currency,
        title=_t("Sales plan {year}", year=str(inputs.year)),
        subtitle=_t("Computed from CRM data as of {date}", date=Day(inputs.as_of)),
        sections=[BUILDERS[key](inputs) for key in SECTION_KEYS if key in wanted],
    )
