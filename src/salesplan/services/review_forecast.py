"""The forecast side of a review: each deal's expected bookings for the review period and
for its year, and the run-rate of each (what `review.movement` compares between reviews).

Per deal (minor units): won inside the horizon before the cutoff → its amount; open →
round(a · P(win) · P(in horizon | win)) by the chosen method (docs/forecasting.md); anything
else 0. expected = Σ deals + run-rate, so the movement between two reviews reconciles to
the unit. A horizon that has already ended has no open part and no run-rate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from salesplan.domain.periods import Period
from salesplan.forecast.bookings import fit_models, prepare_pipeline, score_deals
from salesplan.forecast.history import History, current_pipeline
from salesplan.forecast.runrate import forecast_runrate
from salesplan.review.movement import DealState

HORIZONS = ("period", "year")


@dataclass(frozen=True)
class Horizon:
    label: str
    start: dt.date
    end: dt.date
    closed_minor: int
    pipeline_minor: int
    run_rate_minor: int
    run_rate_method: str

    @property
    def expected_minor(self) -> int:
        return self.closed_minor + self.pipeline_minor + self.run_rate_minor


@dataclass(frozen=True)
class DealRow:
    """One deal as a review keeps it; `expected` maps horizon name → minor units."""

    opportunity_id: str
    status: str
    amount_minor: int | None
    close_date: dt.date | None
    stage: str | None
    owner_id: str | None
    expected: dict[str, int]

    def state(self, horizon: str) -> DealState:
        return DealState(
            self.opportunity_id,
            self.status,
            self.amount_minor,
            self.close_date,
            self.expected.get(horizon, 0),
            self.owner_id,
            self.stage,
        )


@dataclass(frozen=True)
class ReviewForecast:
    method: str
    horizons: dict[str, Horizon]
    deals: list[DealRow]
    """Deals that contribute to a horizon (open, or won inside one), by id."""


def year_of(period: Period) -> Period:
    start = dt.date(period.start.year, 1, 1)
    return Period(str(start.year), start, dt.date(start.year + 1, 1, 1), "year")


def review_forecast(history: History, period: Period, method: str) -> ReviewForecast:
    """Score the open pipeline for the period and its year with one fit of the models."""
    cutoff = history.as_of + dt.timedelta(days=1)
    spans = {"period": period, "year": year_of(period)}
    open_deals = prepare_pipeline(history, current_pipeline(history), cutoff)
    keys = {s.code: s.key for s in history.stages.stages}
    fitted = fit_models(history, cutoff) if open_deals.height else None
    won = history.opportunities.filter(pl.col("status") == "won")
    rows: dict[str, DealRow] = {}
    horizons: dict[str, Horizon] = {}
    for name, span in spans.items():
        stop = min(span.end, cutoff)
        closed = won.filter((pl.col("closed_on") >= span.start) & (pl.col("closed_on") < stop))
        for r in closed.select(
            "id", "amount_plan_minor", "closed_on", "stage_code", "owner_id"
        ).iter_rows():
            row = rows.setdefault(
                str(r[0]),
                DealRow(str(r[0]), "won", r[1], r[2], keys.get(r[3]), r[4], {}),
            )
            row.expected[name] = int(r[1] or 0)
        pipeline = 0
        rate, rate_method = 0, "none"
        if span.end > cutoff and fitted is not None:
            scored = score_deals(fitted, open_deals, span.start, span.end, method)
            for r in scored.select(
                "opportunity_id",
                "amount_plan_minor",
                "close_date",
                "stage_code",
                "owner_id",
                "expected_minor",
            ).iter_rows():
                row = rows.setdefault(
                    str(r[0]),
                    DealRow(str(r[0]), "open", r[1], r[2], keys.get(r[3]), r[4], {}),
                )
                row.expected[name] = round(r[5] or 0.0)
                pipeline += row.expected[name]
        if span.end > cutoff:
            rr = forecast_runrate(history, cutoff, max(span.start, cutoff), span.end)
            rate, rate_method = rr.expected_minor, rr.method
        closed_minor = int(closed["amount_plan_minor"].fill_null(0).sum() or 0)
        horizons[name] = Horizon(
            span.label, span.start, span.end, closed_minor, pipeline, rate, rate_method
        )
    if open_deals.height:
        for r in open_deals.select(
            "opportunity_id", "amount_plan_minor", "close_date", "stage_code", "owner_id"
        ).iter_rows():
            rows.setdefault(
                str(r[0]), DealRow(str(r[0]), "open", r[1], r[2], keys.get(r[3]), r[4], {})
            )
    return ReviewForecast(method, horizons, [rows[k] for k in sorted(rows)])


def current_states(
    history: History, forecast: ReviewForecast, ids: set[str], horizon: str
) -> list[DealState]:
    """The deals now, for a movement: every contributing deal plus each of `ids` (deals the
    last review held) with its status now and expected 0 when it no longer contributes."""
    states = {row.opportunity_id: row.state(horizon) for row in forecast.deals}
    missing = ids - states.keys()
    if missing:
        keys = {s.code: s.key for s in history.stages.stages}
        frame = history.opportunities.filter(pl.col("id").is_in(sorted(missing)))
        for r in frame.select(
            "id",
            "status",
            "amount_plan_minor",
            "close_date",
            "closed_on",
            "stage_code",
            "owner_id",
        ).iter_rows():
            status = str(r[1])
            day = r[4] if status in ("won", "lost") else r[3]
            states[str(r[0])] = DealState(str(r[0]), status, r[2], day, 0, r[6], keys.get(r[5]))
    return list(states.values())
