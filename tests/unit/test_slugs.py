"""urls.py: slugs, output paths, and the links between pages (relative, absolute, root-relative)."""
from __future__ import annotations

import itertools
import posixpath
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefings import urls
from briefings.dates import BriefingDate
from briefings.urls import (
    SLUG_MAX,
    absolute_url,
    base_path,
    is_safe_output_path,
    relative_url,
    site_path,
    slugify,
    unique_slug,
)

BASE = "https://example.github.io/briefings/"
SLUG_SHAPE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@pytest.mark.parametrize("text, slug", [
    ("Corée du Nord", "coree-du-nord"),
    ("Œuvre complète", "oeuvre-complete"),
    ("cœur", "coeur"),
    ("Économie : la croissance ralentit", "economie-la-croissance-ralentit"),
    ("L'Ukraine et l’Europe", "l-ukraine-et-l-europe"),
    ("Straße in Łódź", "strasse-in-lodz"),
    ("Ærø Þór", "aero-thor"),
    ("Kim Jong-un: «intensification radicale»", "kim-jong-un-intensification-radicale"),
    ("  --Hello,   World!--  ", "hello-world"),
    ("2023 : l'année", "2023-l-annee"),
    ("ÇA VA ?", "ca-va"),
])
def test_readable_transliteration(text: str, slug: str) -> None:
    assert slugify(text) == slug


@pytest.mark.parametrize("text", [
    "", "   ", "!!!", "«»", "日本語のニュース", "---", "\x00\x01", "..", ".", "/",
])
def test_never_empty(text: str) -> None:
    slug = slugify(text)
    assert slug == "briefing"
    assert slugify(text, fallback="topic") == "topic"


@pytest.mark.parametrize("text, slug", [
    ("../../etc/passwd", "etc-passwd"),
    ("../../etc", "etc"),
    ("/abs/path", "abs-path"),
    ("a/b", "a-b"),
    ("a\\b", "a-b"),
    ("C:\\Windows", "c-windows"),
    ("CON", "con-briefing"),
    ("con", "con-briefing"),
    ("Nul", "nul-briefing"),
    ("COM1", "com1-briefing"),
    ("lpt9", "lpt9-briefing"),
    ("aux", "aux-briefing"),
    ("console", "console"),
])
def test_hostile_names_become_safe_slugs(text: str, slug: str) -> None:
    assert slugify(text) == slug


HOSTILE = ["../../etc", "/abs", "CON", "a/b", "..", "~root", "%2e%2e%2f", "a\x00b", "<script>", "x" * 500,
           "Le dirigeant de la Corée du Nord, Kim Jong-un, a appelé sa nation à une intensification"]


@pytest.mark.parametrize("text", HOSTILE)
def test_every_slug_is_ascii_path_safe_and_short(text: str) -> None:
    slug = slugify(text)
    assert slug.isascii()
    assert SLUG_SHAPE.fullmatch(slug), slug
    assert 0 < len(slug) <= SLUG_MAX
    assert is_safe_output_path(f"2023/08/{slug}/index.html")


def test_cut_at_a_word_boundary() -> None:
    title = ("Le dirigeant de la Corée du Nord, Kim Jong-un, a appelé sa nation à une "
             "«intensification radicale» de sa production de missiles")
    slug = slugify(title)
    assert slug == "le-dirigeant-de-la-coree-du-nord-kim-jong-un-a-appele-sa"
    assert len(slug) <= 60
    full = slugify(title, max_length=10**6)
    assert full.startswith(slug + "-"), "the cut falls between two words, never inside one"


@pytest.mark.parametrize("limit", [5, 10, 20, 33, 60])
def test_cut_respects_the_limit(limit: int) -> None:
    title = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron"
    slug = slugify(title, max_length=limit)
    assert len(slug) <= limit
    assert (title.replace(" ", "-") + "-").startswith(slug + "-")


def test_one_very_long_word_is_truncated() -> None:
    assert slugify("a" * 100) == "a" * SLUG_MAX


def test_unique_slug() -> None:
    taken = {"a", "b"}
    assert unique_slug("c", taken) == "c"
    assert unique_slug("a", taken) == "a-2"
    assert unique_slug("a", taken) == "a-3"
    assert {"a", "b", "c", "a-2", "a-3"} == taken


# --- output paths ----------------------------------------------------------------------

@pytest.mark.parametrize("date, path", [
    (BriefingDate(2023, 8, 14), "2023/08/slug/index.html"),
    (BriefingDate(2023, 8), "2023/08/slug/index.html"),
    (BriefingDate(2021), "2021/slug/index.html"),
])
def test_briefing_path(date: BriefingDate, path: str) -> None:
    assert urls.briefing_path(date, "slug") == path


def test_listing_paths() -> None:
    assert urls.index_path() == "index.html"
    assert urls.index_path(2) == "page/2/index.html"
    assert urls.topic_path("defence") == "topics/defence/index.html"
    assert urls.topic_path("defence", 3) == "topics/defence/page/3/index.html"
    assert urls.topic_feed_path("defence") == "topics/defence/feed.xml"
    assert urls.month_path(2023, 8) == "2023/08/index.html"
    assert urls.year_path(2023) == "2023/index.html"


@pytest.mark.parametrize("path, safe", [
    ("index.html", True), ("2023/08/x/index.html", True), ("", False), ("/etc/passwd", False),
    ("../x", False), ("..", False), ("a/../../x", False), ("a/./b", False), ("a\\b", False),
    ("a\x00b", False), ("a//b", False), ("a/b/", False), ("a/..b", True), ("a/...", True),
    (".nojekyll", True), ("a/.hidden", True), ("-x/_y", True), ("a/..", False), ("./a", False),
])
def test_is_safe_output_path(path: str, safe: bool) -> None:
    assert is_safe_output_path(path) is safe


@given(st.text(alphabet="ab./\\-_\x00", max_size=12))
def test_is_safe_output_path_fast_check_agrees_with_the_full_rule(path: str) -> None:
    """Plain paths pass by one regex; the answer is the normpath rule's either way."""
    full = (bool(path) and not path.startswith("/") and "\\" not in path and "\x00" not in path
            and posixpath.normpath(path) == path and not path.startswith("../") and path != "..")
    assert is_safe_output_path(path) is full


# --- links -----------------------------------------------------------------------------

@pytest.mark.parametrize("page, target, pretty, files", [
    ("index.html", "index.html", "./", "index.html"),
    ("index.html", "topics/index.html", "topics/", "topics/index.html"),
    ("index.html", "feed.xml", "feed.xml", "feed.xml"),
    ("index.html", "static/style.css", "static/style.css", "static/style.css"),
    ("page/2/index.html", "index.html", "../../", "../../index.html"),
    ("page/2/index.html", "page/3/index.html", "../3/", "../3/index.html"),
    ("2023/08/slug/index.html", "index.html", "../../../", "../../../index.html"),
    ("2023/08/slug/index.html", "2023/08/other/index.html", "../other/", "../other/index.html"),
    ("2023/08/slug/index.html", "2023/08/index.html", "../", "../index.html"),
    ("2023/08/slug/index.html", "topics/defence/index.html", "../../../topics/defence/",
     "../../../topics/defence/index.html"),
    ("2023/08/slug/index.html", "static/style.css", "../../../static/style.css", "../../../static/style.css"),
    ("2021/slug/index.html", "2023/08/slug/index.html", "../../2023/08/slug/", "../../2023/08/slug/index.html"),
    ("topics/index.html", "topics/index.html", "./", "index.html"),
    ("topics/defence/index.html", "topics/defence/feed.xml", "feed.xml", "feed.xml"),
    ("404.html", "index.html", "./", "index.html"),
])
def test_relative_url(page: str, target: str, pretty: str, files: str) -> None:
    assert relative_url(page, target) == pretty
    assert relative_url(page, target, "pretty") == pretty
    assert relative_url(page, target, "files") == files


PAGES = ["index.html", "404.html", "feed.xml", "page/2/index.html", "topics/index.html",
         "topics/defence/index.html", "topics/defence/page/2/index.html", "topics/defence/feed.xml",
         "archive/index.html", "2023/index.html", "2023/08/index.html", "2023/08/slug/index.html",
         "2021/slug/index.html", "static/style.css"]


@pytest.mark.parametrize("style", ["pretty", "files"])
def test_every_relative_link_resolves_to_its_target(style: str) -> None:
    for page, target in itertools.product(PAGES, PAGES):
        link = relative_url(page, target, style)
        assert not link.startswith("/") and "://" not in link
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page), link))
        if link.endswith("/"):
            resolved = posixpath.join(resolved, "index.html")
        assert posixpath.normpath(resolved) == target, (page, target, link)
        if style == "files":
            assert not link.endswith("/"), "file:// needs the file name"


@pytest.mark.parametrize("base, target, absolute, path", [
    (BASE, "index.html", "https://example.github.io/briefings/", "/briefings/"),
    (BASE, "topics/index.html", "https://example.github.io/briefings/topics/", "/briefings/topics/"),
    (BASE, "2023/08/slug/index.html", "https://example.github.io/briefings/2023/08/slug/",
     "/briefings/2023/08/slug/"),
    (BASE, "feed.xml", "https://example.github.io/briefings/feed.xml", "/briefings/feed.xml"),
    (BASE, "static/style.css", "https://example.github.io/briefings/static/style.css",
     "/briefings/static/style.css"),
    ("https://example.github.io/briefings", "feed.xml", "https://example.github.io/briefings/feed.xml",
     "/briefings/feed.xml"),
    ("https://example.org/", "index.html", "https://example.org/", "/"),
    ("https://example.org", "topics/index.html", "https://example.org/topics/", "/topics/"),
    ("http://localhost:8000/a/b/", "sitemap.xml", "http://localhost:8000/a/b/sitemap.xml", "/a/b/sitemap.xml"),
])
def test_absolute_url_and_site_path(base: str, target: str, absolute: str, path: str) -> None:
    assert absolute_url(base, target) == absolute
    assert site_path(base, target) == path


@pytest.mark.parametrize("base, path", [
    (BASE, "/briefings/"), ("https://example.github.io/briefings", "/briefings/"),
    ("https://example.org", "/"), ("https://example.org/", "/"),
])
def test_base_path(base: str, path: str) -> None:
    assert base_path(base) == path
