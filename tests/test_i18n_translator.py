"""The Translator: locale resolution, lookup, fallback and placeholder filling."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from babel.messages.catalog import Catalog

from salesplan.i18n import (
    N_,
    SUPPORTED_LOCALES,
    Translator,
    UnknownLocaleError,
    message_ids,
    resolve_locale,
    translator,
)


def test_supported_locales() -> None:
    assert SUPPORTED_LOCALES == ("en", "zh_CN")


@pytest.mark.parametrize(
    ("spelling", "locale"),
    [
        ("en", "en"),
        ("en_US", "en"),
        ("en-GB", "en"),
        ("zh_CN", "zh_CN"),
        ("zh", "zh_CN"),
        ("zh-CN", "zh_CN"),
        ("ZH_cn", "zh_CN"),
        (" zh-Hans ", "zh_CN"),
    ],
)
def test_locale_spellings(spelling: str, locale: str) -> None:
    assert resolve_locale(spelling) == locale
    assert translator(spelling).locale == locale


def test_translators_are_shared_per_locale() -> None:
    assert translator("zh") is translator("zh_CN")
    assert translator("en") is not translator("zh_CN")


@pytest.mark.parametrize("bad", ["fr", "", "de_DE", "zh_TW", "english"])
def test_unknown_locale_is_a_clear_value_error(bad: str) -> None:
    with pytest.raises(ValueError, match=r"Unknown locale .*use one of: en, zh_CN") as info:
        translator(bad)
    assert isinstance(info.value, UnknownLocaleError)
    assert info.value.value == bad
    assert info.value.choices == "en, zh_CN"


def test_translate_and_fill() -> None:
    msgid = "Database upgraded to revision {revision}."
    assert translator("en").gettext(msgid, revision="0003") == "Database upgraded to revision 0003."
    assert translator("zh_CN").gettext(msgid, revision="0003") == "数据库已升级到版本 0003。"


def test_plain_labels() -> None:
    zh = translator("zh_CN")
    assert [zh.gettext(s) for s in ("Opportunities", "Won", "Lost", "Open", "Win rate")] == [
        "商机",
        "赢单",
        "输单",
        "进行中",
        "赢率",
    ]
    assert translator("en").gettext("Win rate") == "Win rate"  # en msgstr is empty: msgid


def test_unknown_msgid_falls_back_to_itself() -> None:
    for locale in SUPPORTED_LOCALES:
        t = translator(locale)
        assert t.gettext("No such message {x}", x=1) == "No such message 1"
        assert t.gettext("No such message") == "No such message"


def test_missing_params_leave_the_translation_unformatted() -> None:
    assert translator("zh_CN").gettext("Error: {message}") == "错误：{message}"
    assert translator("en").gettext("Error: {message}", msg="typo") == "Error: {message}"


@pytest.mark.parametrize(
    ("msgid", "params"),
    [
        ("Positional {0}", {"x": 1}),
        ("Positional {}", {}),
        ("Attribute {message.nope}", {"message": "x"}),
        ("Index {message[5]}", {"message": "x"}),
        ("Spec {n:d}", {"n": "not a number"}),
        ("Unbalanced {message", {"message": "x"}),
    ],
)
def test_bad_params_never_raise(msgid: str, params: dict[str, object]) -> None:
    assert translator("en").gettext(msgid, **params) == msgid


def test_extra_params_are_ignored_and_braces_unescaped() -> None:
    assert translator("zh_CN").gettext("Records", unused=1) == "记录"
    assert translator("en").gettext("Use {{braces}} for {x}", x="names") == "Use {braces} for names"


def _catalog(locale: str) -> Catalog:
    catalog = Catalog(locale=locale, domain="salesplan")
    if locale == "zh_CN":
        catalog.add(("{n} row", "{n} rows"), ("{n} 行",))
        catalog.add("Hello", "你好", flags=["fuzzy"])
        catalog.add("Bye", "再见")
    else:
        catalog.add(("{n} row", "{n} rows"), ("one row", "{n} rows"))
    return catalog


def test_ngettext_uses_the_catalogue_plural_rule() -> None:
    en = Translator("en", catalog=_catalog("en"))
    assert en.ngettext("{n} row", "{n} rows", 1) == "one row"
    assert en.ngettext("{n} row", "{n} rows", 0) == "0 rows"
    assert en.ngettext("{n} row", "{n} rows", 2) == "2 rows"
    zh = Translator("zh_CN", catalog=_catalog("zh_CN"))
    assert zh.ngettext("{n} row", "{n} rows", 1) == "1 行"
    assert zh.ngettext("{n} row", "{n} rows", 7) == "7 行"


def test_ngettext_params_and_fallback() -> None:
    en = translator("en")
    assert en.ngettext("{count} file in {dir}", "{count} files in {dir}", 1, count=1, dir="a") == (
        "1 file in a"
    )
    assert en.ngettext("{n} file", "{n} files", 3) == "3 files"
    # An untranslated plural message falls back to the English rule in every locale.
    assert translator("zh_CN").ngettext("{n} file", "{n} files", 1) == "1 file"
    assert translator("zh_CN").ngettext("{n} file", "{n} files", 2) == "2 files"


def test_fuzzy_entries_are_not_used() -> None:
    zh = Translator("zh_CN", catalog=_catalog("zh_CN"))
    assert zh.gettext("Hello") == "Hello"
    assert zh.gettext("Bye") == "再见"


def test_convenience_formatters_use_the_locale() -> None:
    en, zh = translator("en"), translator("zh_CN")
    amount = Decimal("1234567.89")
    assert en.money(amount, "CNY") == "CN¥1,234,567.89"
    assert zh.money(amount, "CNY") == "¥1,234,567.89"
    assert en.money(amount, "CNY", compact=True) == "CN¥1.2M"
    assert zh.money(amount, "CNY", compact=True) == "¥123.46万"
    assert zh.money(123456, "CNY", minor=True) == "¥1,234.56"
    assert en.percent(0.253) == "25.3%"
    assert zh.percent(0.253, digits=0) == "25%"
    assert en.number(Decimal("1234567.5")) == "1,234,567.5"
    assert zh.number(3, digits=2) == "3.00"
    assert en.date(dt.date(2026, 11, 28)) == "Nov 28, 2026"
    assert zh.date(dt.date(2026, 11, 28)) == "2026年11月28日"
    assert zh.date(dt.date(2026, 11, 28), "short") == "2026/11/28"
    assert en.period(2026, quarter=3) == "Q3 2026"
    assert zh.period(2026, month=2) == "2026年2月"


def test_message_ids() -> None:
    ids = message_ids("zh")
    assert isinstance(ids, set)
    assert "Database upgraded to revision {revision}." in ids
    assert "" not in ids
    assert message_ids("en") == message_ids("zh_CN")
    with pytest.raises(ValueError):
        message_ids("fr")


def test_n_marks_without_translating() -> None:
    assert N_("Win rate") == "Win rate"
    assert translator("zh_CN").gettext(N_("Win rate")) == "赢率"
