"""Updates and corrections: import dates a published briefing it rewrites from a changed seed
(`updated:`), editors add `corrections:`; the page shows both, and feeds, JSON-LD and the
sitemap carry the date of the last change. The day comes from an injected clock, not the wall clock.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import feedparser
import pytest

from briefings import dates
from briefings.config import load_config
from briefings.importer import import_seeds
from helpers import BASE_URL, content_file, create_project, parse_html, read_sitemap, run_build_py, split_front_matter

SEED = "001_5e15e0ca11ab1e00.txt"
HEADLINE = " date 2024-05-03 Un séisme frappe la côte.\n\n"
CONTENT = "content/2024/05/un-seisme-frappe-la-cote.md"
PAGE = "2024/05/un-seisme-frappe-la-cote/index.html"


def _seed(config: Path, text: str) -> None:
    (config.parent / "seeds" / SEED).write_text(HEADLINE + text + "\n", encoding="utf-8")


def test_import_dates_a_published_briefing_it_rewrites(tmp_path: Path) -> None:
    config_path = create_project(tmp_path / "p", seeds={SEED: HEADLINE + "Le bilan est de 21 morts.\n"})
    config = load_config(config_path)
    content = config.root / CONTENT
    first = import_seeds(config, today=dt.date(2024, 5, 3), jobs=1)
    assert first.created and "updated" not in split_front_matter(content)[0]  # new: not an update

    _seed(config_path, "Le bilan est de 12 morts.")
    assert import_seeds(config, today=dt.date(2026, 12, 6), jobs=1).updated
    meta, body = split_front_matter(content)
    assert meta["updated"] == dt.date(2026, 12, 6) and "12 morts" in body
    assert list(meta)[:3] == ["title", "date", "updated"]

    written = content.read_bytes()  # the seed unchanged: nothing rewritten, the date kept
    assert import_seeds(config, today=dt.date(2026, 12, 9), jobs=1).unchanged
    assert content.read_bytes() == written

    _seed(config_path, "Le bilan est de 14 morts.")  # changed again, another day
    assert import_seeds(config, today=dt.date(2026, 12, 10), jobs=1).updated
    assert split_front_matter(content)[0]["updated"] == dt.date(2026, 12, 10)
    assert content.read_text(encoding="utf-8").count("updated:") == 1

    content.write_text(content.read_text(encoding="utf-8") + "\nUne note de la rédaction.\n", encoding="utf-8")
    _seed(config_path, "Le bilan est de 15 morts.")  # an edited file is kept, as always
    assert import_seeds(config, today=dt.date(2026, 12, 11), jobs=1).kept
    assert split_front_matter(content)[0]["updated"] == dt.date(2026, 12, 10)

    assert import_seeds(config, force=True, today=dt.date(2026, 12, 12), jobs=1).updated  # the new seed, forced
    assert split_front_matter(content)[0]["updated"] == dt.date(2026, 12, 12)
    content.write_text(content.read_text(encoding="utf-8") + "\nUne autre note.\n", encoding="utf-8")
    assert import_seeds(config, force=True, today=dt.date(2026, 12, 13), jobs=1).updated  # same seed: no update
    meta, body = split_front_matter(content)
    assert meta["updated"] == dt.date(2026, 12, 12) and "Une autre note" not in body


def test_import_uses_the_configured_time_zone(tmp_path: Path) -> None:
    """Through the command line: the day written is today's in `timezone` (read around the
    run, so a run across midnight still passes)."""
    config = create_project(tmp_path / "p", {"timezone": "Pacific/Kiritimati"},
                            seeds={SEED: HEADLINE + "Le bilan est de 21 morts.\n"})
    assert run_build_py(config, "import").code == 0
    _seed(config, "Le bilan est de 12 morts.")
    before = dates.today("Pacific/Kiritimati")
    assert run_build_py(config, "import").code == 0
    days = {before, dates.today("Pacific/Kiritimati")}
    assert split_front_matter(config.parent / CONTENT)[0]["updated"] in days


CORRECTED = {
    "title": "Un séisme frappe la côte", "date": "2024-05-03", "updated": "2024-05-05",
    "corrections": [{"date": "2024-05-06", "text": "Le bilan était de 12 morts, non de 21."},
                    {"date": "2024-05-04", "text": "La magnitude était de 6,1."}],
}


def _project(root: Path, meta: dict, language: str = "fr") -> Path:
    return create_project(root, {"language": language}, content={
        "2024/05/un-seisme-frappe-la-cote.md": content_file(meta, "Le bilan est de 12 morts."),
        "2023/01/voisin.md": content_file({"title": "Un voisin", "date": "2023-01-02"})})


def _build(config: Path) -> Path:
    run = run_build_py(config, "build", "--no-search")
    assert run.code == 0, run.output
    return config.parent / "site"


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The same briefing before and after an update and corrections."""
    root = tmp_path_factory.mktemp("updates")
    plain = {key: CORRECTED[key] for key in ("title", "date")}
    return _build(_project(root / "before", plain)), _build(_project(root / "after", CORRECTED))


def test_page_shows_the_update_and_the_corrections(sites: tuple[Path, Path]) -> None:
    before, after = sites
    page = parse_html(after / PAGE)
    note = page.find("p", "updated").find("time")
    assert (note.attrs["datetime"], note.clean_text()) == ("2024-05-06", "Mis à jour le 6 mai 2024")
    section = page.find("section", "corrections")
    assert section.find("h2").clean_text() == "Corrections"
    items = [(li.find("time").attrs["datetime"], li.clean_text()) for li in section.find_all("li")]
    assert items == [("2024-05-04", "4 mai 2024 La magnitude était de 6,1."),
                     ("2024-05-06", "6 mai 2024 Le bilan était de 12 morts, non de 21.")]
    plain = parse_html(before / PAGE)
    assert not plain.find_all("p", "updated") and not plain.find_all("section", "corrections")


def _meta(page, key: str) -> str | None:
    found = [e.attrs["content"] for e in page.find_all("meta") if e.attrs.get("property") == key]
    return found[0] if found else None


def test_json_ld_and_open_graph_carry_the_modified_date(sites: tuple[Path, Path]) -> None:
    before, after = sites
    for site, modified in ((before, None), (after, "2024-05-06")):
        page = parse_html(site / PAGE)
        (script,) = [e for e in page.find_all("script") if e.attrs.get("type") == "application/ld+json"]
        data = json.loads(script.text)
        assert data["datePublished"] == "2024-05-03" and data.get("dateModified") == modified
        assert _meta(page, "article:modified_time") == modified


def test_feeds_carry_the_modified_date_and_keep_their_ids(sites: tuple[Path, Path]) -> None:
    before, after = sites
    rss = [feedparser.parse((site / "feed.xml").read_bytes()) for site in sites]
    assert [e.id for e in rss[0].entries] == [e.id for e in rss[1].entries]  # the guid does not change
    atom = feedparser.parse((after / "atom.xml").read_bytes())
    assert not atom.bozo
    entry = [e for e in atom.entries if e.title.startswith("Un séisme")][0]
    assert (entry.published, entry.updated) == ("2024-05-03T00:00:00Z", "2024-05-06T00:00:00Z")
    assert atom.feed.updated == "2024-05-06T00:00:00Z"
    plain = feedparser.parse((before / "atom.xml").read_bytes())
    assert [e.updated for e in plain.entries if e.title.startswith("Un séisme")] == ["2024-05-03T00:00:00Z"]
    items = json.loads((after / "feed.json").read_text(encoding="utf-8"))["items"]
    assert [i.get("date_modified") for i in items] == ["2024-05-06T00:00:00Z", None]
    assert items[0]["date_published"] == "2024-05-03T00:00:00Z"


def test_sitemap_lastmod_follows_the_last_change(sites: tuple[Path, Path]) -> None:
    for site, lastmod in zip(sites, ("2024-05-03", "2024-05-06"), strict=True):
        parts = read_sitemap(site, BASE_URL)
        urls = dict(entry for entries in parts.values() for entry in entries)
        assert urls[BASE_URL + PAGE.removesuffix("index.html")] == lastmod
        assert parts[BASE_URL + "sitemaps/2024.xml"]
        index = (site / "sitemap.xml").read_text(encoding="utf-8")
        assert f"<loc>{BASE_URL}sitemaps/2024.xml</loc><lastmod>{lastmod}</lastmod>" in index


@pytest.mark.parametrize("language, updated, corrections", [
    ("en", "Updated May 6, 2024", "Corrections"),
    ("de", "Aktualisiert am 6. Mai 2024", "Korrekturen"),
    ("es", "Actualizado el 6 de mayo de 2024", "Correcciones"),
    ("ar", "حُدِّث في", "تصحيحات"),
])
def test_labels_are_translated(tmp_path: Path, language: str, updated: str, corrections: str) -> None:
    site = _build(_project(tmp_path / "p", CORRECTED, language))
    page = parse_html(site / PAGE)
    assert page.find("p", "updated").clean_text().startswith(updated)
    assert page.find("section", "corrections").find("h2").clean_text() == corrections
