"""KPI status of a review: the plan's KPIs measured over the review window against targets.

The window is [period start, min(period end, cutoff)): what the data can show so far. Plan
KPI targets are annual; an additive KPI (money, count) gets the share of its target that
falls in the window — bookings by the plan's month targets (seasonality), the others by
calendar days — and rates, days and ratios are compared as they are. A review of a year
other than the plan's gets no KPI targets (`no_target`).
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from fractions import Fraction

from salesplan.analytics.kpis import kpi_metrics, load_library
from salesplan.domain.periods import Period
from salesplan.domain.plan import Plan
from salesplan.i18n.money import currency_exponent
from salesplan.review.actuals import prorate
from salesplan.review.kpi_status import ADDITIVE_UNITS, KpiStatus, classify
from salesplan.services.baseline import BaselineFrames

_library = functools.cache(load_library)


def _decimal(value: Fraction, places: int) -> Decimal:
    """An exact fraction rounded half-even to `places` decimals."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal(1).scaleb(-places)
    )


def review_kpis(
    plan: Plan,
    data: BaselineFrames,
    period: Period,
    cutoff: dt.date,
    months: tuple[int, ...],
    currency: str,
) -> list[KpiStatus]:
    """Each KPI the plan tracks, leading ones first, in plan order within each kind."""
    library = {k.id: k for k in _library()}
    end = min(period.end, cutoff)
    measured = end > period.start
    metrics = (
        kpi_metrics(
            opportunities=data.opportunities,
            leads=data.leads,
            accounts=data.accounts,
            activities=data.activities,
            team=data.team,
            start=period.start,
            end=end,
        )
        if measured
        else {}
    )
    exponent = currency_exponent(currency)
    year_days = (dt.date(period.start.year + 1, 1, 1) - dt.date(period.start.year, 1, 1)).days
    result = []
    for choice in plan.kpis:
        kpi = library.get(choice.id)
        if kpi is None:
            continue
        target: Decimal | None = None
        # The plan's KPI targets are for its own year: another year's review has none.
        if choice.target is not None and plan.year == period.start.year:
            target = Decimal(choice.target)
            if kpi.unit in ADDITIVE_UNITS and measured:
                if kpi.id == "bookings":
                    share = (
                        prorate(months, period.start, end) / sum(months)
                        if sum(months)
                        else Fraction(0)
                    )
                else:
                    share = Fraction((end - period.start).days, year_days)
                target = _decimal(Fraction(target) * share, exponent if kpi.unit == "money" else 2)
        raw = metrics.get(kpi.metric) if kpi.metric else None
        actual: Decimal | None = None
        if raw is not None:
            actual = (
                Decimal(int(raw)).scaleb(-exponent)
                if kpi.unit == "money"
                else Decimal(str(round(float(raw), 6)))
            )
        explicit = "thresholds" in choice.model_fields_set
        result.append(
            classify(
                kpi=kpi.id,
                type_=kpi.type,
                unit=kpi.unit,
                good=kpi.good,
                target=target,
                actual=actual,
                measurable=kpi.metric is not None,
                on_track=choice.thresholds.on_track,
                at_risk=choice.thresholds.at_risk,
                thresholds_source="plan" if explicit else "default",
            )
        )
    return sorted(result, key=lambda k: 0 if k.type == "leading" else 1)
