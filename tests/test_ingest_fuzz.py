"""Hypothesis: malformed files and mappings end in a clean import or a clean error, never a crash.

Every example goes through the whole service (read, detect, map, parse, validate, write into
SQLite): the only acceptable outcomes are an ImportReport or a SalesplanError.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from salesplan.config import Settings
from salesplan.errors import SalesplanError
from salesplan.services.imports import import_file

HEADERS = [
    "Opportunity ID",
    "Opportunity Name",
    "Stage",
    "Amount",
    "Close Date",
    "Created Date",
    "Deal - ID",
    "Deal - Status",
    "Deal - Value",
    "Record ID",
    "Deal Stage",
    'Date entered "Closed Won (Sales Pipeline)"',
    "商机编号",
    "商机名称",
    "销售阶段",
    "商机状态",
    "金额",
    "预计成交日期",
    "IsWon",
    "IsClosed",
    "CurrencyIsoCode",
    "Probability (%)",
    "id",
    "stage",
    "currency",
    "Type",
    "Forecast Category",
    "",
    "Active",
]
CELLS = st.one_of(
    st.sampled_from(
        [
            "",
            "Closed Won",
            "Prospecting",
            "赢单",
            "输单",
            "进行中",
            "1,234.50",
            "1.234,50",
            "¥1,234",
            "$1.2K",
            "12.5万",
            "(1,200)",
            "1.005",
            "99999999999999999999",
            "03/04/2026",
            "28/11/2026",
            "11/28/2026",
            "2026年11月28日",
            "46354",
            "2018-08-22 00:00:00",
            "true",
            "0",
            "USD",
            "XXX",
            '"',
            "a\nb",
            ";",
            "\t",
            "000000000000000AAA",
            "x" * 300,
            "-",
            "Grand Totals (3 records)",
            "NaN",
            "1e309",
            "%",
            "2026-02-30",
        ]
    ),
    st.text(max_size=12),
)
KINDS = st.sampled_from(["opportunities", "stage-history", "accounts", "rates", "team", "leads"])


def _csv(header: list[str], rows: list[list[str]], delimiter: str) -> str:
    def cell(value: str) -> str:
        if any(c in value for c in (delimiter, '"', "\n", "\r")):
            return '"' + value.replace('"', '""') + '"'
        return value

    return "\n".join(delimiter.join(cell(v) for v in row) for row in [header, *rows]) + "\n"


@pytest.fixture
def store(tmp_path: Path) -> Settings:
    return Settings(workspace=tmp_path / "ws", database_url=None, locale="en", currency="CNY")


FUZZ = hsettings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _outcome(settings: Settings, kind: str, path: Path, **options: object) -> None:
    with contextlib.suppress(SalesplanError):
        import_file(settings, kind, path, as_of=dt.date(2026, 11, 28), **options)  # type: ignore[arg-type]


@FUZZ
@given(
    kind=KINDS,
    header=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=7),
    rows=st.lists(st.lists(CELLS, max_size=8), max_size=6),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "cp1252"]),
    dry_run=st.booleans(),
)
def test_structured_but_malformed_exports(
    store: Settings,
    tmp_path: Path,
    kind: str,
    header: list[str],
    rows: list[list[str]],
    delimiter: str,
    encoding: str,
    dry_run: bool,
) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_bytes(_csv(header, rows, delimiter).encode(encoding, errors="replace"))
    _outcome(store, kind, path, dry_run=dry_run)


@FUZZ
@given(data=st.binary(max_size=400), kind=KINDS, suffix=st.sampled_from([".csv", ".xlsx"]))
def test_random_bytes(store: Settings, tmp_path: Path, data: bytes, kind: str, suffix: str) -> None:
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    _outcome(store, kind, path)


@FUZZ
@given(
    text=st.one_of(
        st.text(max_size=200),
        st.sampled_from(
            [
                "columns: {id: 3}",
                "values: {stage: {a: [1]}}",
                "stages: [{key: ''}]",
                "constants: {amount: abc}",
                "columns: {amount: Amount}\ndecimal: ','",
                "values: {stage: {Prospecting: nope}}",
                "- just\n- a list",
                "dayfirst: maybe",
                "stages: [{key: a, status: lost}, {key: b, status: won}]",
                "ignore: Amount",
                "columns: {id: [Opportunity ID, Opportunity ID]}",
                "constants: {close_date: 2026-01-01}",
            ]
        ),
    )
)
def test_malformed_mappings(store: Settings, tmp_path: Path, text: str) -> None:
    data = tmp_path / "deals.csv"
    data.write_text("Opportunity ID,Stage,Amount\n1,Prospecting,5\n2,Closed Won,6\n")
    mapping = tmp_path / "map.yaml"
    mapping.write_text(text, encoding="utf-8")
    _outcome(store, "opportunities", data, mapping_path=mapping)
