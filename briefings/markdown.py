"""Markdown -> HTML with markdown-it-py. Raw HTML is off: content comes from untrusted seeds.

With `html` off, `<script>` in a briefing is text. Links and images may use
any scheme but `javascript:`, `vbscript:`, `file:` and `data:` (markdown-it's
own check lets `data:image/…` through; a briefing has no use for it).

Bare URLs become links (markdown-it's linkify, with linkify-it-py), under the same scheme
rule: a `javascript:` text is never linked.

`<!--more-->` (which raw HTML being off would print as text) marks where a
briefing's summary ends: it is never printed, and `plain_text` stops there.

Links and images to the briefing's media files (media.py), links to other briefings'
content files (links.py), and root-relative ones (`/topics/economie/`, which mean the site's
root: urls.rooted_path), are written with the site path between MEDIA_MARK characters
instead of a URL: the HTML is stored once
(bodies.py) and shown on pages at every depth and in feeds, so the renderer turns each
into a URL for the page that shows it (render.Renderer.briefing_html, with urls.py).
Images get their `width` and `height`, and all but a body's first image `loading="lazy"`:
the first is usually on the first screen.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from linkify_it import LinkifyIt
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import OptionsDict
from mdit_py_plugins.footnote import footnote_plugin

from .urls import heading_id, rooted_path

if TYPE_CHECKING:
    from .links import PageLink
    from .media import Media

_UNSAFE_LINK = re.compile(r"^\s*(javascript|vbscript|file|data):", re.IGNORECASE)
MORE = re.compile(r"<!--\s*more\s*-->")
"""The summary's end mark, as WordPress and Hugo write it."""
PLAIN_SOURCE = 600
"""Characters of a body `plain_text` parses (cut at the next blank line): a summary is at most
220 characters, so the rest of a long body need not go through markdown-it at load time
(0.12 ms for the shipped seed's 2,300 characters, against 0.30 ms to parse it whole)."""
_DEFINITION = re.compile(r"^ {0,3}\[[^\]\n]+\]:.*$", re.MULTILINE)
"""The first line of a link reference or footnote definition: a `[text][ref]` or `[^1]` in
the part of a body that is parsed needs it to be read as a link or a footnote."""
MEDIA_MARK = "\ue0a1"
"""Brackets a media file's site path in an attribute of the stored HTML (a private-use character)."""
MEDIA_LINK = re.compile(f'((?:src|href)="){MEDIA_MARK}([^"{MEDIA_MARK}]*){MEDIA_MARK}')
"""A media link in rendered HTML: only where the renderer put it, as an attribute's start
(text cannot forge one: `"` in text is always written `&quot;`)."""


class _SafeLinks(MarkdownIt):
    def validateLink(self, url: str) -> bool:
        return not _UNSAFE_LINK.match(url)


_MAY_LINK = re.compile(r"https?:|ftp:|mailto:|//|@", re.IGNORECASE)
"""What every text linkify can link holds: one of linkify-it's schemes, or the `@` of an e-mail
address (bare domains are not linked, see below)."""


class _QuickLinkify(LinkifyIt):
    def pretest(self, text: str) -> bool:
        """linkify-it's own pretest is one very large regex (about 0.1 ms a paragraph: a quarter
        of a cold build's CPU at 10,000 briefings); most paragraphs hold no scheme and no `@`."""
        return _MAY_LINK.search(text) is not None and bool(super().pretest(text))


_md = (_SafeLinks("commonmark", {"html": False, "linkify": True, "typographer": False})
       .enable("table").enable("strikethrough").enable("linkify").use(footnote_plugin))
_md.linkify = _QuickLinkify().set({"fuzzy_link": False})
"""Bare URLs with a scheme (`https://…`, `mailto:…`) and e-mail addresses become links; a bare
domain does not: a sentence missing the space after its full stop (`fin.Il`) would link to
Israel's `.il`."""


def _more_marks(state: StateCore) -> None:
    """Turn `<!--more-->` into `more` tokens (rendered as nothing): a paragraph of its own
    becomes one, and inside a paragraph the text around it is kept."""
    tokens: list[Token] = []
    index = 0
    while index < len(state.tokens):
        token = state.tokens[index]
        if (token.type == "paragraph_open" and index + 2 < len(state.tokens)
                and MORE.fullmatch(state.tokens[index + 1].content.strip())):
            tokens.append(Token("more", "", 0))
            index += 3
            continue
        if token.type == "inline" and token.children and MORE.search(token.content):
            token.children = [piece for child in token.children for piece in _split_more(child)]
        tokens.append(token)
        index += 1
    state.tokens = tokens


def _split_more(child: Token) -> list[Token]:
    if child.type != "text" or not MORE.search(child.content):
        return [child]
    pieces: list[Token] = []
    for number, text in enumerate(MORE.split(child.content)):
        if number:
            pieces.append(Token("more", "", 0))
        if text:
            pieces.append(Token("text", "", 0, content=text))
    return pieces


_ESCAPED_IN_URL = re.compile(r"%5C(?=[!-/:-@\[-`{-~]|%[0-9A-F]{2})")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def _unescape_bare_urls(state: StateCore) -> None:
    """A bare URL is taken from the source as typed, backslash escapes included (import escapes
    `_`, `&`, `*` and `~` in seed text): they are escapes there too, so `a\\_b` links `a_b`."""
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        for index, child in enumerate(token.children):
            if child.type == "link_open" and child.markup == "linkify" and "\\" in token.content:
                child.attrSet("href", _ESCAPED_IN_URL.sub("", str(child.attrGet("href"))))
                text = token.children[index + 1]
                text.content = _ESCAPE.sub(r"\1", text.content)


def _heading_ids(state: StateCore) -> None:
    """Give every heading an id from its text (urls.heading_id), so that a reader, or another
    briefing (`voisin.md#bilan-humain`), can link to a section, as in every mature generator."""
    taken: set[str] = set()
    for index, token in enumerate(state.tokens):
        if token.type == "heading_open" and index + 1 < len(state.tokens):
            token.meta["text"] = _inline_text(state.tokens[index + 1].children or [])[0]  # for section_headings
            token.attrSet("id", heading_id(token.meta["text"], taken))


_md.core.ruler.push("more", _more_marks)
_md.core.ruler.push("unescape_bare_urls", _unescape_bare_urls)
_md.core.ruler.push("heading_ids", _heading_ids)
_md.add_render_rule("more", lambda *args: "")


def plain_text(source: str) -> tuple[str, bool]:
    """The text of a body's paragraphs (in lists and quotes too; not headings, code, tables
    or footnotes) as a reader sees it, without Markdown: a link is its text, an image is
    nothing, emphasis and escapes are gone. It ends at `<!--more-->` (then True is returned
    with it), else after about `PLAIN_SOURCE` characters of the source."""
    more = MORE.search(source)
    end = more.end() if more else source.find("\n\n", PLAIN_SOURCE)
    if end >= 0:
        rest = source[end:]
        source = source[:end] + "\n\n" + "\n\n".join(_DEFINITION.findall(rest)) if "]:" in rest else source[:end]
    parts: list[str] = []
    in_paragraph, footnotes = False, 0
    for token in _md.parse(source):
        if token.type == "more":
            return _joined(parts), True
        footnotes += {"footnote_block_open": 1, "footnote_block_close": -1}.get(token.type, 0)
        if token.type in ("paragraph_open", "paragraph_close"):
            in_paragraph = token.type == "paragraph_open" and not footnotes
        elif token.type == "inline" and in_paragraph:
            text, ended = _inline_text(token.children or [])
            parts.append(text)
            if ended:
                return _joined(parts), True
    return _joined(parts), False


def _inline_text(children: list[Token]) -> tuple[str, bool]:
    """A paragraph's text, and whether a `more` mark ended it."""
    text: list[str] = []
    for child in children:
        if child.type == "more":
            return "".join(text), True
        if child.type in ("text", "code_inline"):
            text.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            text.append(" ")
    return "".join(text), False


def _joined(parts: list[str]) -> str:
    return " ".join(" ".join(parts).split())


def _media_attribute(token: Token, name: str, env: dict[str, Any]) -> Media | None:
    """Point the token's `name` attribute at its media file, or at the site path a
    root-relative URL names (urls.rooted_path); returns the media file, if it is one."""
    url = str(token.attrGet(name) or "")
    cut = min((i for i in (url.find("?"), url.find("#")) if i >= 0), default=len(url))
    media: Media | None = env["media"].get(url[:cut])
    path = media.path if media is not None else env["links"].get(url[:cut]) or rooted_path(url[:cut])
    if path is not None:
        token.attrSet(name, f"{MEDIA_MARK}{path}{MEDIA_MARK}{url[cut:]}")
    return media


def _image(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict[str, Any]) -> str:
    token = tokens[idx]
    media = _media_attribute(token, "src", env)
    if media is not None and media.width:
        token.attrSet("width", str(media.width))
        token.attrSet("height", str(media.height))
    if env["images"]:
        token.attrSet("loading", "lazy")
    env["images"] += 1
    return str(self.image(tokens, idx, options, env))


def _link_open(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict,
               env: dict[str, Any]) -> str:
    _media_attribute(tokens[idx], "href", env)
    return str(self.renderToken(tokens, idx, options, env))


_md.add_render_rule("image", _image)
_md.add_render_rule("link_open", _link_open)


@lru_cache(maxsize=4096)
def to_html(source: str, media: tuple[Media, ...] = (), links: tuple[PageLink, ...] = ()) -> str:
    """Render a briefing body with its media and links to other briefings; cached because feeds
    and pages render the same bodies."""
    return str(_md.render(source, {"media": {m.reference: m for m in media},
                                   "links": {link.reference: link.path for link in links if link.path},
                                   "images": 0}))


_HEADING = re.compile(r"^ {0,3}(?:#{1,6}(?:[ \t]|$)|=+[ \t]*$|-+[ \t]*$)", re.MULTILINE)
"""A line that may make a heading (`## Bilan`, or a setext underline): a body without one has none."""


def section_headings(source: str) -> list[tuple[int, str, str]]:
    """A body's headings, in order: level (2 for `##`), the id they get (see `_heading_ids`:
    what a link to the section names) and their text (for a table of contents). Most bodies
    have no heading and are not parsed."""
    if not _HEADING.search(source):
        return []
    return [(int(token.tag[1]), str(token.attrGet("id")), token.meta.get("text", ""))
            for token in _md.parse(source, {}) if token.type == "heading_open"]


def parse(source: str) -> list[Token]:
    """The body's block tokens (inline ones hold links and images as children), for media.py."""
    return list(_md.parse(source, {}))
