"""The only code that writes site/. Every build fills a spare folder and swaps it in whole.

The swap is an atomic exchange of two folders (Linux renameat2), so site/ is
always either the complete old site or the complete new one, even if the
build is killed. The folder swapped out is kept as the spare (in .cache/, or
beside site/ when .cache/ is on another file system): it is one build behind,
so the next build only rewrites the files that differ, and an edit to one
briefing costs a few files, not a copy of the whole archive. A first build has
no old site to swap out: it links each file it writes into a mirror folder,
which becomes the spare. The writer refuses paths outside the site and two
pages writing one path. What site/ and the spare hold, file by file, is the
writer's own record (site_manifest.py), kept up to date after each swap or failure.
"""
from __future__ import annotations

import ctypes
import glob
import itertools
import os
import shutil
import tempfile
import time
from pathlib import Path

from .errors import SiteError, SiteErrors
from .site_folder import output_key
from .site_manifest import SiteManifest, forget_manifest, save_manifest
from .urls import is_safe_output_path
from .workers import detach

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class SiteWriter:
    """Fills a work folder (the spare, else a new temporary one); `commit()` makes it the site.

    `manifest` is what the last build left (site_manifest.py), `intact` the site
    files still as it wrote them. The writer keeps the manifest up to date: after
    `commit()` or `abort()` it records what site/ and the spare hold, and only then
    clears the spare's "unknown" marker.
    Files are never changed in place: they may be hard links shared with the
    live site, so a new version replaces the file: the old one is unlinked first
    (the live site keeps its link), which costs half of writing beside and renaming
    over. The spare is not live while a build fills it, and a build killed halfway
    leaves it marked unknown (`marker`), so no step here needs to be atomic.
    """

    def __init__(self, site_dir: Path, cache_dir: Path, manifest: SiteManifest | None = None,
                 intact: set[str] | None = None, persist: bool = True):
        self.site_dir = site_dir.resolve()
        self.site_dir.parent.mkdir(parents=True, exist_ok=True)
        self.spare_dir = spare_folder(site_dir, cache_dir)
        self.marker = _unknown_marker(self.spare_dir)
        self._cache_dir, self._persist = cache_dir, persist
        self._manifest = manifest or SiteManifest()
        self._intact = intact or set()
        self._live = {path: self._manifest.site[path][0] for path in self._intact}
        """The live site's files still as recorded, with their fingerprints: `carry_over` links them."""
        self._had_site = self.site_dir.exists()
        _remove_stale_builds(self.site_dir)
        spare = self._manifest.trusted_spare(self._intact)
        self.reused = spare is not None and self.spare_dir.is_dir() and not self.marker.exists()
        """The work folder is the spare, with files in it; else a new empty folder."""
        self.mirror: str | None = None
        """A first build (no site/ yet) links every file it writes into this folder too: it
        becomes the spare, so the next build need not copy the whole site to start one."""
        if spare is not None and self.reused:
            self.work, self.held = self.spare_dir, dict(spare)
        else:
            shutil.rmtree(self.spare_dir, ignore_errors=True)
            self.work = self._temporary_folder()
            self.held = {}
            if not self._had_site:
                self.mirror = str(self._temporary_folder())
        self.marker.touch()  # until the manifest is recorded, a kill leaves the spare's content unknown
        self.written: set[str] = set()
        """Paths claimed by this build, casefolded (two paths differing in case collide)."""
        self.claimed: set[str] = set()
        """The same paths, as given."""
        self.kept: set[str] = set()
        """Paths whose file the work folder already held and this build left untouched."""
        self._folders: set[str] = {""}
        self._mirror_folders: set[str] = {""}
        self.mirrored = False
        """The spare is now the mirror: a complete copy (hard links) of the site committed."""
        self._work, self._site = str(self.work), str(self.site_dir)
        self.trash = f"{self.spare_dir}.trash"
        """Where replaced files go (see `_discard`); beside the spare, on its file system."""
        self._discarded = itertools.count()

    def _discard(self, target: str) -> None:
        """Take a file out of the work folder before a new version takes its place. One still
        linked from the live site only loses a name, which is cheap; deleting one that is not
        frees its blocks, ten times dearer (120 µs on ext4, most of a rebuild that rewrites
        hundreds of pages): it is moved to the trash instead, emptied after the build."""
        try:
            if os.stat(target).st_nlink > 1:
                os.unlink(target)
                return
            trashed = f"{self.trash}/{os.getpid()}-{next(self._discarded)}"
            try:
                os.rename(target, trashed)
            except FileNotFoundError:  # no trash folder yet (the target exists: just stat'ed)
                os.makedirs(self.trash, exist_ok=True)
                os.rename(target, trashed)
        except FileNotFoundError:
            pass

    def empty_trash(self, in_background: bool) -> None:
        """Delete the files this build replaced (and any a killed build left): in a forked
        process that nobody waits for when `in_background`, so the build is done sooner."""
        if os.path.isdir(self.trash):  # renamed first: the next build starts a new trash
            os.rename(self.trash, f"{self.trash}.{os.getpid()}.{time.time_ns()}")
        doomed = glob.glob(glob.escape(self.trash) + ".*")
        if doomed:
            detach(lambda: _remove_folders(doomed), in_background)

    def _temporary_folder(self) -> Path:
        """Beside site/, so it can be renamed into place; a killed build's are removed later."""
        return Path(tempfile.mkdtemp(prefix=f".{self.site_dir.name}-build-", dir=self.site_dir.parent))

    def keep_held(self, prints: dict[str, str]) -> set[str]:
        """The paths whose version (`prints`) the work folder already has, from two builds
        ago: claimed and kept, all at once (a one-edit rebuild keeps all but a few files)."""
        held = self.held
        found = [path for path, fingerprint in prints.items() if held.get(path) == fingerprint]
        keys = {path.casefold() for path in found}
        if len(keys) < len(found) or not keys.isdisjoint(self.written) or not all(map(is_safe_output_path, found)):
            for path in found:  # one of them is refused: let _claim say which, and why
                self._claim(path)
        self.written |= keys
        self.claimed.update(found)
        self.kept.update(found)
        return set(found)

    def write(self, path: str, data: bytes, fingerprint: str = "") -> None:
        self._claim(path)
        target = self._target(path)
        if self.reused:  # the file there may be a hard link shared with the live site
            self._discard(target)
        with open(target, "wb") as handle:
            handle.write(data)
        if self.mirror:
            self._link_into_mirror(self.mirror, path, target)
        self.held[path] = fingerprint

    def _link_into_mirror(self, mirror: str, path: str, target: str) -> None:
        """Best effort: a file system without hard links gets no mirror, and no spare yet.
        Runs in the rendering workers too, so a failure is left as a file for `commit` to see."""
        try:
            os.link(target, _path_with_folder(mirror, self._mirror_folders, path))
        except OSError:
            open(f"{mirror}/{MIRROR_FAILED}", "wb").close()

    def mirror_folder(self, folder: str) -> None:
        """Link a folder that another module wrote into the work folder (the search index) into
        a first build's mirror too, so the first rebuild's spare already holds it."""
        if self.mirror and os.path.isdir(f"{self._work}/{folder}"):
            try:
                shutil.copytree(f"{self._work}/{folder}", f"{self.mirror}/{folder}", copy_function=os.link)
            except (OSError, shutil.Error):
                open(f"{self.mirror}/{MIRROR_FAILED}", "wb").close()

    def adopt(self, path: str, fingerprint: str) -> None:
        """A worker process wrote `path` into the work folder: record it here."""
        self._claim(path)
        self.held[path] = fingerprint

    def carry_over(self, path: str, fingerprint: str) -> bool:
        """Reuse the live site's file if it holds this version, untouched since it was written
        (a hard link, else a copy); False if it does not."""
        if self._live.get(path) != fingerprint:
            return False
        source = f"{self._site}/{path}"
        if not os.path.isfile(source):
            return False
        self._claim(path)
        target = self._target(path)
        if self.reused:
            self._discard(target)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
        self.held[path] = fingerprint
        return True

    def copy_file(self, path: str, source: Path, fingerprint: str = "") -> None:
        self.write(path, source.read_bytes(), fingerprint)

    def prune(self) -> None:
        """Drop files of the work folder that no page of this build claimed."""
        unclaimed = self.held.keys() - self.claimed
        for path in sorted(p for p in unclaimed if p.casefold() not in self.written):
            self._discard(f"{self._work}/{path}")
            _prune_empty_parents(self.work, (self.work / path).parent)
            del self.held[path]

    def commit(self) -> None:
        """Swap the work folder in as the site; the old site (or a first build's mirror)
        becomes the spare. Then records the manifest of both."""
        self.prune()
        os.chmod(self.work, 0o755)
        first = not self.site_dir.exists()
        if first:
            os.rename(self.work, self.site_dir)
        elif _exchange(self.work, self.site_dir):
            if self.work != self.spare_dir:
                os.rename(self.work, self.spare_dir)
        else:  # no atomic exchange here: two renames, with a moment without site/
            shutil.rmtree(self.spare_dir, ignore_errors=True)
            os.rename(self.site_dir, self.spare_dir)
            os.rename(self.work, self.site_dir)
        if self.mirror:
            self._keep_mirror(self.mirror, first)
        written = {path: self.held[path] for path in self.claimed}
        self._record(self._manifest.swapped(self.site_dir, written, self._intact, self._had_site,
                                            self.kept, self.mirrored))

    def _keep_mirror(self, mirror: str, wanted: bool) -> None:
        """The mirror becomes the spare if it is `wanted` and every file got its link."""
        if wanted and not os.path.exists(f"{mirror}/{MIRROR_FAILED}"):
            os.chmod(mirror, 0o755)
            os.rename(mirror, self.spare_dir)
            self.mirrored = True
        else:
            shutil.rmtree(mirror, ignore_errors=True)

    def abort(self) -> None:
        """After a failed build: a temporary folder goes; the spare stays, its content recorded."""
        if self.mirror:
            shutil.rmtree(self.mirror, ignore_errors=True)
        if self.work != self.spare_dir:
            shutil.rmtree(self.work, ignore_errors=True)
            self._record(self._manifest.failed({}, set()))
        else:
            self._record(self._manifest.failed(dict(self.held), self.kept))

    def _record(self, manifest: SiteManifest) -> None:
        """Keep the new manifest; only then is the spare's content known again."""
        self._manifest = manifest
        save_manifest(self.site_dir, self._cache_dir, manifest, self._persist)
        self.marker.unlink(missing_ok=True)

    @property
    def manifest(self) -> SiteManifest:
        """What site/ and the spare hold: recorded after `commit` or `abort`."""
        return self._manifest

    def _claim(self, path: str) -> None:
        _check_safe(path)
        key = path.casefold()
        if key in self.written:
            raise SiteErrors([SiteError(path, None, "two pages would be written to the same path",
                                        "give one of the briefings or topics a different slug")])
        self.written.add(key)
        self.claimed.add(path)

    def _target(self, path: str) -> str:
        """The file's place in the work folder, its folder made if needed."""
        return _path_with_folder(self._work, self._folders, path)


def _path_with_folder(root: str, made: set[str], path: str) -> str:
    """`root/path`, its folder made if not yet in `made` (once per folder: on a large site,
    making folders is most of the cost of a first incremental build). Plain strings, not
    Paths: this runs for every file of a site."""
    folder = path.rpartition("/")[0]
    if folder not in made:
        os.makedirs(f"{root}/{folder}", exist_ok=True)
        made.add(folder)
    return f"{root}/{path}"


MIRROR_FAILED = ".mirror-failed"
"""Left in the mirror by a writer (maybe a worker process) that could not link a file."""


def spare_folder(site_dir: Path, cache_dir: Path) -> Path:
    """Where the spare lives: in the cache, unless that is on another file system
    than site/ (folders cannot be swapped across file systems)."""
    site_dir = site_dir.resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    cache_dir.mkdir(parents=True, exist_ok=True)
    if os.stat(cache_dir).st_dev == os.stat(site_dir.parent).st_dev:
        return cache_dir.resolve() / f"spare-{output_key(site_dir)}"
    return site_dir.with_name(f".{site_dir.name}.spare")


def _unknown_marker(spare_dir: Path) -> Path:
    """Exists while a build fills the spare: a build killed then leaves its content unknown."""
    return spare_dir.with_name(spare_dir.name + ".unknown")


def forget_spare(site_dir: Path, cache_dir: Path) -> None:
    """Drop the spare folder of this output and its manifest: the next build starts a new folder."""
    forget_manifest(site_dir, cache_dir)
    spare = spare_folder(site_dir, cache_dir)
    shutil.rmtree(spare, ignore_errors=True)
    _unknown_marker(spare).unlink(missing_ok=True)


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


def _prune_empty_parents(root: Path, folder: Path) -> None:
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def _remove_folders(folders: list[str]) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


def _remove_stale_builds(site_dir: Path) -> None:
    """Temporary folders of builds that were killed, whatever their age: the writer runs under
    the output folder's build lock (site_folder.build_lock), so no live build owns one."""
    for folder in site_dir.parent.glob(f"{glob.escape('.' + site_dir.name)}-build-*"):
        shutil.rmtree(folder, ignore_errors=True)


def _libc() -> ctypes.CDLL:
    """The C library: the process's own symbols first (glibc's include it), so the slow
    `ctypes.util.find_library` (it runs ldconfig, importing subprocess) is seldom needed."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if hasattr(libc, "renameat2"):
            return libc
    except OSError:
        pass
    from ctypes.util import find_library
    return ctypes.CDLL(find_library("c") or None, use_errno=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two folders (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    try:
        renameat2 = _libc().renameat2
    except (OSError, AttributeError):
        return False
    result: int = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0
