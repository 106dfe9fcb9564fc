"""The published site works wherever it is hosted: under a project sub-path
(GitHub Pages `user.github.io/REPO/`), at a domain root, and opened from disk.

One seeded project (25 briefings, `per_page: 5`, so the index and several
topics are paginated) is built three ways; a crawler follows every link,
stylesheet, script, image and feed link from the index. Canonical links are
absolute by design, so they are not followed, only checked against base_url.
Everything is served on 127.0.0.1 from tmp_path folders.
"""
from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from fixtures.images import png
from helpers import content_file, write_file
from sitecrawl import (
    SiteServer,
    crawl_files,
    crawl_http,
    fetch,
    html_files,
    is_canonical,
    make_project,
    page_for_url,
    parse_html,
    run_cli,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """config.yaml of a project with 25 imported briefings, per_page: 5, a page without a
    date (content/pages/about.md), which the navigation of every page links to, and a briefing
    written by hand with media: an image beside it, one in the folder named after it, a PDF."""
    config = make_project(tmp_path_factory.mktemp("project") / "archive")
    about = config.parent / "content" / "pages" / "about.md"
    about.parent.mkdir(parents=True)
    about.write_text("---\ntitle: À propos\nnav_order: 1\n---\nQui nous sommes.\n", encoding="utf-8")
    content = config.parent / "content" / "2024" / "05"
    write_file(content / "seisme.md", content_file(
        {"title": "Séisme au large", "date": "2024-05-03", "topics": ["defence"]},
        "![Carte](carte.png)\n\nLe [rapport](seisme/rapport%20final.pdf) et ![la zone](zone.png)."))
    write_file(content / "carte.png", png(40, 30))
    write_file(content / "seisme" / "zone.png", png(20, 10))
    write_file(content / "seisme" / "rapport final.pdf", b"%PDF-1.4")
    return config


MEDIA = ("2024/05/carte.png", "2024/05/seisme/zone.png", "2024/05/seisme/rapport final.pdf")


def _served(project: Path, tmp: Path, prefix: str, *build_args: str):
    """Bind a server under `prefix`, build for its exact base_url, then serve the result."""
    site = tmp / "site"
    server = SiteServer(site, prefix)
    with server:
        run_cli(project, "build", "--base-url", server.base_url, "--output", str(site), *build_args)
        yield server


@pytest.fixture(scope="module")
def subpath(project: Path, tmp_path_factory: pytest.TempPathFactory):
    """The site built for and served at http://127.0.0.1:PORT/REPO/."""
    yield from _served(project, tmp_path_factory.mktemp("subpath"), "/REPO/")


@pytest.fixture(scope="module")
def at_root(project: Path, tmp_path_factory: pytest.TempPathFactory):
    """The site built for and served at http://127.0.0.1:PORT/."""
    yield from _served(project, tmp_path_factory.mktemp("root"), "/")


@pytest.fixture(scope="module")
def files_site(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site built with --link-style files, for opening from disk."""
    site = tmp_path_factory.mktemp("files") / "site"
    run_cli(project, "build", "--link-style", "files", "--output", str(site))
    return site


def _hosts(request: pytest.FixtureRequest, name: str) -> SiteServer:
    return request.getfixturevalue(name)


_CRAWLS: dict[str, object] = {}


def _crawl(server: SiteServer):
    """One crawl per served site (keyed by its base URL, unique per port), shared by the tests."""
    if server.base_url not in _CRAWLS:
        _CRAWLS[server.base_url] = crawl_http(server.base_url, server.prefix)
    return _CRAWLS[server.base_url]


HOSTS = ["subpath", "at_root"]


# --- 1 and 2: HTTP, under /REPO/ and at / -------------------------------------------


@pytest.mark.parametrize("host", HOSTS)
def test_crawl_from_index_finds_no_broken_link(host: str, request: pytest.FixtureRequest) -> None:
    server = _hosts(request, host)
    crawl = _crawl(server)
    assert not crawl.failures, f"{len(crawl.failures)} problems crawling {server.base_url}:\n{crawl.report()}"
    assert crawl.refs_seen > 500, "the crawler found suspiciously few links"
    # Nothing the site links to made the browser leave the site's folder on the host.
    escaped = [p for p in server.requests if not urlsplit(p).path.startswith(server.prefix)]
    assert not escaped, escaped
    # Every page of the site is reachable from the index (404.html is served, not linked).
    reached = {page_for_url(server.root, server.base_url, url).relative_to(server.root).as_posix()
               for url in crawl.pages}
    orphans = html_files(server.root) - reached - {"404.html"}
    assert not orphans, f"pages no link leads to: {sorted(orphans)}"
    # The crawl covered pagination of the index and of topics, briefings and archives.
    fetched = {path.relative_to(server.root).as_posix() for url in crawl.visited
               if (path := page_for_url(server.root, server.base_url, url)) is not None}
    assert set(MEDIA) <= fetched, "the briefing's media files were not all linked and served"
    for expected in ("about/index.html", "page/1/index.html", "page/4/index.html", "topics/defence/page/1/index.html",
                     "archive/index.html", "2022/index.html", "2023/10/index.html",
                     "2024/06/point-de-situation-sur-l-ukraine-2/index.html"):
        assert expected in reached, expected


@pytest.mark.parametrize("host", HOSTS)
def test_canonical_links_are_the_pages_own_absolute_urls(host: str, request: pytest.FixtureRequest) -> None:
    server = _hosts(request, host)
    crawl = _crawl(server)
    assert set(crawl.canonicals) == set(crawl.pages), "every page but 404.html has a canonical link"
    wrong = {page: canon for page, canon in crawl.canonicals.items()
             if not canon.startswith(server.base_url) or canon != page}
    assert not wrong, wrong


@pytest.mark.parametrize("missing", ["no/such/page/", "2023/08/no-such-briefing/", "topics/nope/page/9/",
                                     "x", "static/missing.css"])
@pytest.mark.parametrize("host", HOSTS)
def test_404_page_links_resolve_from_any_depth(host: str, missing: str, request: pytest.FixtureRequest) -> None:
    server = _hosts(request, host)
    url = server.base_url + missing
    resp = fetch(url)
    assert resp.status == 404
    page = parse_html(resp.text)
    assert page.base == server.prefix, "404.html resolves its links from the site's path, at any depth"
    assert any(ref.tag == "link" and "stylesheet" in ref.rel for ref in page.refs), "404 page has no stylesheet"
    assert not any(is_canonical(ref) for ref in page.refs), "404.html must not claim a canonical URL"
    checked = 0
    for ref in page.refs:
        if ref.value.startswith("#"):
            continue
        target = urljoin(urljoin(url, page.base), ref.value).split("#")[0]
        assert urlsplit(target).path.startswith(server.prefix), f"{ref} leaves {server.prefix}: {target}"
        assert fetch(target).status == 200, f"{ref} on the 404 page for {missing}: {target} is broken"
        checked += 1
    assert checked >= 5


def test_404_page_outside_the_sub_path_still_points_into_it(subpath: SiteServer) -> None:
    """GitHub serves the project's 404.html only under /REPO/; even so its links must lead into /REPO/,
    wherever the page was served: its `<base href>` is the site's path."""
    page = parse_html((subpath.root / "404.html").read_text(encoding="utf-8"))
    assert page.base == "/REPO/"
    targets = [urlsplit(urljoin(urljoin("http://host/elsewhere/deep/x", page.base), ref.value)).path
               for ref in page.refs if not ref.value.startswith("#")]
    assert targets and all(t.startswith("/REPO/") for t in targets), targets


def test_rebuild_in_place_for_another_host(project: Path, tmp_path: Path) -> None:
    """Incremental rebuild into the same folder after base_url and link style changed (a local
    files build, then the CI build for Pages): nothing stale may survive. The base URL comes from
    BRIEFINGS_BASE_URL, without its trailing slash."""
    site = tmp_path / "site"
    run_cli(project, "build", "--output", str(site), "--link-style", "files",
            "--base-url", "http://old.example.org/elsewhere/")
    with SiteServer(site, "/REPO2/") as server:
        env = {**os.environ, "BRIEFINGS_BASE_URL": server.base_url.rstrip("/")}
        run_cli(project, "build", "--output", str(site), env=env)
        crawl = crawl_http(server.base_url, server.prefix)
        assert not crawl.failures, crawl.report()
        stale = {p: c for p, c in crawl.canonicals.items() if c != p}
        assert not stale, stale
        assert '<base href="/REPO2/">' in fetch(server.base_url + "nothing/here/").text
        for feed in _feeds(site):
            assert all(u.startswith(server.base_url) for u in _feed_urls(feed)), feed


def _launch(pw):
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (sh tests/install-chromium.sh); "
                    "CI installs it")
    return pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def _links_of_404(page) -> list[str]:
    """Every URL the 404 page loads or links to, as the browser resolved it."""
    return page.evaluate("""() => [...document.querySelectorAll('a[href], link[href], script[src]')]
        .map(e => e.href || e.src).filter(u => !u.includes('#main'))""")


def test_404_page_in_chromium_on_every_host(subpath: SiteServer, at_root: SiteServer, files_site: Path) -> None:
    """The 404 page as a browser shows it: styled, with working links, when a server answers a
    missed URL at any depth with it (under /REPO/ and at /), and when it is opened from disk
    (a files build and a pretty build: its links stay in the site's folder)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = _launch(pw)
        try:
            page = browser.new_page()
            page.set_content("<!DOCTYPE html><html><body><header><div class=wrap>x</div></header></body></html>")
            default = _styled(page)
            for server in (subpath, at_root):
                for missing in ("x", "no/such/page/", "2023/08/gone/deeper/still/"):
                    response = page.goto(server.base_url + missing)
                    assert response.status == 404
                    style = _styled(page)
                    assert style["headerDisplay"] == "flex" != default["headerDisplay"], (missing, style)
                    links = _links_of_404(page)
                    assert len(links) >= 8, links
                    for url in links:
                        assert url.startswith(server.base_url), (missing, url)
                        assert fetch(url).status == 200, (missing, url)
            pretty = subpath.root
            for site, style_name in ((files_site, "files"), (pretty, "pretty")):
                page.goto((site / "404.html").as_uri())
                style = _styled(page)
                assert style["headerDisplay"] == "flex" != default["headerDisplay"], (style_name, style)
                for url in _links_of_404(page):
                    assert url.startswith(site.as_uri() + "/"), (style_name, url)
                    target = Path(urlsplit(url).path)
                    assert target.is_file() or (style_name == "pretty" and (target / "index.html").is_file()), url
            page.goto((files_site / "404.html").as_uri())
            page.click("a.site-title")
            page.wait_for_load_state()
            assert page.url == (files_site / "index.html").as_uri()
        finally:
            browser.close()


# --- 3: file:// -------------------------------------------------------------------


def test_files_build_crawls_on_disk(files_site: Path) -> None:
    crawl = crawl_files(files_site)
    assert not crawl.failures, f"{len(crawl.failures)} problems opening the site from disk:\n{crawl.report()}"
    orphans = html_files(files_site) - set(crawl.pages) - {"404.html"}
    assert not orphans, f"pages no link leads to: {sorted(orphans)}"
    assert "static/style.css" in crawl.visited and "feed.xml" in crawl.visited
    assert set(MEDIA) <= set(crawl.visited), "the briefing's media files were not all linked from disk"
    assert any(k.startswith("topics/") and k.endswith("/feed.xml") for k in crawl.visited)
    base = "https://example.github.io/briefings/"  # config.yaml's base_url
    assert crawl.canonicals and all(c.startswith(base) for c in crawl.canonicals.values())


def test_pretty_build_is_not_for_disk(subpath: SiteServer) -> None:
    """Sanity check of the crawler itself: pretty links name folders, which file:// cannot open."""
    crawl = crawl_files(subpath.root)
    assert any("names a folder" in f for f in crawl.failures)


def _styled(page) -> dict:
    """Computed styles the theme sets, next to what the browser gives an unstyled page."""
    return page.evaluate("""() => {
        const body = getComputedStyle(document.body);
        const wrap = document.querySelector('header .wrap');
        return {margin: body.margin, font: body.fontFamily, lineHeight: body.lineHeight,
                headerDisplay: wrap ? getComputedStyle(wrap).display : null,
                sheets: [...document.styleSheets].map(s => s.href)};
    }""")


def test_files_build_in_chromium(files_site: Path, tmp_path: Path) -> None:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (sh tests/install-chromium.sh); "
                    "CI installs it")
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            # ERR_ABORTED: a request (the favicon, say) cut short by the next click's navigation, not a
            # missing file; a missing file fails with ERR_FILE_NOT_FOUND
            page.on("requestfailed", lambda r: "ERR_ABORTED" not in (r.failure or "")
                    and problems.append(f"request failed: {r.url} {r.failure}"))
            page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
            page.set_content("<!DOCTYPE html><html><body><header><div class=wrap>x</div></header></body></html>")
            default = _styled(page)

            def check_styled(what: str) -> None:
                style = _styled(page)
                assert page.url.startswith("file://"), page.url
                assert any(s and s.endswith("/static/style.css") for s in style["sheets"]), (what, style)
                assert style["margin"] == "0px" != default["margin"], (what, style, default)
                assert style["font"] != default["font"], (what, style, default)
                assert style["headerDisplay"] == "flex" != default["headerDisplay"], (what, style)

            page.goto((files_site / "index.html").as_uri())
            check_styled("index")
            # Home → topics → a topic → one of its briefings, by clicking like a reader.
            page.click("header nav a[href$='topics/index.html']")
            page.wait_for_load_state()
            assert page.url.endswith("/topics/index.html"), page.url
            check_styled("topics")
            page.click("main a[href$='defence/index.html']")
            page.wait_for_load_state()
            assert page.url.endswith("/topics/defence/index.html"), page.url
            check_styled("topic")
            page.click("main a[rel=next]")
            page.wait_for_load_state()
            assert page.url.endswith("/topics/defence/page/1/index.html"), page.url
            check_styled("topic page 1")
            title = page.locator(".briefing-item a").first.inner_text()
            page.locator(".briefing-item a").first.click()
            page.wait_for_load_state()
            assert page.locator("article.briefing h1").inner_text() == title
            check_styled("briefing")
            # And back home through the site title, from three folders deep.
            page.click("a.site-title")
            page.wait_for_load_state()
            assert page.url == (files_site / "index.html").as_uri()
            check_styled("index again")
        finally:
            browser.close()
    assert not problems, problems


# --- 4: feeds (and the sitemap) -------------------------------------------------------


def _feeds(site: Path) -> list[Path]:
    feeds = [site / "feed.xml", *sorted((site / "topics").glob("*/feed.xml"))]
    assert len(feeds) >= 5, feeds
    return feeds


def _feed_urls(feed: Path) -> list[str]:
    channel = ET.parse(feed).getroot().find("channel")
    assert channel is not None, feed
    urls = [channel.findtext("link")]
    urls += [link.get("href") for link in channel.findall(f"{ATOM}link")]
    urls += [item.findtext("link") for item in channel.findall("item")]
    assert channel.findall("item"), f"{feed} has no items"
    return urls


@pytest.mark.parametrize("host", HOSTS)
def test_feed_links_are_absolute_and_served(host: str, request: pytest.FixtureRequest) -> None:
    server = _hosts(request, host)
    checked = 0
    for feed in _feeds(server.root):
        for url in _feed_urls(feed):
            assert url and url.startswith(server.base_url), f"{feed.name}: {url!r} is not under {server.base_url}"
            target = page_for_url(server.root, server.base_url, url)
            assert target is not None and target.is_file(), f"{feed}: {url} has no page"
            assert fetch(url).status == 200, f"{feed}: {url}"
            checked += 1
    assert checked > 50


def test_feed_links_in_files_build_still_use_base_url(files_site: Path) -> None:
    """Feeds are read by feed readers, not from disk: their links stay absolute and pretty."""
    base = "https://example.github.io/briefings/"
    for feed in _feeds(files_site):
        for url in _feed_urls(feed):
            assert url.startswith(base), (feed, url)
            assert not url.endswith("index.html"), (feed, url)
            assert page_for_url(files_site, base, url).is_file(), (feed, url)


@pytest.mark.parametrize("host", HOSTS)
def test_sitemap_and_robots_point_at_served_pages(host: str, request: pytest.FixtureRequest) -> None:
    server = _hosts(request, host)
    index = fetch(server.base_url + "sitemap.xml")
    sitemaps = [loc.text for loc in ET.fromstring(index.body).iter(f"{SITEMAP}loc")]
    assert len(sitemaps) >= 2  # the listings, and a year of briefings
    locs = []
    for sitemap in sitemaps:  # as a crawler reads them: over HTTP, from the index
        assert sitemap.startswith(server.base_url), sitemap
        locs += [loc.text for loc in ET.fromstring(fetch(sitemap).body).iter(f"{SITEMAP}loc")]
    assert len(locs) > 30
    for url in locs:
        assert url.startswith(server.base_url), url
        assert fetch(url).status == 200, url
    robots = fetch(server.base_url + "robots.txt").text
    assert f"Sitemap: {server.base_url}sitemap.xml" in robots


# --- the crawler itself -------------------------------------------------------------


def test_crawler_reports_broken_escaping_and_folder_links(tmp_path: Path) -> None:
    """A green crawl means something only if the crawler can see red."""
    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    (site / "index.html").write_text(
        '<link rel="stylesheet" href="style.css"><a href="a/">a</a><a href="missing/">m</a>'
        '<a href="../outside/">o</a><a href="a/#nope">f</a><img src="/abs.png">')
    (site / "style.css").write_text("body{}")
    (site / "a" / "index.html").write_text('<p id="here"><a href="../#x">up</a></p>')
    with SiteServer(site, "/REPO/") as server:
        crawl = crawl_http(server.base_url, "/REPO/")
    text = crawl.report()
    assert "missing/ answered 404" in text
    assert "/outside/ escapes /REPO/" in text
    assert "/abs.png escapes /REPO/" in text
    assert "no id 'nope'" in text and "no id 'x'" in text
    assert crawl.visited[server.base_url + "style.css"] == 200
    disk = crawl_files(site).report()
    assert "names a folder" in disk and "root-relative" in disk and "escapes the site folder" in disk
