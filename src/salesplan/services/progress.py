"""How a long-running service reports progress without knowing who is watching."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def step(self, message_id: str, /, **params: object) -> None:
        """A new phase of work has begun (message id from the i18n catalogue)."""


class SilentProgress:
    def step(self, message_id: str, /, **params: object) -> None:
        return None
