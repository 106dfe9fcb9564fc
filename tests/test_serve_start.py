"""`build.py serve` starts from what the last `build` left, and shares the project with it safely.

The preview's first build is seeded from the project's site/ and .cache/
(briefings/firstbuild.py); what it reports (briefings parsed, bodies rendered
from Markdown, pages rendered) shows what it took from the cache.
"""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from briefings import pipeline
from briefings.config import load_config
from briefings.render import BODIES_FILE
from briefings.serve import PreviewServer
from helpers import content_file, create_project, running_preview, snapshot, write_file

REPO = Path(__file__).resolve().parent.parent
WAIT = 60


def briefings(count: int) -> dict[str, str]:
    return {f"2024/{1 + i % 12:02d}/note-{i:03d}.md":
            content_file({"title": f"Note {i}", "date": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
                          "topics": ["economy" if i % 2 else "china"]},
                         f"Le paragraphe de la note {i}, avec du *Markdown*.")
            for i in range(count)}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    config = create_project(tmp_path / "project", content=briefings(40))
    pipeline.build(load_config(config), search_index=False)
    return config


def served_pages(preview: PreviewServer) -> dict[str, bytes]:
    return snapshot(preview.site_dir)


def clean_build(project: Path, folder: Path) -> dict[str, bytes]:
    """The site a first build of the project's content gives, in a project of its own."""
    copy = folder / "clean"
    copy.mkdir(parents=True)
    shutil.copy(project, copy / "config.yaml")
    shutil.copytree(project.parent / "content", copy / "content")
    pipeline.build(load_config(copy / "config.yaml"), search_index=False)
    return snapshot(copy / "site")


def test_serve_on_an_unchanged_built_project_builds_nothing(project: Path) -> None:
    cache_files = {p.name: p.read_bytes() for p in (project.parent / ".cache").glob("*.pickle")}
    with running_preview(project) as preview:
        assert preview.wait_for_first_build(WAIT)
        result = preview.first_build
        assert result is not None and (result.briefings, result.parsed, result.bodies, result.rendered) == (40, 0, 0, 0)
        assert preview.site_dir != project.parent / "site"
        assert served_pages(preview) == snapshot(project.parent / "site")
    # the project's build cache is read, not written
    assert {p.name: p.read_bytes() for p in (project.parent / ".cache").glob("*.pickle")} == cache_files


def test_serve_after_an_edit_parses_and_renders_only_what_changed(project: Path, tmp_path: Path) -> None:
    edited = project.parent / "content" / "2024/03/note-002.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nUne phrase ajoutée après le build.\n",
                      encoding="utf-8")
    with running_preview(project) as preview:
        assert preview.wait_for_first_build(WAIT)
        result = preview.first_build
        assert result is not None and (result.parsed, result.bodies) == (1, 1)
        assert 0 < result.rendered < result.pages
        assert served_pages(preview) == clean_build(project, tmp_path)


def test_build_and_serve_together_corrupt_neither_cache(project: Path, tmp_path: Path) -> None:
    content = project.parent / "content"
    with running_preview(project, delay=0.05) as preview:
        assert preview.wait_for_first_build(WAIT)
        for round in range(3):
            version = preview.channel.version
            write_file(content / f"2024/0{round + 1}/added-{round}.md",
                       content_file({"title": f"Ajout {round}", "date": f"2024-0{round + 1}-15",
                                     "topics": ["china"]}, f"Le corps de l'ajout {round}."))
            edited = content / f"2024/{round + 4:02d}/note-{round + 3:03d}.md"
            edited.write_text(edited.read_text(encoding="utf-8") + f"\nModifiée au tour {round}.\n", encoding="utf-8")
            build = subprocess.run([sys.executable, str(REPO / "build.py"), "--config", str(project), "build",
                                    "--no-search"], capture_output=True, text=True, timeout=WAIT)
            assert build.returncode == 0, build.stderr
            wait_for_version_after(preview, version)
        assert preview.rebuild(None)  # whatever the watcher saw last is built: a later one has nothing to do
        expected = clean_build(project, tmp_path)
        assert served_pages(preview) == expected
    assert snapshot(project.parent / "site") == expected
    again = subprocess.run([sys.executable, str(REPO / "build.py"), "--config", str(project), "build", "--no-search"],
                           capture_output=True, text=True, timeout=WAIT)
    assert again.returncode == 0 and "(0 rendered)" in again.stdout  # the build's cache still knows its site
    assert snapshot(project.parent / "site") == expected
    with sqlite3.connect(project.parent / ".cache" / BODIES_FILE) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def wait_for_version_after(preview: PreviewServer, version: str) -> None:
    """Until the preview serves a build newer than `version` (the channel wakes us on each change)."""
    changed = threading.Event()
    unsubscribe = preview.channel.subscribe(changed.set)
    try:
        while preview.channel.version == version:
            assert changed.wait(WAIT), "no build after the change"
            changed.clear()
    finally:
        unsubscribe()
