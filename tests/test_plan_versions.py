"""Plan versions: stored with author and reason on both databases, exact text, drift between
plan.yaml and the latest version, export/import, and in-place draft initiatives."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine

from salesplan.config import Settings
from salesplan.errors import ConfigError
from salesplan.services import plan_store
from salesplan.services.plan import (
    DraftInitiative,
    add_draft_initiatives,
    create_plan,
    export_plan,
    import_plan,
)
from salesplan.services.plan_store import PlanInvalidError, latest, plan_drift
from salesplan.storage import migrate, plans

AT = dt.datetime(2026, 11, 29, 9, 30)


def test_versions_are_stored_in_order_with_author_and_reason(engine: Engine) -> None:
    migrate.upgrade(engine)
    with engine.begin() as connection:
        assert plans.latest_version(connection) is None
        plans.add_version(connection, content="a: 1 # one\n", author="li", reason="first", at=AT)
        plans.add_version(connection, content="a: 2\n", author="anna", reason="second", at=AT)
    with engine.connect() as connection:
        versions = plans.list_versions(connection)
        last = plans.latest_version(connection)
        first = plans.get_version(connection, 1)
    assert [(v.number, v.author, v.reason) for v in versions] == [
        (1, "li", "first"),
        (2, "anna", "second"),
    ]
    assert last is not None and last.number == 2
    assert first is not None and first.content == "a: 1 # one\n"  # exact text, comment kept
    # SHA-256 of b"a: 1 # one\n", computed independently with hashlib
    import hashlib

    assert first.content_hash == hashlib.sha256(b"a: 1 # one\n").hexdigest()
    assert first.created_at == AT


@pytest.fixture
def ws(settings: Settings) -> Settings:
    return settings.model_copy(update={"author": "Li Wei"})


def test_new_plan_is_version_one_and_the_workspace_file(ws: Settings) -> None:
    version = create_plan(ws, "annual", "en")
    assert (version.number, version.author) == (1, "Li Wei")
    assert version.reason == "new annual plan from the template (en)"
    stored = latest(ws)
    assert stored is not None
    assert (ws.workspace / "plan.yaml").read_text("utf-8") == stored.content
    assert plan_drift(ws, stored).state == "in_sync"
    with pytest.raises(ConfigError) as caught:
        create_plan(ws, "bd", "zh")
    assert caught.value.params == {"version": 1, "option": "--force"}
    again = create_plan(ws, "bd", "zh", force=True, author="Anna", reason="switch to BD")
    assert (again.number, again.author, again.reason) == (2, "Anna", "switch to BD")


def test_author_falls_back_to_the_os_user(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plan_store.getpass, "getuser", lambda: "osuser")
    assert create_plan(settings).author == "osuser"


def test_unknown_type_and_language(ws: Settings) -> None:
    with pytest.raises(ConfigError) as caught:
        create_plan(ws, "weekly")
    assert "30-60-90" in caught.value.params["choices"]
    with pytest.raises(ConfigError):
        create_plan(ws, "annual", "fr")


def _edit_file(ws: Settings, old: str, new: str) -> Path:
    path = ws.workspace / "plan.yaml"
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")
    return path


def test_import_stores_the_edited_file_exactly(ws: Settings) -> None:
    create_plan(ws)
    path = _edit_file(ws, "title: Grow bookings", "title: Grow bookings in the East  # edited")
    assert plan_drift(ws, latest(ws)).state == "modified"
    with pytest.raises(ConfigError):
        import_plan(ws, reason="  ")
    result = import_plan(ws, reason="East first", author="Anna")
    assert result.stored and result.version.number == 2
    assert (result.version.author, result.version.reason) == ("Anna", "East first")
    stored = latest(ws)
    assert stored is not None and stored.content == path.read_text("utf-8")
    assert "# edited" in stored.content and "# Goals: one top-level goal" in stored.content
    assert plan_drift(ws, stored).state == "in_sync"
    unchanged = import_plan(ws, reason="again")
    assert not unchanged.stored and unchanged.version.number == 2


def test_invalid_import_is_refused_with_paths(ws: Settings) -> None:
    create_plan(ws)
    _edit_file(ws, "sla_hours: 48", "sla_hours: soon")
    with pytest.raises(PlanInvalidError) as caught:
        import_plan(ws, reason="x")
    assert [i.path for i in caught.value.issues] == ["team.handoffs[2].sla_hours"]
    assert "team.handoffs[2].sla_hours" in caught.value.params["problems"]
    assert latest(ws) is not None and latest(ws).number == 1  # type: ignore[union-attr]


def test_export_refuses_to_discard_edits_unless_forced(ws: Settings) -> None:
    create_plan(ws)
    _edit_file(ws, "title: Grow bookings", "title: Grow")
    with pytest.raises(ConfigError) as caught:
        export_plan(ws)
    assert caught.value.params["option"] == "--force"
    out = export_plan(ws, out=ws.workspace / "copy.yaml")  # another file is fine
    assert out.path.read_text("utf-8") == latest(ws).content  # type: ignore[union-attr]
    export_plan(ws, force=True)
    assert plan_drift(ws, latest(ws)).state == "in_sync"


def test_draft_initiatives_are_added_in_place(ws: Settings) -> None:
    create_plan(ws)
    drafts = [
        DraftInitiative(
            gap="win_rate/2026Q4/segment=smb",
            title="Fix SMB demos",
            kpi="win_rate",
            expected_lift=__import__("decimal").Decimal("0.03"),
        ),
        DraftInitiative(gap="pipeline/2026Q4/all", title="More outbound", owner="Anna"),
    ]
    result = add_draft_initiatives(ws, drafts, "gaps --propose")
    assert result.added == ["I2", "I3"] and result.skipped_gaps == []
    assert result.version is not None and result.version.reason == "gaps --propose"
    text = (ws.workspace / "plan.yaml").read_text("utf-8")
    assert "# Initiatives: what changes, exactly one DRI" in text  # comments kept
    assert "# name one DRI (a team member id or name)" in text
    assert text.index("id: I1") < text.index("id: I2") < text.index("\nactions:")
    checked = plan_store.check_text(text, "plan.yaml")
    assert checked.plan is not None
    i1, i2, i3 = checked.plan.initiatives
    assert i1.title == "Rebuild the discovery and demo script"  # untouched
    assert (i2.status, i2.gap, i2.owner, str(i2.expected_lift)) == (
        "draft",
        "win_rate/2026Q4/segment=smb",
        None,
        "0.03",
    )
    assert i3.owner == "Anna"
    again = add_draft_initiatives(ws, drafts[:1], "gaps --propose")
    assert again.version is None and again.skipped_gaps == ["win_rate/2026Q4/segment=smb"]
    assert latest(ws).number == 2  # type: ignore[union-attr]


def test_drafts_refused_while_plan_yaml_has_edits(ws: Settings) -> None:
    create_plan(ws)
    _edit_file(ws, "title: Grow bookings", "title: Grow")
    with pytest.raises(ConfigError):
        add_draft_initiatives(ws, [DraftInitiative(gap="g", title="t")], "why")
