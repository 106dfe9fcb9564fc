"""A large index searched in lanes: the search page deals more than 32 parts out to several
copies of Pagefind (one web worker each) and merges their answers. Chromium searches a site
whose index has 40 parts (one briefing a part) as a reader would: every result is found once,
ranked by score across the lanes, every filter counted across them, and after an edit the
stale copy in its sealed part is neither shown nor counted.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from briefings import search
from briefings.config import load_config
from briefings.pipeline import build
from browser import launch_browser
from helpers import content_file, create_project, write_file
from sitecrawl import SiteServer
from test_search import _after_click, _after_more, _count, _filter_counts, _links, _search

BRIEFINGS = 40
HEAVY = BRIEFINGS - 1
"""The newest briefing says the common word five times: the best match, in the last part
(the second lane's, when there are two)."""
TOPICS = ("defence", "economy")


def _briefing(n: int) -> tuple[str, str]:
    """Content file name and text of briefing `n`: the common word, a word of its own, a topic, a year."""
    year, month = 2022 + n % 2, 1 + n // 4
    common = " ".join(["commun"] * (5 if n == HEAVY else 1))
    text = content_file({"title": f"Briefing numéro {n}", "date": f"{year}-{month:02d}-{1 + n % 28:02d}",
                         "lang": "fr", "topics": [TOPICS[n % 3 == 0]]},
                        f"Un texte {common} avec le mot singulier{n}z au milieu d'une phrase.")
    return f"{year}/{month:02d}/briefing-{n}.md", text


@pytest.fixture(scope="module")
def browser():
    with launch_browser() as chromium:
        yield chromium


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(search, "PART_SIZE", 1)
    with SiteServer(tmp_path / "project" / "site", "/REPO/") as served:
        config = create_project(tmp_path / "project", {"base_url": served.base_url},
                                content=dict(_briefing(n) for n in range(BRIEFINGS)))
        build(load_config(config))
        yield served, config


def _lanes(page) -> int:
    return int(page.get_attribute("#search", "data-lanes"))


def test_every_lane_is_searched_ranked_and_counted(site, browser) -> None:
    served, config = site
    page = browser.new_page()
    links = _search(page, served.base_url, "commun")
    cores = page.evaluate("navigator.hardwareConcurrency")
    assert _lanes(page) == min(2, cores), "40 parts: two lanes on two cores or more"
    assert links[0].endswith(f"/briefing-{HEAVY}/"), "the best score first, whichever lane found it"
    assert _count(page) == BRIEFINGS
    topics = Counter(TOPICS[n % 3 == 0] for n in range(BRIEFINGS))
    assert sorted(_filter_counts(page, "Sujet").values()) == sorted(topics.values())
    assert _filter_counts(page, "Année") == {"2023": BRIEFINGS // 2, "2022": BRIEFINGS // 2}
    while page.locator(".search-more").is_visible():
        _after_more(page)
    assert len(set(_links(page))) == BRIEFINGS, "every briefing once"
    _after_click(page, page.get_by_label("2023", exact=False))
    assert _count(page) == BRIEFINGS // 2 and all("/REPO/2023/" in link for link in _links(page))
    for n in (0, 1, HEAVY):
        assert [link.split("/")[-2] for link in _search(page, served.base_url, f"singulier{n}z")] == [f"briefing-{n}"]


def test_an_edit_in_one_lane_is_found_and_its_stale_copy_is_not(site, browser) -> None:
    served, config = site
    name, text = _briefing(2)
    write_file(config.parent / "content" / name, text.replace("au milieu", "et le mot quasarique au milieu"))
    build(load_config(config))
    page = browser.new_page()
    assert [link.split("/")[-2] for link in _search(page, served.base_url, "quasarique")] == ["briefing-2"]
    assert _lanes(page) == min(2, page.evaluate("navigator.hardwareConcurrency"))
    _search(page, served.base_url, "commun")
    assert _count(page) == BRIEFINGS, "the sealed copy of the edited briefing is dropped"
    assert sum(_filter_counts(page, "Sujet").values()) == BRIEFINGS
    assert sum(_filter_counts(page, "Année").values()) == BRIEFINGS
