"""Shared fixtures: a workspace in a temp dir, and stores on SQLite and (when available) PostgreSQL.

PostgreSQL: the session starts a throwaway server from Debian's binaries (as the `postgres`
user when running as root, since initdb refuses root) on 127.0.0.1 and a free port. With
SALESPLAN_REQUIRE_POSTGRES=1 (set by CI) a missing server fails the run instead of skipping.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, create_engine, text

from salesplan.config import Settings
from salesplan.storage.engine import create_store_engine

# Property tests: no wall-clock deadlines (CI machines are shared); in CI, a fixed example
# sequence so a red build is reproducible and never depends on luck.
hypothesis_settings.register_profile("dev", deadline=None)
hypothesis_settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")


def _pg_bindir() -> Path | None:
    explicit = os.environ.get("SALESPLAN_PG_BINDIR")
    candidates = [Path(explicit)] if explicit else []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for candidate in candidates:
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _PostgresServer:
    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="salesplan-pg-"))
        self.port = _free_port()
        self.as_postgres = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        command = list(args)
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> str:
        data, sock, log = self.root / "data", self.root / "sock", self.root / "log"
        sock.mkdir()
        self.root.chmod(0o755)
        if self.as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
            shutil.chown(sock, "postgres", "postgres")
        self._run(
            str(self.bindir / "initdb"), "-D", str(data), "-U", "app", "--auth=trust",
            "-E", "UTF8", "--locale=C.UTF-8",
        )  # fmt: skip
        options = f"-p {self.port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(str(self.bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-o",
                  options, "start")  # fmt: skip
        return f"postgresql+psycopg://app@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate",
                      "stop")  # fmt: skip
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    """URL of the session's PostgreSQL server (database `postgres`), or None when unavailable."""
    required = os.environ.get("SALESPLAN_REQUIRE_POSTGRES") == "1"
    external = os.environ.get("SALESPLAN_TEST_POSTGRES_URL")
    if external:
        yield external
        return
    bindir = _pg_bindir()
    if bindir is None:
        if required:
            pytest.fail("SALESPLAN_REQUIRE_POSTGRES=1 but no PostgreSQL binaries were found")
        yield None
        return
    server = _PostgresServer(bindir)
    try:
        url = server.start()
    except (subprocess.SubprocessError, OSError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        if required:
            pytest.fail(f"could not start PostgreSQL: {exc} {detail.decode(errors='replace')}")
        yield None
        return
    try:
        yield url
    finally:
        server.stop()


def _fresh_pg_database(server_url: str) -> str:
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server_url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each backend: a SQLite file, and a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    server = request.getfixturevalue("postgres_url")
    if server is None:
        pytest.skip("PostgreSQL is not available on this machine")
    return _fresh_pg_database(server)


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    engine = create_store_engine(store_url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for a workspace in a temp dir, ignoring the caller's environment."""
    return Settings(workspace=tmp_path / "ws", database_url=None, locale="en", currency="CNY")
