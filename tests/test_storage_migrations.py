"""Migrations go up and down on both backends and match the table definitions exactly."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from salesplan.errors import StoreError
from salesplan.storage import migrate
from salesplan.storage.tables import metadata

CANONICAL_TABLES = {
    "import_batch",
    "stage",
    "fx_rate",
    "team_member",
    "product",
    "account",
    "opportunity",
    "opportunity_snapshot",
    "stage_event",
    "lead",
    "activity",
}


def test_upgrade_creates_every_table_and_downgrade_removes_them(engine: Engine) -> None:
    assert migrate.current_revision(engine) is None
    reached = migrate.upgrade(engine)
    assert reached == migrate.head_revision()
    assert set(inspect(engine).get_table_names()) >= CANONICAL_TABLES

    migrate.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    assert migrate.current_revision(engine) is None

    migrate.upgrade(engine)  # and up again: downgrade left nothing behind
    assert set(inspect(engine).get_table_names()) >= CANONICAL_TABLES


def test_migrations_match_the_table_definitions(engine: Engine) -> None:
    migrate.upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_ensure_schema_upgrades_an_empty_database(engine: Engine) -> None:
    migrate.ensure_schema(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    migrate.ensure_schema(engine)  # idempotent


def test_ensure_schema_refuses_a_database_from_a_newer_salesplan(engine: Engine) -> None:
    migrate.upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'ffff9999'"))
    with pytest.raises(StoreError) as caught:
        migrate.ensure_schema(engine)
    assert "newer salesplan" in caught.value.message_id
    assert caught.value.params["revision"] == "ffff9999"


def test_ensure_schema_refuses_a_database_with_foreign_tables(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE customers (id INTEGER PRIMARY KEY)"))
    with pytest.raises(StoreError) as caught:
        migrate.ensure_schema(engine)
    assert "did not create" in str(caught.value)
    assert "reason" not in caught.value.params  # the whole sentence is one catalogue message


def test_unreachable_database_is_a_clean_store_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from salesplan.storage.engine import create_store_engine

    missing_dir = tmp_path / "no" / "such" / "dir" / "x.db"
    engine = create_store_engine(f"sqlite:///{missing_dir}")
    with pytest.raises(StoreError):
        migrate.ensure_schema(engine)
