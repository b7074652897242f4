"""`salesplan review --period P`, `review list`, `review show ID|PERIOD` (docs/reviews.md)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from salesplan.cli.app import app, settings
from salesplan.cli.options import FormatOption, OutOption
from salesplan.cli.output import Column, Kind, Result, TableResult, parse_format, render
from salesplan.cli.review_tables import review_tables
from salesplan.errors import ConfigError
from salesplan.i18n import N_, Translator, translator
from salesplan.services.review import ReviewResult, get_review, list_reviews, run_review

review_app = typer.Typer(
    help="Review the plan: actuals against targets, KPIs, forecast movement, adjustments.",
    invoke_without_command=True,
)
app.add_typer(review_app, name="review")


def _payload(result: ReviewResult) -> dict[str, Any]:
    return {k: v for k, v in result.payload.items() if k != "notices"}


def _warnings(result: ReviewResult, t: Translator) -> list[dict[str, str]]:
    return [{"code": n.code, "message": t.gettext(n.message, **n.params)} for n in result.notices]


def _show(result: ReviewResult, fmt: str, out: Any) -> None:
    output = parse_format(fmt)
    s = settings()
    t = translator(s.locale)
    render(
        Result(
            key="review",
            payload=_payload(result),
            tables=review_tables(result.payload, s.locale),
            currency=result.currency,
            locale=s.locale,
            as_of=result.as_of,
            warnings=_warnings(result, t),
        ),
        output,
        t,
        out,
    )


@review_app.callback(invoke_without_command=True)
def review(
    ctx: typer.Context,
    period: Annotated[
        str | None, typer.Option("--period", help="The period to review: 2026-03, 2026Q1, 2026.")
    ] = None,
    no_save: Annotated[
        bool, typer.Option("--no-save", help="Show the review without storing it.")
    ] = False,
    author: Annotated[
        str | None, typer.Option("--author", help="Who reviews (default: SALESPLAN_AUTHOR).")
    ] = None,
    method: Annotated[
        str, typer.Option("--method", help="Forecast method: calibrated or stage.")
    ] = "calibrated",
    fmt: FormatOption = "table",
    out: OutOption = None,
) -> None:
    """Review a period against the plan and store the review."""
    if ctx.invoked_subcommand is not None:
        return
    if period is None or not period.strip():
        raise ConfigError("Name the period to review with --period, e.g. --period 2026Q1.")
    parse_format(fmt)
    result = run_review(settings(), period, store=not no_save, author=author, method=method.lower())
    _show(result, fmt, out)


@review_app.command("list")
def list_command(fmt: FormatOption = "table", out: OutOption = None) -> None:
    """Stored reviews, newest first."""
    output = parse_format(fmt)
    s = settings()
    stored = list_reviews(s)
    rows: list[dict[str, Any]] = [
        {
            "id": r.id,
            "period": r.period,
            "created_at": r.created_at.isoformat(sep=" "),
            "author": r.author,
            "as_of": r.as_of,
            "import_batch": r.import_batch_id,
        }
        for r in stored
    ]
    table = TableResult(
        title=N_("Stored reviews"),
        columns=[
            Column("id", N_("Review"), Kind.INT),
            Column("period", N_("Period")),
            Column("created_at", N_("Time")),
            Column("author", N_("Author")),
            Column("as_of", N_("Data as of"), Kind.DATE),
            Column("import_batch", N_("Import batch"), Kind.INT),
        ],
        rows=rows,
    )
    payload = [{**row, "as_of": r.as_of.isoformat()} for row, r in zip(rows, stored, strict=True)]
    render(
        Result("reviews", payload, [table], s.currency, s.locale),
        output,
        translator(s.locale),
        out,
    )


@review_app.command("show")
def show(
    key: Annotated[str, typer.Argument(help="Review id (3) or period (2026Q1: its latest).")],
    fmt: FormatOption = "table",
    out: OutOption = None,
) -> None:
    """Show a stored review again, exactly as it was."""
    parse_format(fmt)
    _show(get_review(settings(), key), fmt, out)
