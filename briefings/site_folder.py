"""The site folder's safety: which folder a build may replace, and one build at a time in it.

A build replaces its output folder whole (output.py swaps a new folder in and
recycles the old one as its spare), so the folder named by `--output` must be
one this tool made: `--output .` once emptied a whole project, `.git` included.
And two builds filling the same spare at once left `site/` with a few hundred
of its files: every build, the preview's builds and deploy hold an OS lock on
the output folder while they write it, which the OS releases if the process dies.
"""
from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import SiteError, SiteErrors

SITE_MARKER = ".briefings-site"
"""Written into every site this tool builds: a non-empty folder without it is not ours to replace."""
MARKER_TEXT = b"Built by briefings (build.py). Each build replaces this folder whole.\n"


def output_key(site_dir: Path) -> str:
    """Names what belongs to one output folder in .cache/ (its caches, spare and lock)."""
    return hashlib.sha256(str(site_dir.resolve()).encode()).hexdigest()[:12]


def check_site_folder(site_dir: Path, root: Path, cache_dir: Path, force: bool = False,
                      known: bool = False) -> None:
    """Refuse an output folder whose replacement would lose something: the project or a folder
    above it, one of its inputs, a file, or a non-empty folder this tool did not build
    (unless `force`). `known`: the build cache remembers building this folder (a site built
    before the marker existed)."""
    site = site_dir.resolve()
    project = root.resolve()
    name = os.fspath(site_dir)
    if project == site or project.is_relative_to(site):
        _refuse(name, "is the project folder or a folder above it: a build replaces its output folder whole",
                "pick a new folder, e.g. --output site")
    protected = {"content/": project / "content", "seeds/": project / "seeds",
                 "templates/": project / "templates", ".cache/": cache_dir.resolve(), ".git/": project / ".git"}
    for label, folder in protected.items():
        if site == folder or site.is_relative_to(folder):
            _refuse(name, f"is {label} or inside it, which the build reads or keeps",
                    "pick a folder of its own, e.g. --output site")
    if site.exists() and not site.is_dir():
        _refuse(name, "is a file, not a folder", "remove it or pick another --output")
    if site.is_dir() and not force and not known and not (site / SITE_MARKER).is_file() and any(site.iterdir()):
        _refuse(name, "is a folder with files this tool did not build: a build would replace them all",
                "empty it or pick a new folder; --force replaces it anyway")


def _refuse(path: str, message: str, hint: str) -> None:
    raise SiteErrors([SiteError(path, None, f"refusing to build here: {message}", hint)])


_held: dict[str, list[int]] = {}
"""Lock file -> [its descriptor, how many nested holders in this process] (deploy holds the
lock around its build, which takes it too)."""


@contextmanager
def build_lock(site_dir: Path, cache_dir: Path, wait: bool = True) -> Iterator[None]:
    """Hold the output folder's lock: one build, preview build or deploy at a time.

    A POSIX record lock (fcntl): released by the OS when the process dies, however it
    dies, and not inherited by forked children, so a detached clean-up process that
    outlives the build never holds it. Another holder makes this wait (with a message on
    stderr), or fail at once when not `wait`."""
    path = os.fspath(cache_dir / f"lock-{output_key(site_dir)}")
    if path in _held:
        _held[path][1] += 1
        try:
            yield
        finally:
            _held[path][1] -= 1
        return
    os.makedirs(cache_dir, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, site_dir, wait)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        _held[path] = [fd, 1]
        try:
            yield
        finally:
            del _held[path]
    finally:
        os.close(fd)  # closing releases the lock


def _acquire(fd: int, site_dir: Path, wait: bool) -> None:
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except OSError as exc:
        if exc.errno not in (errno.EACCES, errno.EAGAIN):
            raise
    holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
    if not wait:
        raise SiteErrors([SiteError(os.fspath(site_dir), None,
                                    f"another build (process {holder}) is writing this folder",
                                    "wait for it to finish, or run without --no-wait to wait for it")])
    print(f"waiting for another build (process {holder}) writing {os.fspath(site_dir)} to finish…",
          file=sys.stderr, flush=True)
    fcntl.lockf(fd, fcntl.LOCK_EX)
