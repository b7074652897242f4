"""Schema migrations with Alembic, driven from code (no alembic.ini needed at run time).

Commands other than `db upgrade` call `ensure_schema`: an empty database is upgraded
automatically, an older one is refused with the command that fixes it, so nobody's data is
migrated without being asked.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from salesplan.errors import StoreError
from salesplan.storage.engine import display_url

SCRIPT_LOCATION = "salesplan.storage:migrations"


def _config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.attributes["engine"] = engine
    return config


def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head_revision() -> str:
    """The newest revision this version of salesplan knows."""
    head = _script().get_current_head()
    assert head is not None, "the migrations folder has no head revision"
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except OperationalError as exc:
        raise StoreError(
            "Cannot open the database at {url}: {reason}",
            url=display_url(engine),
            reason=exc.orig,
        ) from exc


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Run migrations up to `revision`; returns the revision reached."""
    _refuse_newer(engine)
    try:
        command.upgrade(_config(engine), revision)
    except SQLAlchemyError as exc:
        raise StoreError(
            "Cannot open the database at {url}: {reason}",
            url=display_url(engine),
            reason=getattr(exc, "orig", exc),
        ) from exc
    reached = current_revision(engine)
    assert reached is not None
    return reached


def downgrade(engine: Engine, revision: str) -> None:
    """Run migrations down to `revision` (`base` removes every table)."""
    command.downgrade(_config(engine), revision)


def ensure_schema(engine: Engine) -> None:
    """Upgrade an empty database; refuse one at another revision with the fix to run."""
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return
    if current is None:
        if _has_foreign_tables(engine):
            raise StoreError(
                "Cannot open the database at {url}: it holds tables that salesplan did not create.",
                url=display_url(engine),
            )
        upgrade(engine)
        return
    _refuse_newer(engine)
    raise StoreError(
        "The database at {url} is at revision {current}, this salesplan needs {head}: "
        "run `salesplan db upgrade`.",
        url=display_url(engine),
        current=current,
        head=head,
    )


def _refuse_newer(engine: Engine) -> None:
    current = current_revision(engine)
    if current is None:
        return
    known = {rev.revision for rev in _script().walk_revisions()}
    if current not in known:
        raise StoreError(
            "The database at {url} was made by a newer salesplan (revision {revision}); "
            "upgrade salesplan.",
            url=display_url(engine),
            revision=current,
        )


def _has_foreign_tables(engine: Engine) -> bool:
    names = set(inspect(engine).get_table_names())
    return bool(names - {"alembic_version"})
