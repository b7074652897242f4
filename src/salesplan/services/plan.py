"""The plan as a versioned object: new (from a template and the data), export, import,
validate, and in-place edits by other commands (`add_draft_initiatives`).

Every change is a new stored version with author, time and reason (storage/plans.py); the
workspace's plan.yaml is the editable copy and is only overwritten when it holds no edits
that were not imported (or with force). Status and action lists live in plan_status.py.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from salesplan.config import Settings, normalise_locale
from salesplan.domain.plan_checks import (
    GoalCheck,
    ItemFinding,
    Rollup,
    check_goals,
    item_findings,
    rollup,
)
from salesplan.domain.plan_decisions import OpenDecision, open_decisions
from salesplan.domain.plan_errors import PlanIssue
from salesplan.domain.plan_templates import LANGUAGES
from salesplan.domain.plan_types import PLAN_TYPES
from salesplan.errors import ConfigError, DataError
from salesplan.services.plan_fill import filled_plan_text, workspace_facts
from salesplan.services.plan_store import (
    PlanDrift,
    check_reason,
    check_text,
    dump_document,
    kpi_units,
    latest,
    parse_document,
    plan_drift,
    plan_path,
    resolve_author,
    store_version,
    validated,
)
from salesplan.storage.plans import StoredVersion


@dataclass(frozen=True, slots=True)
class PlanVersion:
    """One stored version (without its text): what `plan log` lists."""

    number: int
    created_at: dt.datetime
    author: str
    reason: str
    content_hash: str

    @classmethod
    def of(cls, stored: StoredVersion) -> PlanVersion:
        return cls(
            stored.number, stored.created_at, stored.author, stored.reason, stored.content_hash
        )


def write_plan_file(path: Path, text: str) -> None:
    """Replace plan.yaml atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def refuse_unsaved_edits(drift: PlanDrift, option: str) -> None:
    if drift.state in ("modified", "untracked"):
        raise ConfigError(
            "{file} has edits that are not stored as a plan version: import them with "
            "`salesplan plan import --reason TEXT`, or use {option} to overwrite them.",
            file=str(drift.file),
            option=option,
        )


def check_type(plan_type: str) -> str:
    if plan_type not in PLAN_TYPES:
        raise ConfigError(
            "Unknown plan type {value}; use one of: {choices}.",
            value=plan_type,
            choices=", ".join(PLAN_TYPES),
        )
    return plan_type


def check_language(language: str) -> str:
    value = "zh" if normalise_locale(language) == "zh_CN" else language.strip().lower()
    if value not in LANGUAGES:
        raise ConfigError(
            "Unknown locale {value}; use one of: {choices}.", value=language, choices="en, zh"
        )
    return value


def create_plan(
    settings: Settings,
    plan_type: str = "annual",
    language: str = "en",
    *,
    author: str | None = None,
    reason: str | None = None,
    force: bool = False,
) -> PlanVersion:
    """A new plan from the type's template filled from the workspace's data, stored as the
    next version and written to plan.yaml. Refuses to replace a plan unless `force`."""
    chosen, lang = check_type(plan_type), check_language(language)
    current = latest(settings)
    if current is not None and not force:
        raise ConfigError(
            "The workspace already has a plan (version {version}); use {option} to start a "
            "new one as the next version.",
            version=current.number,
            option="--force",
        )
    if not force:
        refuse_unsaved_edits(plan_drift(settings, current), "--force")
    facts = workspace_facts(settings)
    text = filled_plan_text(settings, chosen, lang, facts)
    validated(text, f"template {chosen}")
    stored = store_version(
        settings,
        text,
        author=resolve_author(settings, author),
        reason=(reason or "").strip() or f"new {chosen} plan from the template ({lang})",
    )
    write_plan_file(plan_path(settings), text)
    return PlanVersion.of(stored)


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path
    version: PlanVersion


def export_plan(
    settings: Settings, *, out: Path | None = None, force: bool = False
) -> ExportResult:
    """Write the latest version's exact text to `out` (default: the workspace's plan.yaml)."""
    current = latest(settings)
    if current is None:
        raise ConfigError("No plan yet: run `salesplan plan new` first.")
    target = out or plan_path(settings)
    if not force and target.resolve() == plan_path(settings).resolve():
        refuse_unsaved_edits(plan_drift(settings, current), "--force")
    write_plan_file(target, current.content)
    return ExportResult(target, PlanVersion.of(current))


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError("File not found: {path}", path=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError("Cannot read {path}: {reason}", path=str(path), reason=str(exc)) from exc


@dataclass(frozen=True, slots=True)
class ImportResult:
    file: Path
    version: PlanVersion
    stored: bool
    """False when the file equals the latest version (nothing to store)."""
    warnings: list[PlanIssue] = field(default_factory=list)


def import_plan(
    settings: Settings, file: Path | None = None, *, reason: str | None, author: str | None = None
) -> ImportResult:
    """Validate the file and store it as the next version with the reason."""
    why = check_reason(reason)
    path = file or plan_path(settings)
    text = _read(path)
    facts = workspace_facts(settings)
    checked = validated(text, str(path), set(facts.team) if facts.team else None)
    warnings = [i for i in checked.issues if i.severity == "warning"]
    current = latest(settings)
    if current is not None and current.content == text:
        return ImportResult(path, PlanVersion.of(current), False, warnings)
    drift = plan_drift(settings, current)
    stored = store_version(settings, text, author=resolve_author(settings, author), reason=why)
    workspace_file = plan_path(settings)
    if path.resolve() != workspace_file.resolve() and drift.state in (
        "in_sync",
        "no_file",
        "no_plan",
    ):
        write_plan_file(workspace_file, text)
    return ImportResult(path, PlanVersion.of(stored), True, warnings)


@dataclass(frozen=True, slots=True)
class ValidationReport:
    source: str
    issues: list[PlanIssue]
    goals: list[GoalCheck]
    items: list[ItemFinding]
    rollup: Rollup | None
    as_of: dt.date
    decisions: list[OpenDecision] = field(default_factory=list)
    """Items marked needs_decision and draft segments (warnings, never errors)."""

    @property
    def valid(self) -> bool:
        return not any(i.severity == "error" for i in self.issues)


def validate_plan(
    settings: Settings, file: Path | None = None, *, today: dt.date | None = None
) -> ValidationReport:
    """Every problem of the file (default plan.yaml) with its path, then the SMART checks and
    overdue/ownerless findings of a valid plan. Nothing is stored."""
    path = file or plan_path(settings)
    facts = workspace_facts(settings, today)
    stored = latest(settings) if file is None and not path.exists() else None
    text = stored.content if stored is not None else _read(path)
    checked = check_text(text, str(path), set(facts.team) if facts.team else None)
    day = today or dt.date.today()
    if checked.plan is None:
        return ValidationReport(str(path), checked.issues, [], [], None, day)
    plan = checked.plan
    units = kpi_units()
    goals = check_goals(plan, facts.history, units)
    return ValidationReport(
        str(path),
        checked.issues,
        goals,
        item_findings(plan, day),
        rollup(plan),
        day,
        open_decisions(plan, units),
    )


@dataclass(frozen=True, slots=True)
class DraftInitiative:
    """An initiative proposed for a gap (`gaps --propose`); stored with status draft."""

    gap: str
    title: str
    change: str | None = None
    kpi: str | None = None
    expected_lift: Decimal | None = None
    """Change of `kpi` in its unit (rates as fractions)."""
    owner: str | None = None
    deadline: dt.date | None = None


@dataclass(frozen=True, slots=True)
class DraftsResult:
    version: PlanVersion | None
    """The new version, or None when every draft's gap already had an initiative."""
    added: list[str]
    skipped_gaps: list[str]


def _next_id(taken: set[str]) -> str:
    n = 1
    while f"I{n}" in taken:
        n += 1
    return f"I{n}"


def _draft_entry(draft: DraftInitiative, ident: str) -> CommentedMap:
    entry = CommentedMap()
    entry["id"] = ident
    entry["title"] = draft.title
    if draft.change:
        entry["change"] = draft.change
    entry["owner"] = draft.owner
    entry["deadline"] = draft.deadline
    if draft.kpi:
        entry["kpi"] = draft.kpi
    if draft.expected_lift is not None:
        lift = draft.expected_lift
        entry["expected_lift"] = int(lift) if lift == lift.to_integral_value() else float(lift)
    entry["status"] = "draft"
    entry["gap"] = draft.gap
    return entry


def add_draft_initiatives(
    settings: Settings,
    drafts: Sequence[DraftInitiative],
    reason: str,
    *,
    author: str | None = None,
) -> DraftsResult:
    """Append draft initiatives to the latest plan, in place (comments and order kept).

    A draft whose gap already has an initiative is skipped: existing initiatives are never
    overwritten. Refuses while plan.yaml has edits that were not imported.
    """
    why = check_reason(reason)
    current = latest(settings)
    if current is None:
        raise ConfigError("No plan yet: run `salesplan plan new` first.")
    drift = plan_drift(settings, current)
    refuse_unsaved_edits(drift, "`salesplan plan export --force`")
    document = parse_document(current.content, f"plan version {current.number}")
    initiatives = document.get("initiatives")
    if initiatives is None:
        initiatives = CommentedSeq()
        document["initiatives"] = initiatives
    taken = {str(i.get("id")) for i in initiatives}
    covered = {str(i.get("gap")) for i in initiatives if i.get("gap")}
    added, skipped = [], []
    for draft in drafts:
        if draft.gap in covered:
            skipped.append(draft.gap)
            continue
        ident = _next_id(taken)
        initiatives.append(_draft_entry(draft, ident))
        taken.add(ident)
        covered.add(draft.gap)
        added.append(ident)
    if not added:
        return DraftsResult(None, [], skipped)
    text = dump_document(document)
    validated(text, "plan with draft initiatives")
    stored = store_version(settings, text, author=resolve_author(settings, author), reason=why)
    write_plan_file(plan_path(settings), text)
    return DraftsResult(PlanVersion.of(stored), added, skipped)
