"""Tables and JSON payloads of the plan commands (`plan status`, `plan validate`, `actions`)."""

from __future__ import annotations

from typing import Any

from salesplan.cli.output import Column, Kind, TableResult
from salesplan.domain.plan_checks import GoalCheck, ItemFinding, Rollup
from salesplan.domain.plan_decisions import OpenDecision
from salesplan.domain.plan_diff import plain
from salesplan.domain.plan_errors import PATH_MESSAGE, PlanIssue
from salesplan.domain.plan_process import Step
from salesplan.i18n import N_, Translator
from salesplan.i18n.money import decimal_to_minor
from salesplan.services.plan import PlanVersion
from salesplan.services.plan_status import ActionRow
from salesplan.services.plan_store import PlanDrift, drift_warning

STATES = {"done": N_("Done"), "partial": N_("Partial"), "missing": N_("Missing")}
ITEM_CODES = {
    "overdue": N_("Overdue"),
    "ownerless": N_("No DRI"),
    "no_deadline": N_("No deadline"),
}
KINDS = {"initiative": N_("Initiative"), "action": N_("Action item")}
SEVERITY = {"error": N_("Error"), "warning": N_("Warning")}
SECTIONS = {
    "goals": N_("Goal"),
    "kpis": N_("KPI"),
    "initiatives": N_("Initiative"),
    "actions": N_("Action item"),
    "budget": N_("Budget line"),
    "sub_plans": N_("Sub-plan"),
    "target_market.segments": N_("Segment"),
}
DECISIONS = {
    "target": N_("Set this year's target"),
    "amount": N_("Set this year's amount"),
    "deadline": N_("Set a fresh deadline"),
    "continue": N_("Continue or drop"),
    "status": N_("Review the draft; set status: adopted"),
}
"""needs_decision values as table labels (an unknown value is shown as written)."""
DECIDE_TEXT = {
    "target": N_("the target"),
    "amount": N_("the amount"),
    "deadline": N_("the deadline"),
    "continue": N_("whether to continue it"),
}
"""needs_decision values inside a sentence ("decide the target")."""
FIGURES = {"money": Kind.MONEY, "rate": Kind.RATE, "date": Kind.DATE}


def issue_text(issue: PlanIssue, t: Translator) -> str:
    return t.gettext(PATH_MESSAGE, path=issue.path, message=t.gettext(issue.msgid, **issue.params))


def version_payload(version: PlanVersion | None) -> dict[str, Any] | None:
    if version is None:
        return None
    return {
        "number": version.number,
        "created_at": version.created_at.isoformat(),
        "author": version.author,
        "reason": version.reason,
        "content_hash": version.content_hash,
    }


def drift_warnings(drift: PlanDrift, t: Translator) -> list[dict[str, str]]:
    found = drift_warning(drift)
    if found is None:
        return []
    code, msgid, params = found
    return [{"code": code, "message": t.gettext(msgid, **params)}]


def steps_table(steps: list[Step], t: Translator) -> TableResult:
    return TableResult(
        title=N_("Planning process"),
        columns=[
            Column("n", N_("Step"), Kind.INT),
            Column("title", N_("What")),
            Column("state", N_("State"), labels=STATES),
            Column("notes", N_("Done and missing")),
        ],
        rows=[
            {
                "n": n,
                "title": t.gettext(s.title),
                "state": s.state,
                "notes": " ".join(t.gettext(note.msgid, **note.params) for note in s.notes),
            }
            for n, s in enumerate(steps, start=1)
        ],
    )


def steps_payload(steps: list[Step], t: Translator) -> list[dict[str, Any]]:
    return [
        {
            "step": s.key,
            "title": t.gettext(s.title),
            "state": s.state,
            "notes": [t.gettext(note.msgid, **note.params) for note in s.notes],
        }
        for s in steps
    ]


def goals_payload(goals: list[GoalCheck], t: Translator) -> list[dict[str, Any]]:
    return [
        {
            "goal": g.goal,
            "smart": g.smart,
            "specific": g.specific,
            "measurable": g.measurable,
            "achievable": g.achievable,
            "relevant": g.relevant,
            "time_bound": g.time_bound,
            "findings": [
                {"code": f.code, "message": t.gettext(f.msgid, **f.params)} for f in g.findings
            ],
        }
        for g in goals
    ]


def goals_table(goals: list[GoalCheck], t: Translator) -> TableResult:
    def mark(value: bool | None) -> str:
        return "–" if value is None else ("✓" if value else "✗")

    return TableResult(
        title=N_("SMART goals"),
        columns=[
            Column("goal", N_("Goal")),
            *(
                Column(k, h)
                for k, h in (("s", "S"), ("m", "M"), ("a", "A"), ("r", "R"), ("t", "T"))
            ),
            Column("findings", N_("Findings")),
        ],
        rows=[
            {
                "goal": g.goal,
                "s": mark(g.specific),
                "m": mark(g.measurable),
                "a": mark(g.achievable),
                "r": mark(g.relevant),
                "t": mark(g.time_bound),
                "findings": " ".join(t.gettext(f.msgid, **f.params) for f in g.findings),
            }
            for g in goals
        ],
    )


def items_payload(items: list[ItemFinding]) -> list[dict[str, Any]]:
    return [{"kind": i.kind, "id": i.id, "code": i.code, "days": i.days} for i in items]


def items_table(items: list[ItemFinding]) -> TableResult:
    return TableResult(
        title=N_("Initiatives and action items to fix"),
        columns=[
            Column("kind", N_("Kind"), labels=KINDS),
            Column("id", N_("Id")),
            Column("code", N_("Finding"), labels=ITEM_CODES),
            Column("days", N_("Days overdue"), Kind.INT),
        ],
        rows=items_payload(items),
    )


def rollup_payload(result: Rollup | None) -> dict[str, Any] | None:
    if result is None:
        return None
    return {
        "sub_plans_total": str(result.total),
        "top_goal_target": None if result.top_target is None else str(result.top_target),
        "difference": None if result.difference is None else str(result.difference),
    }


def issues_table(
    issues: list[PlanIssue], t: Translator, extra: list[dict[str, Any]] | None = None
) -> TableResult:
    """Problems of the file; `extra` rows (severity, path, message) follow them."""
    return TableResult(
        title=N_("Problems"),
        columns=[
            Column("severity", N_("Severity"), labels=SEVERITY),
            Column("path", N_("Path")),
            Column("message", N_("Message")),
        ],
        rows=[
            *(
                {"severity": i.severity, "path": i.path, "message": t.gettext(i.msgid, **i.params)}
                for i in issues
            ),
            *({k: row[k] for k in ("severity", "path", "message")} for row in extra or []),
        ],
    )


def issues_payload(issues: list[PlanIssue], t: Translator) -> list[dict[str, Any]]:
    return [
        {
            "severity": i.severity,
            "path": i.path,
            "code": i.msgid,
            "message": t.gettext(i.msgid, **i.params),
        }
        for i in issues
    ]


def action_rows(rows: list[ActionRow]) -> list[dict[str, Any]]:
    return [
        {
            "kind": r.kind,
            "id": r.id,
            "title": r.title,
            "owner": r.owner,
            "deadline": r.deadline,
            "status": r.status,
            "initiative": r.initiative,
            "days_overdue": r.days_overdue,
        }
        for r in rows
    ]


def actions_table(rows: list[ActionRow]) -> TableResult:
    return TableResult(
        title=N_("Initiatives and action items"),
        columns=[
            Column("kind", N_("Kind"), labels=KINDS),
            Column("id", N_("Id")),
            Column("title", N_("Title")),
            Column("owner", N_("DRI")),
            Column("deadline", N_("Deadline"), Kind.DATE),
            Column("status", N_("Status")),
            Column("initiative", N_("Initiative")),
            Column("days_overdue", N_("Days overdue"), Kind.INT),
        ],
        rows=action_rows(rows),
    )


def decision_message(d: OpenDecision, t: Translator) -> str:
    """`Goal G1: decide the target (now 800000.00, proposed 442597.39), then delete …`."""
    if d.code == "draft_segment":
        return t.gettext(d.msgid, segment=d.id)
    item = f"{t.gettext(SECTIONS[d.section])} {d.id}"
    decide = t.gettext(DECIDE_TEXT[d.decide]) if d.decide in DECIDE_TEXT else f"“{d.decide}”"
    return t.gettext(
        d.msgid, item=item, decide=decide, old=plain(d.old), proposed=plain(d.proposed)
    )


def decisions_payload(decisions: list[OpenDecision], t: Translator) -> list[dict[str, Any]]:
    """JSON `decisions[]`: old and proposed as decimal strings or ISO dates, null when none."""
    return [
        {
            "severity": "warning",
            "path": d.path,
            "section": d.section,
            "id": d.id,
            "code": d.code,
            "decide": d.decide,
            "old": plain(d.old),
            "proposed": plain(d.proposed),
            "message": decision_message(d, t),
        }
        for d in decisions
    ]


def decision_problems(decisions: list[OpenDecision], t: Translator) -> list[dict[str, Any]]:
    """The same decisions as `plan validate` problems: warnings with their path."""
    return [
        {"severity": "warning", "path": d.path, "code": d.msgid, "message": decision_message(d, t)}
        for d in decisions
    ]


def _figure(value: Any, kind: Kind, currency: str) -> Any:
    if value is None:
        return None
    if kind is Kind.MONEY:
        return decimal_to_minor(value, currency)
    return float(value) if kind is Kind.RATE else value


def decisions_table(decisions: list[OpenDecision], currency: str) -> TableResult:
    rows = []
    for d in decisions:
        kind = FIGURES.get(d.unit or "", Kind.TEXT)
        rows.append(
            {
                "path": d.path,
                "section": d.section,
                "id": d.id,
                "decide": d.decide,
                "kind": kind.value,
                "old": _figure(d.old, kind, currency),
                "proposed": _figure(d.proposed, kind, currency),
            }
        )
    return TableResult(
        title=N_("Decisions pending"),
        columns=[
            Column("path", N_("Path")),
            Column("section", N_("Section"), labels=SECTIONS),
            Column("id", N_("Id")),
            Column("decide", N_("To decide"), labels=DECISIONS),
            Column("old", N_("Now"), Kind.PER_ROW),
            Column("proposed", N_("Proposed"), Kind.PER_ROW),
        ],
        rows=rows,
    )
