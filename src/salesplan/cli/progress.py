"""Progress on a terminal (stderr, Rich), silence when piped or --quiet."""

from __future__ import annotations

import sys
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from salesplan.i18n import Translator


class TerminalProgress:
    """Implements services.progress.Progress: one bar advancing through named phases."""

    def __init__(self, t: Translator, total_steps: int, *, quiet: bool) -> None:
        self._t = t
        console = Console(stderr=True)
        self._enabled = not quiet and sys.stderr.isatty()
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not self._enabled,
        )
        self._task = self._progress.add_task("", total=total_steps)
        self._started = False

    def step(self, message_id: str, /, **params: object) -> None:
        if self._started:
            self._progress.advance(self._task)
        self._started = True
        self._progress.update(self._task, description=self._t.gettext(message_id, **params))

    def __enter__(self) -> TerminalProgress:
        self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._progress.stop()
