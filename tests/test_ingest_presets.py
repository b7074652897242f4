"""Each CRM preset: a hand-made export in its shape → the canonical records, checked by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from salesplan.config import Settings
from salesplan.domain.records import RecordKind
from salesplan.ingest.presets import detect
from salesplan.services.imports import ImportReport, import_file
from salesplan.services.store import open_store
from salesplan.storage import frames

AS_OF = dt.date(2026, 11, 28)
D = dt.date


def _import(settings: Settings, kind: str, path: Path, **options: Any) -> ImportReport:
    report = import_file(settings, kind, path, as_of=AS_OF, **options)
    assert report.errors == [], [p.message_id for p in report.errors]
    return report


def _stored(settings: Settings, kind: RecordKind = RecordKind.OPPORTUNITY) -> list[dict[str, Any]]:
    engine = open_store(settings)
    try:
        frame = frames.read_frame(engine, kind)
    finally:
        engine.dispose()
    key = "id" if "id" in frame.columns else frame.columns[0]
    return frame.sort(key).to_dicts()


def _pick(rows: list[dict[str, Any]], *names: str) -> list[tuple[Any, ...]]:
    return [tuple(r[n] for n in names) for r in rows]


COLS = (
    "id",
    "name",
    "account_id",
    "owner_id",
    "amount_minor",
    "currency",
    "created_on",
    "close_date",
    "closed_on",
    "stage",
    "status",
)


def test_salesforce_report(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "sf.csv"
    path.write_text(
        '"Opportunity Owner","Account Name","Opportunity Name","Stage","Amount","Amount Currency",'
        '"Probability (%)","Close Date","Created Date","Lead Source","Type","Forecast Category",'
        '"Fiscal Period","Opportunity ID"\n'
        '"Ann Lee","Acme","Acme 500","Id. Decision Makers","1,234.50","USD","60","11/28/2026",'
        '"10/02/2026","Web","New Customer","Best Case","Q4-2026","006A"\n'
        '"Bob Chan","Globex","Globex up","Closed Won","22,700.00","EUR","100","10/15/2026",'
        '"09/01/2026","Partner","Existing Customer - Upgrade","Closed","Q4-2026","006B"\n'
        '\n"Grand Totals (2 records)"\n"Confidential Information - Do Not Distribute"\n'
        '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\n',
        encoding="utf-8-sig",
    )
    report = _import(settings, "opportunities", path)
    assert (report.preset, report.preset_detected, report.rows_written) == ("salesforce", True, 2)
    assert report.stages_replaced
    rows = _stored(settings)
    assert _pick(rows, *COLS) == [
        (
            "006A",
            "Acme 500",
            "Acme",
            "Ann Lee",
            123450,
            "USD",
            D(2026, 10, 2),
            D(2026, 11, 28),
            None,
            "id_decision_makers",
            "open",
        ),
        (
            "006B",
            "Globex up",
            "Globex",
            "Bob Chan",
            2270000,
            "EUR",
            D(2026, 9, 1),
            D(2026, 10, 15),
            D(2026, 10, 15),
            "closed_won",
            "won",
        ),
    ]
    assert _pick(rows, "probability", "source", "type", "forecast_category") == [
        (0.6, "Web", "new", "best_case"),
        (1.0, "Partner", "expansion", "closed"),
    ]


def test_salesforce_api_export(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "Opportunity.csv"
    path.write_text(
        '"ID","ACCOUNTID","NAME","STAGENAME","AMOUNT","PROBABILITY","CLOSEDATE","ISCLOSED",'
        '"ISWON","FORECASTCATEGORYNAME","OWNERID","CREATEDDATE","CURRENCYISOCODE",'
        '"LASTSTAGECHANGEDATE"\n'
        '"0061","0011","A","Negotiation/Review","5000","90","2018-08-22 00:00:00","0","0",'
        '"Commit","0051","2018-07-01T09:00:00.000Z","USD",""\n'
        '"0062","000000000000000AAA","B","Closed Lost","0","0","2018-09-01 00:00:00","true",'
        '"false","Omitted","0051","2018-07-02T09:00:00.000Z","CNY",""\n',
        encoding="utf-8",
    )
    report = _import(settings, "opportunities", path)
    assert report.preset == "salesforce-api"
    rows = _stored(settings)
    assert _pick(rows, *COLS) == [
        (
            "0061",
            "A",
            "0011",
            "0051",
            500000,
            "USD",
            D(2018, 7, 1),
            D(2018, 8, 22),
            None,
            "negotiation",
            "open",
        ),
        (
            "0062",
            "B",
            None,
            "0051",
            0,
            "CNY",
            D(2018, 7, 2),
            D(2018, 9, 1),
            D(2018, 9, 1),
            "closed_lost",
            "lost",
        ),
    ]
    assert "zero_value_lost" in [w.code for w in report.warnings]


HUBSPOT = (
    '"Record ID","Deal Name","Deal Stage","Amount","Close Date","Create Date","Deal owner",'
    '"Pipeline","Deal Type","Is Closed Won",'
    '"Date entered ""Appointment Scheduled (Sales Pipeline)""",'
    '"Date entered ""Contract Sent (Sales Pipeline)""",'
    '"Date entered ""Closed Won (Sales Pipeline)""",'
    '"Date exited ""Contract Sent (Sales Pipeline)"""\n'
    '"9001","Big deal","Closed Won","12000","2026-10-01 10:00","2026-08-01 09:00","Li Lei",'
    '"Sales Pipeline","newbusiness","true","2026-08-01 09:00","2026-09-15 12:30",'
    '"2026-10-01 10:00","2026-10-01 10:00"\n'
    '"9002","Small deal","Contract Sent","300.5","2026-12-01","2026-09-01","Han Mei",'
    '"Sales Pipeline","existingbusiness","false","2026-09-01 08:00","2026-11-20 08:00","",""\n'
)


def test_hubspot_deals_with_date_entered_history(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "hubspot.csv"
    path.write_text(HUBSPOT, encoding="utf-8")
    report = _import(settings, "opportunities", path)
    assert report.preset == "hubspot"
    assert report.events_written == 5
    rows = _stored(settings)
    assert _pick(rows, "id", "stage", "status", "amount_minor", "close_date", "type") == [
        ("9001", "closed_won", "won", 1200000, D(2026, 10, 1), "new"),
        ("9002", "contract_sent", "open", 30050, D(2026, 12, 1), "expansion"),
    ]
    events = _stored(settings, RecordKind.STAGE_EVENT)
    assert _pick(events, "opportunity_id", "stage", "entered_at") == [
        ("9001", "appointment_scheduled", dt.datetime(2026, 8, 1, 9)),
        ("9001", "contract_sent", dt.datetime(2026, 9, 15, 12, 30)),
        ("9001", "closed_won", dt.datetime(2026, 10, 1, 10)),
        ("9002", "appointment_scheduled", dt.datetime(2026, 9, 1, 8)),
        ("9002", "contract_sent", dt.datetime(2026, 11, 20, 8)),
    ]


def test_pipedrive_status_and_closed_times(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_text(
        "Deal - ID,Deal - Title,Deal - Owner,Deal - Value,Deal - Currency of value,"
        "Deal - Weighted value,Deal - Organization,Deal - Pipeline,Deal - Stage,Deal - Status,"
        "Deal - Deal created,Deal - Expected close date,Deal - Won time,Deal - Lost time,"
        "Deal - Lost reason\n"
        "1,Alpha,Ann,1000,EUR,500,Org A,Main,Proposal Made,Won,2026-01-05 10:00:00,"
        "2026-02-01,2026-02-03 09:00:00,,\n"
        "2,Beta,Ann,2000,EUR,0,Org B,Main,Contact Made,Lost,2026-01-06 10:00:00,2026-03-01,,"
        "2026-02-10 17:00:00,Price\n"
        "3,Gamma,Bo,3000,USD,900,Org C,Main,Demo Scheduled,Open,2026-01-07 10:00:00,"
        "2026-04-01,,,\n",
        encoding="utf-8",
    )
    _import(settings, "opportunities", path)
    rows = _stored(settings)
    assert _pick(
        rows,
        "id",
        "stage",
        "status",
        "amount_minor",
        "currency",
        "close_date",
        "closed_on",
        "loss_reason",
    ) == [
        ("1", "closed_won", "won", 100000, "EUR", D(2026, 2, 3), D(2026, 2, 3), None),
        ("2", "closed_lost", "lost", 200000, "EUR", D(2026, 2, 10), D(2026, 2, 10), "Price"),
        ("3", "demo_scheduled", "open", 300000, "USD", D(2026, 4, 1), None, None),
    ]


def test_odoo_lost_is_inactive(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "crm.lead.csv"
    path.write_text(
        "ID,Opportunity,Customer,Expected Revenue,Probability,Stage,Salesperson,Sales Team,"
        "Expected Closing,Created on,Closed Date,Lost Reason,Active,Type\n"
        "7,Desk sale,Deco Addict,1500.00,100,Won,Mitchell Admin,Europe,2026-03-01,"
        "2026-01-01 08:00:00,2026-03-02 10:00:00,,True,Opportunity\n"
        "8,Chairs,Azure,800.00,0,Proposition,Marc Demo,Europe,2026-04-01,2026-01-02 08:00:00,"
        ",Too expensive,False,Opportunity\n"
        '9,Tables,Gemini,"2,500.00",30,Qualified,Marc Demo,Europe,2026-05-01,'
        "2026-01-03 08:00:00,,,True,Opportunity\n",
        encoding="utf-8",
    )
    report = _import(settings, "opportunities", path)
    assert report.preset == "odoo"
    rows = _stored(settings)
    assert _pick(rows, "id", "stage", "status", "amount_minor", "closed_on", "probability") == [
        ("7", "won", "won", 150000, D(2026, 3, 2), 1.0),
        ("8", "lost", "lost", 80000, D(2026, 4, 1), 0.0),
        ("9", "qualified", "open", 250000, None, 0.3),
    ]


def test_zoho_old_labels_and_dates(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "Potentials.csv"
    path.write_text(
        "Record Id,Potential Name,Potential Owner,Account Name,Amount,Stage,Closing Date,"
        "Probability (%),Lead Source,Type,Reason For Loss,Created Time,Expected Revenue\n"
        'zcrm_1,Renewal 2021,Kim,Zylker,"$22,700.00",Closed Won,15 Apr, 2021,100,'
        'Web Download,Existing Business,,"15 Apr, 2021 00:02:00",22700\n',
        encoding="utf-8",
    )
    # "15 Apr, 2021" unquoted splits the row: Zoho quotes such values; build it properly.
    path.write_text(
        "Record Id,Potential Name,Potential Owner,Account Name,Amount,Stage,Closing Date,"
        "Probability (%),Lead Source,Type,Reason For Loss,Created Time,Expected Revenue\n"
        'zcrm_1,Renewal 2021,Kim,Zylker,"$22,700.00",Closed Won,"15 Apr, 2021",100,'
        'Web Download,Existing Business,,"15 Apr, 2021 00:02:00",22700\n'
        'zcrm_2,New 2021,Kim,Acme,"$1,000.00",Qualification,"20 May, 2021",10,'
        'Web,New Business,,"01 Apr, 2021 10:00:00",100\n',
        encoding="utf-8",
    )
    report = _import(settings, "opportunities", path)
    assert report.preset == "zoho"
    rows = _stored(settings)
    assert _pick(
        rows,
        "id",
        "name",
        "owner_id",
        "amount_minor",
        "currency",
        "close_date",
        "created_on",
        "stage",
        "status",
        "type",
    ) == [
        (
            "zcrm_1",
            "Renewal 2021",
            "Kim",
            2270000,
            "USD",
            D(2021, 4, 15),
            D(2021, 4, 15),
            "closed_won",
            "won",
            "expansion",
        ),
        (
            "zcrm_2",
            "New 2021",
            "Kim",
            100000,
            "USD",
            D(2021, 5, 20),
            D(2021, 4, 1),
            "qualification",
            "open",
            "new",
        ),
    ]


def test_chinese_sheet_gbk_with_status_only(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "商机.csv"
    text = (
        "商机编号,商机名称,客户名称,负责人,商机金额,商机状态,预计成交日期,创建时间,赢率\n"
        "C1,华为云,华为,张三,12.5万,赢单,2026年11月28日,2026/09/01,100%\n"
        'C2,阿里,阿里巴巴,李四,"￥1,234",输单,2026年10月01日,2026/09/02,0%\n'
        "C3,腾讯,腾讯,张三,(1200),进行中,2026年12月31日,2026/09/03,30%\n"
    )
    path.write_bytes(text.encode("gbk"))
    report = _import(settings, "opportunities", path)
    assert (report.preset, report.encoding) == ("zh", "gb18030")
    rows = _stored(settings)
    assert _pick(rows, *COLS, "probability") == [
        (
            "C1",
            "华为云",
            "华为",
            "张三",
            12500000,
            "CNY",
            D(2026, 9, 1),
            D(2026, 11, 28),
            D(2026, 11, 28),
            "closed_won",
            "won",
            1.0,
        ),
        (
            "C2",
            "阿里",
            "阿里巴巴",
            "李四",
            123400,
            "CNY",
            D(2026, 9, 2),
            D(2026, 10, 1),
            D(2026, 10, 1),
            "closed_lost",
            "lost",
            0.0,
        ),
        (
            "C3",
            "腾讯",
            "腾讯",
            "张三",
            -120000,
            "CNY",
            D(2026, 9, 3),
            D(2026, 12, 31),
            None,
            "initial_contact",
            "open",
            0.3,
        ),
    ]
    codes = {w.code for w in report.warnings}
    assert {"open_without_stage", "negative_amount"} <= codes


def test_chinese_stage_list_xlsx(settings: Settings, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2026年商机清单"])
    sheet.append(["机会名称", "商机编号", "销售阶段", "金额", "结单日期"])
    sheet.append(["项目A", "A1", "方案报价", 5000, dt.datetime(2026, 12, 1)])
    sheet.append(["项目B", "B1", "流失", 0, 46354])
    sheet.append([None] * 5)
    path = tmp_path / "sheet.xlsx"
    book.save(path)
    report = _import(settings, "opportunities", path)
    assert report.preset == "zh"
    rows = _stored(settings)
    assert _pick(rows, "id", "name", "stage", "status", "amount_minor", "close_date") == [
        ("A1", "项目A", "proposal", "open", 500000, D(2026, 12, 1)),
        ("B1", "项目B", "closed_lost", "lost", 0, D(2026, 11, 28)),
    ]


def test_generic_canonical_names(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "generic.csv"
    path.write_text(
        "id,name,stage,amount,currency,close_date,segment\n"
        "g1,One,demo,1.5K,JPY,28/11/2026,smb\n"
        "g2,Two,closed_won,999,JPY,03/04/2026,ent\n"
    )
    report = _import(settings, "opportunities", path)
    assert report.preset == "generic"
    rows = _stored(settings)
    assert _pick(rows, "id", "stage", "amount_minor", "close_date", "segment") == [
        ("g1", "demo", 1500, D(2026, 11, 28), "smb"),
        ("g2", "closed_won", 999, D(2026, 4, 3), "ent"),
    ]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (["Opportunity Name", "Stage", "Amount", "Close Date"], "salesforce"),
        (["Id", "StageName", "IsWon", "IsClosed"], "salesforce-api"),
        (["Record ID", "Deal Name", "Deal Stage"], "hubspot"),
        (["Deal - ID", "Deal - Title", "Deal - Status"], "pipedrive"),
        (["Opportunity", "Expected Revenue", "Salesperson", "Stage"], "odoo"),
        (["Record Id", "Deal Name", "Closing Date", "Stage"], "zoho"),
        (["商机名称", "销售阶段", "金额"], "zh"),
        (["id", "stage", "amount"], "generic"),
    ],
)
def test_preset_detection(headers: list[str], expected: str) -> None:
    preset, _ = detect(RecordKind.OPPORTUNITY, headers)
    assert preset.name == expected


def test_other_kinds(settings: Settings, tmp_path: Path) -> None:
    accounts = tmp_path / "accounts.csv"
    accounts.write_text(
        "Account ID,Account Name,Industry,Employees,Annual Revenue,Billing Country,Segment\n"
        'A1,Acme,Manufacturing,"1,200",¥5000万,CN,ent\n'
    )
    team = tmp_path / "team.csv"
    team.write_text("工号,姓名,角色,区域,年度指标,入职日期\nU1,张三,销售,华东,300万,2024-03-01\n")
    leads = tmp_path / "leads.csv"
    leads.write_text("Lead ID,Created Date,Lead Source,Lead Status\nL1,2026-01-02,Web,MQL\n")
    activities = tmp_path / "acts.csv"
    activities.write_text(
        "Activity ID,Activity Type,Date,Owner,Opportunity ID\n"
        "T1,Call,2026-01-02T08:00:00+08:00,U1,O1\n"
    )
    products = tmp_path / "products.csv"
    products.write_text("Product Code,Product Name,Product Family,List Price\nP1,Seat,SaaS,99.90\n")
    rates = tmp_path / "rates.csv"
    rates.write_text('currency,valid_from,rate\nUSD,2026-01-01,7.1234\nEUR,2026-01-01,"7,8"\n')
    for kind, path in [
        ("accounts", accounts),
        ("team", team),
        ("leads", leads),
        ("activities", activities),
        ("products", products),
        ("rates", rates),
    ]:
        _import(settings, kind, path)
    assert _pick(
        _stored(settings, RecordKind.ACCOUNT),
        "id",
        "employees",
        "annual_revenue_minor",
        "currency",
        "country",
        "segment",
    ) == [("A1", 1200, 5_000_000_000, "CNY", "CN", "ent")]
    assert _pick(
        _stored(settings, RecordKind.TEAM_MEMBER),
        "id",
        "name",
        "role",
        "region",
        "annual_quota_minor",
        "start_date",
    ) == [("U1", "张三", "ae", "华东", 300_000_000, D(2024, 3, 1))]
    assert _pick(_stored(settings, RecordKind.LEAD), "id", "created_on", "status") == [
        ("L1", D(2026, 1, 2), "mql")
    ]
    assert _pick(_stored(settings, RecordKind.ACTIVITY), "id", "type", "occurred_at") == [
        ("T1", "call", dt.datetime(2026, 1, 2))
    ]
    assert _pick(_stored(settings, RecordKind.PRODUCT), "id", "list_price_minor") == [("P1", 9990)]
    fx = _stored(settings, RecordKind.FX_RATE)
    assert _pick(fx, "currency", "valid_from", "rate") == [
        ("EUR", D(2026, 1, 1), "7.8"),
        ("USD", D(2026, 1, 1), "7.1234"),
    ]
