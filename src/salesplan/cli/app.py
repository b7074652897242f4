"""The Typer application and its global options (--workspace, --db, --lang, --quiet)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from salesplan.config import Settings, normalise_locale
from salesplan.errors import ConfigError
from salesplan.i18n import N_, SUPPORTED_LOCALES

app = typer.Typer(
    name="salesplan",
    help="Turn a revenue goal into a living sales plan computed from your own CRM data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)
db_app = typer.Typer(help="Manage the workspace database.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@dataclass
class CliState:
    settings: Settings | None = None
    quiet: bool = False
    locale: str | None = None


STATE = CliState()


def reset_state() -> None:
    """Forget the options of a previous in-process run."""
    STATE.settings = None
    STATE.quiet = False
    STATE.locale = None


def current_locale() -> str:
    """The locale for messages: --lang, else SALESPLAN_LOCALE, else English."""
    if STATE.locale:
        return STATE.locale
    candidate = normalise_locale(os.environ.get("SALESPLAN_LOCALE", "en"))
    return candidate if candidate in SUPPORTED_LOCALES else "en"


@app.callback()
def global_options(
    workspace: Annotated[
        Path | None,
        typer.Option(
            "--workspace",
            "-w",
            help="Workspace folder (database, plan, reports). Default: SALESPLAN_WORKSPACE or "
            "the current folder.",
        ),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Database URL; overrides SALESPLAN_DATABASE_URL."),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="Language of messages and reports: en or zh."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print results only.")] = False,
) -> None:
    """salesplan: turn a revenue goal into a living sales plan from your own CRM data."""
    STATE.quiet = quiet
    if lang is not None:
        locale = normalise_locale(lang)
        if locale not in SUPPORTED_LOCALES:
            raise ConfigError(
                "Unknown locale {value}; use one of: {choices}.",
                value=lang,
                choices="en, zh",
            )
        STATE.locale = locale
    overrides: dict[str, object] = {}
    if workspace is not None:
        overrides["workspace"] = workspace
    if db is not None:
        overrides["database_url"] = db
    if STATE.locale is not None:
        overrides["locale"] = STATE.locale
    try:
        STATE.settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else ""
        name = "SALESPLAN_" + "_".join(str(p) for p in first["loc"]).upper()
        expected = _SETTING_EXPECTED.get(field)
        if expected is not None:
            raise ConfigError(expected, name=name, value=first.get("input")) from exc
        raise ConfigError(
            "Invalid setting {name}: {reason}",
            name=name,
            reason=first["msg"],
        ) from exc
    STATE.locale = STATE.settings.locale


# What each setting accepts, in the user's language (pydantic's own reasons are English).
_SETTING_EXPECTED = {
    "currency": N_(
        "Invalid setting {name}: {value} is not an ISO 4217 currency code like CNY or USD."
    ),
    "locale": N_("Invalid setting {name}: {value} is not a supported language; use en or zh."),
}


def settings() -> Settings:
    assert STATE.settings is not None, "global options were not parsed"
    return STATE.settings
