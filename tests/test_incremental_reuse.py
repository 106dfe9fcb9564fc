"""What a rebuild in a new process reuses from .cache/ instead of working out again.

(That the result equals a clean build is tests/test_incremental_property.py's job.)
"""
from __future__ import annotations

from pathlib import Path

import pytest

from briefings import archive as archive_module
from briefings import cache as build_cache
from briefings.config import load_config
from briefings.pipeline import build
from helpers import content_file, create_project, write_file


@pytest.fixture
def config(tmp_path: Path):
    root = create_project(tmp_path / "p").parent
    for i in range(12):
        write_file(root / "content" / "2024" / "05" / f"note-{i:02d}.md",
                   content_file({"title": f"Note {i}", "date": f"2024-05-{i + 1:02d}", "lang": "en",
                                 "topics": ["defence"] if i % 2 else ["defence", "china"]}, f"Text {i}."))
    yield load_config(root / "config.yaml")
    build_cache._MEMORY.clear()


def rebuild_counting_related(config, monkeypatch) -> int:
    """Build as a new build.py process would (nothing in memory); how often related briefings
    were chosen from scratch."""
    build_cache._MEMORY.clear()
    calls = []
    real = archive_module._related
    monkeypatch.setattr(archive_module, "_related", lambda *args: calls.append(1) or real(*args))
    build(config, search_index=False, jobs=1)
    return len(calls)


def test_related_briefings_are_chosen_again_only_when_what_they_depend_on_changes(config, monkeypatch) -> None:
    note = config.root / "content" / "2024" / "05" / "note-03.md"
    assert rebuild_counting_related(config, monkeypatch) == 1  # first build
    write_file(note, content_file({"title": "Note 3, retitled", "date": "2024-05-04", "lang": "en",
                                   "topics": ["defence"]}, "A longer text for note 3."))
    assert rebuild_counting_related(config, monkeypatch) == 0  # title and text: same choice
    write_file(note, content_file({"title": "Note 3", "date": "2023-01-04", "lang": "en",
                                   "topics": ["defence"]}, "Text 3."))
    assert rebuild_counting_related(config, monkeypatch) == 1  # a date moved: chosen again
    build_cache.related_file(config).write_bytes(b"not a pickle")
    write_file(note, content_file({"title": "Note 3", "date": "2023-01-04", "lang": "en",
                                   "topics": ["defence"]}, "Text 3, edited."))
    assert rebuild_counting_related(config, monkeypatch) == 1  # a damaged file is not trusted
    page = (config.site_dir / "2024" / "05" / "note-02" / "index.html").read_text(encoding="utf-8")
    assert 'class="related"' in page
