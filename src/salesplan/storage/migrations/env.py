"""Alembic environment: uses the engine handed over by salesplan.storage.migrate."""

from __future__ import annotations

from alembic import context

from salesplan.storage.tables import metadata

config = context.config


def run_migrations_online() -> None:
    engine = config.attributes["engine"]
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("salesplan migrations run online only: use `salesplan db upgrade`.")
run_migrations_online()
