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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import polars as pl

from salesplan.analytics.currency import to_plan_currency
from salesplan.domain.records import DealStatus
from salesplan.domain.stages import StageList
from salesplan.forecast.loading import (
    ATTRIBUTES,
    EVENT_COLUMNS,
    OPPORTUNITY_COLUMNS,
    compact,
    event_amounts,
)

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
    def stays(self) -> pl.DataFrame:
        """See `stays()`; `opp_row` is the deal's row in `opportunities` (snapshot rows take
        the deal's fields by position, not by a join on the id, every time they are built)."""
        index = self.opportunities.select(pl.col("id").alias("opportunity_id")).with_row_index(
            "opp_row"
        )
        return _stays(self.events).join(
            index, on="opportunity_id", how="left", maintain_order="left"
        )

    @cached_property
    def in_order(self) -> bool:
        """True when `events` are in (deal, time) order with no missing time, as
        build_history leaves them (a hand-built History may not be)."""
        return _in_order(self.events)

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
    return History(
        opportunities,
        complete_events(opportunities, ev, stages),
        stages,
        list_prices,
        as_of,
    )


def complete_events(
    opportunities: pl.DataFrame, events: pl.DataFrame, stages: StageList
) -> pl.DataFrame:
    """Add synthetic opening/closing events so every deal has a full, ordered history.

    Ordered by deal, then time: the synthetic rows are merged into events already in that
    order (the usual case, `_in_order`), else everything is sorted; `status` is
    Categorical."""
    cat = pl.Categorical
    codes = {s.code: s.status.value for s in stages.stages}
    first_open = stages.open_stages[0].code
    won_code, lost_code = stages.code_of(stages.won_key), stages.code_of(stages.lost_key)
    # Each status straight as a Categorical literal: a String column of every event first
    # would be a transient of 16 bytes a row.
    status: pl.Expr = pl.lit(DealStatus.OPEN.value, cat)
    for value in sorted(set(codes.values()) - {DealStatus.OPEN.value}):
        chosen = [code for code, v in codes.items() if v == value]
        status = (
            pl.when(pl.col("stage_code").is_in(chosen)).then(pl.lit(value, cat)).otherwise(status)
        )
    ev = events.with_columns(status.alias("status"))
    ordered = _in_order(ev)
    opp = opportunities.select(
        pl.col("id").alias("opportunity_id"),
        "created_on",
        "closed_on",
        pl.col("status").cast(pl.String).alias("final"),
        "stage_code",
        "amount_plan_minor",
        "close_date",
    )
    # The last status of each deal in time order; deals without events open with one event.
    if ordered:  # each deal's last row is its last event: no group_by over every event
        deal = pl.col("opportunity_id")
        last = ev.filter((deal != deal.shift(-1)).fill_null(True)).select(
            "opportunity_id",
            pl.col("status").alias("last_status"),
            pl.col("entered_at").alias("last_at"),
        )
    else:
        last = ev.group_by("opportunity_id").agg(
            pl.col("status").sort_by("entered_at", maintain_order=True).last().alias("last_status"),
            pl.col("entered_at").max().alias("last_at"),
        )
    opp = opp.join(last, on="opportunity_id", how="left")
    opening = opp.filter(pl.col("last_status").is_null()).select(
        "opportunity_id",
        pl.when(pl.col("final") == "open")
        .then(pl.col("stage_code"))
        .otherwise(pl.lit(first_open))
        .cast(pl.Int32)
        .alias("stage_code"),
        pl.col("created_on").cast(pl.Datetime("us")).alias("entered_at"),
        "amount_plan_minor",
        "close_date",
        pl.lit(DealStatus.OPEN.value, cat).alias("status"),
    )
    closing = opp.filter(
        pl.col("final").is_in(["won", "lost"])
        & (pl.col("last_status").is_null() | (pl.col("last_status") == "open"))
        & pl.col("closed_on").is_not_null()
    ).select(
        "opportunity_id",
        pl.when(pl.col("final") == "won")
        .then(pl.lit(won_code))
        .otherwise(pl.lit(lost_code))
        .cast(pl.Int32)
        .alias("stage_code"),
        (pl.col("closed_on").cast(pl.Datetime("us")) + pl.duration(hours=12)).alias("entered_at"),
        "amount_plan_minor",
        pl.col("closed_on").alias("close_date"),
        pl.col("final").cast(cat).alias("status"),
        "last_at",
    )
    columns = ["opportunity_id", "stage_code", "entered_at", "amount_plan_minor", "close_date",
               "status"]  # fmt: skip
    if ordered and not closing.select((pl.col("entered_at") < pl.col("last_at")).any()).item():
        return _merge(ev.select(columns), [opening.select(columns), closing.select(columns)])
    parts = [frame.select(columns) for frame in (ev, opening, closing)]
    return pl.concat(parts, how="vertical_relaxed").sort("opportunity_id", "entered_at")


def _in_order(ev: pl.DataFrame) -> bool:
    """True when the events are already in (deal, time) order with no missing time (as the
    store and the demo keep them). Then each deal's last row is its last event, and merging
    the few synthetic rows in by deal gives the order a full sort would, as long as every
    synthetic closing event falls at or after its deal's last event; without sorting
    millions of rows (a sort by two keys holds twice the events' size at once)."""
    if ev.height == 0 or ev["entered_at"].null_count() or not ev["opportunity_id"].is_sorted():
        return False
    deal, at = pl.col("opportunity_id"), pl.col("entered_at")
    return not ev.select(((deal == deal.shift(1)) & (at < at.shift(1))).any()).item()


def _merge(ev: pl.DataFrame, synthetic: list[pl.DataFrame]) -> pl.DataFrame:
    """`ev` (sorted by deal and time) with the synthetic rows merged in by deal, each after
    the deal's own events (left-biased); the columns' types as the relaxed concat gives."""
    extra = pl.concat(synthetic, how="vertical_relaxed").sort("opportunity_id", "entered_at")
    schema = pl.concat([ev.head(0), extra.head(0)], how="vertical_relaxed").schema
    left, right = ev.cast(schema), extra.cast(schema)
    return left.merge_sorted(right, key="opportunity_id", maintain_order=True)


def stays(history: History) -> pl.DataFrame:
    """Open-stage stays: opportunity_id, stage_code, start, end (null: still there),
    amount_plan_minor and close_date as stated on entry.

    Built once per History (every fit and backtest cutoff reads them): the events are sorted
    by deal and time, so a stay ends at the next row's entry when that row is the same deal.
    """
    return history.stays


def _stays(ev: pl.DataFrame) -> pl.DataFrame:
    if not ev["opportunity_id"].is_sorted():  # a hand-built History: group each deal's rows
        ev = ev.sort("opportunity_id", maintain_order=True)
    same_deal = pl.col("opportunity_id").shift(-1) == pl.col("opportunity_id")
    return (
        ev.with_columns(pl.when(same_deal).then(pl.col("entered_at").shift(-1)).alias("end"))
        .filter(pl.col("status") == "open")
        .rename({"entered_at": "start"})
    )


def _instant(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day)


def snapshot_rows(
    history: History,
    days: Sequence[dt.date],
    attributes: Sequence[str] = (*ATTRIBUTES, "forecast_category"),
) -> pl.DataFrame:
    """Every (deal, snapshot day) where the deal was open at the start of that day.

    `attributes`: the deal fields to attach (the models' training rows need only a few; at
    a million deals each is tens of MB).

    Columns: the stay's fields, `snapshot` (date), `days_in_stage`, `age_days`, and the deal's
    ATTRIBUTES and `created_on`. Built by arithmetic on sorted snapshot instants, never a
    deals × days cross product.
    """
    if not days:
        return _attach(
            history,
            stays(history).head(0).with_columns(pl.lit(None, pl.Date).alias("snapshot")),
            attributes,
        )
    ordered = sorted(set(days))
    instants = np.array([np.datetime64(_instant(d), "us") for d in ordered])
    st = stays(history)
    start = st["start"].to_numpy()
    end = st["end"].fill_null(dt.datetime(9999, 1, 1)).to_numpy()
    lo = np.searchsorted(instants, start, side="right")
    hi = np.maximum(np.searchsorted(instants, end, side="right"), lo)
    keep = hi > lo  # filter first, then add the indices: no index columns over every stay
    st = st.filter(pl.Series(keep)).with_columns(
        pl.Series("_lo", lo[keep], pl.Int64), pl.Series("_hi", hi[keep], pl.Int64)
    )
    index = pl.DataFrame({"_i": range(len(ordered)), "snapshot": ordered}).with_columns(
        pl.col("_i").cast(pl.Int64), pl.col("snapshot").cast(pl.Date)
    )
    rows = (
        st.with_columns(pl.int_ranges("_lo", "_hi").alias("_i"))
        .explode("_i")
        .join(index, on="_i", how="left")
        .drop("_lo", "_hi", "_i")
    )
    return _attach(history, rows, attributes)


def _attach(history: History, rows: pl.DataFrame, attributes: Sequence[str]) -> pl.DataFrame:
    at = rows["opp_row"]
    attrs = history.opportunities.select(pl.col(c).gather(at) for c in ("created_on", *attributes))
    snap_ts = pl.col("snapshot").cast(pl.Datetime("us"))
    return pl.concat([rows.drop("opp_row"), attrs], how="horizontal").with_columns(
        pl.col("close_date").alias("event_close_date"),
        ((snap_ts - pl.col("start")).dt.total_hours() / 24.0).alias("days_in_stage"),
        (pl.col("snapshot") - pl.col("created_on")).dt.total_days().alias("age_days"),
    )


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
    before = pl.col("entered_at") < _instant(cutoff)
    if history.in_order:
        # Each deal's last event before the cutoff is the row before it whose next row is
        # another deal's or not before it: one filter, no group_by over millions of rows.
        deal = pl.col("opportunity_id")
        last = before & (
            (deal != deal.shift(-1)).fill_null(True) | (~before).shift(-1).fill_null(True)
        )
        return ev.filter(last).select(
            "opportunity_id",
            pl.col("status").alias("outcome"),
            pl.when(pl.col("status") == "open")
            .then(None)
            .otherwise(pl.col("entered_at").dt.date())
            .alias("closed_on"),
        )
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
