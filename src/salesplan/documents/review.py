"""A stored review as a document (`salesplan report --review 2026Q1`): the same renderers
as the written plan (HTML, PDF, Markdown), built from the review's JSON document so a review
reads the same whenever it is rendered.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from salesplan.documents.model import (
    Bullets,
    Column,
    Day,
    Facts,
    Label,
    Missing,
    Money,
    Msg,
    Paragraph,
    Percent,
    Report,
    Section,
    Table,
    Value,
    _t,
)
from salesplan.i18n import N_
from salesplan.i18n.money import decimal_to_minor
from salesplan.review.labels import BUCKETS, HORIZONS, KPI_STATUS, KPI_TYPES, SCOPES

DEALS_SHOWN = 15


def _money(p: dict[str, Any], value: str | None) -> Money | None:
    return None if value is None else Money(decimal_to_minor(Decimal(value), p["currency"]))


def _pct(value: float | None) -> Percent | None:
    return None if value is None else Percent(value)


def _summary(p: dict[str, Any]) -> Section:
    f = p["forecast"]
    rows: list[tuple[str, Value]] = [
        (N_("Period"), p["period"]["label"]),
        (N_("Data as of"), Day(dt.date.fromisoformat(p["as_of"]))),
        (N_("Share of the period elapsed"), _pct(p["elapsed"])),
        (N_("Year target"), _money(p, p["targets"]["year"])),
        (N_("Expected bookings in the period"), _money(p, f["period"]["expected"])),
        (N_("Expected bookings in the year"), _money(p, f["year"]["expected"])),
    ]
    blocks: list[Any] = [Facts("key_figures", N_("Key figures"), rows)]
    total = next((r for r in p["actuals"] if r["scope"] == "total"), None)
    if total is not None:
        blocks.append(
            Paragraph(
                _t(
                    "Booked {actual} of the period's target {target} ({attainment}); year to "
                    "date {ytd_actual} of {ytd_target}.",
                    actual=_money(p, total["period_actual"]),
                    target=_money(p, total["period_target"]),
                    attainment=_pct(total["period_attainment"]),
                    ytd_actual=_money(p, total["ytd_actual"]),
                    ytd_target=_money(p, total["ytd_target"]),
                )
            )
        )
    # The review's warnings (stored as message ids), so the document says what the screen said.
    notices: list[Msg | str] = [
        Msg(n["message"], dict(n.get("params", {}))) for n in p.get("notices", [])
    ]
    if notices:
        blocks.append(Bullets(notices))
    return Section("summary", N_("Summary"), blocks)


def _actuals(p: dict[str, Any]) -> Section:
    rows: list[list[Value]] = [
        [
            Msg(SCOPES[r["scope"]]),
            r["name"],
            _money(p, r["period_target"]),
            _money(p, r["period_actual"]),
            _pct(r["period_attainment"]),
            _money(p, r["ytd_target"]),
            _money(p, r["ytd_actual"]),
            _pct(r["ytd_attainment"]),
        ]
        for r in p["actuals"]
    ]
    columns = [
        Column(N_("Scope")),
        Column(N_("Group")),
        Column(N_("Period target"), True),
        Column(N_("Period actual"), True),
        Column(N_("Attainment"), True),
        Column(N_("Target year to date"), True),
        Column(N_("Actual year to date"), True),
        Column(N_("Attainment year to date"), True),
    ]
    return Section(
        "actuals",
        N_("Actual against target"),
        [Table("actuals", N_("Actual against target"), columns, rows)],
    )


def _kpi_value(p: dict[str, Any], k: dict[str, Any], value: str | None) -> Value:
    """A KPI figure in its unit: money formatted in the plan currency, a rate as a percent,
    counts, days and ratios as the decimal stored."""
    if value is None:
        return None
    if k["unit"] == "money":
        return _money(p, value)
    if k["unit"] == "rate":
        return Percent(float(value))
    return value


def _kpis(p: dict[str, Any]) -> Section:
    blocks: list[Any] = []
    for kind in ("leading", "lagging"):
        rows: list[list[Value]] = [
            [
                k["kpi"],
                _kpi_value(p, k, k["target"]),
                _kpi_value(p, k, k["actual"]),
                _pct(k["attainment"]),
                Msg(KPI_STATUS[k["status"]]),
            ]
            for k in p["kpis"]
            if k["type"] == kind
        ]
        if rows:
            columns = [
                Column(N_("KPI")),
                Column(N_("Target"), True),
                Column(N_("Actual"), True),
                Column(N_("Attainment"), True),
                Column(N_("Status")),
            ]
            blocks.append(Table(f"kpis_{kind}", KPI_TYPES[kind], columns, rows))
    if not blocks:
        blocks.append(Missing(N_("The plan names no KPIs"), "salesplan plan validate"))
    return Section("kpis", N_("KPI status"), blocks)


def _movement(p: dict[str, Any]) -> Section:
    move = p["movement"]
    if move is None:
        return Section(
            "movement",
            N_("Why the forecast moved"),
            [Paragraph(_t("No earlier review to compare with: the next review will show it."))],
        )
    intro = Paragraph(
        _t(
            "Expected bookings in {horizon} moved from {before} at review #{id} ({period}) to "
            "{after}.",
            horizon=Msg(HORIZONS[move["horizon"]]),
            before=_money(p, move["previous_expected"]),
            id=str(move["previous_review"]),
            period=move["previous_period"],
            after=_money(p, move["current_expected"]),
        )
    )
    buckets = Table(
        "movement",
        N_("Why the forecast moved"),
        [
            Column(N_("Change")),
            Column(N_("Deals"), True),
            Column(N_("Change in expected bookings"), True),
        ],
        [
            [Msg(BUCKETS[b["bucket"]]), str(b["deals"]), _money(p, b["delta"])]
            for b in move["buckets"]
        ],
    )
    items = [(b["bucket"], i) for b in move["buckets"] for i in b["items"]]
    items.sort(key=lambda x: -abs(Decimal(x[1]["delta"])))
    deals = Table(
        "moved_deals",
        N_("Deals that moved the forecast most"),
        [
            Column(N_("Change")),
            Column(N_("Deal")),
            Column(N_("Owner")),
            Column(N_("Change in expected bookings"), True),
        ],
        [
            [
                Msg(BUCKETS[b]),
                i["opportunity_id"],
                i["owner"] or i["owner_id"],
                _money(p, i["delta"]),
            ]
            for b, i in items[:DEALS_SHOWN]
        ],
    )
    return Section("movement", N_("Why the forecast moved"), [intro, buckets, deals])


def _initiatives(p: dict[str, Any]) -> Section:
    if not p["initiatives"]:
        return Section(
            "initiatives",
            N_("Initiatives"),
            [Missing(N_("No initiatives in the plan"), "salesplan gaps --propose")],
        )
    rows: list[list[Value]] = [
        [
            i["id"] or "–",
            i["title"],
            i["owner"],
            None if i["status"] is None else Label(i["status"], "status"),
            f"{i['actions_done']}/{i['actions_total']}",
            str(len(i["overdue_actions"])),
        ]
        for i in p["initiatives"]
    ]
    progress = Table(
        "initiatives",
        N_("Initiatives"),
        [
            Column(N_("Initiative")),
            Column(N_("Title")),
            Column(N_("DRI")),
            Column(N_("Status")),
            Column(N_("Actions done")),
            Column(N_("Overdue actions"), True),
        ],
        rows,
    )
    late: list[list[Value]] = [
        [
            a["id"],
            a["title"],
            a["owner"],
            Day(dt.date.fromisoformat(a["deadline"])),
            str(a["days_overdue"]),
        ]
        for i in p["initiatives"]
        for a in i["overdue_actions"]
    ]
    blocks: list[Any] = [progress]
    if late:
        blocks.append(
            Table(
                "overdue",
                N_("Overdue action items"),
                [
                    Column(N_("Action")),
                    Column(N_("Title")),
                    Column(N_("DRI")),
                    Column(N_("Deadline")),
                    Column(N_("Days overdue"), True),
                ],
                late,
            )
        )
    return Section("initiatives", N_("Initiatives"), blocks)


def _adjustments(p: dict[str, Any], lang: str) -> Section:
    spread = p["adjustments"]["respread"]
    blocks: list[Any] = [
        Paragraph(
            _t(
                "Still to book this year: {remaining} (target {target} − booked {won}), spread "
                "over the months ahead by seasonality.",
                remaining=_money(p, spread["remaining"]),
                target=_money(p, spread["year_target"]),
                won=_money(p, spread["won"]),
            )
        )
    ]
    if spread["months"]:
        blocks.append(
            Table(
                "respread",
                N_("Remaining target re-spread over the months ahead"),
                [
                    Column(N_("Month")),
                    Column(N_("Plan target"), True),
                    Column(N_("Re-spread target"), True),
                    Column(N_("Change"), True),
                ],
                [
                    [
                        m["month"],
                        _money(p, m["original"]),
                        _money(p, m["new"]),
                        _money(p, m["change"]),
                    ]
                    for m in spread["months"]
                ],
            )
        )
    if p["gaps"]:
        blocks.append(
            Table(
                "gaps",
                N_("Top gaps now"),
                [Column(N_("Gap")), Column(N_("Revenue at stake"), True), Column(N_("Play"))],
                [[g["id"], _money(p, g["at_stake"]), g["play"]] for g in p["gaps"]],
            )
        )
    # Two gaps sharing a play list the same tactics: each line once, first gap kept.
    tactics: list[Msg | str] = []
    seen: set[tuple[str, str]] = set()
    for t in p["adjustments"]["tactics"]:
        for i in t["initiatives"]:
            if (t["play"], i["id"]) not in seen:
                seen.add((t["play"], i["id"]))
                tactics.append(f"{t['play']}: {i['title'][lang]} ({t['gap']})")
    if tactics:
        blocks.append(Bullets(tactics))
    return Section("adjustments", N_("Suggested adjustments"), blocks)


def build_review_report(p: dict[str, Any], locale: str) -> Report:
    """The review document; `locale` picks the language of the playbook's tactic titles."""
    lang = "zh" if locale.startswith("zh") else "en"
    return Report(
        year=int(p["period"]["start"][:4]),
        as_of=dt.date.fromisoformat(p["as_of"]),
        currency=p["currency"],
        title=_t("Review of {period}", period=p["period"]["label"]),
        subtitle=_t(
            "Review #{id} by {author}, data as of {as_of}, plan version {version}",
            id=str(p["id"]),
            author=p["author"],
            as_of=Day(dt.date.fromisoformat(p["as_of"])),
            version=str(p["plan_version"]),
        ),
        sections=[
            _summary(p),
            _actuals(p),
            _kpis(p),
            _movement(p),
            _initiatives(p),
            _adjustments(p, lang),
        ],
    )
