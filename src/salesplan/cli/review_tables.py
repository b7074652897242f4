"""The tables of `salesplan review` and `review show`, built from the review document.

The first table (actual against target) is what `--format csv` prints. Money in the
document is a decimal string; tables get minor units back so they format it for the locale.
"""

from __future__ import annotations

from typing import Any

from salesplan.cli.output import Column, Kind, TableResult
from salesplan.documents.labels import LABELS
from salesplan.i18n import N_
from salesplan.review.labels import BUCKETS, HORIZONS, KPI_STATUS, KPI_TYPES, SCOPES
from salesplan.services.review_payload import money_minor

DEALS_SHOWN = 15
STATUS_LABELS = LABELS["status"]


def _m(value: str | None, currency: str) -> int | None:
    return None if value is None else money_minor(value, currency)


def actuals_table(p: dict[str, Any]) -> TableResult:
    c = p["currency"]
    return TableResult(
        title=N_("Actual against target"),
        columns=[
            Column("scope", N_("Scope"), labels=SCOPES),
            Column("group", N_("Group")),
            Column("name", N_("Name")),
            Column("period_target", N_("Period target"), Kind.MONEY),
            Column("period_actual", N_("Period actual"), Kind.MONEY),
            Column("period_attainment", N_("Attainment"), Kind.RATE),
            Column("ytd_target", N_("Target year to date"), Kind.MONEY),
            Column("ytd_actual", N_("Actual year to date"), Kind.MONEY),
            Column("ytd_attainment", N_("Attainment year to date"), Kind.RATE),
        ],
        rows=[
            {
                **r,
                **{
                    k: _m(r[k], c)
                    for k in ("period_target", "period_actual", "ytd_target", "ytd_actual")
                },
            }
            for r in p["actuals"]
        ],
    )


def summary_table(p: dict[str, Any]) -> TableResult:
    c = p["currency"]
    f = p["forecast"]
    move = p["movement"]
    rows: list[tuple[str, Kind, Any]] = [
        (N_("Review"), Kind.TEXT, "–" if p["id"] is None else f"#{p['id']}"),
        (N_("Period"), Kind.TEXT, p["period"]["label"]),
        (N_("Share of the period elapsed"), Kind.RATE, p["elapsed"]),
        (N_("Plan version"), Kind.INT, p["plan_version"]),
        (N_("Year target"), Kind.MONEY, _m(p["targets"]["year"], c)),
        (N_("Expected bookings in the period"), Kind.MONEY, _m(f["period"]["expected"], c)),
        (N_("Expected bookings in the year"), Kind.MONEY, _m(f["year"]["expected"], c)),
        (N_("Forecast method"), Kind.TEXT, f["method"]),
    ]
    if move is not None:
        rows += [
            (
                N_("Last review"),
                Kind.TEXT,
                f"#{move['previous_review']} ({move['previous_period']})",
            ),
            (N_("Movement compares"), Kind.TEXT, move["horizon"]),
            (N_("Expected at the last review"), Kind.MONEY, _m(move["previous_expected"], c)),
            (N_("Change since the last review"), Kind.MONEY, _m(move["change"], c)),
        ]
    return TableResult(
        title=N_("Review"),
        columns=[
            Column("metric", N_("Metric"), labels={n: n for n, _, _ in rows}),
            Column("value", N_("Value"), Kind.PER_ROW, labels=HORIZONS),
        ],
        rows=[{"metric": n, "kind": k, "value": v} for n, k, v in rows],
    )


def kpi_table(p: dict[str, Any]) -> TableResult:
    return TableResult(
        title=N_("KPI status"),
        columns=[
            Column("kpi", N_("KPI")),
            Column("type", N_("Kind"), labels=KPI_TYPES),
            Column("target", N_("Target"), Kind.PER_ROW),
            Column("actual", N_("Actual"), Kind.PER_ROW),
            Column("attainment", N_("Attainment"), Kind.RATE),
            Column("status", N_("Status"), labels=KPI_STATUS),
        ],
        rows=[_kpi_row(k, p["currency"]) for k in p["kpis"]],
    )


def _kpi_row(k: dict[str, Any], currency: str) -> dict[str, Any]:
    """Target and actual in the KPI's unit: money in minor units (formatted for the locale),
    a rate as a fraction (shown as a percent), counts, days and ratios as stored."""
    if k["unit"] == "money":
        return {
            **k,
            "kind": Kind.MONEY.value,
            **{f: _m(k[f], currency) for f in ("target", "actual")},
        }
    if k["unit"] == "rate":
        return {**k, "kind": Kind.RATE.value}
    return {**k, "kind": Kind.TEXT.value}


def movement_tables(p: dict[str, Any]) -> list[TableResult]:
    move = p["movement"]
    if move is None:
        return []
    c = p["currency"]
    buckets = TableResult(
        title=N_("Why the forecast moved"),
        columns=[
            Column("bucket", N_("Change"), labels=BUCKETS),
            Column("deals", N_("Deals"), Kind.INT),
            Column("delta", N_("Change in expected bookings"), Kind.MONEY),
        ],
        rows=[{**b, "delta": _m(b["delta"], c)} for b in move["buckets"]],
    )
    items = [(b["bucket"], i) for b in move["buckets"] for i in b["items"]]
    items.sort(key=lambda x: -abs(_m(x[1]["delta"], c) or 0))
    deals = TableResult(
        title=N_("Deals that moved the forecast most"),
        columns=[
            Column("bucket", N_("Change"), labels=BUCKETS),
            Column("opportunity_id", N_("Deal")),
            Column("owner", N_("Owner")),
            Column("delta", N_("Change in expected bookings"), Kind.MONEY),
        ],
        rows=[
            {
                "bucket": b,
                "opportunity_id": i["opportunity_id"],
                "owner": i["owner"] or i["owner_id"],
                "delta": _m(i["delta"], c),
            }
            for b, i in items[:DEALS_SHOWN]
        ],
    )
    return [buckets, deals]


def initiative_tables(p: dict[str, Any]) -> list[TableResult]:
    progress = TableResult(
        title=N_("Initiatives"),
        columns=[
            Column("id", N_("Initiative")),
            Column("title", N_("Title")),
            Column("owner", N_("DRI")),
            Column("status", N_("Status"), labels=STATUS_LABELS),
            Column("actions_done", N_("Actions done"), Kind.INT),
            Column("actions_total", N_("Actions"), Kind.INT),
            Column("overdue", N_("Overdue actions"), Kind.INT),
        ],
        rows=[{**i, "overdue": len(i["overdue_actions"])} for i in p["initiatives"]],
    )
    overdue = TableResult(
        title=N_("Overdue action items"),
        columns=[
            Column("initiative", N_("Initiative")),
            Column("id", N_("Action")),
            Column("title", N_("Title")),
            Column("owner", N_("DRI")),
            Column("deadline", N_("Deadline")),
            Column("days_overdue", N_("Days overdue"), Kind.INT),
        ],
        rows=[{**a, "initiative": i["id"]} for i in p["initiatives"] for a in i["overdue_actions"]],
    )
    return [progress, overdue]


def adjustment_tables(p: dict[str, Any], locale: str) -> list[TableResult]:
    c = p["currency"]
    gaps = TableResult(
        title=N_("Top gaps now"),
        columns=[
            Column("id", N_("Gap")),
            Column("at_stake", N_("Revenue at stake"), Kind.MONEY),
            Column("play", N_("Play")),
        ],
        rows=[{**g, "at_stake": _m(g["at_stake"], c)} for g in p["gaps"]],
    )
    spread = p["adjustments"]["respread"]
    months = TableResult(
        title=N_("Remaining target re-spread over the months ahead"),
        columns=[
            Column("month", N_("Month")),
            Column("original", N_("Plan target"), Kind.MONEY),
            Column("new", N_("Re-spread target"), Kind.MONEY),
            Column("change", N_("Change"), Kind.MONEY),
        ],
        rows=[
            {"month": m["month"], **{k: _m(m[k], c) for k in ("original", "new", "change")}}
            for m in spread["months"]
        ],
    )
    lang = "zh" if locale.startswith("zh") else "en"
    tactics = TableResult(
        title=N_("Tactics from the playbook"),
        columns=[
            Column("gap", N_("Gap")),
            Column("play", N_("Play")),
            Column("initiative", N_("Initiative")),
        ],
        rows=[
            {"gap": t["gap"], "play": t["play"], "initiative": i["title"][lang]}
            for t in p["adjustments"]["tactics"]
            for i in t["initiatives"]
        ],
    )
    return [gaps, months, tactics]


def review_tables(p: dict[str, Any], locale: str) -> list[TableResult]:
    """Actuals first (the CSV table), then summary, KPIs, movement, initiatives, adjustments."""
    return [
        actuals_table(p),
        summary_table(p),
        kpi_table(p),
        *movement_tables(p),
        *initiative_tables(p),
        *adjustment_tables(p, locale),
    ]
