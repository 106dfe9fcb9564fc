"""Pages without a date (content/pages/): their own page at the top of the site, listed in
every page's navigation in `nav_order`, and in no listing, feed, topic or archive page; the
sitemap lists them. Built with build.py into tmp_path folders, pretty and for disk."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from helpers import (
    content_file,
    create_project,
    html_pages,
    parse_html,
    read_sitemap,
    resolve,
    run_build_py,
    snapshot,
    write_file,
)

BASE = "https://example.org/b/"


def _briefing(title: str, date: str) -> str:
    return content_file({"title": title, "date": date, "topics": ["general"]}, f"Le texte de {title}.")


def _page(title: str, body: str = "Qui nous sommes.", **meta) -> str:
    return content_file({"title": title, **meta}, body)


CONTENT = {
    "2024/03/premier.md": _briefing("Premier briefing", "2024-03-05"),
    "2024/04/second.md": _briefing("Second briefing", "2024-04-06"),
    "pages/about.md": _page("À propos", nav_order=2),
    "pages/methode.md": _page("Méthode", "Nous lisons [tout](https://example.org/).", nav_order=1,
                              summary="Comment ce site est fait."),
    "pages/mentions-legales.md": _page("Mentions légales"),
    "pages/english.md": _page("About us", "Who we are.", lang="en", nav_order=3),
}
ORDER = ["Méthode", "À propos", "About us", "Mentions légales"]
PATHS = ["methode/index.html", "about/index.html", "english/index.html", "mentions-legales/index.html"]


def _build(root: Path, *args: str, content: dict[str, str] | None = None) -> tuple[Path, str]:
    config = create_project(root, {"base_url": BASE}, content=content)
    run = run_build_py(config, "build", "--no-search", *args)
    assert run.code == 0, run.output
    return root / "site", run.output


def _navigation(site: Path, page: str) -> list[tuple[str, str, str | None]]:
    """The links after the built-in ones (home, topics, archive, search) and before the feed."""
    items = parse_html(site / page).find("nav").find_all("a")
    return [(a.clean_text(), a.attrs["href"], a.attrs.get("aria-current")) for a in items[4:-1]]


def test_pages_in_the_navigation_of_every_page(tmp_path: Path) -> None:
    for style in ("pretty", "files"):
        site, _ = _build(tmp_path / style, "--link-style", style, content=CONTENT)
        pages = html_pages(site)
        assert set(PATHS) <= set(pages)
        for name in pages:
            nav = _navigation(site, name)
            assert [title for title, _, _ in nav] == ORDER, name
            for (title, href, current), path in zip(nav, PATHS, strict=True):
                assert resolve(site, name, href) == site / path, (name, title, href)
                assert (current == "page") == (name == path), (name, title)
                assert href.endswith("index.html") == (style == "files"), href
        english = [a for a in parse_html(site / "index.html").find("nav").find_all("a") if a.clean_text() == "About us"]
        assert english[0].attrs.get("lang") == "en"


def test_a_page_shows_its_text_and_no_date(tmp_path: Path) -> None:
    site, _ = _build(tmp_path / "p", content=CONTENT)
    page = parse_html(site / "methode/index.html")
    article = page.find("article")
    assert article.find("h1").clean_text() == "Méthode"
    assert article.find("div", "body").clean_text() == "Nous lisons tout."
    assert article.find("p", "summary").clean_text() == "Comment ce site est fait."
    assert not article.find_all("time") and not article.find_all("p", "meta")
    assert not parse_html(site / "about/index.html").find("article").find_all("p", "summary")
    meta = {m.attrs.get("name") or m.attrs.get("property"): m.attrs.get("content") for m in page.find_all("meta")}
    assert meta["description"] == "Comment ce site est fait." and meta["og:url"] == BASE + "methode/"
    assert parse_html(site / "english/index.html").find("html").attrs["lang"] == "en"


def test_pages_are_in_no_listing_feed_or_archive_but_in_the_sitemap(tmp_path: Path) -> None:
    site, output = _build(tmp_path / "p", content=CONTENT)
    assert "2 briefings" in output
    for name, path in html_pages(site).items():
        if name in PATHS:
            continue
        main = parse_html(path).find("main")
        hrefs = [resolve(site, name, a.attrs["href"]) for a in main.find_all("a") if "href" in a.attrs]
        assert not {site / p for p in PATHS} & set(hrefs), name
        assert not any(title in main.clean_text() for title in ORDER), name
    for feed in ("feed.xml", "atom.xml", "feed.json", "topics/general/feed.xml"):
        text = (site / feed).read_text(encoding="utf-8")
        assert "Premier briefing" in text and not any(t in text for t in ORDER), feed
        assert not any(BASE + p.removesuffix("index.html") in text for p in PATHS), feed
    assert len(json.loads((site / "feed.json").read_text())["items"]) == 2
    urls = {loc for entries in read_sitemap(site, BASE).values() for loc, _ in entries}
    assert {BASE + p.removesuffix("index.html") for p in PATHS} <= urls
    assert not any(re.fullmatch(r".*/19\d\d/.*", u) for u in urls)


def test_incremental_builds_after_page_edits_equal_clean_builds(tmp_path: Path) -> None:
    root = tmp_path / "p"
    _build(root, content=CONTENT)
    edits = [("pages/about.md", _page("Qui sommes-nous", nav_order=2)),        # a title: every navigation
             ("pages/methode.md", _page("Méthode", "Nous lisons presque tout.", nav_order=1)),  # a text only
             ("pages/contact.md", _page("Contact", nav_order=0)),               # a new page, first
             ("pages/english.md", None)]                                        # a page removed
    for number, (name, text) in enumerate(edits):
        if text is None:
            (root / "content" / name).unlink()
        else:
            write_file(root / "content" / name, text)
        site, output = _build(root)
        clean_root = tmp_path / f"clean{number}"
        shutil.copytree(root / "content", clean_root / "content")
        clean, _ = _build(clean_root)
        assert snapshot(site) == snapshot(clean), name
        if name == "pages/methode.md":
            assert "(1 rendered)" in output, output  # its own page; no other shows its text
    assert [t for t, _, _ in _navigation(site, "index.html")] == ["Contact", "Méthode", "Qui sommes-nous",
                                                                   "Mentions légales"]
