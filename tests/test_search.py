"""Full-text search: the search page (theme/static/search.js) over the index the build writes,
served under a sub-path, used in Chromium as a reader would: type, read the highlighted
excerpts, filter, ask for more results.

The site is the fixture corpus (French and English) with the real seed and a
translation pair, built for and served at http://127.0.0.1:PORT/REPO/.
"""
from __future__ import annotations

import gzip
import json
import shutil
import time
from pathlib import Path

import pytest

from briefings import search
from browser import launch_browser
from fixtures.reader import build_real_seed_site, served_fixture_site
from helpers import REAL_SLUG, parse_html
from sitecrawl import SiteServer

RESULT = ".search-result"
LINK = ".search-result-title a"
REAL_URL_END = f"/REPO/2023/08/{REAL_SLUG}/"
LABEL = "Mots à rechercher"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    with served_fixture_site(tmp_path_factory.mktemp("search") / "archive") as served:
        yield served


@pytest.fixture(scope="module")
def browser():
    with launch_browser() as chromium:
        yield chromium


def _watch(page) -> list[str]:
    """Console errors and warnings, script errors and failed requests of `page`, as they come."""
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type in ("error", "warning") and errors.append(m.text))
    page.on("response", lambda r: r.status >= 400 and errors.append(f"{r.status} {r.url}"))
    return errors


def _search(page, base_url: str, words: str) -> list[str]:
    """Open the search page, type `words` like a reader, return the result links (hrefs)."""
    page.goto(base_url + "search/")
    page.get_by_label(LABEL).fill(words)
    _wait_query(page, words)
    return _links(page)


def _wait_query(page, words: str) -> None:
    """Wait until the page shows the results of `words` (the script marks the search done). The
    bound is generous: a page's first search loads Pagefind's WebAssembly and index while the
    other test worker may be building a site."""
    page.wait_for_function("w => document.getElementById('search').dataset.query === w", arg=words,
                           timeout=45000)


def _after_click(page, locator) -> None:
    """Click `locator` and wait for the search it starts to be shown."""
    done = int(page.get_attribute("#search", "data-done"))
    locator.click()
    page.wait_for_function("n => +document.getElementById('search').dataset.done > n", arg=done)


def _links(page) -> list[str]:
    return page.eval_on_selector_all(LINK, "links => links.map(a => a.getAttribute('href'))")


def _count(page) -> int:
    """The number of results the page announces ("12 résultats"; "Aucun résultat" is 0)."""
    words = page.locator(".search-count").inner_text().split()
    return int(words[0]) if words[0].isdigit() else 0


def _filter_counts(page, legend: str) -> dict[str, int]:
    """A filter's values and their counts, as shown: {"Corée du Nord": 6, …}."""
    group = page.locator("fieldset.search-filter", has=page.locator("legend", has_text=legend))
    labels = [" ".join(text.split()) for text in group.locator("label").all_inner_texts()]
    return {label.rsplit(" (", 1)[0]: int(label.rsplit("(", 1)[1].rstrip(")")) for label in labels}


def _topic_of(site: Path, href: str) -> list[str]:
    """The topic slugs a result's page shows in its topic tags."""
    page = parse_html(site / href.removeprefix("/REPO/") / "index.html")
    return [a.attrs["href"].rstrip("/").rsplit("/", 1)[-1]
            for a in page.find("ul", "topic-tags").find_all("a")]


def _lang_of(site: Path, href: str) -> str:
    return parse_html(site / href.removeprefix("/REPO/") / "index.html").find("html").attrs["lang"]


def test_coree_finds_the_north_korea_briefing_with_highlighted_excerpt(server: SiteServer, browser) -> None:
    page = browser.new_page()
    errors = _watch(page)
    links = _search(page, server.base_url, "coree")
    assert REAL_URL_END in links, links
    result = page.locator(RESULT).filter(has=page.locator(f"a[href='{REAL_URL_END}']"))
    assert "Corée du Nord" in result.locator(LINK).inner_text()
    marks = result.locator(".search-excerpt mark").all_inner_texts()
    assert marks and all(m.strip().casefold() == "corée" for m in marks), marks
    assert "14 août 2023" in result.inner_text(), "results show the briefing's date"
    assert page.evaluate("document.activeElement.id") == "search-input", "the search box has the focus"
    assert _count(page) == len(links), "the count says how many results there are"
    assert page.get_attribute(".search-count", "role") == "status", "screen readers hear the count"
    # Every result is a briefing page under the sub-path: listings and search are not indexed.
    assert all(link.startswith("/REPO/20") for link in links), links
    assert not errors, errors


def test_excerpts_are_text_with_marks_only(server: SiteServer, browser) -> None:
    """The corpus has a briefing titled with HTML: it is shown as text, never run."""
    page = browser.new_page()
    errors = _watch(page)
    page.on("dialog", lambda d: errors.append(f"dialog {d.message}") or d.dismiss())
    _search(page, server.base_url, "alerte")
    assert "<script>alert(1)</script>" in page.locator(RESULT).first.inner_text()
    tags = page.eval_on_selector_all(f"{RESULT} *", "els => [...new Set(els.map(e => e.localName))]")
    assert set(tags) <= {"h2", "a", "p", "mark"}, tags
    assert not errors, errors


def test_topic_and_language_filters(server: SiteServer, browser) -> None:
    page = browser.new_page()
    _search(page, server.base_url, "region")  # in every corpus briefing, French "région" and English "region"
    total = _count(page)
    assert total > 20
    topics, languages = _filter_counts(page, "Sujet"), _filter_counts(page, "Langue")
    # in the interface language
    assert sum(languages.values()) == total and set(languages) == {"français", "anglais"}, languages
    assert list(topics) == sorted(topics, key=lambda n: n.casefold().replace("é", "e")), "the locale's order"
    _after_click(page, page.get_by_label("Corée du Nord", exact=False))
    in_topic = _count(page)
    assert in_topic == topics["Corée du Nord"] < total, "the count shown beside the topic was right"
    while page.locator(".search-more").is_visible():  # ten at a time
        _after_more(page)
    filtered = _links(page)
    assert len(filtered) == in_topic
    assert all("north-korea" in _topic_of(server.root, link) for link in filtered), filtered
    # Narrow further to English: only the English North Korea briefings stay.
    english_count = _filter_counts(page, "Langue")["anglais"]
    _after_click(page, page.get_by_label("anglais", exact=False))
    english = _links(page)
    assert len(english) == _count(page) == english_count and set(english) < set(filtered)
    for link in english:
        assert _lang_of(server.root, link) == "en" and "north-korea" in _topic_of(server.root, link)
    # Values of one filter add up: French too gives the topic's results again.
    _after_click(page, page.get_by_label("français", exact=False))
    assert _count(page) == in_topic


def _after_more(page) -> None:
    shown = page.locator(RESULT).count()
    page.locator(".search-more").click()
    page.wait_for_function(f"document.querySelectorAll('{RESULT}').length > {shown}")


def test_more_results_fetch_only_what_is_shown(server: SiteServer, browser) -> None:
    page = browser.new_page()
    fragments: list[str] = []
    page.on("request", lambda r: r.url.endswith(".pf_fragment") and fragments.append(r.url))
    _search(page, server.base_url, "region")
    total = _count(page)
    assert page.locator(RESULT).count() == 10 < total
    assert len(fragments) == 10, "data is fetched for the results shown, not for all"
    _after_more(page)
    assert page.locator(RESULT).count() == len(set(fragments)) == min(20, total)
    assert page.evaluate("document.activeElement.closest('li') === document.querySelectorAll('.search-result')[10]"), \
        "the keyboard goes to the first result added"
    while page.locator(".search-more").is_visible():
        _after_more(page)
    assert page.locator(RESULT).count() == total == len(set(_links(page)))


def test_on_a_phone_the_results_come_first_and_the_filters_fold(server: SiteServer, browser) -> None:
    """On a 390 px screen the filters are folded under a toggle above the results, so the first
    result shows without scrolling; unfolded they filter as on a wide screen, and the toggle
    says how many values are ticked."""
    page = browser.new_page(viewport={"width": 390, "height": 844})
    _search(page, server.base_url, "region")
    total = _count(page)
    toggle = page.locator(".search-filters-toggle")
    assert toggle.inner_text() == "Filtrer les résultats"
    assert not page.locator("fieldset.search-filter").first.is_visible(), "folded"
    assert page.locator(RESULT).first.bounding_box()["y"] < 844, "the first result is on the first screen"
    toggle.click()
    assert page.locator("fieldset.search-filter").first.is_visible()
    _after_click(page, page.get_by_label("anglais", exact=False))
    assert toggle.inner_text() == "Filtrer les résultats (1)"
    assert 0 < _count(page) < total
    wide = browser.new_page()  # the same page on a wide screen: no toggle, the filters beside the results
    _search(wide, server.base_url, "region")
    assert not wide.locator(".search-filters-toggle").is_visible()
    assert wide.locator("fieldset.search-filter").first.is_visible()


def test_one_search_finds_both_languages(server: SiteServer, browser) -> None:
    page = browser.new_page()
    links = _search(page, server.base_url, "pyongyang")
    assert {_lang_of(server.root, link) for link in links} == {"fr", "en"}, links


def test_query_in_the_address_and_query_time(server: SiteServer, browser) -> None:
    """`search/?q=…` opens with results, the address follows the query; a warm query answers
    fast (printed for the record)."""
    page = browser.new_page()
    page.goto(server.base_url + "search/?q=inflation")
    _wait_query(page, "inflation")
    assert page.locator(f"{RESULT} mark").count() and page.get_by_label(LABEL).input_value() == "inflation"
    box = page.get_by_label(LABEL)
    timings = []
    for words in ("ukraine", "climat", "corée du nord"):
        start = time.perf_counter()
        box.fill(words)
        _wait_query(page, words)
        timings.append(time.perf_counter() - start)
        assert page.evaluate("location.search") == "?q=" + words.replace(" ", "%20").replace("é", "%C3%A9")
    print(f"\nsearch: warm query times (typing to highlighted results, {200} ms debounce included): "
          + ", ".join(f"{t * 1000:.0f} ms" for t in timings))
    box.fill("")
    _wait_query(page, "")
    assert page.locator(RESULT).count() == 0 and page.evaluate("location.search") == ""


def test_superseded_results_are_never_shown_fetched_or_counted(server: SiteServer, browser,
                                                                tmp_path: Path) -> None:
    """manifest.json's `superseded` ids (stale copies of edited or removed briefings in older
    parts) are dropped from the results and from every count; a stale copy's data is fetched
    once at most, for the filter values its counts are taken off."""
    site = tmp_path / "site"
    shutil.copytree(server.root, site)
    index = site / search.INDEX_DIR
    manifest = json.loads((index / "manifest.json").read_text())
    fragments = {json.loads(gzip.decompress(f.read_bytes())[len(b"pagefind_dcd"):])["url"]: f.stem
                 for f in index.rglob("*.pf_fragment")}
    stale = fragments[f"/2023/08/{REAL_SLUG}/"]
    with SiteServer(site, "/REPO/") as served:
        page = browser.new_page()
        _search(page, served.base_url, "coree")
        before, topics_before = _count(page), _filter_counts(page, "Sujet")
        manifest["superseded"] = [stale]
        (index / "manifest.json").write_text(json.dumps(manifest))
        page = browser.new_page()
        fetched: list[str] = []
        page.on("request", lambda r: fetched.append(r.url))
        links = _search(page, served.base_url, "coree")
        assert REAL_URL_END not in links and _count(page) == len(links) == before - 1
        topics = _filter_counts(page, "Sujet")
        assert topics["Corée du Nord"] == topics_before["Corée du Nord"] - 1, (topics, topics_before)
        assert sum(_filter_counts(page, "Langue").values()) == before - 1
        assert len([url for url in fetched if stale in url]) <= 1, "the stale copy's data, once at most"


def test_index_size(server: SiteServer) -> None:
    index = server.root / search.INDEX_DIR
    files = [p for p in index.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    print(f"\nsearch: pagefind/ holds {len(files)} files, {size / 1024:.0f} KiB")
    manifest = json.loads((index / "manifest.json").read_text())
    for part in manifest["parts"]:
        assert (index / part["path"] / "pagefind.js").is_file(), part
        assert (index / part["path"] / "pagefind-entry.json").is_file(), part
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
