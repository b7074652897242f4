"""The plan as a PDF: the HTML rendered by WeasyPrint with the print CSS (A4, page numbers).

Chinese text is typeset with Noto Sans CJK (Debian `fonts-noto-cjk`). WeasyPrint subsets
fonts with HarfBuzz when `libharfbuzz-subset0` is installed (≈0.2 s); without it, it falls
back to fontTools, which takes ≈10 s for a CJK font.
"""

from __future__ import annotations

from pathlib import Path


def write_pdf(html: str, out: Path) -> Path:
    """Render `html` to `out` and return it."""
    # Imported here: WeasyPrint (and its font stack) costs ~0.6 s, and every CLI command
    # would pay it at start-up if it were imported with the module.
    import weasyprint  # type: ignore[import-untyped]

    weasyprint.HTML(string=html, base_url=str(out.parent)).write_pdf(str(out))
    return out
