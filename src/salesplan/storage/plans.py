"""The plan's chain of versions: each row is the full plan.yaml text, who stored it, when, why.

Versions are never updated or deleted; a revert (issue 11) stores an older text as a new
version. `number` counts from 1 per workspace; `content_hash` is the SHA-256 of the UTF-8 text,
so "is plan.yaml the latest version?" is one comparison.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import Connection, func, insert, select

from salesplan.storage.tables import plan_version


@dataclass(frozen=True, slots=True)
class StoredVersion:
    number: int
    created_at: dt.datetime
    author: str
    reason: str
    content: str
    content_hash: str


def content_hash(text: str) -> str:
    """SHA-256 hex of the text as UTF-8: the identity of a plan version's content."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _row(row: object) -> StoredVersion:
    m = row._mapping  # type: ignore[attr-defined]
    return StoredVersion(
        m["number"], m["created_at"], m["author"], m["reason"], m["content"], m["content_hash"]
    )


def add_version(
    connection: Connection, *, content: str, author: str, reason: str, at: dt.datetime
) -> StoredVersion:
    """Append the next version (latest number + 1) inside the caller's transaction."""
    latest = connection.execute(select(func.max(plan_version.c.number))).scalar()
    number = int(latest or 0) + 1
    digest = content_hash(content)
    connection.execute(
        insert(plan_version).values(
            number=number,
            created_at=at,
            author=author,
            reason=reason,
            content=content,
            content_hash=digest,
        )
    )
    return StoredVersion(number, at, author, reason, content, digest)


def latest_version(connection: Connection) -> StoredVersion | None:
    row = connection.execute(
        select(plan_version).order_by(plan_version.c.number.desc()).limit(1)
    ).first()
    return None if row is None else _row(row)


def get_version(connection: Connection, number: int) -> StoredVersion | None:
    row = connection.execute(select(plan_version).where(plan_version.c.number == number)).first()
    return None if row is None else _row(row)


def list_versions(connection: Connection) -> list[StoredVersion]:
    """Every version, oldest first (for `plan log`)."""
    rows = connection.execute(select(plan_version).order_by(plan_version.c.number)).all()
    return [_row(r) for r in rows]
