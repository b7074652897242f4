"""Importing as a whole: all-or-nothing, reports, skip-invalid, re-imports and history,
mapping files, suggest-mapping, derived fields, both stores, and the CLI contract."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from salesplan.cli import run
from salesplan.config import Settings
from salesplan.domain.records import RecordKind
from salesplan.errors import DataError
from salesplan.services.imports import import_file, suggest_mapping
from salesplan.services.store import open_store
from salesplan.storage import frames, records

HEADER = (
    "Opportunity ID,Opportunity Name,Account Name,Opportunity Owner,Stage,Amount,Close Date,"
    "Created Date\n"
)
GOOD = [
    "006A,Alpha,Acme,Ann,Prospecting,1000,2026-12-01,2026-10-01\n",
    "006B,Beta,Globex,Bob,Negotiation/Review,2500.50,2026-12-15,2026-10-02\n",
    "006C,Gamma,Initech,Ann,Closed Won,300,2026-11-01,2026-09-01\n",
]


def _write(path: Path, lines: list[str], header: str = HEADER) -> Path:
    path.write_text(header + "".join(lines), encoding="utf-8")
    return path


def _counts(settings: Settings) -> dict[str, int]:
    engine = open_store(settings)
    try:
        with engine.connect() as connection:
            counts = {k.value: records.count_rows(connection, k) for k in RecordKind}
            counts["batches"] = len(records.list_batches(connection))
            counts["stages"] = len((records.read_stages(connection) or _NoStages()).stages)
    finally:
        engine.dispose()
    return counts


class _NoStages:
    stages: tuple[()] = ()


def _opportunities(settings: Settings) -> list[dict[str, Any]]:
    engine = open_store(settings)
    try:
        return frames.read_opportunities(engine).sort("id").to_dicts()
    finally:
        engine.dispose()


def _events(settings: Settings) -> list[tuple[Any, ...]]:
    engine = open_store(settings)
    try:
        frame = frames.read_stage_events(engine)
    finally:
        engine.dispose()
    return [
        tuple(r)
        for r in frame.select(
            "opportunity_id", "stage", "entered_at", "amount_minor", "close_date"
        ).iter_rows()
    ]


def test_one_bad_row_writes_nothing_and_reports_it(settings: Settings, tmp_path: Path) -> None:
    ok = _write(tmp_path / "ok.csv", GOOD[:1])
    import_file(settings, "opportunities", ok, as_of=dt.date(2026, 11, 1))
    before = _counts(settings)
    bad = _write(
        tmp_path / "bad.csv",
        [
            *GOOD,
            "006D,Delta,Acme,Ann,Prospecting,12abc,2026-12-01,2026-10-01\n",
            "006E,Epsilon,Acme,Ann,Discovery,5,2026-13-45,2026-10-01\n",
        ],
    )
    report = import_file(settings, "opportunities", bad, as_of=dt.date(2026, 11, 8))
    assert not report.ok
    assert report.rows_written == 0 and report.batch_id is None
    assert _counts(settings) == before
    found = {(p.row, p.column, p.value, p.code) for p in report.errors}
    assert {
        (5, "Amount", "12abc", "bad_value"),
        (6, "Stage", "Discovery", "bad_value"),
        (6, "Close Date", "2026-13-45", "bad_value"),
    } <= found
    assert report.report_path == tmp_path / "bad.csv.errors.csv"
    with report.report_path.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    amount = next(r for r in rows if r["column"] == "Amount")
    assert amount == {
        "file": "bad.csv",
        "row": "5",
        "column": "Amount",
        "value": "12abc",
        "severity": "error",
        "code": "bad_value",
        "problem": "12abc is not an amount salesplan can read.",
    }
    summary = next(r for r in rows if r["code"] == "unknown_stages")
    assert "Discovery" in summary["problem"]
    assert '"Discovery": prospecting' in summary["problem"]


def test_error_report_in_chinese(settings: Settings, tmp_path: Path) -> None:
    zh = settings.model_copy(update={"locale": "zh_CN"})
    bad = _write(tmp_path / "bad.csv", ["006D,Delta,Acme,Ann,Prospecting,12abc,2026-12-01,\n"])
    report = import_file(zh, "opportunities", bad)
    assert report.report_path is not None
    text = report.report_path.read_text(encoding="utf-8-sig")
    assert "12abc 不是" in text


def test_skip_invalid_writes_valid_rows_and_rejects(settings: Settings, tmp_path: Path) -> None:
    bad = _write(
        tmp_path / "bad.csv", [*GOOD, "006D,Delta,Acme,Ann,Prospecting,12abc,2026-12-01,\n"]
    )
    rejects = tmp_path / "rejects.csv"
    report = import_file(settings, "opportunities", bad, skip_invalid=rejects)
    assert report.ok and (report.rows_written, report.rejected) == (3, 1)
    assert [r["id"] for r in _opportunities(settings)] == ["006A", "006B", "006C"]
    with rejects.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert rows == [
        {
            "row": "5",
            "Opportunity ID": "006D",
            "Opportunity Name": "Delta",
            "Account Name": "Acme",
            "Opportunity Owner": "Ann",
            "Stage": "Prospecting",
            "Amount": "12abc",
            "Close Date": "2026-12-01",
            "Created Date": "",
            "problems": "Amount: 12abc is not an amount salesplan can read.",
        },
    ]


def test_dry_run_writes_nothing(settings: Settings, tmp_path: Path) -> None:
    path = _write(tmp_path / "ok.csv", GOOD)
    report = import_file(settings, "opportunities", path, dry_run=True)
    assert report.ok and report.rows_read == 3 and report.rows_written == 0
    assert _counts(settings)["opportunity"] == 0
    assert _counts(settings)["stages"] == 0


def test_reimport_is_idempotent_and_later_changes_become_events(
    settings: Settings, tmp_path: Path
) -> None:
    week1 = _write(tmp_path / "w1.csv", GOOD)
    import_file(settings, "opportunities", week1, as_of=dt.date(2026, 11, 1))
    first = _opportunities(settings)
    again = import_file(settings, "opportunities", week1, as_of=dt.date(2026, 11, 1))
    assert again.events_written == 0
    assert [{**r, "stage_code": r["stage_code"]} for r in _opportunities(settings)] == first
    assert _events(settings) == []
    week2 = _write(
        tmp_path / "w2.csv",
        [
            "006A,Alpha,Acme,Ann,Qualification,1000,2026-12-01,2026-10-01\n",  # stage moved
            "006B,Beta,Globex,Bob,Negotiation/Review,2600,2026-12-15,2026-10-02\n",  # amount
            GOOD[2],  # unchanged
            "006D,Delta,Acme,Ann,Prospecting,10,2027-01-01,2026-11-05\n",  # new deal
        ],
    )
    report = import_file(settings, "opportunities", week2, as_of=dt.date(2026, 11, 8))
    assert report.events_written == 2
    moment = dt.datetime(2026, 11, 8)
    assert sorted(_events(settings)) == [
        ("006A", "qualification", moment, 100000, dt.date(2026, 12, 1)),
        ("006B", "negotiation", moment, 260000, dt.date(2026, 12, 15)),
    ]
    again = import_file(settings, "opportunities", week2, as_of=dt.date(2026, 11, 8))
    assert again.events_written == 0
    assert len(_events(settings)) == 2
    assert _counts(settings)["batches"] == 4


def test_stage_history_export(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "OpportunityHistory.csv"
    path.write_text(
        '"OpportunityId","CreatedDate","StageName","Amount","CloseDate","Probability",'
        '"ForecastCategory","CurrencyIsoCode"\n'
        '"0061","2026-01-05T10:00:00.000Z","Prospecting","1000","2026-03-01","10","Pipeline","USD"\n'
        '"0061","2026-02-01T10:00:00.000+0800","Qualification","1500","2026-03-15","20",'
        '"Pipeline","USD"\n'
        '"0061","2026-03-10T10:00:00.000Z","Closed Won","1500","2026-03-10","100","Closed","USD"\n',
        encoding="utf-8",
    )
    report = import_file(settings, "stage-history", path)
    assert (report.preset, report.rows_written) == ("salesforce-api", 3)
    assert _events(settings) == [
        ("0061", "prospecting", dt.datetime(2026, 1, 5, 10), 100000, dt.date(2026, 3, 1)),
        ("0061", "qualification", dt.datetime(2026, 2, 1, 2), 150000, dt.date(2026, 3, 15)),
        ("0061", "closed_won", dt.datetime(2026, 3, 10, 10), 150000, dt.date(2026, 3, 10)),
    ]
    import_file(settings, "stage-history", path)
    assert len(_events(settings)) == 3


def test_stage_list_kept_once_deals_exist(settings: Settings, tmp_path: Path) -> None:
    import_file(settings, "opportunities", _write(tmp_path / "sf.csv", GOOD))
    hubspot = tmp_path / "hs.csv"
    hubspot.write_text(
        '"Record ID","Deal Name","Deal Stage","Amount"\n"1","X","Contract Sent","5"\n'
    )
    report = import_file(settings, "opportunities", hubspot)
    assert not report.ok
    summary = next(p for p in report.errors if p.code == "unknown_stages")
    assert summary.params["labels"] == "Contract Sent"
    mapping = tmp_path / "map.yaml"
    mapping.write_text("values:\n  stage:\n    Contract Sent: negotiation\n")
    report = import_file(settings, "opportunities", hubspot, mapping_path=mapping)
    assert report.ok
    assert next(r for r in _opportunities(settings) if r["id"] == "1")["stage"] == "negotiation"


def test_mapping_file_columns_values_constants_hints(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "eu.csv"
    path.write_text(
        "Nummer;Titel;Phase;Wert;Abschluss;Notiz\n"
        "E1;Eins;Entdeckung;1.234,50;03/04/2026;x\n"
        "E2;Zwei;Gewonnen;99,00;05/06/2026;y\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        "kind: opportunities\n"
        "columns:\n  id: Nummer\n  name: Titel\n  stage: Phase\n  amount: Wert\n"
        "  close_date: Abschluss\n"
        "values:\n  stage:\n    Entdeckung: discovery\n    Gewonnen: won\n"
        "constants:\n  pipeline: Europe\n"
        "stages:\n"
        "  - {key: discovery, label: Entdeckung, probability: 0.2}\n"
        "  - {key: won, label: Gewonnen, status: won}\n"
        "  - {key: lost, label: Verloren, status: lost}\n"
        "dayfirst: true\ndecimal: ','\ncurrency: EUR\nignore: [Notiz]\n",
        encoding="utf-8",
    )
    report = import_file(settings, "opportunities", path, mapping_path=mapping)
    assert report.ok, [p.message_id for p in report.errors]
    assert not [w for w in report.warnings if w.code == "unused_columns"]
    rows = _opportunities(settings)
    assert [
        (
            r["id"],
            r["stage"],
            r["status"],
            r["amount_minor"],
            r["currency"],
            r["close_date"],
            r["pipeline"],
        )
        for r in rows
    ] == [
        ("E1", "discovery", "open", 123450, "EUR", dt.date(2026, 4, 3), "Europe"),
        ("E2", "won", "won", 9900, "EUR", dt.date(2026, 6, 5), "Europe"),
    ]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("columns: [1, 2]\n", "columns"),
        ("columns:\n  amount_typo: Wert\n", "columns.amount_typo"),
        ("values:\n  status:\n    Gewonnen: victory\n", "values.status.Gewonnen"),
        ("decimal: ';'\n", "decimal"),
        ("currency: XXQ\n", "currency"),
        ("stages:\n  - {key: a, status: won}\n  - {key: b}\n", "stages"),
        ("columns: {id: [unclosed\n", "line"),
        ("surprise: 1\n", "surprise"),
    ],
)
def test_bad_mapping_names_the_yaml_path(
    settings: Settings, tmp_path: Path, text: str, where: str
) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text(text)
    with pytest.raises(DataError) as info:
        import_file(
            settings, "opportunities", _write(tmp_path / "ok.csv", GOOD), mapping_path=mapping
        )
    assert info.value.params["path"].startswith(where)


def test_mapping_naming_a_missing_column(settings: Settings, tmp_path: Path) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns:\n  amount: Net Value\n")
    with pytest.raises(DataError) as info:
        import_file(
            settings, "opportunities", _write(tmp_path / "ok.csv", GOOD), mapping_path=mapping
        )
    assert info.value.params["header"] == "Net Value"


def test_missing_id_column_is_a_file_error(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "noid.csv"
    path.write_text("Opportunity Name,Stage\nA,Prospecting\n")
    with pytest.raises(DataError) as info:
        import_file(settings, "opportunities", path)
    assert info.value.params["field"] == "id"


def test_suggest_mapping_round_trip(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_text(
        "Deal No,Opportunity Name,Stage,Amount,Close Date\n1,A,Discovery,5,28/11/2026\n"
    )
    out = tmp_path / "suggested.yaml"
    result = suggest_mapping(settings, "opportunities", path, out)
    text = out.read_text()
    assert result.unmatched == ["Deal No"]
    assert "name: Opportunity Name" in text and "Discovery:" in text and "TODO" in text
    assert "dayfirst: true" in text
    from ruamel.yaml import YAML

    yaml = YAML()
    data = yaml.load(text)
    data["columns"]["id"] = "Deal No"
    data["ignore"] = []
    data["values"]["stage"]["Discovery"] = "qualification"
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    edited = buffer.getvalue()
    out.write_text(edited)
    report = import_file(settings, "opportunities", path, mapping_path=out)
    assert report.ok, [(p.message_id, p.params) for p in report.errors]
    assert _opportunities(settings)[0]["stage"] == "qualification"


def test_segment_region_industry_fall_back_to_account_then_owner(
    settings: Settings, tmp_path: Path
) -> None:
    accounts = tmp_path / "accounts.csv"
    accounts.write_text("id,name,industry,segment\nA1,Acme,Retail,ent\n")
    team = tmp_path / "team.csv"
    team.write_text("id,name,region,segment\nU1,Ann,East,smb\n")
    import_file(settings, "accounts", accounts)
    import_file(settings, "team", team)
    deals = tmp_path / "deals.csv"
    deals.write_text(
        "id,account_id,owner_id,stage,region\nO1,Acme,U1,prospecting,\nO2,A9,Ann,demo,West\n"
    )
    import_file(settings, "opportunities", deals)
    rows = _opportunities(settings)
    assert [(r["id"], r["segment"], r["region"], r["industry"]) for r in rows] == [
        ("O1", "ent", "East", "Retail"),
        ("O2", "smb", "West", None),
    ]


def test_duplicate_ids_last_wins_with_a_warning(settings: Settings, tmp_path: Path) -> None:
    path = _write(tmp_path / "d.csv", [GOOD[0], GOOD[0].replace("1000", "2000")])
    report = import_file(settings, "opportunities", path)
    assert [w.params["ids"] for w in report.warnings if w.code == "duplicate_id"] == ["006A"]
    assert _opportunities(settings)[0]["amount_minor"] == 200000


def test_transactional_on_both_stores(store_url: str, engine: Engine, tmp_path: Path) -> None:
    settings = Settings(workspace=tmp_path / "ws", database_url=store_url, locale="en")
    import_file(
        settings, "opportunities", _write(tmp_path / "ok.csv", GOOD), as_of=dt.date(2026, 11, 1)
    )
    bad = _write(
        tmp_path / "bad.csv", [*GOOD[:2], "006Z,Z,Acme,Ann,Prospecting,1.005,2026-12-01,\n"]
    )
    assert not import_file(settings, "opportunities", bad).ok
    with engine.connect() as connection:
        assert records.count_rows(connection, RecordKind.OPPORTUNITY) == 3
        assert len(records.list_batches(connection)) == 1
    later = _write(tmp_path / "w2.csv", [GOOD[0].replace("Prospecting", "Closed Lost")])
    report = import_file(settings, "opportunities", later, as_of=dt.date(2026, 11, 8))
    assert report.events_written == 1
    with engine.connect() as connection:
        assert records.count_rows(connection, RecordKind.STAGE_EVENT) == 1
        assert len(records.list_batches(connection)) == 2


def test_a_failure_inside_the_write_rolls_back(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_file(settings, "opportunities", _write(tmp_path / "ok.csv", GOOD[:1]))
    before = _counts(settings)

    def explode(*args: object, **kwargs: object) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr("salesplan.storage.imports.append_stage_events", explode)
    path = _write(tmp_path / "w2.csv", [GOOD[0].replace("Prospecting", "Qualification"), GOOD[1]])
    with pytest.raises(RuntimeError):
        import_file(settings, "opportunities", path)
    assert _counts(settings) == before


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = run(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_json_contract_and_exit_codes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("SALESPLAN_DATABASE_URL", "SALESPLAN_WORKSPACE", "SALESPLAN_LOCALE"):
        monkeypatch.delenv(name, raising=False)
    ws = str(tmp_path / "ws")
    path = _write(tmp_path / "ok.csv", GOOD)
    code, out, err = _cli(
        capsys,
        "--workspace",
        ws,
        "import",
        "opportunities",
        str(path),
        "--as-of",
        "2026-11-28",
        "--format",
        "json",
    )
    assert code == 0, err
    doc = json.loads(out)
    body = doc["import"]
    assert doc["as_of"] == "2026-11-28"
    assert {
        k: body[k]
        for k in (
            "kind",
            "preset",
            "encoding",
            "rows_read",
            "rows_written",
            "rejected",
            "batch_id",
            "dry_run",
        )
    } == {
        "kind": "opportunities",
        "preset": "salesforce",
        "encoding": "utf-8",
        "rows_read": 3,
        "rows_written": 3,
        "rejected": 0,
        "batch_id": 1,
        "dry_run": False,
    }
    assert isinstance(body["warnings"], int)
    bad = _write(tmp_path / "bad.csv", ["006D,Delta,Acme,Ann,Prospecting,12abc,2026-12-01,\n"])
    code, out, err = _cli(capsys, "--workspace", ws, "import", "opportunities", str(bad))
    assert code == 1
    assert "12abc" in out and "bad.csv.errors.csv" in err
    assert "Traceback" not in out + err
    code, out, err = _cli(
        capsys, "--workspace", ws, "--lang", "zh", "import", "opportunities", str(bad)
    )
    assert code == 1 and "没有导入" in err
    code, _, err = _cli(capsys, "--workspace", ws, "import", "widgets", str(path))
    assert code == 1 and "widgets" in err
    code, _, err = _cli(
        capsys, "--workspace", ws, "import", "opportunities", str(tmp_path / "nope.csv")
    )
    assert code == 1 and "nope.csv" in err
