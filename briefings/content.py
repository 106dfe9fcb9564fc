"""Load content/**/*.md into frozen Briefing records. Loading writes nothing.

Each file is validated field by field; every problem in every file is
collected, so one run reports them all.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple

from . import frontmatter, yamldoc
from .config import Config
from .dates import BriefingDate, from_yaml
from .errors import SiteError, SiteErrors, closest, display_path
from .links import PageLink, SiteLink, find_page_link, linked_digest, missing_section, names_content_file, to_site
from .media import Media, Reference, image_elsewhere, into_site, is_local, references, resolve
from .slots import restore_slots, slots_state
from .text import clean_line, clean_text, invisible_names, is_visible, reading_minutes, summarize, word_count
from .urls import PAGES_FOLDER, alias_path, briefing_path, reserved_folder, slugify, undated_path, unique_slug
from .workers import map_items

FIELDS = ("title", "date", "topics", "authors", "lang", "summary", "id", "source", "slug", "draft", "nav_order",
          "image", "image_alt", "updated", "corrections", "aliases", "toc")
CORRECTION_FIELDS = ("date", "text")
SLUG_FROM_FILE_MAX = 200
"""A slug taken from a file name is already a slug (import may have suffixed it `-2`): keep it whole."""
_LANG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
"""A BCP 47 language tag such as `fr`, `en` or `pt-BR`."""


class Alias(NamedTuple):
    """An old address of a page (`aliases:`), where the site redirects to it."""

    path: str
    """The site file written there (urls.alias_path): `2023/08/ancien-titre/index.html`."""
    line: int | None
    """Its line in the content file, for errors."""


class Heading(NamedTuple):
    """A heading of a briefing's body."""

    level: int
    """2 for `## Bilan`."""
    id: str
    """Its element id (urls.heading_id), which a link to the section names."""
    text: str
    """Its text, without Markdown."""


class TocEntry(NamedTuple):
    """A line of a table of contents: a heading and those just below it in level."""

    heading: Heading
    children: tuple[Heading, ...]


TOC_MIN_HEADINGS = 3
"""Headings a body needs for its page to get a table of contents without `toc: true`."""


class Correction(NamedTuple):
    """A dated correction an editor added under `corrections:`."""

    date: BriefingDate
    text: str


@dataclass(frozen=True, slots=True)
class Briefing:
    """One briefing as templates see it: read-only, already validated."""

    file: str
    """The content file, relative to the project (`content/2023/08/slug.md`)."""
    slug: str
    title: str
    date: BriefingDate
    topics: tuple[str, ...]
    lang: str
    summary: str
    id: str
    source: str
    body_line: int
    """Where the Markdown body starts in the file. The body itself is not kept: pages read it
    again when they render it (`read_body`), so memory stays flat however large the archive."""
    words: int
    digest: str = ""
    """Hash of the content file's bytes, and of its media's names and sizes when it has any
    (see `briefing_digest`): what incremental builds compare."""
    draft: bool = False
    scheduled: bool = False
    """Dated after today, and shown anyway (`build --future`, the preview): pages mark it.
    Never read from the file: the build sets it (pipeline.schedule)."""
    summary_box: bool = False
    """Whether the page shows the summary above the text: only when it is not how the text
    begins (an editor's own `summary:`); an auto-summary would repeat the first sentences."""
    undated: bool = False
    """A page without a date (`content/pages/about.md` -> `about/`): in the navigation, in no
    listing, feed or archive. Its `date` is UNDATED, shown nowhere; its `topics` are unused.
    It is a Briefing so that loading, the build cache, fingerprints and the body store, which
    follow content files, treat it as one."""
    nav_order: int | None = None
    """Its place in the navigation (`nav_order:`), smallest first; None after those with one."""
    media: tuple[Media, ...] = ()
    """The files its body links to or shows (media.py), copied into the site."""
    image: Media | None = None
    """The image shared with the page (`og:image`): `image:` in the front matter, else the
    body's first image. An image on another site has only a `reference` (its URL), no `path`."""
    links: tuple[PageLink, ...] = ()
    """Its body's links to other content files (links.py), pointed at their pages each build."""
    updated: BriefingDate | None = None
    """When import last rewrote it from a changed seed, after it was published (`updated:`)."""
    corrections: tuple[Correction, ...] = ()
    """Corrections, oldest first."""
    authors: tuple[str, ...] = ()
    """Who wrote it (`authors:`), as written: its byline, each with a page of their briefings."""
    aliases: tuple[Alias, ...] = ()
    """Its old addresses (`aliases:`), each a small page redirecting to it (plan.redirect_pages)."""
    headings: tuple[Heading, ...] = ()
    """Its body's headings: links to its sections name their ids (`voisin.md#bilan`), and its
    table of contents lists them."""
    toc: bool | None = None
    """`toc:` in the front matter: always a table of contents, or never; None lets the headings
    decide (see `table_of_contents`)."""
    site_links: tuple[SiteLink, ...] = ()
    """Its body's links to pages of the site by their URL (`../autre/`, `/topics/economie/`):
    each build checks they lead to a page (links.dead_links)."""

    path: str = field(init=False, default="")
    """Where the briefing's page is written in the site (from date and slug)."""
    listing_digest: bytes = field(init=False, default=b"", repr=False)
    """Hash of everything but the body: what a page listing the briefing depends on (fingerprints.py).
    Made once here, it is stored with the briefing in the build cache."""
    shape_digest: bytes = field(init=False, default=b"", repr=False)
    """Hash of what places the briefing in the archive (file, page, date, topics, language, id):
    the part of the archive's shape key (archive.py) that is its own, made once like the above."""

    __getstate__ = slots_state
    __setstate__ = restore_slots

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", undated_path(self.slug) if self.undated
                           else briefing_path(self.date, self.slug))
        object.__setattr__(self, "listing_digest", _digest(
            self.file, self.path, self.title, self.date.iso(), self.topics, self.lang, self.summary,
            self.id, self.source, self.words, self.draft, self.scheduled, self.undated, self.nav_order, self.image,
            self.updated, self.corrections, self.authors))
        # the last change's date is part of the shape: the sitemaps show it (plan.sitemap_pages)
        object.__setattr__(self, "shape_digest", _digest(
            self.file, self.path, self.date.sort_key, self.topics, self.lang, self.id, self.scheduled,
            self.last_modified.sort_key, self.authors))

    @property
    def sections(self) -> tuple[str, ...]:
        """The ids of its body's headings: what a link to one of its sections may name."""
        return tuple(heading.id for heading in self.headings)

    @property
    def table_of_contents(self) -> tuple[TocEntry, ...]:
        """The page's table of contents: its headings of the two highest levels it uses, each
        top one with those below it. Shown when the body has TOC_MIN_HEADINGS of them (a
        long, structured text), or whatever their number with `toc: true`; never with `toc: false`."""
        if self.toc is False or not self.headings:
            return ()
        top = min(heading.level for heading in self.headings)
        listed = [heading for heading in self.headings if heading.level <= top + 1]
        if self.toc is None and len(listed) < TOC_MIN_HEADINGS:
            return ()
        entries: list[TocEntry] = []
        for heading in listed:
            if heading.level == top or not entries:
                entries.append(TocEntry(heading, ()))
            else:
                entries[-1] = entries[-1]._replace(children=(*entries[-1].children, heading))
        return tuple(entries)

    @property
    def reading_minutes(self) -> int:
        return reading_minutes(self.words)

    @property
    def primary_topic(self) -> str:
        return self.topics[0]

    @property
    def modified(self) -> BriefingDate | None:
        """The last time it changed after it was published (`updated:` or its latest
        correction), None if it never did: feeds, JSON-LD and the sitemap show it."""
        dates = [d for d in (self.updated, *(c.date for c in self.corrections)) if d is not None]
        return max(dates) if dates else None

    @property
    def last_modified(self) -> BriefingDate:
        return self.modified or self.date


UNDATED = BriefingDate(1970)
"""The `date` of a page without one: a placeholder no page shows."""


def briefing_digest(file_digest: str, media: tuple[Media, ...], image: Media | None,
                    links: tuple[PageLink, ...] = ()) -> str:
    """A briefing's digest: its file's, folded with its media's names and sizes when it has
    media, since its page shows them (`width`, `height`, their links) and the bodies' store
    keeps HTML under this digest, and with where its links to other briefings lead once
    resolved (links.linked_digest). A replaced image of the same size changes no page: only
    the copied file, which the build copies again by its own stamp."""
    if media or image is not None:
        file_digest = hashlib.blake2b(repr((file_digest, media, image)).encode(), digest_size=16).hexdigest()
    return linked_digest(file_digest, links)


def _digest(*values: object) -> bytes:
    """16 bytes standing for `values` (plain data, so their repr says all of it)."""
    return hashlib.blake2b(repr(values).encode(), digest_size=16).digest()


@dataclass(slots=True)
class FileEntry:
    """What loading one content file gave, kept by the build cache."""

    stamp: tuple[int, int]
    """(mtime_ns, size) when the file was read."""
    briefing: Briefing | None
    problems: list[SiteError]
    media: tuple[tuple[str, tuple[int, int] | None], ...] = ()
    """The media files it refers to (found or not) with their stamps when it was read: a file
    replaced, added or removed since makes it load again."""

    __getstate__ = slots_state
    __setstate__ = restore_slots


def stamp(stat: os.stat_result) -> tuple[int, int]:
    return (stat.st_mtime_ns, stat.st_size)


def content_stamps(config: Config) -> dict[str, tuple[int, int]]:
    """Every file under content/ (hidden files skipped), in a stable order, with its stamp:
    one stat per file, shared by the no-op check and loading. The Markdown files are the
    content (`is_content`); the others may be media, whose stamps tell when one changed."""
    found: dict[str, tuple[int, int]] = {}
    _scan(str(config.content_dir), found)
    return dict(sorted(found.items()))


def _scan(folder: str, found: dict[str, tuple[int, int]]) -> None:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return  # no content/ yet, or a folder deleted while listed
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):  # as os.walk: a linked folder could loop
                _scan(entry.path, found)
            elif entry.is_file():
                found[entry.path] = stamp(entry.stat())
        except OSError:
            continue  # deleted since it was listed


def load_content(config: Config, stamps: dict[str, tuple[int, int]] | None = None,
                 cache: dict[str, FileEntry] | None = None,
                 jobs: int | None = 1) -> tuple[list[Briefing], list[SiteError]]:
    """All briefings (drafts excluded) and all problems, errors and warnings alike.

    `stamps` are the content files with their stamps when the caller has them
    (see content_stamps). `cache` maps a file to what loading it gave last time
    (see cache.py); a file whose mtime and size are unchanged is not read again.
    The others are read on `jobs` processes (None: every core when there are many).
    """
    stamps = stamps if stamps is not None else content_stamps(config)
    cache = cache if cache is not None else {}
    stale = stale_files(stamps, cache)
    entries = map_items(lambda key: _load_entry(Path(key), stamps[key], config), stale, jobs)
    loaded = dict(zip(stale, entries, strict=True))
    fresh: dict[str, FileEntry] = {}
    briefings: list[Briefing] = []
    problems: list[SiteError] = []
    for key in stamps:
        if not is_content(key):
            continue
        entry = loaded[key] if key in loaded else cache[key]
        if entry is None:
            continue  # deleted while it was read: gone, not broken
        fresh[key] = entry
        problems.extend(entry.problems)
        if entry.briefing is not None and not entry.briefing.draft:
            briefings.append(entry.briefing)
    cache.clear()
    cache.update(fresh)
    briefings, duplicates = dedupe_slugs(briefings)
    return briefings, problems + duplicates


def is_content(key: str) -> bool:
    """A content file, among the files `content_stamps` lists: a Markdown file."""
    return key.endswith(".md")


def stale_files(stamps: dict[str, tuple[int, int]], cache: dict[str, FileEntry]) -> list[str]:
    """The content files `load_content` reads and parses: those the cache has no entry for at
    their stamp, or whose media files changed."""
    return [key for key, current in stamps.items()
            if is_content(key) and (key not in cache or cache[key].stamp != current
                                    or any(stamps.get(file) != known for file, known in cache[key].media))]


def _load_entry(path: Path, current: tuple[int, int], config: Config) -> FileEntry | None:
    """What loading one file gives; None when it was deleted while being read."""
    files: list[str] = []
    try:
        briefing, warnings = load_briefing(path, config, files)
        return FileEntry(current, briefing, warnings, _media_stamps(files))
    except SiteErrors as exc:
        if not path.exists():
            return None  # deleted while it was read: gone, not broken
        return FileEntry(current, None, exc.errors, _media_stamps(files))


def _media_stamps(files: list[str]) -> tuple[tuple[str, tuple[int, int] | None], ...]:
    found: list[tuple[str, tuple[int, int] | None]] = []
    for file in dict.fromkeys(files):
        try:
            found.append((file, stamp(os.stat(file))))
        except OSError:
            found.append((file, None))
    return tuple(found)


def read_bytes(path: Path, shown: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SiteErrors([SiteError(shown, None, f"cannot read: {exc.strerror}")]) from None


def load_briefing(path: Path, config: Config, media_files: list[str] | None = None
                  ) -> tuple[Briefing, list[SiteError]]:
    """One content file's briefing and warnings; raises SiteErrors. `media_files` hears the
    absolute paths of the media files it refers to, found or not."""
    shown = display_path(path, config.root)
    data = read_bytes(path, shown)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SiteErrors([SiteError(shown, 1 + data[:exc.start].count(b"\n"),
                                    f"invalid UTF-8 at byte {exc.start}: 0x{data[exc.start]:02X}",
                                    "re-save the file as UTF-8")]) from None
    document = frontmatter.split(text, shown)
    fields = _Fields(document, shown, config)
    briefing = fields.briefing(path, hashlib.blake2b(data, digest_size=16).hexdigest(),
                               media_files if media_files is not None else [])
    if fields.errors:  # the warnings too: a file is reported whole, in line order
        raise SiteErrors(sorted(fields.errors + fields.warnings, key=lambda e: e.line or 0))
    return briefing, fields.warnings


class _Fields:
    """Validates one header's fields, collecting errors and warnings with their lines."""

    def __init__(self, document: frontmatter.Document, shown: str, config: Config):
        self.doc, self.shown, self.config = document, shown, config
        self.errors: list[SiteError] = []
        self.warnings: list[SiteError] = []

    def problem(self, key: str, message: str, hint: str = "", warning: bool = False) -> None:
        error = SiteError(self.shown, frontmatter.key_line(self.doc, key), message, hint, warning)
        (self.warnings if warning else self.errors).append(error)

    def text(self, key: str, default: str = "", required: bool = False) -> str:
        value = self.doc.meta.get(key)
        if value is None:
            if required:
                self.errors.append(SiteError(self.shown, 2, f"missing `{key}`",
                                             f"add a line `{key}: …` to the front matter"))
            return default
        if isinstance(value, (int, float)) and not isinstance(value, bool) and key in ("id", "slug"):
            return str(value)
        if not isinstance(value, str):
            self.problem(key, f"`{key}` must be text, not {_kind(value)}",
                         f"write `{key}: \"…\"`")
            return default
        text = clean_line(value)
        if required and not text:
            self.problem(key, f"`{key}` is empty", f"write the {key} after `{key}:`")
        elif required and not is_visible(text):
            self.problem(key, f"`{key}` has no visible character, only {invisible_names(text)}",
                         f"write the {key} after `{key}:`")
        return text

    def date(self) -> BriefingDate:
        if "date" not in self.doc.meta:
            self.errors.append(SiteError(self.shown, 2, "missing `date`",
                                         "add `date: YYYY-MM-DD`, or `YYYY-MM` when only the month is "
                                         f"known; or move it to content/{PAGES_FOLDER}/ to make it a "
                                         "page without a date, such as an About page"))
            return BriefingDate(1970)
        try:
            return from_yaml(self.doc.meta["date"])
        except ValueError as exc:
            self.problem("date", f"bad date: {exc}", "write `date: YYYY-MM-DD`, `YYYY-MM` or `YYYY`")
            return BriefingDate(1970)

    def topics(self) -> tuple[str, ...]:
        value = self.doc.meta.get("topics")
        if value is None:
            return (self.config.default_topic,)
        if isinstance(value, str):
            self.problem("topics", "`topics` must be a list, not text",
                         f"write `topics: [{clean_line(value)[:80]}]`")
            return (self.config.default_topic,)
        if not isinstance(value, list) or not value:
            self.problem("topics", "`topics` must be a non-empty list of topic slugs",
                         "write e.g. `topics: [north-korea, defence]`")
            return (self.config.default_topic,)
        topics: list[str] = []
        known = [rule.slug for rule in self.config.topics] + [self.config.default_topic]
        for item in value:
            if not isinstance(item, str) or not slugify(item, fallback=""):
                self.problem("topics", f"topic {_shown(item)} is not a topic slug",
                             "use lowercase letters, digits and hyphens, e.g. `defence`")
                continue
            slug = slugify(item, fallback="topic")
            if slug not in known:
                close = closest(slug, known)
                self.problem("topics", f"unknown topic '{slug}', it gets a page of its own",
                             f"did you mean '{close}'?" if close else
                             "add it under `topics:` in config.yaml to name it", warning=True)
            if slug not in topics:
                topics.append(slug)
        return tuple(topics) or (self.config.default_topic,)

    def authors(self) -> tuple[str, ...]:
        """`authors:`, a list of names (or one name as text); each once, in the order given."""
        value = self.doc.meta.get("authors")
        if value is None:
            return ()
        names: list[str] = []
        for item in value if isinstance(value, list) else [value]:
            name = author_name(item)
            if not name:
                self.problem("authors", f"author {_shown(item)} is not a name",
                             "write e.g. `authors: [Marie Dupont, Jean Martin]`")
            elif name not in names:
                names.append(name)
        return tuple(names)

    def toc(self) -> bool | None:
        """`toc:` true or false; None when absent (the headings decide)."""
        value = self.doc.meta.get("toc")
        if value is None or isinstance(value, bool):
            return value
        self.problem("toc", "`toc` must be true or false", "write `toc: true`, `toc: false`, or remove the line")
        return None

    def aliases(self) -> tuple[Alias, ...]:
        """`aliases:`, the page's old addresses (a list, or one as text), each once."""
        value = self.doc.meta.get("aliases")
        if value is None:
            return ()
        found: dict[str, Alias] = {}
        for index, item in enumerate(value if isinstance(value, list) else [value]):
            line = yamldoc.key_line(self.doc.header, ("aliases", index) if isinstance(value, list) else ("aliases",),
                                    first_line=2)
            path = alias_path(item.strip()) if isinstance(item, str) else None
            if path is None:
                self.errors.append(SiteError(self.shown, line, f"alias {_shown(item)} is not an address on this site",
                                             "write the old address from the site's root, without "
                                             "the host: e.g. `aliases: [/2023/08/ancien-titre/]`"))
            else:
                found.setdefault(path, Alias(path, line))
        return tuple(found.values())

    def lang(self) -> str:
        lang = self.text("lang", self.config.language) or self.config.language
        if not is_language_tag(lang):
            self.problem("lang", f"`lang: {lang[:40]}` is not a language code, "
                         f"{self.config.language} is used", "write e.g. `lang: fr` or `lang: en`", warning=True)
            return self.config.language
        return lang

    def unknown_keys(self) -> None:
        for key in self.doc.meta:
            if key not in FIELDS:
                close = closest(str(key), FIELDS)
                self.problem(str(key), f"unknown key `{clean_line(str(key))[:80]}`, ignored",
                             f"did you mean `{close}`?" if close else
                             f"known keys: {', '.join(FIELDS)}", warning=True)

    def undated(self, path: Path) -> tuple[str, int | None] | None:
        """For a file under content/pages/: its slug (`about`, `team/people` for a subfolder's
        file, or `slug:`) and `nav_order`; None for a briefing. A slug taking a folder the
        generator fills, or a year's, is an error."""
        try:
            inside = path.relative_to(self.config.content_dir / PAGES_FOLDER)
        except ValueError:
            return None
        for key in ("date", "topics"):
            if key in self.doc.meta:
                self.problem(key, f"`{key}` is ignored: a page in content/{PAGES_FOLDER}/ has none",
                             f"remove the line, or move the file out of content/{PAGES_FOLDER}/ "
                             "to make it a briefing", warning=True)
        written = self.text("slug")
        slug = slugify(written, max_length=SLUG_FROM_FILE_MAX) if written else "/".join(
            slugify(part, max_length=SLUG_FROM_FILE_MAX, fallback="page") for part in inside.with_suffix("").parts)
        clash = reserved_folder(slug)
        if clash:
            line = frontmatter.key_line(self.doc, "slug") if written else 1
            self.errors.append(SiteError(self.shown, line, f"this page would be {slug}/, but {clash}",
                                         "rename the file or set another `slug:`"))
        order = self.doc.meta.get("nav_order")
        if order is not None and (not isinstance(order, int) or isinstance(order, bool)):
            self.problem("nav_order", "`nav_order` must be a whole number",
                         "write e.g. `nav_order: 1` (smallest first), or remove the line")
            order = None
        return slug, order


    def media(self, path: Path, files: list[str], sections: tuple[str, ...]
              ) -> tuple[tuple[Media, ...], Media | None, tuple[PageLink, ...], tuple[SiteLink, ...]]:
        """The body's media files, the page's share image, and the body's links to other content
        files and to pages of the site, each checked (see media.py and links.py); a link to a
        section of the page itself (`#bilan`) is checked against its `sections`."""
        found: dict[str, Media] = {}
        links: dict[tuple[str, str], PageLink] = {}
        site_links: list[SiteLink] = []
        first_image: Media | None = None
        for reference in references(clean_text(self.doc.body), self.doc.body_line):
            if reference.url.startswith("#"):
                if (warning := missing_section(self.shown, reference, sections)) is not None:
                    self.warnings.append(warning)
                continue
            if names_content_file(reference):
                link, file, error = find_page_link(reference, str(path), str(self.config.content_dir),
                                                   str(self.config.root), self.shown)
                self._media_outcome(file, error, files)
                if link is not None:
                    links.setdefault((link.reference, link.section), link)
                continue
            media, file, error = resolve(reference, str(path), str(self.config.content_dir), self.shown)
            self._media_outcome(file, error, files)
            if media is not None:
                found.setdefault(media.reference, media)
            elif error is None and (site_link := to_site(reference)) is not None:
                site_links.append(site_link)
            if reference.image and first_image is None and (media or not is_local(reference.url)):
                first_image = (media or image_elsewhere(reference.url))._replace(alt=clean_line(reference.alt))
        image = self.share_image(path, files) or first_image
        alt = self.text("image_alt")
        if alt and image is None:
            self.problem("image_alt", "`image_alt` describes the shared image, but this page shares none",
                         "add `image:` or an image to the text, or remove the line", warning=True)
        elif alt and image is not None:
            image = image._replace(alt=alt)
        return tuple(found.values()), image, tuple(links.values()), tuple(site_links)

    def share_image(self, path: Path, files: list[str]) -> Media | None:
        """`image:` of the front matter: a file, as in the body (by its name, or its path from
        the site's root), a root-relative path to another file of the site, or an http(s) URL."""
        url = self.text("image")
        if not url:
            return None
        if not into_site(url):
            if url.lower().startswith(("https://", "http://")):
                return image_elsewhere(url)
            self.problem("image", f"`image: {url[:80]}` is neither a file of the site nor an http(s) URL",
                         "write the image's file name, e.g. `image: carte.png`, its path from the site's "
                         "root, e.g. `/static/logo.png`, or its https:// URL")
            return None
        line = frontmatter.key_line(self.doc, "image")
        media, file, error = resolve(Reference(url, True, line), str(path), str(self.config.content_dir),
                                     self.shown)
        self._media_outcome(file, error, files)
        return media if media is not None or error is not None else image_elsewhere(url)

    def _media_outcome(self, file: str | None, error: SiteError | None, files: list[str]) -> None:
        if file is not None:
            files.append(file)
        if error is not None:
            self.errors.append(error)

    def later_date(self, value: object, keys: tuple[str | int, ...], published: BriefingDate) -> BriefingDate | None:
        """A date of a change to the briefing (`updated:`, a correction's), not before its `date:`."""
        line = yamldoc.key_line(self.doc.header, keys, first_line=2) or 2
        name = "`updated`" if keys == ("updated",) else "the correction's `date`"
        try:
            date = from_yaml(value)
        except ValueError as exc:
            self.errors.append(SiteError(self.shown, line, f"bad date in {name}: {exc}", "write `YYYY-MM-DD`"))
            return None
        if date < published:
            self.errors.append(SiteError(self.shown, line, f"{name} {date.iso()} is before the briefing's "
                                         f"date {published.iso()}", "a change comes after publication: fix "
                                         "either date"))
            return None
        return date

    def updated(self, published: BriefingDate) -> BriefingDate | None:
        value = self.doc.meta.get("updated")
        return None if value is None else self.later_date(value, ("updated",), published)

    def corrections(self, published: BriefingDate) -> tuple[Correction, ...]:
        """`corrections:`, a list of `{date, text}`; each bad entry an error at its line."""
        value = self.doc.meta.get("corrections")
        example = "write e.g. `corrections:` then `  - {date: 2024-05-04, text: Le bilan était de 12 morts, non 21.}`"
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem("corrections", "`corrections` must be a list of entries with `date:` and `text:`", example)
            return ()
        found = []
        for index, entry in enumerate(value):
            line = yamldoc.key_line(self.doc.header, ("corrections", index), first_line=2) or 2
            if not isinstance(entry, dict) or "date" not in entry or "text" not in entry:
                self.errors.append(SiteError(self.shown, line, f"correction {index + 1} needs a `date:` and a `text:`",
                                             example))
                continue
            for key in entry:
                if key not in CORRECTION_FIELDS:
                    self.warnings.append(SiteError(
                        self.shown, yamldoc.key_line(self.doc.header, ("corrections", index, key), first_line=2),
                        f"unknown key `{clean_line(str(key))[:80]}` in correction {index + 1}, ignored",
                        "a correction has `date:` and `text:`", warning=True))
            date = self.later_date(entry["date"], ("corrections", index, "date"), published)
            text = clean_line(entry["text"]) if isinstance(entry["text"], str) else ""
            if not is_visible(text):
                self.errors.append(SiteError(
                    self.shown, yamldoc.key_line(self.doc.header, ("corrections", index, "text"), first_line=2),
                    f"correction {index + 1} has no text", "write what was corrected after `text:`"))
            elif date is not None:
                found.append(Correction(date, text))
        return tuple(sorted(found, key=lambda c: c.date.sort_key))

    def briefing(self, path: Path, digest: str, files: list[str]) -> Briefing:
        self.unknown_keys()
        undated = self.undated(path)
        body = clean_body(self.doc.body)
        headings = _headings(body)
        media, image, links, site_links = self.media(path, files, tuple(h.id for h in headings))
        title = self.text("title", required=True)
        if not body.strip():
            self.errors.append(SiteError(self.shown, self.doc.body_line, "the briefing has no text",
                                         "write the briefing below the closing `---`"))
        draft = self.doc.meta.get("draft", False)
        if not isinstance(draft, bool):
            self.problem("draft", "`draft` must be true or false", "write `draft: true` or remove the line")
            draft = False
        summary, summary_box = _summary(self.text("summary"), body)
        if undated is None and "nav_order" in self.doc.meta:
            self.problem("nav_order", f"`nav_order` is ignored: only pages in content/{PAGES_FOLDER}/ "
                         "are in the navigation", "remove the line", warning=True)
        slug, order = undated or (slugify(self.text("slug") or path.stem, max_length=SLUG_FROM_FILE_MAX), None)
        date = UNDATED if undated else self.date()
        return Briefing(
            file=self.shown, slug=slug, title=title,
            date=date,
            topics=(self.config.default_topic,) if undated else self.topics(),
            lang=self.lang(), summary=summary, id=self.text("id", path.stem), source=self.text("source"),
            body_line=self.doc.body_line, words=word_count(body), digest=briefing_digest(digest, media, image, links),
            draft=draft,
            summary_box=summary_box, undated=undated is not None, nav_order=order, media=media, image=image,
            links=links, site_links=site_links, headings=headings, toc=self.toc(), updated=self.updated(date),
            corrections=self.corrections(date),
            authors=self.authors(), aliases=self.aliases())


def author_name(value: object) -> str:
    """An author's name as the site writes it (one line, spaces tidied), or "" when `value` is
    no name: not text, nothing visible, or nothing to make the author's page address from."""
    name = clean_line(value) if isinstance(value, str) else ""
    return name if is_visible(name) and slugify(name, fallback="", romanize=True) else ""


def is_language_tag(text: str) -> bool:
    """A BCP 47 language tag such as `fr`, `en` or `pt-BR`: what `lang:` takes."""
    return bool(_LANG.fullmatch(text))


def _shown(item: object) -> str:
    """A front matter item as an error names it: text quoted (on one line, its first 80
    characters), anything else by its kind."""
    return repr(clean_line(item)[:80]) if isinstance(item, str) else _kind(item)


def _kind(value: object) -> str:
    """What a YAML value is, in words: never its (possibly huge) repr."""
    return {"list": "a list", "dict": "a mapping", "NoneType": "empty", "bool": "true/false",
            "int": "a number", "float": "a number", "date": "a date", "datetime": "a date and time",
            "bytes": "binary data"}.get(type(value).__name__, type(value).__name__)


def read_body(briefing: Briefing, root: Path) -> tuple[str, bool]:
    """The Markdown body, read again from the briefing's file: the lines from `body_line` on,
    as loading found them; and whether the file is still the one loaded (its digest). If it
    changed since, the whole header is parsed again to find where the body starts now."""
    data = read_bytes(root / briefing.file, briefing.file)
    text = data.decode("utf-8-sig", "replace")
    file_digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    if briefing_digest(file_digest, briefing.media, briefing.image, briefing.links) != briefing.digest:
        return clean_body(frontmatter.split(text, briefing.file).body), False
    return clean_body("\n".join(text.replace("\r\n", "\n").split("\n")[briefing.body_line - 1:])), True


def clean_body(raw: str) -> str:
    """The body as the site shows it: cleaned of unsafe characters, outer blank lines dropped."""
    return clean_text(raw).strip("\n")


def _summary(written: str, body: str) -> tuple[str, bool]:
    """The summary (`written` in the front matter, else the body's plain text up to
    `<!--more-->`, else its first sentences) and whether it adds something to the page:
    a summary the text begins with (an auto-summary, or the one import writes) does not.
    Imported here: a build with nothing to load never imports markdown-it."""
    from .markdown import plain_text
    plain, more = plain_text(body)
    summary = written or (plain if more else summarize(plain))
    return summary, not plain.startswith(summary.removesuffix("…").rstrip(",;: "))


def _headings(body: str) -> tuple[Heading, ...]:
    """The body's headings (markdown.section_headings), imported here as `_summary` is."""
    from .markdown import section_headings
    return tuple(Heading(*found) for found in section_headings(body))


def dedupe_slugs(briefings: list[Briefing]) -> tuple[list[Briefing], list[SiteError]]:
    """Two briefings may not share a page: the first file (by path) keeps it, later ones get
    `-2`, `-3`… with a warning. Suffixes skip every page a briefing asks for, so a briefing
    whose own slug is `x-2` is never displaced by an earlier file's renaming."""
    ordered = sorted(briefings, key=lambda b: b.file)
    claimed = {b.path for b in ordered}
    taken: set[str] = set()
    result, warnings = [], []
    for briefing in ordered:
        if briefing.path in taken and not briefing.undated:  # two pages without a date: plan's error
            folder = briefing.path[: -len(f"/{briefing.slug}/index.html")]
            slugs = {p.split("/")[-2] for p in taken | claimed if p.startswith(folder + "/")}
            slug = unique_slug(briefing.slug, slugs)
            warnings.append(SiteError(briefing.file, None,
                                      f"slug '{briefing.slug}' is already used in {folder}/; "
                                      f"this briefing is published as '{slug}'",
                                      "set a distinct `slug:` in its front matter", warning=True))
            briefing = replace(briefing, slug=slug)
        taken.add(briefing.path)
        result.append(briefing)
    return result, warnings
