"""Stored reviews: one row per `salesplan review`, never changed afterwards.

The payload is the review's JSON text (docs/reviews.md); `id` orders reviews in time, so
"the last review before this one" is the row with the highest id.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, func, insert, select, update

from salesplan.storage.tables import import_batch, review


@dataclass(frozen=True, slots=True)
class StoredReview:
    id: int
    period: str
    created_at: dt.datetime
    author: str
    as_of: dt.date
    import_batch_id: int | None
    payload: str


def _row(row: object) -> StoredReview:
    m = row._mapping  # type: ignore[attr-defined]
    return StoredReview(
        m["id"],
        m["period"],
        m["created_at"],
        m["author"],
        m["as_of"],
        m["import_batch_id"],
        m["payload"],
    )


def latest_batch_id(connection: Connection) -> int | None:
    value = connection.execute(select(func.max(import_batch.c.id))).scalar()
    return None if value is None else int(value)


def add_review(
    connection: Connection,
    *,
    period: str,
    created_at: dt.datetime,
    author: str,
    as_of: dt.date,
    import_batch_id: int | None,
    payload: str,
) -> int:
    """Insert one review inside the caller's transaction; returns its id."""
    result = connection.execute(
        insert(review).values(
            period=period,
            created_at=created_at,
            author=author,
            as_of=as_of,
            import_batch_id=import_batch_id,
            payload=payload,
        )
    )
    (key,) = result.inserted_primary_key or (None,)
    assert key is not None
    return int(key)


def set_payload(connection: Connection, review_id: int, payload: str) -> None:
    """Write the review's document (once, right after `add_review` in the same transaction)."""
    connection.execute(update(review).where(review.c.id == review_id).values(payload=payload))


def list_reviews(connection: Connection) -> list[StoredReview]:
    """Every review, oldest first."""
    return [_row(r) for r in connection.execute(select(review).order_by(review.c.id)).all()]


def get_review(connection: Connection, review_id: int) -> StoredReview | None:
    row = connection.execute(select(review).where(review.c.id == review_id)).first()
    return None if row is None else _row(row)


def latest_for_period(connection: Connection, period: str) -> StoredReview | None:
    row = connection.execute(
        select(review).where(review.c.period == period).order_by(review.c.id.desc()).limit(1)
    ).first()
    return None if row is None else _row(row)


def latest_review(connection: Connection) -> StoredReview | None:
    row = connection.execute(select(review).order_by(review.c.id.desc()).limit(1)).first()
    return None if row is None else _row(row)
