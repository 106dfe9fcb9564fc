"""Proof by real validators: the Nu Html Checker over every page, axe-core in Chromium
(light and dark), feed parsers over every feed, and screenshots to look at.

The fixture site (generated corpus + real seed + a translation pair) and the
real seed's own site are built as a user builds them, indexed for search and
served on 127.0.0.1 under /REPO/ (a GitHub Pages project path). The checkers
come from `make test` (tests/install-tools.sh puts vnu.jar and axe.min.js in
tests/.tools/); a missing one fails with how to install it, never a skip.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import feedparser
import pytest

from browser import launch_browser
from fixtures.reader import PAIR_FR_TITLE, build_real_seed_site, served_fixture_site
from helpers import REAL_SLUG, html_pages
from sitecrawl import SiteServer

TOOLS = Path(__file__).resolve().parent / ".tools" / "node_modules"
VNU_JAR = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = TOOLS / "axe-core" / "axe.min.js"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
INSTALL = "run `sh tests/install-tools.sh` (make test does)"


def need(path: Path) -> Path:
    if not path.is_file():
        pytest.fail(f"{path} is missing: {INSTALL}", pytrace=False)
    return path


# --- the sites ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fixture_server(tmp_path_factory: pytest.TempPathFactory):
    with served_fixture_site(tmp_path_factory.mktemp("validators") / "archive") as server:
        yield server


@pytest.fixture(scope="module")
def real_seed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("real-seed") / "archive"
    return build_real_seed_site(root, "https://example.github.io/briefings/")


# --- Nu Html Checker ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def vnu(fixture_server: SiteServer, real_seed_site: Path) -> dict[str, list[dict]]:
    """Every HTML file of both sites -> the checker's errors for it (one JVM for all)."""
    if shutil.which("java") is None:
        pytest.fail(f"java is missing: the Nu Html Checker needs Java 11+; {INSTALL}", pytrace=False)
    files = [*html_pages(fixture_server.root).values(), *html_pages(real_seed_site).values()]
    done = subprocess.run(["java", "-jar", str(need(VNU_JAR)), "--errors-only", "--format", "json",
                           *map(str, files)], capture_output=True, text=True, timeout=300)
    report = json.loads(done.stderr or '{"messages": []}')
    by_file: dict[str, list[dict]] = {str(f.resolve()): [] for f in files}
    for message in report["messages"]:
        if message.get("type") in ("error", "non-document-error"):
            path = str(Path(message.get("url", "file:?").removeprefix("file:")).resolve())
            by_file.setdefault(path, []).append(message)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    return by_file


def _errors(by_file: dict[str, list[dict]], site: Path) -> tuple[int, list[str]]:
    site = str(site.resolve())
    checked = [path for path in by_file if path.startswith(site + "/")]
    errors = [f"{path[len(site) + 1:]}:{m.get('lastLine')}: {m['message']}" for path in checked
              for m in by_file[path]]
    return len(checked), errors


def test_nu_html_checker_finds_no_error_in_the_fixture_site(vnu, fixture_server: SiteServer) -> None:
    pages = html_pages(fixture_server.root)
    checked, errors = _errors(vnu, fixture_server.root)
    assert checked == len(pages) > 60, "every page, briefings, listings, search and 404 included"
    assert {"index.html", "search/index.html", "404.html", f"2023/08/{REAL_SLUG}/index.html"} <= set(pages)
    assert not errors, "\n".join(errors[:50])


def test_nu_html_checker_finds_no_error_in_the_real_seed_site(vnu, real_seed_site: Path) -> None:
    checked, errors = _errors(vnu, real_seed_site)
    assert checked == len(html_pages(real_seed_site)) >= 10
    assert not errors, "\n".join(errors[:50])


# --- axe-core in Chromium ------------------------------------------------------------------

AXE_PAGES = {
    "index": "",
    "briefing": f"2023/08/{REAL_SLUG}/",
    "topic": "topics/north-korea/",
    "month": "2023/03/",
    "search": "search/?q=coree",
}


def _axe(page) -> list[dict]:
    page.add_script_tag(path=str(need(AXE_JS)))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
    }""")
    return result


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violation(fixture_server: SiteServer, scheme: str) -> None:
    found: dict[str, list[dict]] = {}
    with launch_browser() as browser:
        page = browser.new_page(color_scheme=scheme, viewport={"width": 1280, "height": 900})
        for name, path in AXE_PAGES.items():
            page.goto(fixture_server.base_url + path)
            if name == "search":  # the results, filters and highlighted excerpts, not an empty box
                page.wait_for_selector(".search-result mark", timeout=15000)
            assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
            found[name] = _axe(page)
    serious = {name: [v for v in violations if v["impact"] in ("serious", "critical")]
               for name, violations in found.items()}
    assert not any(serious.values()), json.dumps(serious, indent=1, ensure_ascii=False)


# --- feeds ------------------------------------------------------------------------------------

def test_rss_feeds_parse_cleanly(fixture_server: SiteServer) -> None:
    site = fixture_server.root
    feeds = [site / "feed.xml", *sorted((site / "topics").glob("*/feed.xml"))]
    assert len(feeds) > 10
    for path in feeds:
        feed = feedparser.parse(path.read_bytes())
        assert not feed.bozo, (path, feed.get("bozo_exception"))
        assert feed.version == "rss20" and feed.entries, path
        for entry in feed.entries:
            assert entry.title and entry.link.startswith(fixture_server.base_url), (path, entry)
            assert entry.id.startswith("urn:briefing:"), (path, entry)
            assert entry.published_parsed is not None, (path, entry.get("published"))


def test_atom_feed_is_valid(fixture_server: SiteServer) -> None:
    site = fixture_server.root
    feed = feedparser.parse((site / "atom.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "Archive des briefings" and feed.feed.id == fixture_server.base_url
    assert feed.feed.author, "Atom needs an author: the feed's covers every entry"
    assert any(link.rel == "self" and link.href == fixture_server.base_url + "atom.xml" for link in feed.feed.links)
    rss = feedparser.parse((site / "feed.xml").read_bytes())
    assert [e.id for e in feed.entries] == [e.id for e in rss.entries], "the same briefings, same ids"
    for entry in feed.entries:
        assert entry.title and entry.link.startswith(fixture_server.base_url)
        assert entry.updated_parsed and entry.published_parsed
        assert entry.content[0].type == "text/html" and "<p>" in entry.content[0].value
    assert any(e.title == PAIR_FR_TITLE for e in feed.entries)


def test_json_feed_is_valid(fixture_server: SiteServer) -> None:
    feed = json.loads((fixture_server.root / "feed.json").read_bytes())
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] and feed["home_page_url"] == fixture_server.base_url
    assert feed["feed_url"] == fixture_server.base_url + "feed.json"
    rss = feedparser.parse((fixture_server.root / "feed.xml").read_bytes())
    assert [item["id"] for item in feed["items"]] == [e.id for e in rss.entries]
    ids = [item["id"] for item in feed["items"]]
    assert len(ids) == len(set(ids))
    for item in feed["items"]:
        assert item["url"].startswith(fixture_server.base_url) and item["title"]
        assert item.get("content_html") or item.get("content_text")
        assert time.strptime(item["date_published"], "%Y-%m-%dT%H:%M:%SZ")
        assert isinstance(item["tags"], list) and item["tags"] and item["language"] in ("fr", "en")


# --- screenshots --------------------------------------------------------------------------

SIZES = {"phone": (390, 844), "desktop": (1280, 900)}


def test_screenshots_fit_phone_and_desktop(fixture_server: SiteServer) -> None:
    """Saved to tests/artifacts/ for a person to look at; checked for sideways scrolling."""
    ARTIFACTS.mkdir(exist_ok=True)
    shots = {"index": "", "briefing": f"2023/08/{REAL_SLUG}/", "search": "search/?q=coree"}
    overflow = []
    with launch_browser() as browser:
        for size, (width, height) in SIZES.items():
            for scheme in ("light", "dark"):
                page = browser.new_page(viewport={"width": width, "height": height}, color_scheme=scheme)
                for name, path in shots.items():
                    if scheme == "dark" and name == "index":
                        continue
                    page.goto(fixture_server.base_url + path)
                    if name == "search":
                        page.wait_for_selector(".search-result mark", timeout=15000)
                    wide = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
                    if wide:
                        overflow.append(f"{name} at {size} ({scheme})")
                    page.screenshot(path=str(ARTIFACTS / f"{name}-{size}-{scheme}.png"), full_page=True)
                page.close()
    assert (ARTIFACTS / "briefing-phone-light.png").stat().st_size > 10_000
    assert not overflow, f"pages wider than the screen: {overflow}"


def test_print_stylesheet_hides_navigation(fixture_server: SiteServer) -> None:
    with launch_browser() as browser:
        page = browser.new_page()
        page.goto(fixture_server.base_url + f"2023/08/{REAL_SLUG}/")
        page.emulate_media(media="print")
        hidden = page.evaluate("""() => ['.site-header nav', '.prev-next', '.site-footer', '.related']
            .map(s => document.querySelector(s)).filter(Boolean)
            .map(e => getComputedStyle(e).display)""")
        assert hidden[:3] == ["none", "none", "none"]
        assert page.evaluate("getComputedStyle(document.querySelector('article')).display") != "none"


def test_keyboard_skip_link_focus_ring_and_readable_measure(fixture_server: SiteServer) -> None:
    with launch_browser() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(fixture_server.base_url + f"2023/08/{REAL_SLUG}/")
        page.keyboard.press("Tab")
        skip = page.evaluate("""() => { const e = document.activeElement, r = e.getBoundingClientRect(),
                                       s = getComputedStyle(e);
            return {cls: e.className, top: r.top, left: r.left, outline: s.outlineStyle, width: s.outlineWidth}; }""")
        assert skip["cls"] == "skip-link" and skip["top"] >= 0 and skip["left"] >= 0, "the skip link shows on focus"
        assert skip["outline"] != "none" and skip["width"] != "0px", "focus is visible"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        page.keyboard.press("Tab")
        assert page.evaluate("!!document.activeElement.closest('main')"), "Tab goes on inside the content"
        ring = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert ring != "none"
        text = page.evaluate("""() => { const p = document.querySelector('.briefing .body p'),
                                       s = getComputedStyle(p);
            return {width: p.getBoundingClientRect().width, size: parseFloat(s.fontSize), hyphens: s.hyphens,
                    lang: p.closest('[lang]').lang}; }""")
        assert text["width"] / text["size"] <= 38, "about 70 characters a line at most"
        assert (text["hyphens"], text["lang"]) == ("auto", "fr")
