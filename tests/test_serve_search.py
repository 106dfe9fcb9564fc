"""Search in the preview: the preview keeps the project's site/ and its search index up to date
in the background, and its search page finds what was just written and no longer what was removed."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from briefings.config import load_config
from briefings.pipeline import build
from briefings.preview_search import SiteRefresher
from browser import launch_browser
from helpers import content_file, running_preview, write_file
from test_search import _search, _watch
from test_serve_http import SLUG, make_project, request, status, wait_for_build

WAIT = 120
"""Seconds an event may take on a busy 2-core machine before the test gives up."""


@pytest.fixture(scope="module")
def browser():
    with launch_browser() as chromium:
        yield chromium


def _refreshed(refresher: SiteRefresher, started: int) -> None:
    """Wait until a background build started after the `started`th has finished: noted just after
    a file was written, that build read it (a build started before may have finished since)."""
    with refresher.finished:
        assert refresher.finished.wait_for(lambda: refresher.runs > started, timeout=WAIT), "no background build"


def _index_of(site: Path) -> str:
    """What the site's search index holds, for a failure's message: its manifest and each part's URLs."""
    index = site / "pagefind"
    parts = {part.name: sorted(json.loads(gzip.decompress(f.read_bytes()).removeprefix(b"pagefind_dcd"))["url"]
                               for f in (part / "fragment").glob("*.pf_fragment"))
             for part in sorted((index / "parts").glob("*"))}
    return f"{(index / 'manifest.json').read_text(encoding='utf-8')} {parts}"


def test_the_preview_finds_what_was_just_written_and_not_what_was_removed(tmp_path: Path, browser) -> None:
    config = make_project(tmp_path / "project")
    build(load_config(config))  # with search: site/ has an index, which the preview keeps up to date
    file = config.parent / "content" / "2023" / "08" / f"{SLUG}.md"
    with running_preview(config, delay=0.05) as preview:
        assert preview.wait_for_first_build(WAIT)
        _refreshed(preview.search, 0)  # after the first build: nothing to redo
        page = browser.new_page()
        errors = _watch(page)  # shown if a search fails: a request refused, a script error
        links = _search(page, preview.url, "coree")
        assert links and links[0].endswith(f"/{SLUG}/"), (links, errors, preview.search.runs)

        before = status(preview)
        file.write_text(file.read_text(encoding="utf-8") + "\nUn mot zorglubique ajouté.\n", encoding="utf-8")
        started = preview.search.started
        wait_for_build(preview, before)
        _refreshed(preview.search, started)
        assert _search(page, preview.url, "zorglubique") == links[:1]

        before = status(preview)
        write_file(config.parent / "content" / "2024" / "03" / "ajout.md",
                   content_file({"title": "Un ajout", "date": "2024-03-15"}, "Un briefing quasarique, ajouté."))
        started = preview.search.started
        wait_for_build(preview, before)
        _refreshed(preview.search, started)
        found = _search(page, preview.url, "quasarique")
        assert [link.split("/")[-2] for link in found] == ["ajout"], (found, errors, _index_of(config.parent / "site"))

        before = status(preview)
        file.unlink()
        started = preview.search.started
        wait_for_build(preview, before)
        _refreshed(preview.search, started)
        assert _search(page, preview.url, "zorglubique") == []
        assert request(preview, f"/briefings/2023/08/{SLUG}/")[0] == 404
        assert preview.search.failures == 0


def test_a_project_built_without_search_keeps_its_site_as_it_is(tmp_path: Path) -> None:
    """No index in site/ (built with --no-search): the preview never runs a build of its own."""
    config = make_project(tmp_path / "project")
    build(load_config(config), search_index=False)
    site = config.parent / "site"
    stamps = {p: p.stat().st_mtime_ns for p in site.rglob("*")}
    with running_preview(config, delay=0.05) as preview:
        assert preview.wait_for_first_build(WAIT)
        before = status(preview)
        file = config.parent / "content" / "2023" / "08" / f"{SLUG}.md"
        file.write_text(file.read_text(encoding="utf-8") + "\nUne phrase de plus.\n", encoding="utf-8")
        wait_for_build(preview, before)
        assert not preview.search.wanted()
        assert preview.search.runs == 0
        assert request(preview, "/briefings/pagefind/manifest.json")[0] == 404
    assert {p: p.stat().st_mtime_ns for p in site.rglob("*")} == stamps
