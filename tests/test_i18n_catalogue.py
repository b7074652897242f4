"""Both catalogues hold the same, fully translated messages, and cover every message in src.

If this fails after you added a message: add the msgid to both
src/salesplan/i18n/locales/{en,zh_CN}/LC_MESSAGES/salesplan.po (see docs/i18n.md).
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import pytest

import salesplan
from salesplan.i18n import SUPPORTED_LOCALES, load_catalogue
from salesplan.i18n.catalogue import catalogue_file
from salesplan.i18n.scan import MessageUse, scan_source, scan_tree

SRC = Path(salesplan.__file__).parent

SEEDED = [
    "Error: {message}",
    "Internal error: {message}. Details were written to {log}. Please report it.",
    "Database upgraded to revision {revision}.",
    "Database is already at the latest revision {revision}.",
    "The database at {url} was made by a newer salesplan (revision {revision}); upgrade salesplan.",
    "The database at {url} is at revision {current}, this salesplan needs {head}: "
    "run `salesplan db upgrade`.",
    "Cannot open the database at {url}: {reason}",
    "Unknown output format {value}; use one of: {choices}.",
    "Unknown locale {value}; use one of: {choices}.",
    "Unknown demo size {value}; use one of: {choices}.",
    "Generating the demo dataset ({size}, seed {seed})…",
    "Loading {kind} into the store…",
    "Demo workspace ready: {path}",
    "Records",
    "Kind",
    "Rows",
    "Wrote {path}",
    "Opportunities",
    "Won",
    "Lost",
    "Open",
    "Bookings (won, plan currency)",
    "Year",
    "Win rate",
    "Open pipeline",
    "The option {option} must be a directory, got {value}.",
    "Import batch",
    "Imported {rows} rows of {kind} as batch {batch}.",
    "Nothing to show: the workspace has no opportunities yet. "
    "Run `salesplan demo` or import a CRM export.",
    "Workspace",
    "Database",
    "Next steps",
]


def _messages(locale: str) -> dict[str, Any]:
    """msgid (singular for plurals) -> babel Message, header excluded."""
    messages = {}
    for message in load_catalogue(locale):
        if message.id:
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            messages[key] = message
    return messages


def _strings(message: Any) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def _ids(message: Any) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple) else [message.id]


def _fields(text: str) -> set[str]:
    """Top-level placeholder names of a str.format template; raises on a broken one."""
    names = set()
    for _, field, _, _ in string.Formatter().parse(text):
        if field is not None:
            names.add(field.split(".")[0].split("[")[0])
    return names


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_catalogue_header(locale: str) -> None:
    catalog = load_catalogue(locale)
    headers = dict(catalog.mime_headers)
    assert headers["Language"] == locale
    assert "charset=utf-8" in headers["Content-Type"].lower()
    assert catalog.charset.lower() == "utf-8"
    raw = catalogue_file(locale).read_bytes()
    raw.decode("utf-8")  # the file really is UTF-8
    assert f'"Language: {locale}\\n"'.encode() in raw


def test_both_catalogues_have_the_same_messages() -> None:
    en, zh = set(_messages("en")), set(_messages("zh_CN"))
    assert not sorted(en - zh), f"in en but not in zh_CN: {sorted(en - zh)}"
    assert not sorted(zh - en), f"in zh_CN but not in en: {sorted(zh - en)}"


def test_every_message_is_translated_into_chinese() -> None:
    untranslated = [
        msgid
        for msgid, message in _messages("zh_CN").items()
        if message.fuzzy or not all(s.strip() for s in _strings(message))
    ]
    assert not untranslated, f"zh_CN has no (or only a fuzzy) translation for: {untranslated}"


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_placeholders_match(locale: str) -> None:
    problems = []
    for msgid, message in _messages(locale).items():
        expected = set().union(*(_fields(i) for i in _ids(message)))
        if any(name == "" or name.isdigit() for name in expected):
            problems.append(f"{msgid!r}: use named placeholders like {{name}}, not {{}} or {{0}}")
        for translated in _strings(message):
            if translated and _fields(translated) != expected:
                problems.append(f"{msgid!r}: {translated!r} has {sorted(_fields(translated))}")
    assert not problems, "\n".join(problems)


def test_seeded_messages_are_present() -> None:
    for locale in SUPPORTED_LOCALES:
        missing = [m for m in SEEDED if m not in _messages(locale)]
        assert not missing, f"{locale} lacks {missing}"


def test_every_message_used_in_the_source_is_catalogued() -> None:
    uses = scan_tree(SRC)
    problems = []
    for locale in SUPPORTED_LOCALES:
        messages = _messages(locale)
        for use in uses:
            message = messages.get(use.msgid)
            if message is None:
                problems.append(f"{locale}: {use.msgid!r} used at {use.where()}")
            elif use.plural is not None and _ids(message)[1:] != [use.plural]:
                problems.append(f"{locale}: plural {use.plural!r} of {use.msgid!r} differs")
    assert not problems, "messages missing from the catalogues:\n" + "\n".join(problems)


SAMPLE = """
from salesplan.errors import ConfigError, StoreError
import salesplan.errors as errors

def f(t, name, _t, gettext, ngettext):
    t.gettext("Translated {x}", x=1)
    _t("Short form")
    gettext("Bare")
    HEADERS = [N_("Marked"), i18n.N_("Marked too")]
    ngettext("{n} row", "{n} rows", 3)
    raise ConfigError("Config {value}", value=name)

def g(t, name, msg):
    errors.StoreError("Qualified")
    SomeLibraryError("Third party")
    ValueError("builtin, stays English")
    KeyError("also builtin")
    t.gettext(f"f-string {name}")
    t.gettext(msg)
    t.gettext(msgid="keyword")
    ConfigError(name)
    print("not a message")
    t.gettext()
"""


def test_scanner_finds_only_literal_first_arguments() -> None:
    uses = scan_source(SAMPLE, "sample.py")
    assert [(u.msgid, u.call) for u in uses] == [
        ("Translated {x}", "gettext"),
        ("Short form", "_t"),
        ("Bare", "gettext"),
        ("Marked", "N_"),
        ("Marked too", "N_"),
        ("{n} row", "ngettext"),
        ("Config {value}", "ConfigError"),
        ("Qualified", "StoreError"),
        ("Third party", "SomeLibraryError"),
    ]
    plural = uses[5]
    assert plural == MessageUse("{n} row", "sample.py", 10, "ngettext", "{n} rows")
    assert plural.where() == "sample.py:10 (ngettext)"


def test_scanner_skips_unparseable_source() -> None:
    assert scan_source("def broken(:\n", "broken.py") == []


def test_scanner_walks_a_tree(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "a.py").write_text('_t("One")\n', encoding="utf-8")
    (package / "sub" / "b.py").write_text('\n\nFooError("Two")\n', encoding="utf-8")
    (package / "c.txt").write_text('_t("Not Python")\n', encoding="utf-8")
    found = [(u.msgid, u.path, u.line) for u in scan_tree(package)]
    assert found == [("One", "pkg/a.py", 1), ("Two", "pkg/sub/b.py", 3)]
