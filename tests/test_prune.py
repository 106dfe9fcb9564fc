"""Deleted seeds: import names the content files whose seed is gone; `--prune` removes those
nobody edited, keeps edited ones with a warning, and never touches a file a person wrote."""
from __future__ import annotations

import json
from pathlib import Path

from briefings.config import load_config
from briefings.importer import import_seeds
from helpers import content_file, create_project, run_build_py, snapshot, write_file
from sitecrawl import write_seeds


def _project(tmp_path: Path) -> tuple[Path, list[Path], dict[str, Path]]:
    """Three imported seeds and a hand-written briefing; content file by seed id."""
    config = create_project(tmp_path / "p", content={"2024/01/a-la-main.md": content_file(
        {"title": "Écrit à la main", "date": "2024-01-05", "id": "a1b2c3d4e5f60718"})})
    seeds = write_seeds(tmp_path / "p" / "seeds", 3)
    assert not import_seeds(load_config(config), jobs=1).failed
    manifest = json.loads((tmp_path / "p" / "content" / ".imported.json").read_text(encoding="utf-8"))
    files = {}
    for path in (tmp_path / "p" / "content").rglob("*.md"):
        for sid in manifest:
            if f"id: {sid}" in path.read_text(encoding="utf-8"):
                files[sid] = path
    assert len(files) == 3
    return config, seeds, files


def _sid(seed: Path) -> str:
    return seed.stem.split("_")[1]


def test_import_lists_the_files_whose_seed_is_gone_and_keeps_them(tmp_path: Path) -> None:
    config, seeds, files = _project(tmp_path)
    seeds[0].unlink()
    before = snapshot(tmp_path / "p" / "content")
    run = run_build_py(config, "import")
    assert run.code == 0, run.output
    gone = files[_sid(seeds[0])].relative_to(tmp_path / "p").as_posix()
    assert f"{gone}: warning: its seed (id {_sid(seeds[0])}) is gone; the page stays published" in run.stderr
    assert "--prune" in run.stderr
    assert "1 without their seed" in run.stdout
    assert run.stderr.count("is gone") == 1, "the hand-written briefing has no seed, and is no import's"
    assert snapshot(tmp_path / "p" / "content") == before


def test_prune_removes_unedited_files_and_keeps_edited_ones_with_a_warning(tmp_path: Path) -> None:
    config, seeds, files = _project(tmp_path)
    removed, edited = files[_sid(seeds[0])], files[_sid(seeds[1])]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nUne phrase du rédacteur.\n", encoding="utf-8")
    seeds[0].unlink()
    seeds[1].unlink()
    report = import_seeds(load_config(config), jobs=1, prune=True)
    root = tmp_path / "p"
    assert not removed.exists() and edited.exists() and files[_sid(seeds[2])].exists()
    assert (root / "content/2024/01/a-la-main.md").exists()
    assert report.removed == [removed.relative_to(root).as_posix()]
    assert [str(w) for w in report.warnings] == [
        f"{edited.relative_to(root).as_posix()}: warning: its seed (id {_sid(seeds[1])}) is gone, but the file "
        "was edited: kept, and still published (delete it yourself if it should go)"]
    assert report.summary().endswith("; 2 without their seed (1 removed)")
    manifest = json.loads((root / "content" / ".imported.json").read_text(encoding="utf-8"))
    assert _sid(seeds[0]) not in manifest and _sid(seeds[1]) in manifest
    assert run_build_py(config, "build", "--no-search").code == 0
    site = "\n".join(p.read_text(encoding="utf-8") for p in (root / "site").rglob("*.xml"))
    assert removed.stem not in site and edited.stem in site
    again = run_build_py(config, "import", "--prune")
    assert again.code == 0 and "1 without their seed" in again.stdout and "removed" not in again.stdout


def test_prune_removes_nothing_when_a_seed_failed(tmp_path: Path) -> None:
    """A seed that fails (here: unreadable as a seed) must not let its file pass for seedless."""
    config, seeds, files = _project(tmp_path)
    seeds[0].unlink()
    write_file(seeds[1], b"not a seed at all")
    report = import_seeds(load_config(config), jobs=1, prune=True)
    assert report.failed and not report.removed
    assert files[_sid(seeds[0])].exists()
    assert any("--prune removed nothing, since a seed failed" in str(w) for w in report.warnings)
