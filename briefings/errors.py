"""Every problem the user must fix is a SiteError, reported as `path:line: message (hint)`.

The pipeline collects errors instead of stopping at the first, so one run shows
everything that is wrong; `SiteErrors` carries the whole list to the command line.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .text import UNSAFE


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice `word` most likely misspells, for a "did you mean" hint; None if none is close.
    (difflib is imported here, when a hint is needed: it is slow to import for every build.)"""
    import difflib
    found = difflib.get_close_matches(word, list(choices), n=1)
    return found[0] if found else None


def printable(text: str) -> str:
    """`text` on one line, with control characters shown as `\\xNN` escapes."""
    text = text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\t", " ")
    return UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                      else f"\\u{ord(m.group()):04x}", text)


@dataclass(frozen=True, slots=True)
class SiteError:
    """One problem in one input file."""

    path: str
    """The file, as the user would type it (relative to the project where possible)."""
    line: int | None
    """1-based line number, when the problem has one."""
    message: str
    """What is wrong."""
    hint: str = ""
    """How to fix it."""
    warning: bool = False
    """A warning is shown but does not fail the run."""

    def __str__(self) -> str:
        path = printable(str(self.path))
        where = f"{path}:{self.line}" if self.line else path
        kind = "warning: " if self.warning else ""
        hint = f" ({printable(self.hint)})" if self.hint else ""
        return f"{where}: {kind}{printable(self.message)}{hint}"


class SiteErrors(Exception):
    """Raised when a step found problems; carries all of them."""

    def __init__(self, errors: list[SiteError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


def display_path(path: Path | str, root: Path | None = None) -> str:
    """The path as the user knows it: relative to the project root when inside it."""
    path = Path(path)
    if root is not None:
        inside = str(path).removeprefix(str(root).rstrip(os.sep) + os.sep)
        if path.is_absolute() and root.is_absolute() and inside != str(path):
            # the common case, without resolving links (and without pathlib's relative_to:
            # import shows three paths a seed, 10,000 times)
            return inside.replace(os.sep, "/")
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return str(path)
