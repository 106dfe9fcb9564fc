"""The build, top to bottom: load -> model -> plan -> render -> write.

Loading and planning write nothing; the writer builds into a temporary folder
and swaps it in only when every page rendered, so a failed build leaves the
previous site untouched.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from .archive import Archive, build_archive
from .config import Config
from .content import load_content
from .errors import SiteError, SiteErrors
from .output import SiteWriter
from .plan import Page, plan_site
from .render import Renderer, static_dirs


@dataclass
class BuildResult:
    briefings: int
    pages: int
    seconds: float
    warnings: list[SiteError] = field(default_factory=list)

    def summary(self) -> str:
        return f"{self.briefings:,} briefings → {self.pages:,} pages in {self.seconds:.2f} s"


def load(config: Config, strict: bool = False) -> tuple[Archive, list[Page], Renderer, list[SiteError]]:
    """Everything a build needs, read and checked, with nothing written; raises on errors."""
    briefings, problems = load_content(config)
    renderer = Renderer(config, strict=strict)
    problems += renderer.check_templates()
    errors = [p for p in problems if not p.warning]
    if errors:
        raise SiteErrors(problems)
    archive = build_archive(briefings, config)
    return archive, plan_site(archive, config), renderer, problems


def render_all(pages: list[Page], renderer: Renderer, write) -> None:
    """Render every page, handing bytes to `write`; collect every template error, once each."""
    errors: dict[str, SiteError] = {}
    for page in pages:
        try:
            data = renderer.render(page)
        except SiteErrors as exc:
            for error in exc.errors:
                errors.setdefault(f"{error.path}:{error.line}:{error.message.split(' while ')[0]}", error)
            continue
        if not errors:
            write(page.path, data)
    if errors:
        raise SiteErrors(list(errors.values()))


def build(config: Config, strict: bool = False, changed: set[Path] | None = None) -> BuildResult:
    """A complete build into config.site_dir; raises SiteErrors and keeps the old site on failure.

    `changed` names the files that changed since the last build (from the
    preview's watcher); it is a hint for incremental builds and may be None.
    """
    start = time.perf_counter()
    archive, pages, renderer, warnings = load(config, strict)
    with SiteWriter(config.site_dir) as writer:
        render_all(pages, renderer, writer.write)
        for source in static_dirs(config):
            writer.copy_tree(source, "static")
        writer.write(".nojekyll", b"")
        writer.commit()
    return BuildResult(len(archive.briefings), len(pages), time.perf_counter() - start, warnings)


def check(config: Config) -> list[SiteError]:
    """Load and render everything in memory, writing nothing; return warnings, raise errors."""
    archive, pages, renderer, warnings = load(config, strict=True)
    render_all(pages, renderer, lambda path, data: None)
    return warnings
