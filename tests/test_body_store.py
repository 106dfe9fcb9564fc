"""The body store (bodies.py): rendered bodies kept in .cache/ between builds.

A template or config change re-renders every page, but not the Markdown of
briefings that did not change; the result is byte for byte a clean build's,
and a damaged store, an engine upgrade or a file edited mid-build never shows
a stale body.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from briefings import cache as build_cache
from briefings import fingerprints as fingerprints_module
from briefings import markdown as markdown_module
from briefings import render as render_module
from briefings.bodies import BATCH, BodyStore
from briefings.config import load_config
from briefings.content import load_briefing
from briefings.pipeline import build
from helpers import content_file, create_project, snapshot, write_file

THEME_BRIEFING = (Path(render_module.__file__).parent / "theme" / "templates" / "briefing.html").read_text(
    encoding="utf-8")


@pytest.fixture
def config(tmp_path: Path):
    root = create_project(tmp_path / "p").parent
    for day in range(1, 13):
        write_file(root / "content" / "2024" / "03" / f"note-{day}.md",
                   content_file({"title": f"Note {day}", "date": f"2024-03-{day:02d}", "lang": "en"},
                                f"Text of note {day}, with *emphasis*.\n\n## A subheading\n\n- a list\n- of two"))
    yield load_config(root / "config.yaml")
    build_cache.forget_memory()
    render_module.forget_renderers()


def new_process_build(config, monkeypatch, jobs: int = 1) -> int:
    """Build as a fresh build.py process would; returns how many bodies went through markdown-it
    (in this process: forked workers count for themselves)."""
    build_cache.forget_memory()
    render_module.forget_renderers()
    render_module.to_html.cache_clear()
    calls = []
    real = markdown_module._md.render
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(markdown_module._md, "render", lambda source, env=None: calls.append(source) or real(source, env))
        build(config, search_index=False, jobs=jobs)
    return len(calls)


def override_template(config, marker: str) -> None:
    write_file(config.root / "templates" / "briefing.html",
               THEME_BRIEFING.replace("{% block content %}", "{% block content %}<!-- " + marker + " -->", 1))


def test_a_template_change_renders_no_markdown_again(config, monkeypatch) -> None:
    assert new_process_build(config, monkeypatch) == 12
    override_template(config, "one")
    assert new_process_build(config, monkeypatch) == 0
    page = (config.site_dir / "2024" / "03" / "note-5" / "index.html").read_text(encoding="utf-8")
    assert "<!-- one -->" in page and "<em>emphasis</em>" in page
    assert '<h2 id="a-subheading">A subheading</h2>' in page


def test_bodies_written_by_forked_workers_are_found_by_the_next_build(config, monkeypatch) -> None:
    from briefings import workers
    monkeypatch.setattr(workers, "MIN_ITEMS_PER_WORKER", 1)
    config_file = config.root / "config.yaml"
    text = config_file.read_text(encoding="utf-8")
    assert "full_content: true" in text
    config_file.write_text(text.replace("full_content: true", "full_content: false"),
                           encoding="utf-8")  # bodies only on briefing pages, which both processes render
    config = load_config(config_file)
    assert new_process_build(config, monkeypatch, jobs=2) < 12, "the forked worker rendered some bodies"
    override_template(config, "two")
    assert new_process_build(config, monkeypatch, jobs=1) == 0


def test_an_edited_body_is_rendered_again(config, monkeypatch) -> None:
    new_process_build(config, monkeypatch)
    note = config.root / "content" / "2024" / "03" / "note-5.md"
    note.write_text(note.read_text(encoding="utf-8").replace("with *emphasis*", "now with **strength**"),
                    encoding="utf-8")
    override_template(config, "three")
    assert new_process_build(config, monkeypatch) == 1
    page = (config.site_dir / "2024" / "03" / "note-5" / "index.html").read_text(encoding="utf-8")
    assert "<strong>strength</strong>" in page and "emphasis" not in page


def test_a_damaged_store_is_replaced_and_the_site_is_the_same(config, monkeypatch) -> None:
    new_process_build(config, monkeypatch)
    before = snapshot(config.site_dir)
    store = config.cache_dir / render_module.BODIES_FILE
    for suffix in ("-wal", "-shm"):
        Path(f"{store}{suffix}").unlink(missing_ok=True)
    store.write_bytes(b"this is not a database" * 100)
    write_file(config.root / "templates" / "briefing.html", THEME_BRIEFING)  # the theme's own: same pages
    assert new_process_build(config, monkeypatch) == 12
    assert snapshot(config.site_dir) == before
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT count(*) FROM body").fetchone()[0] == 12


def test_a_new_engine_renders_every_body_again(config, monkeypatch) -> None:
    new_process_build(config, monkeypatch)
    monkeypatch.setattr(fingerprints_module, "engine_stamp", lambda: "another version of the engine")
    monkeypatch.setattr(render_module, "engine_stamp", lambda: "another version of the engine")
    (config.root / "content" / "2024" / "03" / "note-3.md").touch()  # not a no-op build
    assert new_process_build(config, monkeypatch) == 12


def test_a_file_edited_after_loading_is_not_stored_under_its_old_digest(config, tmp_path: Path) -> None:
    note = config.root / "content" / "2024" / "03" / "note-7.md"
    briefing, _ = load_briefing(note, config)
    note.write_text(note.read_text(encoding="utf-8").replace("note 7", "note seven"), encoding="utf-8")
    renderer = render_module.Renderer(config, compiled_cache=tmp_path / "cache" / "templates")
    assert "note seven" in renderer.briefing_html(briefing)
    renderer.flush()
    assert renderer.bodies.get(briefing.digest) is None


def test_the_store_drops_bodies_no_briefing_has_once_they_outnumber_the_live_ones(tmp_path: Path) -> None:
    store = BodyStore(tmp_path / "bodies.sqlite", "engine")
    for n in range(3 * BATCH):
        store.put(f"digest-{n}", f"<p>{n}</p>")
    store.flush()
    store.prune([f"digest-{n}" for n in range(BATCH)])  # 600 stored, 200 live: 600 <= 2 * 200 + 200, kept
    assert store.get(f"digest-{3 * BATCH - 1}") == f"<p>{3 * BATCH - 1}</p>"
    store.prune(["digest-1", "digest-2"])
    assert store.get("digest-1") == "<p>1</p>" and store.get("digest-3") is None
