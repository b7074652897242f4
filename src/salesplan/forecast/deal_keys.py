"""Deals as row numbers: each stage event's deal as its row in the opportunities.

The forecast's per-row work (stays, training snapshots, the run-rate's wins) needs the
deal's own fields, which it takes from `History.opportunities` by position. Finding those
positions by a join on the id strings cost a hash table over millions of 16-byte ids at
every fit (~300 MB transient at a million deals); `deal_rows` finds them once, as UInt32
row numbers (4 bytes an event), without hashing when the events are in deal order. The ids
themselves stay in the frames: every output that names a deal shows its original id.
"""

from __future__ import annotations

import numpy as np
import polars as pl

DEAL_ROW = "opp_row"
"""Name of a deal's row number in `History.opportunities` (UInt32)."""


def deal_rows(opportunity_ids: pl.Series, event_ids: pl.Series) -> pl.Series:
    """For each event id, the row of `opportunity_ids` holding it (null: no such deal).

    When the events are sorted by deal (as build_history leaves them), each run of one deal
    is looked up once: the runs' ids are compared with the sorted opportunity ids (the usual
    case: every deal has events, so they are the same list) or else joined on the runs'
    distinct ids only. Otherwise every event is joined on its id."""
    n = event_ids.len()
    if n == 0:
        return pl.Series(DEAL_ROW, [], pl.UInt32)
    if event_ids.null_count() or not event_ids.is_sorted():
        return _joined(opportunity_ids, event_ids)
    # A new run starts where the id differs from the row before (ids one row apart compared
    # as slices: no shifted copy of the ids); the run number is their running count, summed
    # in place by numpy (Polars' cast, cum_sum and − 1 were three 4-byte copies an event).
    starts = pl.concat([pl.Series([True]), event_ids.slice(1) != event_ids.slice(0, n - 1)])
    firsts = event_ids.filter(starts)
    run = np.cumsum(starts.to_numpy(), dtype=np.uint32)
    del starts
    run -= 1
    ids = opportunity_ids
    sorted_alike = ids.null_count() == 0 and ids.is_sorted() and ids.len() == firsts.len()
    if sorted_alike and bool((ids == firsts).all()):  # the usual case: run k is row k
        return pl.Series(DEAL_ROW, run, pl.UInt32)
    order = ids.arg_sort(nulls_last=True)
    ordered = ids.gather(order)
    if ordered.len() == firsts.len() and bool((ordered == firsts).all(ignore_nulls=False)):
        of_run = order
    else:
        of_run = _joined(ids, firsts)
    del ordered, firsts
    return of_run.cast(pl.UInt32).gather(pl.Series(run)).alias(DEAL_ROW)


def _joined(opportunity_ids: pl.Series, ids: pl.Series) -> pl.Series:
    """The row of `opportunity_ids` holding each of `ids`, by a join (a duplicated
    opportunity id, not valid data, keeps its first row: one row for each of `ids`)."""
    index = (
        opportunity_ids.alias("opportunity_id")
        .to_frame()
        .with_row_index(DEAL_ROW)
        .unique("opportunity_id", keep="first", maintain_order=True)
    )
    return (
        ids.alias("opportunity_id")
        .to_frame()
        .join(index, on="opportunity_id", how="left", maintain_order="left")
        .get_column(DEAL_ROW)
    )
