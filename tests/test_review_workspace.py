"""`salesplan review` on a hand-made workspace (tests/review_fixtures.py), on SQLite and
PostgreSQL: actuals against targets, KPI status, the forecast, the movement after a later
export, stored reviews, and the CLI's contract. Every figure is worked by hand below."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from review_fixtures import PLAN, SNAPSHOT_2, hand_workspace, write_snapshot
from salesplan.cli import run
from salesplan.config import Settings
from salesplan.services.review import get_review, list_reviews, run_review

D = dt.date


@pytest.fixture
def workspace(store_url: str, tmp_path: Path) -> Settings:
    settings = Settings(
        workspace=tmp_path / "ws", database_url=store_url, locale="en", currency="CNY"
    )
    hand_workspace(settings)
    return settings


def _row(payload: dict[str, Any], scope: str, group: str | None) -> dict[str, Any]:
    return next(r for r in payload["actuals"] if r["scope"] == scope and r["group"] == group)


def test_review_and_the_movement_after_a_later_export(workspace: Settings) -> None:
    first = run_review(workspace, "2026Q2", method="stage", today=D(2026, 5, 21))
    p = first.payload
    assert first.id == 1 and p["targets"]["source"] == "plan:G1"
    # Flat seasonality (no full year of history): ¥100,000 a month. Q2 = ¥300,000; booked
    # W3 200,000 + W4 50,000 = 250,000 → 5/6. Year to date (Jan–Jun) 600,000; booked
    # W1 100,000 + W2 50,000 + 250,000 = 400,000 → 2/3.
    total = _row(p, "total", None)
    assert (total["period_target"], total["period_actual"]) == ("300000.00", "250000.00")
    assert total["period_attainment"] == pytest.approx(5 / 6)
    assert (total["ytd_target"], total["ytd_actual"]) == ("600000.00", "400000.00")
    # Regions share the target by last-12-months bookings: east 300,000 of 400,000 = ¾ →
    # ¥75,000 a month, Q2 225,000 (booked W3 200,000); north ¼ → Q2 75,000 (W4 50,000).
    assert _row(p, "region", "east")["period_target"] == "225000.00"
    assert _row(p, "region", "east")["period_actual"] == "200000.00"
    assert _row(p, "region", "north")["ytd_target"] == "150000.00"
    # Segments: smb 150,000 of 400,000 = 3/8 → Q2 112,500, nothing booked in Q2.
    assert _row(p, "segment", "smb")["period_target"] == "112500.00"
    assert _row(p, "segment", "smb")["period_actual"] == "0.00"
    # No team, so no owner targets: owners show what they booked, target null, and a notice.
    assert _row(p, "owner", "E1")["period_target"] is None
    assert _row(p, "owner", "E1")["period_actual"] == "200000.00"
    assert "no_owner_targets" in [n.code for n in first.notices]
    assert "no_previous_review" in [n.code for n in first.notices]

    kpis = {k["kpi"]: k for k in p["kpis"]}
    # Bookings to date (1 Apr – 20 May): April 100,000 + May 100,000 × 20/31 = 164,516.13;
    # 250,000 ÷ 164,516.13 = 1.52 ≥ the plan's own 0.9 → on track.
    assert kpis["bookings"]["target"] == "164516.13"
    assert kpis["bookings"]["status"] == "on_track"
    assert kpis["bookings"]["thresholds"] == {"on_track": "0.9", "at_risk": "0.7", "source": "plan"}
    # Win rate in Q2: W3, W4 won, L1 lost → 2/3; ÷ 0.8 = 0.833 → at risk (default 0.95/0.80).
    assert kpis["win_rate"]["status"] == "at_risk"
    assert kpis["win_rate"]["thresholds"]["source"] == "default"
    assert kpis["pipeline_created"]["status"] == "no_target"
    assert next(k["type"] for k in p["kpis"]) == "leading"

    # Stage method: O1 100,000 × 60 % (proposal) + O4 50,000 × 40 % + O5 30,000 × 30 %
    # = 60,000 + 20,000 + 9,000 = 89,000 in Q2; O2 (August, 20 %) adds 8,000 to the year.
    f = p["forecast"]
    assert (f["period"]["closed"], f["period"]["pipeline"]) == ("250000.00", "89000.00")
    assert (f["year"]["closed"], f["year"]["pipeline"]) == ("400000.00", "97000.00")

    (i1, loose) = p["initiatives"]
    assert (i1["actions_done"], i1["actions_total"]) == (1, 2)
    # Overdue days count to the data's as-of date 20 May, not to the run day (21 May):
    # A1 due 1 May → 19 days; A4 due 11 May → 9 days.
    assert i1["overdue_actions"] == [{"id": "A1", "title": "Write the demo script",
                                      "owner": "Bob", "deadline": "2026-05-01",
                                      "days_overdue": 19}]  # fmt: skip
    assert loose["overdue_actions"][0]["days_overdue"] == 9
    # 1,200,000 − 400,000 booked = 800,000 over June–December: 114,285.71 3/7 each, the
    # three units left over go to June, July and August.
    spread = p["adjustments"]["respread"]
    assert spread["remaining"] == "800000.00"
    assert [m["new"] for m in spread["months"]] == ["114285.72"] * 3 + ["114285.71"] * 4
    assert sum(Decimal(m["new"]) for m in spread["months"]) == Decimal("800000.00")

    # A week later: O1 won, O2 pulled into June, O3 new, O4 slipped to July, O5 up to 45,000.
    write_snapshot(workspace, SNAPSHOT_2, D(2026, 5, 26))
    second = run_review(workspace, "2026Q2", method="stage", today=D(2026, 5, 27))
    move = second.payload["movement"]
    assert (move["previous_review"], move["horizon"]) == (1, "period")
    buckets = {b["bucket"]: b for b in move["buckets"]}

    def ids(name: str) -> list[str]:
        return sorted(i["opportunity_id"] for i in buckets[name]["items"])

    assert ids("won") == ["O1"] and ids("slipped") == ["O4"]
    assert ids("added") == ["O2", "O3"] and ids("amount_changed") == ["O5"]
    assert ids("lost") == ids("probability") == ids("removed") == []
    # won: 100,000 − 60,000; slipped: 0 − 20,000; added: O2 40,000 × 20 % + O3 10,000 ×
    # 10 % = 9,000; amount: 45,000 × 30 % − 9,000 = 4,500.
    assert buckets["won"]["delta"] == "40000.00"
    assert buckets["slipped"]["delta"] == "-20000.00"
    assert buckets["added"]["delta"] == "9000.00"
    assert buckets["amount_changed"]["delta"] == "4500.00"
    before, after = Decimal(move["previous_expected"]), Decimal(move["current_expected"])
    assert before == Decimal("339000.00") + Decimal(p["forecast"]["period"]["run_rate"])
    assert before + sum(Decimal(b["delta"]) for b in move["buckets"]) == after
    assert after == Decimal(second.payload["forecast"]["period"]["expected"])

    # Stored: listed newest first, shown again exactly as stored (by id or period).
    assert [r.id for r in list_reviews(workspace)] == [2, 1]
    assert get_review(workspace, "1").payload == first.payload
    assert get_review(workspace, "2026Q2").id == 2


def test_a_review_that_is_not_saved_is_not_listed(settings: Settings) -> None:
    workspace = settings
    hand_workspace(workspace)
    result = run_review(workspace, "2026-05", method="stage", store=False, today=D(2026, 5, 21))
    assert result.id is None and result.payload["period"]["grain"] == "month"
    # May alone: target 100,000, booked W4 50,000.
    assert _row(result.payload, "total", None)["period_actual"] == "50000.00"
    # Run half a year later on the same data: overdue days still count to 20 May (A1: 19).
    later = run_review(workspace, "2026-05", method="stage", store=False, today=D(2026, 11, 1))
    assert later.payload["initiatives"][0]["overdue_actions"][0]["days_overdue"] == 19
    assert list_reviews(workspace) == []
    # April is over at the as-of date: its forecast is what was booked (W3 200,000), with no
    # open part and no run-rate; the year-to-date target is January–April = 400,000.
    april = run_review(workspace, "2026-04", method="stage", store=False, today=D(2026, 5, 21))
    assert april.payload["forecast"]["period"]["expected"] == "200000.00"
    assert april.payload["forecast"]["period"]["pipeline"] == "0.00"
    assert _row(april.payload, "total", None)["ytd_target"] == "400000.00"


def _cli(ws: Settings, *argv: str) -> list[str]:
    return ["-q", "-w", str(ws.workspace), *argv]


def test_cli_review_list_show_and_errors(
    settings: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = settings
    hand_workspace(workspace)
    for name in ("SALESPLAN_DATABASE_URL", "SALESPLAN_WORKSPACE", "SALESPLAN_LOCALE"):
        monkeypatch.delenv(name, raising=False)
    # plan.yaml edited but not imported: the review reads version 1 and says so.
    (workspace.workspace / "plan.yaml").write_text(PLAN + "# an edit\n", encoding="utf-8")
    argv = _cli(workspace, "review", "--period", "2026Q2", "--method", "stage", "-f", "json")
    assert run(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) == {"as_of", "currency", "locale", "review", "warnings"}
    assert doc["as_of"] == "2026-05-20" and doc["review"]["id"] == 1
    assert {"actuals", "kpis", "forecast", "movement", "initiatives", "gaps",
            "adjustments"} <= set(doc["review"])  # fmt: skip
    assert {"no_previous_review", "plan_modified"} <= {w["code"] for w in doc["warnings"]}

    assert run(_cli(workspace, "review", "show", "1", "-f", "csv")) == 0
    csv_lines = capsys.readouterr().out.splitlines()
    assert csv_lines[0].startswith("scope,group,name,period_target,period_actual")
    assert csv_lines[1].startswith("total,,,300000.00,250000.00,")
    assert run(_cli(workspace, "review", "list", "-f", "json")) == 0
    assert [r["period"] for r in json.loads(capsys.readouterr().out)["reviews"]] == ["2026Q2"]

    # Data as of 2026-05-20 and from 2026-01-02 on: Q3 has not started, 2025 is before it.
    for bad in (["review", "--period", "2026Q9"], ["review", "--period", "last-12m"],
                ["review"], ["review", "show", "7"], ["review", "--period", "2026Q3"],
                ["review", "--period", "2025"],
                ["review", "show", "99999999999999999999"]):  # fmt: skip
        assert run(_cli(workspace, *bad)) == 1
    assert run(_cli(workspace, "review", "--period", "")) == 1
    err = capsys.readouterr().err
    assert "Unknown period 2026Q9; a review covers a month, a quarter or a year" in err
    assert "2026Q9" in err and "or last-12m" not in err
    assert "Name the period to review with --period" in err and "not ." not in err
    assert (
        "covers a month, a quarter or a year; write it as 2026-03, 2026Q1 or 2026, not "
        "last-12m" in err
    )
    assert "No stored review 7" in err and "--period" in err
    assert "2026Q3 starts after the data's as-of date 2026-05-20" in err
    assert "The data starts on 2026-01-02: there is nothing to review in 2025" in err
    assert "No stored review 99999999999999999999" in err and "Internal error" not in err

    for lang in ("en", "zh"):
        for fmt in ("html", "md"):
            out = workspace.workspace / f"review.{lang}.{fmt}"
            argv = ["report", "--review", "2026Q2", "--lang", lang, "-f", fmt, "-o", str(out)]
            assert run(_cli(workspace, *argv)) == 0
            text = out.read_text("utf-8")
            assert ("复盘" in text) == (lang == "zh")
            assert "Actual against target" in text or "实际与目标对比" in text
            if lang == "en" and fmt == "md":
                # The bookings KPI's target to 20 May (worked out in the test above) is money:
                # formatted in the plan currency, not the bare decimal.
                assert "CN¥164,516.13" in text and "| 164516.13 |" not in text
                # The stored warnings are in the document too.
                assert "the forecast movement starts with the next review" in text
    assert run(_cli(workspace, "report", "--review", "2026Q2", "-f", "xlsx")) == 1


def test_no_plan_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SALESPLAN_DATABASE_URL", raising=False)
    ws = tmp_path / "empty"
    assert run(["-q", "-w", str(ws), "review", "--period", "2026Q1"]) == 1
    assert "No plan to review yet" in capsys.readouterr().err
