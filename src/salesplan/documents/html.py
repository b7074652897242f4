"""The plan as one standalone HTML file (inline CSS and SVG charts), for screen and print."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import jinja2
from markupsafe import Markup, escape

from salesplan.documents.model import Report
from salesplan.documents.view import ReportView, report_view
from salesplan.i18n import Translator

_CODE = re.compile(r"`([^`]+)`")


def _code(text: str) -> Markup:
    """Escape `text` and show `backticked` spans (commands) as <code>."""
    return Markup(_CODE.sub(r"<code>\1</code>", str(escape(text))))


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("salesplan.documents", "templates"),
        autoescape=True,
        trim_blocks=False,
        lstrip_blocks=False,
    )
    env.filters["code"] = _code
    return env


@cache
def _css() -> str:
    return (resources.files("salesplan.documents") / "templates" / "plan.css").read_text("utf-8")


def html_from_view(view: ReportView) -> str:
    template = _environment().get_template("plan.html.j2")
    return template.render(view=view, css=Markup(_css()))


def render_html(report: Report, t: Translator) -> str:
    """The whole plan as HTML text in `t`'s language."""
    return html_from_view(report_view(report, t))
