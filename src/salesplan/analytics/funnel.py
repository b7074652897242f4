"""Stage-to-stage conversion and time in stage, from stage events.

For each open stage s, among deals that entered s during [start, end):
- advanced: the deal later entered any stage with a higher code (including won);
- died: the deal's last event is s followed by a lost stage (lost while at s);
- unresolved: still sitting at s (open), excluded from the rate and reported.
conversion(s) = advanced ÷ (advanced + died), with a Wilson interval.
Time in stage = days from entering s to the next event, for deals that advanced (median, p75).

A reopened deal (lost, then back in an open stage) counts once per stage, from its first
entry in the period: it advanced if it ever reached a higher non-lost stage after its first
entry of s (at any time), so its final path decides, and its time in stage runs to the first
such higher stage.

Speed: everything is read off one table of *paths* (`stage_paths`): one row per deal and open
stage it entered in the period, with the next event's code and when it first advanced. The
table comes from the events sorted once by deal and time (a check only, when they already
are), by array passes and one stable integer sort instead of a join per stage (hash joins
and group-bys over millions of rows are the slow operations), and serves the overall
conversion and every breakdown (`conversions`: one group_by over the paths).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from salesplan.analytics.rates import Rate, rate
from salesplan.domain.stages import StageList


@dataclass(frozen=True, slots=True)
class StageConversion:
    stage: str
    stage_code: int
    entered: int
    advanced: int
    died: int
    unresolved: int
    conversion: Rate
    median_days_in_stage: float | None
    p75_days_in_stage: float | None


def sort_events(events: pl.DataFrame, *, presorted: bool = False) -> pl.DataFrame:
    """Events by deal, then time (stable, so equal times keep their recorded order), with
    `deal` (0, 1, … per opportunity_id in that order) and the deal's `next_code`.

    Data already in that order (as stored and generated) is only checked, not sorted."""
    ordered = events.select("opportunity_id", "stage_code", "entered_at")
    deal, at = pl.col("deal"), pl.col("entered_at")
    numbered = pl.col("opportunity_id").rle_id().cast(pl.Int64).alias("deal")
    if not presorted:
        ids = ordered["opportunity_id"]
        backwards = ((deal == deal.shift(1)) & (at < at.shift(1))).any()
        in_order = (
            ids.null_count() == 0
            and ordered["entered_at"].null_count() == 0
            and ids.is_sorted()
            and not ordered.with_columns(numbered).select(backwards).item()
        )
        if not in_order:
            ordered = ordered.sort("opportunity_id", "entered_at", maintain_order=True)
    return ordered.with_columns(numbered).with_columns(
        pl.when(deal.shift(-1) == deal).then(pl.col("stage_code").shift(-1)).alias("next_code")
    )


def _lost_codes(stages: StageList) -> list[int]:
    return [s.code for s in stages.stages if s.status.value == "lost"]


def _next_higher(
    deal: np.ndarray, code: np.ndarray, rows: np.ndarray, stages: StageList
) -> np.ndarray:
    """For each of `rows` (into arrays by deal, then time, higher codes first at equal
    times): the index of the first later row of the same deal at a higher, non-lost stage
    than the row's, or -1.

    A reversed running maximum of the qualifying codes, offset by deal so that it never
    reaches into the next deal, says whether such a row exists; it is nearly always the very
    next row, and the few others step forward row by row, all of them at once."""
    lowest = int(code.min())
    span = int(code.max()) - lowest + 2
    shifted = code.astype(np.int64)
    shifted += 1 - lowest  # ≥ 1
    qualifying = shifted.copy()
    for lost in _lost_codes(stages):
        qualifying[code == lost] = 0
    encoded = deal.astype(np.int64)
    encoded *= -span
    encoded += qualifying
    best_after = np.empty_like(encoded)
    np.maximum.accumulate(encoded[::-1], out=best_after[::-1])
    best_after[:-1] = best_after[1:]
    best_after[-1] = np.iinfo(np.int64).min
    mine = shifted[rows]
    exists = best_after[rows] + deal[rows].astype(np.int64) * span > mine
    found = np.full(rows.size, -1, dtype=np.int64)
    pending = np.flatnonzero(exists)
    step = rows[pending] + 1
    while pending.size:  # terminates: a qualifying row of the same deal lies ahead
        hit = qualifying[step] > mine[pending]
        found[pending[hit]] = step[hit]
        pending, step = pending[~hit], step[~hit] + 1
    return found


def _open_position(code: np.ndarray, stages: StageList) -> np.ndarray:
    """Each code's position among the open stages (0, 1, …), or -1: a table lookup."""
    open_codes = [s.code for s in stages.open_stages]
    lowest, highest = int(code.min()), int(code.max())
    if lowest < 0 or highest > 65_535:  # unusual codes: no lookup table
        position = np.full(code.size, -1, dtype=np.int64)
        for i, c in enumerate(open_codes):
            position[code == c] = i
        return position
    table = np.full(highest + 1, -1, dtype=np.int64)
    for i, c in enumerate(open_codes):
        if c <= highest:
            table[c] = i
    found: np.ndarray = table[code]
    return found


def stage_paths(
    ordered: pl.DataFrame, stages: StageList, start: dt.date, end: dt.date
) -> pl.DataFrame:
    """One row per deal and open stage it entered in [start, end), from its first entry
    there: deal, stage_code, entered_at, next_code and advanced_at (from the deal's first
    entry of the stage at any time; null when it never advanced). `ordered` comes from
    `sort_events`; `deal` numbers its deals.

    Works on arrays: the rows of each (deal, stage) are put together by one stable sort of
    an integer key (nearly sorted already, so cheap), then the first entry of each and its
    first entry in the period are neighbour comparisons."""
    columns = ["deal", "stage_code", "entered_at", "next_code"]
    timed = ordered.select(columns)  # rows without a time or stage never enter or advance
    if timed["entered_at"].null_count() or timed["stage_code"].null_count():
        timed = timed.filter(
            pl.col("entered_at").is_not_null() & pl.col("stage_code").is_not_null()
        )
    if not stages.open_stages or timed.height == 0:
        return timed.clear().with_columns(pl.col("entered_at").alias("advanced_at"))
    deal_col, at_col = pl.col("deal"), pl.col("entered_at")
    tie = ((deal_col == deal_col.shift(1)) & (at_col == at_col.shift(1))).any()
    if bool(timed.select(tie).item()):  # same-instant events: higher codes first
        timed = timed.sort(
            "deal", "entered_at", "stage_code", descending=[False, False, True], maintain_order=True
        )
    deal = timed["deal"].to_numpy()
    code = timed["stage_code"].to_numpy()
    position = _open_position(code, stages)
    rows = np.flatnonzero(position >= 0)
    key = deal[rows] * len(stages.open_stages) + position[rows]
    order = np.argsort(key, kind="stable")  # by deal, then stage; time order kept
    rows, key = rows[order], key[order]
    new_group = np.ones(rows.size, dtype=bool)
    new_group[1:] = key[1:] != key[:-1]
    group_start = np.maximum.accumulate(np.where(new_group, np.arange(rows.size), 0))
    lo, hi = dt.datetime.combine(start, dt.time()), dt.datetime.combine(end, dt.time())
    inside_all = timed.select((at_col >= lo) & (at_col < hi)).to_series().to_numpy()
    inside = inside_all[rows]
    previous_inside = np.zeros(rows.size, dtype=bool)
    previous_inside[1:] = inside[:-1]
    keep = inside & (new_group | ~previous_inside)  # first entry of the group in the period
    advanced_row = _next_higher(deal, code, rows[group_start[keep]], stages)
    picked = timed[pl.Series(rows[keep])]
    times = timed["entered_at"]
    advanced = pl.Series("advanced_at", times.to_physical().to_numpy()[np.maximum(advanced_row, 0)])
    return picked.with_columns(
        pl.when(pl.Series(advanced_row >= 0)).then(advanced.cast(times.dtype)).alias("advanced_at")
    )


def conversions(
    paths: pl.DataFrame, stages: StageList, key: pl.Series | None = None
) -> dict[object, list[StageConversion]]:
    """Conversion per open stage from `stage_paths`, overall (key None: one entry, None) or
    per value of `key` (one value per deal number, e.g. the deal's segment); values that
    never occur in the paths still get their (empty) stages when listed in `key`."""
    lost = _lost_codes(stages)
    moved = pl.col("advanced_at").is_not_null()
    days = (pl.col("advanced_at") - pl.col("entered_at")).dt.total_seconds() / 86_400
    # Prepared columns and plain aggregations: the group_by's fast path. `days` is null for
    # deals that did not advance, and quantiles skip nulls.
    flagged = paths.select(
        "deal",
        "stage_code",
        moved.alias("moved"),
        (~moved & pl.col("next_code").is_in(lost)).fill_null(False).alias("died"),
        days.alias("days"),
    )
    groups = ["stage_code"]
    labels: list[object] = [None]
    if key is not None:
        flagged = flagged.with_columns(key.gather(paths["deal"]).alias("_key"))
        groups = ["_key", "stage_code"]
        labels = key.unique(maintain_order=True).to_list()
    table = flagged.group_by(groups).agg(
        pl.len().cast(pl.Int64).alias("entered"),
        pl.col("moved").sum().cast(pl.Int64).alias("advanced"),
        pl.col("died").sum().cast(pl.Int64).alias("died"),
        pl.col("days").quantile(0.5, interpolation="linear").alias("p50"),
        pl.col("days").quantile(0.75, interpolation="linear").alias("p75"),
    )
    found = {
        (row.get("_key"), row["stage_code"]): row for row in table.iter_rows(named=True)
    }  # one row per (group, stage): a few hundred at most
    result: dict[object, list[StageConversion]] = {}
    for label in labels:
        rows = []
        for stage in stages.open_stages:
            row = found.get((label, stage.code))
            entered = int(row["entered"]) if row else 0
            advanced = int(row["advanced"]) if row else 0
            died = int(row["died"]) if row else 0
            rows.append(
                StageConversion(
                    stage=stage.key,
                    stage_code=stage.code,
                    entered=entered,
                    advanced=advanced,
                    died=died,
                    unresolved=entered - advanced - died,
                    conversion=rate(advanced, advanced + died),
                    median_days_in_stage=_float(row["p50"]) if row else None,
                    p75_days_in_stage=_float(row["p75"]) if row else None,
                )
            )
        result[label] = rows
    return result


def stage_conversion(
    events: pl.DataFrame,
    stages: StageList,
    start: dt.date,
    end: dt.date,
    *,
    presorted: bool = False,
    paths: pl.DataFrame | None = None,
) -> list[StageConversion]:
    """Conversion out of each open stage for deals that entered it in [start, end).

    `presorted`: `events` is already sorted by opportunity_id, entered_at (kept for callers;
    the sort is skipped). `paths`: `stage_paths` of the same period, reused."""
    if paths is None:
        paths = stage_paths(sort_events(events, presorted=presorted), stages, start, end)
    return conversions(paths, stages)[None]


def deal_keys(
    ordered: pl.DataFrame, opportunities: pl.DataFrame, column: str = "segment"
) -> pl.Series:
    """The opportunity `column` of every deal number of `ordered` (null when unknown).

    The deals are sorted by id; when the opportunities are too (as stored), a binary search
    finds each, else a join."""
    deal = pl.col("deal")
    deals = ordered.filter((deal != deal.shift(1)).fill_null(True))["opportunity_id"]
    ids = opportunities["id"]
    if (
        ids.null_count() == 0
        and deals.null_count() == 0
        and bool(
            opportunities.select(
                (pl.col("id") > pl.col("id").shift(1)).fill_null(True).all()
            ).item()
        )
    ):
        if ids.len() == 0:
            return pl.Series("_key", [None] * deals.len(), dtype=opportunities.schema[column])
        at = ids.search_sorted(deals, side="left").clip(0, ids.len() - 1)
        found = ids.gather(at) == deals
        picked = opportunities[column].gather(at)
        return pl.select(pl.when(found).then(picked)).to_series().alias("_key")
    values = opportunities.select(pl.col("id").alias("opportunity_id"), pl.col(column))
    joined = deals.to_frame().join(values, on="opportunity_id", how="left", maintain_order="left")
    return joined[column].alias("_key")


def stage_conversion_by(
    events: pl.DataFrame,
    opportunities: pl.DataFrame,
    stages: StageList,
    start: dt.date,
    end: dt.date,
    column: str = "segment",
    *,
    ordered: pl.DataFrame | None = None,
    paths: pl.DataFrame | None = None,
) -> dict[str | None, list[StageConversion]]:
    """stage_conversion per value of an opportunity column (the deal's value), in the order
    the values first occur among the deals sorted by id. `ordered`/`paths`: from
    `sort_events`/`stage_paths` of the same events and period, reused when given."""
    if ordered is None:
        ordered = sort_events(events)
    if paths is None:
        paths = stage_paths(ordered, stages, start, end)
    by_value = conversions(paths, stages, deal_keys(ordered, opportunities, column))
    return {(None if k is None else str(k)): rows for k, rows in by_value.items()}


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]
