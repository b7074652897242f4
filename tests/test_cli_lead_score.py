"""`salesplan leads score` and `leads calibration` on the demo data: the JSON contract, the
model choice and the calibration of the chosen model on the newest leads held back."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from salesplan.cli import run
from salesplan.config import Settings
from salesplan.services.demo import load_demo_data

ENV = ("SALESPLAN_DATABASE_URL", "SALESPLAN_WORKSPACE", "SALESPLAN_LOCALE")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with pytest.MonkeyPatch.context() as mp:
        for name in ENV:
            mp.delenv(name, raising=False)
        ws = tmp_path_factory.mktemp("leads") / "ws"
        settings = Settings(workspace=ws, database_url=None, locale="en", currency="CNY")
        load_demo_data(settings, size="small", seed=7, as_of=dt.date(2026, 11, 28))
        # The calibration report needs leads only; scoring against the rules needs a plan.
        assert run(["-q", "-w", str(ws), "leads", "calibration", "-f", "csv"]) == 0
        assert run(["-q", "-w", str(ws), "leads", "score"]) == 1
        assert run(["-q", "-w", str(ws), "plan", "new", "--reason", "start"]) == 0
        yield ws


def _json(capsys: pytest.CaptureFixture[str], ws: Path, *argv: str) -> dict[str, Any]:
    capsys.readouterr()
    assert run(["-q", "-w", str(ws), *argv, "-f", "json"]) == 0
    doc: dict[str, Any] = json.loads(capsys.readouterr().out)
    key = {"score": "lead_scores", "calibration": "lead_calibration"}[argv[1]]
    assert set(doc) == {"as_of", "currency", "locale", key, "warnings"}
    return doc


def test_scores_rank_converted_leads_above_the_rest(
    capsys: pytest.CaptureFixture[str], workspace: Path
) -> None:
    doc = _json(capsys, workspace, "leads", "score", "--model", "naive-bayes")["lead_scores"]
    model = doc["model"]
    assert model["method"] == "naive_bayes" and model["selected_by"] == "option"
    assert model["calibration"]["method"] == "platt"
    assert set(model["held_out"]) == {"naive_bayes", "logistic"}
    leads = doc["leads"]
    assert all(0.0 < lead["conversion_score"] < 1.0 for lead in leads)
    # The demo's lead quality differs by source: on average the score must rank converted
    # leads above the rest (it is fitted on them, so this is a floor, not a proof).
    converted = [x["conversion_score"] for x in leads if x["converted"]]
    lost = [x["conversion_score"] for x in leads if not x["converted"]]
    assert sum(converted) / len(converted) > sum(lost) / len(lost)
    assert all(len(x["top_factors"]) <= 3 for x in leads)
    assert {"qualified_conversion", "unqualified_conversion", "criteria"} <= set(
        doc["rules_vs_data"]
    )
    # The template's status criterion is the outcome itself: never judged against history.
    assert all("status" not in c["criterion"] for c in doc["rules_vs_data"]["criteria"])


def test_auto_picks_the_lower_held_out_log_loss(
    capsys: pytest.CaptureFixture[str], workspace: Path
) -> None:
    doc = _json(capsys, workspace, "leads", "calibration")["lead_calibration"]
    models = {m["method"]: m for m in doc["models"]}
    best = min(models, key=lambda m: models[m]["log_loss"])
    assert (doc["chosen"], doc["selected_by"]) == (best, "lower_log_loss")
    # The newest quarter of decided leads is held back; the chosen model is calibrated there.
    holdout = doc["holdout"]
    assert holdout["test"] == round((holdout["train"] + holdout["test"]) * 0.25)
    chosen = models[best]
    assert chosen["n"] == holdout["test"] and chosen["ece"] <= 0.05
    assert len(chosen["bins"]) == 10
    assert sum(b["n"] for b in chosen["bins"]) == chosen["n"]
    assert models["naive_bayes"]["calibrated_by"] == "platt"
    score = _json(capsys, workspace, "leads", "score")["lead_scores"]
    assert score["model"]["method"] == best


def test_unknown_model_is_a_clean_error(
    capsys: pytest.CaptureFixture[str], workspace: Path
) -> None:
    capsys.readouterr()
    assert run(["-q", "-w", str(workspace), "leads", "score", "--model", "forest"]) == 1
    err = capsys.readouterr().err
    assert "forest" in err and "naive-bayes" in err and "Traceback" not in err
