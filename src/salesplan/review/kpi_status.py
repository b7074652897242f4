"""KPI status for a review: on track, at risk or off track by the plan's thresholds.

attainment = actual ÷ target (target ÷ actual when lower is better); ≥ on_track → on track,
≥ at_risk → at risk, below → off track (domain.plan.Thresholds). A KPI the plan names
without a target gets `no_target` (nothing is invented); one the data cannot measure gets
`no_data` or `needs_input`. Annual targets of additive KPIs (money, count) are prorated to the
review window by the caller; rates, days and ratios are compared as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

STATUSES = ("on_track", "at_risk", "off_track", "no_target", "no_data", "needs_input")
ADDITIVE_UNITS = ("money", "count")


@dataclass(frozen=True, slots=True)
class KpiStatus:
    kpi: str
    type: str
    """`leading` or `lagging` (kpis.yaml)."""
    unit: str
    good: str
    """`up` or `down`."""
    target: Decimal | None
    """For the review window, in the KPI's unit (money in major units of the plan currency)."""
    actual: Decimal | None
    attainment: float | None
    status: str
    on_track: Decimal
    at_risk: Decimal
    thresholds_source: str
    """`plan` when plan.yaml sets them for this KPI, else `default` (0.95 / 0.80)."""


def classify(
    *,
    kpi: str,
    type_: str,
    unit: str,
    good: str,
    target: Decimal | None,
    actual: Decimal | None,
    measurable: bool,
    on_track: Decimal,
    at_risk: Decimal,
    thresholds_source: str,
) -> KpiStatus:
    """One KPI's status; `measurable` is False when the library needs an input the data lacks."""
    exact: Decimal | None = None
    if not measurable:
        status = "needs_input"
    elif target is None:
        status = "no_target"
    elif actual is None:
        status = "no_data"
    else:
        # Compared exactly (Decimal), so 0.38 of 0.40 is 0.95 on the dot, not 0.9499….
        if good == "down":
            exact = None if actual <= 0 else target / actual
        else:
            exact = None if target <= 0 else actual / target
        if exact is None:
            status = "no_data"
        elif exact >= on_track:
            status = "on_track"
        elif exact >= at_risk:
            status = "at_risk"
        else:
            status = "off_track"
    ratio = None if exact is None else float(exact)
    return KpiStatus(
        kpi,
        type_,
        unit,
        good,
        target,
        actual,
        ratio,
        status,
        on_track,
        at_risk,
        thresholds_source,
    )
