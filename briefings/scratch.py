"""Temporary folders that do not outlive their process by more than one run.

A process killed with SIGKILL (or by a crash, or a power cut) cannot remove its
temporary folder: a killed `build.py serve` left its whole site behind (86 MB
for the real archive), forever. So each folder carries a lock file that its
process holds locked (`flock`) while it lives; the kernel lets go of the lock
when the process ends, however it ends, and the next process to make such a
folder removes every one whose lock it can take.

The folder's name also carries the process id: between making the folder and
locking its file there is a moment with nothing locked, and a folder found in
that state counts as abandoned only once no process with that id exists. A
lock works across containers sharing /tmp, where process ids do not.
"""
from __future__ import annotations

import fcntl
import os
import re
import shutil
import tempfile
from pathlib import Path

LOCK_NAME = ".owner.lock"


class ScratchFolder:
    """A new folder `<prefix><pid>-<random>` in the temporary folder, held until `remove()`."""

    def __init__(self, prefix: str, parent: Path | None = None):
        self.path = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=parent))
        self._lock = os.open(self.path / LOCK_NAME, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        fcntl.flock(self._lock, fcntl.LOCK_EX)  # waits only while another process checks it
        os.write(self._lock, f"{os.getpid()}\n".encode())  # written once locked: see _remove_if_abandoned

    def remove(self) -> None:
        """Delete the folder, then let go of its lock; safe to call twice."""
        if self._lock < 0:
            return
        shutil.rmtree(self.path, ignore_errors=True)
        os.close(self._lock)
        self._lock = -1


def remove_abandoned(prefix: str, parent: Path | None = None) -> list[Path]:
    """Delete the folders `ScratchFolder(prefix)` made for processes that are gone; the ones deleted.

    Only this user's folders, only real folders (not symlinks), only names of the
    form ScratchFolder gives; a folder whose lock is held is in use and stays.
    """
    parent = Path(parent or tempfile.gettempdir())
    pattern = re.compile(re.escape(prefix) + r"(\d+)-[^/]+")
    removed: list[Path] = []
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return removed
    for entry in entries:
        found = pattern.fullmatch(entry.name)
        if not found or not _ours(entry):
            continue
        if _remove_if_abandoned(Path(entry.path), int(found.group(1))):
            removed.append(Path(entry.path))
    return removed


def _ours(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_uid == os.getuid()
    except OSError:
        return False


def _remove_if_abandoned(folder: Path, pid: int) -> bool:
    """Take the folder's lock and delete the folder while holding it; False if it is in use."""
    try:
        lock = os.open(folder / LOCK_NAME, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:  # made but not locked yet, or its process died in between
        return not _alive(pid) and _rmtree(folder)
    except OSError:
        return False
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # held: its process lives
            return False
        if not os.read(lock, 32) and _alive(pid):  # locked but its pid not written yet: just made
            return False
        return _rmtree(folder)
    finally:
        os.close(lock)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def _rmtree(folder: Path) -> bool:
    shutil.rmtree(folder, ignore_errors=True)
    return not folder.exists()
