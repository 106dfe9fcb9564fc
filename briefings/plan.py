"""The site plan: which pages exist, as plain data.

A Page names its output path, its template and the context the template gets.
Nothing here renders or writes. What a page depends on is its template closure,
the config and its context: fingerprints.py hashes exactly that, and that alone
decides what an incremental build renders again.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from . import urls
from .archive import Archive, TopicYear
from .config import Config
from .content import Briefing
from .errors import SiteError

CONFIG_INPUT = "config.yaml"


@dataclass(frozen=True, slots=True)
class Pagination:
    number: int
    """Counted from the oldest page, which is 1: a page keeps its number as the archive grows."""
    count: int
    """How many pages the listing has: the newest page's number."""
    previous: str | None
    """Path of the newer page; None on the newest page, the listing's own folder."""
    next: str | None
    """Path of the older page; None on page 1."""


@dataclass(frozen=True, slots=True)
class Page:
    path: str
    """Output path relative to the site root, e.g. `2023/08/slug/index.html`."""
    template: str
    context: dict[str, Any] = field(hash=False, compare=False)
    weight: int = 0
    """How many briefings the page shows: the heaviest pages are rendered first (see
    pipeline._heavy). It decides nothing about what is rendered again."""
    base_href: str = ""
    """The page's `<base href>`, or "" for none. 404.html: hosts serve it at any missed URL, at
    any depth, so its links (written relative to the site's root) go through `<base href>`, the
    path of base_url (`/briefings/`: the same on any host, the preview's too); opened from disk,
    a small script points it at the page's own folder."""


def path_collisions(pages: list[Page]) -> list[SiteError]:
    """Two pages for one output path (compared ignoring case, as macOS and Windows do):
    an error naming the content file behind it, so `check` catches it before `build`. An
    old address (`aliases:`) is the culprit before a page, a briefing before a listing."""
    seen: dict[str, Page] = {}
    errors = []
    for page in pages:
        first = seen.setdefault(page.path.casefold(), page)
        if first is not page:
            culprit, other = (page, first) if _blame(page) <= _blame(first) else (first, page)
            if culprit.template == REDIRECT_TEMPLATE:
                errors.append(_alias_error(culprit, f"is already {_what_is_at(other)}"))
                continue
            errors.append(SiteError(_source(culprit), None,
                                    f"its page {culprit.path} collides with {_source(other)}",
                                    "give it a different `slug:` in its front matter"))
    return errors


def _blame(page: Page) -> int:
    """Which of two pages on one path an error names, the lower first (the later of two alike):
    an alias, then a briefing, then a listing."""
    return 0 if page.template == REDIRECT_TEMPLATE else 1 if "briefing" in page.context else 2


def _what_is_at(page: Page) -> str:
    if page.template == REDIRECT_TEMPLATE:
        return f"an alias of {page.context['target'].file}"
    return f"the page of {_source(page)}" if "briefing" in page.context else f"the site's {page.template} page"


def _alias_error(page: Page, problem: str) -> SiteError:
    """An old address of a briefing (a redirect page) where the site has something else."""
    target: Briefing = page.context["target"]
    line = next((alias.line for alias in target.aliases if alias.path == page.path), None)
    address = "/" + urls.pretty_path(page.path)
    return SiteError(target.file, line, f"its alias {address} {problem}",
                     "remove it from `aliases:`")


def media_files(archive: Archive) -> dict[str, str]:
    """Site path -> file under content/ of every media file the briefings show (media.py)."""
    return {media.path: media.source for briefing in archive.briefings for media in briefing.media}


def media_collisions(archive: Archive, pages: list[Page], taken: Iterable[str] = ()) -> list[SiteError]:
    """A media file whose site path is a page's (or one of `taken`, the static files'): an error
    naming the briefing that shows it, or the one whose alias it is."""
    claimed = {page.path.casefold(): page.path for page in pages if page.template != REDIRECT_TEMPLATE}
    claimed.update((path.casefold(), path) for path in taken)
    errors, seen = [], set()
    for briefing in archive.briefings:
        for media in briefing.media:
            other = claimed.get(media.path.casefold())
            if other is not None and media.path not in seen:
                seen.add(media.path)
                errors.append(SiteError(briefing.file, None,
                                        f"its media file content/{media.source} would overwrite {other} in the site",
                                        "rename the file or move it into a folder named after the content file"))
    return errors + _alias_clashes(pages, {path.casefold(): path for path in (*taken, *media_files(archive))})


def _alias_clashes(pages: list[Page], files: dict[str, str]) -> list[SiteError]:
    """Old addresses (`aliases:`) on a media or static file of the site (`files`, by their
    casefolded path), or inside any file, where the redirect would need a folder
    (`/static/style.css/`). Those on a page are path_collisions'."""
    redirects = [page for page in pages if page.template == REDIRECT_TEMPLATE]
    if not redirects:
        return []
    everything = {page.path.casefold(): page.path for page in pages if page.template != REDIRECT_TEMPLATE}
    everything.update(files)
    errors = []
    for page in redirects:
        path = page.path.casefold()
        folders = ["/".join(path.split("/")[:end]) for end in range(1, path.count("/") + 1)]
        if path in files:
            errors.append(_alias_error(page, f"is already the site's file {files[path]}"))
        elif inside := next((everything[f] for f in folders if f in everything), None):
            errors.append(_alias_error(page, f"would be a folder, but the site has a file {inside}"))
    return errors


def _source(page: Page) -> str:
    """The content file behind a briefing's page; the page's own path for listings."""
    briefing = page.context.get("briefing")
    return briefing.file if briefing else f"the {page.template} page {page.path}"


def plan_site(archive: Archive, config: Config) -> list[Page]:
    """Every page of the site, in a stable order. Each gets `site_pages`, the navigation's
    links to the pages without a date (the archive's shape key covers them)."""
    pages = [*index_pages(archive, config), *briefing_pages(archive), *undated_pages(archive),
             *topic_pages(archive, config), *author_pages(archive, config), *archive_pages(archive),
             *feed_pages(archive, config),
             *search_pages(), *site_files(archive, config), *redirect_pages(archive)]
    navigation = archive.navigation
    for page in pages:
        page.context["site_pages"] = navigation
    return pages


def paginate(briefings: tuple[Briefing, ...], per_page: int, path_of: Callable[[int | None], str]
             ) -> Iterator[tuple[tuple[Briefing, ...], Pagination, str]]:
    """Chunks of a listing (given newest first) with their pagination, newest page first.

    Pages are filled from the oldest briefing: page n (`path_of(n)`) always shows the
    same `per_page` briefings, so links to it stay right and adding a briefing changes
    the newest page only (and, once every `per_page` additions, makes one more page and
    changes the link of the one before). The newest page, the listing's folder
    (`path_of(None)`), takes what is left over: `per_page` to `2 * per_page - 1`
    briefings, all of them when there are fewer. An empty listing still has one page."""
    total = len(briefings)
    count = max(1, total // per_page)

    def path(number: int) -> str:
        return path_of(None if number == count else number)

    for number in range(count, 0, -1):
        end = total - (number - 1) * per_page
        chunk = briefings[0 if number == count else end - per_page: end]
        pagination = Pagination(number, count, path(number + 1) if number < count else None,
                                path(number - 1) if number > 1 else None)
        yield chunk, pagination, path(number)


def index_pages(archive: Archive, config: Config) -> Iterator[Page]:
    for chunk, pagination, path in paginate(archive.briefings, config.per_page, urls.index_path):
        yield Page(path, "index.html", {"briefings": chunk, "pagination": pagination}, len(chunk))


def briefing_pages(archive: Archive) -> Iterator[Page]:
    versions = translations(archive.briefings)
    for briefing in archive.briefings:
        previous, newer = archive.previous[briefing.path], archive.next[briefing.path]
        related = archive.related[briefing.path]
        others = versions.get(briefing.path, ())
        shown = [briefing, *related, *others]
        if previous:
            shown.append(previous)
        if newer:
            shown.append(newer)
        yield Page(briefing.path, "briefing.html",
                   {"briefing": briefing, "previous": previous, "next": newer, "related": related,
                    "translations": others},
                   len(shown))


def undated_pages(archive: Archive) -> Iterator[Page]:
    """Pages without a date (content/pages/): their own text, and the navigation."""
    for page in archive.pages:
        yield Page(page.path, "page.html", {"briefing": page}, 1)


def translation_key(briefing: Briefing) -> str:
    """Briefings are translations of each other when their ids match once a final
    `-<their lang>` is removed: `3f4d1d9cf0a4d9f4` (fr) and `3f4d1d9cf0a4d9f4-en` (en)."""
    suffix = f"-{briefing.lang}"
    return briefing.id[: -len(suffix)] if briefing.id.endswith(suffix) else briefing.id


def translations(briefings: Iterable[Briefing]) -> dict[str, tuple[Briefing, ...]]:
    """Briefing path -> its versions in other languages (one per language, newest first)."""
    groups: dict[str, dict[str, Briefing]] = {}
    for briefing in briefings:
        groups.setdefault(translation_key(briefing), {}).setdefault(briefing.lang, briefing)
    found = {}
    for versions in groups.values():
        if len(versions) > 1:
            for briefing in versions.values():
                found[briefing.path] = tuple(b for b in versions.values() if b is not briefing)
    return found


def topic_pages(archive: Archive, config: Config) -> Iterator[Page]:
    """The topics' index, and each topic's listing. Only a topic's newest page gets its
    `summary` (counts): the older pages never change as briefings are added."""
    yield Page(urls.TOPICS_PATH, "topics.html", {"topics": archive.topics},
               len(archive.briefings))
    for topic in archive.topics:
        ref = topic.ref()
        listing = paginate(topic.briefings, config.per_page, partial(urls.topic_path, topic.slug))
        for chunk, pagination, path in listing:
            summary = topic.summary() if pagination.previous is None else None
            yield Page(path, "topic.html", {"topic": ref, "summary": summary, "briefings": chunk,
                                            "pagination": pagination}, len(chunk))
        for year in topic.years:
            page = TopicYear(ref, year)
            yield Page(page.path, "topic-year.html", {"topic_year": page}, len(year.briefings))


def author_pages(archive: Archive, config: Config) -> Iterator[Page]:
    """The authors' index and each author's listing, when briefings name their authors. As for
    topics, only an author's newest page shows their count."""
    if not archive.authors:
        return
    yield Page(urls.AUTHORS_PATH, "authors.html", {"authors": archive.authors}, len(archive.briefings))
    for author in archive.authors:
        ref = author.ref()
        for chunk, pagination, path in paginate(author.briefings, config.per_page,
                                                partial(urls.author_path, author.slug)):
            count = author.count if pagination.previous is None else None
            yield Page(path, "author.html", {"author": ref, "count": count, "briefings": chunk,
                                             "pagination": pagination}, len(chunk))


def archive_pages(archive: Archive) -> Iterator[Page]:
    yield Page(urls.ARCHIVE_PATH, "archive.html", {"years": archive.years}, len(archive.briefings))
    for year in archive.years:
        yield Page(year.path, "year.html", {"year": year}, len(year.briefings))
        for month in year.months:
            yield Page(month.path, "month.html", {"month": month}, len(month.briefings))


def feed_pages(archive: Archive, config: Config) -> Iterator[Page]:
    latest = archive.briefings[:config.feed_items]
    yield Page(urls.FEED_PATH, "rss.xml", {"briefings": latest, "feed_path": urls.FEED_PATH,
                                           "topic": None}, len(latest))
    for topic in archive.topics:
        items = topic.briefings[:config.feed_items]
        yield Page(topic.feed_path, "rss.xml", {"briefings": items, "feed_path": topic.feed_path,
                                                "topic": topic.ref()}, len(items))
    for author in archive.authors:
        items = author.briefings[:config.feed_items]
        yield Page(author.feed_path, "rss.xml", {"briefings": items, "feed_path": author.feed_path,
                                                 "topic": None, "author": author.ref()}, len(items))
    yield Page(urls.ATOM_PATH, "atom.xml", {"briefings": latest, "feed_path": urls.ATOM_PATH}, len(latest))
    yield Page(urls.JSON_FEED_PATH, "feed.json", {"briefings": latest, "feed_path": urls.JSON_FEED_PATH}, len(latest))


def sitemap_pages(archive: Archive, config: Config) -> Iterator[Page]:
    """The sitemap: an index (`sitemap.xml`) of one part for the listing pages and a part per
    year of briefings, newest first.

    A part holds at most SITEMAP_LIMIT URLs, as the sitemap protocol demands; a larger year
    is cut into parts from its oldest briefing (see `_cut`), so a new briefing changes its
    year's newest part only. A listing's date is its newest briefing's; a briefing's is its last
    change (`Briefing.last_modified`). Each part shows URLs and dates alone: editing a briefing's text re-renders
    none of them, adding one re-renders its year's part and the index, not every URL."""

    def url(path: str) -> str:
        return urls.absolute_url(config.base_url, path)

    def newest(briefings: Sequence[Briefing]) -> str:
        return briefings[0].date.iso() if briefings else ""

    listings = (
        (url(urls.index_path()), newest(archive.briefings)),
        (url(urls.TOPICS_PATH), ""),
        (url(urls.ARCHIVE_PATH), ""),
        *((url(page.path), "") for page in archive.pages),
        *((url(topic.path), newest(topic.briefings)) for topic in archive.topics),
        *((url(author.path), newest(author.briefings)) for author in archive.authors),
        *([(url(urls.AUTHORS_PATH), "")] if archive.authors else []),
        *((url(urls.topic_year_path(topic.slug, year.year)), newest(year.briefings))
          for topic in archive.topics for year in topic.years),
        *((url(page), "") for year in archive.years for page in (year.path, *(m.path for m in year.months))),
    )
    parts = [(urls.sitemap_part_path("pages", number), chunk, newest(archive.briefings), len(archive.briefings))
             for number, chunk in _cut(listings)]
    for year in archive.years:
        for number, chunk in _cut(year.briefings):
            # a briefing's last change (a correction) dates its URL and its part
            entries = tuple((url(b.path), b.last_modified.iso()) for b in chunk)
            parts.append((urls.sitemap_part_path(f"{year.year:04d}", number), entries,
                          max(lastmod for _, lastmod in entries), len(chunk)))
    yield Page(urls.SITEMAP_PATH, "sitemap-index.xml",
               {"sitemaps": tuple((url(path), lastmod) for path, _, lastmod, _ in parts)}, len(archive.briefings))
    for path, entries, _, weight in parts:
        yield Page(path, "sitemap.xml", {"entries": entries}, weight)


T = TypeVar("T")

SITEMAP_LIMIT = 50_000
"""URLs one sitemap file may list (sitemaps.org)."""


def _cut(items: tuple[T, ...]) -> list[tuple[int | None, tuple[T, ...]]]:
    """`items` (newest first) in parts of at most SITEMAP_LIMIT, numbered from the oldest
    (None when one part holds them all): the newest part takes what is left over."""
    count = -(-len(items) // SITEMAP_LIMIT)
    if count <= 1:
        return [(None, items)]
    return [(number, items[:len(items) - (number - 1) * SITEMAP_LIMIT][-SITEMAP_LIMIT:])
            for number in range(count, 0, -1)]


REDIRECT_TEMPLATE = "redirect.html"


def redirect_pages(archive: Archive) -> Iterator[Page]:
    """A page at each old address of a briefing or page (`aliases:`) sending the reader on to
    it. Only its target's title and path are shown, but the target is the context: editing
    it renders the redirect again (fingerprints.py follows briefings, not their fields)."""
    for target in (*archive.briefings, *archive.pages):
        for alias in target.aliases:
            yield Page(alias.path, REDIRECT_TEMPLATE, {"target": target})


def search_pages() -> Iterator[Page]:
    """The search page: a form over the Pagefind index, so it shows no briefing itself."""
    yield Page(urls.SEARCH_PATH, "search.html", {})


def site_files(archive: Archive, config: Config) -> Iterator[Page]:
    yield from sitemap_pages(archive, config)
    yield Page("robots.txt", "robots.txt", {})
    yield Page(urls.NOT_FOUND_PATH, "404.html", {}, base_href=urls.site_path(config.base_url, "index.html"))
