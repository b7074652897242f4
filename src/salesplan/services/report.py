"""`salesplan report`: the written plan (HTML, PDF, Markdown, Excel) from every service.

`gather_inputs` runs the baseline (last 12 months), next year's targets (blend, by region),
the plan year's forecast, a month-by-month forecast and the gaps (all three from one loaded
workspace and one fitted model), reads the plan (plan.yaml,
else the latest stored version), and returns a `ReportInputs`; anything that cannot be computed
is left out and its sections say which command fills it. `render_report` writes one format
in one language and returns the path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from salesplan import files
from salesplan.config import Settings
from salesplan.documents.build import SECTION_KEYS, build_report
from salesplan.documents.html import render_html
from salesplan.documents.inputs import MonthForecast, ReportInputs
from salesplan.documents.markdown import write_markdown
from salesplan.documents.model import Report
from salesplan.documents.pdf import write_pdf
from salesplan.documents.review import build_review_report
from salesplan.domain.periods import add_months
from salesplan.domain.plan import Plan
from salesplan.domain.records import RecordKind
from salesplan.errors import ConfigError, SalesplanError
from salesplan.forecast.history import History
from salesplan.i18n import Translator, translator
from salesplan.planning.targets import monthly_bookings
from salesplan.services import plan_store
from salesplan.services.baseline import compute_baseline
from salesplan.services.forecast import (
    ForecastModel,
    ForecastReport,
    Workspace,
    compute_forecast,
    load_workspace,
)
from salesplan.services.gaps import GapsReport, compute_gaps
from salesplan.services.review import get_review
from salesplan.services.store import open_store
from salesplan.services.targets import TargetsReport, compute_targets, target_inputs
from salesplan.storage import records

REPORT_FORMATS: tuple[str, ...] = ("html", "pdf", "md", "xlsx")
REVIEW_FORMATS: tuple[str, ...] = ("html", "pdf", "md")
MONTH_SIMS = 2000
"""Simulations per monthly forecast: the band is drawn, not quoted to the cent."""


def check_format(fmt: str) -> str:
    if fmt not in REPORT_FORMATS:
        raise ConfigError(
            "Unknown report format {value}; use one of: {choices}.",
            value=fmt,
            choices=", ".join(REPORT_FORMATS),
        )
    return fmt


def parse_sections(text: str | Sequence[str] | None) -> list[str] | None:
    """Section keys from `summary,goals` (or a list); None means every section."""
    if not text:
        return None
    raw = text.split(",") if isinstance(text, str) else [p for t in text for p in t.split(",")]
    keys = [k.strip().lower() for k in raw if k.strip()]
    unknown = [k for k in keys if k not in SECTION_KEYS]
    if unknown:
        raise ConfigError(
            "Unknown section {value}; use any of: {choices}.",
            value=", ".join(unknown),
            choices=", ".join(SECTION_KEYS),
        )
    return keys


def _record_counts(settings: Settings) -> dict[str, int]:
    engine = open_store(settings)
    try:
        with engine.connect() as connection:
            return {kind.value: records.count_rows(connection, kind) for kind in RecordKind}
    finally:
        engine.dispose()


def _targets(settings: Settings, year: int) -> TargetsReport | None:
    for by in ("region", None):
        try:
            return compute_targets(settings, inputs=target_inputs(year=year, by=by))
        except SalesplanError:
            continue
    return None


def _workspace(settings: Settings) -> Workspace | None:
    try:
        return load_workspace(settings)
    except SalesplanError:
        return None


def _forecast(
    settings: Settings, year: int, seed: int, workspace: Workspace | None
) -> ForecastReport | None:
    if workspace is None:
        return None
    try:
        return compute_forecast(settings, str(year), seed=seed, workspace=workspace)
    except SalesplanError:
        return None


def _monthly(
    history: History, year: int, model: ForecastModel, seed: int
) -> tuple[list[MonthForecast], list[tuple[int, int, int]], dict[tuple[int, int], int]]:
    """Monthly forecasts to the end of `year` (with the year forecast's own fitted model),
    monthly actuals, open pipeline by close month."""
    cutoff = history.as_of + dt.timedelta(days=1)
    deals = model.deals
    months: list[MonthForecast] = []
    start = add_months(dt.date(cutoff.year, cutoff.month, 1), 1)
    while start.year <= year:
        end = add_months(start, 1)
        r = model.period(history, start, end, sims=MONTH_SIMS, seed=seed).range
        months.append(
            MonthForecast(start.year, start.month, r.expected_minor, r.p10_minor, r.p90_minor)
        )
        start = end
    won = history.opportunities.filter(pl.col("status") == "won")
    (first_year, first_month), series = monthly_bookings(
        won, (history.as_of.year, history.as_of.month)
    )
    actuals = []
    for i, minor in enumerate(series):
        index = first_year * 12 + first_month - 1 + i
        actuals.append((index // 12, index % 12 + 1, int(minor)))
    pipeline: dict[tuple[int, int], int] = {}
    for row in deals.select("close_date", "amount_plan_minor").iter_rows():
        close, amount = row
        if close is not None and amount is not None:
            key = (close.year, close.month)
            pipeline[key] = pipeline.get(key, 0) + int(amount)
    return months, actuals, pipeline


def _plan(settings: Settings) -> Plan | None:
    """plan.yaml when the workspace has one (even with warnings), else the stored version."""
    path = plan_store.plan_path(settings)
    try:
        if path.exists():
            return plan_store.check_text(path.read_text("utf-8"), str(path)).plan
        stored = plan_store.stored_plan(settings)
    except (SalesplanError, ValueError):
        return None
    return stored[1] if stored else None


def _gaps(
    settings: Settings,
    year: int,
    seed: int,
    workspace: Workspace | None,
    model: ForecastModel | None,
) -> GapsReport | None:
    """The year's gaps; the year forecast's workspace and model (auto, quarter grain, same
    seed: what `gaps` would fit) are reused."""
    try:
        return compute_gaps(settings, year=year, seed=seed, workspace=workspace, model=model)
    except SalesplanError:
        return None


def gather_inputs(settings: Settings, *, year: int | None = None, seed: int = 7) -> ReportInputs:
    """Everything the written plan shows; parts that cannot be computed are None."""
    counts = _record_counts(settings)
    if not counts.get(RecordKind.OPPORTUNITY.value):
        today = dt.date.today()
        return ReportInputs(today, settings.currency, year or today.year + 1, records=counts)
    baseline = compute_baseline(settings, period="last-12m")
    as_of = baseline.as_of
    plan_year = year or as_of.year + 1
    targets = _targets(settings, plan_year)
    workspace = _workspace(settings)
    forecast = _forecast(settings, plan_year, seed, workspace)
    months: list[MonthForecast] = []
    actuals: list[tuple[int, int, int]] = []
    pipeline: dict[tuple[int, int], int] = {}
    model = None if forecast is None else forecast.model
    if workspace is not None and model is not None:
        months, actuals, pipeline = _monthly(workspace.history, plan_year, model, seed)
    return ReportInputs(
        as_of=as_of,
        currency=settings.currency,
        year=plan_year,
        baseline=baseline,
        targets=targets,
        forecast=forecast,
        months=months,
        actuals=actuals,
        open_pipeline=pipeline,
        records=counts,
        plan=_plan(settings),
        gaps=_gaps(settings, plan_year, seed, workspace, model),
    )


def default_path(settings: Settings, report: Report, fmt: str, lang: str) -> Path:
    tag = "zh" if lang == "zh_CN" else lang
    return settings.workspace / "reports" / f"sales-plan-{report.year}.{tag}.{fmt}"


def render_report(
    settings: Settings,
    fmt: str = "html",
    lang: str | None = None,
    out: Path | None = None,
    *,
    sections: Sequence[str] | None = None,
    inputs: ReportInputs | None = None,
) -> Path:
    """Write the plan as `fmt` (html, pdf, md, xlsx) in `lang` (default: the settings' locale).

    Pass `inputs` (from `gather_inputs`) to render several formats or languages from one
    computation. Returns the written path, by default
    `<workspace>/reports/sales-plan-<year>.<lang>.<fmt>`.
    """
    check_format(fmt)
    t = translator(lang or settings.locale)
    report = build_report(inputs or gather_inputs(settings), sections)
    path = out or default_path(settings, report, fmt, t.locale)
    return _write(report, fmt, t, path)


def render_review_report(
    settings: Settings, key: str, fmt: str = "html", lang: str | None = None,
    out: Path | None = None,
) -> Path:  # fmt: skip
    """Write stored review `key` (id or period, see services.review.get_review) as `fmt`
    (html, pdf, md); by default `<workspace>/reports/review-<period>-<id>.<lang>.<fmt>`."""
    if fmt not in REVIEW_FORMATS:
        raise ConfigError(
            "A review is written as {choices}, not {value}.",
            value=fmt,
            choices=", ".join(REVIEW_FORMATS),
        )
    stored = get_review(settings, key)
    t = translator(lang or settings.locale)
    report = build_review_report(stored.payload, t.locale)
    tag = "zh" if t.locale == "zh_CN" else t.locale
    name = f"review-{stored.period}-{stored.id}.{tag}.{fmt}"
    return _write(report, fmt, t, out or settings.workspace / "reports" / name)


def _write(report: Report, fmt: str, t: Translator, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "html":
        files.write_text(path, render_html(report, t))
    elif fmt == "md":
        write_markdown(report, t, path)  # charts first, then the page itself atomically
    else:
        with files.replacing(path) as tmp:
            if fmt == "pdf":
                write_pdf(render_html(report, t), tmp)
            else:
                from salesplan.documents.xlsx import write_xlsx  # xlsxwriter: only when asked

                write_xlsx(report, t, tmp)
    return path
