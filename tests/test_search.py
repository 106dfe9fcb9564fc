"""Full-text search with Pagefind: indexed after the build, served under a sub-path, used
in Chromium as a reader would: type, read the highlighted excerpts, filter.

The site is the fixture corpus (French and English) with the real seed and a
translation pair, built for and served at http://127.0.0.1:PORT/REPO/.
"""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from briefings.config import load_config
from briefings.errors import SiteErrors
from briefings import search
from browser import launch_browser
from fixtures.reader import build_real_seed_site, served_fixture_site
from helpers import REAL_SLUG, create_project, parse_html
from sitecrawl import SiteServer

RESULT = ".pagefind-ui__result"
LINK = ".pagefind-ui__result-link"
REAL_URL_END = f"/REPO/2023/08/{REAL_SLUG}/"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    with served_fixture_site(tmp_path_factory.mktemp("search") / "archive") as served:
        yield served


@pytest.fixture(scope="module")
def browser():
    with launch_browser() as chromium:
        yield chromium


def _search(page, base_url: str, words: str) -> list[str]:
    """Open the search page, type `words` like a reader, return the result links (hrefs)."""
    page.goto(base_url + "search/")
    box = page.get_by_label("Mots à rechercher")
    box.fill(words)
    page.wait_for_selector(f"{RESULT} mark", timeout=15000)
    return _links(page)


def _links(page) -> list[str]:
    page.wait_for_function("!document.querySelector('.pagefind-ui__result-title.pagefind-ui__loading')")
    return page.eval_on_selector_all(LINK, "links => links.map(a => a.getAttribute('href'))")


def _topic_of(site: Path, href: str) -> list[str]:
    """The topic slugs a result's page shows in its topic tags."""
    page = parse_html(site / href.removeprefix("/REPO/") / "index.html")
    return [a.attrs["href"].rstrip("/").rsplit("/", 1)[-1]
            for a in page.find("ul", "topic-tags").find_all("a")]


def test_coree_finds_the_north_korea_briefing_with_highlighted_excerpt(server: SiteServer, browser) -> None:
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type in ("error", "warning") and errors.append(m.text))
    page.on("response", lambda r: r.status >= 400 and errors.append(f"{r.status} {r.url}"))
    links = _search(page, server.base_url, "coree")
    assert REAL_URL_END in links, links
    result = page.locator(RESULT).filter(has=page.locator(f"a[href='{REAL_URL_END}']"))
    assert "Corée du Nord" in result.locator(LINK).inner_text()
    marks = result.locator(".pagefind-ui__result-excerpt mark").all_inner_texts()
    assert marks and all(m.casefold() == "corée" for m in marks), marks
    assert "14 août 2023" in result.inner_text(), "results show the briefing's date"
    assert page.evaluate("document.activeElement.id") == "search-input", "the search box has the focus"
    # Every result is a briefing page under the sub-path: listings and search are not indexed.
    assert all(link.startswith("/REPO/20") for link in links), links
    assert not errors, errors


def _count(page) -> int:
    """The number of results Pagefind announces ("12 résultats pour …")."""
    return int(page.locator(".pagefind-ui__message").inner_text().split()[0])


def _wait_count_below(page, count: int) -> int:
    page.wait_for_function(
        "n => parseInt(document.querySelector('.pagefind-ui__message').textContent) < n", arg=count)
    return _count(page)


def test_topic_and_language_filters(server: SiteServer, browser) -> None:
    page = browser.new_page()
    _search(page, server.base_url, "region")  # in every corpus briefing, French "région" and English "region"
    total = _count(page)
    assert total > 20
    page.get_by_label("Corée du Nord", exact=False).first.check()
    in_topic = _wait_count_below(page, total)
    if in_topic > 5:  # Pagefind shows five at a time
        page.locator("button.pagefind-ui__button").click()
    page.wait_for_function(f"document.querySelectorAll('{LINK}').length === {in_topic}")
    filtered = _links(page)
    assert all("north-korea" in _topic_of(server.root, link) for link in filtered), filtered
    # Narrow further to English: only the English North Korea briefings stay.
    page.locator(".pagefind-ui__filter-name", has_text="Langue").click()
    page.get_by_label("English", exact=False).first.check()
    english_count = _wait_count_below(page, in_topic)
    page.wait_for_function(f"document.querySelectorAll('{LINK}').length === {english_count}")
    english = _links(page)
    assert english and set(english) < set(filtered)
    for link in english:
        document = parse_html(server.root / link.removeprefix("/REPO/") / "index.html")
        assert document.find("html").attrs["lang"] == "en" and "north-korea" in _topic_of(server.root, link)


def test_one_search_finds_both_languages(server: SiteServer, browser) -> None:
    page = browser.new_page()
    links = _search(page, server.base_url, "pyongyang")
    langs = {parse_html(server.root / link.removeprefix("/REPO/") / "index.html").find("html").attrs["lang"]
             for link in links}
    assert langs == {"fr", "en"}, links


def test_query_in_the_address_and_query_time(server: SiteServer, browser) -> None:
    """`search/?q=…` opens with results; a warm query answers fast (printed for the record)."""
    page = browser.new_page()
    page.goto(server.base_url + "search/?q=inflation")
    page.wait_for_selector(f"{RESULT} mark", timeout=15000)
    box = page.get_by_label("Mots à rechercher")
    timings = []
    for words in ("ukraine", "climat", "coree"):
        start = time.perf_counter()
        box.fill(words)
        page.wait_for_function(
            """w => { const r = document.querySelector('.pagefind-ui__message');
                      return r && r.textContent.includes(w) && document.querySelector('.pagefind-ui__result mark'); }""",
            arg=words, timeout=15000)
        timings.append(time.perf_counter() - start)
    print(f"\nsearch: warm query times (typing to highlighted results): "
          + ", ".join(f"{t * 1000:.0f} ms" for t in timings))
    assert max(timings) < 5


def test_index_size(server: SiteServer) -> None:
    index = server.root / search.INDEX_DIR
    files = [p for p in index.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    print(f"\nsearch: pagefind/ holds {len(files)} files, {size / 1024:.0f} KiB")
    assert (index / "pagefind-ui.js").is_file() and (index / "pagefind-entry.json").is_file()
    assert size < 5 * 1024 * 1024


def test_from_disk_the_search_page_says_it_needs_a_server(server: SiteServer, browser) -> None:
    page = browser.new_page()
    page.goto((server.root / "search" / "index.html").as_uri())
    message = page.locator(".search-message")
    message.wait_for()
    assert "serveur web" in message.inner_text()


def test_without_an_index_the_search_page_says_so(tmp_path: Path, browser) -> None:
    site = build_real_seed_site(tmp_path / "p", "http://127.0.0.1/")
    shutil.rmtree(site / search.INDEX_DIR, ignore_errors=True)
    with SiteServer(site, "/") as served:
        page = browser.new_page()
        page.goto(served.base_url + "search/")
        message = page.locator(".search-message")
        message.wait_for()
        assert "index de recherche" in message.inner_text()


# --- index_site itself ---------------------------------------------------------------------

def test_index_site_replaces_the_index_whole(tmp_path: Path) -> None:
    site = build_real_seed_site(tmp_path / "p", "http://127.0.0.1/")
    config = load_config(tmp_path / "p" / "config.yaml")
    stale = site / search.INDEX_DIR / "fragment" / "stale.pf_fragment"
    stale.write_bytes(b"old")
    search.index_site(site, config)
    assert not stale.exists() and (site / search.INDEX_DIR / "pagefind.js").is_file()
    assert not [p for p in site.iterdir() if p.name.startswith(".pagefind-")], "no work folder left behind"


def test_carry_index_reuses_the_live_index(tmp_path: Path) -> None:
    live = build_real_seed_site(tmp_path / "p", "http://127.0.0.1/")
    work = tmp_path / "work"
    (work / search.INDEX_DIR).mkdir(parents=True)
    (work / search.INDEX_DIR / "old.txt").write_text("two builds ago")
    assert search.carry_index(live, work)
    carried = sorted(p.relative_to(work).as_posix() for p in work.rglob("*") if p.is_file())
    assert carried == sorted(p.relative_to(live).as_posix() for p in (live / search.INDEX_DIR).rglob("*")
                             if p.is_file())
    entry = work / search.INDEX_DIR / "pagefind-entry.json"
    assert entry.stat().st_ino == (live / search.INDEX_DIR / "pagefind-entry.json").stat().st_ino
    assert not search.carry_index(tmp_path / "no-site", work), "nothing to carry: says so, changes nothing"
    assert entry.is_file()


def test_index_site_errors_are_clear(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(create_project(tmp_path / "p"))
    with pytest.raises(SiteErrors, match="no such folder"):
        search.index_site(tmp_path / "nowhere", config)
    (tmp_path / "site").mkdir()
    monkeypatch.setattr(search, "pagefind_binary", lambda: None)
    with pytest.raises(SiteErrors, match=r"not installed \(pip install 'pagefind\[bin\]'"):
        search.index_site(tmp_path / "site", config)
    broken = tmp_path / "broken-pagefind"
    broken.write_text("#!/bin/sh\necho 'Error: something broke' >&2\nexit 3\n")
    broken.chmod(0o755)
    monkeypatch.setattr(search, "pagefind_binary", lambda: broken)
    (tmp_path / "site" / search.INDEX_DIR).mkdir()
    (tmp_path / "site" / search.INDEX_DIR / "keep.txt").write_text("previous index")
    with pytest.raises(SiteErrors, match="search indexing failed: Error: something broke"):
        search.index_site(tmp_path / "site", config)
    assert (tmp_path / "site" / search.INDEX_DIR / "keep.txt").read_text() == "previous index"
