"""What the forecast loads, and how small: a column projection, compact types, and the
plan-currency conversion of a million stage events without copying them.

* Only OPPORTUNITY_COLUMNS and EVENT_COLUMNS are read (storage.frames projects the cached
  Parquet), low-cardinality text becomes Categorical (one small integer a row).
* `plan_amounts` and `event_amounts` give exactly what analytics.currency.to_plan_currency
  gives (same rates, same rounding), but only rows in another currency are converted, one
  currency and CHUNK_ROWS rows at a time, with the three columns the conversion needs: it
  sorts and joins its input twice, which over every event and column would peak at several
  times the events' size. Events find their deal's currency with `is_in` per currency
  instead of a join that materialises a copy of every event.
* `complete_events` adds the synthetic opening/closing events (history.build_history) by
  merging them into the events' (deal, time) order rather than sorting millions of rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import polars as pl

from salesplan.analytics.currency import to_plan_currency
from salesplan.domain.records import DealStatus
from salesplan.domain.stages import StageList

ATTRIBUTES = ("segment", "region", "owner_id", "type", "source", "product", "industry")
"""Fields of a deal treated as known from its creation on (they rarely change in a CRM)."""
OPPORTUNITY_COLUMNS = (
    "id", "created_on", "closed_on", "status", "stage_code", "amount_minor", "currency",
    "close_date", *ATTRIBUTES, "forecast_category", "next_step", "next_step_date",
    "last_activity_on",
)  # fmt: skip
"""The opportunity columns the forecast reads (a projection: the rest is never loaded)."""
EVENT_COLUMNS = ("opportunity_id", "stage_code", "entered_at", "amount_minor", "close_date")
"""The stage-event columns the forecast reads."""
CATEGORICAL = (*ATTRIBUTES, "forecast_category", "status")
"""Low-cardinality text kept as Categorical."""
CHUNK_ROWS = 250_000


def compact(frame: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    """`frame` reduced to `columns` (those present), low-cardinality text as Categorical."""
    present = [c for c in columns if c in frame.columns]
    return frame.select(
        pl.col(c).cast(pl.Categorical) if c in CATEGORICAL and frame.schema[c] == pl.String
        else pl.col(c)
        for c in present
    )  # fmt: skip


def _convert(
    amounts: pl.Series,
    days: pl.Series,
    code: str,
    rates: pl.DataFrame,
    plan_currency: str,
    exponents: Mapping[str, int],
) -> pl.Series:
    """to_plan_currency of amounts all in currency `code` on `days`, CHUNK_ROWS at a time."""
    parts = []
    for start in range(0, amounts.len(), CHUNK_ROWS):
        lean = pl.DataFrame(
            {
                "amount_minor": amounts.slice(start, CHUNK_ROWS).cast(pl.Int64),
                "currency": pl.Series([code], dtype=pl.String).extend_constant(
                    code, min(CHUNK_ROWS, amounts.len() - start) - 1
                ),
                "day": days.slice(start, CHUNK_ROWS),
            }
        )
        parts.append(
            to_plan_currency(lean, rates, plan_currency, exponents, on="day")["amount_plan_minor"]
        )
    return pl.concat(parts) if parts else pl.Series("amount_plan_minor", [], pl.Int64)


def _fill(base: pl.Series, masks: list[tuple[np.ndarray, pl.Series | None]]) -> pl.Series:
    """`base` (Int64) with the rows of each mask replaced by the values (None: null)."""
    values = base.cast(pl.Int64).fill_null(0).to_numpy(writable=True)
    missing = base.is_null().to_numpy().copy()
    for rows, converted in masks:
        if converted is None:
            missing[rows] = True
            continue
        values[rows] = converted.fill_null(0).to_numpy()
        missing[rows] = converted.is_null().to_numpy()
    series = pl.Series("amount_plan_minor", values, pl.Int64)
    series = series.set(pl.Series(missing), None) if missing.any() else series
    # Chunked as `base` (slices of one buffer, no copy): a frame whose columns are chunked
    # alike is selected and filtered without first copying every column into one chunk.
    lengths = base.chunk_lengths()
    if len(lengths) < 2:
        return series
    starts = np.cumsum([0, *lengths[:-1]]).tolist()
    return pl.concat(
        [series.slice(start, n) for start, n in zip(starts, lengths, strict=True)], rechunk=False
    )


def plan_amounts(
    frame: pl.DataFrame,
    rates: pl.DataFrame,
    plan_currency: str,
    exponents: Mapping[str, int],
    *,
    on: str,
) -> pl.DataFrame:
    """`frame` (amount_minor, currency, `on`) with `amount_plan_minor` as to_plan_currency
    computes it (a missing `on` day is the frame's earliest, as there)."""
    if frame.height == 0:
        return to_plan_currency(frame, rates, plan_currency, exponents, on=on)
    day = frame.select(pl.col(on).fill_null(pl.col(on).min()))[on]
    currency = frame["currency"].cast(pl.String)
    codes = set(currency.drop_nulls().unique().to_list()) - {plan_currency}
    _check_rates(codes, rates, plan_currency, exponents)
    masks: list[tuple[np.ndarray, pl.Series | None]] = []
    for code in sorted(codes):
        rows = np.flatnonzero((currency == code).fill_null(False).to_numpy())
        index = pl.Series(rows)
        converted = _convert(frame["amount_minor"].gather(index), day.gather(index), code,
                             rates, plan_currency, exponents)  # fmt: skip
        masks.append((rows, converted))
    masks.append((np.flatnonzero(currency.is_null().to_numpy()), None))
    return frame.with_columns(_fill(frame["amount_minor"], masks))


def _check_rates(
    codes: set[str], rates: pl.DataFrame, plan_currency: str, exponents: Mapping[str, int]
) -> None:
    """Raise MissingRateError as to_plan_currency would for currencies with no rate."""
    if not codes:
        return
    probe = pl.DataFrame(
        {"amount_minor": [0] * len(codes), "currency": sorted(codes), "day": [None] * len(codes)},
        schema={"amount_minor": pl.Int64, "currency": pl.String, "day": pl.Date},
    )
    to_plan_currency(probe, rates, plan_currency, exponents, on="day")


def event_amounts(
    events: pl.DataFrame,
    opportunities: pl.DataFrame,
    rates: pl.DataFrame,
    plan_currency: str,
    exponents: Mapping[str, int],
) -> pl.DataFrame:
    """Events of known deals (others dropped) with `amount_plan_minor` at the rate of the
    day they were entered, in their deal's currency: opportunity_id, stage_code, entered_at,
    amount_plan_minor, close_date."""
    ids = opportunities["id"]
    known = events["opportunity_id"].is_in(ids.implode()).fill_null(False)
    # Filtering copies every column; when every event is of a known deal (the usual case)
    # the frame is kept as it is, sharing its buffers with the caller's.
    ev = events if known.all() else events.filter(known)
    del known
    currency = opportunities["currency"].cast(pl.String)
    day = ev["entered_at"].dt.date()
    masks: list[tuple[np.ndarray, pl.Series | None]] = []
    codes = sorted(set(currency.drop_nulls().unique().to_list()) - {plan_currency})
    _check_rates(set(codes), rates, plan_currency, exponents)
    for code in [*codes, None]:
        chosen = ids.filter(currency.is_null() if code is None else currency == code)
        if chosen.len() == 0:
            continue
        rows = np.flatnonzero(ev["opportunity_id"].is_in(chosen.implode()).to_numpy())
        if code is None:
            masks.append((rows, None))
            continue
        index = pl.Series(rows)
        converted = _convert(ev["amount_minor"].gather(index), day.gather(index), code, rates,
                             plan_currency, exponents)  # fmt: skip
        masks.append((rows, converted))
    return ev.select(
        "opportunity_id", "stage_code", "entered_at", _fill(ev["amount_minor"], masks),
        "close_date",
    )  # fmt: skip


def complete_events(
    opportunities: pl.DataFrame, events: pl.DataFrame, stages: StageList
) -> pl.DataFrame:
    """Add synthetic opening/closing events so every deal has a full, ordered history.

    Ordered by deal, then time: the synthetic rows are merged into events already in that
    order (the usual case, `events_in_order`), else everything is sorted; `status` is
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
    ev = events.with_columns(_by_chunks(events, status.alias("status")))
    ordered = events_in_order(ev)
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
        is_last = _by_chunks(ev, (deal != deal.shift(-1)).fill_null(True), ahead=1)
        # From the Series, not ev.select: a select of a frame whose columns are chunked
        # unalike first copies every column it keeps into one chunk.
        last = pl.DataFrame(
            [
                ev["opportunity_id"],
                ev["status"].alias("last_status"),
                ev["entered_at"].alias("last_at"),
            ]
        ).filter(is_last)
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


def _by_chunks(frame: pl.DataFrame, expr: pl.Expr, *, ahead: int = 0) -> pl.Series:
    """`frame.select(expr)` as one Series, worked out one chunk of the frame at a time
    (each chunk sees `ahead` rows of the next, for shift(-ahead)): the expression's
    intermediate columns then last for a chunk (a Parquet row group, ~124,000 events), not
    for every row."""
    if frame.height == 0 or frame.width == 0:
        return frame.select(expr).to_series()
    # Chunks as the frame's own (its first column's): a column chunked otherwise would make
    # the next select or filter of the frame rechunk (copy) every column it touches.
    starts = np.cumsum([0, *frame.to_series(0).chunk_lengths()])
    parts = [
        frame.slice(start, stop - start + ahead).select(expr).to_series().head(stop - start)
        for start, stop in zip(starts[:-1].tolist(), starts[1:].tolist(), strict=True)
    ]
    return pl.concat(parts, rechunk=False)


def events_in_order(ev: pl.DataFrame) -> bool:
    """True when the events are already in (deal, time) order with no missing time (as the
    store and the demo keep them). Then each deal's last row is its last event, and merging
    the few synthetic rows in by deal gives the order a full sort would, as long as every
    synthetic closing event falls at or after its deal's last event; without sorting
    millions of rows (a sort by two keys holds twice the events' size at once)."""
    if ev.height == 0 or ev["entered_at"].null_count() or not ev["opportunity_id"].is_sorted():
        return False
    deal, at = pl.col("opportunity_id"), pl.col("entered_at")
    back = ((deal == deal.shift(1)) & (at < at.shift(1))).any()
    # CHUNK_ROWS rows at a time, each chunk with the row before it: the shifted copies of
    # the ids and times then last for a chunk, not for every event.
    return not any(
        ev.slice(max(start - 1, 0), CHUNK_ROWS + min(start, 1)).select(back).item()
        for start in range(0, ev.height, CHUNK_ROWS)
    )


def _merge(ev: pl.DataFrame, synthetic: list[pl.DataFrame]) -> pl.DataFrame:
    """`ev` (sorted by deal and time) with the synthetic rows merged in by deal, each after
    the deal's own events (left-biased); the columns' types as the relaxed concat gives."""
    extra = pl.concat(synthetic, how="vertical_relaxed").sort("opportunity_id", "entered_at")
    schema = pl.concat([ev.head(0), extra.head(0)], how="vertical_relaxed").schema
    left, right = ev.cast(schema), extra.cast(schema)
    return left.merge_sorted(right, key="opportunity_id", maintain_order=True)
