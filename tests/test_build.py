"""End to end: seeds -> import -> build (as a subprocess), then read the site as a reader,
a browser and a feed reader would."""
from __future__ import annotations

import json
import posixpath
import re
import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
import yaml

from briefings.text import word_count
from briefings.typography import french_spacing
from fixtures.corpus import HOSTILE_TITLE, SUBHEADING, write_corpus
from helpers import (
    BASE_SCRIPT,
    BASE_URL,
    REAL_SEED_ID,
    REAL_SLUG,
    create_project,
    html_pages,
    merge,
    parse_html,
    read_sitemap,
    resolve,
    run_build_py,
    snapshot,
    split_front_matter,
    url_attributes,
    write_file,
)

PER_PAGE = 5
TOPIC_NAMES_FR = {"north-korea": "Corée du Nord", "defence": "Défense", "ukraine": "Ukraine", "china": "Chine",
                  "economy": "Économie", "energy": "Énergie", "climate": "Climat", "elections": "Élections",
                  "middle-east": "Moyen-Orient", "africa": "Afrique", "technology": "Technologie",
                  "health": "Santé", "general": "Général"}
HAND_WRITTEN = """---
title: Hand-written note with hostile Markdown
date: 2021-02-03
topics: [technology]
lang: en
---
A [click](javascript:alert(1)) link, a [data](data:text/html;base64,PHNjcmlwdD4=) link,
a [vb](vbscript:msgbox) link, raw <script>alert(2)</script> and <img src=x onerror=alert(3)>.

<iframe src="javascript:alert(4)"></iframe>

A [real link](https://example.org/page) to somewhere else, and the end of the note.
"""


@dataclass(frozen=True)
class Expected:
    """A briefing as its content file says it should appear."""
    file: str
    title: str
    date: str
    topics: tuple[str, ...]
    lang: str
    id: str
    body: str

    @property
    def sort_key(self) -> tuple[int, int, int]:
        parts = [int(p) for p in self.date.split("-")] + [0, 0]
        return parts[0], parts[1], parts[2]

    @property
    def shown_title(self) -> str:
        """The title as pages show it: French spacing for French briefings, whitespace collapsed."""
        return " ".join((french_spacing(self.title) if self.lang == "fr" else self.title).split())

    @property
    def page(self) -> str:
        return f"{posixpath.dirname(self.file.removeprefix('content/'))}/{Path(self.file).stem}/index.html"


@dataclass(frozen=True)
class Built:
    root: Path
    site: Path
    files_site: Path
    run: object
    expected: tuple[Expected, ...]
    """Newest first, as the index should list them."""

    def by_title(self, start: str) -> Expected:
        (found,) = [e for e in self.expected if e.title.startswith(start)]
        return found


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("corpus")
    config = create_project(root, {"per_page": PER_PAGE}, real_seed=True)
    write_corpus(root / "seeds")
    imported = run_build_py(config, "import")
    assert imported.code == 0, imported.output
    write_file(root / "content" / "2021" / "02" / "hand-written.md", HAND_WRITTEN)
    run = run_build_py(config, "build")
    assert run.code == 0, run.output
    files = run_build_py(config, "build", "--link-style", "files", "--output", str(root / "files-site"))
    assert files.code == 0, files.output
    expected = []
    for path in sorted((root / "content").rglob("*.md")):
        meta, body = split_front_matter(path)
        expected.append(Expected(path.relative_to(root).as_posix(), meta["title"], str(meta["date"]),
                                 tuple(meta["topics"]), meta["lang"], str(meta.get("id", path.stem)), body))
    expected.sort(key=lambda e: (tuple(-k for k in e.sort_key), e.file))
    return Built(root, root / "site", root / "files-site", run, tuple(expected))


@dataclass
class Item:
    title: str
    href: str
    datetime: str
    shown_date: str


def listing(site: Path, start: str) -> list[tuple[str, list[Item]]]:
    """Follow a paginated listing through its rel=next links: [(page path, items)]."""
    pages, path = [], start
    while path:
        document = parse_html(site / path)
        items = []
        for li in document.find_all("li", "briefing-item"):
            link = li.find("h2", "item-title").find("a")
            time = li.find("time")
            items.append(Item(link.clean_text(), link.attrs["href"], time.attrs["datetime"], time.clean_text()))
        pages.append((path, items))
        next_links = [a for a in document.find_all("a") if a.attrs.get("rel") == "next"
                      and a.parents and any(p.has_class("pagination") for p in a.parents)]
        path = resolve(site, path, next_links[0].attrs["href"]).relative_to(site).as_posix() if next_links else None
        assert len(pages) < 50
    return pages


def page_of(site: Path, page: str, href: str) -> str:
    return resolve(site, page, href).relative_to(site).as_posix()


# --- the build itself -------------------------------------------------------------------

def test_build_reports_what_it_did(built: Built) -> None:
    assert re.search(rf"build: {len(built.expected)} briefings → \d+ pages", built.run.stdout)
    assert built.run.stderr == ""


def test_site_files_exist(built: Built) -> None:
    for name in ("index.html", "404.html", "feed.xml", "sitemap.xml", "robots.txt", ".nojekyll",
                 "static/style.css", "topics/index.html", "archive/index.html"):
        assert (built.site / name).is_file(), name
    for e in built.expected:
        assert (built.site / e.page).is_file(), e.page
    leftovers = [p.name for p in built.root.iterdir() if p.name.startswith(".site")]
    assert leftovers == [], "no temporary build folders are left behind"


def test_real_seed_alone_builds(tmp_path: Path) -> None:
    config = create_project(tmp_path / "p", real_seed=True)
    assert run_build_py(config, "import").code == 0
    run = run_build_py(config, "build")
    assert run.code == 0, run.output
    assert "build: 1 briefings" in run.stdout
    items = [i for _, page in listing(tmp_path / "p" / "site", "index.html") for i in page]
    assert [i.href for i in items] == [f"2023/08/{REAL_SLUG}/"]


# --- index --------------------------------------------------------------------------------

def test_index_lists_newest_first_and_paginates(built: Built) -> None:
    pages = listing(built.site, "index.html")
    count = len(built.expected) // PER_PAGE
    # older pages are numbered from the oldest, so that page/N/ keeps its briefings as the archive grows
    assert [path for path, _ in pages] == ["index.html"] + [f"page/{n}/index.html" for n in range(count - 1, 0, -1)]
    assert all(len(items) == PER_PAGE for _, items in pages[1:])
    assert PER_PAGE <= len(pages[0][1]) < 2 * PER_PAGE, "the newest page takes the odd ones"
    items = [(path, item) for path, page in pages for item in page]
    assert [item.title for _, item in items] == [e.shown_title for e in built.expected]
    assert [page_of(built.site, path, item.href) for path, item in items] == [e.page for e in built.expected]
    assert [item.datetime for _, item in items] == [e.date for e in built.expected]
    assert items[0][1].title.startswith("L'Ukraine demande")


def test_pagination_links_back(built: Built) -> None:
    newest_older = len(built.expected) // PER_PAGE - 1
    path = f"page/{newest_older}/index.html"
    document = parse_html(built.site / path)
    prev = [a for a in document.find_all("a") if a.attrs.get("rel") == "prev"]
    assert prev and page_of(built.site, path, prev[0].attrs["href"]) == "index.html"
    assert f"Page {newest_older}" in document.find("nav", "pagination").clean_text()
    title = document.find("title").clean_text()
    assert title.startswith(f"Archive des briefings · Page {newest_older} sur {newest_older + 1} · "), title
    newest = parse_html(built.site / "index.html")
    assert newest.find("title").clean_text() == "Archive des briefings"
    assert "Page" not in newest.find("nav", "pagination").clean_text(), "the first page shows no number"
    oldest = parse_html(built.site / "page/1/index.html")
    assert not [a for a in oldest.find_all("a") if a.attrs.get("rel") == "next"], "page 1 is the oldest"


# --- briefing pages -------------------------------------------------------------------------

def test_real_seed_page(built: Built) -> None:
    e = built.by_title("Le dirigeant de la Corée du Nord")
    assert e.page == f"2023/08/{REAL_SLUG}/index.html"
    document = parse_html(built.site / e.page)
    assert document.find("html").attrs["lang"] == "fr"
    article = document.find("article", "briefing")
    assert article.find("h1").clean_text() == e.shown_title
    time = article.find("time")
    assert (time.attrs["datetime"], time.clean_text()) == ("2023-08-14", "14 août 2023")
    minutes = max(1, round(word_count(e.body) / 220))
    assert f"{minutes} min de lecture" in article.find("p", "meta").clean_text()
    tags = article.find("ul", "topic-tags").find_all("a")
    assert [a.clean_text() for a in tags] == ["Corée du Nord", "Défense"]
    assert [page_of(built.site, e.page, a.attrs["href"]) for a in tags] == \
        ["topics/north-korea/index.html", "topics/defence/index.html"]
    headings = [h.clean_text() for h in article.find("div", "body").find_all("h2")]
    assert headings == ["Sommet à Washington"]
    assert "Afin de s’assurer de la « puissance militaire écrasante »" in article.find("div", "body").clean_text()


def test_prev_next_follow_the_index_order(built: Built) -> None:
    order = list(built.expected)
    for i, e in enumerate(order):
        document = parse_html(built.site / e.page)
        nav = document.find_all("nav", "prev-next")
        links = {a.attrs["rel"]: page_of(built.site, e.page, a.attrs["href"])
                 for n in nav for a in n.find_all("a")}
        older = order[i + 1].page if i + 1 < len(order) else None
        newer = order[i - 1].page if i > 0 else None
        assert links.get("prev") == older, e.page
        assert links.get("next") == newer, e.page


def test_related_briefings(built: Built) -> None:
    e = built.by_title("Le dirigeant de la Corée du Nord")
    related = parse_html(built.site / e.page).find("section", "related").find_all("a")
    assert 1 <= len(related) <= 4
    # Sharing both topics (north-korea and defence) ranks first.
    assert related[0].clean_text() == "North Korea fires missiles near Pyongyang"
    for a in related:
        target = page_of(built.site, e.page, a.attrs["href"])
        other = next(x for x in built.expected if x.page == target)
        assert set(other.topics) & set(e.topics)
        assert other.page != e.page


@pytest.mark.parametrize("start, iso, shown", [
    ("Artificial intelligence rules", "2023-08", "août 2023"),  # month-only: never a day
    ("Le Sahel face", "2021-05", "mai 2021"),  # names "mardi 14 mai", but 14 May 2021 was a Friday
    ("Retour sur une année", "2021", "2021"),
    ("Pyongyang célèbre", "2021-12-24", "24 décembre 2021"),
])
def test_honest_dates(built: Built, start: str, iso: str, shown: str) -> None:
    e = built.by_title(start)
    assert e.date == iso
    time = parse_html(built.site / e.page).find("article").find("time")
    assert (time.attrs["datetime"], time.clean_text()) == (iso, shown)


def test_english_briefing_is_marked_english(built: Built) -> None:
    e = built.by_title("North Korea fires missiles")
    article = parse_html(built.site / e.page).find("article", "briefing")
    assert article.attrs.get("lang") == "en"
    assert parse_html(built.site / e.page).find("html").attrs["lang"] == "en"
    french = parse_html(built.site / built.by_title("Le dirigeant").page)
    assert french.find("html").attrs["lang"] == french.find("article").attrs.get("lang") == "fr"


def test_listed_items_in_another_language_are_marked(built: Built) -> None:
    """On a French site an English briefing's list item says lang="en" (screen readers switch
    voice); French items carry no attribute. Every index page, so both languages show up."""
    lang_of = {e.shown_title: e.lang for e in built.expected}
    seen = set()
    for index in [built.site / "index.html", *sorted(built.site.glob("page/*/index.html"))]:
        for item in parse_html(index).find_all("li", "briefing-item"):
            lang = lang_of[item.find("h2").find("a").clean_text()]
            assert item.attrs.get("lang") == (None if lang == "fr" else lang)
            seen.add(lang)
    assert seen == {"fr", "en"}


def test_subheading_and_list_render(built: Built) -> None:
    e = next(x for x in built.expected if SUBHEADING in x.body)
    body = parse_html(built.site / e.page).find("div", "body")
    assert [h.clean_text() for h in body.find_all("h2")] == [SUBHEADING]
    assert [li.clean_text() for li in body.find("ul").find_all("li")] == \
        ["hausse des taux directeurs", "baisse du prix du pétrole", "tensions sur le gaz"]


def test_canonical_link_is_the_absolute_url(built: Built) -> None:
    for path in ("index.html", built.expected[0].page, "topics/defence/index.html"):
        document = parse_html(built.site / path)
        (canonical,) = [link for link in document.find_all("link") if link.attrs.get("rel") == "canonical"]
        expected = BASE_URL + (path[:-len("index.html")] if path.endswith("index.html") else path)
        assert canonical.attrs["href"] == expected


# --- topics, months, years, archive ------------------------------------------------------------

def topic_counts(built: Built) -> dict[str, int]:
    counts: dict[str, int] = {}
    for e in built.expected:
        for t in e.topics:
            counts[t] = counts.get(t, 0) + 1
    return counts


def test_topics_page_with_counts(built: Built) -> None:
    rows = parse_html(built.site / "topics/index.html").find("ul", "topic-index").find_all("li")
    shown = [(li.find("a").clean_text(), int(li.find("span", "count").clean_text()),
              page_of(built.site, "topics/index.html", li.find("a").attrs["href"])) for li in rows]
    counts = topic_counts(built)
    assert sorted(shown) == sorted((TOPIC_NAMES_FR[t], n, f"topics/{t}/index.html") for t, n in counts.items())
    numbers = [n for _, n, _ in shown]
    assert numbers == sorted(numbers, reverse=True), "most briefings first"


def test_topic_pages_list_their_briefings(built: Built) -> None:
    for topic, count in topic_counts(built).items():
        pages = listing(built.site, f"topics/{topic}/index.html")
        assert len(pages) == max(1, count // PER_PAGE)
        items = [(p, i) for p, page in pages for i in page]
        assert [page_of(built.site, p, i.href) for p, i in items] == \
            [e.page for e in built.expected if topic in e.topics]
        document = parse_html(built.site / f"topics/{topic}/index.html")
        assert document.find("h1").clean_text().startswith(TOPIC_NAMES_FR[topic])
        plural = "briefing" if count < 2 else "briefings"  # French: 0 and 1 take the singular
        assert document.find("h1").clean_text().endswith(f" {count} {plural}")
        feeds = [a for a in document.find_all("a") if a.attrs.get("href") == "feed.xml"]
        assert feeds, "each topic links its own feed"


def test_month_pages(built: Built) -> None:
    months: dict[str, list[Expected]] = {}
    for e in built.expected:
        if len(e.date) >= 7:
            months.setdefault(e.date[:7], []).append(e)
    for month, items in months.items():
        path = f"{month.replace('-', '/')}/index.html"
        pages = listing(built.site, path)
        assert len(pages) == 1
        assert [page_of(built.site, path, i.href) for i in pages[0][1]] == [e.page for e in items]
    august = parse_html(built.site / "2023/08/index.html")
    assert august.find("h1").clean_text() == "Briefings de août 2023"
    crumbs = [page_of(built.site, "2023/08/index.html", a.attrs["href"])
              for a in august.find("p", "breadcrumbs").find_all("a")]
    assert crumbs == ["archive/index.html", "2023/index.html"]


def test_year_pages(built: Built) -> None:
    for year in ("2021", "2022", "2023"):
        document = parse_html(built.site / f"{year}/index.html")
        rows = document.find("ul", "month-list").find_all("li")
        months = {page_of(built.site, f"{year}/index.html", li.find("a").attrs["href"]):
                  int(li.find("span", "count").clean_text()) for li in rows}
        expected: dict[str, int] = {}
        for e in built.expected:
            if e.date.startswith(year) and len(e.date) >= 7:
                key = f"{e.date[:4]}/{e.date[5:7]}/index.html"
                expected[key] = expected.get(key, 0) + 1
        assert months == expected
        assert list(months) == sorted(months, reverse=True), "newest month first"
    year_only = listing(built.site, "2021/index.html")[0][1]
    assert [i.title for i in year_only] == ["Retour sur une année de reportages et de rencontres"]
    assert "Datés seulement par l’année" in parse_html(built.site / "2021/index.html").clean_text()


def test_archive_index(built: Built) -> None:
    document = parse_html(built.site / "archive/index.html")
    sections = document.find_all("section", "archive-year")
    years = [(s.find("h2").find("a").clean_text(), int(s.find("h2").find("span", "count").clean_text()))
             for s in sections]
    assert years == [(y, sum(e.date.startswith(y) for e in built.expected)) for y in ("2023", "2022", "2021")]
    month_links = [page_of(built.site, "archive/index.html", a.attrs["href"])
                   for s in sections for a in s.find("ul", "month-list").find_all("a")]
    assert "2023/08/index.html" in month_links and "2021/05/index.html" in month_links
    assert len(month_links) == len({e.date[:7] for e in built.expected if len(e.date) >= 7})


def test_404_links_go_through_the_base_path(built: Built) -> None:
    document = parse_html(built.site / "404.html")
    assert document.find("h1").clean_text() == "Page introuvable"
    assert document.find("base").attrs["href"] == "/briefings/"
    urls = [u for e, _, u in url_attributes(document) if not u.startswith("#") and e.tag != "base"]
    assert urls
    for url in urls:
        assert not url.startswith("/") and "//" not in url, url
        assert resolve(built.site, "index.html", url).is_file(), url
    assert "static/style.css" in urls and "./" in urls


# --- every link -------------------------------------------------------------------------------

def check_links(site: Path, style: str) -> int:
    checked = 0
    host = urlsplit(BASE_URL).netloc
    for path, file in html_pages(site).items():
        if path == "404.html":
            continue
        for element, _attr, url in url_attributes(parse_html(file)):
            if element.tag == "link" and element.attrs.get("rel") == "canonical":
                continue
            if url.startswith("#"):
                continue
            parts = urlsplit(url)
            if parts.scheme in ("http", "https"):
                assert parts.netloc != host, f"{path}: absolute link to the site itself: {url}"
                continue
            assert not parts.scheme and not parts.netloc, f"{path}: {url}"
            assert not url.startswith("/"), f"{path}: root-relative link {url}"
            target = resolve(site, path, url)
            assert target is not None, f"{path}: {url} leaves the site"
            assert target.is_file(), f"{path}: {url} -> {target} does not exist"
            if style == "files":
                assert not parts.path.endswith("/") and parts.path not in ("", "."), f"{path}: {url}"
                assert posixpath.basename(parts.path) != "" and not target.is_dir()
            checked += 1
    return checked


def test_every_internal_link_is_relative_and_resolves(built: Built) -> None:
    assert check_links(built.site, "pretty") > 500


def test_files_link_style(built: Built) -> None:
    assert check_links(built.files_site, "files") > 500
    index = parse_html(built.files_site / "index.html")
    hrefs = [a.attrs["href"] for a in index.find_all("a")]
    assert "topics/index.html" in hrefs and "archive/index.html" in hrefs
    assert all(h.endswith(("index.html", ".xml", ".json")) or h.startswith("#") for h in hrefs), hrefs


def test_same_pages_in_both_link_styles(built: Built) -> None:
    assert snapshot(built.site).keys() == snapshot(built.files_site).keys()  # search index aside


# --- feeds, sitemap, robots -----------------------------------------------------------------

def feed_paths(site: Path) -> list[str]:
    return ["feed.xml"] + sorted(p.relative_to(site).as_posix() for p in (site / "topics").rglob("feed.xml"))


def test_feeds_parse(built: Built) -> None:
    paths = feed_paths(built.site)
    assert len(paths) == 1 + len(topic_counts(built))
    for path in paths:
        feed = feedparser.parse((built.site / path).read_bytes())
        assert not feed.bozo, (path, feed.get("bozo_exception"))
        assert feed.version == "rss20"
        self_links = [link for link in feed.feed.links if link.get("rel") == "self"]
        assert [link["href"] for link in self_links] == [BASE_URL + path]
        assert feed.feed.link.startswith(BASE_URL)
        assert feed.entries
        for entry in feed.entries:
            assert entry.title and entry.id and entry.published
            assert entry.link.startswith(BASE_URL)
            assert entry.id.startswith("urn:briefing:")
            assert entry.published_parsed
            target = entry.link.removeprefix(BASE_URL)
            assert (built.site / target / "index.html").is_file(), entry.link


def test_main_feed_order_and_content(built: Built) -> None:
    feed = feedparser.parse((built.site / "feed.xml").read_bytes())
    assert [e.link for e in feed.entries] == [BASE_URL + e.page[:-len("index.html")] for e in built.expected]
    real = next(entry for entry in feed.entries if entry.id == f"urn:briefing:{REAL_SEED_ID}")
    assert real.published == "Mon, 14 Aug 2023 00:00:00 +0000"
    assert "Sommet à Washington" in real.summary  # full content, as config.yaml asks
    assert {t.term for t in real.tags} == {"Corée du Nord", "Défense"}
    month_only = next(entry for entry in feed.entries if entry.title.startswith("Artificial intelligence"))
    assert month_only.published == "Tue, 01 Aug 2023 00:00:00 +0000"


def test_topic_feed_lists_only_its_topic(built: Built) -> None:
    feed = feedparser.parse((built.site / "topics/defence/feed.xml").read_bytes())
    assert [e.link for e in feed.entries] == \
        [BASE_URL + e.page[:-len("index.html")] for e in built.expected if "defence" in e.topics]
    assert feed.feed.title == "Archive des briefings · Défense"


def test_sitemap(built: Built) -> None:
    parts = read_sitemap(built.site, BASE_URL)
    assert set(parts) == {f"{BASE_URL}sitemaps/pages.xml", *(f"{BASE_URL}sitemaps/{year}.xml" for year in
                                                              {e.page[:4] for e in built.expected})}
    locs = [loc for entries in parts.values() for loc, _ in entries]
    assert len(locs) == len(set(locs))
    for e in built.expected:
        year_part = parts[f"{BASE_URL}sitemaps/{e.page[:4]}.xml"]
        assert BASE_URL + e.page[:-len("index.html")] in [loc for loc, _ in year_part]
    assert BASE_URL in locs and BASE_URL + "topics/" in locs
    for loc in locs:
        assert loc.startswith(BASE_URL)
        assert (built.site / loc.removeprefix(BASE_URL) / "index.html").is_file(), loc
    lastmods = [m for entries in parts.values() for _, m in entries if m]
    assert all(re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", m) for m in lastmods)


def test_robots_and_nojekyll(built: Built) -> None:
    robots = (built.site / "robots.txt").read_text()
    assert "User-agent: *" in robots
    assert f"Sitemap: {BASE_URL}sitemap.xml" in robots
    assert (built.site / ".nojekyll").read_bytes() == b""


def test_base_url_override(tmp_path: Path) -> None:
    config = create_project(tmp_path / "p", real_seed=True)
    assert run_build_py(config, "import").code == 0
    run = run_build_py(config, "build", "--base-url", "https://user.github.io/other")
    assert run.code == 0, run.output
    site = tmp_path / "p" / "site"
    feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert feed.entries[0].link == f"https://user.github.io/other/2023/08/{REAL_SLUG}/"
    assert parse_html(site / "404.html").find("base").attrs["href"] == "/other/"
    assert run_build_py(config, "build", "--base-url", "not-a-url").code == 1


# --- hostile input ------------------------------------------------------------------------------

def test_hostile_input_is_inert_in_every_page(built: Built) -> None:
    for site in (built.site, built.files_site):
        for path, file in html_pages(site).items():
            document = parse_html(file)
            elements = document.find_all()
            assert not [e for e in elements if e.tag in ("iframe", "object", "embed")], path
            # Only the theme's scripts: JSON-LD data (escaped, so a title cannot close it), the search
            # page's, and 404.html's one line that points its <base> at its folder from disk
            for script in (e for e in elements if e.tag == "script"):
                if script.attrs.get("type") == "application/ld+json":
                    assert "<" not in script.text and json.loads(script.text)["@type"] == "NewsArticle", path
                elif path == "404.html":
                    assert script.text == BASE_SCRIPT, script.text
                else:
                    assert path == "search/index.html" and script.attrs["src"].endswith("static/search.js"), path
            assert not [e for e in elements if e.tag == "img" and e.attrs.get("src") == "x"], path
            for e in elements:
                assert not [a for a in e.attrs if a.lower().startswith("on")], (path, e.tag, e.attrs)
            for _, _, url in url_attributes(document):
                scheme = urlsplit(url.strip().lower()).scheme
                assert scheme in ("", "http", "https"), (path, url)


def test_hostile_title_is_shown_as_text(built: Built) -> None:
    e = built.by_title("Alerte")
    assert e.title == HOSTILE_TITLE
    document = parse_html(built.site / e.page)
    assert document.find("h1").clean_text() == HOSTILE_TITLE
    assert document.find("title").clean_text().startswith(HOSTILE_TITLE)
    raw = (built.site / e.page).read_text()
    assert "<script>" not in raw and "<img" not in raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    titles = [i.title for _, page in listing(built.site, "index.html") for i in page]
    assert HOSTILE_TITLE in titles


def test_hostile_markdown_is_text_or_dropped(built: Built) -> None:
    e = built.by_title("Hand-written note")
    body = parse_html(built.site / e.page).find("div", "body")
    hrefs = [a.attrs.get("href") for a in body.find_all("a")]
    assert hrefs == ["https://example.org/page"]
    assert "<script>alert(2)</script>" in body.clean_text()  # shown, not run


def test_hostile_title_in_feeds(built: Built) -> None:
    for path in ("feed.xml", "topics/north-korea/feed.xml"):
        data = (built.site / path).read_bytes()
        assert b"<script" not in data and b"<img" not in data
        titles = [t.text for t in ET.fromstring(data).iter("title")]
        assert HOSTILE_TITLE in titles
        assert not feedparser.parse(data).bozo
    # Full-content descriptions are HTML: as a feed reader renders them, nothing is live.
    for description in ET.fromstring((built.site / "feed.xml").read_bytes()).iter("description"):
        document = parse_html(description.text or "")
        assert not document.find_all("script") and not document.find_all("iframe")
        assert not document.find_all("img")
        for _, _, url in url_attributes(document):
            assert urlsplit(url.strip().lower()).scheme in ("", "http", "https"), url


# --- rebuilds ---------------------------------------------------------------------------------
# Builds are incremental (a cache in .cache/); what a reader gets must not depend on that.

def small_project(root: Path) -> Path:
    config = create_project(root, {"per_page": 3}, real_seed=True)
    seeds = write_corpus(root / "seeds")
    for seed in seeds[8:]:
        (root / "seeds" / seed.file).unlink()
    assert run_build_py(config, "import").code == 0
    return config


def clean_build_of(project: Path, into: Path) -> dict[str, bytes]:
    """The site a first build of `project`'s inputs gives, with no cache: the reference."""
    into.mkdir()
    for name in ("config.yaml", "content", "seeds", "templates"):
        source = project / name
        if source.exists():
            (shutil.copytree if source.is_dir() else shutil.copy2)(source, into / name)
    run = run_build_py(into / "config.yaml", "build")
    assert run.code == 0, run.output
    return snapshot(into / "site")


def test_rebuild_after_edits_equals_a_clean_build(tmp_path: Path) -> None:
    config = small_project(tmp_path / "p")
    assert run_build_py(config, "build").code == 0
    content = tmp_path / "p" / "content"
    edited = content / "2023" / "08" / f"{REAL_SLUG}.md"
    edited.write_text(edited.read_text().replace("title: Le dirigeant", "title: Édité, le dirigeant"),
                      encoding="utf-8")
    removed = next(p for p in sorted(content.rglob("*.md")) if p != edited)
    removed.unlink()
    write_file(content / "2020" / "01" / "nouveau.md",
               "---\ntitle: Un nouveau briefing\ndate: 2020-01\ntopics: [climate]\n---\nDu texte.\n")
    run = run_build_py(config, "build")
    assert run.code == 0, run.output
    document = parse_html(tmp_path / "p" / "site" / f"2023/08/{REAL_SLUG}/index.html")
    assert document.find("h1").clean_text().startswith("Édité, le dirigeant")
    assert (tmp_path / "p" / "site" / "2020/01/nouveau/index.html").is_file()

    assert snapshot(tmp_path / "p" / "site") == clean_build_of(tmp_path / "p", tmp_path / "clean")


def test_build_repairs_a_damaged_site(tmp_path: Path) -> None:
    """`build` promises a complete site: a page deleted or altered in site/ comes back."""
    config = small_project(tmp_path / "p")
    assert run_build_py(config, "build").code == 0
    site = tmp_path / "p" / "site"
    page = site / f"2023/08/{REAL_SLUG}/index.html"
    year = site / "2023/index.html"
    good_year = year.read_bytes()
    page.unlink()
    year.write_text("tampered")
    run = run_build_py(config, "build")
    assert run.code == 0, run.output
    assert page.is_file(), "a page missing from site/ must be rebuilt"
    assert year.read_bytes() == good_year


def test_rebuild_after_renaming_a_content_file(tmp_path: Path) -> None:
    config = small_project(tmp_path / "p")
    assert run_build_py(config, "build").code == 0
    old = tmp_path / "p" / "content" / "2023" / "08" / f"{REAL_SLUG}.md"
    old.rename(old.with_name("nouveau-nom.md"))
    assert run_build_py(config, "build").code == 0
    site = tmp_path / "p" / "site"
    assert check_links(site, "pretty") > 0
    assert snapshot(site) == clean_build_of(tmp_path / "p", tmp_path / "clean")


@pytest.mark.parametrize("patch", [
    pytest.param({"language": "en"}, id="language"),
    pytest.param({"default_topic": "divers"}, id="default-topic"),
    pytest.param({"per_page": 2, "related": 1}, id="per-page"),
    pytest.param({"topics": {"climate": {"name": {"fr": "Environnement", "en": "Environment"}}}}, id="topic-name"),
])
def test_rebuild_after_a_config_change_equals_a_clean_build(tmp_path: Path, patch: dict) -> None:
    config = small_project(tmp_path / "p")
    # A briefing that leaves `lang` and `topics` to the config's defaults.
    write_file(tmp_path / "p" / "content" / "2020" / "01" / "defaults.md",
               "---\ntitle: Sans langue ni sujet\ndate: 2020-01\n---\nDu texte.\n")
    assert run_build_py(config, "build").code == 0
    data = merge(yaml.safe_load(config.read_text(encoding="utf-8")), patch)
    config.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    run = run_build_py(config, "build")
    assert run.code == 0, run.output
    assert snapshot(tmp_path / "p" / "site") == clean_build_of(tmp_path / "p", tmp_path / "clean")
