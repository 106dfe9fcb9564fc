"""The build, top to bottom: survey -> load -> decide -> write -> record (see `_build`).

The survey compares what is on disk with what the last build left: the build
cache (cache.py: content, plan, signature of the inputs) and the site writer's
manifest (site_manifest.py: what site/ and the spare hold). Loading and deciding
write nothing; the writer builds into a spare or temporary folder and swaps it
in only when every page rendered, so a failed build leaves the previous site
untouched. Unchanged content skips parsing and unchanged pages skip rendering;
the result is byte for byte what a clean build gives.

Jinja2, markdown-it and the search indexer are imported by the steps that
use them, not at the top: a build with nothing to do never needs them, and
importing them was a third of its time.
"""
from __future__ import annotations

import datetime as dt
import gc
import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import cache as build_cache
from .archive import Archive, RelatedMemo, build_archive, one_spelling, related_memo
from .config import Config
from .content import Briefing, FileEntry, content_stamps, load_content, stale_files
from .errors import SiteError, SiteErrors, display_path
from .links import dead_links, moved_pages, resolve_links
from .output import SiteWriter, static_files
from .plan import Page, media_collisions, media_files, path_collisions, plan_site
from .schedule import Schedule, schedule, site_today
from .site_folder import MARKER_TEXT, SITE_MARKER, build_lock, check_site_folder
from .site_manifest import SiteManifest, load_manifest
from .site_manifest import forget_memory as forget_site_memory
from .theme import static_dirs, template_dirs
from .workers import in_background, map_slices

if TYPE_CHECKING:
    from .render import Renderer


@dataclass
class BuildResult:
    briefings: int
    pages: int
    seconds: float
    warnings: list[SiteError] = field(default_factory=list)
    rendered: int = 0
    """Pages rendered this time; the others were carried over unchanged."""
    parsed: int = 0
    """Content files read and parsed this time; the others came from the build cache."""
    bodies: int = 0
    """Bodies rendered from Markdown this time; the others came from the body store."""
    schedule: Schedule = Schedule()
    """Scheduled briefings held back, and when the next comes out."""

    def summary(self) -> str:
        redone = "" if self.rendered == self.pages else f" ({self.rendered:,} rendered)"
        return f"{self.briefings:,} briefings → {self.pages:,} pages{redone} in {self.seconds:.2f} s"


Progress = Callable[[int, int], None]
"""Told `(done, total)` as pages are rendered (see progress.py)."""
Write = Callable[[str, bytes], None]
"""Takes a rendered page's site path and bytes."""


def load(config: Config, strict: bool = False, entries: dict[str, FileEntry] | None = None,
         stamps: dict[str, tuple[int, int]] | None = None, jobs: int | None = 1,
         compiled_cache: Path | None = None, related: RelatedMemo | None = None,
         today: dt.date | None = None, future: bool = False
         ) -> tuple[Archive, list[Page], Renderer, list[SiteError], Schedule]:
    """Everything a build needs, read and checked, with nothing written but compiled templates
    in `compiled_cache` when given; raises on errors.

    `entries` is the build cache's record of content files, `stamps` the content
    files when the caller has listed them already, `jobs` how many processes read them,
    `related` the related briefings of the last build (reused if still right). Briefings
    dated after `today` (default: the site's today) are held back, or with `future` shown
    marked as scheduled (see schedule.py)."""
    from .render import renderer_for
    loaded, problems = load_content(config, stamps, cache=entries, jobs=jobs)
    briefings, held = schedule(loaded, today or site_today(config), future)
    briefings, link_warnings = resolve_links(one_spelling(briefings))
    problems += link_warnings
    renderer = renderer_for(config, strict=strict, compiled_cache=compiled_cache)
    problems += renderer.check_templates()
    errors = [p for p in problems if not p.warning]
    if errors:
        raise SiteErrors(problems)
    archive = build_archive(briefings, config, related)
    pages = plan_site(archive, config)
    statics = static_files(static_dirs(config), "static")
    collisions = path_collisions(pages) + media_collisions(archive, pages, statics)
    if collisions:
        raise SiteErrors(problems + collisions)
    if linking := [b for b in (*archive.briefings, *archive.pages) if b.site_links]:
        problems += dead_links(linking, {page.path for page in pages} | statics.keys() | media_files(archive).keys())
    return archive, pages, renderer, problems, held


def render_all(pages: list[Page], renderer: Renderer, write: Write, skip: Callable[[Page], bool] = lambda page: False,
               adopt: Callable[[str], None] | None = None, jobs: int | None = 1,
               progress: Progress | None = None) -> tuple[int, int]:
    """Render every page `skip` does not carry over, handing bytes to `write`.

    With more than one job (`jobs=None`: as many as the cores and the work
    allow), pages are rendered and written by forked workers; `adopt(path)`
    then tells the parent what they wrote. Every template error is collected,
    once each, and raised together. `progress(done, total)` hears how it goes.
    Returns how many pages were rendered, and how many bodies went through markdown-it.
    """
    todo = [page for page in pages if not skip(page)]
    todo.sort(key=lambda page: not _heavy(page))  # heavy pages first; a stable sort keeps the rest in order

    def render_slice(chunk: Iterable[Page]) -> tuple[list[str], list[SiteError], int]:
        return _render_slice(chunk, renderer, write)

    report = (lambda done: progress(done, len(todo))) if progress else None
    results = map_slices(render_slice, todo, jobs if adopt else 1, report)
    for index, (written, _, _) in enumerate(results):
        if adopt and index > 0:  # written by a worker process (the first slice is this one's)
            for path in written:
                adopt(path)
    errors: dict[str, SiteError] = {}  # which process met which error varies: sorted, then once each
    for error in sorted((e for _, found, _ in results for e in found), key=lambda e: (e.path, e.line or 0, e.message)):
        errors.setdefault(f"{error.path}:{error.line}:{error.message.split(' while ')[0]}", error)
    if errors:
        raise SiteErrors(list(errors.values()))
    return len(todo), sum(bodies for _, _, bodies in results)


def _heavy(page: Page) -> bool:
    """Pages that show many briefings (the sitemap, month pages: at 100,000 briefings up to
    half a second each) are rendered first, so that no process is left rendering one while
    the others are done; the others keep the plan's order, neighbours together."""
    return page.weight > HEAVY_PAGE


HEAVY_PAGE = 100
"""Briefings shown, above which a page counts as heavy."""


def _render_slice(pages: Iterable[Page], renderer: Renderer, write: Write) -> tuple[list[str], list[SiteError], int]:
    """Render pages in order; after the first error, go on rendering (to report every
    problem) but stop writing. Returns the paths written, the errors, and the bodies rendered."""
    bodies = renderer.markdown_runs
    written: list[str] = []
    errors: list[SiteError] = []
    for page in pages:
        try:
            data = renderer.render(page)
        except SiteErrors as exc:
            errors.extend(exc.errors)
            continue
        if not errors:
            write(page.path, data)
            written.append(page.path)
    renderer.flush()
    return written, errors, renderer.markdown_runs - bodies


def _files_under(folders: list[Path]) -> list[Path]:
    """Template or static files: with content files and config, every input of a build."""
    return sorted(p for d in folders if d.is_dir() for p in d.rglob("*") if p.is_file())


def build(config: Config, strict: bool = False,
          persist: bool = True, jobs: int | None = None, search_index: bool = True,
          progress: Progress | None = None, force: bool = False, wait: bool = True,
          future: bool = False) -> BuildResult:
    """Build into config.site_dir; raises SiteErrors and keeps the old site on failure.

    What changed is found from file stamps and fingerprints (not from the preview's
    watcher), which also catch edits made while no watcher ran. `persist=False` keeps the cache
    in memory only. `jobs` is the number of processes rendering pages (None: all cores for large builds;
    the preview passes 1, since forking a process that runs threads is unsafe).
    `search_index=False` skips the search index (the preview does: indexing a
    large archive takes seconds; the index is redone only when briefing pages change).
    `progress(done, total)` is told how rendering goes (see progress.py).
    `future` includes briefings dated after today, marked as scheduled (the preview's way);
    without it they are held back, and the build is no no-op once the next one's day came.
    The output folder must be one a build may replace (see site_folder.py; `force` replaces
    a folder of someone else's files); the build holds its lock, waiting for another build
    to finish, or failing at once when not `wait`.
    """
    check_site_folder(config.site_dir, config.root, config.cache_dir, force,
                      known=build_cache.cache_file(config).exists())  # before the lock: refused, it writes nothing
    with build_lock(config.site_dir, config.cache_dir, wait), _collector_paused():
        return _build(config, _Options(strict, persist, jobs, search_index, future, progress))


def _build(config: Config, options: _Options) -> BuildResult:
    """Survey -> load -> decide -> write -> record: each step takes what the ones before returned,
    so none can run before what it needs. A failed write still records the content loaded."""
    start = time.perf_counter()
    surveyed = _survey(config, options)
    if surveyed.nothing_to_do():
        return surveyed.last_result(time.perf_counter() - start)
    loaded = _load(config, surveyed, options)
    plan = _decide(config, surveyed, loaded)
    try:
        written = _write(config, surveyed, loaded, plan, options)
    except BaseException:
        _record(config, surveyed, loaded, plan, None, options)
        raise
    _record(config, surveyed, loaded, plan, written, options)
    return BuildResult(len(loaded.archive.briefings), len(loaded.pages), time.perf_counter() - start,
                       loaded.warnings, written.rendered, loaded.parsed, written.bodies, loaded.held)


@dataclass(frozen=True)
class _Options:
    """How `build` was asked to build."""
    strict: bool
    persist: bool
    jobs: int | None
    search_index: bool
    future: bool
    progress: Progress | None

    @property
    def signature(self) -> str:
        """What a build's signature ends with: a build with other options is no no-op."""
        return _options(self.search_index, self.strict, self.future)


@dataclass
class OnDisk:
    """What is on disk now: the content files' stamps, the template files, the signature of
    every input (with the build options), and the site files still as the last build left them."""
    stamps: dict[str, tuple[int, int]]
    templates: list[Path]
    signature: str
    intact: set[str]


@dataclass
class _Surveyed:
    """Step 1, the survey: what the last build left (the cache, with content entries loaded,
    and the writer's manifest), what is on disk now, and the site's today."""
    cache: build_cache.BuildCache
    manifest: SiteManifest
    now: OnDisk
    today: dt.date

    def nothing_to_do(self) -> bool:
        return _current(self.cache, self.manifest, (self.now.signature,), self.now.intact, self.today)

    def last_result(self, seconds: float) -> BuildResult:
        """What a no-op build reports: the last build's counts and warnings."""
        briefings, pages, warnings = self.cache.last
        return BuildResult(briefings, pages, seconds, list(warnings), schedule=self.cache.schedule)

    def site_is_cached_build(self) -> bool:
        """The cache's shape, digests and search index key describe the build that wrote site/
        (they live in two files: a build killed between their saves leaves them apart)."""
        return self.manifest.build == self.cache.site_build


def _survey(config: Config, options: _Options) -> _Surveyed:
    """Load the last build's state and stat what is on disk now. The stat runs in a forked process
    for large sites, while this one loads the content entries and the renderer's modules
    (what a build needs unless it is a no-op)."""
    cache = build_cache.load_cache(config)
    manifest = load_manifest(config.site_dir, config.cache_dir)
    survey = in_background(lambda: _on_disk(config, manifest, options.signature),
                           fork=options.jobs != 1 and len(manifest.site) >= BACKGROUND_SURVEY_FROM)
    try:
        build_cache.load_files(config, cache)
        from . import render  # noqa: F401  (Jinja2 and markdown-it, for the renderer: in parallel too)
    finally:
        now = survey()
    return _Surveyed(cache, manifest, now, site_today(config))


@dataclass
class _Loaded:
    """Step 2: the model, the pages and the renderer; the content entries' save under way."""
    archive: Archive
    pages: list[Page]
    renderer: Renderer
    warnings: list[SiteError]
    held: Schedule
    parsed: int
    """Content files parsed this time."""


def _load(config: Config, surveyed: _Surveyed, options: _Options) -> _Loaded:
    """Load and check everything (raises on errors), with the related briefings chosen
    (`_record` saves both for the next build)."""
    cache = surveyed.cache
    stale = stale_files(surveyed.now.stamps, cache.files)
    before, new = _as_last_built(config, cache.files, surveyed.now.stamps, stale)  # loading replaces entries
    archive, pages, renderer, warnings, held = load(config, options.strict, cache.files, surveyed.now.stamps,
                                                     options.jobs,
                                                     config.cache_dir / "templates" if options.persist else None,
                                                     cache.related, surveyed.today, options.future)
    if cache.related is None or cache.related.key != archive.shape_key:
        cache.related = related_memo(archive, config.related)
    warnings += moved_pages(before, new, (*archive.briefings, *archive.pages), surveyed.manifest.site, pages)
    return _Loaded(archive, pages, renderer, warnings, held, len(stale))


def _as_last_built(config: Config, files: dict[str, FileEntry], stamps: dict[str, tuple[int, int]],
                   stale: list[str]) -> tuple[dict[str, Briefing], set[str]]:
    """What `moved_pages` compares with: the briefings of the content files read again this
    time, or gone, as the last build had them, by content file; and the files new since."""
    gone = [key for key in files if key not in stamps]
    before = {entry.briefing.file: entry.briefing for key in (*stale, *gone)
              if (entry := files.get(key)) is not None and entry.briefing is not None}
    return before, {display_path(Path(key), config.root) for key in stale if key not in files}


@dataclass
class _Plan:
    """Step 3: every site file and the fingerprint of what belongs there."""
    copies: dict[str, Path]
    """Site path -> static or media file copied there."""
    prints: dict[str, str]
    shape: str


def _decide(config: Config, surveyed: _Surveyed, loaded: _Loaded) -> _Plan:
    """What every file of the site must hold (see `_fingerprints`); writes nothing."""
    copies = static_files(static_dirs(config), "static")
    copies.update((path, config.content_dir / source) for path, source in media_files(loaded.archive).items())
    prints, shape = _fingerprints(loaded.pages, copies, loaded.renderer, config, loaded.archive, surveyed)
    return _Plan(copies, prints, shape)


@dataclass
class _Written:
    """Step 4: the site swapped in."""
    rendered: int
    bodies: int
    """Bodies rendered from Markdown."""
    index_key: str
    """What the search index was made from (see `_index`)."""
    build: str
    """The writer's name for this build (SiteManifest.build)."""


def _write(config: Config, surveyed: _Surveyed, loaded: _Loaded, plan: _Plan, options: _Options) -> _Written:
    """Fill the writer's folder and swap it in; on failure the old site stays, untouched.
    The writer records what site/ and its spare hold (site_manifest.py) either way."""
    _collect_render_garbage()
    writer = SiteWriter(config.site_dir, config.cache_dir, surveyed.manifest, surveyed.now.intact, options.persist)
    live_key = ((surveyed.cache.index_key if surveyed.site_is_cached_build() else "")
                if options.search_index else None)
    try:
        rendered, bodies = _fill(writer, loaded.pages, plan.copies, plan.prints, loaded.renderer,
                                 options.jobs, options.progress)
        index_key = _index(writer, loaded.pages, plan.prints, config, loaded.archive, loaded.renderer, live_key)
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    finally:
        writer.empty_trash(in_background=options.jobs != 1)
    return _Written(rendered, bodies, index_key, writer.manifest.build)


def _record(config: Config, surveyed: _Surveyed, loaded: _Loaded, plan: _Plan, written: _Written | None,
            options: _Options) -> None:
    """Step 5: save what the next build needs to redo only what changes: always the content
    entries and memos; after a build that swapped its site in (`written`), what it was made of."""
    cache = surveyed.cache
    if written is not None:
        cache.site_build, cache.shape = written.build, plan.shape
        cache.digests = {b.file: b.digest for b in (*loaded.archive.briefings, *loaded.archive.pages)}
        cache.inputs, cache.index_key, cache.schedule = surveyed.now.signature, written.index_key, loaded.held
        cache.last = (len(loaded.archive.briefings), len(loaded.pages), loaded.warnings)
    build_cache.save_cache(config, cache, options.persist)
    if written is not None and loaded.renderer.bodies:
        loaded.renderer.bodies.prune(b.digest for b in (*loaded.archive.briefings, *loaded.archive.pages))


BACKGROUND_SURVEY_FROM = 2000
"""Site files from which `_on_disk` runs in a forked process while this one loads the cache:
a stat of every content and site file takes 70 ms at 10,000 briefings, a fork 3 ms."""


def _options(search_index: bool, strict: bool, future: bool = False) -> str:
    """The build options a build's signature ends with: a build with others is no no-op."""
    return f"/{search_index}/{strict}" + ("/future" if future else "")


def _current(cache: build_cache.BuildCache, manifest: SiteManifest, signatures: tuple[str, ...],
             intact: set[str], today: dt.date) -> bool:
    """The no-op rule: the last build was made from these inputs (one of `signatures`), site/ is
    still whole as it wrote it, and no scheduled briefing's day has come since."""
    return (cache.inputs in signatures and manifest.build == cache.site_build and manifest.all_intact(intact)
            and not cache.schedule.came_due(today))


def up_to_date(config: Config, cache: build_cache.BuildCache, manifest: SiteManifest) -> bool:
    """The no-op check of a build without --strict, with search or without: `build` would
    find nothing to do (what the preview asks of the project's last build, for its own
    has no search index and is not strict)."""
    now = _on_disk(config, manifest, "")
    return _current(cache, manifest, (now.signature + _options(True, False), now.signature + _options(False, False)),
                    now.intact, site_today(config))


def preview_signature(config: Config) -> str:
    """The signature a preview build (no search index, not strict, future included) of `config` records."""
    return _on_disk(config, SiteManifest(), _options(False, False, future=True)).signature


def forget_memory(site_dir: Path | None = None, renderers: bool = True) -> None:
    """Forget what this process keeps in memory between builds (the preview's way): the build
    cache and site manifest of `site_dir` (of every site when None) and, with `renderers`, the
    Jinja2 renderer. The next build then starts from .cache/, as a new build.py process does."""
    build_cache.forget_memory(site_dir)
    forget_site_memory(site_dir)
    if renderers:
        from .render import forget_renderers
        forget_renderers()


def _on_disk(config: Config, manifest: SiteManifest, options: str) -> OnDisk:
    """What is on disk now (see OnDisk), the signature ending with the build `options`."""
    stamps = content_stamps(config)
    templates = _files_under(template_dirs(config))
    signature = build_cache.inputs_signature(config, stamps, templates + _files_under(static_dirs(config)))
    return OnDisk(stamps, templates, signature + options, manifest.intact(config.site_dir))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector rescans every live object each time enough new ones pile up:
    while a build creates the model (a few objects per briefing, none in a reference cycle,
    so reference counting frees them) that was a fifth of a 100,000-briefing rebuild.
    The collector is paused until `_collect_render_garbage`, and restored after the build."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()


def _collect_render_garbage() -> None:
    """Rendering makes reference cycles (Jinja2 contexts, ~30 objects a page): collect them from
    here on, without rescanning the model built so far (gc.freeze, which is also what the gc
    documentation advises before forking the rendering workers)."""
    gc.freeze()
    gc.enable()


def _fingerprints(pages: list[Page], copies: dict[str, Path], renderer: Renderer, config: Config,
                  archive: Archive, surveyed: _Surveyed) -> tuple[dict[str, str], str]:
    """Site path -> fingerprint of what belongs there, for every file of the site, and the
    build's shape. While the shape is that of the build that wrote site/, a page that reaches
    no briefing changed since keeps the fingerprint recorded for it (see fingerprints.py)."""
    from .fingerprints import Fingerprints
    cache = surveyed.cache
    fingerprints = Fingerprints(renderer.env, config)
    shape = fingerprints.shape(archive.shape_key, {page.template for page in pages})
    last = surveyed.manifest.site if shape == cache.shape and surveyed.site_is_cached_build() else {}
    changed = {b.file for b in (*archive.briefings, *archive.pages)
               if cache.digests.get(b.file) != b.digest} if last else set()
    prints: dict[str, str] = {}
    for page in pages:
        recorded = last.get(page.path)
        prints[page.path] = (recorded[0] if recorded and fingerprints.untouched(page.context, changed)
                             else fingerprints.page(page))
    prints.update({path: fingerprints.copy(source) for path, source in copies.items()})
    prints[NOJEKYLL] = "empty"
    prints[SITE_MARKER] = "marker"
    return prints, shape


def _fill(writer: SiteWriter, pages: list[Page], copies: dict[str, Path], prints: dict[str, str],
          renderer: Renderer, jobs: int | None, progress: Progress | None = None) -> tuple[int, int]:
    """Put every file in the writer's folder: kept if it already holds this version, linked
    from the live site if that has it, else rendered or copied. Returns pages and bodies rendered."""
    held = writer.keep_held(prints)

    def reuse(path: str) -> bool:
        return path in held or writer.carry_over(path, prints[path])

    counts = render_all(pages, renderer, lambda path, data: writer.write(path, data, prints[path]),
                        skip=lambda page: reuse(page.path),
                        adopt=lambda path: writer.adopt(path, prints[path]), jobs=jobs, progress=progress)
    for path, source in copies.items():
        if not reuse(path):
            writer.copy_file(path, source, prints[path])
    if not reuse(NOJEKYLL):
        writer.write(NOJEKYLL, b"", prints[NOJEKYLL])
    if not reuse(SITE_MARKER):
        writer.write(SITE_MARKER, MARKER_TEXT, prints[SITE_MARKER])
    writer.prune()
    return counts


def _index(writer: SiteWriter, pages: list[Page], prints: dict[str, str], config: Config, archive: Archive,
           renderer: Renderer, live_key: str | None) -> str:
    """The search index of the writer's folder (see search.py): the last build's when no briefing
    page changed, else brought up to date; none when `live_key` is None (search off).
    Returns what it was made from."""
    from . import search
    if live_key is None:
        search.remove_index(writer.work)
        return ""
    key = _search_index_key(pages, prints)
    if not (key == live_key and search.carry_index(writer.work, config)):
        labels_key, label = search.record_labels(config)
        search.update_index(writer.work, config, archive.briefings, labels_key, label,
                            lambda b: search.html_text(renderer.briefing_html(b)))
    writer.mirror_folder(search.INDEX_DIR)
    return key


def _search_index_key(pages: list[Page], prints: dict[str, str]) -> str:
    """Identifies the set of briefing pages and their versions: what the search index shows."""
    digest = hashlib.blake2b(digest_size=16)
    for page in pages:
        if page.template == "briefing.html":
            digest.update(f"{page.path}\0{prints[page.path]}\n".encode())
    return digest.hexdigest()


NOJEKYLL = ".nojekyll"
"""Tells GitHub Pages to publish the folder as is, without running Jekyll."""


def check(config: Config) -> list[SiteError]:
    """Load and render everything in memory, writing nothing; return warnings, raise errors."""
    archive, pages, renderer, warnings, _ = load(config, strict=True, future=True)
    render_all(pages, renderer, lambda path, data: None)
    return warnings + interface_warnings(config)


def interface_warnings(config: Config) -> list[SiteError]:
    """A warning when the interface language's catalog lacks phrases: they are shown in English."""
    from . import language, yamldoc
    missing = language.missing_phrases(config.language)
    if not missing:
        return []
    shown = ", ".join(f"'{phrase}'" for phrase in missing[:3]) + (", …" if len(missing) > 3 else "")
    return [SiteError("config.yaml", yamldoc.key_line(config.source_text, ("language",)),
                      f"language: {len(missing)} interface phrases have no translation in "
                      f"'{config.language}' and are shown in English ({shown})",
                      f"translate them in a catalog briefings/locale/{config.language.split('-')[0]}.po "
                      "(see README, Languages)", warning=True)]
