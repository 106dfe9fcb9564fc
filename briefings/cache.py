"""What the last build knew, so the next one redoes only what changed.

Two memories, both safe to lose (delete `.cache/` and the next build is a
clean one, byte for byte the same):
- loaded content files, keyed by path and (mtime, size): unchanged files are
  not read or parsed again;
- a fingerprint per output page: the page's template sources, config, and a
  digest of the data its template gets. A page whose fingerprint is unchanged
  is not rendered; its previous file is carried over into the new site.
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from jinja2 import meta

from .config import Config
from .content import Briefing, FileEntry, stamp
from .fsutil import write_atomic
from .output import spare_folder

CACHE_VERSION = (3, tuple(f.name for f in dataclasses.fields(Briefing)))
"""A cache written by a different model is ignored, never half-trusted."""


@dataclass
class BuildCache:
    version: tuple = CACHE_VERSION
    files: dict[str, FileEntry] = field(default_factory=dict)
    outputs: dict[str, tuple[str, tuple[int, int, int] | None]] = field(default_factory=dict)
    """Site path -> (fingerprint of what was written, its file stamp after writing).

    A file whose stamp changed since (deleted, edited by hand) is written again."""
    inputs: str = ""
    """Signature of every input's (path, mtime, size): equal means nothing to do."""
    spare: dict[str, str] | None = None
    """What the spare folder beside site/ holds (path -> fingerprint, `?` unknown); see output.py."""
    loaded_with: str = ""
    """config.yaml's text when `files` were loaded: briefings take defaults (lang, topics)
    from it, so a config change means content is loaded again."""


_MEMORY: dict[Path, BuildCache] = {}


def cache_file(config: Config) -> Path:
    key = hashlib.sha256(str(config.site_dir.resolve()).encode()).hexdigest()[:12]
    return config.cache_dir / f"build-{key}.pickle"


def load_cache(config: Config) -> BuildCache:
    """The cache for this output folder: from memory (preview), else from disk, else empty."""
    cache = _load_cache(config)
    if cache.loaded_with != config.source_text:
        cache.files.clear()
        cache.loaded_with = config.source_text
    return cache


def _load_cache(config: Config) -> BuildCache:
    site = config.site_dir.resolve()
    if site in _MEMORY:
        return _MEMORY[site]
    try:
        with cache_file(config).open("rb") as handle:
            cache = pickle.load(handle)
        if isinstance(cache, BuildCache) and cache.version == CACHE_VERSION:
            return cache
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        pass
    return BuildCache()


def save_cache(config: Config, cache: BuildCache, persist: bool = True) -> None:
    _MEMORY[config.site_dir.resolve()] = cache
    if persist:
        write_atomic(cache_file(config), pickle.dumps(cache, protocol=pickle.HIGHEST_PROTOCOL))


def forget(config: Config) -> None:
    """Drop the cache and the spare folder of this output: the next build is a clean one."""
    _MEMORY.pop(config.site_dir.resolve(), None)
    cache_file(config).unlink(missing_ok=True)
    spare = spare_folder(config.site_dir, config.cache_dir)
    shutil.rmtree(spare, ignore_errors=True)
    spare.with_name(spare.name + ".unknown").unlink(missing_ok=True)


def output_stamp(path: Path) -> tuple[int, int, int] | None:
    """(inode, mtime_ns, size) of a built file: any change to it, or its removal, shows."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


def intact_outputs(site_dir: Path, cache: BuildCache) -> set[str]:
    """The site files still exactly as the last build left them."""
    return {path for path, (_, recorded) in cache.outputs.items()
            if recorded is not None and output_stamp(site_dir / path) == recorded}


def record_outputs(site_dir: Path, cache: BuildCache, prints: dict[str, str]) -> None:
    cache.outputs = {path: (fingerprint, output_stamp(site_dir / path)) for path, fingerprint in prints.items()}


def inputs_signature(config: Config, files: list[Path], extra: list[Path]) -> str:
    """One hash of the path, mtime and size of every input: content, templates, static, config."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(config.source_text.encode())
    digest.update(repr((config.base_url, config.link_style, str(config.site_dir))).encode())
    for path in [*files, *extra]:
        try:
            digest.update(f"{path}\0{stamp(path.stat())}\n".encode())
        except OSError:
            digest.update(f"{path}\0missing\n".encode())
    return digest.hexdigest()


class Fingerprints:
    """Fingerprints of pages: template closure + config + a digest of the page's data."""

    def __init__(self, env: jinja2.Environment, config: Config):
        self.env, self.config = env, config
        self._templates: dict[str, str] = {}
        self._memo: dict[int, bytes] = {}
        self._base = repr((config.source_text, config.base_url, config.link_style)).encode()

    @staticmethod
    def copy(source: Path) -> str:
        """A static file is copied as is: its source path and stamp identify its bytes."""
        try:
            return f"copy\0{source}\0{stamp(source.stat())}"
        except OSError:
            return f"copy\0{source}\0missing"

    def page(self, page) -> str:
        digest = hashlib.blake2b(self._base, digest_size=16)
        digest.update(f"{page.path}\0{page.template}\0{page.absolute_links}".encode())
        digest.update(self.template(page.template).encode())
        digest.update(self.data(page.context))
        return "page\0" + digest.hexdigest()

    def template(self, name: str) -> str:
        """Hash of a template and everything it extends, includes or imports."""
        if name not in self._templates:
            self._templates[name] = ""  # guards against cycles
            digest = hashlib.blake2b(digest_size=16)
            try:
                source, filename, _ = self.env.loader.get_source(self.env, name)
            except jinja2.TemplateNotFound:
                source, filename = "", "missing"
            digest.update(f"{filename}\0{source}".encode())
            try:
                referenced = sorted(n for n in meta.find_referenced_templates(self.env.parse(source)) if n)
            except jinja2.TemplateSyntaxError:
                referenced = []
            for child in referenced:
                digest.update(self.template(child).encode())
            self._templates[name] = digest.hexdigest()
        return self._templates[name]

    def data(self, value: object) -> bytes:
        """A digest of template data; briefings count by their content digest."""
        if isinstance(value, Briefing):  # its file's bytes, and where it lives (a rename moves it)
            return f"{value.digest}\0{value.file}\0{value.path}".encode()
        if isinstance(value, (str, int, float, bool, type(None))):
            return repr(value).encode()
        key = id(value)
        if key in self._memo:  # only long-lived model objects (topics, months, years) are memoised
            return self._memo[key]
        digest = hashlib.blake2b(type(value).__name__.encode(), digest_size=16)
        if isinstance(value, dict):
            for k in value:
                digest.update(repr(k).encode())
                digest.update(self.data(value[k]))
        elif isinstance(value, (list, tuple)):
            for item in value:
                digest.update(self.data(item))
        elif dataclasses.is_dataclass(value):
            for f in dataclasses.fields(value):
                digest.update(self.data(getattr(value, f.name)))
        else:
            digest.update(repr(value).encode())
        result = digest.digest()
        if dataclasses.is_dataclass(value):
            self._memo[key] = result
        return result
