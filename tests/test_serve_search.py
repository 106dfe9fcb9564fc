"""Search in the preview: its index is made after the first build, off the rebuild's path, and
follows edits; a rebuild carries the last index into its new folder meanwhile."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from browser import launch_browser
from helpers import running_preview
from test_search import _search
from test_serve_http import SLUG, make_project, request, status, wait_for, wait_for_build


@pytest.fixture(scope="module")
def browser():
    with launch_browser() as chromium:
        yield chromium


def test_the_preview_has_a_search_that_follows_edits(tmp_path: Path, browser) -> None:
    config = make_project(tmp_path / "project")
    with running_preview(config, delay=0.05) as preview:
        wait_for(lambda: preview.search.made >= 1, timeout=60)  # the event: the first index is in place
        page = browser.new_page()
        links = _search(page, preview.url, "coree")
        assert links and links[0].endswith(f"/{SLUG}/"), links
        made, before = preview.search.made, status(preview)
        file = config.parent / "content" / "2023" / "08" / f"{SLUG}.md"
        file.write_text(file.read_text(encoding="utf-8") + "\nUn mot zorglubique ajouté.\n", encoding="utf-8")
        wait_for_build(preview, before)
        assert request(preview, f"/briefings/search/")[0] == 200
        assert (preview.site_dir / "pagefind" / "manifest.json").is_file(), "the rebuild carried the index"
        wait_for(lambda: preview.search.made > made, timeout=60)
        assert _search(page, preview.url, "zorglubique") == links[:1]
