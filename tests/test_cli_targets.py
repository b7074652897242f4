"""`salesplan targets` end to end on the demo workspace: JSON contract, exact splits, xlsx
with formula totals, and clean errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from salesplan.cli import run

AS_OF = "2026-11-28"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("SALESPLAN_DATABASE_URL", "SALESPLAN_WORKSPACE", "SALESPLAN_LOCALE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SALESPLAN_LOG_DIR", str(tmp_path / "logs"))


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    ws = tmp_path_factory.mktemp("targets") / "ws"
    with pytest.MonkeyPatch.context() as mp:
        for name in ("SALESPLAN_DATABASE_URL", "SALESPLAN_WORKSPACE", "SALESPLAN_LOCALE"):
            mp.delenv(name, raising=False)
        assert run(["-q", "--workspace", str(ws), "demo-data", "--as-of", AS_OF]) == 0
    yield ws


def _run(capsys: pytest.CaptureFixture[str], ws: Path, *argv: str) -> tuple[int, str, str]:
    code = run(["-q", "--workspace", str(ws), "targets", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _d(text: str) -> Decimal:
    return Decimal(text)


def test_json_contract_and_exact_splits(
    capsys: pytest.CaptureFixture[str], workspace: Path
) -> None:
    code, out, err = _run(
        capsys, workspace, "--year", "2027", "--growth", "25%", "--by", "region",
        "--lock", "2027-03=1000000", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    doc = json.loads(out)
    assert set(doc) == {"as_of", "currency", "locale", "targets", "warnings"}
    assert doc["as_of"] == AS_OF
    t = doc["targets"]
    methods = {m["method"]: m for m in t["methods"]}
    assert list(methods) == ["yoy", "capacity", "trend", "blend"]
    # yoy = base × 1.25, to the fen (half-even).
    base = _d(methods["yoy"]["inputs"]["base_bookings"])
    assert _d(methods["yoy"]["target"]) == (base * Decimal("1.25")).quantize(Decimal("0.01"))
    # blend = 0.4 yoy + 0.3 capacity + 0.3 trend (default weights), within half a fen.
    blend = sum(
        Decimal(str(methods[m]["weight"])) * _d(methods[m]["target"])
        for m in ("yoy", "capacity", "trend")
    )
    assert abs(_d(methods["blend"]["target"]) - blend) <= Decimal("0.005")
    assert t["method"] == "blend" and t["target"] == methods["blend"]["target"]
    total = _d(t["target"])
    assert sum(_d(q["target"]) for q in t["quarters"]) == total
    assert sum(_d(m["target"]) for m in t["months"]) == total
    assert t["months"][2] == {"period": "2027-03", "target": "1000000.00", "locked": True}
    groups = t["breakdown"]["groups"]
    assert t["breakdown"]["basis"] == "history"
    assert sum(_d(g["target"]) for g in groups) == total
    for g in groups:
        assert sum(_d(v) for v in g["months"]) == _d(g["target"])
    for month in range(12):
        assert sum(_d(g["months"][month]) for g in groups) == _d(t["months"][month]["target"])
    assert t["capacity"]["total"] == methods["capacity"]["target"]
    assert t["hiring"]["hires_needed"] is not None
    funnel = t["reverse_funnel"]
    assert funnel["won_deals"] > 0 and funnel["opportunities"] >= funnel["won_deals"]
    assert funnel["coverage"]["quarter"] > 0
    assert [w["code"] for w in doc["warnings"]] == ["yoy-rolling-base"]


def test_locked_owner_and_explicit_method(
    capsys: pytest.CaptureFixture[str], workspace: Path
) -> None:
    code, out, err = _run(
        capsys, workspace, "--year", "2027", "--method", "yoy", "--by", "owner",
        "--lock", "EMP-00001=1000000.01", "--hire", "2027-04:ae:2", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    t = json.loads(out)["targets"]
    groups = {g["key"]: g for g in t["breakdown"]["groups"]}
    assert t["breakdown"]["basis"] == "capacity"
    assert groups["EMP-00001"]["target"] == "1000000.01"
    assert groups["EMP-00001"]["locked"] is True
    assert sum(_d(g["target"]) for g in groups.values()) == _d(t["target"])
    planned = [m for m in t["capacity"]["members"] if m["planned"]]
    assert [(m["start"], m["role"]) for m in planned] == [("2027-04-01", "ae")] * 2


def test_xlsx_has_formula_totals(
    capsys: pytest.CaptureFixture[str], workspace: Path, tmp_path: Path
) -> None:
    path = tmp_path / "targets.xlsx"
    code, _, err = _run(
        capsys, workspace, "--year", "2027", "--by", "segment", "--format", "xlsx", "--out",
        str(path),
    )  # fmt: skip
    assert code == 0, err
    book = load_workbook(path)
    periods = book["Target by period"]
    assert periods["B5"].value == "=SUM(B2:B4)"  # Q1 = January–March
    assert periods["B18"].value == "=B5+B9+B13+B17"  # the year = the four quarters
    values = load_workbook(path, data_only=True)["Target by period"]
    months = [values.cell(row=r, column=2).value for r in range(2, 18) if (r - 1) % 4]
    assert Decimal(str(values["B18"].value)).quantize(Decimal("0.01")) == sum(
        Decimal(str(v)).quantize(Decimal("0.01")) for v in months
    )
    groups = book["Target by group"]
    assert groups["N2"].value == "=SUM(B2:M2)"
    assert {"Methods side by side", "Team capacity", "Reverse funnel"} <= set(book.sheetnames)


def test_table_in_chinese(capsys: pytest.CaptureFixture[str], workspace: Path) -> None:
    code = run(["-q", "--lang", "zh", "--workspace", str(workspace), "targets", "--year",
                "2027", "--method", "capacity", "--split", "quarter"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "各方法对比" in out and "反向漏斗" in out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--growth", "lots"], "lots"),
        (["--weights", "yoy=0.5,trend=0.4"], "weights"),
        (["--lock", "2027-02=999999999999"], "999999999999"),
        (["--by", "colour"], "colour"),
        (["--format", "xlsx"], "--out"),
        (["--method", "magic"], "method"),
        (["--lock", "east_china=5"], "--by"),
        (["--distribution", "50,50"], "month_distribution"),
    ],
)
def test_bad_input_is_one_clean_line(
    capsys: pytest.CaptureFixture[str], workspace: Path, argv: list[str], needle: str
) -> None:
    code, _, err = _run(capsys, workspace, "--year", "2027", *argv)
    assert code == 1, err
    assert needle in err
    assert "Traceback" not in err and err.count("\n") == 1


def test_empty_workspace(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = _run(capsys, tmp_path / "empty", "--year", "2027")
    assert code == 1
    assert "no opportunities" in err
