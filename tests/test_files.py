"""Files are replaced whole or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesplan import files


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "plan.html"
    target.write_text("old")
    with pytest.raises(RuntimeError), files.replacing(target) as tmp:
        tmp.write_text("half of the new")
        raise RuntimeError("interrupted")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.html"]


def test_a_successful_write_replaces_the_file(tmp_path: Path) -> None:
    target = tmp_path / "report.csv"
    target.write_text("old")
    files.write_text(target, "new,并且完整\n")
    assert target.read_text(encoding="utf-8") == "new,并且完整\n"
    files.write_bytes(target, b"a\r\nb")
    assert target.read_bytes() == b"a\r\nb"
    assert [p.name for p in tmp_path.iterdir()] == ["report.csv"]
