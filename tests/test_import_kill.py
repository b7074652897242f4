"""An import killed with SIGKILL in the middle of its write leaves the store as it was.

A real `python -m salesplan import opportunities FILE` runs in a child process against a
SQLite workspace that already holds an earlier import. The test waits until the child holds
the database's write lock (its one import transaction has begun writing: a probe
`BEGIN IMMEDIATE` from here fails, continuously, for a while), kills it with SIGKILL, and
checks that every table's row count and a checksum of each table's rows are unchanged, and
that importing the same file again then succeeds (in-process: the CLI's start-up alone takes
several seconds) and leaves no staging file of the killed import in the temporary folder.
The write lock is held from the batch's first insert to the commit: about a second for these
150 000 rows, of which the test waits 0.15 s to be sure it is the import's write and not a
short lock taken while the store is opened.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl
import pytest

from salesplan.config import Settings
from salesplan.services.imports import import_file

AS_OF = dt.date(2026, 11, 28)
ROWS = 150_000
"""Enough rows that the write takes well over a second on a fast machine."""
TABLES = ("import_batch", "stage", "opportunity", "opportunity_snapshot", "stage_event")

pytestmark = pytest.mark.skipif(
    not hasattr(signal, "SIGKILL"), reason="the platform has no SIGKILL (Windows)"
)


def _deals(n: int, first: int) -> pl.DataFrame:
    i = pl.int_range(first, first + n, eager=True)
    return pl.DataFrame(
        {
            "id": "K-" + i.cast(pl.String).str.zfill(7),
            "name": "Deal " + i.cast(pl.String),
            "account_id": "ACC-" + (i % 5000).cast(pl.String),
            "owner_id": "EMP-" + (i % 40).cast(pl.String),
            "amount": (i % 997 * 100 + 50).cast(pl.String) + ".25",
            "currency": pl.Series(["CNY", "USD", "EUR"]).gather(i % 3),
            "created_on": ["2026-01-15"] * n,
            "close_date": ["2026-12-20"] * n,
            "stage": pl.Series(["prospecting", "demo", "proposal", "closed_won"]).gather(i % 4),
        }
    )


def _state(database: Path) -> dict[str, object]:
    """Row count of every table, and a checksum of the rows of each record table."""
    out: dict[str, object] = {}
    with sqlite3.connect(database) as connection:
        for table in TABLES:
            rows = connection.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
            out[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return out


def _indexes(database: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' ORDER BY name"
        ).fetchall()
    return [(str(name), str(table)) for name, table in rows]


def _writing(database: Path) -> bool:
    """Whether another connection holds the write lock (an open write transaction)."""
    probe = sqlite3.connect(database, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        return True
    else:
        probe.execute("ROLLBACK")
        return False
    finally:
        probe.close()


def _command(path: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "salesplan",
        "import",
        "opportunities",
        str(path),
        "--as-of",
        AS_OF.isoformat(),
    ]


def test_sigkill_mid_write_leaves_the_store_unchanged(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before_file = tmp_path / "first.csv"
    _deals(500, 0).write_csv(before_file)
    first = import_file(settings, "opportunities", before_file, as_of=dt.date(2026, 11, 1))
    assert first.errors == [] and first.rows_written == 500
    database = settings.workspace / "salesplan.db"
    before = _state(database)
    indexes = _indexes(database)

    big = tmp_path / "big.csv"
    _deals(ROWS, 250).write_csv(big)  # 250 deals already stored, the rest new
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALESPLAN_")}
    env |= {"SALESPLAN_WORKSPACE": str(settings.workspace), "SALESPLAN_CURRENCY": "CNY"}
    scratch = tmp_path / "tmp"  # the child's temporary folder, where staging files go
    scratch.mkdir()
    env["TMPDIR"] = str(scratch)
    child = subprocess.Popen(
        _command(big), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        held_since: float | None = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and child.poll() is None:
            if _writing(database):
                held_since = held_since or time.monotonic()
                if time.monotonic() - held_since > 0.15:  # the import's write, not a blip
                    break
            else:
                held_since = None
            time.sleep(0.02)
        assert child.poll() is None, "the import ended before it could be killed: use more rows"
        assert held_since is not None, "the import never started writing within 60 s"
        child.send_signal(signal.SIGKILL)
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    assert _state(database) == before
    assert _indexes(database) == indexes

    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    again = import_file(settings, "opportunities", big, as_of=AS_OF)  # in-process: faster
    assert list(scratch.iterdir()) == []  # staging files of the killed import removed too
    assert again.errors == [] and again.rows_written == ROWS
    after = _state(database)
    # 500 stored + 150 000 in the file − 250 in both = 150 250 opportunities; one more batch
    assert after["opportunity"][0] == 500 + ROWS - 250  # type: ignore[index]
    assert after["import_batch"][0] == before["import_batch"][0] + 1  # type: ignore[index]
    assert _indexes(database) == indexes  # dropped for the big write, rebuilt in it
