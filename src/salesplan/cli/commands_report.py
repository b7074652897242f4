"""`salesplan report`: the written plan as HTML, PDF, Markdown or Excel, in en or zh."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from salesplan.cli.app import app, current_locale, settings
from salesplan.config import normalise_locale
from salesplan.errors import ConfigError
from salesplan.i18n import SUPPORTED_LOCALES, translator
from salesplan.services.report import (
    check_format,
    parse_sections,
    render_report,
    render_review_report,
)


def _lang(value: str | None) -> str | None:
    if value is None:
        return None
    locale = normalise_locale(value)
    if locale not in SUPPORTED_LOCALES:
        raise ConfigError(
            "Unknown locale {value}; use one of: {choices}.", value=value, choices="en, zh"
        )
    return locale


@app.command("report")
def report(
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="html, pdf, md (Markdown) or xlsx (Excel).")
    ] = "html",
    lang: Annotated[
        str | None, typer.Option("--lang", help="Language of the document: en or zh.")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="File to write (default: reports/ in the workspace)."),
    ] = None,
    sections: Annotated[
        list[str] | None,
        typer.Option(
            "--sections",
            help="Only these sections, e.g. summary,goals (summary, mission, team, market, "
            "resources, positioning, strategy, leads, actions, goals, appendix).",
        ),
    ] = None,
    review: Annotated[
        str | None,
        typer.Option("--review", help="Write a stored review instead: its id or period (2026Q1)."),
    ] = None,
) -> None:
    """Write the sales plan with its figures and charts; prints the path written."""
    fmt = check_format(fmt.lower())
    locale = _lang(lang)
    s = settings()
    if review is not None:
        path = render_review_report(s, review, fmt, locale, out)
    else:
        path = render_report(s, fmt, locale, out, sections=parse_sections(sections))
    t = translator(current_locale())
    typer.echo(t.gettext("Wrote {path}", path=str(path)))
