"""Hostile text in every feed, read back as a feed reader reads it: nothing that could run script.

Each field is escaped for what its format says it holds. RSS `<description>` holds
HTML: the XML text, once decoded, is parsed as HTML, so plain text (a summary, the
channel's description) is escaped as HTML before it is escaped as XML. Titles and
categories, Atom's text constructs and JSON Feed's `summary`/`content_text` are plain
text: once decoded they must be the original text, character for character.
"""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefings.config import load_config
from briefings.pipeline import build
from briefings.text import is_visible
from helpers import content_file, create_project

PAYLOADS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>",
    "\"><iframe src=javascript:alert(1)>", "&lt;script&gt;alert(1)&lt;/script&gt;", "&amp;lt;b&amp;gt;",
    "]]><script>alert(1)</script>", "<a href='javascript:alert(1)'>x</a>", "&", "<", "'\"",
]
hostile = st.lists(st.sampled_from(PAYLOADS) | st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                                                             max_size=12),
                   min_size=1, max_size=4).map(" ".join).map(str.strip).filter(bool)

# A title must show something: one of only invisible or unassigned characters (Hypothesis drew
# U+18CD6) is refused by loading, by design (tests/bad_input/content/title-invisible.yaml).

RSS_HTML_FIELDS = ("description",)
"""RSS elements whose text a reader renders as HTML."""


class _Elements(HTMLParser):
    """The elements and attributes an HTML fragment holds: what a reader would make live."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


SCRIPTABLE = {"script", "iframe", "frame", "svg", "math", "object", "embed", "style", "base", "form", "meta", "link"}
"""Elements that run script or load active content by themselves."""


def _dangerous(html: str) -> list[str]:
    """Elements or attributes in `html` that could run script in a reader."""
    parser = _Elements()
    parser.feed(html)
    parser.close()
    found = []
    for tag, attrs in parser.tags:
        if tag in SCRIPTABLE:
            found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith(("javascript:", "data:")):
                found.append(f"<{tag} {name}={value!r}>")
    return found


def _project(root: Path, full_content: bool, title: str, summary: str, description: str) -> Path:
    briefing = content_file({"title": title, "date": "2023-08-14", "topics": ["defence"], "lang": "fr",
                             "summary": summary, "id": "hostile"}, f"Corps sûr. {summary}")
    return create_project(root, {"feeds": {"full_content": full_content}, "description": description},
                          content={"2023/08/hostile.md": briefing})


def _rss_fields(path: Path) -> list[tuple[str, str]]:
    root = ET.parse(path).getroot()
    return [(element.tag, element.text or "") for element in root.iter()
            if element.tag in {"title", "description", "category"}]


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(title=hostile.filter(is_visible), summary=hostile, description=hostile, full_content=st.booleans())
def test_no_feed_field_can_run_script(tmp_path_factory, title: str, summary: str, description: str,
                                      full_content: bool) -> None:
    root = tmp_path_factory.mktemp("feeds")
    config = load_config(_project(root, full_content, title, summary, description))
    build(config, search_index=False, persist=False, jobs=1)
    site = config.site_dir
    for feed in (site / "feed.xml", site / "topics" / "defence" / "feed.xml"):
        items = [_words(text) for tag, text in _rss_fields(feed)]
        assert _words(title) in items, feed  # the title, decoded once, is the text as written
        for tag, text in _rss_fields(feed):
            if tag in RSS_HTML_FIELDS:
                assert not _dangerous(text), (feed, tag, text)
        descriptions = [text for tag, text in _rss_fields(feed) if tag == "description"]
        shown = [_words(_text_of(html)) for html in descriptions]
        assert _words(description) in shown, (feed, descriptions)
        if not full_content:
            assert _words(summary) in shown, (feed, descriptions)
    atom = ET.parse(site / "atom.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entry = atom.find("a:entry", ns)
    assert _words(entry.find("a:title", ns).text) == _words(title)
    assert entry.find("a:summary", ns).get("type", "text") == "text"
    feed_json = json.loads((site / "feed.json").read_text(encoding="utf-8"))
    assert _words(feed_json["items"][0]["title"]) == _words(title)
    assert _words(feed_json["items"][0]["summary"]) == _words(summary)


def _words(text: str) -> str:
    """Text with its runs of white space as one space, as the content loader keeps titles."""
    return " ".join(text.split())


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def _text_of(html: str) -> str:
    """What a reader shows of an HTML fragment: its text."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def test_a_summary_with_markup_reads_as_text_in_rss(tmp_path: Path) -> None:
    """The case reported: `full_content: false` and a summary holding an <img onerror>."""
    summary = "Début <img src=x onerror=alert(1)> et <script>alert(2)</script> & fin"
    config = load_config(_project(tmp_path, False, "Titre", summary, "Desc <b>gras</b>"))
    build(config, search_index=False, persist=False, jobs=1)
    raw = (config.site_dir / "feed.xml").read_text(encoding="utf-8")
    assert "&amp;lt;img src=x onerror=alert(1)&amp;gt;" in raw
    descriptions = [text for tag, text in _rss_fields(config.site_dir / "feed.xml") if tag == "description"]
    assert [_dangerous(html) for html in descriptions] == [[], []]
    assert _text_of(descriptions[1]) == summary
    assert _text_of(descriptions[0]) == "Desc <b>gras</b>"
