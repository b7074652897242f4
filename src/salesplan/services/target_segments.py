"""The reverse funnel per segment: each segment's share of the target worked back through
its own deal size, win rates, stage conversion and lead rates.

A segment's target is the year's target split by its share of won bookings in the baseline
period (exact largest remainder); its months come from one grid whose rows are the segment
targets and whose columns are the year's month targets, so every row and column adds up to
the cent. Activities per rep per week divide the segment's activities by the whole selling
team: they say how much of each rep's week that segment needs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import polars as pl

from salesplan.analytics.baseline import GroupBaseline, baseline_groups
from salesplan.domain.periods import Period
from salesplan.planning.decomposition import YearSplit, allocate, split_table
from salesplan.planning.reverse_funnel import ReverseFunnel


@dataclass(frozen=True, slots=True)
class SegmentFunnel:
    segment: str
    target_minor: int
    funnel: ReverseFunnel | None
    """None when the segment won nothing in the baseline period (no rates to work back)."""


FunnelBuilder = Callable[[Any, GroupBaseline, YearSplit], ReverseFunnel | None]


def segment_funnels(
    store: Any, period: Period, split: YearSplit, funnel_of: FunnelBuilder
) -> list[SegmentFunnel]:
    """One reverse funnel per segment with won bookings in `period` (see the module doc).

    `store` is services.targets' loaded frames and `funnel_of(store, base, split)` its
    reverse-funnel builder, so both paths use the same rates and rules.
    """
    o = store.opportunities
    won = o.filter(
        (pl.col("status") == "won")
        & (pl.col("closed_on") >= period.start)
        & (pl.col("closed_on") < period.end)
        & pl.col("segment").is_not_null()
    )
    shares = (
        won.group_by("segment")
        .agg(pl.col("amount_plan_minor").sum().alias("bookings"))
        .filter(pl.col("bookings") > 0)
        .sort("segment")
    )
    if shares.height == 0:
        return []
    segments = shares["segment"].to_list()
    targets = allocate(sum(split.months), shares["bookings"].to_list())
    grid = split_table(targets, list(split.months))
    result = []
    for segment, target, months in zip(segments, targets, grid, strict=True):
        deals = o.filter(pl.col("segment") == segment)
        ids = deals["id"]
        part = replace(
            store,
            opportunities=deals,
            events=store.events.filter(pl.col("opportunity_id").is_in(ids.implode())),
            leads=store.leads.filter(pl.col("segment") == segment),
            activities=store.activities.filter(pl.col("opportunity_id").is_in(ids.implode())),
        )
        (base,) = baseline_groups(deals, period.start, period.end)
        quarters = tuple(sum(months[q * 3 : q * 3 + 3]) for q in range(4))
        segment_split = YearSplit(quarters=quarters, months=tuple(months))  # type: ignore[arg-type]
        funnel = funnel_of(part, base, segment_split) if base.won else None
        result.append(SegmentFunnel(segment, target, funnel))
    return result
