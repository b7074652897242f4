"""The dependency rule of docs/ARCHITECTURE.md, enforced by import-linter contracts.

Pure layers (domain, analytics, planning, forecast, demo) never import storage, services,
the CLI, SQLAlchemy or the i18n layer; services never import the faces; storage never
imports services or faces.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _lint(config: Path) -> subprocess.CompletedProcess[str]:
    script = (
        "import sys; from importlinter.cli import lint_imports; "
        f"sys.exit(lint_imports(config_filename={str(config)!r}, no_cache=True))"
    )
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_the_layer_contracts_hold() -> None:
    result = _lint(ROOT / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.lower().replace("0 broken", "")


def test_the_contracts_would_catch_a_violation(tmp_path: Path) -> None:
    """A contract that forbids something the code does import must fail: the checker is live."""
    config = tmp_path / "contracts.toml"
    config.write_text(
        textwrap.dedent(
            """
            [tool.importlinter]
            root_package = "salesplan"

            [[tool.importlinter.contracts]]
            name = "services may not touch storage (false on purpose)"
            type = "forbidden"
            source_modules = ["salesplan.services"]
            forbidden_modules = ["salesplan.storage"]
            """
        )
    )
    result = _lint(config)
    assert result.returncode != 0
