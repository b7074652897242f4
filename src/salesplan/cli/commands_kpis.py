"""`salesplan kpis`: the KPI library for an audience, computed where the data allows."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from salesplan.analytics.kpis import KpiValue
from salesplan.cli.app import app, settings
from salesplan.cli.output import Column, Kind, Result, TableResult, parse_format, render
from salesplan.i18n import N_, Translator, translator
from salesplan.i18n.money import minor_to_decimal
from salesplan.services.kpis import KpiReport, compute_kpis

_KINDS = {"rate": Kind.RATE, "money": Kind.MONEY, "count": Kind.INT, "days": Kind.INT,
          "ratio": Kind.RATE}  # fmt: skip
_STATUS = {
    "computed": N_("Computed"),
    "no_data": N_("No data in the period"),
    "needs_input": N_("Needs input"),
}
_TYPES = {"leading": N_("Leading"), "lagging": N_("Lagging")}
_GOOD = {"up": N_("Higher is better"), "down": N_("Lower is better")}


def _json_value(v: KpiValue, currency: str) -> Any:
    if v.value is None:
        return None
    if v.kpi.unit == "money":
        return str(minor_to_decimal(round(v.value), currency))
    return v.value


def kpis_payload(report: KpiReport, locale: str) -> dict[str, Any]:
    return {
        "period": {
            "label": report.period.label,
            "start": report.period.start.isoformat(),
            "end_exclusive": report.period.end.isoformat(),
        },
        "audience": report.audience,
        "kpis": [
            {
                "id": v.kpi.id,
                "name": {"en": v.kpi.name_en, "zh": v.kpi.name_zh},
                "definition": v.kpi.definition(locale),
                "formula": v.kpi.formula,
                "unit": v.kpi.unit,
                "type": v.kpi.type,
                "audience": list(v.kpi.audience),
                "good": v.kpi.good,
                "status": v.status,
                "value": _json_value(v, report.currency),
                "needs": v.kpi.needs(locale),
            }
            for v in report.values
        ],
    }


def kpis_table(report: KpiReport, t: Translator) -> TableResult:
    return TableResult(
        title=N_("KPIs"),
        columns=[
            Column("name", N_("KPI")),
            Column("value", N_("Value"), Kind.PER_ROW),
            Column("status", N_("Status"), labels=_STATUS),
            Column("type", N_("Type"), labels=_TYPES),
            Column("good", N_("Direction"), labels=_GOOD),
            Column("needs", N_("Needs")),
        ],
        rows=[
            {
                "name": v.kpi.name(t.locale),
                "kind": _KINDS[v.kpi.unit],
                "value": v.value,
                "status": v.status,
                "type": v.kpi.type,
                "good": v.kpi.good,
                "needs": v.kpi.needs(t.locale),
            }
            for v in report.values
        ],
    )


@app.command("kpis")
def kpis(
    audience: Annotated[
        str | None, typer.Option("--audience", help="rep, manager or executive (default: all).")
    ] = None,
    period: Annotated[
        str | None,
        typer.Option("--period", help="2026, 2026Q1, 2026-03 or last-12m (default)."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json or csv.")] = "table",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file.")] = None,
) -> None:
    """The KPI library: values the data supports, and which KPIs need input."""
    output = parse_format(fmt)
    s = settings()
    report = compute_kpis(s, period=period, audience=audience)
    t = translator(s.locale)
    result = Result(
        key="kpis",
        payload=kpis_payload(report, t.locale),
        tables=[kpis_table(report, t)],
        currency=s.currency,
        locale=s.locale,
        as_of=report.as_of,
    )
    render(result, output, t, out)
