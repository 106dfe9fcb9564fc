"""File writing that never leaves a half-written file behind: temp file, rename.

A process killed at any point leaves the old file or the new one. `durable`
adds an fsync so that holds across a power cut too, at a cost of milliseconds
per file: bulk writers (import) skip it per file and call `flush_all()` once.
"""
from __future__ import annotations

import os
import re
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
    fd, tmp = _temporary(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _temporary(path: Path) -> tuple[int, str]:
    """A new file beside `path` to write it in, with the mode `open()` would give: (fd, name).

    Named after `path` and this process, and made with one system call: import writes
    10,000 files, and mkstemp's random name, its chmod and a mkdir of the folder every
    time made each write 270 µs instead of 100 on the benchmark machine. A name already
    taken (a killed run's leftover, or another thread writing the same file) falls back
    to mkstemp; a folder still to be made is made. `leftover_target` recognises both names."""
    tmp = f"{path.parent}/.{path.name}.{os.getpid()}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        return os.open(tmp, flags, 0o666), tmp
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            pass
    except FileExistsError:
        pass
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.fchmod(fd, _MODE)
    return fd, tmp


_TEMP_NAME = re.compile(r"\.(.+)\.(?:(\d+)|[a-z0-9_]{8})\.tmp")
"""`_temporary`'s names: `.<target>.<pid>.tmp`, or mkstemp's `.<target>.<8 random characters>.tmp`."""


def leftover_target(name: str) -> str | None:
    """When `name` is a temporary file of write_atomic left behind by a killed run, the name of
    the file it was to replace; else None. The temporary file of a process still running
    (its pid in the name) is no leftover: it is being written. mkstemp's names carry no pid;
    they are made only when the pid name was taken (by a leftover, which the writer's
    own clean-up removes first), so one found is taken for a leftover too."""
    match = _TEMP_NAME.fullmatch(name)
    if not match:
        return None
    pid = int(match.group(2)) if match.group(2) else None
    return match.group(1) if pid is None or pid == os.getpid() or not _running(pid) else None


def _running(pid: int) -> bool:
    """Whether process `pid` exists (signal 0 only asks). On Windows os.kill would end it:
    there, every other pid counts as running."""
    if os.name == "nt" or pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's process, or not a pid: leave it alone
    return True


def flush_all() -> None:
    """Make every write so far durable: one sync instead of one fsync per file."""
    if hasattr(os, "sync"):
        os.sync()
