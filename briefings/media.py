"""Media: the images and other files a briefing's body (or its `image:`) refers to.

A relative reference in a body (`![Carte](carte.png)`, `[rapport](rapport.pdf)`) names a
file next to the content file, or in the folder named after it (`quake.md` and
`quake/map.png`). Loading resolves every reference here, checks the file exists and stays
inside content/, and reads an image's width and height from its header; the build copies
the files into the site (urls.media_path says where) and markdown.py writes their links.

Image sizes are read from the first bytes of the file (PNG, GIF, JPEG, WebP, SVG), not
with an imaging library: about sixty lines against a dependency of several megabytes,
and the header is all that is needed.
"""
from __future__ import annotations

import os
import re
import struct
from itertools import chain
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from .errors import SiteError
from .urls import media_path, rooted_path


class Media(NamedTuple):
    """One file a briefing refers to (plain data: pickled with the briefing in the build cache)."""

    reference: str
    """The URL as the body's Markdown gives it, without `?query` or `#fragment` (markdown.py
    matches rendered links against it)."""
    source: str
    """The file, relative to content/ (`2024/05/quake/map.png`)."""
    path: str
    """Where the build copies it in the site (urls.media_path)."""
    width: int = 0
    height: int = 0
    """An image's size in CSS pixels, 0 when it is not an image or its header does not say."""
    alt: str = ""
    """The share image's text alternative (`og:image:alt`): `image_alt:`, else the first image's
    alt text in the body. Empty on a body's media, whose alt texts stay in the body."""


class Reference(NamedTuple):
    """A link or image found in a body."""

    url: str
    image: bool
    line: int
    """The line of the content file it is on."""
    alt: str = ""


PAGE_EXTENSIONS = frozenset({".html", ".htm", ".xml", ".json"})
"""A relative link to a folder (`../autre-briefing/`) or a name with one of these extensions may
point at a page of the site: it is left as written when no such file is in content/ (a `.md`
name is a link to another briefing: links.py). A link to any other name (`rapport.pdf`,
`notes`) and every image must be a file there."""


def is_local(url: str) -> bool:
    """A relative reference to a file: no scheme (`https:`, `mailto:`), host, leading `/` or `#`,
    and no `:` in its first segment, which RFC 3986 forbids there (`java%09script:…` is no file)."""
    if not url or url.startswith(("/", "#", "?")):
        return False
    parts = urlsplit(url)
    return (not parts.scheme and not parts.netloc and bool(parts.path)
            and ":" not in unquote(parts.path).split("/")[0])


def into_site(url: str) -> bool:
    """A reference into this site: relative (`is_local`) or from the site's root (urls.rooted_path)."""
    return is_local(url) or rooted_path(url) is not None


def references(body: str, first_line: int) -> list[Reference]:
    """Every link and image of a Markdown body (`first_line`: the file line the body starts
    on), in order. A body without `](` or `]:` has none: most bodies are not parsed here."""
    if "](" not in body and "]:" not in body:
        return []
    from .markdown import parse  # markdown-it: imported when a body has links

    lines = body.split("\n")
    found: list[Reference] = []
    for block in parse(body):
        if block.type != "inline" or not block.children:
            continue
        start, end = (int(block.map[0]), int(block.map[1])) if block.map else (0, len(lines))
        for token in block.children:
            if token.type == "image":
                url, alt = str(token.attrGet("src") or ""), token.content
            elif token.type == "link_open":
                url, alt = str(token.attrGet("href") or ""), ""
            else:
                continue
            line = _line_of(url, lines, start, end)
            found.append(Reference(url, token.type == "image", first_line + line, alt))
    return found


def _line_of(url: str, lines: list[str], start: int, end: int) -> int:
    """The body line (0-based) where `url` is written: in its paragraph's lines, else anywhere
    (a reference definition `[carte]: carte.png`), else the paragraph's first line. A line
    where it stands whole (`(url)`) comes before one where it begins a longer URL (`#bilan`
    in `#bilan-humain`)."""
    written = unquote(url)
    whole = re.compile("|".join(re.escape(form) + r"(?=[)\s\"']|$)" for form in {url, written}))
    for index in chain(range(start, end), range(len(lines))):
        if whole.search(lines[index]):
            return index
    for index in chain(range(start, end), range(len(lines))):
        if url in lines[index] or written in lines[index]:
            return index
    return start


def resolve(reference: Reference, content_file: str, content_dir: str, shown: str
            ) -> tuple[Media | None, str | None, SiteError | None]:
    """The media file `reference` of `content_file` (an absolute path under `content_dir`)
    names: (its Media, the file's absolute path), or an error, or (None, None, None) for a
    link that is not to a file (external, a page of the site).

    A name is looked for next to the content file, then in the folder named after it. The
    file's absolute path is returned also when the file is missing (its appearance later must
    make the content file load again).

    A root-relative reference (`/2024/05/carte.png`) names the file at that path under content/,
    which the site mirrors; when there is none it is a link to a page or file of the site (a
    theme's `/static/logo.png`), never an error."""
    if not is_local(reference.url):
        return _rooted(reference, content_dir, shown)
    parts = urlsplit(reference.url)
    name = unquote(parts.path)
    folder = os.path.dirname(content_file)
    stem = os.path.splitext(os.path.basename(content_file))[0]
    candidates = [os.path.normpath(os.path.join(folder, name)),
                  os.path.normpath(os.path.join(folder, stem, name))]
    root = os.path.normpath(content_dir)
    page_like = not reference.image and (name.endswith("/") or os.path.splitext(name)[1].lower() in PAGE_EXTENSIONS)
    if not candidates[0].startswith(root + os.sep):  # then the second is outside too
        if page_like and not os.path.isfile(candidates[0]):
            return None, None, None  # a link to a page of the site, relative to the page's URL
        return None, None, SiteError(
            shown, reference.line, f"`{reference.url}` points outside content/, refused",
            "put the file next to the content file, or in a folder named after it")
    hidden = any(part.startswith(".") for part in os.path.relpath(candidates[0], root).split(os.sep))
    found = next((c for c in candidates if os.path.isfile(c)), None)
    if found is not None and not hidden:
        return _found(reference, found, root, shown)
    if page_like:
        return None, None, None
    what = "image" if reference.image else "file"
    if hidden:
        return None, None, SiteError(shown, reference.line, f"{what} `{reference.url}` is a hidden file, "
                                     "not published", "rename it without the leading dot")
    near = os.path.relpath(candidates[0], os.path.dirname(root)).replace(os.sep, "/")
    inside = os.path.relpath(candidates[1], os.path.dirname(root)).replace(os.sep, "/")
    return None, candidates[0], SiteError(shown, reference.line, f"{what} `{reference.url}` not found",
                                          f"put it at {near} or {inside}, or fix the name")


def image_elsewhere(url: str) -> Media:
    """A share image that is no file under content/: an http(s) URL, kept as written, or a
    root-relative one (a theme's `/static/logo.png`), given its site path for an absolute URL."""
    return Media(url, "", rooted_path(url) or "")


def _rooted(reference: Reference, content_dir: str, shown: str
            ) -> tuple[Media | None, str | None, SiteError | None]:
    """`resolve` for a root-relative reference: the file at its path under content/, if any."""
    site_path = rooted_path(reference.url)
    if site_path is None:  # external: a scheme, a host, `#` or `?`
        return None, None, None
    root = os.path.normpath(content_dir)
    file = os.path.join(root, *site_path.split("/"))
    if any(part.startswith(".") for part in site_path.split("/")) or not os.path.isfile(file):
        return None, file, None
    return _found(reference, file, root, shown)


def _found(reference: Reference, found: str, root: str, shown: str
           ) -> tuple[Media | None, str | None, SiteError | None]:
    """The Media of the file `found` under content/ (`root`), unless it links out of content/."""
    if not os.path.realpath(found).startswith(os.path.realpath(root) + os.sep):
        return None, None, SiteError(
            shown, reference.line, f"`{reference.url}` is a link to a file outside content/, refused",
            "copy the file itself into content/")
    source = os.path.relpath(found, root).replace(os.sep, "/")
    width, height = image_size(found) or (0, 0)
    return Media(urlsplit(reference.url).path, source, media_path(source), width, height), found, None


# --- image sizes from their headers ----------------------------------------------------------

HEADER_BYTES = 64 * 1024
"""Read at most this much of a file: a JPEG's size comes after its metadata (EXIF, ICC
profiles), which is seldom more; an SVG's root element is near its start."""


def image_size(path: str) -> tuple[int, int] | None:
    """(width, height) of a PNG, GIF, JPEG, WebP or SVG file; None for anything else or when
    the header does not give them."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(HEADER_BYTES)
    except OSError:
        return None
    try:
        size = _size(data)
    except (struct.error, ValueError, IndexError):
        return None
    return size if size and size[0] > 0 and size[1] > 0 else None


def _size(data: bytes) -> tuple[int, int] | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return struct.unpack("<HH", data[6:10])
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_size(data)
    head = data[:HEADER_BYTES].decode("utf-8", "replace")
    if "<svg" in head:
        return _svg_size(head)
    return None


_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
"""JPEG start-of-frame markers (baseline, progressive, lossless…): they carry the size."""


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    index = 2
    while index + 9 < len(data):
        if data[index] != 0xFF:
            return None
        marker = data[index + 1]
        if marker == 0xFF:  # padding
            index += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
            index += 2
            continue
        length = struct.unpack(">H", data[index + 2:index + 4])[0]
        if marker in _SOF:
            height, width = struct.unpack(">HH", data[index + 5:index + 9])
            return width, height
        index += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 ":  # lossy: the frame header after a 3-byte tag and a start code
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L":  # lossless: 14 bits each, minus one
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":  # extended: 24 bits each, minus one
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    return None


_SVG_TAG = re.compile(r"<svg\b[^>]*>", re.DOTALL)
_LENGTH = re.compile(r"\s*([0-9]*\.?[0-9]+)\s*(px)?\s*$")


def _svg_size(text: str) -> tuple[int, int] | None:
    """From the root element's `width` and `height` (in pixels, or without a unit), else its
    `viewBox`: a regular expression over the tag, so no entity or external file is ever read."""
    tag = _SVG_TAG.search(text)
    if not tag:
        return None
    attrs = dict(re.findall(r"""([\w:-]+)\s*=\s*["']([^"']*)["']""", tag.group()))
    width, height = (_LENGTH.match(attrs.get(key, "")) for key in ("width", "height"))
    if width and height:
        return round(float(width.group(1))), round(float(height.group(1)))
    box = attrs.get("viewBox", "").replace(",", " ").split()
    if len(box) == 4:
        return round(float(box[2])), round(float(box[3]))
    return None
