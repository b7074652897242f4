"""Stage-to-stage conversion and time in stage, from stage events.

For each open stage s, among deals that entered s during [start, end):
- advanced: the deal later entered any stage with a higher code (including won);
- died: the deal's last event is s followed by a lost stage (lost while at s);
- unresolved: still sitting at s (open), excluded from the rate and reported.
conversion(s) = advanced ÷ (advanced + died), with a Wilson interval.
Time in stage = days from entering s to the next event, for deals that advanced (median, p75).

A reopened deal (lost, then back in an open stage) counts once per stage, from its first
entry in the period: it advanced if it ever reached a higher non-lost stage afterwards, so its
final path decides, and its time in stage runs to the first such higher stage.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

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


def stage_conversion(
    events: pl.DataFrame,
    stages: StageList,
    start: dt.date,
    end: dt.date,
    *,
    presorted: bool = False,
) -> list[StageConversion]:
    """Conversion out of each open stage for deals that entered it in [start, end).

    `presorted`: `events` is already sorted by opportunity_id, entered_at (skips the sort)."""
    lost_codes = [s.code for s in stages.stages if s.status.value == "lost"]
    ordered = events if presorted else _sorted(events)
    same_deal = pl.col("opportunity_id").shift(-1) == pl.col("opportunity_id")
    ordered = ordered.with_columns(  # the deal's next event: a shift within sorted rows
        pl.when(same_deal).then(pl.col("stage_code").shift(-1)).alias("next_code"),
        pl.when(same_deal).then(pl.col("entered_at").shift(-1)).alias("next_at"),
    )
    window = ordered.filter(
        (pl.col("entered_at") >= dt.datetime.combine(start, dt.time()))
        & (pl.col("entered_at") < dt.datetime.combine(end, dt.time()))
    )
    results = []
    for stage in stages.open_stages:
        at = window.filter(pl.col("stage_code") == stage.code).unique(
            subset="opportunity_id", keep="first", maintain_order=True
        )  # rows are in time order within a deal: its first entry in the window
        advanced_at = _advanced(ordered, stage.code, lost_codes)
        at = at.join(advanced_at, on="opportunity_id", how="left").with_columns(
            pl.col("advanced_at").is_not_null().alias("advanced")
        )
        died = at.filter(~pl.col("advanced") & pl.col("next_code").is_in(lost_codes)).height
        advanced = int(at["advanced"].sum())
        unresolved = at.height - advanced - died
        moved = at.filter(pl.col("advanced"))
        days = (moved["advanced_at"] - moved["entered_at"]).dt.total_seconds() / 86_400
        results.append(
            StageConversion(
                stage=stage.key,
                stage_code=stage.code,
                entered=at.height,
                advanced=advanced,
                died=died,
                unresolved=unresolved,
                conversion=rate(advanced, advanced + died),
                median_days_in_stage=_q(days, 0.5),
                p75_days_in_stage=_q(days, 0.75),
            )
        )
    return results


def _advanced(ordered: pl.DataFrame, code: int, lost_codes: Sequence[int]) -> pl.DataFrame:
    """Deals with an event at a higher, non-lost stage after first entering `code`, and when
    they first reached one (`advanced_at`)."""
    entered = (
        ordered.filter(pl.col("stage_code") == code)
        .group_by("opportunity_id")
        .agg(pl.col("entered_at").min().alias("at"))
    )
    later = ordered.join(entered, on="opportunity_id").filter(
        (pl.col("entered_at") > pl.col("at"))
        & (pl.col("stage_code") > code)
        & ~pl.col("stage_code").is_in(list(lost_codes))
    )
    return later.group_by("opportunity_id").agg(pl.col("entered_at").min().alias("advanced_at"))


def stage_conversion_by(
    events: pl.DataFrame,
    opportunities: pl.DataFrame,
    stages: StageList,
    start: dt.date,
    end: dt.date,
    column: str = "segment",
) -> dict[str | None, list[StageConversion]]:
    """stage_conversion per value of an opportunity column (events joined on the deal id)."""
    keyed = _sorted(events).join(
        opportunities.select(pl.col("id").alias("opportunity_id"), pl.col(column).alias("_key")),
        on="opportunity_id",
        how="left",
        maintain_order="left",
    )
    result: dict[str | None, list[StageConversion]] = {}
    for (key,), part in keyed.partition_by("_key", as_dict=True, maintain_order=True).items():
        label = None if key is None else str(key)
        result[label] = stage_conversion(
            part.drop("_key"), stages, start, end, presorted=True
        )  # partitions keep the sorted order
    return result


def _sorted(events: pl.DataFrame) -> pl.DataFrame:
    """Events by deal, then time (stable, so equal times keep their recorded order)."""
    return events.sort("opportunity_id", "entered_at", maintain_order=True)


def _q(values: pl.Series, q: float) -> float | None:
    clean = values.drop_nulls()
    if clean.len() == 0:
        return None
    result = clean.quantile(q, interpolation="linear")
    return None if result is None else float(result)
