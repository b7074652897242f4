"""`salesplan gaps` and `salesplan forecast` show the same forecast of the same workspace:
both call services.forecast.forecast_model (auto: the backtest picks the method)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from salesplan.config import Settings
from salesplan.planning.gaps import GapInputs, find_gaps
from salesplan.planning.gaps_outcomes import Outlook
from salesplan.services import gaps as gaps_service
from salesplan.services.demo import load_demo_data
from salesplan.services.forecast import compute_forecast


def test_gaps_forecast_equals_the_forecast_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("SALESPLAN_DATABASE_URL", "SALESPLAN_WORKSPACE", "SALESPLAN_LOCALE"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(workspace=tmp_path / "ws", database_url=None, locale="en", currency="CNY")
    load_demo_data(settings, size="small", seed=7, as_of=dt.date(2026, 11, 28))
    seen: list[Outlook] = []

    def spy(inputs: GapInputs) -> object:  # the outlooks gaps hands to the gap finder
        seen.extend(inputs.outlooks)
        return find_gaps(inputs)

    monkeypatch.setattr(gaps_service, "find_gaps", spy)
    gaps = gaps_service.compute_gaps(settings, year=2027, by=())
    forecast = compute_forecast(settings, "2027Q2")
    assert gaps.forecast_method == forecast.method  # the same auto pick (quarter backtest)
    outlook = next(o for o in seen if o.period == "2027Q2" and not o.scope)
    assert outlook.method == forecast.method
    r = forecast.forecast.range
    assert (outlook.p10_minor, outlook.p50_minor, outlook.p90_minor) == (
        r.p10_minor, r.p50_minor, r.p90_minor,
    )  # fmt: skip
