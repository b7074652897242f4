"""`salesplan calendar [--out FILE.ics]`: plan reviews and deadlines for any calendar app."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from salesplan import files
from salesplan.cli.app import app, settings
from salesplan.i18n import translator
from salesplan.services.calendar import plan_calendar


@app.command("calendar")
def calendar(
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the .ics file here (else print it).")
    ] = None,
) -> None:
    """Review meetings (the plan's cadence, over the plan year) and initiative and action
    deadlines as all-day iCalendar events, with the DRI in the description."""
    s = settings()
    t = translator(s.locale)
    result = plan_calendar(s, t.gettext)
    if out is None:
        typer.echo(result.data.decode("utf-8"), nl=False)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    files.write_bytes(out, result.data)  # bytes: keep CRLF exactly
    typer.echo(
        t.gettext(
            "Wrote {count} events from plan version {version} to {path}.",
            count=len(result.events),
            version=result.version.number,
            path=str(out),
        )
    )
