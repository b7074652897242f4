"""Opening the workspace's store and upgrading its schema."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from salesplan.config import Settings
from salesplan.errors import ConfigError
from salesplan.storage import frames, migrate
from salesplan.storage.engine import create_store_engine, display_url


def _engine(settings: Settings) -> Engine:
    url = settings.resolved_database_url
    if url.startswith("sqlite:///") and settings.database_url is None:
        if settings.workspace.exists() and not settings.workspace.is_dir():
            raise ConfigError(
                "The option {option} must be a directory, got {value}.",
                option="--workspace",
                value=str(settings.workspace),
            )
        settings.workspace.mkdir(parents=True, exist_ok=True)
    return create_store_engine(url)


CACHE_DIR = ".cache/frames"


def open_store(settings: Settings) -> Engine:
    """An engine on the workspace's database, its schema created if the database is empty.

    Frames read through it are cached as Parquet in the workspace (storage.frames).
    """
    engine = _engine(settings)
    migrate.ensure_schema(engine)
    frames.register_cache(engine, settings.workspace / CACHE_DIR)
    return engine


@dataclass(frozen=True, slots=True)
class UpgradeResult:
    url: str
    before: str | None
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def upgrade_database(settings: Settings) -> UpgradeResult:
    """Run every pending migration (`salesplan db upgrade`)."""
    engine = _engine(settings)
    try:
        before = migrate.current_revision(engine)
        after = migrate.upgrade(engine)
        return UpgradeResult(display_url(engine), before, after)
    finally:
        engine.dispose()
