"""One Settings object, read from SALESPLAN_* environment variables and passed in explicitly.

No module reads the environment on its own: the CLI (and later the web app) build a Settings
once and hand it to services, so tests can build their own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Locale = Literal["en", "zh_CN"]

_LOCALE_ALIASES = {
    "en": "en",
    "en_us": "en",
    "en-us": "en",
    "en_gb": "en",
    "zh": "zh_CN",
    "zh_cn": "zh_CN",
    "zh-cn": "zh_CN",
    "zh_hans": "zh_CN",
    "zh-hans": "zh_CN",
}

DATABASE_FILENAME = "salesplan.db"


def normalise_locale(value: str) -> str:
    """Accept the spellings people type (`zh`, `zh-CN`, `en_US`) and return `en` or `zh_CN`."""
    key = value.strip().lower()
    return _LOCALE_ALIASES.get(key, value)


class Settings(BaseSettings):
    """Where the workspace and its database are, and how to present results."""

    model_config = SettingsConfigDict(env_prefix="SALESPLAN_", extra="ignore")

    workspace: Path = Field(default_factory=Path.cwd)
    """Directory holding the workspace: database (by default), plan.yaml, caches, reports."""

    database_url: str | None = None
    """SQLAlchemy URL; default `sqlite:///<workspace>/salesplan.db`."""

    locale: Locale = "en"
    currency: str = "CNY"
    """Plan currency (ISO 4217): every total is converted to it."""

    author: str | None = None
    """Who stores plan versions (SALESPLAN_AUTHOR); default: the OS user name."""

    @field_validator("locale", mode="before")
    @classmethod
    def _locale(cls, value: object) -> object:
        return normalise_locale(value) if isinstance(value, str) else value

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        code = value.strip().upper()
        if len(code) != 3 or not code.isalpha():
            raise ValueError(f"currency must be an ISO 4217 code like CNY or USD, got {value!r}")
        return code

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.workspace / DATABASE_FILENAME).resolve()}"
