"""`salesplan leads score` adds a data-driven conversion score to the plan's rules."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from salesplan.cli import run
from salesplan.config import Settings
from salesplan.services.demo import load_demo_data


def test_scores_rank_converted_leads_above_the_rest(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("SALESPLAN_DATABASE_URL", "SALESPLAN_WORKSPACE", "SALESPLAN_LOCALE"):
        monkeypatch.delenv(name, raising=False)
    ws = tmp_path / "ws"
    settings = Settings(workspace=ws, database_url=None, locale="en", currency="CNY")
    load_demo_data(settings, size="small", seed=7, as_of=dt.date(2026, 11, 28))
    assert run(["-q", "-w", str(ws), "plan", "new", "--reason", "start"]) == 0
    capsys.readouterr()
    assert run(["-q", "-w", str(ws), "leads", "score", "-f", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)["lead_scores"]
    model = doc["model"]
    assert model["method"] == "naive_bayes"
    assert model["prior"] == pytest.approx(
        model["converted"] / (model["converted"] + model["disqualified"])
    )
    leads = doc["leads"]
    assert all(0.0 < lead["conversion_score"] < 1.0 for lead in leads)
    # The demo's lead quality differs by source: on average the score must rank converted
    # leads above the rest (it is fitted on them, so this is a floor, not a proof).
    converted = [x["conversion_score"] for x in leads if x["converted"]]
    lost = [x["conversion_score"] for x in leads if not x["converted"]]
    assert sum(converted) / len(converted) > sum(lost) / len(lost)
    assert all(len(x["top_factors"]) <= 3 for x in leads)
