"""`salesplan demand`: leads and pipeline creation against their seasonal expectation.

Reads the workspace's leads and opportunities (money in plan-currency minor units) and runs
analytics/demand.py up to the month before the data's as-of date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from salesplan.analytics.demand import DEFAULT_MIN_RUN, DEFAULT_THRESHOLD, Demand, demand
from salesplan.config import Settings
from salesplan.errors import ConfigError
from salesplan.services.baseline import load_frames


@dataclass(frozen=True, slots=True)
class DemandReport:
    as_of: dt.date
    currency: str
    demand: Demand


def compute_demand(
    settings: Settings,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    min_run: int = DEFAULT_MIN_RUN,
) -> DemandReport:
    if not 0 < threshold < 1:
        raise ConfigError(
            "The threshold {value} must be a fraction between 0 and 1, e.g. 0.15.",
            value=str(threshold),
        )
    if min_run < 1:
        raise ConfigError("--min-run must be at least 1 month, not {value}.", value=min_run)
    data = load_frames(settings)
    result = demand(
        data.leads, data.opportunities, data.as_of, threshold=threshold, min_run=min_run
    )
    return DemandReport(data.as_of, settings.currency, result)


__all__ = ["DemandReport", "compute_demand"]
