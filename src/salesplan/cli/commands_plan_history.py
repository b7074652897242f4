"""`salesplan plan log|diff|revert`: the plan's versions, what changed and going back."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from salesplan.cli.app import settings
from salesplan.cli.commands_plan import AuthorOption, FormatOption, plan_app
from salesplan.cli.output import (
    Column,
    Kind,
    OutputFormat,
    Result,
    TableResult,
    parse_format,
    render,
)
from salesplan.cli.plan_tables import drift_warnings, version_payload
from salesplan.domain.plan_diff import PlanChange, plain, shown
from salesplan.i18n import N_, translator
from salesplan.services.plan import PlanVersion
from salesplan.services.plan_history import parse_version, plan_diff, plan_log, revert_plan

HASH_PREFIX = 12
"""Hex digits of the SHA-256 content hash shown in `plan log` (like a short git hash)."""

CHANGE_LABELS = {"added": N_("added"), "removed": N_("removed"), "changed": N_("changed")}


def _log_table(versions: list[PlanVersion]) -> TableResult:
    return TableResult(
        title=N_("Plan versions"),
        columns=[
            Column("version", N_("Version"), Kind.INT),
            Column("created_at", N_("Stored at")),
            Column("author", N_("Author")),
            Column("reason", N_("Reason")),
            Column("hash", N_("Content hash")),
        ],
        rows=[
            {
                "version": v.number,
                "created_at": v.created_at.isoformat(),
                "author": v.author,
                "reason": v.reason,
                "hash": v.content_hash[:HASH_PREFIX],
            }
            for v in versions
        ],
    )


@plan_app.command("log")
def plan_log_command(fmt: FormatOption = "table") -> None:
    """Plan versions, newest first: number, time, author, reason and content hash."""
    output = parse_format(fmt)
    s = settings()
    t = translator(s.locale)
    log = plan_log(s)
    table = _log_table(log.versions)
    payload = [dict(row) for row in table.rows]
    result = Result(
        "plan_log", payload, [table], s.currency, s.locale, None, drift_warnings(log.drift, t)
    )
    render(result, output, t)


def _diff_table(changes: list[PlanChange]) -> TableResult:
    return TableResult(
        title=N_("Plan changes"),
        columns=[
            Column("path", N_("Path")),
            Column("change", N_("Change"), labels=CHANGE_LABELS),
            Column("old", N_("Before")),
            Column("new", N_("After")),
        ],
        rows=[
            {"path": c.path, "change": c.change, "old": shown(c.old), "new": shown(c.new)}
            for c in changes
        ],
    )


@plan_app.command("diff")
def plan_diff_command(
    old: Annotated[str, typer.Argument(help="Older version, e.g. 3 or v3.")],
    new: Annotated[str | None, typer.Argument(help="Newer version (default: the latest).")] = None,
    fmt: FormatOption = "table",
) -> None:
    """What changed between two plan versions, section by section, and why."""
    output = parse_format(fmt, (OutputFormat.TABLE, OutputFormat.JSON))
    s = settings()
    t = translator(s.locale)
    diff = plan_diff(s, parse_version(old), None if new is None else parse_version(new))
    payload: dict[str, Any] = {
        "from": version_payload(diff.old),
        "to": version_payload(diff.new),
        "reason": diff.new.reason,
        "changes": [
            {"path": c.path, "change": c.change, "old": plain(c.old), "new": plain(c.new)}
            for c in diff.changes
        ],
    }
    table = _diff_table(diff.changes)
    result = Result("plan_diff", payload, [table], s.currency, s.locale)
    render(result, output, t)
    if output.value == "table":
        typer.echo(
            t.gettext(
                "v{old} → v{new}: {count} changes; reason of v{new}: {reason}",
                old=diff.old.number,
                new=diff.new.number,
                count=len(diff.changes),
                reason=diff.new.reason,
            )
        )


@plan_app.command("revert")
def plan_revert_command(
    version: Annotated[str, typer.Argument(help="The version to go back to, e.g. 3 or v3.")],
    reason: Annotated[str | None, typer.Option("--reason", help="Why the plan goes back.")] = None,
    author: AuthorOption = None,
) -> None:
    """Store an older version's exact text as a new version and write it to plan.yaml."""
    s = settings()
    t = translator(s.locale)
    result = revert_plan(s, parse_version(version), reason=reason, author=author)
    typer.echo(
        t.gettext(
            "Stored plan version {version} with the content of version {source} and wrote {path}.",
            version=result.version.number,
            source=result.source.number,
            path=str(s.workspace / "plan.yaml"),
        )
    )
