"""The build, top to bottom: load -> model -> plan -> render -> write.

Loading and planning write nothing; the writer builds into a temporary folder
and swaps it in only when every page rendered, so a failed build leaves the
previous site untouched. The build cache (cache.py) lets unchanged content
skip parsing and unchanged pages skip rendering; the result is byte for byte
what a clean build gives.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from . import cache as build_cache
from .archive import Archive, build_archive
from .config import Config
from .content import content_files, load_content
from .errors import SiteError, SiteErrors
from .output import SiteWriter, static_files, update_in_place
from .plan import Page, plan_site
from .render import Renderer, static_dirs, template_dirs


@dataclass
class BuildResult:
    briefings: int
    pages: int
    seconds: float
    warnings: list[SiteError] = field(default_factory=list)
    rendered: int = 0
    """Pages rendered this time; the others were carried over unchanged."""

    def summary(self) -> str:
        redone = "" if self.rendered == self.pages else f" ({self.rendered:,} rendered)"
        return f"{self.briefings:,} briefings → {self.pages:,} pages{redone} in {self.seconds:.2f} s"


def load(config: Config, strict: bool = False, files: dict | None = None
         ) -> tuple[Archive, list[Page], Renderer, list[SiteError]]:
    """Everything a build needs, read and checked, with nothing written; raises on errors."""
    briefings, problems = load_content(config, cache=files)
    renderer = Renderer(config, strict=strict)
    problems += renderer.check_templates()
    errors = [p for p in problems if not p.warning]
    if errors:
        raise SiteErrors(problems)
    archive = build_archive(briefings, config)
    return archive, plan_site(archive, config), renderer, problems


def render_all(pages: list[Page], renderer: Renderer, write, skip=lambda page: False) -> int:
    """Render every page `skip` does not carry over, handing bytes to `write`.

    Every template error is collected, once each, and raised together.
    Returns how many pages were rendered.
    """
    errors: dict[str, SiteError] = {}
    rendered = 0
    for page in pages:
        if skip(page):
            continue
        try:
            data = renderer.render(page)
        except SiteErrors as exc:
            for error in exc.errors:
                errors.setdefault(f"{error.path}:{error.line}:{error.message.split(' while ')[0]}", error)
            continue
        rendered += 1
        if not errors:
            write(page.path, data)
    if errors:
        raise SiteErrors(list(errors.values()))
    return rendered


def _inputs(config: Config) -> list[Path]:
    """Template and static files: with content files and config, every input of a build."""
    return sorted(p for d in [*template_dirs(config), *static_dirs(config)] if d.is_dir()
                  for p in d.rglob("*") if p.is_file())


def build(config: Config, strict: bool = False, changed: set[Path] | None = None,
          persist: bool = True) -> BuildResult:
    """Build into config.site_dir; raises SiteErrors and keeps the old site on failure.

    `changed` (from the preview's watcher) is informational: what changed is
    found from file stamps and fingerprints, which also catch edits made while
    no watcher ran. `persist=False` keeps the cache in memory only.
    """
    start = time.perf_counter()
    cache = build_cache.load_cache(config)
    files = content_files(config)
    signature = build_cache.inputs_signature(config, files, _inputs(config))
    if signature == cache.inputs and build_cache.site_stamp(config.site_dir) == cache.site_stamp:
        kept = [e for e in cache.files.values() if e.briefing and not e.briefing.draft]
        return BuildResult(len(kept), len(cache.pages), time.perf_counter() - start,
                           [p for e in cache.files.values() for p in e.problems])
    archive, pages, renderer, warnings = load(config, strict, cache.files)
    fingerprints = build_cache.Fingerprints(renderer.env, config)
    prints = {page.path: fingerprints.page(page) for page in pages}
    extras = {".nojekyll": b""}
    statics = static_files(static_dirs(config), "static")
    stale = [page for page in pages if cache.pages.get(page.path) != prints[page.path]]
    if _can_update_in_place(config, cache, len(stale), len(pages)):
        rendered: dict[str, bytes] = {}
        render_all(stale, renderer, rendered.__setitem__)
        rendered.update({path: data for path, data in extras.items()
                         if not (config.site_dir / path).is_file()})
        rendered.update({path: source.read_bytes() for path, source in statics.items()
                         if _differs(source, config.site_dir / path)})
        update_in_place(config.site_dir, rendered, set(cache.pages) - set(prints))
        count = len(stale)
    else:
        with SiteWriter(config.site_dir) as writer:
            unchanged = lambda page: cache.pages.get(page.path) == prints[page.path] and writer.carry_over(page.path)
            count = render_all(pages, renderer, writer.write, skip=unchanged)
            for path, source in statics.items():
                writer.copy_file(path, source)
            for path, data in extras.items():
                writer.write(path, data)
            writer.commit()
    cache.pages, cache.inputs = prints, signature
    cache.site_stamp = build_cache.site_stamp(config.site_dir)
    build_cache.save_cache(config, cache, persist)
    return BuildResult(len(archive.briefings), len(pages), time.perf_counter() - start, warnings, count)


IN_PLACE_LIMIT = 0.2
"""Above this share of changed pages, a build goes through a fresh folder swapped in whole."""


def _can_update_in_place(config: Config, cache: build_cache.BuildCache, stale: int, total: int) -> bool:
    """Few changes to the site the cache describes: replace those files one by one.

    Each file is replaced atomically and only after every page rendered, so a
    failed build still leaves the previous site as it was.
    """
    return (cache.site_stamp is not None and build_cache.site_stamp(config.site_dir) == cache.site_stamp
            and stale <= max(50, int(total * IN_PLACE_LIMIT)))


def _differs(source: Path, target: Path) -> bool:
    try:
        return source.read_bytes() != target.read_bytes()
    except OSError:
        return True


def check(config: Config) -> list[SiteError]:
    """Load and render everything in memory, writing nothing; return warnings, raise errors."""
    archive, pages, renderer, warnings = load(config, strict=True)
    render_all(pages, renderer, lambda path, data: None)
    return warnings
