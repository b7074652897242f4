"""The report as display strings, numbered: what the HTML and Markdown templates walk.

Charts are rendered once here (SVG) so every format that shows them shows the same picture.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from salesplan.documents.model import (
    Block,
    Bullets,
    Facts,
    Figure,
    Missing,
    Paragraph,
    Report,
    Section,
    Table,
)
from salesplan.documents.present import Presenter
from salesplan.i18n import N_, Translator


@dataclass(frozen=True, slots=True)
class BlockView:
    type: str
    """paragraph, bullets, facts, table, figure or missing."""
    title: str = ""
    text: str = ""
    items: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    numeric: list[bool] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    note: str = ""
    svg: str = ""
    key: str = ""


@dataclass(frozen=True, slots=True)
class SectionView:
    key: str
    number: str
    title: str
    level: int
    blocks: list[BlockView]
    subsections: list[SectionView]


@dataclass(frozen=True, slots=True)
class ReportView:
    lang: str
    """BCP 47 language tag for <html lang>: en or zh-CN."""
    title: str
    subtitle: str
    contents_title: str
    sections: list[SectionView]
    page_label: str


def missing_text(p: Presenter, block: Missing) -> str:
    return p.t.gettext(
        "{what}: run {command} to fill this section.",
        what=p(block.what),
        command=f"`{block.command}`",
    )


def block_view(block: Block, p: Presenter, charts: bool) -> BlockView:
    if isinstance(block, Paragraph):
        text = block.text if isinstance(block.text, str) else p.text(block.text)
        return BlockView("paragraph", text=text)
    if isinstance(block, Bullets):
        return BlockView(
            "bullets", items=[i if isinstance(i, str) else p.text(i) for i in block.items]
        )
    if isinstance(block, Facts):
        return BlockView(
            "facts",
            title=p(block.title),
            rows=[[p(label), p.value(value)] for label, value in block.rows],
            key=block.key,
        )
    if isinstance(block, Table):
        return BlockView(
            "table",
            title=p(block.title),
            headers=[p(c.header) for c in block.columns],
            numeric=[c.numeric for c in block.columns],
            rows=[[p.value(v) for v in row] for row in block.rows],
            note=p.text(block.note) if block.note else "",
            key=block.key,
        )
    if isinstance(block, Figure):
        return BlockView(
            "figure",
            title=p(block.title),
            note=p.text(block.note) if block.note else "",
            svg=_svg(block, p) if charts and block.data else "",
            key=block.chart,
        )
    return BlockView("missing", text=missing_text(p, block))


def section_view(
    section: Section, p: Presenter, number: str, level: int, charts: bool
) -> SectionView:
    return SectionView(
        key=section.key,
        number=number,
        title=p(section.title),
        level=level,
        blocks=[block_view(b, p, charts) for b in section.blocks],
        subsections=[
            section_view(s, p, f"{number}.{i}", level + 1, charts)
            for i, s in enumerate(section.subsections, start=1)
        ],
    )


def report_view(report: Report, t: Translator, *, charts: bool = True) -> ReportView:
    p = Presenter(t, report.currency)
    return ReportView(
        lang="zh-CN" if t.locale == "zh_CN" else "en",
        title=p.text(report.title),
        subtitle=p.text(report.subtitle),
        contents_title=p(N_("Contents")),
        sections=[
            section_view(s, p, str(i), 1, charts) for i, s in enumerate(report.sections, start=1)
        ],
        page_label=p(N_("Page")),
    )


def _svg(figure: Figure, p: Presenter) -> str:
    """The chart as inline SVG; Altair is imported here, when a chart is drawn, not by every
    command that imports the report modules."""
    from salesplan.documents.charts import svg

    return svg(figure, p)
