"""What the site writer knows of the files it wrote: site/ as the last build left it, and the spare.

The writer (output.py) owns this manifest: it records it after swapping its
folder in, or after a failed build, before it clears the spare's "unknown"
marker; nothing else changes it. A build reads it for three things: the no-op
check (is every file of site/ still as written?), the fingerprints it may keep
(those of the build the cache's shape and digests describe: `build` names it),
and which files the spare folder already holds.

Safe to lose, like the build cache: without it the next build renders every
page into a new folder, byte for byte the same site. It is kept in memory (the
preview's builds, `persist=False`) and, with `persist`, in .cache/ beside the
build cache, in a file of its own.
"""
from __future__ import annotations

import os
import pickle
from dataclasses import dataclass, field, replace
from pathlib import Path

from .fsutil import write_atomic
from .site_folder import output_key

Stamp = tuple[int, int, int]
"""(inode, mtime_ns, size) of a built file: any change to it, or its removal, shows."""

MANIFEST_VERSION = 1
"""A manifest of another layout is ignored, never half-trusted."""


@dataclass
class SiteManifest:
    version: int = MANIFEST_VERSION
    site: dict[str, tuple[str, Stamp | None]] = field(default_factory=dict)
    """Site path -> (fingerprint of what was written, its file stamp after writing).
    A file whose stamp changed since (deleted, edited by hand) is written again."""
    spare: dict[str, str] | None = None
    """What the spare folder holds (path -> fingerprint, `?` unknown); None: nothing known."""
    spare_stamps: dict[str, Stamp] = field(default_factory=dict)
    """The spare's files' stamps, where known: a file a build keeps there needs no new stat."""
    build: str = ""
    """Names the build that wrote `site`. The build cache records it beside that build's shape
    and digests (another file, saved after this one): a page's fingerprint is kept from here only
    while they belong together, and a build killed between the two saves is no no-op."""

    def intact(self, site_dir: Path) -> set[str]:
        """The site files still exactly as the last build left them (a stat of each)."""
        root = f"{site_dir}/"
        return {path for path, (_, recorded) in self.site.items()
                if recorded is not None and stamp_of(root + path) == recorded}

    def all_intact(self, intact: set[str]) -> bool:
        """site/ is whole and untouched since it was written (`intact` from `intact`)."""
        return bool(self.site) and len(intact) == len(self.site)

    def trusted_spare(self, intact: set[str]) -> dict[str, str] | None:
        """What the spare holds, as far as it can be trusted now. A site file changed since the
        last build may have been changed in place, and files carried over are hard links: the
        spare's copy may be that very file, so its version is unknown too."""
        if self.spare is None or len(intact) == len(self.site):
            return self.spare
        return {path: fingerprint if path in intact or path not in self.site else "?"
                for path, fingerprint in self.spare.items()}

    def swapped(self, site_dir: Path, written: dict[str, str], intact: set[str], had_site: bool,
                kept: set[str], mirrored: bool) -> SiteManifest:
        """After a build swapped its folder in: the previous site is the spare now (what it held,
        as far as we know it), and site/ holds `written`. Files the writer `kept` in its folder
        untouched keep the stamps recorded for them: they are not stat'ed again. A first build's
        spare is its `mirrored` copy of site/: the same files, hard-linked."""
        known = self._kept_stamps(kept)
        root = f"{site_dir}/"
        site = {path: (fingerprint, known.get(path) or stamp_of(root + path)) for path, fingerprint in written.items()}
        new = SiteManifest(site=site, build=os.urandom(8).hex())
        if mirrored:
            return new.mirrored()
        if had_site:
            new.spare = {path: (fingerprint if path in intact else "?") for path, (fingerprint, _) in self.site.items()}
            new.spare_stamps = {path: recorded for path in intact if (recorded := self.site[path][1])}
        return new

    def failed(self, spare: dict[str, str], kept: set[str]) -> SiteManifest:
        """After a failed build: site/ is as it was; the spare holds what the writer left in it
        (`spare`), and only the files it kept untouched still have known stamps."""
        return replace(self, spare=spare, spare_stamps=self._kept_stamps(kept))

    def _kept_stamps(self, kept: set[str]) -> dict[str, Stamp]:
        """The recorded stamps of the spare's files that a build left untouched."""
        return {path: self.spare_stamps[path] for path in kept if path in self.spare_stamps}

    def without_spare(self) -> SiteManifest:
        """The same site/, for a copy of it made elsewhere (the preview's): no spare there yet."""
        return replace(self, spare=None, spare_stamps={})

    def mirrored(self) -> SiteManifest:
        """The same, with a spare that is a complete copy of site/ (hard links)."""
        return replace(self, spare={path: fingerprint for path, (fingerprint, _) in self.site.items()},
                       spare_stamps={path: recorded for path, (_, recorded) in self.site.items() if recorded})


def stamp_of(path: str) -> Stamp | None:
    """The stamp of a file the engine wrote (a site file; for the preview, a content file import
    wrote), None if it is gone."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


_MEMORY: dict[Path, SiteManifest] = {}


def manifest_file(site_dir: Path, cache_dir: Path) -> Path:
    return cache_dir / f"site-{output_key(site_dir)}.pickle"


def load_manifest(site_dir: Path, cache_dir: Path) -> SiteManifest:
    """The manifest of this output folder: from memory (preview), else disk, else empty."""
    known = _MEMORY.get(site_dir.resolve())
    if known is not None:
        return known
    try:
        with manifest_file(site_dir, cache_dir).open("rb") as handle:
            stored = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return SiteManifest()
    current = isinstance(stored, SiteManifest) and getattr(stored, "version", None) == MANIFEST_VERSION
    return stored if current else SiteManifest()


def save_manifest(site_dir: Path, cache_dir: Path, manifest: SiteManifest, persist: bool) -> None:
    """Keep the manifest in memory and, with `persist`, on disk."""
    _MEMORY[site_dir.resolve()] = manifest
    if persist:
        cache_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(manifest_file(site_dir, cache_dir),
                     pickle.dumps(manifest, protocol=pickle.HIGHEST_PROTOCOL), durable=False)


def forget_memory(site_dir: Path | None = None) -> None:
    """Drop the manifests this process keeps in memory (of `site_dir`, or all)."""
    if site_dir is None:
        _MEMORY.clear()
    else:
        _MEMORY.pop(site_dir.resolve(), None)


def forget_manifest(site_dir: Path, cache_dir: Path) -> None:
    """Drop the manifest, from memory and disk."""
    forget_memory(site_dir)
    manifest_file(site_dir, cache_dir).unlink(missing_ok=True)
