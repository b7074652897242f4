"""Which locales salesplan speaks, and how the spellings people type map onto them."""

from __future__ import annotations

SUPPORTED_LOCALES: tuple[str, ...] = ("en", "zh_CN")

_ALIASES = {
    "en": "en",
    "en_us": "en",
    "en_gb": "en",
    "zh": "zh_CN",
    "zh_cn": "zh_CN",
    "zh_hans": "zh_CN",
    "zh_hans_cn": "zh_CN",
}


class UnknownLocaleError(ValueError):
    """A locale salesplan has no catalogue for; `value` and `choices` are kept for the caller.

    The CLI can turn it into the catalogued message
    "Unknown locale {value}; use one of: {choices}."
    """

    def __init__(self, value: object) -> None:
        self.value = value
        self.choices = ", ".join(SUPPORTED_LOCALES)
        super().__init__(f"Unknown locale {value!r}; use one of: {self.choices}.")


def resolve_locale(locale: str) -> str:
    """Return `en` or `zh_CN` for `en`, `en-US`, `zh`, `zh-CN`, `zh_Hans`…; else raise.

    Matching ignores case, surrounding blanks and `-` versus `_`.
    """
    if not isinstance(locale, str):
        raise UnknownLocaleError(locale)
    key = locale.strip().replace("-", "_").lower()
    try:
        return _ALIASES[key]
    except KeyError:
        raise UnknownLocaleError(locale) from None
