"""The content cache on disk: a whole file plus a journal of changes since it was written.

Saving one edit appends to the journal instead of rewriting every briefing; a
damaged or foreign journal is never trusted beyond what it can prove.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from briefings import cache as build_cache
from briefings.config import load_config
from briefings.content import load_content
from helpers import content_file, create_project, write_file


def write_briefings(root: Path, count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        write_file(root / "content" / "2024" / "05" / f"note-{i:03d}.md",
                   content_file({"title": f"Note {i}", "date": "2024-05-01", "lang": "en"}, f"Text of note {i}."))


def fresh_load(config) -> build_cache.BuildCache:
    """The cache as a new build.py process finds it on disk."""
    build_cache.forget_memory()
    cache = build_cache.load_cache(config)
    build_cache.load_files(config, cache)
    return cache


def load_and_save(config) -> build_cache.BuildCache:
    cache = fresh_load(config)
    load_content(config, cache=cache.files)
    build_cache.save_cache(config, cache)
    return cache


def titles(cache: build_cache.BuildCache) -> dict[str, str]:
    return {Path(key).name: entry.briefing.title for key, entry in cache.files.items()}


@pytest.fixture
def config(tmp_path: Path):
    root = create_project(tmp_path / "p").parent
    write_briefings(root, 30)
    yield load_config(root / "config.yaml")
    build_cache.forget_memory()


def test_an_edit_is_appended_to_the_journal(config) -> None:
    load_and_save(config)
    whole = build_cache.content_cache_file(config).read_bytes()
    write_briefings(config.root, 1, start=30)
    (config.root / "content" / "2024" / "05" / "note-004.md").unlink()
    load_and_save(config)
    assert build_cache.content_cache_file(config).read_bytes() == whole
    assert build_cache.content_journal_file(config).stat().st_size < len(whole) / 5
    loaded = fresh_load(config)
    assert "note-030.md" in titles(loaded) and "note-004.md" not in titles(loaded)
    assert len(loaded.files) == 30


def test_a_damaged_journal_is_applied_up_to_the_damage_then_folded_in(config) -> None:
    load_and_save(config)
    write_briefings(config.root, 1, start=30)
    load_and_save(config)
    write_briefings(config.root, 1, start=31)
    load_and_save(config)
    journal = build_cache.content_journal_file(config)
    journal.write_bytes(journal.read_bytes()[:-5])  # the last append was cut short
    loaded = fresh_load(config)
    assert "note-030.md" in titles(loaded) and "note-031.md" not in titles(loaded)
    load_content(config, cache=loaded.files)  # note-031 has no entry: it is read again
    assert "note-031.md" in titles(loaded)
    build_cache.save_cache(config, loaded)
    assert not journal.exists()  # the next save wrote the cache whole
    assert len(fresh_load(config).files) == 32


def test_a_journal_written_against_another_cache_file_is_ignored(config) -> None:
    note = config.root / "content" / "2024" / "05" / "note-001.md"
    load_and_save(config)
    write_file(note, content_file({"title": "Old journal title", "date": "2024-05-01", "lang": "en"}, "Text."))
    load_and_save(config)
    old_journal = build_cache.content_journal_file(config).read_bytes()
    build_cache.content_cache_file(config).unlink()
    build_cache.content_journal_file(config).unlink()
    write_file(note, content_file({"title": "Current title", "date": "2024-05-01", "lang": "en"}, "Text, more."))
    load_and_save(config)  # a new cache file, with a new token
    build_cache.content_journal_file(config).write_bytes(old_journal)
    assert titles(fresh_load(config))["note-001.md"] == "Current title"


def test_a_long_journal_is_folded_into_the_cache_file(config, monkeypatch) -> None:
    monkeypatch.setattr(build_cache, "JOURNAL_MIN", 5)
    load_and_save(config)
    journal = build_cache.content_journal_file(config)
    write_briefings(config.root, 3, start=30)
    load_and_save(config)
    assert journal.exists()
    write_briefings(config.root, 3, start=33)
    load_and_save(config)
    assert not journal.exists()
    assert len(fresh_load(config).files) == 36



def test_a_content_cache_written_whole_is_read_by_the_next_build(config, monkeypatch) -> None:
    from briefings import content, pipeline
    pipeline.build(config, search_index=False, jobs=2)
    stored = fresh_load(config)
    assert len(stored.files) == 30 and stored.token
    read = []
    real = content.load_briefing
    monkeypatch.setattr(content, "load_briefing", lambda path, *rest: read.append(path.name) or real(path, *rest))
    with open(config.root / "content" / "2024" / "05" / "note-001.md", "a", encoding="utf-8") as handle:
        handle.write("One more sentence.\n")
    build_cache.forget_memory()  # as a new build.py process
    pipeline.build(config, search_index=False, jobs=1)  # one process: with two, a worker may read the file
    assert read == ["note-001.md"], "only the edited file is read again"


def test_a_content_cache_save_that_fails_is_reported(config) -> None:
    from briefings import pipeline
    build_cache.content_cache_file(config).mkdir(parents=True)  # a folder where the file goes: writing it fails
    with pytest.raises(OSError):
        pipeline.build(config, search_index=False, jobs=2)
