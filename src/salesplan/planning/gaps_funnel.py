"""Funnel bottlenecks: stage conversion and time in stage against peers and last year.

Evidence: deals that entered each open stage in the window (analytics.funnel). For a group g
(a segment or region) and stage s with conversion a below the benchmark b:

    extra deals   = entries(g, s) × (b − a) × downstream(g, s)
    at stake      = extra deals × average won deal(g)

- entries: deals that entered s in the window (a 12-month window stands for a plan year);
- b: the median conversion of the *other* groups with n ≥ LOW_CONFIDENCE_N (`median_<dim>`);
  the best group and the same group last year are kept as context benchmarks;
- downstream(g, s): Π conversion(g, t) over the open stages t after s (the team's rate when g
  has none), i.e. the chance a deal that leaves s is eventually won;
- average won deal: the group's bookings ÷ won deals in the window (the team's when none).

The whole team's stage is also compared with the same window a year earlier (`last_year`).

Reps (skill gaps): the same formula with the rep's *shrunk* conversion (rates.shrink toward the
pooled rate of all reps, prior strength by the method of moments) against the median shrunk
conversion of the other reps with at least MIN_REP_N decided deals, and the team's downstream
rate and average deal (one rep's later stages and deal sizes are too few to trust). Listed
only when the rep has MIN_REP_N decided deals and is MIN_REP_GAP or more below the median.

Time in stage (against the same scope a year earlier, since bigger segments are slower by
nature): a median stay in s at least a day longer than last year's delays every deal by that
much, so the bookings of that many days slip out of the year:

    at stake = bookings(g, window) × (days − benchmark days) ÷ 365
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Sequence

import polars as pl

from salesplan.analytics.baseline import GroupBaseline, baseline_groups
from salesplan.analytics.funnel import StageConversion, stage_conversion, stage_conversion_by
from salesplan.analytics.rates import LOW_CONFIDENCE_N, prior_strength, shrink
from salesplan.domain.stages import StageList
from salesplan.planning.gaps_model import Gap, GapType, money, scope_of

MIN_REP_N = 15
"""Decided deals (advanced + died) a rep needs at a stage before a skill gap is named."""
MIN_REP_GAP = 0.05
"""How far (absolute) a rep's shrunk conversion must sit below the median rep."""
MIN_GROUP_N = 10
"""Decided deals a group needs at a stage before it is compared with its peers."""
MIN_DAYS_GAP = 1.0
DAYS_PER_YEAR = 365


def _downstream(
    rows: Sequence[StageConversion], team: Sequence[StageConversion], stage_code: int
) -> float:
    """Π conversion over the open stages after `stage_code` (the team's rate as fallback)."""
    team_rates = {c.stage_code: c.conversion.rate for c in team}
    product = 1.0
    for c in rows:
        if c.stage_code <= stage_code:
            continue
        value = c.conversion.rate if c.conversion.rate is not None else team_rates.get(c.stage_code)
        product *= value if value is not None else 1.0
    return product


def _impact_terms(
    entries: int, actual: float, benchmark: float, downstream: float, avg_deal: int
) -> tuple[int, dict[str, float | int | str | None]]:
    extra = entries * (benchmark - actual) * downstream
    terms: dict[str, float | int | str | None] = {
        "entries": entries,
        "actual": actual,
        "benchmark": benchmark,
        "downstream_win_rate": downstream,
        "extra_deals": extra,
        "avg_deal_minor": avg_deal,
    }
    return money(extra * avg_deal), terms


def _avg_deal(base: GroupBaseline | None, team: GroupBaseline) -> int:
    if base is not None and base.avg_deal_minor:
        return base.avg_deal_minor
    return team.avg_deal_minor or 0


def group_stage_gaps(
    events: pl.DataFrame,
    opportunities: pl.DataFrame,
    stages: StageList,
    window: tuple[dt.date, dt.date],
    *,
    period: str,
    column: str,
    window_label: str = "last-12m",
) -> list[Gap]:
    """Stage conversion and time-in-stage gaps of each value of `column` against its peers."""
    start, end = window
    dim = "owner" if column == "owner_id" else column
    now = stage_conversion_by(events, opportunities, stages, start, end, column)
    prev = stage_conversion_by(
        events, opportunities, stages, _year_back(start), _year_back(end), column
    )
    team_rows = stage_conversion(events, stages, start, end)
    (team,) = baseline_groups(opportunities, start, end)
    bases = {g.group[column]: g for g in baseline_groups(opportunities, start, end, [column])}
    gaps: list[Gap] = []
    for stage in stages.open_stages:
        peers = {
            key: c
            for key, rows in now.items()
            if key is not None
            for c in rows
            if c.stage == stage.key and c.conversion.n >= LOW_CONFIDENCE_N
        }
        for key, rows in now.items():
            if key is None:
                continue
            c = next(r for r in rows if r.stage == stage.key)
            others = [p for k, p in peers.items() if k != key]
            if len(others) < 1 or c.conversion.n < MIN_GROUP_N or c.conversion.rate is None:
                continue
            gap = _conversion_gap(
                c,
                others,
                rows,
                team_rows,
                bases.get(key),
                team,
                prev.get(key),
                period=period,
                scope=scope_of(**{column: key, "stage": stage.key}),
                source=f"median_{dim}",
                best=f"best_{dim}",
                window_label=window_label,
            )
            if gap is not None:
                gaps.append(gap)
            base = bases.get(key)
            velocity = _velocity_gap(
                c,
                next((p for p in prev.get(key) or () if p.stage == stage.key), None),
                0 if base is None else base.bookings_minor,
                period=period,
                scope=scope_of(**{column: key, "stage": stage.key}),
                window_label=window_label,
            )
            if velocity is not None:
                gaps.append(velocity)
    return gaps


def _year_back(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _conversion_gap(
    c: StageConversion,
    others: Sequence[StageConversion],
    rows: Sequence[StageConversion],
    team_rows: Sequence[StageConversion],
    base: GroupBaseline | None,
    team: GroupBaseline,
    previous: Sequence[StageConversion] | None,
    *,
    period: str,
    scope: dict[str, str],
    source: str,
    best: str,
    window_label: str,
) -> Gap | None:
    actual = c.conversion.rate
    rates = [o.conversion.rate for o in others if o.conversion.rate is not None]
    if actual is None or not rates:
        return None
    benchmark = statistics.median(rates)
    if actual >= benchmark:
        return None
    at_stake, terms = _impact_terms(
        c.entered,
        actual,
        benchmark,
        _downstream(rows, team_rows, c.stage_code),
        _avg_deal(base, team),
    )
    context: dict[str, float] = {best: max(rates)}
    last = next((p for p in previous or () if p.stage == c.stage), None)
    if last is not None and last.conversion.rate is not None and last.conversion.n > 0:
        context["last_year"] = last.conversion.rate
    return Gap(
        type=GapType.STAGE_CONVERSION,
        period=period,
        scope=scope,
        metric="conversion",
        unit="rate",
        actual=actual,
        benchmark=benchmark,
        benchmark_source=source,
        at_stake_minor=at_stake,
        formula="funnel_impact",
        terms=terms,
        n=c.conversion.n,
        benchmark_n=sum(o.conversion.n for o in others),
        interval=_interval(c),
        benchmarks=context,
        window=window_label,
    )


def _interval(c: StageConversion) -> tuple[float, float] | None:
    low, high = c.conversion.low, c.conversion.high
    return None if low is None or high is None else (low, high)


def _velocity_gap(
    c: StageConversion,
    last: StageConversion | None,
    bookings_minor: int,
    *,
    period: str,
    scope: dict[str, str],
    window_label: str,
) -> Gap | None:
    """Median days in stage against the same scope a year earlier."""
    days = c.median_days_in_stage
    if last is None or last.median_days_in_stage is None or days is None:
        return None
    benchmark = last.median_days_in_stage
    if days - benchmark < MIN_DAYS_GAP or last.advanced < MIN_GROUP_N or bookings_minor <= 0:
        return None
    excess = days - benchmark
    return Gap(
        type=GapType.STAGE_VELOCITY,
        period=period,
        scope=scope,
        metric="median_days_in_stage",
        unit="days",
        actual=days,
        benchmark=benchmark,
        benchmark_source="last_year",
        at_stake_minor=money(bookings_minor * excess / DAYS_PER_YEAR),
        formula="slip_impact",
        terms={
            "bookings_minor": bookings_minor,
            "excess_days": excess,
            "days_per_year": DAYS_PER_YEAR,
        },
        n=c.advanced,
        benchmark_n=last.advanced,
        window=window_label,
    )


def team_stage_gaps(
    events: pl.DataFrame,
    opportunities: pl.DataFrame,
    stages: StageList,
    window: tuple[dt.date, dt.date],
    *,
    period: str,
    window_label: str = "last-12m",
) -> list[Gap]:
    """Each stage of the whole team against the same window a year earlier."""
    start, end = window
    now = stage_conversion(events, stages, start, end)
    before = {
        c.stage: c for c in stage_conversion(events, stages, _year_back(start), _year_back(end))
    }
    (team,) = baseline_groups(opportunities, start, end)
    gaps: list[Gap] = []
    for c in now:
        last = before.get(c.stage)
        velocity = _velocity_gap(
            c,
            last,
            team.bookings_minor,
            period=period,
            scope={"stage": c.stage},
            window_label=window_label,
        )
        if velocity is not None:
            gaps.append(velocity)
        if last is None or last.conversion.rate is None or c.conversion.rate is None:
            continue
        if last.conversion.n < MIN_GROUP_N or c.conversion.rate >= last.conversion.rate:
            continue
        at_stake, terms = _impact_terms(
            c.entered,
            c.conversion.rate,
            last.conversion.rate,
            _downstream(now, now, c.stage_code),
            team.avg_deal_minor or 0,
        )
        gaps.append(
            Gap(
                type=GapType.STAGE_CONVERSION,
                period=period,
                scope={"stage": c.stage},
                metric="conversion",
                unit="rate",
                actual=c.conversion.rate,
                benchmark=last.conversion.rate,
                benchmark_source="last_year",
                at_stake_minor=at_stake,
                formula="funnel_impact",
                terms=terms,
                n=c.conversion.n,
                benchmark_n=last.conversion.n,
                interval=_interval(c),
                window=window_label,
            )
        )
    return gaps


def rep_stage_gaps(
    events: pl.DataFrame,
    opportunities: pl.DataFrame,
    stages: StageList,
    window: tuple[dt.date, dt.date],
    *,
    period: str,
    window_label: str = "last-12m",
) -> list[Gap]:
    """Reps whose shrunk conversion at a stage is far below the median of their peers."""
    start, end = window
    by_rep = {
        k: rows
        for k, rows in stage_conversion_by(
            events, opportunities, stages, start, end, "owner_id"
        ).items()
        if k is not None
    }
    team_rows = stage_conversion(events, stages, start, end)
    (team,) = baseline_groups(opportunities, start, end)
    gaps = []
    for stage in stages.open_stages:
        cells = {k: next(r for r in rows if r.stage == stage.key) for k, rows in by_rep.items()}
        wins = [c.conversion.successes for c in cells.values()]
        totals = [c.conversion.n for c in cells.values()]
        if sum(totals) == 0:
            continue
        pooled = sum(wins) / sum(totals)
        strength = prior_strength(wins, totals)
        shrunk = {
            k: shrink(c.conversion.successes, c.conversion.n, pooled, strength)
            for k, c in cells.items()
        }
        eligible = [k for k, c in cells.items() if c.conversion.n >= MIN_REP_N]
        for rep in eligible:
            peers = [shrunk[k] for k in eligible if k != rep]
            if len(peers) < 2:
                continue
            benchmark = statistics.median(peers)
            c = cells[rep]
            if benchmark - shrunk[rep] < MIN_REP_GAP:
                continue
            at_stake, terms = _impact_terms(
                c.entered,
                shrunk[rep],
                benchmark,
                _downstream(team_rows, team_rows, c.stage_code),
                team.avg_deal_minor or 0,
            )
            terms["raw_conversion"] = c.conversion.rate
            terms["pooled_conversion"] = pooled
            terms["prior_strength"] = strength
            gaps.append(
                Gap(
                    type=GapType.REP_CONVERSION,
                    period=period,
                    scope=scope_of(owner_id=rep, stage=stage.key),
                    metric="conversion_shrunk",
                    unit="rate",
                    actual=shrunk[rep],
                    benchmark=benchmark,
                    benchmark_source="median_rep",
                    at_stake_minor=at_stake,
                    formula="funnel_impact",
                    terms=terms,
                    n=c.conversion.n,
                    benchmark_n=sum(cells[k].conversion.n for k in eligible if k != rep),
                    interval=_interval(c),
                    window=window_label,
                )
            )
    return gaps
