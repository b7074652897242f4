"""Find the message ids used in the source tree, so tests can check both catalogues have them.

A *message use* is a string literal passed as the first positional argument to

* a translation call: `_t("…")`, `gettext("…")`, `t.gettext("…")` (any receiver), or
  `ngettext("…", "…", n)` (both literals are recorded);
* the marker `N_("…")`, which returns its argument unchanged: use it where a message id is
  stored now and translated later (table titles, column headers, progress steps);
* an exception class whose name ends in `Error`, such as `ConfigError("…")` or
  `errors.StoreError("…")`, except Python's built-in exceptions (`ValueError("…")`,
  `KeyError("…")`…), which are programmer-facing and stay in English.

Anything else — f-strings, variables, keyword arguments, concatenations computed at run
time — is ignored: only literal first arguments count. Files that do not parse are skipped
(other tools report syntax errors).
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["TRANSLATION_CALLS", "MessageUse", "scan_source", "scan_tree"]

TRANSLATION_CALLS = frozenset({"_t", "gettext", "N_"})
PLURAL_CALLS = frozenset({"ngettext"})

_BUILTIN_EXCEPTIONS = frozenset(
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
)


@dataclass(frozen=True)
class MessageUse:
    """One literal message id found in the source, with where it was found."""

    msgid: str
    path: str
    line: int
    call: str
    plural: str | None = None

    def where(self) -> str:
        return f"{self.path}:{self.line} ({self.call})"


def _callee_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _literal(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _uses(tree: ast.AST, path: str) -> Iterator[MessageUse]:
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = _callee_name(node.func)
        if name is None:
            continue
        first = _literal(node.args[0])
        if first is None:
            continue
        if name in PLURAL_CALLS:
            plural = _literal(node.args[1]) if len(node.args) > 1 else None
            yield MessageUse(first, path, node.lineno, name, plural)
        elif name in TRANSLATION_CALLS or (
            name.endswith("Error") and name not in _BUILTIN_EXCEPTIONS
        ):
            yield MessageUse(first, path, node.lineno, name)


def scan_source(source: str, path: str = "<string>") -> list[MessageUse]:
    """Message uses in one module's source text; [] if it does not parse."""
    try:
        tree = ast.parse(source, filename=path)
    except (SyntaxError, ValueError):
        return []
    return sorted(_uses(tree, path), key=lambda use: (use.path, use.line, use.msgid))


def scan_tree(root: Path) -> list[MessageUse]:
    """Message uses in every `*.py` file under `root`; paths are relative to `root`'s parent."""
    found: list[MessageUse] = []
    for file in sorted(root.rglob("*.py")):
        try:
            source = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        found.extend(scan_source(source, file.relative_to(root.parent).as_posix()))
    return found
