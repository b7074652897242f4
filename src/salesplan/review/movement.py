"""Why the forecast moved between two reviews: every deal's change of expected bookings put
in exactly one bucket, so the buckets add up to the whole movement.

Each review keeps, per deal, its state and expected contribution e (minor units) to a
horizon [start, end): a deal won inside the horizon before the cutoff counts its amount; an
open deal a·P(win)·P(in horizon | win) rounded to the minor unit; anything else 0. With R the
run-rate (deals not yet created):

    expected = Σ e + R,      current − previous = Σ_deals (e_now − e_prev) + (R_now − R_prev)

Buckets, first match wins: `won` (won now, not before), `lost` (lost now, not before),
`removed` (no longer in the data), `added` (new, or its close date moved into the horizon),
`slipped` (close date moved out of the horizon), `amount_changed`, `probability` (same
amount and close month side: stage, age or model refit), and `run_rate`. The previous
expected plus the bucket deltas equals the current expected exactly (integers).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

BUCKETS = (
    "won",
    "lost",
    "slipped",
    "added",
    "amount_changed",
    "probability",
    "removed",
    "run_rate",
)


@dataclass(frozen=True, slots=True)
class DealState:
    opportunity_id: str
    status: str
    """`open`, `won` or `lost`."""
    amount_minor: int | None
    close_date: dt.date | None
    """The stated close date (open deals) or the closing date (closed deals)."""
    expected_minor: int
    owner_id: str | None = None
    stage: str | None = None


@dataclass(frozen=True, slots=True)
class DealMove:
    opportunity_id: str
    owner_id: str | None
    previous: DealState | None
    current: DealState | None

    @property
    def delta_minor(self) -> int:
        before = 0 if self.previous is None else self.previous.expected_minor
        after = 0 if self.current is None else self.current.expected_minor
        return after - before


@dataclass(frozen=True, slots=True)
class Bucket:
    name: str
    delta_minor: int
    deals: list[DealMove] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Movement:
    previous_minor: int
    current_minor: int
    buckets: list[Bucket]
    """In BUCKETS order; every bucket is listed (empty ones with delta 0)."""


def _inside(day: dt.date | None, start: dt.date, end: dt.date) -> bool:
    return day is not None and start <= day < end


def bucket_of(
    previous: DealState | None, current: DealState | None, start: dt.date, end: dt.date
) -> str:
    """The bucket of one deal's change (see the module docstring for the order)."""
    if current is None:
        return "removed"
    if current.status == "won" and (previous is None or previous.status != "won"):
        return "won"
    if current.status == "lost" and (previous is None or previous.status != "lost"):
        return "lost"
    if previous is None:
        return "added"
    was_in = _inside(previous.close_date, start, end)
    is_in = _inside(current.close_date, start, end)
    if was_in and not is_in:
        return "slipped"
    if is_in and not was_in:
        return "added"
    if previous.amount_minor != current.amount_minor:
        return "amount_changed"
    return "probability"


def forecast_movement(
    previous: Sequence[DealState],
    current: Sequence[DealState],
    previous_run_rate: int,
    current_run_rate: int,
    start: dt.date,
    end: dt.date,
) -> Movement:
    """The movement from `previous` to `current` for the horizon [start, end).

    `current` must hold every deal of `previous` that still exists (with its status now) and
    every deal now contributing; a deal whose expected value did not change is left out of
    the buckets.
    """
    before = {d.opportunity_id: d for d in previous}
    after = {d.opportunity_id: d for d in current}
    moves: dict[str, list[DealMove]] = {name: [] for name in BUCKETS}
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        known = new if new is not None else old
        move = DealMove(key, None if known is None else known.owner_id, old, new)
        if move.delta_minor == 0:
            continue
        moves[bucket_of(old, new, start, end)].append(move)
    buckets = []
    for name in BUCKETS:
        if name == "run_rate":
            buckets.append(Bucket(name, current_run_rate - previous_run_rate))
            continue
        chosen = sorted(moves[name], key=lambda m: (-abs(m.delta_minor), m.opportunity_id))
        buckets.append(Bucket(name, sum(m.delta_minor for m in chosen), chosen))
    return Movement(
        sum(d.expected_minor for d in previous) + previous_run_rate,
        sum(d.expected_minor for d in current) + current_run_rate,
        buckets,
    )
