"""Append-only journals: what a long job has done so far, one record at a time, so that a
run killed half way is recognised and finished by the next one.

Two writers keep one: the build's content cache (cache.py: loaded content files, pickled,
in .cache/) and import (importer.py: the content files it writes, as JSON lines beside
its manifest in content/, which people commit, so nothing there is ever unpickled).
Each record goes to the file in one `write` on a descriptor opened for appending: a
kill leaves the records before it whole, and at worst a damaged last one, where
reading stops.
"""
from __future__ import annotations

import io
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, TypeVar

T = TypeVar("T")

_DAMAGE = (EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError)
"""What loading a torn or foreign record raises (JSON's errors are ValueErrors)."""


class Journal:
    """One journal file; opened on the first append and kept open for the next ones
    (import appends once a file: 10,000 opens would cost more than the writes)."""

    def __init__(self, path: Path):
        self.path = path
        self._fd: int | None = None

    def append(self, record: bytes) -> None:
        """Add one record, in one write (looped only if the system writes part of it)."""
        if self._fd is None:
            flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0)
            try:
                self._fd = os.open(self.path, flags, 0o666)
            except FileNotFoundError:  # its folder is still to be made (a first import)
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._fd = os.open(self.path, flags, 0o666)
        view = memoryview(record)
        while view:
            view = view[os.write(self._fd, view):]

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def remove(self) -> None:
        """Close and delete it: what it recorded is now kept elsewhere."""
        self.close()
        self.path.unlink(missing_ok=True)

    def read(self, load: Callable[[BinaryIO], T]) -> tuple[list[T], bool]:
        """Every whole record, each read from the stream by `load`, and whether the journal
        was damaged (a run killed mid-append, or a file that is no journal): records stop there."""
        try:
            data = self.path.read_bytes()
        except OSError:
            return [], False
        stream, records = io.BytesIO(data), []
        while stream.tell() < len(data):
            try:
                records.append(load(stream))
            except _DAMAGE:
                return records, True
        return records, False
