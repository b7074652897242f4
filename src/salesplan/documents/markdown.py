"""The plan as Markdown for wikis and git: pipe tables, charts as SVG files beside it.

`plan.md` gets a folder `plan.charts/` with one SVG per chart, linked relatively, so the
file renders on GitHub, GitLab and most wikis and diffs cleanly between plan versions.
"""

from __future__ import annotations

from pathlib import Path

from salesplan import files
from salesplan.documents.model import Figure, Report, Section
from salesplan.documents.present import Presenter
from salesplan.documents.view import BlockView, SectionView, report_view
from salesplan.i18n import Translator


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(headers: list[str], numeric: list[bool], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(_cell(h) for h in headers) + " |"]
    lines.append("|" + "|".join("---:" if n else "---" for n in numeric) + "|")
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def _block(b: BlockView, charts: dict[str, str]) -> list[str]:
    if b.type == "paragraph":
        return [b.text, ""]
    if b.type == "bullets":
        return [*(f"- {item}" for item in b.items), ""]
    if b.type == "missing":
        return [f"> **{b.text}**", ""]
    if b.type == "facts":
        return [f"**{b.title}**", "", *_table(["", ""], [False, True], b.rows), ""]
    if b.type == "table":
        lines = [f"**{b.title}**", "", *_table(b.headers, b.numeric, b.rows), ""]
        return lines + ([f"*{b.note}*", ""] if b.note else [])
    lines = [f"**{b.title}**", ""]
    if b.key in charts:
        lines += [f"![{b.title}]({charts[b.key]})", ""]
    return lines + ([f"*{b.note}*", ""] if b.note else [])


def _section(s: SectionView, charts: dict[str, str]) -> list[str]:
    lines = ["#" * (s.level + 1) + f" {s.number} {s.title}", ""]
    for b in s.blocks:
        lines += _block(b, charts)
    for sub in s.subsections:
        lines += _section(sub, charts)
    return lines


def _figures(sections: list[Section]) -> list[Figure]:
    found: list[Figure] = []
    for s in sections:
        found += [b for b in s.blocks if isinstance(b, Figure) and b.data]
        found += _figures(s.subsections)
    return found


def render_markdown(report: Report, t: Translator, charts: dict[str, str] | None = None) -> str:
    """Markdown text; `charts` maps a chart name to the relative path of its SVG file."""
    view = report_view(report, t, charts=False)
    lines = [f"# {view.title}", "", f"*{view.subtitle}*", ""]
    for s in view.sections:
        lines += _section(s, charts or {})
    return "\n".join(lines).rstrip() + "\n"


def write_markdown(report: Report, t: Translator, out: Path) -> Path:
    """Write `out` and its charts folder (`<stem>.charts/<chart>.svg`); returns `out`."""
    p = Presenter(t, report.currency)
    folder = out.with_name(out.stem + ".charts")
    links: dict[str, str] = {}
    figures = _figures(report.sections)
    if figures:
        folder.mkdir(parents=True, exist_ok=True)
    for fig in figures:
        path = folder / f"{fig.chart}.svg"
        from salesplan.documents.charts import svg  # Altair: imported when a chart is drawn

        path.write_text(svg(fig, p), encoding="utf-8")
        links[fig.chart] = f"{folder.name}/{path.name}"
    files.write_text(out, render_markdown(report, t, links))
    return out
