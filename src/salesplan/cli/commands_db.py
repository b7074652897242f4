"""`salesplan db …`: the workspace database."""

from __future__ import annotations

import typer

from salesplan.cli.app import STATE, db_app, settings
from salesplan.i18n import translator
from salesplan.services.store import upgrade_database


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create the database or bring it to the latest schema revision."""
    result = upgrade_database(settings())
    t = translator(settings().locale)
    if STATE.quiet:
        return
    if result.changed:
        typer.echo(t.gettext("Database upgraded to revision {revision}.", revision=result.after))
    else:
        typer.echo(
            t.gettext(
                "Database is already at the latest revision {revision}.", revision=result.after
            )
        )
