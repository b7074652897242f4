"""Loading the gettext PO catalogues shipped in `salesplan/i18n/locales/<locale>/LC_MESSAGES`.

The PO files are read at runtime with Babel (no compile step); each locale is parsed once
per process and turned into a stdlib `gettext.GNUTranslations` in memory, which gives
standard gettext behaviour: untranslated or fuzzy entries fall back to the msgid, and plural
forms follow the catalogue's `Plural-Forms` header.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from salesplan.i18n._locale import resolve_locale

__all__ = ["DOMAIN", "catalogue_file", "load_catalogue", "message_ids", "translations_from"]

DOMAIN = "salesplan"


def catalogue_file(locale: str) -> Traversable:
    """The PO file of a supported locale (accepts the aliases `resolve_locale` does)."""
    loc = resolve_locale(locale)
    return resources.files("salesplan.i18n") / "locales" / loc / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def _load(locale: str) -> Any:
    with catalogue_file(locale).open("rb") as handle:
        return read_po(handle, locale=locale, domain=DOMAIN, abort_invalid=True)


def load_catalogue(locale: str) -> Any:
    """The parsed `babel.messages.Catalog` of a locale, cached; treat it as read-only."""
    return _load(resolve_locale(locale))


def message_ids(locale: str) -> set[str]:
    """Every msgid in the locale's catalogue (for plural entries, the singular id)."""
    ids: set[str] = set()
    for message in load_catalogue(locale):
        if not message.id:
            continue  # the header entry
        ids.add(message.id[0] if isinstance(message.id, tuple) else message.id)
    return ids


def translations_from(catalog: Any) -> gettext.GNUTranslations:
    """Compile a Babel catalog in memory into a stdlib translations object."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@cache
def _translations(locale: str) -> gettext.GNUTranslations:
    return translations_from(_load(locale))


def translations(locale: str) -> gettext.GNUTranslations:
    """The cached stdlib translations object of a supported locale."""
    return _translations(resolve_locale(locale))
