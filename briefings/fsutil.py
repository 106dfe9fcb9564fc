"""File writing that never leaves a half-written file behind: temp file, rename.

A process killed at any point leaves the old file or the new one. `durable`
adds an fsync so that holds across a power cut too, at a cost of milliseconds
per file: bulk writers (import) skip it per file and call `flush_all()` once.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_MODE = 0o666 & ~_umask()
"""The mode a plain `open()` would give: mkstemp's own 0600 would hide files from the web server."""


def write_atomic(path: Path, data: bytes, durable: bool = True) -> None:
    """Replace `path` with `data` in one step; a crash leaves the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), _MODE)
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def flush_all() -> None:
    """Make every write so far durable: one sync instead of one fsync per file."""
    if hasattr(os, "sync"):
        os.sync()
