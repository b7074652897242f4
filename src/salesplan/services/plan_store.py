"""plan.yaml as text and as versions: parsing (ruamel, round-trip), validation with paths,
the chain of stored versions and whether the workspace's plan.yaml has drifted from it.

The database holds every version's exact text; plan.yaml is the editable copy. Nothing is
merged silently: when plan.yaml differs from the latest version, `plan_drift` says so and the
faces name the command that reconciles them.
"""

from __future__ import annotations

import datetime as dt
import getpass
import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from salesplan.analytics.kpis import Kpi, load_library
from salesplan.config import Settings
from salesplan.domain.plan import Plan
from salesplan.domain.plan_checks import reference_issues
from salesplan.domain.plan_errors import PATH_MESSAGE, PlanIssue, validation_issues
from salesplan.domain.plan_types import FIRST_YEAR, LAST_YEAR
from salesplan.errors import ConfigError, DataError
from salesplan.i18n import N_
from salesplan.services.store import open_store
from salesplan.storage import plans
from salesplan.storage.plans import StoredVersion, content_hash

PLAN_FILE = "plan.yaml"


def round_trip_yaml() -> YAML:
    """The one YAML reader/writer for plan files: keeps comments, key order and quotes."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _load(text: str, source: str, yaml: YAML) -> Any:
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise DataError(
            "{file} is not valid YAML at line {line}, column {column}: {problem}",
            file=source,
            line=(mark.line + 1) if mark else "?",
            column=(mark.column + 1) if mark else "?",
            problem=exc.problem or "",
        ) from exc
    except YAMLError as exc:
        raise DataError(
            "{file} is not valid YAML: {problem}", file=source, problem=str(exc)
        ) from exc


def parse_document(text: str, source: str) -> CommentedMap:
    """The YAML document as an editable ruamel mapping; DataError with line and column."""
    document = _load(text, source, round_trip_yaml())
    if not isinstance(document, CommentedMap):
        raise DataError("{file} must hold a plan: a mapping of sections.", file=source)
    return document


def parse_plain(text: str, source: str) -> dict[str, Any]:
    """The document as plain dicts and lists (faster; for validation only)."""
    document = _load(text, source, YAML(typ="safe"))
    if not isinstance(document, dict):
        raise DataError("{file} must hold a plan: a mapping of sections.", file=source)
    return document


def dump_document(document: Any) -> str:
    buffer = io.StringIO()
    round_trip_yaml().dump(document, buffer)
    return buffer.getvalue()


class PlanInvalidError(DataError):
    """The plan text breaks the model; `issues` lists every problem with its path."""

    def __init__(self, source: str, issues: list[PlanIssue]) -> None:
        english = "; ".join(f"{i.path}: {i.msgid.format(**i.params)}" for i in issues)
        super().__init__(
            "{file} is not a valid plan. Problems found: {count}. {problems}",
            file=source,
            count=len(issues),
            problems=english,
        )
        self.issues = issues

    def localised_params(self, gettext: Callable[..., str]) -> dict[str, Any]:
        problems = "; ".join(
            gettext(PATH_MESSAGE, path=i.path, message=gettext(i.msgid, **i.params))
            for i in self.issues
        )
        return {**self.params, "problems": problems}


@dataclass(frozen=True, slots=True)
class CheckedPlan:
    plan: Plan | None
    issues: list[PlanIssue]

    @property
    def errors(self) -> list[PlanIssue]:
        return [i for i in self.issues if i.severity == "error"]


@cache
def _library() -> tuple[Kpi, ...]:
    return tuple(load_library())


def kpi_ids() -> set[str]:
    return {k.id for k in _library()}


def kpi_units() -> dict[str, str]:
    """KPI id → unit (money, count, rate, days, ratio) from the KPI library."""
    return {k.id: k.unit for k in _library()}


def kpi_types() -> dict[str, str]:
    """KPI id → leading or lagging."""
    return {k.id: k.type for k in _library()}


def check_text(text: str, source: str, team_ids: set[str] | None = None) -> CheckedPlan:
    """Parse and validate; every problem is returned (YAML syntax errors still raise)."""
    document = parse_plain(text, source)
    try:
        plan = Plan.model_validate(document)
    except ValidationError as exc:
        return CheckedPlan(None, validation_issues(exc))
    return CheckedPlan(plan, reference_issues(plan, kpi_ids(), team_ids))


def validated(text: str, source: str, team_ids: set[str] | None = None) -> CheckedPlan:
    """check_text that raises PlanInvalidError when any problem is an error."""
    checked = check_text(text, source, team_ids)
    if checked.errors:
        raise PlanInvalidError(source, checked.errors)
    return checked


def resolve_author(settings: Settings, author: str | None) -> str:
    """--author, else SALESPLAN_AUTHOR (settings.author), else the OS user name."""
    for candidate in (author, settings.author):
        if candidate and candidate.strip():
            return candidate.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def check_reason(reason: str | None) -> str:
    if reason is None or not reason.strip():
        raise ConfigError("Say why the plan changes: {option} is required.", option="--reason")
    return reason.strip()


def plan_path(settings: Settings) -> Path:
    return settings.workspace / PLAN_FILE


def latest(settings: Settings) -> StoredVersion | None:
    engine = open_store(settings)
    try:
        with engine.connect() as connection:
            return plans.latest_version(connection)
    finally:
        engine.dispose()


def store_version(
    settings: Settings, content: str, *, author: str, reason: str, at: dt.datetime | None = None
) -> StoredVersion:
    """Append a version in one transaction (the caller has validated `content`)."""
    engine = open_store(settings)
    try:
        with engine.begin() as connection:
            return plans.add_version(
                connection,
                content=content,
                author=author,
                reason=reason,
                at=at or dt.datetime.now().replace(microsecond=0),
            )
    finally:
        engine.dispose()


DriftState = Literal["in_sync", "modified", "untracked", "no_file", "no_plan"]


@dataclass(frozen=True, slots=True)
class PlanDrift:
    """How the workspace's plan.yaml relates to the latest stored version."""

    state: DriftState
    file: Path
    version: int | None


DRIFT_MESSAGES: dict[str, str] = {
    "modified": N_(
        "{file} differs from plan version {version}: run `salesplan plan import --reason "
        "TEXT` to store your edits, or `salesplan plan export --force` to discard them."
    ),
    "untracked": N_(
        "{file} is not stored as a plan version yet: run `salesplan plan import --reason TEXT`."
    ),
}


def plan_drift(settings: Settings, version: StoredVersion | None) -> PlanDrift:
    path = plan_path(settings)
    number = version.number if version else None
    if not path.exists():
        return PlanDrift("no_file" if version else "no_plan", path, number)
    if version is None:
        return PlanDrift("untracked", path, None)
    same = content_hash(path.read_text("utf-8")) == version.content_hash
    return PlanDrift("in_sync" if same else "modified", path, number)


def drift_warning(drift: PlanDrift) -> tuple[str, str, dict[str, Any]] | None:
    """(code, msgid, params) when plan.yaml and the stored plan disagree."""
    if drift.state not in DRIFT_MESSAGES:
        return None
    params = {"file": str(drift.file), "version": drift.version}
    return drift.state, DRIFT_MESSAGES[drift.state], params


def stored_plan(settings: Settings) -> tuple[StoredVersion, Plan] | None:
    """The latest version and its model, or None when no plan is stored."""
    version = latest(settings)
    if version is None:
        return None
    checked = validated(version.content, f"plan version {version.number}")
    assert checked.plan is not None
    return version, checked.plan


def check_year_option(year: int, option: str = "--year") -> None:
    """Refuse a year no plan can be for (the plan schema's range), naming the option."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ConfigError(
            "The option {option} must be between {low} and {high}, got {value}.",
            option=option,
            low=str(FIRST_YEAR),
            high=str(LAST_YEAR),
            value=str(year),
        )
