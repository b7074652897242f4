"""The pipeline as it stood at any past instant, rebuilt from stage events (no peeking).

A deal's history is a list of stays: each stage event opens a stay that lasts until the next
event. The state at instant `c` (midnight starting day `c`) is the last event entered before
`c`; its amount and stated close date are the ones recorded then. Deals without any events get
a synthetic one at `created_on` (their current stage if open, the first open stage if closed),
and closed deals whose events stop before the close get a synthetic closing event at
`closed_on`, so every deal has a complete, ordered history. Money is in plan-currency minor
units (`amount_plan_minor`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import polars as pl

from salesplan.analytics.currency import to_plan_currency
from salesplan.domain.stages import StageList
from salesplan.forecast.deal_keys import DEAL_ROW, deal_rows
from salesplan.forecast.loading import (
    ATTRIBUTES,
    EVENT_COLUMNS,
    OPPORTUNITY_COLUMNS,
    compact,
    complete_events,
    event_amounts,
    events_in_order,
)
from salesplan.forecast.snapshots import days_in_stage, open_days

__all__ = ["ATTRIBUTES", "EVENT_COLUMNS", "OPPORTUNITY_COLUMNS", "History", "build_history"]


@dataclass(frozen=True)
class History:
    """Everything the forecast learns from, in plan-currency minor units.

    `opportunities` has `amount_plan_minor`; `events` has opportunity_id, stage_code,
    entered_at, amount_plan_minor, close_date, status (open/won/lost) and is sorted by deal
    and time; `list_prices` maps product id → list price in plan minor units.
    """

    opportunities: pl.DataFrame
    events: pl.DataFrame
    stages: StageList
    list_prices: Mapping[str, int]
    as_of: dt.date

    @cached_property
    def stay_rows(self) -> pl.DataFrame:
        """The open-stage stays as positions, not copies (see `stays()`): `row`, the event
        opening the stay (its row in `events`), `end` and `opp_row`, the deal's row in
        `opportunities` (snapshot rows take the deal's fields by position, not by a join on
        the id, every time they are built). 16 bytes a stay instead of a copy of the events'
        columns (at a million deals, ~50 MB held instead of ~160 MB)."""
        positions = _stay_rows(self.events)
        return positions.with_columns(self.deal_rows.gather(positions["row"]))

    @cached_property
    def deal_rows(self) -> pl.Series:
        """Each event's deal as its row in `opportunities` (UInt32, `opp_row`; null: a deal
        not there), found once (deal_keys.deal_rows): 4 bytes an event, ~17 MB at a million
        deals, instead of a join on the id strings wherever an event needs its deal."""
        return deal_rows(self.opportunities["id"], self.events["opportunity_id"])

    @cached_property
    def in_order(self) -> bool:
        """True when `events` are in (deal, time) order with no missing time, as
        build_history leaves them (a hand-built History may not be)."""
        return events_in_order(self.events)

    @property
    def start(self) -> dt.date:
        """The first day the data knows about."""
        first = self.opportunities["created_on"].min()
        return first if isinstance(first, dt.date) else self.as_of


def stage_status(stages: StageList) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "stage_code": [s.code for s in stages.stages],
            "status": [s.status.value for s in stages.stages],
        },
        schema={"stage_code": pl.Int32, "status": pl.String},
    )


def build_history(
    opportunities: pl.DataFrame,
    events: pl.DataFrame,
    stages: StageList,
    *,
    rates: pl.DataFrame,
    products: pl.DataFrame,
    plan_currency: str,
    exponents: Mapping[str, int],
    as_of: dt.date,
) -> History:
    """Normalise canonical frames (opportunities already with `amount_plan_minor`); only the
    columns the forecast reads are kept, low-cardinality text as Categorical."""
    opportunities = compact(opportunities, (*OPPORTUNITY_COLUMNS, "amount_plan_minor"))
    ev = event_amounts(compact(events, EVENT_COLUMNS), opportunities, rates, plan_currency,
                       exponents)  # fmt: skip
    prices = to_plan_currency(
        products.with_columns(pl.lit(None, pl.Date).alias("price_on")),
        rates,
        plan_currency,
        exponents,
        amount="list_price_minor",
        on="price_on",
    )
    list_prices = {
        str(row["id"]): int(row["amount_plan_minor"])
        for row in prices.iter_rows(named=True)
        if row["amount_plan_minor"] is not None
    }
    columns = complete_events(opportunities, ev, stages).get_columns()
    del ev
    # One chunk a column, as every later step expects (each would otherwise gather and
    # filter across the Parquet's row groups); rechunked last, when the loading's
    # transients are gone, and the events one column at a time, each chunked copy let go
    # as soon as it is copied (the whole frame at once held both copies: ~150 MB more at
    # a million deals, the load's peak).
    one_chunk: list[pl.Series] = []
    while columns:
        one_chunk.append(columns.pop(0).rechunk())
    return History(opportunities.rechunk(), pl.DataFrame(one_chunk), stages, list_prices, as_of)


def stays(
    history: History,
    columns: Collection[str] | None = None,
    *,
    ended_before: dt.datetime | None = None,
) -> pl.DataFrame:
    """Open-stage stays: opportunity_id, stage_code, start, amount_plan_minor, close_date,
    status (the event's fields as stated on entry), end (null: still there) and opp_row.

    `columns`: only these (in the full frame's order); `ended_before`: only stays
    completed before that instant. Each call gathers the fields from the events by position
    (history.stay_rows, built once per History: every fit and backtest cutoff reads them)."""
    index = history.stay_rows
    if ended_before is not None:
        index = index.filter(pl.col("end").is_not_null() & (pl.col("end") < ended_before))
    return _stay_frame(history, index, columns)


def _stay_frame(
    history: History, index: pl.DataFrame, columns: Collection[str] | None
) -> pl.DataFrame:
    """The stays at `index` (rows of history.stay_rows) with the event fields in `columns`."""
    ev = history.events
    names = [*("start" if c == "entered_at" else c for c in ev.columns), "end", "opp_row"]
    at = index["row"]
    series = [
        index[name] if name in ("end", "opp_row")
        else ev["entered_at" if name == "start" else name].gather(at).alias(name)
        for name in names
        if columns is None or name in columns
    ]  # fmt: skip
    return pl.DataFrame(series)


def _stay_rows(ev: pl.DataFrame) -> pl.DataFrame:
    """row and end of each open-stage event: the events are sorted by deal and time, so a
    stay ends at the next row's entry when that row is the same deal."""
    ids = ev["opportunity_id"]
    if ids.is_sorted():
        # Series arithmetic on the sorted events: the next row is the same deal where the
        # ids one row apart are equal (no shifted copy of the ids; they are ~16 bytes a row).
        n = ev.height
        pairs = ids.slice(1) == ids.slice(0, n - 1) if n else pl.Series([], dtype=pl.Boolean)
        same_deal = pl.concat([pairs, pl.Series([False])]).head(n)
        is_open = ev["status"] == "open"
        row = is_open.arg_true().cast(pl.UInt32).alias("row")
        # The end is the next row's entry, gathered for the open stays only (a null index:
        # null): no shifted copy of every event's time.
        following = pl.select(pl.when(same_deal.filter(is_open)).then(row + 1)).to_series()
        end = ev["entered_at"].gather(following)
        return pl.DataFrame([row, end.alias("end")])
    # A hand-built History: group each deal's rows first.
    frame = ev.select("opportunity_id", "entered_at", "status").with_row_index("row")
    frame = frame.sort("opportunity_id", maintain_order=True)
    same = pl.col("opportunity_id").shift(-1) == pl.col("opportunity_id")
    return (
        frame.with_columns(pl.when(same).then(pl.col("entered_at").shift(-1)).alias("end"))
        .filter(pl.col("status") == "open")
        .select("row", "end")
    )


def _instant(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day)


def snapshot_rows(
    history: History,
    days: Sequence[dt.date],
    attributes: Sequence[str] = (*ATTRIBUTES, "forecast_category"),
    *,
    columns: Sequence[str] | None = None,
    deals: np.ndarray | None = None,
) -> pl.DataFrame:
    """Every (deal, snapshot day) where the deal was open at the start of that day.

    `attributes`: the deal fields to attach (the models' training rows need only a few; at
    a million deals each is tens of MB). `columns`: when given, only these columns are
    returned, and the stays are narrowed to what they need before the rows are exploded
    (each column not kept is 4-8 bytes × the rows, ~1.5M at a million deals). `deals`:
    when given, only the rows of deals whose row in `opportunities` is True there (one
    more entry, for events of deals not in `opportunities`): as filtering the full rows,
    without building them first.

    Columns: the stay's fields, `snapshot` (date), `days_in_stage`, `age_days`, and the deal's
    ATTRIBUTES and `created_on`. Built by arithmetic on sorted snapshot instants, never a
    deals × days cross product.
    """
    needed = _needed(columns)
    if columns is not None:
        attributes = [a for a in attributes if a in columns]
    if not days:
        return _attach(
            history,
            stays(history, needed).head(0).with_columns(pl.lit(None, pl.Date).alias("snapshot")),
            attributes,
            columns,
        )
    ordered = sorted(set(days))
    instants = np.array([np.datetime64(_instant(d), "us") for d in ordered])
    positions = history.stay_rows
    lo, hi = open_days(history.events["entered_at"], positions, instants)
    if deals is not None:  # stays of the other deals open on no day
        chosen = deals[positions[DEAL_ROW].fill_null(len(deals) - 1).to_numpy()]
        np.copyto(hi, lo, where=~chosen)
        del chosen
    # Stay i is open on snapshot days lo[i] … hi[i] − 1: one row per (stay, day), as
    # positions computed with numpy; the fields are gathered once, for those rows only
    # (no list column exploded, no join on the day: each copied every column).
    keep = np.flatnonzero(hi > lo).astype(np.uint32)
    counts = hi[keep] - lo[keep]
    first = np.cumsum(counts, dtype=np.int64) - counts  # each kept stay's first row
    stay = np.repeat(keep, counts)  # the stay of each row (its row in stay_rows)
    day = np.arange(len(stay), dtype=np.int64) - np.repeat(first - lo[keep], counts)
    del lo, hi, keep, counts, first
    index = [c for c in positions.columns if needed is None or c in needed or c == "row"]
    kept = positions.select(pl.col(index).gather(stay))
    del stay
    rows = _stay_frame(history, kept, needed).with_columns(
        pl.Series("snapshot", ordered, pl.Date).gather(day)
    )
    return _attach(history, rows, attributes, columns)


_DERIVED_FROM = {
    "event_close_date": "close_date",
    "days_in_stage": "start",
    "age_days": "created_on",
}
"""Columns snapshot_rows derives, and the field each is computed from."""


def _needed(columns: Sequence[str] | None) -> set[str] | None:
    """The stays' columns that the snapshot rows' `columns` (None: all) need."""
    if columns is None:
        return None
    return {*columns, *(_DERIVED_FROM[c] for c in columns if c in _DERIVED_FROM), "opp_row"}


def _attach(
    history: History,
    rows: pl.DataFrame,
    attributes: Sequence[str],
    columns: Sequence[str] | None = None,
) -> pl.DataFrame:
    at = rows["opp_row"]
    wanted = set(_DERIVED_FROM) if columns is None else set(columns)
    dated = columns is None or bool({"created_on", "age_days"} & wanted)
    fields = [*(["created_on"] if dated else []), *attributes]
    attrs = history.opportunities.select(pl.col(c).gather(at) for c in fields)
    derived = {
        "event_close_date": pl.col("close_date"),
        "days_in_stage": days_in_stage(rows) if "days_in_stage" in wanted else None,
        "age_days": (pl.col("snapshot") - pl.col("created_on")).dt.total_days(),
    }
    # `opp_row` is kept only when asked for (the models' training rows find each deal's
    # outcome by it, deal_keys.DealOutcomes).
    kept = rows if columns is not None and DEAL_ROW in columns else rows.drop(DEAL_ROW)
    result = pl.concat([kept, attrs], how="horizontal").with_columns(
        expr.alias(name) for name, expr in derived.items() if name in wanted and expr is not None
    )
    return result if columns is None else result.select(columns)


def pipeline_at(history: History, cutoff: dt.date) -> pl.DataFrame:
    """Open deals at the start of `cutoff`, as they stood then (see snapshot_rows for columns)."""
    return snapshot_rows(history, [cutoff])


def current_pipeline(history: History) -> pl.DataFrame:
    """Open deals at the as-of date with their current amount, stage and stated close date.

    The stage entry time and `event_close_date` (the close date stated at the last stage
    event, the same information the models learn from) come from the events; the rest from
    the opportunity as imported.
    """
    cutoff = history.as_of + dt.timedelta(days=1)
    rows = pipeline_at(history, cutoff).drop("amount_plan_minor", "close_date", "stage_code")
    now = history.opportunities.filter(pl.col("status") == "open").select(
        pl.col("id").alias("opportunity_id"),
        "stage_code",
        "amount_plan_minor",
        "close_date",
        "next_step",
        "next_step_date",
        "last_activity_on",
    )
    return now.join(rows, on="opportunity_id", how="inner")


def outcomes_at(history: History, cutoff: dt.date) -> pl.DataFrame:
    """Each deal's state at the start of `cutoff`: opportunity_id, outcome, closed_on.

    `outcome` is open, won or lost (the last event before the cutoff)."""
    # The three columns read, before filtering: filtering first copied every column.
    ev = history.events.select("opportunity_id", "status", "entered_at")
    if history.in_order:
        return ev.filter(last_before(history, cutoff)).select(
            "opportunity_id",
            pl.col("status").alias("outcome"),
            pl.when(pl.col("status") == "open")
            .then(None)
            .otherwise(pl.col("entered_at").dt.date())
            .alias("closed_on"),
        )
    before = pl.col("entered_at") < _instant(cutoff)
    ev = ev.filter(before)
    return (
        ev.group_by("opportunity_id")
        .agg(
            pl.col("status").last().alias("outcome"),
            pl.col("entered_at").last().dt.date().alias("closed_on"),
        )
        .with_columns(
            pl.when(pl.col("outcome") == "open")
            .then(None)
            .otherwise(pl.col("closed_on"))
            .alias("closed_on")
        )
    )


def last_before(history: History, cutoff: dt.date) -> pl.Series:
    """For events in order (History.in_order): True at each deal's last event before the
    start of `cutoff`, the row before it whose next row is another deal's or not before it
    (one mask, no group_by over millions of rows). The ids one row apart are compared as
    slices: a shifted copy of the ids was ~16 bytes an event."""
    ev = history.events
    n = ev.height
    if n == 0:
        return pl.Series("last", [], pl.Boolean)
    before = ev["entered_at"] < _instant(cutoff)
    ids = ev["opportunity_id"]
    other_next = pl.concat([(ids.slice(1) != ids.slice(0, n - 1)).fill_null(True), _TRUE])
    next_not_before = pl.concat([~before.slice(1), _TRUE])
    return (before & (other_next | next_not_before)).alias("last")


_TRUE = pl.Series([True])


def won_between(history: History, start: dt.date, end: dt.date) -> pl.DataFrame:
    """Wins whose closing event falls in [start, end): opportunity_id, won_on, amount_plan_minor."""
    ev = history.events
    return ev.filter(
        (pl.col("status") == "won")
        & (pl.col("entered_at") >= _instant(start))
        & (pl.col("entered_at") < _instant(end))
    ).select(
        "opportunity_id",
        pl.col("entered_at").dt.date().alias("won_on"),
        "amount_plan_minor",
    )
