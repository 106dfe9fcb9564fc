"""A progress line for long builds on a terminal: pages done out of the total, and the rate.

Nothing is shown for a build that ends within half a second, nor when stderr is
not a terminal (a log or CI only gets the summary line build.py prints at the end).
"""
from __future__ import annotations

import sys
import time
from typing import TextIO

QUIET_SECONDS = 0.5
"""A build faster than this shows no progress line at all: it would only flicker."""


class ProgressLine:
    """Called as `progress(done, total)`; `finish()` erases the line before the summary."""

    def __init__(self, stream: TextIO = sys.stderr, label: str = "rendering"):
        self.stream, self.label = stream, label
        self.start = time.monotonic()
        self.first: tuple[float, int] | None = None
        """When rendering was first heard of, and how far it was: the rate counts from there."""
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if self.first is None:
            self.first = (now, done)
        if now - self.start < QUIET_SECONDS or not total:
            return
        since, done_then = self.first
        rate = f" · {(done - done_then) / (now - since):,.0f} pages/s" if now > since else ""
        width = 24
        filled = width * done // total
        bar = "█" * filled + "·" * (width - filled)
        self.stream.write(f"\r{self.label} {bar} {done:,}/{total:,} pages{rate}\x1b[K")
        self.stream.flush()
        self.shown = True

    def finish(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False


def progress_line(stream: TextIO = sys.stderr) -> ProgressLine | None:
    """A progress line when `stream` is a terminal, else None (no progress shown)."""
    return ProgressLine(stream) if stream.isatty() else None
