"""Internationalisation: message catalogues (en, zh_CN) and locale-aware formatting.

Everything a person reads goes through a `Translator`::

    t = translator("zh_CN")
    t.gettext("Database upgraded to revision {revision}.", revision="0003")
    t.money(Decimal("1234567.89"), "CNY")          # '¥1,234,567.89'
    t.money(Decimal("1234567.89"), "CNY", compact=True)  # '¥123.46万'

Message ids are the English source text with `{named}` str.format placeholders; the
catalogues live in `locales/<locale>/LC_MESSAGES/salesplan.po`. See docs/i18n.md.
"""

from __future__ import annotations

import datetime as dt
import gettext as _gettext
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from typing import Any

from salesplan.i18n._locale import SUPPORTED_LOCALES, UnknownLocaleError, resolve_locale
from salesplan.i18n.catalogue import load_catalogue, message_ids, translations, translations_from
from salesplan.i18n.formatting import (
    DateStyle,
    format_date,
    format_money,
    format_number,
    format_percent,
    format_period,
)

__all__ = [
    "N_",
    "SUPPORTED_LOCALES",
    "Translator",
    "UnknownLocaleError",
    "format_date",
    "format_money",
    "format_number",
    "format_percent",
    "format_period",
    "load_catalogue",
    "message_ids",
    "resolve_locale",
    "translator",
]


def N_(msgid: str, /) -> str:
    """Mark a message id that is translated later; returns it unchanged.

    `Column(N_("Win rate"))` lets the catalogue test see the message, which is then
    translated where it is shown: `t.gettext(column.header)`.
    """
    return msgid


_FORMAT_ERRORS = (KeyError, IndexError, ValueError, AttributeError, TypeError)


def _interpolate(text: str, params: Mapping[str, object]) -> str:
    """`text.format(**params)`, or `text` unchanged if the placeholders do not fit."""
    try:
        return text.format(**params)
    except _FORMAT_ERRORS:
        return text


class Translator:
    """Translates message ids and formats values for one locale (`en` or `zh_CN`).

    Instances are immutable and cheap to share; get them from `translator(locale)`. Pass
    `catalog=` (a `babel.messages.Catalog`) only in tests, to use a catalogue built in memory.
    """

    __slots__ = ("_translations", "locale")

    locale: str
    _translations: _gettext.NullTranslations

    def __init__(self, locale: str, *, catalog: Any = None) -> None:
        self.locale = resolve_locale(locale)
        self._translations = (
            translations(self.locale) if catalog is None else translations_from(catalog)
        )

    def __repr__(self) -> str:
        return f"Translator({self.locale!r})"

    def gettext(self, msgid: str, /, **params: object) -> str:
        """Translate `msgid`, then fill its `{named}` placeholders from `params`.

        An unknown msgid is used as is; placeholders that cannot be filled (missing or bad
        params, a broken translation) leave the translated text unformatted — never raise.
        """
        return _interpolate(self._translations.gettext(msgid), params)

    def ngettext(self, singular: str, plural: str, n: int, /, **params: object) -> str:
        """Translate with a plural form chosen by `n`; `{n}` is available unless given."""
        text = self._translations.ngettext(singular, plural, n)
        return _interpolate(text, {"n": n, **params})

    def money(
        self,
        amount: Decimal | int,
        currency: str,
        *,
        minor: bool = False,
        compact: bool = False,
    ) -> str:
        """`format_money` in this locale."""
        return format_money(amount, currency, self.locale, minor=minor, compact=compact)

    def number(self, value: Decimal | int | float, digits: int | None = None) -> str:
        """`format_number` in this locale."""
        return format_number(value, self.locale, digits)

    def percent(self, fraction: float | Decimal | int, digits: int = 1) -> str:
        """`format_percent` in this locale."""
        return format_percent(fraction, self.locale, digits)

    def date(self, d: dt.date, style: DateStyle = "medium") -> str:
        """`format_date` in this locale."""
        return format_date(d, self.locale, style)

    def period(self, year: int, *, quarter: int | None = None, month: int | None = None) -> str:
        """`format_period` in this locale."""
        return format_period(year, self.locale, quarter=quarter, month=month)


@cache
def _translator(locale: str) -> Translator:
    return Translator(locale)


def translator(locale: str) -> Translator:
    """The shared Translator for `locale` (`en`, `zh_CN`, `zh`, `zh-CN`…).

    Raises `UnknownLocaleError` (a ValueError) naming the supported locales otherwise.
    """
    return _translator(resolve_locale(locale))
