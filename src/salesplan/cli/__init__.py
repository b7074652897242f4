"""The command line: thin Typer commands over salesplan.services.

`main()` is the console script. It turns a SalesplanError into one translated line and exit
code 1, usage errors into exit code 2, and anything unexpected into exit code 3 with the
traceback written to a log file, never to the screen.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import traceback
from pathlib import Path

import typer

from salesplan.cli import (  # noqa: F401
    commands_baseline,
    commands_calendar,
    commands_competitors,
    commands_db,
    commands_demand,
    commands_demo,
    commands_forecast,
    commands_gaps,
    commands_import,
    commands_kpis,
    commands_leads,
    commands_plan,
    commands_plan_history,
    commands_plan_roll_forward,
    commands_promotions,
    commands_report,
    commands_review,
    commands_segments,
    commands_targets,
)
from salesplan.cli.app import app, current_locale, reset_state
from salesplan.errors import SalesplanError
from salesplan.i18n import translator

__all__ = ["app", "main"]


def main(argv: list[str] | None = None) -> None:
    """Run the CLI and exit with the documented exit code."""
    sys.exit(run(argv))


def run(argv: list[str] | None = None) -> int:
    """Run one command line; returns the exit code (tests call this in-process)."""
    reset_state()
    try:
        result = app(args=argv, prog_name="salesplan", standalone_mode=False)
    except SalesplanError as exc:
        t = translator(current_locale())
        params = exc.localised_params(t.gettext)
        message = " ".join(t.gettext(exc.message_id, **params).split())
        typer.echo(t.gettext("Error: {message}", message=message), err=True)
        return exc.exit_code
    except OSError as exc:
        if exc.filename is None:
            return _internal_error(exc)
        # A file the user named cannot be read or written (a folder, a missing directory,
        # no permission): their input, not our bug.
        t = translator(current_locale())
        # A rename names the target second: that is the file the user asked for.
        named = exc.filename2 if exc.filename2 is not None else exc.filename
        message = t.gettext(
            "Cannot use the file {file}: {reason}", file=str(named), reason=exc.strerror
        )
        typer.echo(t.gettext("Error: {message}", message=message), err=True)
        return 1
    except typer.Abort:
        typer.echo(translator(current_locale()).gettext("Aborted."), err=True)
        return 130
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.TyperException as exc:  # usage errors: Typer prints them with the help hint
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            typer.echo(str(exc), err=True)
        return int(getattr(exc, "exit_code", 2) or 2)
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    except Exception as exc:  # the last line of defence: no traceback on screen
        return _internal_error(exc)
    return int(result) if isinstance(result, int) else 0


def _internal_error(exc: BaseException) -> int:
    log = _write_crash_log(exc)
    t = translator(current_locale())
    typer.echo(
        t.gettext(
            "Internal error: {message}. Details were written to {log}. Please report it.",
            message=f"{type(exc).__name__}: {exc}",
            log=str(log),
        ),
        err=True,
    )
    return 3


def _write_crash_log(exc: BaseException) -> Path:
    folder = Path(os.environ.get("SALESPLAN_LOG_DIR", tempfile.gettempdir()))
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = folder / f"salesplan-crash-{stamp}-{os.getpid()}.log"
    path.write_text("".join(traceback.format_exception(exc)), encoding="utf-8")
    return path
