"""The command line end to end, in-process: results, formats, languages and error paths."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from salesplan.cli import run

AS_OF = "2026-11-28"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = run(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("SALESPLAN_DATABASE_URL", "SALESPLAN_WORKSPACE", "SALESPLAN_LOCALE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SALESPLAN_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.chdir(tmp_path)


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--help")
    assert code == 0
    for command in ("demo", "demo-data", "db"):
        assert command in out


def test_db_upgrade_creates_then_reports_up_to_date(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ws = tmp_path / "ws"
    code, out, err = _run(capsys, "--workspace", str(ws), "db", "upgrade")
    assert (code, err) == (0, "")
    assert "Database upgraded to revision" in out
    assert (ws / "salesplan.db").exists()
    code, out, _ = _run(capsys, "--workspace", str(ws), "db", "upgrade")
    assert code == 0
    assert "already at the latest revision" in out


def test_db_upgrade_in_chinese(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = _run(capsys, "--lang", "zh", "--workspace", str(tmp_path / "w"), "db", "upgrade")
    assert code == 0
    assert "数据库" in out


def test_unknown_language_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "--lang", "fr", "db", "upgrade")
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1
    assert "fr" in err
    assert "Traceback" not in err


def test_unknown_format_names_the_choices(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "demo-data", "--format", "xml")
    assert code == 1
    assert "xml" in err
    assert "table, json, csv" in err


def test_unknown_demo_size(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "demo-data", "--size", "huge")
    assert code == 1
    assert "huge" in err
    assert "small, medium, 1m" in err


def test_bad_as_of_date(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "demo-data", "--as-of", "28/11/2026")
    assert code == 1
    assert "28/11/2026" in err
    assert "--as-of" in err


def test_wrong_usage_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "demo-data", "--no-such-option")
    assert code == 2
    assert "--no-such-option" in err


def test_unreachable_database_is_exit_1_without_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = _run(capsys, "--db", "postgresql://nobody@127.0.0.1:1/none", "db", "upgrade")
    assert code == 1
    assert "Cannot open the database" in err
    assert "Traceback" not in err


def test_invalid_currency_setting(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SALESPLAN_CURRENCY", "yuan")
    code, _, err = _run(capsys, "db", "upgrade")
    assert code == 1
    assert "SALESPLAN_CURRENCY" in err
    assert "yuan is not an ISO 4217 currency code" in err


def test_invalid_setting_is_explained_in_chinese(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SALESPLAN_CURRENCY", "yuan")
    code, _, err = _run(capsys, "--lang", "zh", "db", "upgrade")
    assert code == 1
    assert "设置 SALESPLAN_CURRENCY 无效：yuan 不是 ISO 4217 货币代码" in err
    assert "Value error" not in err


def test_database_of_an_unknown_revision_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from sqlalchemy import text

    from salesplan.storage import migrate
    from salesplan.storage.engine import create_store_engine

    ws = tmp_path / "old"
    assert _run(capsys, "--workspace", str(ws), "db", "upgrade")[0] == 0
    engine = create_store_engine(f"sqlite:///{ws / 'salesplan.db'}")
    unknown = "9999"  # a revision this salesplan does not know: made by a newer version
    with engine.begin() as connection:
        connection.execute(text(f"UPDATE alembic_version SET version_num = '{unknown}'"))
    engine.dispose()
    code, _, err = _run(capsys, "--workspace", str(ws), "demo-data")
    assert code == 1
    assert "newer salesplan" in err
    assert migrate.head_revision() != unknown


def test_internal_errors_exit_3_and_write_a_log(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import salesplan.cli.commands_db as commands_db

    def boom(_settings: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(commands_db, "upgrade_database", boom)
    code, _, err = _run(capsys, "--workspace", str(tmp_path / "w"), "db", "upgrade")
    assert code == 3
    assert "kaboom" in err
    assert "Traceback" not in err
    logs = list((tmp_path / "logs").glob("salesplan-crash-*.log"))
    assert len(logs) == 1
    assert "Traceback" in logs[0].read_text()


def test_demo_data_json_contract(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    code, out, err = _run(
        capsys, "-q", "--workspace", str(ws), "demo-data", "--seed", "3", "--as-of", AS_OF,
        "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    doc = json.loads(out)
    assert set(doc) == {"as_of", "currency", "locale", "demo_data", "warnings"}
    assert doc["as_of"] == AS_OF
    assert doc["currency"] == "CNY"
    rows = doc["demo_data"]["rows"]
    assert rows["opportunity"] > 1000
    assert rows["stage_event"] > rows["opportunity"]
    for path in doc["demo_data"]["truth_files"]:
        assert Path(path).exists()


def test_demo_builds_a_fresh_workspace_and_reports_the_overview(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ws = tmp_path / "demo"
    argv = ("-q", "--workspace", str(ws), "demo", "--as-of", AS_OF, "--format", "json")
    code, out, err = _run(capsys, *argv)
    assert code == 0, err
    doc = json.loads(out)["demo"]
    overview = doc["overview"]
    assert overview["counts"]["opportunity"] == doc["rows"]["opportunity"]
    years = overview["years"]
    assert [y["year"] for y in years] == sorted(y["year"] for y in years)
    for year in years:
        assert 0 < year["win_rate"] < 1
        assert year["win_rate"] == pytest.approx(year["won"] / (year["won"] + year["lost"]))
        assert "." in year["bookings"]  # money is a decimal string
    # The main job runs everything built so far: targets for next year and a forecast.
    targets = doc["targets"]
    assert targets["year"] == 2027
    quarters = targets["quarters"]
    assert len(quarters) == 4
    assert sum(Decimal(q["target"]) for q in quarters) == Decimal(targets["target"])
    forecast = doc["forecast"]
    assert Decimal(forecast["p10"]) <= Decimal(forecast["p50"]) <= Decimal(forecast["p90"])
    # …then writes the plan, finds the gaps, and renders the plan in both languages.
    assert doc["plan_version"] >= 1
    assert (ws / "plan.yaml").exists()
    stakes = [Decimal(g["at_stake"]) for g in doc["gaps"]["items"]]
    assert stakes and stakes[0] == max(stakes)
    documents = [Path(p) for p in doc["documents"]]
    assert sorted(p.name for p in documents) == [
        "sales-plan-2027.en.html", "sales-plan-2027.en.pdf",
        "sales-plan-2027.zh.html", "sales-plan-2027.zh.pdf",
    ]  # fmt: skip
    for path in documents:
        assert path.stat().st_size > 10_000
    assert documents[1].read_bytes().startswith(b"%PDF")
    # Running the demo again replaces its own workspace instead of doubling the data.
    code, out2, _ = _run(capsys, *argv)
    assert code == 0
    assert json.loads(out2)["demo"]["overview"]["counts"] == overview["counts"]


def test_demo_refuses_a_folder_it_did_not_make(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ws = tmp_path / "mine"
    ws.mkdir()
    (ws / "notes.txt").write_text("precious")
    code, _, err = _run(capsys, "--workspace", str(ws), "demo")
    assert code == 1
    assert str(ws) in err
    assert (ws / "notes.txt").read_text() == "precious"


def test_demo_table_and_csv_outputs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    ws = tmp_path / "demo"
    code, out, _ = _run(capsys, "--workspace", str(ws), "--lang", "zh", "demo", "--as-of", AS_OF)
    assert code == 0
    assert "赢率" in out
    assert str(ws) in out
    csv_file = tmp_path / "out.csv"
    code, out, _ = _run(
        capsys, "-q", "--workspace", str(ws), "demo-data", "--as-of", AS_OF, "--format", "csv",
        "--out", str(csv_file),
    )  # fmt: skip
    assert code == 0
    assert out == ""
    lines = csv_file.read_text().splitlines()
    assert lines[0] == "kind,rows"
    assert any(line.startswith("opportunity,") for line in lines)


def test_baseline_json_contract_and_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ws = tmp_path / "b"
    code, _, err = _run(capsys, "-q", "--workspace", str(ws), "baseline")
    assert code == 1
    assert "no opportunities yet" in err
    assert _run(capsys, "-q", "--workspace", str(ws), "demo-data", "--as-of", AS_OF)[0] == 0
    code, out, err = _run(
        capsys, "-q", "--workspace", str(ws), "baseline", "--period", "2025", "--by", "segment",
        "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    doc = json.loads(out)["baseline"]
    assert doc["period"] == {"label": "2025", "start": "2025-01-01", "end_exclusive": "2026-01-01"}
    overall = doc["overall"]
    won, lost = overall["won"], overall["lost"]
    assert overall["win_rate"]["n"] == won + lost
    assert overall["win_rate"]["rate"] == pytest.approx(won / (won + lost))
    assert overall["win_rate"]["low"] <= overall["win_rate"]["rate"] <= overall["win_rate"]["high"]
    # The groups partition the period's closed deals.
    assert sum(g["won"] for g in doc["groups"]) == won
    assert sum(g["lost"] for g in doc["groups"]) == lost
    assert len(doc["seasonality"]["index"]) == 12
    assert sum(doc["seasonality"]["index"]) == pytest.approx(12.0)
    # The sections beyond the first part, with their stable keys.
    for key in ("leads", "activities", "retention", "losses", "reps", "trends", "segments",
                "findings"):  # fmt: skip
        assert key in doc, key
    assert doc["leads"]["overall"]["leads"] == sum(s["leads"] for s in doc["leads"]["sources"])
    assert sum(r["lost"] for r in doc["losses"]["reasons"]) == lost
    assert doc["losses"]["reasons"][-1]["cumulative_share"] == pytest.approx(1.0)
    assert sum(s["won"] for s in doc["segments"]) == won
    ranks = sorted(s["icp_rank"] for s in doc["segments"])
    assert ranks == list(range(1, len(ranks) + 1))
    yoy = {t["metric"]: t for t in doc["trends"]["yoy"]}
    assert yoy["win_rate"]["current"] == pytest.approx(overall["win_rate"]["rate"])
    assert yoy["bookings"]["current"] == overall["bookings"]  # money stays a decimal string
    assert all(f["message"] and f["kind"] in ("strength", "obstacle") for f in doc["findings"])
    code, out, err = _run(capsys, "-q", "--workspace", str(ws), "--lang", "zh", "baseline")
    assert code == 0, err
    assert "现状诊断" in out
    code, out, err = _run(
        capsys, "-q", "--workspace", str(ws), "kpis", "--audience", "executive", "--format", "json"
    )
    assert code == 0, err
    kpis = {k["id"]: k for k in json.loads(out)["kpis"]["kpis"]}
    # The demo's won deals carry a cost from planted product margins of 0.30–0.85.
    assert kpis["gross_margin"]["status"] == "computed"
    assert 0.3 < kpis["gross_margin"]["value"] < 0.85
    assert kpis["win_rate"]["status"] == "computed"
    assert all("executive" in k["audience"] for k in kpis.values())
    code, _, err = _run(capsys, "--workspace", str(ws), "kpis", "--audience", "boss")
    assert code == 1
    assert "boss" in err
    code, _, err = _run(capsys, "--workspace", str(ws), "baseline", "--by", "colour")
    assert code == 1
    assert "colour" in err
    code, _, err = _run(capsys, "--workspace", str(ws), "baseline", "--period", "someday")
    assert code == 1
    assert "someday" in err


def test_an_unwritable_output_file_is_a_user_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    code, _, err = _run(
        capsys, "--workspace", str(tmp_path / "w"), "demo-data", "--out", str(folder)
    )
    assert code == 1
    assert str(folder) in err
    assert "Internal error" not in err and "Traceback" not in err
