"""Loading content with the build cache's entries: what is reused, what is read again."""
from __future__ import annotations

from pathlib import Path

from briefings.config import load_config
from briefings.content import content_stamps, load_content
from helpers import content_file, create_project, write_file


def project(tmp_path: Path, count: int = 3):
    root = create_project(tmp_path / "p").parent
    for i in range(count):
        write_file(root / "content" / "2024" / "05" / f"note-{i}.md",
                   content_file({"title": f"Note {i}", "date": "2024-05-01", "lang": "en"}, f"Text {i}."))
    return load_config(root / "config.yaml")


def test_unchanged_files_reuse_their_entries_and_changed_ones_are_read(tmp_path: Path) -> None:
    config = project(tmp_path)
    cache: dict = {}
    first, _ = load_content(config, cache=cache)
    note = config.root / "content" / "2024" / "05" / "note-1.md"
    write_file(note, content_file({"title": "Renamed", "date": "2024-05-01", "lang": "en"}, "Longer text here."))
    second, _ = load_content(config, cache=cache)
    by_title = {b.title for b in second}
    assert by_title == {"Note 0", "Renamed", "Note 2"}
    reused = {b.file for b in second if any(b is old for old in first)}  # the same objects: not read again
    assert reused == {"content/2024/05/note-0.md", "content/2024/05/note-2.md"}


def test_a_file_deleted_while_it_is_read_is_gone_not_stale(tmp_path: Path) -> None:
    """Listed (with a new stamp) then deleted before it was read: its old entry must not
    stand in for it."""
    config = project(tmp_path)
    cache: dict = {}
    load_content(config, cache=cache)
    stamps = content_stamps(config)
    gone = str(config.root / "content" / "2024" / "05" / "note-1.md")
    stamps[gone] = (stamps[gone][0] + 1, stamps[gone][1])  # it changed after the last build…
    Path(gone).unlink()  # …and was deleted before this one read it
    briefings, problems = load_content(config, stamps, cache=cache)
    assert sorted(b.title for b in briefings) == ["Note 0", "Note 2"]
    assert gone not in cache and not problems
