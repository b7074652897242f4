"""Files → tables of text: encodings, delimiters, quoted newlines, footers, XLSX quirks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from salesplan.errors import DataError
from salesplan.ingest.readers import ROW, RawTable, detect_encoding, read_table

KNOWN = {"Opportunity Name", "Amount", "Stage", "商机名称", "金额", "销售阶段", "Close Date"}


def _read(path: Path, **options: object) -> RawTable:
    return read_table(path, is_known=lambda h: h in KNOWN, **options)  # type: ignore[arg-type]


def _rows(table: RawTable) -> list[dict[str, object]]:
    return table.frame.to_dicts()


CHINESE = '商机名称,金额,销售阶段\n华为云项目,12.5万,合同谈判\n小米,"￥1,234",成交\n'


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("gbk", "gb18030"),
        ("gb18030", "gb18030"),
        ("utf-16", "utf-16"),
    ],
)
def test_chinese_text_in_every_encoding(tmp_path: Path, encoding: str, expected: str) -> None:
    path = tmp_path / "deals.csv"
    text = CHINESE
    if encoding == "utf-16":  # Excel's "Unicode text" is tab-separated
        text = "商机名称\t金额\t销售阶段\n华为云项目\t12.5万\t合同谈判\n小米\t￥1,234\t成交\n"
    path.write_bytes(text.encode(encoding))
    table = _read(path)
    assert table.encoding == expected
    assert table.headers == ["商机名称", "金额", "销售阶段"]
    assert _rows(table) == [
        {"商机名称": "华为云项目", "金额": "12.5万", "销售阶段": "合同谈判", ROW: 2},
        {"商机名称": "小米", "金额": "￥1,234", "销售阶段": "成交", ROW: 3},
    ]


def test_cp1252_is_detected_and_overridable(tmp_path: Path) -> None:
    path = tmp_path / "eu.csv"
    path.write_bytes(
        "Opportunity Name;Amount\nSociété Générale;1.234,50\nCafé Müller;€5\n".encode("cp1252")
    )
    table = _read(path)
    assert table.encoding == "cp1252"
    assert table.delimiter == ";"
    assert table.frame["Opportunity Name"].to_list() == ["Société Générale", "Café Müller"]
    forced = _read(path, encoding="latin-1")
    assert forced.encoding == "latin-1"


def test_utf16_without_bom(tmp_path: Path) -> None:
    path = tmp_path / "u.txt"
    path.write_bytes("Stage\tAmount\nQualification\t5\n".encode("utf-16-le"))
    assert detect_encoding(path.read_bytes()) == "utf-16-le"
    assert _read(path).frame["Stage"].to_list() == ["Qualification"]


def test_wrong_encoding_is_a_clean_error(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(CHINESE.encode("gbk"))
    with pytest.raises(DataError) as info:
        _read(path, encoding="utf-8")
    assert info.value.params["file"] == "x.csv"
    with pytest.raises(DataError):
        _read(path, encoding="klingon")


def test_salesforce_footer_quoted_newlines_and_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_text(
        '"Opportunity Name","Amount","Stage","Next Step"\n'
        '"Acme, Inc.","1,234.50","Qualification","call\nthen email"\n'
        "\n"
        '"Globex","99","Closed Won",""\n'
        '"Total","1,333.50","",""\n'
        "\n"
        '"Grand Totals (2 records)"\n'
        '"Confidential Information - Do Not Distribute"\n'
        '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\n',
        encoding="utf-8",
    )
    table = _read(path)
    assert _rows(table) == [
        {
            "Opportunity Name": "Acme, Inc.",
            "Amount": "1,234.50",
            "Stage": "Qualification",
            "Next Step": "call\nthen email",
            ROW: 2,
        },
        {
            "Opportunity Name": "Globex",
            "Amount": "99",
            "Stage": "Closed Won",
            "Next Step": None,
            ROW: 4,
        },
    ]
    assert table.dropped_rows == [5, 7, 8, 9]


def test_a_deal_named_like_a_footer_word_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("Opportunity Name,Amount\nTotal Rewards renewal,5\nCopyright licence,6\n")
    assert _read(path).frame["Opportunity Name"].to_list() == [
        "Total Rewards renewal",
        "Copyright licence",
    ]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_are_sniffed(tmp_path: Path, delimiter: str) -> None:
    path = tmp_path / "d.csv"
    path.write_text(
        delimiter.join(["Stage", "Amount", "Close Date"])
        + "\n"
        + delimiter.join(["Demo", "1,5", "2026-11-28"])
        + "\n"
    )
    table = _read(path)
    assert table.delimiter == delimiter
    assert table.headers == ["Stage", "Amount", "Close Date"]


def test_title_rows_above_the_header_and_ragged_rows(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        "Pipeline report Q4\nExported 2026-11-28\n\nStage,Amount,Owner\nDemo,5\nWon,6,Li,extra\n"
    )
    table = _read(path)
    assert table.headers == ["Stage", "Amount", "Owner"]
    assert _rows(table) == [
        {"Stage": "Demo", "Amount": "5", "Owner": None, ROW: 5},
        {"Stage": "Won", "Amount": "6", "Owner": "Li", ROW: 6},
    ]


def test_blank_and_duplicate_headers_get_names(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("Stage,,Stage\na,b,c\n")
    assert _read(path).headers == ["Stage", "column 2", "Stage (2)"]


def test_empty_and_binary_files(tmp_path: Path) -> None:
    empty = tmp_path / "e.csv"
    empty.write_bytes(b"")
    with pytest.raises(DataError):
        _read(empty)
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(DataError) as info:
        _read(xls)
    assert ".xls" in info.value.message_id


def test_xlsx_title_row_merged_cells_serials_and_blank_tail(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "Notes"
    notes["A1"] = "Exported from CRM"
    sheet = book.create_sheet("Deals")
    sheet["A1"] = "Q4 pipeline"
    sheet.merge_cells("A1:D1")
    sheet.append(["商机名称", "金额", "销售阶段", "Close Date"])
    sheet.append(["华为", 125000, "谈判", dt.datetime(2026, 11, 28)])
    sheet.append(["小米", 1234.5, None, 46354])
    sheet.merge_cells("C3:C4")
    sheet.append([None, None, None, None])
    sheet.append([])
    sheet.append(["合计", 126234.5, None, None])
    path = tmp_path / "deals.xlsx"
    book.save(path)
    table = _read(path)
    assert table.sheet == "Deals"  # chosen for its headers
    assert _rows(table) == [
        {
            "商机名称": "华为",
            "金额": "125000",
            "销售阶段": "谈判",
            "Close Date": "2026-11-28 00:00:00",
            ROW: 3,
        },
        {"商机名称": "小米", "金额": "1234.5", "销售阶段": "谈判", "Close Date": "46354", ROW: 4},
    ]
    assert table.dropped_rows == [7]
    assert _read(path, sheet="notes").sheet == "Notes"
    with pytest.raises(DataError) as info:
        _read(path, sheet="Missing")
    assert info.value.params["choices"] == "Notes, Deals"


def test_broken_xlsx_is_a_clean_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(DataError):
        _read(path)


def test_gbk_text_after_a_long_plain_ascii_head(tmp_path: Path) -> None:
    """An export whose first 256 KB are ids and dates (ASCII, which every legacy encoding
    reads alike) and whose Chinese names come later is still read as GB18030, not Big5."""
    path = tmp_path / "late-chinese.csv"
    head = "id,name\n" + "".join(f"A{i},x\n" for i in range(60_000))  # ~500 KB of ASCII
    path.write_bytes((head + "B1,北京星辰能源有限公司\nB2,上海数据科技\n").encode("gb18030"))
    table = read_table(path)
    assert table.encoding == "gb18030"
    assert table.frame.tail(2).select("id", "name").rows() == [
        ("B1", "北京星辰能源有限公司"),
        ("B2", "上海数据科技"),
    ]
