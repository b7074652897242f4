"""The plan's history as use cases: list versions, compare two, revert to an older one.

History is append-only: `revert_plan` stores the old text as a NEW version (with its own
author, time and reason) and rewrites plan.yaml; nothing stored is changed or deleted.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from salesplan.config import Settings
from salesplan.domain.plan import Plan
from salesplan.domain.plan_diff import PlanChange, diff_plans
from salesplan.errors import ConfigError
from salesplan.services.plan import PlanVersion, refuse_unsaved_edits, write_plan_file
from salesplan.services.plan_store import (
    PlanDrift,
    check_reason,
    plan_drift,
    plan_path,
    resolve_author,
    store_version,
    validated,
)
from salesplan.services.store import open_store
from salesplan.storage import plans
from salesplan.storage.plans import StoredVersion

_VERSION = re.compile(r"^[vV]?(\d+)$")


def parse_version(value: str) -> int:
    """`3` or `v3` → 3; anything else is a ConfigError."""
    match = _VERSION.match(value.strip())
    if match is None or int(match.group(1)) < 1:
        raise ConfigError(
            "Invalid plan version {value}; write a number such as 3 or v3.", value=value
        )
    return int(match.group(1))


def _no_plan() -> ConfigError:
    return ConfigError("No plan yet: run `salesplan plan new` first.")


def _versions(settings: Settings) -> list[StoredVersion]:
    engine = open_store(settings)
    try:
        with engine.connect() as connection:
            return plans.list_versions(connection)
    finally:
        engine.dispose()


def _pick(versions: list[StoredVersion], number: int) -> StoredVersion:
    for version in versions:
        if version.number == number:
            return version
    raise ConfigError(
        "Plan version {version} does not exist; versions are 1 to {latest}.",
        version=number,
        latest=versions[-1].number,
    )


@dataclass(frozen=True, slots=True)
class PlanLog:
    """Versions newest first, and how plan.yaml relates to the latest."""

    versions: list[PlanVersion]
    drift: PlanDrift


def plan_log(settings: Settings) -> PlanLog:
    versions = _versions(settings)
    if not versions:
        raise _no_plan()
    return PlanLog(
        [PlanVersion.of(v) for v in reversed(versions)], plan_drift(settings, versions[-1])
    )


@dataclass(frozen=True, slots=True)
class PlanDiff:
    """Changes from version `old` to version `new` (whose reason explains them)."""

    old: PlanVersion
    new: PlanVersion
    changes: list[PlanChange]


def _model(version: StoredVersion) -> Plan:
    checked = validated(version.content, f"plan version {version.number}")
    assert checked.plan is not None
    return checked.plan


def plan_diff(settings: Settings, old: int, new: int | None = None) -> PlanDiff:
    """Section-aware diff of two stored versions; `new` defaults to the latest."""
    versions = _versions(settings)
    if not versions:
        raise _no_plan()
    before = _pick(versions, old)
    after = versions[-1] if new is None else _pick(versions, new)
    changes = diff_plans(_model(before), _model(after))
    return PlanDiff(PlanVersion.of(before), PlanVersion.of(after), changes)


@dataclass(frozen=True, slots=True)
class RevertResult:
    version: PlanVersion
    """The new version that holds the old text."""
    source: PlanVersion
    """The version whose text was restored."""


def revert_plan(
    settings: Settings,
    number: int,
    *,
    reason: str | None,
    author: str | None = None,
    at: dt.datetime | None = None,
) -> RevertResult:
    """Store version `number`'s exact text as the next version and write it to plan.yaml.

    Refuses when plan.yaml holds edits that are not stored (they would be lost)."""
    why = check_reason(reason)
    versions = _versions(settings)
    if not versions:
        raise _no_plan()
    source = _pick(versions, number)
    refuse_unsaved_edits(plan_drift(settings, versions[-1]), "`salesplan plan export --force`")
    if source.content_hash == versions[-1].content_hash:
        raise ConfigError(
            "Plan version {version} already has the same content as the latest version "
            "{latest}; nothing to revert.",
            version=number,
            latest=versions[-1].number,
        )
    _model(source)
    stored = store_version(
        settings, source.content, author=resolve_author(settings, author), reason=why, at=at
    )
    write_plan_file(plan_path(settings), source.content)
    return RevertResult(PlanVersion.of(stored), PlanVersion.of(source))
