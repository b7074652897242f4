"""`salesplan review`: the monthly or quarterly review of the plan against the data.

`run_review(settings, "2026Q1")` reads the stored plan and the workspace, computes actuals
against the plan's targets (period and year to date, by region, segment and owner), KPI
status, the forecast and why it moved since the last stored review, initiative progress, the
top gaps with their plays and the re-spread of the remaining target, and stores the result
(docs/reviews.md). Stored reviews are listed and re-rendered without recomputing anything.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import polars as pl

from salesplan.analytics.seasonality import monthly_index
from salesplan.config import Settings
from salesplan.domain.periods import Period, PeriodError, parse_period
from salesplan.domain.plan import Plan
from salesplan.errors import ConfigError, SalesplanError
from salesplan.forecast.history import History
from salesplan.i18n import N_
from salesplan.planning.decomposition import split_year
from salesplan.planning.playbook import load_playbook, play_for
from salesplan.review.actuals import actual_vs_target, group_months, respread
from salesplan.review.movement import DealState, Movement, forecast_movement
from salesplan.review.progress import initiative_progress
from salesplan.services.baseline import load_frames
from salesplan.services.forecast import load_workspace
from salesplan.services.gaps import compute_gaps
from salesplan.services.plan_store import drift_warning, plan_drift, resolve_author, stored_plan
from salesplan.services.review_forecast import ReviewForecast, current_states, review_forecast
from salesplan.services.review_kpis import review_kpis
from salesplan.services.review_payload import Notice, build_payload, deal_states, money_minor
from salesplan.services.store import open_store
from salesplan.services.targets import compute_targets, target_inputs
from salesplan.storage import reviews as stored_reviews

METHODS = ("calibrated", "stage")
_playbook = functools.cache(load_playbook)
"""Parsed once per process (the YAML takes most of a review's time on small data)."""
TOP_GAPS = 5
GROUP_SCOPES = ("region", "segment", "owner")


@dataclass(frozen=True)
class ReviewResult:
    id: int | None
    """None when the review was not stored (--no-save)."""
    period: str
    created_at: dt.datetime
    author: str
    as_of: dt.date
    currency: str
    payload: dict[str, Any]
    notices: list[Notice] = field(default_factory=list)


def review_period(text: str, as_of: dt.date) -> Period:
    if not text.strip():
        raise ConfigError("Name the period to review with --period, e.g. --period 2026Q1.")
    try:
        period = parse_period(text, as_of)
    except PeriodError:
        # Not resolve_period's message: it suggests last-12m, which a review refuses.
        raise ConfigError(
            "Unknown period {value}; a review covers a month, a quarter or a year: write it "
            "as 2026-03, 2026Q1 or 2026.",
            value=text,
        ) from None
    if period.grain not in ("month", "quarter", "year"):
        raise ConfigError(
            "A review covers a month, a quarter or a year; write it as 2026-03, 2026Q1 or "
            "2026, not {value}.",
            value=text,
        )
    if period.start > as_of:
        # Nothing booked, nothing measured: a stored review of it would only mislead.
        raise ConfigError(
            "{period} starts after the data's as-of date {as_of}: there is nothing to review "
            "yet. Import a later export first.",
            period=period.label,
            as_of=as_of.isoformat(),
        )
    return period


def _check_history(opportunities: pl.DataFrame, period: Period) -> None:
    """Refuse a period that ends before the first day the data knows (creation or close)."""
    days = [opportunities[c].min() for c in ("created_on", "closed_on")]
    known = [d for d in days if isinstance(d, dt.date)]
    if known and period.end <= min(known):
        raise ConfigError(
            "The data starts on {first}: there is nothing to review in {period}.",
            first=min(known).isoformat(),
            period=period.label,
        )


def _plan(settings: Settings, notices: list[Notice]) -> tuple[int, Plan]:
    """The latest stored version (the plan of record); warns when plan.yaml has edits that
    are not stored, since the review does not see them."""
    stored = stored_plan(settings)
    if stored is None:
        raise ConfigError(
            "No plan to review yet: run `salesplan plan new` (or `salesplan plan import`) first."
        )
    warning = drift_warning(plan_drift(settings, stored[0]))
    if warning is not None:
        notices.append(Notice(f"plan_{warning[0]}", warning[1], _text(warning[2])))
    return stored[0].number, stored[1]


def _annual_target(
    settings: Settings, plan: Plan, year: int, notices: list[Notice]
) -> tuple[int, str]:
    """The plan's top bookings goal when it is for this year, else the blend target."""
    goal = next(
        (
            g
            for g in plan.goals
            if g.level == "top" and g.metric == "bookings" and g.target is not None
        ),
        None,
    )
    if goal is not None and plan.year == year and goal.target is not None:
        return money_minor(goal.target, settings.currency), f"plan:{goal.id}"
    notices.append(
        Notice(
            "blend_target",
            N_(
                "The plan has no bookings goal for {year}: targets are the blend target of "
                "`salesplan targets`."
            ),
            {"year": str(year)},
        )
    )
    return compute_targets(settings, year=year, method="blend").target_minor, "blend"


def _group_targets(
    settings: Settings, year: int, months: tuple[int, ...], notices: list[Notice]
) -> dict[str, dict[str, tuple[int, ...]]]:
    """Each scope's groups: the year's months shared by `salesplan targets --by` weights."""
    result: dict[str, dict[str, tuple[int, ...]]] = {}
    for scope in GROUP_SCOPES:
        try:
            report = compute_targets(settings, inputs=target_inputs(year=year, by=scope))
        except SalesplanError as exc:
            notices.append(Notice(f"no_{scope}_targets", exc.message_id, _text(exc.params)))
            continue
        weights = {g.key: g.share for g in report.groups}
        result[scope] = group_months(months, weights)
    return result


def _text(params: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in params.items()}


def _first_open_month(cutoff: dt.date, year: int) -> int:
    """Index (0–11) of the first month of `year` that has not started at the cutoff."""
    if cutoff.year < year:
        return 0
    if cutoff.year > year:
        return 12
    return cutoff.month - 1 if cutoff.day == 1 else cutoff.month


def _previous(settings: Settings) -> stored_reviews.StoredReview | None:
    """The most recent stored review (of any period): the baseline of the movement."""
    engine = open_store(settings)
    try:
        with engine.connect() as connection:
            return stored_reviews.latest_review(connection)
    finally:
        engine.dispose()


def _movement(
    previous: stored_reviews.StoredReview | None,
    period: Period,
    history: History,
    forecast: ReviewForecast,
    currency: str,
    notices: list[Notice],
) -> tuple[dict[str, Any] | None, Movement | None, str | None]:
    """The movement since `previous` and its horizon (`period` or `year`), or None."""
    if previous is None:
        notices.append(
            Notice(
                "no_previous_review",
                N_("No earlier review: the forecast movement starts with the next review."),
            )
        )
        return None, None, None
    old = json.loads(previous.payload)
    horizon = None
    if old["period"]["label"] == period.label:
        horizon = "period"
    elif old["forecast"]["year"]["label"] == str(period.start.year):
        horizon = "year"
    if horizon is None:
        notices.append(
            Notice(
                "no_comparable_review",
                N_("The last review (#{id}, {period}) covers another year: no forecast movement."),
                {"id": str(previous.id), "period": previous.period},
            )
        )
        return old, None, None
    before: list[DealState] = deal_states(old, horizon, currency)
    now = current_states(history, forecast, {d.opportunity_id for d in before}, horizon)
    span = forecast.horizons[horizon]
    moved = forecast_movement(
        before,
        now,
        money_minor(old["forecast"][horizon]["run_rate"], currency),
        span.run_rate_minor,
        span.start,
        span.end,
    )
    return old, moved, horizon


def run_review(
    settings: Settings,
    period: str,
    *,
    store: bool = True,
    author: str | None = None,
    today: dt.date | None = None,
    method: str = "calibrated",
    seed: int = 0,
) -> ReviewResult:
    """Review `period` (2026-03, 2026Q1 or 2026); stores it unless `store` is False."""
    if method not in METHODS:
        raise ConfigError(
            "Unknown forecast method {value}; use one of: {choices}.",
            value=method,
            choices=", ".join(METHODS),
        )
    notices: list[Notice] = []
    version, plan = _plan(settings, notices)
    data = load_frames(settings)
    chosen = review_period(period, data.as_of)
    _check_history(data.opportunities, chosen)
    cutoff = data.as_of + dt.timedelta(days=1)
    year = chosen.start.year
    won = data.opportunities.filter(pl.col("status") == "won")

    target, source = _annual_target(settings, plan, year, notices)
    weights = [Fraction(v) for v in monthly_index(won).index]
    months = split_year(target, weights).months
    groups = _group_targets(settings, year, months, notices)
    rows = actual_vs_target(won, months, groups, chosen.start, chosen.end, cutoff)
    # Booked in the review's year before the cutoff (a past year ends on 31 December).
    year_stop = min(cutoff, dt.date(year + 1, 1, 1))
    ytd_won = int(
        won.filter(
            (pl.col("closed_on") >= dt.date(year, 1, 1)) & (pl.col("closed_on") < year_stop)
        )["amount_plan_minor"]
        .fill_null(0)
        .sum()
        or 0
    )
    spread = respread(months, weights, ytd_won, _first_open_month(cutoff, year))
    kpis = review_kpis(plan, data, chosen, cutoff, months, settings.currency)

    workspace = load_workspace(settings)
    forecast = review_forecast(workspace.history, chosen, method)
    previous = _previous(settings)
    _, moved, horizon = _movement(
        previous, chosen, workspace.history, forecast, settings.currency, notices
    )

    reviewed_on = today or dt.date.today()
    # Overdue days count to the data's as-of date, not to the day the command runs: an old
    # snapshot reviewed again gives the same figures (docs/reviews.md, Initiatives).
    progress = initiative_progress(plan, data.as_of)
    gaps: list[Any] = []
    plays: dict[str, Any] = {}
    try:
        found = compute_gaps(settings, year=year, seed=seed)
        gaps = [g for g in found.gaps if g.at_stake_minor > 0][:TOP_GAPS]
        playbook = _playbook()
        plays = {g.id: p for g in gaps if (p := play_for(g, playbook)) is not None}
    except SalesplanError as exc:
        notices.append(Notice("no_gaps", exc.message_id, _text(exc.params)))

    created = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    who = resolve_author(settings, author)
    engine = open_store(settings)
    try:
        with engine.begin() as connection:
            batch = stored_reviews.latest_batch_id(connection)
            payload = build_payload(
                review_id=None, period=chosen, created_at=created, author=who,
                reviewed_on=reviewed_on, as_of=data.as_of, batch=batch, plan_version=version,
                target_source=source, year_target=target, months=months, rows=rows,
                owners=workspace.owners, kpis=kpis, forecast=forecast, previous=previous,
                movement=moved, horizon=horizon, progress=progress, gaps=gaps, plays=plays,
                respread=spread, notices=notices, currency=settings.currency,
            )  # fmt: skip
            review_id = None
            if store:
                # Insert, then write the document with its id: one transaction, so two
                # reviews stored at once on PostgreSQL never share an id.
                review_id = stored_reviews.add_review(
                    connection, period=chosen.label, created_at=created, author=who,
                    as_of=data.as_of, import_batch_id=batch, payload="{}",
                )  # fmt: skip
                payload["id"] = review_id
                stored_reviews.set_payload(
                    connection, review_id, json.dumps(payload, ensure_ascii=False)
                )
    finally:
        engine.dispose()
    return ReviewResult(
        review_id, chosen.label, created, who, data.as_of, settings.currency, payload, notices
    )


def list_reviews(settings: Settings) -> list[stored_reviews.StoredReview]:
    """Every stored review, newest first."""
    engine = open_store(settings)
    try:
        with engine.connect() as connection:
            return list(reversed(stored_reviews.list_reviews(connection)))
    finally:
        engine.dispose()


def get_review(settings: Settings, key: str) -> ReviewResult:
    """A stored review by id (`3`, `#3`) or by period (the latest review of `2026Q1`)."""
    text = key.strip().lstrip("#")
    engine = open_store(settings)
    try:
        with engine.connect() as connection:
            # An id beyond a 32-bit integer cannot exist (and would overflow SQLite's driver).
            if text.isascii() and text.isdigit():
                number = int(text)
                found = stored_reviews.get_review(connection, number) if number < 2**31 else None
            else:
                found = stored_reviews.latest_for_period(connection, text.upper())
    finally:
        engine.dispose()
    if found is None:
        raise ConfigError(
            "No stored review {value}; `salesplan review list` shows the stored ones.", value=key
        )
    payload = json.loads(found.payload)
    notices = [
        Notice(n["code"], n["message"], n.get("params", {})) for n in payload.get("notices", [])
    ]
    return ReviewResult(
        found.id,
        found.period,
        found.created_at,
        found.author,
        found.as_of,
        payload.get("currency", settings.currency),
        payload,
        notices,
    )
