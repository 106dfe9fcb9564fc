"""The one place that knows URL shapes: slugs, output paths, and links between pages.

Every internal link is relative to the page that holds it, so one built site
works at a domain root, under a sub-path and from disk. `base_url` is used only
where a format demands an absolute URL (feeds, sitemap, canonical links), and by
404.html, which hosts serve at whatever URL was missed.
"""
from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Callable
from urllib.parse import quote, unquote, urlsplit

from . import language
from .dates import BriefingDate

_TRANSLITERATE = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss",
                                "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D",
                                "þ": "th", "Þ": "TH", "ð": "d", "ı": "i",
                                "’": "'", "‘": "'"})
# Names Windows refuses as files or folders, whatever the case or extension.
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
             *(f"lpt{i}" for i in range(10))}
SLUG_MAX = 60


def slugify(text: str, max_length: int = SLUG_MAX, fallback: str = "briefing", romanize: bool = False) -> str:
    """A readable ASCII slug, cut at a word boundary; never empty, never a path.

    Accented Latin letters lose their accents. With `romanize` (import, for new content files
    only), letters of other scripts are transliterated (`Москва` -> `moskva`, `北朝鲜` ->
    `bei-chao-xian`) instead of dropped: without it, as for the slugs of files already
    published, they are dropped, so that no existing page changes its URL."""
    text = text.translate(_TRANSLITERATE)
    if romanize and not text.isascii():
        text = language.romanize("".join(_latin_or_other(char) for char in text))
    ascii_text = unicodedata.normalize("NFKD", text)
    ascii_text = ascii_text.encode("ascii", "ignore").decode("ascii").lower()
    words = re.findall(r"[a-z0-9]+", ascii_text)
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            break
        slug = candidate
    if not slug and words:
        slug = words[0][:max_length]
    if not slug:
        return fallback
    if slug in _RESERVED:
        slug += "-" + (fallback or "x")  # `con-briefing`: a name Windows accepts, still a slug
    return slug


def _latin_or_other(char: str) -> str:
    """A letter that NFKD reduces to ASCII (`é`) as that ASCII, so Latin slugs stay what they
    were; other letters as they are, for romanizing; symbols (`€`, `°`) dropped, as always."""
    if char.isascii():
        return char
    reduced = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
    if reduced:
        return reduced
    category = unicodedata.category(char)
    if char.isalpha() or category[0] in "MN":
        return char
    return "" if category == "Cf" else " "  # a zero-width joiner (Persian گفت‌وگو) joins


def unique_slug(slug: str, taken: set[str]) -> str:
    """`slug`, or `slug-2`, `slug-3`…: the first not in `taken` (which this adds it to)."""
    candidate, n = slug, 2
    while candidate in taken:
        candidate = f"{slug}-{n}"
        n += 1
    taken.add(candidate)
    return candidate


THEME_IDS = frozenset({"main", "search", "corrections-title", "related-title", "month-topics-title",
                       "topic-years-title", "h-year-only", "toc-title"})
"""The element ids of the default theme's pages, which a heading's id must not take."""
FOOTNOTE_ID = re.compile(r"fn(?:ref)?\d+")
"""The ids the footnotes of a body take (`fn1`, `fnref1`)."""


def heading_id(text: str, taken: set[str]) -> str:
    """The id of a heading in a body (`## Bilan humain` -> `bilan-humain`, `## 北朝鲜の反応`
    -> `bei-chao-xian-no-fan-ying`): readable, ASCII like every slug here, so that a link to a section reads the
    same in any browser and survives copying; `-2`, `-3`… when `taken` (the body's ids so
    far, which this adds it to) has it, or the theme or the footnotes use it."""
    slug = slugify(text, fallback="section", romanize=True)
    if slug in THEME_IDS or FOOTNOTE_ID.fullmatch(slug):
        taken.add(slug)
    return unique_slug(slug, taken)


# Output paths, relative to the site root. Folders end with index.html.
def date_folder(date: BriefingDate) -> str:
    return f"{date.year:04d}/{date.month:02d}" if date.month else f"{date.year:04d}"


def briefing_path(date: BriefingDate, slug: str) -> str:
    return f"{date_folder(date)}/{slug}/index.html"


PAGES_FOLDER = "pages"
"""The folder of content/ that holds pages without a date (About, Methodology)."""
RESERVED_FOLDERS = frozenset({"topics", "authors", "archive", "page", "search", "pagefind", "static", "sitemaps"})
"""Top folders of the site that the generator fills: no page without a date may take one."""


def undated_path(slug: str) -> str:
    """The page of a page without a date: `about` -> `about/index.html`, at the top of the site."""
    return f"{slug}/index.html"


def reserved_folder(slug: str) -> str | None:
    """Why the slug of a page without a date cannot be its top folder, or None: a folder the generator
    fills (`topics`), or a number, which year folders are (`2024`, now or in years to come)."""
    top = slug.split("/")[0]
    if top in RESERVED_FOLDERS:
        return f"`{top}/` holds the site's {top} pages"
    if top.isdigit():
        return f"`{top}/` is a year's folder"
    return None
def media_path(source: str) -> str:
    """Where a media file (media.py) goes in the site: its path under content/, as is, so the
    site's folders mirror content/'s (`content/2024/05/quake/map.png` -> `2024/05/quake/map.png`,
    beside the page of `content/2024/05/quake.md`). One file is copied once, however many
    briefings show it, and each page links to it relatively, like to any other page."""
    return source


def paged(folder: str, page: int | None) -> str:
    """A listing's newest page (`page=None`) is the folder itself; older pages live under
    `page/n/`, numbered from the oldest, so `page/n/` shows the same briefings for good
    (see plan.paginate)."""
    prefix = f"{folder}/" if folder else ""
    return f"{prefix}index.html" if page is None else f"{prefix}page/{page}/index.html"


def index_path(page: int | None = None) -> str:
    return paged("", page)


def topic_path(slug: str, page: int | None = None) -> str:
    return paged(f"topics/{slug}", page)


def author_slug(name: str) -> str:
    """An author's page name (`Marie Dupont` -> `marie-dupont`; other scripts romanized):
    names that give one slug are one author."""
    return slugify(name, fallback="author", romanize=True)


def author_path(slug: str, page: int | None = None) -> str:
    return paged(f"authors/{slug}", page)


def author_feed_path(slug: str) -> str:
    return f"authors/{slug}/feed.xml"


def topic_year_path(slug: str, year: int) -> str:
    """A topic's briefings of one year, by month: what a topic's count for that year links to."""
    return f"topics/{slug}/{year:04d}/index.html"


def month_anchor(year: int, month: int) -> str:
    """The id of a month's section on a topic × year page (`2022-05`): what a month page's topic
    chips link to."""
    return f"{year:04d}-{month:02d}"


def topic_feed_path(slug: str) -> str:
    return f"topics/{slug}/feed.xml"


def month_path(year: int, month: int) -> str:
    return f"{year:04d}/{month:02d}/index.html"


def year_path(year: int) -> str:
    return f"{year:04d}/index.html"


def sitemap_part_path(name: str, number: int | None = None) -> str:
    """One sitemap of the index: `pages` (the listings) or a year of briefings (`2024`);
    `2024-2` is the second of a year that needs more than one."""
    return f"sitemaps/{name}.xml" if number is None else f"sitemaps/{name}-{number}.xml"


TOPICS_PATH = "topics/index.html"
AUTHORS_PATH = "authors/index.html"
ARCHIVE_PATH = "archive/index.html"
FEED_PATH = "feed.xml"
ATOM_PATH = "atom.xml"
"""The site's Atom feed, beside the RSS feed (`feed.xml`)."""
JSON_FEED_PATH = "feed.json"
"""The site's JSON Feed (jsonfeed.org 1.1)."""
SITEMAP_PATH = "sitemap.xml"
"""The sitemap index; the sitemaps it lists are `sitemap_part_path`s."""
NOT_FOUND_PATH = "404.html"
SEARCH_PATH = "search/index.html"
"""The search page; its index (`SEARCH_INDEX_DIR`) is written by search.py after the build."""
SEARCH_INDEX_DIR = "pagefind"
"""The search index's folder in the site: `manifest.json` and `parts/<name>/`."""
STATIC_DIR = "static"
"""Where the theme's and the project's static files are copied."""

ROUTES: dict[str, Callable[..., str]] = {
    "home": index_path, "topics": lambda: TOPICS_PATH, "archive": lambda: ARCHIVE_PATH,
    "year": year_path, "month": month_path, "topic": topic_path, "topic_feed": topic_feed_path,
    "topic_year": topic_year_path, "authors": lambda: AUTHORS_PATH, "author": author_path,
    "author_feed": author_feed_path,
    "feed": lambda: FEED_PATH, "atom_feed": lambda: ATOM_PATH, "json_feed": lambda: JSON_FEED_PATH,
    "sitemap": lambda: SITEMAP_PATH, "not_found": lambda: NOT_FOUND_PATH,
    "search": lambda: SEARCH_PATH, "search_index": lambda: f"{SEARCH_INDEX_DIR}/",
    "static": lambda name: f"{STATIC_DIR}/{name}",
}
"""The pages and files templates link to by name (`url_for('topics')`, `url_for('year', 2024)`,
`url_for('static', 'style.css')`), so that no template spells out a path."""


def route(name: str, *args: object) -> str:
    """The site path of the page or file named `name` (see ROUTES), with its arguments."""
    if name not in ROUTES:
        raise ValueError(f"url_for: no page is named {name!r} (the names are {', '.join(ROUTES)})")
    return ROUTES[name](*args)


_PLAIN_PATH = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*(?:/[A-Za-z0-9_-][A-Za-z0-9._-]*)*")
"""Segments of plain characters, none empty or starting with a dot: safe, checked fast
(the writer checks every path of the site on every build)."""


def is_safe_output_path(path: str) -> bool:
    """Relative, normalised, inside the site: what the writer accepts."""
    if _PLAIN_PATH.fullmatch(path):
        return True
    if not path or path.startswith("/") or "\\" in path or "\x00" in path:
        return False
    return posixpath.normpath(path) == path and not path.startswith("../") and path != ".."


_URL_SAFE = "/#?=&:.-_~"
"""Characters a site path keeps as they are in a URL; the rest is percent-encoded."""
_NOTHING_TO_QUOTE = re.compile(r"[A-Za-z0-9/#?=&:.\-_~]*")
"""A path of only these needs no quoting: the usual case (slugs are ASCII), checked fast."""


def rooted_path(url: str) -> str | None:
    """The site path a root-relative URL names (`/topics/economie/` -> `topics/economie/index.html`,
    `/2024/05/carte.png?v=2` -> `2024/05/carte.png`), or None for any other URL.

    In a briefing's body `/` means the site's root, as an editor reads it: under a sub-path
    (`https://USER.github.io/REPO/`) or from disk the host's root is somewhere else, so such a
    link is written relative to each page like every other (markdown.py marks it, render.py
    writes it). `..` cannot climb above the root."""
    if not url.startswith("/") or url.startswith("//"):
        return None
    written = unquote(urlsplit(url).path)
    path = posixpath.normpath(written).lstrip("/")
    return posixpath.join(path, "index.html") if not path or written.endswith("/") else path


def alias_path(address: str) -> str | None:
    """The site file an old address of a page (`aliases:`) is written to, where it redirects
    to the page: `/2023/08/ancien-titre/` -> `2023/08/ancien-titre/index.html`.

    As Hugo reads aliases, an address is from the site's root (the leading `/` may be left
    out), and it names a folder unless it ends in `.html` or `.htm` (a page of an older site:
    `/old/page.html` keeps its name). Not a whole URL: the same site is built for other hosts
    (`--base-url`, the preview). None for what no static host could redirect: a URL, a query
    or fragment, the home page, the search index's folder."""
    if not address or urlsplit(address).scheme or "?" in address or "#" in address:
        return None
    path = rooted_path(address if address.startswith("/") else "/" + address)  # None for `//host/…`
    if path is None or path == "index.html" or path.split("/")[0] == SEARCH_INDEX_DIR:
        return None
    if not path.endswith((".html", ".htm", "/index.html")):
        path += "/index.html"
    return path if is_safe_output_path(path) else None


def relative_url(from_path: str, to_path: str, link_style: str = "pretty") -> str:
    """The link from the page at `from_path` to the file at `to_path`, both site-relative.

    With `link_style: pretty` a folder's index.html is dropped (`../topics/`);
    with `files` it is kept, which `file://` needs because browsers do not open
    a folder's index.html from disk.
    """
    rel = _relative_path(from_path, to_path)
    if link_style == "pretty" and (rel == "index.html" or rel.endswith("/index.html")):
        rel = rel[: -len("index.html")] or "./"
    return rel if _NOTHING_TO_QUOTE.fullmatch(rel) else quote(rel, safe=_URL_SAFE)


def _relative_path(from_path: str, to_path: str) -> str:
    """posixpath.relpath for site paths, without its file-system lookups (hot: every link)."""
    depth = from_path.count("/")
    if depth == 0:
        return to_path
    if not to_path.startswith(from_path[:from_path.index("/") + 1]):  # no folder in common
        return "../" * depth + to_path
    start = from_path.split("/")[:-1]
    target = to_path.split("/")
    common = 0
    while common < len(start) and common < len(target) - 1 and start[common] == target[common]:
        common += 1
    return "/".join([".."] * (len(start) - common) + target[common:])


def pretty_path(to_path: str) -> str:
    """A site path as its URL names it: a folder's `index.html` dropped (`topics/index.html`
    -> `topics/`), any other file kept (`2019/kim.html`)."""
    if to_path == "index.html" or to_path.endswith("/index.html"):
        return to_path[: -len("index.html")]
    return to_path


def absolute_url(base_url: str, to_path: str) -> str:
    """`base_url` + the pretty path: for feeds, sitemaps and canonical links."""
    to_path = pretty_path(to_path)
    encoded = to_path if _NOTHING_TO_QUOTE.fullmatch(to_path) else quote(to_path, safe=_URL_SAFE)
    return base_url.rstrip("/") + "/" + encoded


def site_path(base_url: str, to_path: str) -> str:
    """The root-relative URL (`/briefings/topics/`): 404.html's `<base href>`."""
    return urlsplit(absolute_url(base_url, to_path)).path


_URL_UNSAFE = re.compile(r"[\x00-\x20\x7f-\x9f<>\"'`{}|\\^]")


def base_url_problem(url: str) -> str | None:
    """What is wrong with `url` as a base_url (None when it is fine): it must be an absolute
    http(s) URL with a host and a usable port, and go into feeds and HTML attributes as is,
    so nothing that needs escaping, and no user name or password (every feed, the sitemap
    and every canonical link would publish them)."""
    parts = urlsplit(url) if not _URL_UNSAFE.search(url) else None
    if parts is None:
        return f"'{url}' contains a space, a quote or another character URLs may not carry"
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"'{url}' is not an absolute http(s) URL"
    if "@" in parts.netloc:
        shown = url.replace(parts.netloc, "…@" + parts.netloc.rpartition("@")[2], 1)
        return (f"'{shown}' carries a user name or password, which every feed, the sitemap and "
                "every canonical link would publish")
    if not parts.hostname:
        return f"'{url}' has no host name"
    port = parts.netloc.rpartition("]")[2].partition(":")[2]  # what follows the host (an IPv6 one in [])
    if port and port_number(port) is None:
        return f"'{url}' has the port '{port}'; a port is a number from 1 to 65535"
    if parts.query or parts.fragment:
        return f"'{url}' has a ?query or #fragment, which a base URL cannot have"
    return None


def port_number(text: str, lowest: int = 1) -> int | None:
    """`text` as a TCP port, a whole number from `lowest` to 65535 (None if it is not one): 1 in a
    URL, 0 for `serve --port`, where 0 asks for any free port."""
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and lowest <= int(text) <= 65535 else None


def base_path(base_url: str) -> str:
    """The path part of `base_url`, always ending with `/`: where the site lives on its host."""
    path = urlsplit(base_url).path or "/"
    return path if path.endswith("/") else path + "/"
