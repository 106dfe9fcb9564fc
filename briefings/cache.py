"""What the last build knew, so the next one redoes only what changed.

What the content and the plan need, safe to lose (delete `.cache/` and the next
build is a clean one, byte for byte the same):
- loaded content files, keyed by path and (mtime, size): unchanged files are
  not read or parsed again; the related briefings chosen;
- the signature of every input, for the no-op check, and the shape and digests
  of the last build, which say whose fingerprints a page may keep (fingerprints.py).
What site/ and the spare folder hold, with each file's fingerprint, is the site
writer's own record (site_manifest.py).
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from .archive import RelatedMemo
from .config import Config
from .content import Briefing, FileEntry, stamp
from .engine import engine_stamp
from .errors import SiteError
from .fsutil import write_atomic
from .journal import Journal
from .output import forget_spare
from .schedule import Schedule
from .site_folder import output_key

CACHE_VERSION = (15, tuple(f.name for f in dataclasses.fields(Briefing)))
"""A cache written by a different model is ignored, never half-trusted."""


@dataclass
class BuildCache:
    version: tuple[int, tuple[str, ...]] = CACHE_VERSION
    site_build: str = ""
    """The site writer's name for the last build (SiteManifest.build): `shape`, `digests`,
    `inputs` and `index_key` describe the site it wrote only while the manifest has that name."""
    shape: str = ""
    """The shape (fingerprints.Fingerprints.shape) of the last build."""
    digests: dict[str, str] = field(default_factory=dict)
    """Content file -> digest of the briefing that build showed: what changed since."""
    inputs: str = ""
    """Signature of every input's (path, mtime, size): equal means nothing to do."""
    index_key: str = ""
    """Which briefing pages the live site's search index was made from (see pipeline)."""
    last: tuple[int, int, list[SiteError]] = (0, 0, [])
    """(briefings, pages, warnings) of the last build: what a no-op build reports."""
    schedule: Schedule = Schedule()
    """What the last build held back: a no-op build reports it, and once its next briefing's
    day has come the same inputs make another site, so the build is no no-op."""
    files: dict[str, FileEntry] = field(default_factory=dict, repr=False)
    """Loaded content files, kept in a file of their own: a no-op build never reads them."""
    loaded_with: str = ""
    """config.yaml's text when `files` were loaded: briefings take defaults (lang, topics)
    from it, so a config change means content is loaded again."""
    saved: dict[str, FileEntry] = field(default_factory=dict, repr=False)
    """What the content cache on disk holds, as far as this process knows: the next save
    appends only the difference to its journal."""
    token: str = ""
    """Names the content cache file on disk; journal entries carry it, so entries written
    against an older (or another process's) file are never applied to a newer one."""
    journaled: int = 0
    """Entries in the journal since the content cache file was written whole."""
    related: RelatedMemo | None = field(default=None, repr=False)
    """Related briefings of the last build (see archive.RelatedMemo), kept in a file of their own."""
    related_saved: str = ""
    """The key of the related briefings in that file."""


_MEMORY: dict[Path, BuildCache] = {}


def _key(config: Config) -> str:
    return output_key(config.site_dir)


def cache_file(config: Config) -> Path:
    return config.cache_dir / f"build-{_key(config)}.pickle"


def content_cache_file(config: Config) -> Path:
    return config.cache_dir / f"content-{_key(config)}.pickle"


def content_journal_file(config: Config) -> Path:
    return config.cache_dir / f"content-{_key(config)}.journal"


def related_file(config: Config) -> Path:
    return config.cache_dir / f"related-{_key(config)}.pickle"


JOURNAL_SHARE = 10
"""The journal is folded into a new content cache file once it holds more than a tenth
of the entries (and more than JOURNAL_MIN): loading stays fast, saving one edit costs
an append instead of rewriting every briefing."""
JOURNAL_MIN = 200


def load_cache(config: Config) -> BuildCache:
    """The build state for this output folder: from memory (preview), else disk, else empty.

    Content entries are not read here; `load_files` reads them when a build needs them.
    """
    site = config.site_dir.resolve()
    if site in _MEMORY:
        return _MEMORY[site]
    cache = _unpickle(cache_file(config))
    if (isinstance(cache, BuildCache) and cache.version == CACHE_VERSION
            and all(hasattr(cache, f.name) for f in dataclasses.fields(BuildCache))):
        return cache
    return BuildCache()


def preload(config: Config) -> None:
    """Read this output's cache, content entries included, into memory: the preview does it
    once its first build (in another process) is done, so that its next build need not."""
    cache = load_cache(config)
    load_files(config, cache)
    _MEMORY[config.site_dir.resolve()] = cache


def load_files(config: Config, cache: BuildCache) -> None:
    """Fill `cache.files` (from disk unless already in memory), dropped if config.yaml changed."""
    if not cache.files and not cache.token:
        stored = _unpickle(content_cache_file(config))
        if isinstance(stored, tuple) and len(stored) == 4 and stored[0] == CACHE_VERSION:
            _, cache.token, cache.loaded_with, cache.files = stored
            cache.journaled = _replay_journal(content_journal_file(config), cache.token, cache.files)
            cache.saved = dict(cache.files)
        related = _unpickle(related_file(config))
        if isinstance(related, RelatedMemo) and all(hasattr(related, f.name) for f in dataclasses.fields(related)):
            cache.related, cache.related_saved = related, related.key
    if cache.loaded_with != config.source_text:
        cache.files.clear()
        cache.loaded_with = config.source_text


def _replay_journal(path: Path, token: str, files: dict[str, FileEntry]) -> int:
    """Apply the journal's entries written against this content cache file (`token`).
    Returns how many there were; a damaged journal (a build killed mid-append) is applied
    up to the damage and counts as full, so the next save writes the cache whole.

    Losing entries is safe: an entry only stands for a file whose mtime and size
    still match, and a file without one is read again."""
    frames, damaged = Journal(path).read(_frame)
    applied = 0
    for frame_token, changes in frames:
        if frame_token == token:
            for key, entry in changes:
                if entry is None:
                    files.pop(key, None)
                else:
                    files[key] = entry
            applied += len(changes)
    return JOURNAL_DAMAGED if damaged else applied


def _frame(stream: BinaryIO) -> tuple[str, list[tuple[str, FileEntry | None]]]:
    """One journal entry: (token, the changes as (key, entry or None) pairs); a foreign one raises."""
    token, changes = pickle.load(stream)
    return token, list(changes.items())


JOURNAL_DAMAGED = 1 << 40


def save_cache(config: Config, cache: BuildCache, persist: bool = True) -> None:
    """Keep the cache in memory and, with `persist`, on disk."""
    _MEMORY[config.site_dir.resolve()] = cache
    if persist:
        save_content(config, cache)
        save_state(config, cache)


def save_state(config: Config, cache: BuildCache) -> None:
    """Write the cache without its content entries and related briefings (files of their own)."""
    state = dataclasses.replace(cache, files={}, loaded_with="", saved={}, token="", journaled=0,
                                related=None, related_saved="")
    write_atomic(cache_file(config), pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL), durable=False)


def save_content(config: Config, cache: BuildCache) -> None:
    """Save the loaded content files' entries and the related briefings, where they changed.

    Briefings hold no body (see `content.read_body`), which keeps the file small
    enough to load in a fraction of a second at 100,000 briefings. Entries that
    changed since the last save are appended to a journal; the whole content
    cache is written again only when the journal grows long.
    (Pickling that whole write in a forked process, hidden behind the rest of the
    build, was measured and removed: no gain on a cold build at 10,000 briefings.)
    """
    related = cache.related if cache.related is not None and cache.related.key != cache.related_saved else None
    changes = _changes(cache.saved, cache.files)
    if related is None and not changes and cache.token:
        return
    saved = dict(cache.files)
    journal = bool(cache.token) and cache.journaled + len(changes) <= max(JOURNAL_MIN, len(saved) // JOURNAL_SHARE)
    token = cache.token if journal else os.urandom(8).hex()
    _write_content(config, related, token, changes if journal else None, cache.loaded_with, saved)
    if related is not None:
        cache.related_saved = related.key
    cache.token, cache.journaled = token, (cache.journaled + len(changes) if journal else 0)
    cache.saved = saved


def _changes(before: dict[str, FileEntry], now: dict[str, FileEntry]) -> dict[str, FileEntry | None]:
    """The entries added or replaced since the last save, and None for those removed."""
    changes: dict[str, FileEntry | None] = {key: entry for key, entry in now.items() if before.get(key) is not entry}
    changes.update((key, None) for key in before.keys() - now.keys())
    return changes


def _write_content(config: Config, related: RelatedMemo | None, token: str,
                   changes: dict[str, FileEntry | None] | None, loaded_with: str, files: dict[str, FileEntry]) -> None:
    """Write the related briefings when given, then the content entries: `changes` appended
    to the journal, or, when `changes` is None, every entry in a new content cache file
    under `token`."""
    if related is not None:
        write_atomic(related_file(config), pickle.dumps(related, protocol=pickle.HIGHEST_PROTOCOL), durable=False)
    if changes is None:
        data = pickle.dumps((CACHE_VERSION, token, loaded_with, files), protocol=pickle.HIGHEST_PROTOCOL)
        write_atomic(content_cache_file(config), data, durable=False)
        content_journal_file(config).unlink(missing_ok=True)
    elif changes:
        journal = Journal(content_journal_file(config))
        journal.append(pickle.dumps((token, changes), protocol=pickle.HIGHEST_PROTOCOL))
        journal.close()


def _unpickle(path: Path) -> object:
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None


def forget(config: Config) -> None:
    """Drop the cache, the spare folder and its manifest of this output: the next build is a clean one."""
    forget_memory(config.site_dir)
    cache_file(config).unlink(missing_ok=True)
    content_cache_file(config).unlink(missing_ok=True)
    content_journal_file(config).unlink(missing_ok=True)
    related_file(config).unlink(missing_ok=True)
    forget_spare(config.site_dir, config.cache_dir)


def forget_memory(site_dir: Path | None = None) -> None:
    """Drop the caches this process keeps in memory (of `site_dir`'s builds, or all)."""
    if site_dir is None:
        _MEMORY.clear()
    else:
        _MEMORY.pop(site_dir.resolve(), None)


def inputs_signature(config: Config, content: dict[str, tuple[int, int]], extra: list[Path]) -> str:
    """One hash of the path, mtime and size of every input: content (already stamped),
    templates, static files, config, and the engine's own code (an upgrade is no no-op)."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(engine_stamp().encode())
    digest.update(repr((config.output_settings(), str(config.site_dir))).encode())
    digest.update(repr(content).encode())
    digest.update(files_signature(extra).encode())
    return digest.hexdigest()


def files_signature(paths: list[Path]) -> str:
    """One hash of the path, mtime and size of each file: equal means the same files."""
    digest = hashlib.blake2b(digest_size=16)
    for path in paths:
        try:
            digest.update(f"{path}\0{stamp(os.stat(path))}\n".encode())
        except OSError:
            digest.update(f"{path}\0missing\n".encode())
    return digest.hexdigest()
