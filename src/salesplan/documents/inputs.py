"""Everything a written plan is built from; each part is optional.

services/report.py fills this from the other services. A part left as None makes its
sections say what is missing and which command supplies it, instead of failing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from salesplan.domain.plan import Plan
from salesplan.services.baseline import BaselineReport
from salesplan.services.forecast import ForecastReport
from salesplan.services.gaps import GapsReport
from salesplan.services.targets import TargetsReport


@dataclass(frozen=True, slots=True)
class MonthForecast:
    """The forecast of one calendar month's bookings, plan-currency minor units."""

    year: int
    month: int
    expected_minor: int
    p10_minor: int
    p90_minor: int


@dataclass(frozen=True, slots=True)
class ReportInputs:
    as_of: dt.date
    currency: str
    year: int
    """The plan year (the targets' year)."""
    baseline: BaselineReport | None = None
    targets: TargetsReport | None = None
    forecast: ForecastReport | None = None
    """The forecast of the whole plan year."""
    months: list[MonthForecast] = field(default_factory=list)
    """Monthly forecasts from the month after the as-of date to the end of the plan year."""
    actuals: list[tuple[int, int, int]] = field(default_factory=list)
    """(year, month, won bookings in minor units) for complete months before the as-of month."""
    open_pipeline: dict[tuple[int, int], int] = field(default_factory=dict)
    """Open pipeline value by expected close month (year, month), minor units."""
    records: dict[str, int] = field(default_factory=dict)
    """Rows per record kind in the store."""
    plan: Plan | None = None
    """The plan (plan.yaml or the latest stored version) when the workspace has one."""
    gaps: GapsReport | None = None
    """The gaps of the plan year, ranked by revenue at stake."""
