"""Listings that say what they hold: every count links to exactly what it counts (a topic × year
page per topic and year, anchored by month), and older listing pages say which page of how many
they are and which months they cover, with `<link rel="prev/next">` in the head.

One seeded project (40 briefings, `per_page: 5`) is built with pretty links (a server, at a
domain root or a sub-path: links are relative) and with `files` links (opened from disk);
links are followed as files. tests/test_any_host.py crawls these pages on every host too.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from briefings.config import load_config
from briefings.pipeline import build
from helpers import Element, parse_html, read_sitemap, resolve
from sitecrawl import make_project

MONTH = re.compile(r"(\d{4})-(\d{2})")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("listings") / "p", seeds=40, per_page=5)


@pytest.fixture(scope="module", params=["pretty", "files"])
def site(request: pytest.FixtureRequest, project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    config = load_config(project).with_overrides(link_style=request.param,
                                                 output_dir=tmp_path_factory.mktemp(request.param) / "site")
    build(config, jobs=1, search_index=False)
    return config.site_dir


def _items(page: Element) -> list[tuple[str, str]]:
    """(page link, ISO date) of each briefing a listing shows."""
    return [(item.find("a").attrs["href"], item.find("time").attrs["datetime"])
            for item in page.find_all("li", cls="briefing-item")]


def _topics_of(site: Path, page: str, href: str) -> set[str]:
    """The topic links of the briefing page `href` (on `page`) leads to."""
    briefing = parse_html(resolve(site, page, href))
    return {a.clean_text() for a in briefing.find("ul", cls="topic-tags").find_all("a")}


def test_a_topics_year_count_links_to_exactly_that_topic_and_year(site: Path) -> None:
    checked = 0
    for topic_page in sorted(site.glob("topics/*/index.html")):
        page = topic_page.relative_to(site).as_posix()
        document = parse_html(topic_page)
        name = document.find("h1").clean_text().split(" ")[0]
        for entry in document.find("ul", cls="year-links").find_all("li"):
            year, count = entry.find("a").clean_text(), int(entry.find(cls="count").clean_text())
            target = resolve(site, page, entry.find("a").attrs["href"])
            assert target == site / f"topics/{topic_page.parent.name}/{year}/index.html"
            listed = _items(parse_html(target))
            assert len(listed) == count
            assert all(date.startswith(year) for _, date in listed)
            target_page = target.relative_to(site).as_posix()
            assert all(name in " ".join(_topics_of(site, target_page, href)) for href, _ in listed)
            checked += 1
    assert checked >= 15


def test_a_month_pages_chip_links_to_that_topics_briefings_of_that_month(site: Path) -> None:
    checked = 0
    for month_page in sorted(site.glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/index.html")):
        page = month_page.relative_to(site).as_posix()
        year, month = month_page.parent.parent.name, month_page.parent.name
        chips = parse_html(month_page).find("nav", cls="month-topics").find_all("a")
        for chip in chips:
            count = int(chip.find(cls="count").clean_text())
            href, _, anchor = chip.attrs["href"].partition("#")
            assert anchor == f"{year}-{month}"
            target = resolve(site, page, href)
            assert target.parent.name == year and target.parent.parent.parent.name == "topics"
            (section,) = [s for s in parse_html(target).find_all("section") if s.attrs.get("id") == anchor]
            listed = _items(section)
            assert len(listed) == count and all(date.startswith(anchor) for _, date in listed)
            checked += 1
    assert checked >= 20


def _listing_pages(site: Path) -> list[Path]:
    return sorted([*site.glob("page/*/index.html"), *site.glob("topics/*/page/*/index.html")])


def test_older_pages_say_which_page_of_how_many_and_which_months(site: Path) -> None:
    pages = _listing_pages(site)
    assert len(pages) >= 10
    months_fr = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
                 "octobre", "novembre", "décembre"]
    for path in pages:
        document = parse_html(path)
        heading = document.find(cls="page-of").clean_text()
        number = int(path.parent.name)
        count = int(parse_html(path.parent.parent.parent / "index.html").find(cls="pagination")
                    .find("a").attrs["href"].rstrip("/").removesuffix("/index.html").rsplit("/", 1)[1]) + 1
        assert heading.startswith(f"Page {number} sur {count} · "), heading
        dates = sorted(date for _, date in _items(document))
        span = heading.split(" · ", 1)[1]
        assert dates[0][:4] in span and dates[-1][:4] in span, span
        if all(MONTH.match(d) for d in (dates[0], dates[-1])):
            assert months_fr[int(dates[0][5:7]) - 1] in span and months_fr[int(dates[-1][5:7]) - 1] in span, span
        else:  # a briefing dated by its year alone: the span is in years, no month invented
            assert not any(month in span for month in months_fr), span
        assert heading in document.find("title").clean_text()
    newest = parse_html(site / "index.html")
    assert newest.find("h1").clean_text() == "Derniers briefings"


def test_every_paginated_listing_has_rel_prev_and_next_in_its_head(site: Path) -> None:
    listings = [*_listing_pages(site), site / "index.html",
                *(p for p in site.glob("topics/*/index.html") if (p.parent / "page").exists())]
    for path in listings:
        document = parse_html(path)
        head = {link.attrs["rel"]: link.attrs["href"] for link in document.find("head").find_all("link")
                if link.attrs.get("rel") in ("prev", "next")}
        pager = {a.attrs["rel"]: a.attrs["href"] for a in document.find("nav", cls="pagination").find_all("a")}
        assert head == pager and head, path
        page = path.relative_to(site).as_posix()
        assert all(resolve(site, page, href).is_file() for href in head.values())
        if path.parent.name.isdigit() and path.parent.name == "1":
            assert set(head) == {"prev"}, "page 1 is the oldest: nothing older"
        if not path.parent.name.isdigit():
            assert set(head) == {"next"}, "the newest page: nothing newer"
    unpaged = parse_html(site / "archive" / "index.html")
    assert not [link for link in unpaged.find("head").find_all("link") if link.attrs.get("rel") in ("prev", "next")]


def test_topic_year_pages_are_in_the_sitemap(project: Path, site: Path) -> None:
    base = load_config(project).base_url
    listed = {url for entries in read_sitemap(site, base).values() for url, _ in entries}
    pages = {base + p.parent.relative_to(site).as_posix() + "/" for p in site.glob("topics/*/[0-9]*/index.html")}
    assert pages and pages <= listed


def test_the_span_is_localized(tmp_path: Path) -> None:
    """CLDR's interval formats, through Babel: French, English, German, Japanese."""
    from briefings.dates import parse_date, span
    may, july, autumn = parse_date("2022-05-03"), parse_date("2022-07"), parse_date("2021-11-30")
    assert span(may, july, "fr") == "mai\u2009–\u2009juillet 2022"  # CLDR's thin spaces
    assert span(autumn, july, "en").replace("\u2009", " ") == "November 2021 – July 2022"
    assert span(may, july, "de") == "Mai–Juli 2022"
    assert span(may, july, "ja") == "2022年5月～7月"
    assert span(may, may, "fr") == "mai 2022"
    assert span(parse_date("2021"), july, "fr") == "2021–2022", "a year alone: no invented month"
