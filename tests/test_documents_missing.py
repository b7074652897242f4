"""What the written plan says when parts are missing, and how it formats values (by hand)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from salesplan.cli import run
from salesplan.config import Settings
from salesplan.documents.build import build_report
from salesplan.documents.html import render_html
from salesplan.documents.inputs import ReportInputs
from salesplan.documents.markdown import render_markdown
from salesplan.documents.model import Label, Money, Month, Percent, Quarter, _t
from salesplan.documents.present import Presenter
from salesplan.i18n import translator

EMPTY = ReportInputs(dt.date(2026, 11, 28), "CNY", 2027)


def test_an_empty_workspace_says_what_is_missing_and_how_to_fill_it() -> None:
    html = render_html(build_report(EMPTY), translator("en"))
    assert "No plan yet: run <code>salesplan plan new</code> to fill this section." in html
    assert "No target yet: run <code>salesplan targets</code>" in html
    assert "No forecast yet: run <code>salesplan forecast</code>" in html
    assert "No gap analysis yet: run <code>salesplan gaps</code>" in html
    assert "No CRM data yet: run <code>salesplan import opportunities FILE</code>" in html
    assert "<svg" not in html


def test_the_chinese_missing_notice_reads_naturally() -> None:
    md = render_markdown(build_report(EMPTY, ["mission"]), translator("zh_CN"))
    assert "尚未建立销售计划：运行 `salesplan plan new` 即可补全本节。" in md
    assert md.startswith("# 2027 年销售计划\n")


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        # 13,292,965,064 fen = ¥132,929,650.64 = 1.3292…亿 → 1.33亿; en 132.9…M → 132.9M.
        ("zh_CN", ["¥1.33亿", "¥132,929,650.64", "16.5%", "2027年3月", "2027年第2季度", "华南"]),
        ("en", ["CN¥132.9M", "CN¥132,929,650.64", "16.5%", "Mar 2027", "Q2 2027", "South China"]),
    ],
)
def test_values_are_formatted_for_the_locale(locale: str, expected: list[str]) -> None:
    p = Presenter(translator(locale), "CNY")
    values = [
        Money(13_292_965_064, compact=True),
        Money(13_292_965_064),
        Percent(0.1652),  # 16.52% → 16.5%
        Month(2027, 3),
        Quarter(2027, 2),
        Label("south_china", "region"),
    ]
    assert [p.value(v) for v in values] == expected
    assert p.value(Label("our_own_region", "region")) == "our_own_region"
    assert p.value(None) == "–"


def test_sentences_fill_formatted_parameters() -> None:
    msg = _t("{low} to {high}", low=Money(100_000_000, compact=True), high=Money(2_000_000_000))
    # 100,000,000 fen = ¥1,000,000 = 100万; 2,000,000,000 fen = ¥20,000,000.00.
    assert Presenter(translator("zh_CN"), "CNY").text(msg) == "¥100万 至 ¥20,000,000.00"


def test_cli_writes_the_plan_of_an_empty_workspace(tmp_path: Path) -> None:
    out = tmp_path / "plan.md"
    code = run(["--workspace", str(tmp_path / "ws"), "--quiet", "report", "--format", "md",
                "--lang", "zh", "--out", str(out), "--sections", "summary,goals"])  # fmt: skip
    assert code == 0
    text = out.read_text("utf-8")
    assert "## 1 执行摘要" in text and "## 2 目标与预算" in text
    assert "## 3" not in text


@pytest.mark.parametrize(
    "args",
    [["--format", "docx"], ["--sections", "summary,nonsense"], ["--lang", "fr"]],
)
def test_cli_refuses_bad_options_cleanly(
    tmp_path: Path, args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(["--workspace", str(tmp_path / "ws"), "report", *args])
    assert code == 1
    assert "Error:" in capsys.readouterr().err


def test_settings_locale_is_the_default_language(tmp_path: Path) -> None:
    from salesplan.services.report import render_report

    settings = Settings(workspace=tmp_path / "ws", locale="zh_CN", currency="CNY")
    path = render_report(settings, "html", inputs=EMPTY, sections=["summary"])
    assert path.name == "sales-plan-2027.zh.html"
    assert "执行摘要" in path.read_text("utf-8")


@pytest.mark.parametrize(("plan_lang", "locale"), [("en", "en"), ("zh", "zh_CN")])
def test_a_plan_fills_the_written_sections(plan_lang: str, locale: str) -> None:
    from salesplan.services.plan_fill import template_plan_text
    from salesplan.services.plan_store import check_text

    plan = check_text(template_plan_text("annual", plan_lang, EMPTY.as_of, "CNY"), "t").plan
    assert plan is not None and plan.mission and plan.initiatives
    t = translator(locale)
    md = render_markdown(build_report(ReportInputs(EMPTY.as_of, "CNY", 2027, plan=plan)), t)
    assert plan.mission in md
    assert plan.initiatives[0].title in md
    assert f"**{t.gettext('Action items')}**" in md
    mission = md.split("## 2 ")[1].split("## 3 ")[0]
    assert t.gettext("No plan yet") not in mission
