"""The written plan rendered from a small demo workspace: every format, both languages.

The workspace and the report inputs are built once for the module (≈10 s); each test checks
content against the services' own results (the target, its quarters, the forecast range),
not just that a file exists.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from salesplan.config import Settings
from salesplan.documents.build import SECTION_KEYS, build_report
from salesplan.documents.inputs import ReportInputs
from salesplan.i18n import translator
from salesplan.i18n.money import minor_to_decimal
from salesplan.services.demo import load_demo_data
from salesplan.services.report import gather_inputs, render_report

AS_OF = dt.date(2026, 11, 28)
TOP_TITLES = {
    "summary": "Executive summary",
    "mission": "Mission",
    "team": "Team roles and responsibilities",
    "market": "Target market",
    "resources": "Tools and resources",
    "positioning": "Positioning: competition, pricing and trends",
    "strategy": "Market strategy",
    "leads": "Lead generation and follow-up",
    "actions": "Action plan",
    "goals": "Goals and budget",
    "appendix": "Appendix: data sources, dates and methods",
}
CHARTS = ("monthly", "funnel", "coverage", "segments", "losses", "capacity")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, ReportInputs]:
    root = tmp_path_factory.mktemp("report")
    settings = Settings(workspace=root / "ws", database_url=None, locale="en", currency="CNY")
    settings.workspace.mkdir()
    load_demo_data(settings, size="small", seed=11, as_of=AS_OF)
    return settings, gather_inputs(settings, seed=11)


@pytest.fixture(scope="module")
def rendered(workspace: tuple[Settings, ReportInputs]) -> dict[tuple[str, str], Path]:
    settings, inputs = workspace
    out = settings.workspace / "out"
    return {
        (fmt, lang): render_report(settings, fmt, lang, out / f"plan.{lang}.{fmt}", inputs=inputs)
        for fmt in ("html", "pdf", "md", "xlsx")
        for lang in ("en", "zh_CN")
    }


def _text(html: str) -> str:
    """Visible text: no <svg>, <style> or tags."""
    html = re.sub(r"<(svg|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_inputs_have_every_part(workspace: tuple[Settings, ReportInputs]) -> None:
    _, x = workspace
    assert x.year == 2027 and x.as_of == AS_OF
    assert x.baseline is not None and x.targets is not None and x.forecast is not None
    # Months from December 2026 (after the as-of month) to December 2027: 1 + 12.
    assert [(m.year, m.month) for m in x.months][:2] == [(2026, 12), (2027, 1)]
    assert len(x.months) == 13


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_html_has_every_section_and_the_computed_numbers(
    workspace: tuple[Settings, ReportInputs], rendered: dict[tuple[str, str], Path], lang: str
) -> None:
    _, x = workspace
    assert x.targets is not None and x.forecast is not None
    t = translator(lang)
    html = rendered[("html", lang)].read_text("utf-8")
    text = _text(html)
    for key, title in TOP_TITLES.items():
        assert f'id="{key}"' in html
        assert t.gettext(title) in text, title
    # The headline numbers are the services' numbers, formatted for the locale.
    target = x.targets.target_minor
    assert t.money(target, "CNY", minor=True, compact=True) in text
    for quarter in x.targets.split.quarters:
        assert t.money(quarter, "CNY", minor=True) in text
    r = x.forecast.forecast.range
    assert t.money(r.expected_minor, "CNY", minor=True, compact=True) in text
    assert t.money(r.p10_minor, "CNY", minor=True, compact=True) in text
    chance = r.probability_at_least(target)
    assert t.percent(chance, 0) in text
    # The quarters add up to the target exactly (largest-remainder split).
    assert sum(x.targets.split.quarters) == target


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_html_charts_are_inline_svg(rendered: dict[tuple[str, str], Path], lang: str) -> None:
    html = rendered[("html", lang)].read_text("utf-8")
    for chart in CHARTS:
        match = re.search(rf'<figure data-chart="{chart}">(.*?)</figure>', html, re.S)
        assert match is not None, chart
        assert "<svg" in match.group(1), chart


def test_chinese_document_shows_no_english_sentence(
    rendered: dict[tuple[str, str], Path],
) -> None:
    text = _text(rendered[("html", "zh_CN")].read_text("utf-8"))
    text = re.sub(r"`[^`]*`", " ", text)
    # Four or more English words in a row would be an untranslated message.
    english = re.findall(r"\b[A-Za-z]{2,}(?: [A-Za-z]{2,}){3,}\b", text)
    assert english == []
    assert "执行摘要" in text and "目标与预算" in text
    assert "¥" in text and "亿" in text  # zh money: ¥ and 万/亿


def test_pdf_text_has_the_chinese_headings(rendered: dict[tuple[str, str], Path]) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftotext) is not installed")
    for lang, titles in (("zh_CN", ("执行摘要", "目标市场", "行动计划", "目标与预算")),
                         ("en", ("Executive summary", "Goals and budget"))):  # fmt: skip
        pdf = rendered[("pdf", lang)]
        assert pdf.read_bytes()[:5] == b"%PDF-"
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        for title in titles:
            assert title in text, (lang, title)


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_markdown_has_sections_numbers_and_chart_files(
    workspace: tuple[Settings, ReportInputs], rendered: dict[tuple[str, str], Path], lang: str
) -> None:
    _, x = workspace
    assert x.targets is not None
    t = translator(lang)
    md_path = rendered[("md", lang)]
    md = md_path.read_text("utf-8")
    assert md.startswith("# ")
    for title in TOP_TITLES.values():
        assert re.search(rf"^## \d+ {re.escape(t.gettext(title))}$", md, re.M), title
    assert t.money(x.targets.target_minor, "CNY", minor=True, compact=True) in md
    for chart in CHARTS:
        link = f"{md_path.stem}.charts/{chart}.svg"
        assert f"]({link})" in md
        assert (md_path.parent / link).read_text("utf-8").startswith("<svg")


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_workbook_holds_numbers(
    workspace: tuple[Settings, ReportInputs], rendered: dict[tuple[str, str], Path], lang: str
) -> None:
    _, x = workspace
    assert x.targets is not None
    t = translator(lang)
    book = load_workbook(rendered[("xlsx", lang)])
    assert t.gettext("Goals and budget")[:28] in book.sheetnames
    sheet = book[t.gettext("Goals and budget")[:28]]
    values = [c for row in sheet.iter_rows(values_only=True) for c in row]
    for quarter in x.targets.split.quarters:
        assert float(minor_to_decimal(quarter, "CNY")) in values
    # Money cells are numbers, so they add up in Excel: the quarters sum to the target.
    quarters = [float(minor_to_decimal(q, "CNY")) for q in x.targets.split.quarters]
    assert Decimal(str(round(sum(quarters), 2))) == minor_to_decimal(x.targets.target_minor, "CNY")


def test_sections_option_keeps_only_the_chosen_sections(
    workspace: tuple[Settings, ReportInputs],
) -> None:
    _, x = workspace
    report = build_report(x, ["goals", "summary"])
    assert [s.key for s in report.sections] == ["summary", "goals"]
    assert len(SECTION_KEYS) == len(TOP_TITLES)
