"""`salesplan forecast`: expected bookings, ranges, backtest and hygiene from the store.

Reads the workspace once into a forecast.history.History (plan currency), then calls the pure
forecast package. The period defaults to the quarter after the data's as-of date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from salesplan.config import Settings
from salesplan.domain.periods import Period, add_months
from salesplan.domain.stages import DEFAULT_STAGES
from salesplan.errors import ConfigError, DataError, SalesplanError
from salesplan.forecast.backtest import GRAIN_MONTHS, BacktestReport, run_backtest
from salesplan.forecast.bookings import (
    DEFAULT_MODEL_ERROR,
    METHODS,
    PeriodForecast,
    fit_models,
    forecast_period,
    prepare_pipeline,
)
from salesplan.forecast.breakdown import Line, category_rollup, group_rollup, top_deals
from salesplan.forecast.calibrated import Calibration
from salesplan.forecast.history import History, build_history, current_pipeline
from salesplan.forecast.hygiene import DEFAULT_INACTIVE_DAYS, Hygiene, pipeline_hygiene
from salesplan.i18n import N_
from salesplan.i18n.money import currency_exponent
from salesplan.services.baseline import data_as_of, resolve_period
from salesplan.services.overview import plan_currency_opportunities
from salesplan.services.plan_store import stored_plan
from salesplan.services.store import open_store
from salesplan.services.targets import compute_targets
from salesplan.storage import frames, records

FORECAST_METHODS = ("auto", *METHODS)
AUTO_CUTOFFS = 6
GROUP_DIMENSIONS = {"region": "region", "segment": "segment", "owner": "owner_id",
                    "owner_id": "owner_id", "rep": "owner_id", "type": "type",
                    "source": "source", "product": "product", "industry": "industry"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Notice:
    """A warning for the reader: stable `code`, i18n `message` id and its parameters."""

    code: str
    message: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Workspace:
    history: History
    owners: dict[str, str]
    """team_member id → name."""


@dataclass(frozen=True)
class ForecastReport:
    as_of: dt.date
    currency: str
    period: Period
    method: str
    requested: str
    reason: str
    reason_params: dict[str, str]
    forecast: PeriodForecast
    model_error: float
    categories: list[Line]
    by: list[str]
    groups: list[Line]
    top: pl.DataFrame
    calibration: Calibration | None
    backtest: BacktestReport | None
    hygiene_flagged_share: float | None
    owners: dict[str, str]
    target_minor: int | None = None
    probability_of_target: float | None = None
    notices: list[Notice] = field(default_factory=list)


def load_workspace(settings: Settings) -> Workspace:
    """Read everything the forecast needs; DataError when there are no opportunities."""
    engine = open_store(settings)
    try:
        opportunities = plan_currency_opportunities(engine, settings.currency)
        events = frames.read_stage_events(engine)
        rates = frames.read_fx_rates(engine)
        products = frames.read_products(engine)
        team = frames.read_team(engine)
        with engine.connect() as connection:
            stages = records.read_stages(connection) or DEFAULT_STAGES
    finally:
        engine.dispose()
    if opportunities.height == 0:
        raise DataError(
            "Nothing to show: the workspace has no opportunities yet. "
            "Run `salesplan demo` or import a CRM export."
        )
    codes = set(opportunities["currency"].drop_nulls().unique().to_list())
    codes |= set(products["currency"].drop_nulls().unique().to_list()) | {settings.currency}
    history = build_history(
        opportunities, events, stages,
        rates=rates, products=products, plan_currency=settings.currency,
        exponents={code: currency_exponent(code) for code in codes},
        as_of=data_as_of(opportunities),
    )  # fmt: skip
    owners = {str(r["id"]): str(r["name"]) for r in team.select("id", "name").iter_rows(named=True)}
    return Workspace(history, owners)


def forecast_period_of(text: str | None, as_of: dt.date) -> Period:
    """The period to forecast: `text`, or the quarter after the as-of date's quarter."""
    if text is None:
        first = dt.date(as_of.year, as_of.month, 1)
        start = add_months(first, 3 - (as_of.month - 1) % 3)
        q = (start.month - 1) // 3 + 1
        return Period(f"{start.year}Q{q}", start, add_months(start, 3), "quarter")
    period = resolve_period(text, as_of)
    if period.grain == "rolling" or period.end <= as_of + dt.timedelta(days=1):
        raise ConfigError(
            "Cannot forecast {value}: choose a month, quarter or year that ends after {as_of} "
            "(for past periods run `salesplan forecast backtest`).",
            value=text,
            as_of=as_of.isoformat(),
        )
    return period


def parse_group_dimensions(text: str | None) -> list[str]:
    if not text:
        return []
    result = []
    for raw in text.split(","):
        name = GROUP_DIMENSIONS.get(raw.strip().lower())
        if name is None:
            raise ConfigError(
                "Unknown dimension {value} for {option}; use any of: {choices}.",
                value=raw.strip(),
                option="--by",
                choices="region, segment, owner, type, source, product, industry",
            )
        if name not in result:
            result.append(name)
    return result


def check_method(method: str) -> str:
    if method not in FORECAST_METHODS:
        raise ConfigError(
            "Unknown forecast method {value}; use one of: {choices}.",
            value=method,
            choices=", ".join(FORECAST_METHODS),
        )
    return method


def compute_forecast(
    settings: Settings,
    period: str | None = None,
    method: str = "auto",
    *,
    by: Sequence[str] = (),
    sims: int = 10_000,
    seed: int = 0,
) -> ForecastReport:
    """Expected bookings of the period with P10/P50/P90 by `method` (auto: best backtest)."""
    check_method(method)
    workspace = load_workspace(settings)
    history = workspace.history
    chosen_period = forecast_period_of(period, history.as_of)
    notices: list[Notice] = []
    backtest: BacktestReport | None = None
    kappa = DEFAULT_MODEL_ERROR
    chosen = method
    reason, params = N_("Method chosen with --method: {method}."), {"method": method}
    if method == "auto":
        grain = "month" if chosen_period.grain == "month" else "quarter"
        backtest = run_backtest(history, grain=grain, cutoffs=AUTO_CUTOFFS, sims=2000, seed=seed)
        chosen, reason, params = backtest.chosen, backtest.reason, backtest.reason_params
        kappa = backtest.model_error.get(chosen, DEFAULT_MODEL_ERROR)
        if "naive_wape" in params:
            notices.append(Notice("naive_beats_model", reason, params))
    cutoff = history.as_of + dt.timedelta(days=1)
    fitted = fit_models(history, cutoff)
    deals = prepare_pipeline(history, current_pipeline(history), cutoff)
    result = forecast_period(
        history, fitted, deals, chosen_period.start, chosen_period.end, chosen,
        sims=sims, seed=seed, model_error=kappa,
    )  # fmt: skip
    imputed = int(deals["amount_imputed"].is_not_null().sum())
    if imputed:
        notices.append(
            Notice(
                "amounts_imputed",
                N_(
                    "{count} open deals had no amount; imputed from the product list price or "
                    "the segment median."
                ),
                {"count": str(imputed)},
            )
        )
    target_minor = period_target(settings, chosen_period)
    probability = None
    if target_minor is None:
        notices.append(
            Notice(
                "no_target",
                N_("No target for {period} yet, so the probability of reaching it is not shown."),
                {"period": chosen_period.label},
            )
        )
    else:
        probability = result.range.probability_at_least(target_minor)
    hygiene = pipeline_hygiene(history)
    if hygiene.flagged_share is not None and hygiene.flagged_share > 0.5:
        notices.append(
            Notice(
                "hygiene",
                N_(
                    "{share} of the open pipeline value has hygiene issues; treat the forecast "
                    "with care (see `salesplan forecast hygiene`)."
                ),
                {"share": f"{hygiene.flagged_share:.0%}"},
            )
        )
    return ForecastReport(
        as_of=history.as_of,
        currency=settings.currency,
        period=chosen_period,
        method=chosen,
        requested=method,
        reason=reason,
        reason_params=params,
        forecast=result,
        model_error=kappa,
        categories=category_rollup(result.deals, result.closed_minor),
        by=list(by),
        groups=group_rollup(result.deals, list(by), seed=seed),
        top=_with_stage_keys(top_deals(result.deals), history),
        calibration=fitted.calibrated.calibration,
        backtest=backtest,
        hygiene_flagged_share=hygiene.flagged_share,
        owners=workspace.owners,
        target_minor=target_minor,
        probability_of_target=probability,
        notices=notices,
    )


def period_target(settings: Settings, period: Period) -> int | None:
    """The period's target once the workspace has a plan: the blend target of the period's
    year (as `salesplan plan new` sets it), split by the seasonality index; None before a
    plan exists, for rolling periods, or when no target can be computed."""
    if period.grain not in ("year", "quarter", "month") or stored_plan(settings) is None:
        return None
    try:
        targets = compute_targets(settings, year=period.start.year, method="blend")
    except SalesplanError:
        return None
    if period.grain == "year":
        return targets.target_minor
    if period.grain == "quarter":
        return targets.split.quarters[(period.start.month - 1) // 3]
    return targets.split.months[period.start.month - 1]


def _with_stage_keys(deals: pl.DataFrame, history: History) -> pl.DataFrame:
    keys = {s.code: s.key for s in history.stages.stages}
    return deals.with_columns(
        pl.col("stage_code")
        .replace_strict(keys, default=None, return_dtype=pl.String)
        .alias("stage")
    )


@dataclass(frozen=True)
class BacktestResult:
    as_of: dt.date
    currency: str
    report: BacktestReport


def compute_backtest(
    settings: Settings, *, grain: str = "month", cutoffs: int = 6, seed: int = 0
) -> BacktestResult:
    if grain not in GRAIN_MONTHS:
        raise ConfigError(
            "Unknown grain {value}; use one of: {choices}.",
            value=grain,
            choices=", ".join(GRAIN_MONTHS),
        )
    if not 1 <= cutoffs <= 36:
        raise ConfigError(
            "The option {option} must be between {low} and {high}, got {value}.",
            option="--cutoffs",
            low="1",
            high="36",
            value=str(cutoffs),
        )
    workspace = load_workspace(settings)
    report = run_backtest(workspace.history, grain=grain, cutoffs=cutoffs, seed=seed)
    return BacktestResult(workspace.history.as_of, settings.currency, report)


@dataclass(frozen=True)
class HygieneReport:
    as_of: dt.date
    currency: str
    hygiene: Hygiene
    owners: dict[str, str]
    owner: str | None


def compute_hygiene(
    settings: Settings, *, owner: str | None = None, inactive_days: int = DEFAULT_INACTIVE_DAYS
) -> HygieneReport:
    """Hygiene flags of the open pipeline, optionally for one owner (id or name)."""
    workspace = load_workspace(settings)
    hygiene = pipeline_hygiene(workspace.history, inactive_days)
    owner_id = None
    if owner is not None:
        wanted = owner.strip().casefold()
        matches = [i for i, name in workspace.owners.items()
                   if wanted in (i.casefold(), name.casefold())]  # fmt: skip
        if not matches and owner in set(hygiene.owners["owner_id"].drop_nulls().to_list()):
            matches = [owner]
        if not matches:
            raise ConfigError(
                "No owner {value} in this workspace; use a team member's name or id.",
                value=owner,
            )
        owner_id = matches[0]
        hygiene = Hygiene(
            hygiene.deals.filter(pl.col("owner_id") == owner_id),
            hygiene.owners.filter(pl.col("owner_id") == owner_id),
            hygiene.flagged_share,
            hygiene.inactive_days,
        )
    return HygieneReport(
        workspace.history.as_of, settings.currency, hygiene, workspace.owners, owner_id
    )
