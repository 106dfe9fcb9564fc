"""The preview's first build: in a forked process on every core, starting from what `build` left.

`build.py serve` builds into a temporary folder of its own (scratch.py), so it
never disturbs `site/` or `.cache/`. Built from nothing, on one core, that
first build took 19.3 s at 10,000 briefings. Here it starts instead from the
last build's work, without writing into it:
- the site files the project's build cache lists are hard-linked into the
  preview's folder: the same inodes, mtimes and sizes, so the copied cache sees
  them as intact and carries them over instead of rendering them;
- the project's build cache, content cache (with its journal) and related
  memo are copied under the preview's names: no file is parsed again, no
  related briefings chosen again;
- the body store is the project's own `bodies.sqlite` (Config.bodies_folder),
  shared with `build` (SQLite takes concurrent writers).
The caches are copied under the project's build lock (site_folder.py), so they
come from one build; if a build is running, they are copied anyway rather than
waiting for it (minutes for a large cold build): `build` replaces its cache
files and site files whole (renames; files are never changed in place), and
every entry is checked against the stamp of what it stands for, so a copy
taken while a build runs only costs the pages or files that changed under it.
The site is linked after the lock is released, for the same reason.

The build runs in a child forked before the preview starts its threads (a
process running threads cannot fork safely, which kept the preview's own
builds on one core), so it renders on every core, like `build`. The child has
a process group of its own: stopping the preview stops it and its workers.
"""
from __future__ import annotations

import os
import pickle
import shutil
import signal
import traceback
from collections.abc import Iterable
from contextlib import ExitStack
from pathlib import Path

from . import cache as build_cache
from . import pipeline
from .config import Config
from .errors import SiteErrors
from .output import spare_folder
from .pipeline import BuildResult
from .site_folder import build_lock
from .site_manifest import SiteManifest, load_manifest, save_manifest
from .workers import read_outcome


def seed(project: Config, preview: Config) -> int:
    """Start the preview's site folder and cache from the project's last build; the files linked.

    When that build is up to date (its no-op check passes), the preview's cache records
    the preview's own inputs: its first build is a no-op too, and the preview pays
    nothing but linking the site. Hard links need one file system: elsewhere the site
    is not linked (every page is rendered, its body from the store), but the caches are
    still copied."""
    if not build_cache.cache_file(project).is_file():
        return 0
    with ExitStack() as held:
        try:
            held.enter_context(build_lock(project.site_dir, project.cache_dir, wait=False))
        except SiteErrors:
            pass  # a build is writing: copy anyway (see the module docstring)
        cache = build_cache.load_cache(project)
        manifest = load_manifest(project.site_dir, project.cache_dir)
        # the preview shows scheduled briefings, which the build held back: not the same site then
        current = bool(manifest.site) and pipeline.up_to_date(project, cache, manifest) and not cache.schedule.next_due
        _copy_caches(project, preview)
    if not manifest.site:
        return 0
    linked = _link_site(project.site_dir, preview.site_dir, manifest.site)
    copy = manifest.without_spare()  # the project's spare: not the preview's
    if current and linked == len(manifest.site):
        cache.inputs = pipeline.preview_signature(preview)
        copy = _mirror(preview, copy)
    build_cache.save_state(preview, cache)
    save_manifest(preview.site_dir, preview.cache_dir, copy, persist=True)
    return linked


def _mirror(preview: Config, manifest: SiteManifest) -> SiteManifest:
    """Link the preview's site into its spare folder too, as a first build does (output.py):
    a no-op first build writes nothing, so without a spare the preview's first edit had to
    link every file of the site into a new folder (21 s instead of 8 s at 100,000 briefings).
    Linked from the preview's own copy: if a file there is not the one recorded, the build's
    no-op check sees it, and the spare's copy is not trusted either (SiteManifest.trusted_spare)."""
    spare = spare_folder(preview.site_dir, preview.cache_dir)
    if _link_site(preview.site_dir, spare, manifest.site) == len(manifest.site):
        return manifest.mirrored()
    return manifest


def _copy_caches(project: Config, preview: Config) -> None:
    """The content cache, its journal and the related memo, under the preview's names."""
    for source, target in [(build_cache.content_cache_file(project), build_cache.content_cache_file(preview)),
                           (build_cache.content_journal_file(project), build_cache.content_journal_file(preview)),
                           (build_cache.related_file(project), build_cache.related_file(preview))]:
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            shutil.copyfile(source, target)
        except FileNotFoundError:
            pass


def _link_site(site: Path, copy: Path, paths: Iterable[str]) -> int:
    """Hard-link each of `paths` from `site` into `copy` (made); stops at the first
    failure other than a missing file (another file system)."""
    source, target = f"{site.resolve()}/", f"{copy}/"
    folders: set[str] = set()
    linked = 0
    for path in paths:
        folder = path.rpartition("/")[0]
        if folder not in folders:
            os.makedirs(target + folder, exist_ok=True)
            folders.add(folder)
        try:
            os.link(source + path, target + path)
            linked += 1
        except FileNotFoundError:  # removed since the build (or by a build running now)
            continue
        except OSError:
            break
    return linked


class FirstBuild:
    """`seed` then `pipeline.build` of `preview`, in a forked child; `result()` waits for it.

    The child keeps its cache on disk in the preview's cache folder (persist), where
    the preview's next builds, in this process, find it. `close` are descriptors the
    child must not keep open (the preview's listening socket)."""

    def __init__(self, project: Config, preview: Config, close: tuple[int, ...] = ()):
        self._reader, writer = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: never returns into the caller's code
            try:
                os.setpgid(0, 0)
                for signum in (signal.SIGINT, signal.SIGTERM):
                    signal.signal(signum, signal.SIG_DFL)
                os.close(self._reader)
                for fd in close:
                    os.close(fd)
                outcome = _build(project, preview)
                with os.fdopen(writer, "wb") as pipe:
                    pipe.write(outcome)
            finally:
                os._exit(0)
        os.close(writer)
        try:
            os.setpgid(self.pid, self.pid)  # set in both: whichever runs first
        except OSError:
            pass

    def result(self) -> BuildResult:
        """The build's result; raises its SiteErrors, or RuntimeError if it crashed or was stopped."""
        result: BuildResult = read_outcome(self._reader, self.pid, "the first build stopped before it finished")
        return result

    def stop(self) -> None:
        """End the child and its rendering workers, if still running."""
        try:
            os.killpg(self.pid, signal.SIGTERM)
        except OSError:
            pass


def _build(project: Config, preview: Config) -> bytes:
    """Runs in the child: the outcome of seeding and building, pickled."""
    try:
        seed(project, preview)
        outcome: tuple[bool, object] = (True, pipeline.build(preview, persist=True, jobs=None, search_index=False,
                                                             future=True))
    except SiteErrors as exc:
        outcome = (False, exc)
    except BaseException as exc:  # noqa: BLE001 - a bug: handed over as text, with its traceback
        outcome = (False, RuntimeError(f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))
    return pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
