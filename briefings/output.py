"""The only code that writes site/. Builds into a temporary folder and swaps it in whole.

It refuses paths outside the site and two pages writing one path. The swap is
an atomic exchange of the two folders where the OS offers one (Linux
renameat2), so site/ is always either the complete old site or the new one.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import tempfile
from pathlib import Path

from .errors import SiteError, SiteErrors
from .fsutil import write_atomic
from .urls import is_safe_output_path

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class SiteWriter:
    """Collects a site's files in a temporary folder; `commit()` makes it the site."""

    def __init__(self, site_dir: Path):
        self.site_dir = site_dir.resolve()
        self.site_dir.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.site_dir.name}-build-", dir=self.site_dir.parent))
        self.written: set[str] = set()

    def write(self, path: str, data: bytes) -> None:
        _check_safe(path)
        key = path.casefold()
        if key in self.written:
            raise SiteErrors([SiteError(path, None, "two pages would be written to the same path",
                                        "give one of the briefings or topics a different slug")])
        self.written.add(key)
        target = self.tmp / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def carry_over(self, path: str) -> bool:
        """Reuse the previous site's file for an unchanged page (a hard link, else a copy)."""
        source = self.site_dir / path
        target = self.tmp / path
        if not source.is_file():
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
        self.written.add(path.casefold())
        return True

    def copy_file(self, path: str, source: Path) -> None:
        _check_safe(path)
        target = self.tmp / path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        self.written.add(path.casefold())

    def commit(self) -> None:
        """Swap the new site in; the old one is removed only once the new one is in place."""
        os.chmod(self.tmp, 0o755)
        if not self.site_dir.exists():
            os.rename(self.tmp, self.site_dir)
            return
        if _exchange(self.tmp, self.site_dir):
            shutil.rmtree(self.tmp, ignore_errors=True)
            return
        old = self.tmp.with_name(self.tmp.name + "-old")
        os.rename(self.site_dir, old)
        os.rename(self.tmp, self.site_dir)
        shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> "SiteWriter":
        return self

    def __exit__(self, kind, value, tb) -> None:
        if kind is not None:
            self.abort()


def update_in_place(site_dir: Path, files: dict[str, bytes], removed: set[str]) -> None:
    """An incremental build's few changes, each file replaced atomically (temp file + rename).

    Everything was rendered before this is called, so a failed build never gets here.
    """
    for path in files:
        _check_safe(path)
    for path, data in files.items():
        write_atomic(site_dir / path, data)
    for path in removed:
        if is_safe_output_path(path):
            (site_dir / path).unlink(missing_ok=True)
            _prune_empty_parents(site_dir, (site_dir / path).parent)


def static_files(sources: list[Path], prefix: str) -> dict[str, Path]:
    """Site path -> source file; later sources override earlier ones (project over theme)."""
    found: dict[str, Path] = {}
    for source in sources:
        if source.is_dir():
            for file in sorted(p for p in source.rglob("*") if p.is_file()):
                found[f"{prefix}/{file.relative_to(source).as_posix()}"] = file
    return found


def _check_safe(path: str) -> None:
    if not is_safe_output_path(path):
        raise SiteErrors([SiteError(path, None, "refusing to write outside the site folder",
                                    "check slugs and topic names for '..' or '/'")])


def _prune_empty_parents(site_dir: Path, folder: Path) -> None:
    while folder != site_dir and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two folders (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0
