"""Authors: `authors:` in the front matter gives a briefing its byline (each name a link, joined
as the site's language writes a list), its JSON-LD `author`, its authors in the three feeds,
and each author a page of their briefings (newest first, paginated) listed on `authors/`.
Names with one slug are one author. A briefing without authors keeps the site as publisher.
"""
from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest

from helpers import BASE_URL, built_site, content_file, create_project, parse_html, read_sitemap, resolve, run_build_py

PAGE = "2024/05/seisme/index.html"


def authors_project(root: Path) -> Path:
    return create_project(root, {"per_page": 2, "feeds": {"full_content": True}}, content={
        "2024/05/seisme.md": content_file({"title": "Séisme", "date": "2024-05-03",
                                           "authors": ["Marie Dupont", "Jean <Martin>", "Élodie Roux"]}),
        "2024/04/budget.md": content_file({"title": "Budget", "date": "2024-04-03", "authors": "marie dupont"}),
        "2024/03/sommet.md": content_file({"title": "Sommet", "date": "2024-03-03", "authors": ["Marie Dupont"]}),
        "2024/02/front.md": content_file({"title": "Front", "date": "2024-02-03", "authors": ["Marie Dupont"]}),
        "2024/01/neige.md": content_file({"title": "Neige", "date": "2024-01-03",
                                          "authors": ["Marie Dupont", "Marie Dupont"]}),
        "2023/12/sans.md": content_file({"title": "Sans auteur", "date": "2023-12-03"}),
    })


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_site(authors_project(tmp_path_factory.mktemp("authors") / "project"))


def _json_ld(page) -> dict:
    (script,) = [e for e in page.find_all("script") if e.attrs.get("type") == "application/ld+json"]
    return json.loads(script.text)


def test_the_byline_names_each_author_with_a_link_to_their_page(site: Path) -> None:
    byline = parse_html(site / PAGE).find("span", "byline")
    assert byline.text == "Par Marie Dupont, Jean <Martin> et Élodie Roux"
    links = [(a.text, a.attrs["href"], a.attrs["rel"]) for a in byline.find_all("a")]
    assert links == [("Marie Dupont", "../../../authors/marie-dupont/", "author"),
                     ("Jean <Martin>", "../../../authors/jean-martin/", "author"),
                     ("Élodie Roux", "../../../authors/elodie-roux/", "author")]
    for _, href, _ in links:
        target = resolve(site, PAGE, href)
        assert target is not None and target.is_file(), href
    assert parse_html(site / "2023/12/sans/index.html").find_all("span", "byline") == []


def test_json_ld_gives_the_authors_as_people_else_the_publisher(site: Path) -> None:
    article = _json_ld(parse_html(site / PAGE))
    assert article["author"] == [
        {"@type": "Person", "name": "Marie Dupont", "url": BASE_URL + "authors/marie-dupont/"},
        {"@type": "Person", "name": "Jean <Martin>", "url": BASE_URL + "authors/jean-martin/"},
        {"@type": "Person", "name": "Élodie Roux", "url": BASE_URL + "authors/elodie-roux/"}]
    alone = _json_ld(parse_html(site / "2023/12/sans/index.html"))
    assert alone["author"] == alone["publisher"] == {"@type": "Organization", "name": "Rédaction"}


def test_an_author_page_lists_their_briefings_newest_first_in_pages(site: Path) -> None:
    """Marie Dupont (one author under two spellings) wrote five: with per_page 2, the newest
    page shows three, `page/1/` the oldest two, and only the newest page gives the count."""
    newest = parse_html(site / "authors/marie-dupont/index.html")
    assert newest.find("h1").text.split() == ["Marie", "Dupont", "5", "briefings"]
    titles = [a.text for a in newest.find("main").find_all("a") if "/20" in a.attrs.get("href", "")]
    assert titles == ["Séisme", "Budget", "Sommet"], titles
    older = parse_html(site / "authors/marie-dupont/page/1/index.html")
    assert [a.text for a in older.find("main").find_all("a") if "/20" in a.attrs.get("href", "")] == \
        ["Front", "Neige"]
    index = parse_html(site / "authors/index.html")
    entries = [(li.find("a").text, li.find("span").text) for li in index.find("ul", "author-index").find_all("li")]
    assert entries == [("Élodie Roux", "1"), ("Jean <Martin>", "1"), ("Marie Dupont", "5")]


def test_the_sitemap_lists_the_author_pages(site: Path) -> None:
    locs = {loc for entries in read_sitemap(site, BASE_URL).values() for loc, _ in entries}
    assert {BASE_URL + "authors/", BASE_URL + "authors/marie-dupont/", BASE_URL + "authors/jean-martin/"} <= locs


def test_feeds_name_each_briefing_s_authors(site: Path) -> None:
    rss = feedparser.parse((site / "feed.xml").read_bytes())
    atom = feedparser.parse((site / "atom.xml").read_bytes())
    assert not rss.bozo and not atom.bozo
    for feed in (rss, atom):
        (entry,) = [e for e in feed.entries if e.title == "Séisme"]
        assert [a.get("name") for a in entry.authors] == ["Marie Dupont", "Jean <Martin>", "Élodie Roux"]
    (atom_entry,) = [e for e in atom.entries if e.title == "Séisme"]
    assert atom_entry.authors[0]["href"] == BASE_URL + "authors/marie-dupont/"
    items = json.loads((site / "feed.json").read_text(encoding="utf-8"))["items"]
    (item,) = [i for i in items if i["title"] == "Séisme"]
    assert item["authors"][1] == {"name": "Jean <Martin>", "url": BASE_URL + "authors/jean-martin/"}
    assert "authors" not in [i for i in items if i["title"] == "Sans auteur"][0]


def test_an_archive_without_authors_has_no_author_pages(tmp_path: Path) -> None:
    config = create_project(tmp_path / "project", content={
        "2024/05/a.md": content_file({"title": "A", "date": "2024-05-03"})})
    assert run_build_py(config, "build", "--no-search").code == 0
    assert not (config.parent / "site/authors").exists()


@pytest.mark.parametrize("value, shown", [([3], "a number"), ([""], "''"), ({"nom": "Marie"}, "a mapping"),
                                          (["Marie", ["Jean"]], "a list")])
def test_authors_must_be_names(tmp_path: Path, value: object, shown: str) -> None:
    config = create_project(tmp_path / "project", content={
        "2024/05/a.md": content_file({"title": "A", "date": "2024-05-03", "authors": value})})
    run = run_build_py(config, "build", "--no-search")
    assert run.code == 1
    assert (f"content/2024/05/a.md:4: author {shown} is not a name (write e.g. "
            "`authors: [Marie Dupont, Jean Martin]`)") in run.stderr, run.stderr


def test_each_author_has_a_feed_linked_from_their_page(site: Path) -> None:
    page = parse_html(site / "authors/marie-dupont/index.html")
    (alternate,) = [e for e in page.find_all("link") if e.attrs.get("type") == "application/rss+xml"
                    and "Marie" in e.attrs.get("title", "")]
    assert alternate.attrs["href"] == "feed.xml"
    assert "Flux RSS de Marie Dupont" in [a.text for a in page.find_all("a")]
    feed = feedparser.parse((site / "authors/marie-dupont/feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title.endswith(" · Marie Dupont") and feed.feed.link == BASE_URL + "authors/marie-dupont/"
    assert [e.title for e in feed.entries] == ["Séisme", "Budget", "Sommet", "Front", "Neige"]


def test_the_search_page_filters_by_author(tmp_path: Path) -> None:
    """The search page's Author filter lists each author once, as the site spells them, with
    their count; ticking one keeps their briefings only."""
    from browser import launch_browser
    from sitecrawl import SiteServer
    config = authors_project(tmp_path / "project")
    served = tmp_path / "served"
    with SiteServer(served, "/REPO/") as server, launch_browser() as browser:
        run = run_build_py(config, "build", "--base-url", server.base_url, "--output", str(served), timeout=180)
        assert run.code == 0, run.output
        page = browser.new_page()
        page.goto(server.base_url + "search/")
        page.get_by_label("Mots à rechercher").fill("paragraphe")
        page.wait_for_function("document.getElementById('search').dataset.query === 'paragraphe'")
        group = page.locator("fieldset.search-filter", has=page.locator("legend", has_text="Auteur"))
        labels = [" ".join(text.split()) for text in group.locator("label").all_inner_texts()]
        assert labels == ["Élodie Roux (1)", "Jean <Martin> (1)", "Marie Dupont (5)"], labels
        done = int(page.get_attribute("#search", "data-done"))
        group.get_by_label("Jean <Martin>", exact=False).click()
        page.wait_for_function("n => +document.getElementById('search').dataset.done > n", arg=done)
        titles = page.locator(".search-result-title a").all_inner_texts()
        assert titles == ["Séisme"], titles
