"""Links between briefings: `[le voisin](voisin.md)` in a body leads to that content file's page.

An editor links to another briefing by its file, as they see it in content/ (MkDocs's way,
and Pelican's `{filename}`): relative to the content file (`../01/voisin.md`), or from
content/'s root (`/2023/01/voisin.md`), with an optional `#fragment`. The page's URL comes
from the target's date and slug, which an edit to the target may change, so loading only
records which file a link names (`find_page_link`), and every build resolves it against the
briefings it publishes (`resolve_links`). The linking briefing's digest covers where its
links lead (content.briefing_digest): when a target moves, the pages showing the link are
rendered again, and their stored body HTML is not reused.

A link by URL to a page of the site (`../autre/`, `/topics/`) is written as it is (made
relative when it starts at the root: urls.rooted_path); each build checks it leads to a
file of the site, and warns at its line when it does not (`dead_links`).
"""
from __future__ import annotations

import hashlib
import os
import posixpath
from collections.abc import Collection, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import unquote, urlsplit

from .errors import SiteError
from .media import Reference, into_site
from .urls import FOOTNOTE_ID, SEARCH_INDEX_DIR, STATIC_DIR, THEME_IDS, pretty_path, rooted_path

if TYPE_CHECKING:
    from .content import Briefing
    from .plan import Page

CONTENT_SUFFIX = ".md"


class SiteLink(NamedTuple):
    """A body's link to a page of the site by its URL (`../autre/`, `/topics/economie/`)."""

    reference: str
    """The URL's path as written, without `?query` or `#fragment`."""
    line: int
    image: bool = False
    """An image from the site's root (`![logo](/static/logo.png)`) rather than a link."""


def to_site(reference: Reference) -> SiteLink | None:
    """The reference as a SiteLink when it leads into the site by a URL: a link, relative or from
    the site's root, or an image from the root that is no file of content/ (a media file,
    another content file and a relative image are checked where they are found)."""
    if not into_site(reference.url) or (reference.image and rooted_path(reference.url) is None):
        return None
    return SiteLink(urlsplit(reference.url).path, reference.line, reference.image)


def dead_links(briefings: Iterable[Briefing], site_paths: Collection[str]) -> list[SiteError]:
    """A warning for each body link that leads to no file of the site (`site_paths`, plus the
    search index, written after the pages), at its line: the link is left as written."""
    warnings = []
    for briefing in briefings:
        for link in briefing.site_links:
            target = rooted_path(link.reference) or _relative_target(briefing.path, link.reference)
            if target is None or target in site_paths or target.startswith(SEARCH_INDEX_DIR + "/"):
                continue
            if link.image:
                folder = "" if target.startswith(STATIC_DIR + "/") else "content/"  # static/ is the project's
                warnings.append(SiteError(briefing.file, link.line, f"image `{link.reference}` is no file of the "
                                          f"site ({target})", f"put the file at {folder}{target}, or fix the path",
                                          warning=True))
            else:
                warnings.append(SiteError(briefing.file, link.line, f"link `{link.reference}` leads to no page of "
                                          f"the site ({target})", "fix the link, or name another briefing by "
                                          "its content file: `../01/voisin.md`", warning=True))
    return warnings


def moved_pages(before: dict[str, Briefing], new_files: Collection[str], now: Iterable[Briefing],
                published: Collection[str], pages: Iterable[Page]) -> list[SiteError]:
    """A warning for each briefing or page whose page moved since the last build, when the old
    address was published (in `published`, the live site's files) and is no page now (an
    alias of it, for instance): links already shared lead nowhere. `before` holds the content
    files read again or gone, as the last build had them: a file read again is compared with
    itself, a new file (`new_files`) with the gone one of its `id` (a file renamed), when one
    alone has it.
    Not an automatic redirect: a clean build, without the last one's memory, would not make
    it, so the editor adds the alias the warning gives."""
    current = list(now)
    files = {briefing.file for briefing in current}
    renamed = _unique_ids(old for old in before.values() if old.file not in files)
    moved = [(briefing, old.path) for briefing in current
             if (old := _last_version(briefing, before, new_files, renamed)) is not None
             and old.path != briefing.path and old.path in published]
    if not moved:
        return []
    paths = {page.path for page in pages}
    warnings = []
    for briefing, old_path in moved:
        if old_path in paths:
            continue
        was, new = ("/" + pretty_path(path) for path in (old_path, briefing.path))
        warnings.append(SiteError(briefing.file, None, f"its page moved from {was} to {new}: links to the old "
                                  "address now lead nowhere", f"add `aliases: [{was}]` to its front matter to keep "
                                  "them working", warning=True))
    return warnings


def _last_version(briefing: Briefing, before: dict[str, Briefing], new_files: Collection[str],
                  renamed: dict[str, Briefing]) -> Briefing | None:
    """The briefing as the last build had it: its file's, or for a new file the gone one of its id."""
    if briefing.file in before:
        return before[briefing.file]
    return renamed.get(briefing.id) if briefing.file in new_files else None


def _unique_ids(briefings: Iterable[Briefing]) -> dict[str, Briefing]:
    """The briefings by id, leaving out ids that more than one has."""
    found: dict[str, Briefing | None] = {}
    for briefing in briefings:
        found[briefing.id] = None if briefing.id in found else briefing
    return {key: briefing for key, briefing in found.items() if briefing is not None}


def _relative_target(page: str, url_path: str) -> str | None:
    """The site path a relative link on the page at `page` opens; None if it leaves the site."""
    written = unquote(url_path)
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page), written))
    if target == ".." or target.startswith("../"):
        return None
    if target == ".":  # the site's root
        return "index.html"
    return posixpath.join(target, "index.html") if written.endswith("/") else target


class PageLink(NamedTuple):
    """A body's link to another content file (plain data: cached with the briefing)."""

    reference: str
    """The URL as the body's Markdown gives it, without `?query` or `#fragment` (markdown.py
    matches rendered links against it)."""
    file: str
    """The content file it names, as Briefing.file writes it (`content/2023/01/voisin.md`)."""
    line: int
    path: str = ""
    """The page of that briefing in the site, once resolved; empty while it is not published."""
    section: str = ""
    """The `#fragment` it names, if any: one of the target's sections (Briefing.sections)."""


def names_content_file(reference: Reference) -> bool:
    """A link (not an image) to a `.md` name on this site: a link to another content file."""
    return (not reference.image and into_site(reference.url)
            and urlsplit(reference.url).path.lower().endswith(CONTENT_SUFFIX))


def find_page_link(reference: Reference, content_file: str, content_dir: str, project_root: str,
                   shown: str) -> tuple[PageLink | None, str | None, SiteError | None]:
    """The content file a `.md` link of `content_file` names: (its PageLink, None, None), or
    an error with the file's absolute path (its appearance must make `content_file` load again)."""
    root = os.path.normpath(content_dir)
    parts = urlsplit(reference.url)
    site_path = rooted_path(reference.url)
    if site_path is not None:
        target = os.path.join(root, *site_path.split("/"))
    else:
        target = os.path.normpath(os.path.join(os.path.dirname(content_file), unquote(parts.path)))
    key = os.path.relpath(target, project_root).replace(os.sep, "/")
    if not target.startswith(root + os.sep):
        return None, None, SiteError(shown, reference.line, f"`{reference.url}` points outside content/, refused",
                                     "link to a content file, e.g. `../01/voisin.md`")
    if not os.path.isfile(target):
        return None, target, SiteError(shown, reference.line, f"link `{reference.url}`: there is no {key}",
                                       "fix the file name: a link to another briefing names its content file")
    return PageLink(parts.path, key, reference.line, section=unquote(parts.fragment)), None, None


def resolve_links(briefings: list[Briefing]) -> tuple[list[Briefing], list[SiteError]]:
    """The briefings with their links to other briefings pointed at those briefings' pages, and
    a warning for each link to a content file this build does not publish (a draft, one dated
    later, or one that failed to load), left as written until it is, and for each link to a
    section its target has not."""
    if not any(b.links for b in briefings):  # the usual archive: nothing to resolve
        return briefings, []
    targets = {b.file: b for b in briefings}
    resolved: list[Briefing] = []
    warnings: list[SiteError] = []
    for briefing in briefings:
        if briefing.links:
            links = tuple(link._replace(path=targets[link.file].path if link.file in targets else "")
                          for link in briefing.links)
            warnings += [_problem(briefing, link, targets.get(link.file)) for link in links
                         if not link.path or _missing_section(link, targets[link.file])]
            briefing = replace(briefing, links=links, digest=linked_digest(briefing.digest, links))
        resolved.append(briefing)
    return resolved, warnings


def _missing_section(link: PageLink, target: Briefing) -> bool:
    """The link names a section its target has not."""
    return bool(link.section) and not has_section(target.sections, link.section)


def has_section(sections: Collection[str], section: str) -> bool:
    """Whether the page of a body whose headings have the ids `sections` has an element with
    the id `section`: one of those, a footnote's, or one the theme puts on every page."""
    return section in sections or section in THEME_IDS or bool(FOOTNOTE_ID.fullmatch(section))


def missing_section(file: str, reference: Reference, sections: tuple[str, ...]) -> SiteError | None:
    """The warning for a link to a section of its own page (`#bilan`) that the page has not."""
    section = unquote(reference.url[1:])
    if not section or has_section(sections, section):
        return None
    return SiteError(file, reference.line, f"link `{reference.url}` leads to no section of this page",
                     _sections_hint(sections, "add one, or fix the link"), warning=True)


def _problem(briefing: Briefing, link: PageLink, target: Briefing | None) -> SiteError:
    """The warning for a link to an unpublished briefing, or to a section its target has not."""
    if target is None:
        return SiteError(briefing.file, link.line, f"link `{link.reference}`: {link.file} is not published "
                         "(a draft, or dated later)", "the link works once it is published", warning=True)
    return SiteError(briefing.file, link.line, f"link `{link.reference}#{link.section}`: {link.file} has no "
                     f"section `{link.section}`", _sections_hint(target.sections, "link to the briefing alone"),
                     warning=True)


def _sections_hint(sections: tuple[str, ...], otherwise: str) -> str:
    """The sections a link could name (the first eight), for a warning's hint."""
    if not sections:
        return f"it has no headings: {otherwise}"
    return "its sections are: " + ", ".join(sections[:8]) + (", …" if len(sections) > 8 else "")


def linked_digest(digest: str, links: tuple[PageLink, ...]) -> str:
    """`digest` folded with where `links` lead, when any is resolved (content.briefing_digest)."""
    targets = tuple(link.path for link in links)
    if not any(targets):
        return digest
    return hashlib.blake2b(repr((digest, targets)).encode(), digest_size=16).hexdigest()
