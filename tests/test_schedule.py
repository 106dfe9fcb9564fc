"""Scheduled briefings: dated after today (in the site's time zone), held back until their day.

"Today" is the injectable clock BRIEFINGS_TODAY: the day's arrival is tested by moving it,
never by waiting. Sites are built into tmp_path and read as a reader gets them: HTML,
feeds, sitemap and search records.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path
from urllib.request import urlopen

import pytest

from briefings import dates
from briefings.config import load_config
from briefings.pipeline import build
from helpers import content_file, create_project, parse_html, read_sitemap, running_preview, snapshot
from sitecrawl import run_cli
from test_search_index import live_records

TODAY = "2025-03-10"
PAST = {
    "2025/03/passe.md": content_file({"title": "Un briefing du jour", "date": "2025-03-10", "topics": ["defence"]},
                                     "Publié aujourd'hui même."),
    "2025/02/fevrier.md": content_file({"title": "Février tranquille", "date": "2025-02", "topics": ["defence"]},
                                       "Un mois sans histoire."),
}
FUTURE = {
    "2025/03/demain.md": content_file({"title": "Le briefing de demain", "date": "2025-03-11",
                                       "topics": ["defence"]}, "Écrit d'avance, à paraître demain."),
    "2025/04/avril.md": content_file({"title": "Le briefing d'avril", "date": "2025-04", "topics": ["china"]},
                                     "Un mois plus tard."),
}
HELD_PAGES = ("2025/03/demain/index.html", "2025/04/avril/index.html")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(dates.TODAY_VARIABLE, TODAY)
    return create_project(tmp_path / "p", {"base_url": "https://example.org/b/"}, content={**PAST, **FUTURE})


def _everything(site: Path) -> str:
    """Every page, feed and sitemap of the site, as one text to search for a title."""
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(site.rglob("*"))
                     if p.is_file() and p.suffix in (".html", ".xml", ".json"))


def test_a_briefing_dated_after_today_is_held_back_everywhere(project: Path) -> None:
    config = load_config(project)
    result = build(config, jobs=1)
    site = config.site_dir
    assert (result.briefings, result.schedule.held, result.schedule.next_due) == (2, 2, "2025-03-11")
    assert all(not (site / page).exists() for page in HELD_PAGES)
    assert not (site / "2025/04").exists(), "no month page for a month of held briefings only"
    text = _everything(site)
    assert "Un briefing du jour" in text and "Février tranquille" in text
    assert "demain" not in text and "avril" not in text.lower()
    sitemap = read_sitemap(site, config.base_url)
    assert not [url for entries in sitemap.values() for url, _ in entries if "demain" in url or "2025/04" in url]
    records = live_records(site)
    assert sorted(title for title, _ in records.values()) == ["Février tranquille", "Un briefing du jour"]
    feed = json.loads((site / "feed.json").read_text(encoding="utf-8"))
    assert [item["title"] for item in feed["items"]] == ["Un briefing du jour", "Février tranquille"]


def test_the_build_says_how_many_are_held_and_when_the_next_is_due(project: Path) -> None:
    done = run_cli(project, "build", "--no-search", env={**os.environ, dates.TODAY_VARIABLE: TODAY})
    assert "build: 2 scheduled briefings held back, the next on 2025-03-11 (--future includes them)" in done.stdout
    again = run_cli(project, "build", "--no-search", env={**os.environ, dates.TODAY_VARIABLE: TODAY})
    assert "2 scheduled briefings held back" in again.stdout, "a build with nothing to do says it too"


def test_future_includes_them_marked_as_scheduled(project: Path) -> None:
    run_cli(project, "build", "--no-search", "--future", env={**os.environ, dates.TODAY_VARIABLE: TODAY})
    site = project.parent / "site"
    page = parse_html(site / HELD_PAGES[0])
    assert page.find(cls="meta").find(cls="scheduled").clean_text() == "Programmé"
    listing = parse_html(site / "index.html")
    items = {item.find("h2").clean_text(): item for item in listing.find_all("li", cls="briefing-item")}
    assert set(items) == {"Le briefing d'avril", "Le briefing de demain", "Un briefing du jour", "Février tranquille"}
    marked = {title for title, item in items.items() if item.find_all(cls="scheduled")}
    assert marked == {"Le briefing d'avril", "Le briefing de demain"}
    assert "Le briefing de demain" in (site / "feed.xml").read_text(encoding="utf-8")


def _clean_build(project: Path, target: Path, future: bool) -> dict[str, bytes]:
    shutil.copytree(project.parent, target, ignore=shutil.ignore_patterns("site", ".cache"))
    config = load_config(target / "config.yaml")
    build(config, jobs=1, persist=False, search_index=False, future=future)
    return snapshot(config.site_dir)


@pytest.mark.parametrize("future", [False, True], ids=["held", "future"])
def test_the_day_arriving_makes_the_incremental_build_a_clean_one(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, future: bool) -> None:
    """Nothing but the clock moves: the build is no no-op, and it equals a clean build."""
    config = load_config(project)
    build(config, jobs=1, search_index=False, future=future)
    before = snapshot(config.site_dir)
    monkeypatch.setenv(dates.TODAY_VARIABLE, "2025-03-11")
    result = build(config, jobs=1, search_index=False, future=future)
    assert result.rendered > 0 and (result.schedule.held, result.schedule.next_due) == (
        0 if future else 1, "2025-04-01")
    after = snapshot(config.site_dir)
    assert after != before
    assert after == _clean_build(project, tmp_path / "clean", future)
    marked = parse_html(config.site_dir / HELD_PAGES[0]).find(cls="meta").find_all(cls="scheduled")
    assert not marked, "out today: no longer marked"
    monkeypatch.setenv(dates.TODAY_VARIABLE, "2025-03-20")
    assert build(config, jobs=1, search_index=False, future=future).rendered == 0, "nothing came due"


def test_today_is_the_sites_time_zones_day() -> None:
    """UTC+14 and UTC-11 are 25 hours apart: at any instant their days differ."""
    east, west = dates.today("Pacific/Kiritimati"), dates.today("Pacific/Pago_Pago")
    assert east - west == dt.timedelta(days=1)
    assert dates.is_scheduled(dates.parse_date(east.isoformat()), west)
    assert not dates.is_scheduled(dates.parse_date(west.isoformat()), east)


def test_a_month_or_year_comes_out_on_its_first_day() -> None:
    assert dates.is_scheduled(dates.parse_date("2025-04"), dt.date(2025, 3, 31))
    assert not dates.is_scheduled(dates.parse_date("2025-04"), dt.date(2025, 4, 1))
    assert not dates.is_scheduled(dates.parse_date("2025"), dt.date(2025, 1, 1))


def test_bad_time_zone_and_bad_clock_are_clear_errors(tmp_path: Path) -> None:
    config = create_project(tmp_path / "p", {"timezone": "Europe/Pariss"})
    done = run_cli(config, "build", check=False)
    assert done.returncode == 1 and "timezone: 'Europe/Pariss' is not a time zone name" in done.stderr
    config = create_project(tmp_path / "q", content=PAST)
    done = run_cli(config, "build", check=False, env={**os.environ, dates.TODAY_VARIABLE: "10/03/2025"})
    assert done.returncode == 1 and "BRIEFINGS_TODAY: BRIEFINGS_TODAY='10/03/2025' is not a day" in done.stderr
    assert not (tmp_path / "q" / "site").exists()


def test_the_preview_shows_them_marked_as_scheduled(project: Path) -> None:
    with running_preview(project) as preview:
        assert preview.wait_for_first_build(timeout=60)
        with urlopen(preview.url + "2025/03/demain/", timeout=10) as response:
            page = parse_html(response.read())
        with urlopen(preview.url, timeout=10) as response:
            home = parse_html(response.read())
    assert page.find(cls="meta").find(cls="scheduled").clean_text() == "Programmé"
    assert len(home.find_all(cls="scheduled")) == 2
