"""`salesplan forecast`: expected bookings, ranges, backtest and hygiene from the store.

Reads the workspace once into a forecast.history.History (plan currency), then calls the pure
forecast package. The period defaults to the quarter after the data's as-of date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from salesplan.analytics.currency import MissingRateError
from salesplan.config import Settings
from salesplan.domain.periods import Period, add_months
from salesplan.domain.stages import DEFAULT_STAGES
from salesplan.errors import ConfigError, DataError
from salesplan.forecast.backtest import GRAIN_MONTHS, BacktestReport, run_backtest
from salesplan.forecast.bookings import (
    DEFAULT_MODEL_ERROR,
    METHODS,
    FittedModels,
    PeriodForecast,
    fit_models,
    forecast_period,
    prepare_pipeline,
)
from salesplan.forecast.breakdown import Line, category_rollup, group_rollup, top_deals
from salesplan.forecast.calibrated import Calibration
from salesplan.forecast.history import History, build_history, current_pipeline
from salesplan.forecast.hygiene import DEFAULT_INACTIVE_DAYS, Hygiene, pipeline_hygiene
from salesplan.forecast.loading import EVENT_COLUMNS, OPPORTUNITY_COLUMNS, compact, plan_amounts
from salesplan.forecast.simulation import IntervalCalibration
from salesplan.i18n import N_
from salesplan.i18n.money import currency_exponent
from salesplan.services.baseline import data_as_of, resolve_period
from salesplan.services.forecast_target import period_target
from salesplan.services.store import open_store
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
    interval_calibration: IntervalCalibration = field(default_factory=IntervalCalibration)
    """The P10/P90 factors learnt from the backtest's cutoffs (1, 1, n = 0 without one)."""
    target_source: str | None = None
    """`plan_period` (a bookings goal of the plan for this period), `plan_goal_split` (the
    plan's annual bookings goal split by seasonality) or None (no target)."""
    model: ForecastModel | None = field(default=None, repr=False, compare=False)
    """The fitted model, so a caller that needs more periods (the written plan's months,
    the gaps' quarters) forecasts them with the same fit instead of fitting again."""


def load_workspace(settings: Settings) -> Workspace:
    """Read everything the forecast needs, and only that (loading.OPPORTUNITY_COLUMNS and
    EVENT_COLUMNS: a projection of the cached frames); DataError when there are no
    opportunities."""
    engine = open_store(settings)
    try:
        opportunities = compact(
            frames.read_opportunities(engine, OPPORTUNITY_COLUMNS), OPPORTUNITY_COLUMNS
        )
        events = frames.read_stage_events(engine, EVENT_COLUMNS)
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
    exponents = {code: currency_exponent(code) for code in codes}
    try:
        # As services.overview.plan_currency_opportunities converts them (close-date rates).
        opportunities = plan_amounts(
            opportunities, rates, settings.currency, exponents, on="close_date"
        )
    except MissingRateError as exc:
        raise DataError(
            "No exchange rate to {plan} for {currencies}: import a rates file "
            "(`salesplan import rates FILE`).",
            plan=settings.currency,
            currencies=", ".join(exc.currencies),
        ) from exc
    history = build_history(
        opportunities, events, stages,
        rates=rates, products=products, plan_currency=settings.currency,
        exponents=exponents, as_of=data_as_of(opportunities),
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


@dataclass(frozen=True)
class ForecastModel:
    """The method (picked by backtest for `auto`) and the models fit at the day after the
    as-of date, ready to forecast any period: `salesplan forecast` and `salesplan gaps`
    share it, so one workspace shows one forecast."""

    method: str
    requested: str
    reason: str
    reason_params: dict[str, str]
    model_error: float
    backtest: BacktestReport | None
    fitted: FittedModels
    deals: pl.DataFrame
    """The open pipeline at the as-of date, amounts imputed."""
    notices: list[Notice]
    interval: IntervalCalibration = field(default_factory=IntervalCalibration)
    """P10/P90 factors from every backtest cutoff (none when `--method` skips it)."""

    def period(
        self, history: History, start: dt.date, end: dt.date, *, sims: int = 10_000, seed: int = 0
    ) -> PeriodForecast:
        return forecast_period(
            history, self.fitted, self.deals, start, end, self.method,
            sims=sims, seed=seed, model_error=self.model_error, interval=self.interval,
        )  # fmt: skip


def forecast_model(
    history: History, grain: str, method: str = "auto", *, seed: int = 0
) -> ForecastModel:
    """Pick the method (`auto`: a 6-cutoff backtest at `grain`, month or quarter) and fit."""
    check_method(method)
    notices: list[Notice] = []
    backtest: BacktestReport | None = None
    kappa = DEFAULT_MODEL_ERROR
    interval = IntervalCalibration()
    chosen = method
    reason, params = N_("Method chosen with --method: {method}."), {"method": method}
    if method == "auto":
        backtest = run_backtest(history, grain=grain, cutoffs=AUTO_CUTOFFS, sims=2000, seed=seed)
        chosen, reason, params = backtest.chosen, backtest.reason, backtest.reason_params
        kappa = backtest.model_error.get(chosen, DEFAULT_MODEL_ERROR)
        interval = backtest.interval_calibration.get(chosen, interval)
        if "naive_wape" in params:
            notices.append(Notice("naive_beats_model", reason, params))
    cutoff = history.as_of + dt.timedelta(days=1)
    fitted = fit_models(history, cutoff, seed=seed)
    deals = prepare_pipeline(history, current_pipeline(history), cutoff)
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
    return ForecastModel(
        chosen, method, reason, params, kappa, backtest, fitted, deals, notices, interval
    )


def backtest_grain(period: Period) -> str:
    """The grain `auto` backtests at: months for a month, quarters for quarters and years."""
    return "month" if period.grain == "month" else "quarter"


def compute_forecast(
    settings: Settings,
    period: str | None = None,
    method: str = "auto",
    *,
    by: Sequence[str] = (),
    sims: int = 10_000,
    seed: int = 0,
    workspace: Workspace | None = None,
) -> ForecastReport:
    """Expected bookings of the period with P10/P50/P90 by `method` (auto: best backtest);
    `workspace`: already loaded by the caller (load_workspace), else read here."""
    check_method(method)
    workspace = workspace or load_workspace(settings)
    history = workspace.history
    chosen_period = forecast_period_of(period, history.as_of)
    model = forecast_model(history, backtest_grain(chosen_period), method, seed=seed)
    notices = list(model.notices)
    result = model.period(history, chosen_period.start, chosen_period.end, sims=sims, seed=seed)
    target_minor, source = period_target(settings, chosen_period, history)
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
        method=model.method,
        requested=method,
        reason=model.reason,
        reason_params=model.reason_params,
        forecast=result,
        model_error=model.model_error,
        categories=category_rollup(result.deals, result.closed_minor),
        by=list(by),
        groups=group_rollup(result.deals, list(by), seed=seed),
        top=_with_stage_keys(top_deals(result.deals), history),
        calibration=model.fitted.calibrated.calibration,
        backtest=model.backtest,
        hygiene_flagged_share=hygiene.flagged_share,
        owners=workspace.owners,
        target_minor=target_minor,
        probability_of_target=probability,
        notices=notices,
        target_source=source,
        interval_calibration=model.interval,
        model=model,
    )


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
