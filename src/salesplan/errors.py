"""Errors a user can act on.

Every error raised for bad input, bad data or a bad setting is a SalesplanError carrying an
i18n message id and its parameters; the CLI (and later the web) translate it at the edge and
never show a traceback. Anything else escaping a command is an internal error (exit code 3).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class SalesplanError(Exception):
    """A problem the user can fix; `message_id` is looked up in the i18n catalogue."""

    exit_code = 1

    def __init__(self, message_id: str, /, **params: Any) -> None:
        super().__init__(message_id)
        self.message_id = message_id
        self.params = params

    def localised_params(self, gettext: Callable[..., str]) -> dict[str, Any]:
        """The parameters as the message should show them; subclasses whose parameters hold
        further messages (a list of problems) translate them here with `gettext`."""
        return self.params

    def __str__(self) -> str:
        try:
            return self.message_id.format(**self.params)
        except (KeyError, IndexError, ValueError):
            return self.message_id


class ConfigError(SalesplanError):
    """A setting or option has a value we cannot use."""


class StoreError(SalesplanError):
    """The database cannot be opened, is of an unknown version, or refused a write."""


class DataError(SalesplanError):
    """Input data is wrong: names the file, row, column and value where known."""
