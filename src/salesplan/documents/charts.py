"""The plan's charts, defined once as Altair (Vega-Lite) specs; static SVG via vl-convert.

`chart(figure, presenter)` builds the spec of a `Figure` (the web app can serve
`spec.to_dict()` as an interactive chart); `svg(figure, presenter)` renders it without a
browser or network. Money arrives in minor units and is drawn in a readable unit chosen per
locale (en: thousands/millions/billions; zh_CN: 万/亿), named in the axis title.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import altair as alt
import vl_convert as vlc
from babel.numbers import get_currency_name

from salesplan.documents.labels import label_id
from salesplan.documents.model import Figure, Label
from salesplan.documents.present import Presenter
from salesplan.i18n import N_
from salesplan.i18n.money import currency_exponent

FONT = "Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif"
WIDTH = 600
COLOURS = {"target": "#1f3a5f", "actual": "#8aa6c1", "forecast": "#e07b39", "required": "#c0392b"}
SERIES = {"target": N_("Target"), "actual": N_("Actual"), "forecast": N_("Forecast")}

# (power of ten, axis title message id), largest first, per locale.
_UNITS = {
    "en": (
        (9, N_("{currency} billions")),
        (6, N_("{currency} millions")),
        (3, N_("{currency} thousands")),
    ),
    "zh_CN": ((8, N_("100 million {currency}")), (4, N_("10,000 {currency}"))),
}


def money_scale(p: Presenter, largest_minor: int) -> tuple[float, str]:
    """Divisor from minor units to the drawn unit, and the unit's name for axis titles."""
    locale = p.t.locale
    minor_per_major = 10 ** currency_exponent(p.currency)
    major = abs(largest_minor) / minor_per_major
    if locale == "zh_CN":
        name = "元" if p.currency == "CNY" else str(get_currency_name(p.currency, locale=locale))
    else:
        name = p.currency
    for power, msgid in _UNITS.get(locale, _UNITS["en"]):
        if major >= 10**power:
            return float(minor_per_major * 10**power), p.t.gettext(msgid, currency=name)
    return float(minor_per_major), name


def _label(p: Presenter, kind: str, code: str) -> str:
    return p.value(Label(code, kind)) if label_id(kind, code) else code


def _base(data: list[dict[str, Any]]) -> alt.Chart:
    return alt.Chart(alt.Data(values=data))  # type: ignore[no-untyped-call]


def monthly(fig: Figure, p: Presenter) -> alt.TopLevelMixin:
    rows = fig.data
    largest = max([int(str(r.get("p90", r["value"]))) for r in rows] or [0])
    scale, unit = money_scale(p, largest)
    data = [
        {
            "month": r["month"],
            "series": p(SERIES[str(r["series"])]),
            "value": int(str(r["value"])) / scale,
            **(
                {"p10": int(str(r["p10"])) / scale, "p90": int(str(r["p90"])) / scale}
                if "p10" in r
                else {}
            ),
        }
        for r in rows
    ]
    names = [p(SERIES[k]) for k in ("actual", "target", "forecast")]
    colour = alt.Color(
        "series:N",
        title=None,
        scale=alt.Scale(domain=names, range=[COLOURS[k] for k in ("actual", "target", "forecast")]),
        legend=alt.Legend(orient="top"),
    )
    x = alt.X("month:O", title=None, axis=alt.Axis(labelAngle=-45))
    y = alt.Y("value:Q", title=unit, axis=alt.Axis(format=",.3~f"))
    base = _base(data)
    band = (
        base.transform_filter("datum.p10 != null")
        .mark_area(opacity=0.25, color=COLOURS["forecast"])
        .encode(x=x, y=alt.Y("p10:Q", title=unit), y2="p90:Q")
    )
    actual = base.transform_filter(f"datum.series == '{names[0]}'").mark_bar(opacity=0.9)
    lines = base.transform_filter(f"datum.series != '{names[0]}'").mark_line(point=True)
    return alt.layer(
        band, actual.encode(x=x, y=y, color=colour), lines.encode(x=x, y=y, color=colour)
    )


def funnel(fig: Figure, p: Presenter) -> alt.TopLevelMixin:
    data = [
        {
            "stage": _label(p, "stage", str(r["stage"])),
            "entries": r["entries"],
            "text": f"{p.t.number(int(str(r['entries'])))}"
            + (f"  → {p.t.percent(float(str(r['conversion'])))}" if r["conversion"] else ""),
        }
        for r in fig.data
    ]
    order = [str(d["stage"]) for d in data]
    y = alt.Y("stage:N", sort=order, title=None)
    base = _base(data).encode(y=y)
    bars = base.mark_bar(color=COLOURS["target"]).encode(x=alt.X("entries:Q", title=p(N_("Deals"))))
    text = base.mark_text(align="left", dx=4, fontSize=11).encode(x="entries:Q", text="text:N")
    return alt.layer(bars, text)


def coverage(fig: Figure, p: Presenter) -> alt.TopLevelMixin:
    data = [dict(r) for r in fig.data]
    base = _base(data)
    bars = base.mark_bar(color=COLOURS["actual"]).encode(
        x=alt.X("month:O", title=None, axis=alt.Axis(labelAngle=-45)),
        y=alt.Y("coverage:Q", title=p(N_("Coverage (×)"))),
    )
    rule = base.mark_rule(color=COLOURS["required"], strokeDash=[6, 4]).encode(
        y=alt.Y("mean(required):Q")
    )
    return alt.layer(bars, rule)


def segments(fig: Figure, p: Presenter) -> alt.TopLevelMixin:
    largest = max([int(str(r["avg_deal_minor"])) for r in fig.data] or [0])
    scale, unit = money_scale(p, largest)
    data = [
        {
            "segment": _label(p, "segment", str(r["segment"])),
            "win_rate": r["win_rate"],
            "avg_deal": int(str(r["avg_deal_minor"])) / scale,
        }
        for r in fig.data
    ]
    order = [str(d["segment"]) for d in data]
    y = alt.Y("segment:N", sort=order, title=None)
    half = WIDTH // 2 - 90
    rate = (
        _base(data)
        .mark_bar(color=COLOURS["target"])
        .encode(y=y, x=alt.X("win_rate:Q", title=p(N_("Win rate")), axis=alt.Axis(format="%")))
        .properties(width=half, height=150)
    )
    deal = (
        _base(data)
        .mark_bar(color=COLOURS["forecast"])
        .encode(
            y=alt.Y("segment:N", sort=order, title=None, axis=None),
            x=alt.X("avg_deal:Q", title=p.t.gettext(N_("Average deal ({unit})"), unit=unit)),
        )
        .properties(width=half, height=150)
    )
    return alt.hconcat(rate, deal, spacing=12)


def losses(fig: Figure, p: Presenter) -> alt.TopLevelMixin:
    data = [
        {"reason": _label(p, "reason", str(r["reason"])), "share": r["share"]} for r in fig.data
    ]
    bars: alt.TopLevelMixin = (
        _base(data)
        .mark_bar(color=COLOURS["actual"])
        .encode(
            y=alt.Y("reason:N", sort="-x", title=None),
            x=alt.X("share:Q", title=p(N_("Share of lost deals")), axis=alt.Axis(format="%")),
        )
    )
    return bars


def capacity(fig: Figure, p: Presenter) -> alt.TopLevelMixin:
    largest = max([max(int(str(r["capacity"])), int(str(r["target"]))) for r in fig.data] or [0])
    scale, unit = money_scale(p, largest)
    names = {"target": p(N_("Target")), "capacity": p(N_("Team capacity"))}
    data = [
        {"month": r["month"], "series": names[k], "value": int(str(r[k])) / scale}
        for r in fig.data
        for k in ("target", "capacity")
    ]
    colour = alt.Color(
        "series:N",
        title=None,
        scale=alt.Scale(
            domain=list(names.values()), range=[COLOURS["target"], COLOURS["forecast"]]
        ),
        legend=alt.Legend(orient="top"),
    )
    x = alt.X("month:O", title=None, axis=alt.Axis(labelAngle=-45))
    y = alt.Y("value:Q", title=unit, axis=alt.Axis(format=",.3~f"))
    base = _base(data)
    bars = base.transform_filter(f"datum.series == '{names['target']}'").mark_bar(opacity=0.85)
    line = base.transform_filter(f"datum.series == '{names['capacity']}'").mark_line(point=True)
    return alt.layer(bars.encode(x=x, y=y, color=colour), line.encode(x=x, y=y, color=colour))


CHARTS: dict[str, Callable[[Figure, Presenter], alt.TopLevelMixin]] = {
    "monthly": monthly,
    "funnel": funnel,
    "coverage": coverage,
    "segments": segments,
    "losses": losses,
    "capacity": capacity,
}
HEIGHTS = {"monthly": 240, "funnel": 200, "coverage": 170, "losses": 190, "capacity": 200}


def chart(fig: Figure, p: Presenter) -> dict[str, Any]:
    """The Vega-Lite spec of `fig` (a plain dict), sized for an A4 page."""
    spec: Any = CHARTS[fig.chart](fig, p)
    if fig.chart in HEIGHTS:
        spec = spec.properties(width=WIDTH, height=HEIGHTS[fig.chart])
    configured = (
        spec.configure(font=FONT, background="white")
        .configure_view(stroke=None)
        .configure_axis(labelFontSize=10, titleFontSize=11, gridColor="#e6e9ee")
    )
    result: dict[str, Any] = configured.to_dict()
    return result


def svg(fig: Figure, p: Presenter) -> str:
    """The chart as standalone SVG markup (no XML declaration), ready to inline in HTML."""
    markup = str(vlc.vegalite_to_svg(chart(fig, p)))
    return markup[markup.index("<svg") :]
