"""Large builds read content and render pages on every core: the site must not depend on it.

The automatic choice only forks for hundreds of files per core; these tests force
several workers on the small fixture corpus so the parallel paths run in every CI.
"""
from __future__ import annotations

import glob
import os
import shutil
import time
from datetime import date
from pathlib import Path

import pytest

from briefings import output, pipeline
from briefings.config import load_config
from briefings.errors import SiteErrors
from briefings.importer import import_seeds
from briefings.output import spare_folder
from briefings.pipeline import build
from briefings.workers import available_cores, detach, in_background, map_items, map_slices
from fixtures.corpus import write_corpus
from helpers import create_project, snapshot, write_file


@pytest.fixture
def project(tmp_path: Path) -> Path:
    config = create_project(tmp_path / "p")
    write_corpus(config.parent / "seeds")
    assert not import_seeds(load_config(config), jobs=1).failed
    return config


def built_with(config: Path, jobs: int) -> dict[str, bytes]:
    """A clean build's files: no site, no cache before it."""
    for leftover in ("site", ".cache"):
        shutil.rmtree(config.parent / leftover, ignore_errors=True)
    result = build(load_config(config), jobs=jobs, search_index=False)
    assert result.pages > 50
    return snapshot(config.parent / "site")


def test_parallel_build_equals_single_process_build(project: Path) -> None:
    one = built_with(project, 1)
    many = built_with(project, 3)
    assert many.keys() == one.keys()
    assert [path for path in one if many[path] != one[path]] == []


def test_parallel_build_reports_each_content_error_once(project: Path) -> None:
    broken = sorted((project.parent / "content").rglob("*.md"))[3]
    text = broken.read_text(encoding="utf-8")
    write_file(broken, text.replace("date:", "date: [", 1))
    reported = []
    for jobs in (1, 3):
        with pytest.raises(SiteErrors) as caught:
            build(load_config(project), jobs=jobs, search_index=False)
        reported.append([str(e) for e in caught.value.errors if not e.warning])
    assert reported[1] == reported[0]
    assert len(reported[1]) == 1 and reported[1][0].startswith(
        f"content/{broken.relative_to(project.parent / 'content').as_posix()}:"), reported
    assert not (project.parent / "site").exists()


def test_parallel_build_reports_a_template_error_once_and_keeps_the_site(project: Path) -> None:
    build(load_config(project), jobs=3, search_index=False)
    before = snapshot(project.parent / "site")
    write_file(project.parent / "templates" / "briefing.html",
               '{% extends "base.html" %}\n{% block content %}\n'
               '{{ briefing.title.no_such_method() }}\n{% endblock %}\n')
    with pytest.raises(SiteErrors) as caught:
        build(load_config(project), jobs=3, search_index=False)
    assert [(e.path, e.line) for e in caught.value.errors] == [("templates/briefing.html", 3)]
    assert snapshot(project.parent / "site") == before


@pytest.mark.parametrize("survey_from", [0, 10**9], ids=["forked", "inline"])
def test_rebuilds_see_edits_and_site_files_changed_in_place(project: Path, monkeypatch, survey_from: int) -> None:
    """Large sites stat their content and site files in a forked process while this one loads
    the cache (forced here, and not): every rebuild sees what changed, a no-op stays a no-op,
    and a site file edited in place (it may share its inode with the spare's copy, a hard
    link) is rendered again rather than kept from the spare."""
    monkeypatch.setattr(pipeline, "BACKGROUND_SURVEY_FROM", survey_from)
    config = load_config(project)
    site = project.parent / "site"
    build(config, search_index=False)
    assert build(config, search_index=False).rendered == 0
    edited = sorted((project.parent / "content").rglob("*.md"))[5]
    write_file(edited, edited.read_text(encoding="utf-8").rstrip() + "\n\nUne phrase ajoutée.\n")
    assert build(config, search_index=False).rendered > 0
    page = site / "index.html"
    with page.open("r+b") as handle:  # in place, as an editor without atomic saves does
        handle.write(b"damaged by hand")
    assert build(config, search_index=False).rendered == 1
    assert b"damaged by hand" not in page.read_bytes()
    assert build(config, search_index=False).rendered == 0
    assert snapshot(site) == built_with(project, 1)


def test_in_background_gives_the_result_or_raises_the_error_of_its_function() -> None:
    for fork in (True, False):
        assert in_background(lambda: {"pid": os.getpid(), "n": 3}, fork=fork)()["n"] == 3
        with pytest.raises(ValueError, match="no such date"):
            in_background(lambda: date.fromisoformat("no such date"), fork=fork)()
    if hasattr(os, "fork") and available_cores() > 1:
        assert in_background(os.getpid, fork=True)() != os.getpid()
    assert in_background(os.getpid, fork=False)() == os.getpid()


def files_under(folder: Path) -> dict[str, int]:
    """Relative path -> inode of every file under `folder`."""
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_first_build_leaves_a_spare_so_the_next_rebuild_copies_nothing(project: Path, jobs: int) -> None:
    """A first build (no site/ yet) links every file it writes, in its workers too, into a second
    folder that becomes the spare: the first rebuild then rewrites only what changed instead of
    linking the whole site into a new folder. The spare shares its files with site/, so a file
    edited in place there is rendered again, never kept from the spare."""
    config = load_config(project)
    site = project.parent / "site"
    build(config, jobs=jobs, search_index=False)
    spare = spare_folder(config.site_dir, config.cache_dir)
    assert files_under(spare) == files_under(site)  # the same files: hard links
    assert not list(project.parent.glob(".site-build-*"))
    with (site / "index.html").open("r+b") as handle:
        handle.write(b"damaged by hand")
    edited = sorted((project.parent / "content").rglob("*.md"))[5]
    write_file(edited, edited.read_text(encoding="utf-8").rstrip() + "\n\nUne phrase ajoutée.\n")
    unchanged = files_under(site)
    result = build(config, jobs=jobs, search_index=False)
    assert 1 < result.rendered < 20
    now = files_under(site)
    assert sum(now[path] != inode for path, inode in unchanged.items()) == result.rendered
    assert b"damaged by hand" not in (site / "index.html").read_bytes()
    assert snapshot(site) == built_with(project, 1)


def test_a_spare_that_cannot_be_linked_is_given_up_and_the_build_still_succeeds(project: Path, monkeypatch) -> None:
    config = load_config(project)
    def no_links(source, target):
        raise OSError(1, "Operation not permitted")
    monkeypatch.setattr(os, "link", no_links)
    build(config, jobs=1, search_index=False)
    assert not spare_folder(config.site_dir, config.cache_dir).exists()
    assert not list(project.parent.glob(".site-build-*"))
    monkeypatch.undo()
    edited = sorted((project.parent / "content").rglob("*.md"))[5]
    write_file(edited, edited.read_text(encoding="utf-8").rstrip() + "\n\nUne phrase ajoutée.\n")
    build(config, jobs=1, search_index=False)
    assert snapshot(project.parent / "site") == built_with(project, 1)


def edit_and_rebuild(project: Path, config, jobs: int, rounds: int) -> None:
    """Edit a different briefing and rebuild, `rounds` times: from the third build on, the
    spare's old versions of the pages that changed are its own files, no longer the live site's."""
    content = sorted((project.parent / "content").rglob("*.md"))
    for number in range(rounds):
        edited = content[number * 3]
        write_file(edited, edited.read_text(encoding="utf-8").rstrip() + f"\n\nAjout {number}.\n")
        assert build(config, jobs=jobs, search_index=False).rendered > 0


def trash_files(config) -> list[Path]:
    trash = str(spare_folder(config.site_dir, config.cache_dir)) + ".trash"
    found = []
    for folder in glob.glob(glob.escape(trash) + "*"):
        try:
            found += list(Path(folder).rglob("*"))
        except FileNotFoundError:
            found.append(Path(folder))  # being emptied right now
    return found


def test_replaced_files_wait_in_a_trash_until_the_build_is_done(project: Path, monkeypatch) -> None:
    """Freeing a replaced file's blocks is ten times dearer than moving it aside: a rebuild
    moves the files it replaces to a trash, deleted once the build is done (detached)."""
    config = load_config(project)
    later = []
    monkeypatch.setattr(output, "detach", lambda function, fork: later.append(function))
    build(config, jobs=1, search_index=False)
    edit_and_rebuild(project, config, 1, 4)
    assert len(trash_files(config)) >= 5 and later
    for function in later:
        function()
    assert trash_files(config) == []
    assert snapshot(project.parent / "site") == built_with(project, 1)


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_trash_is_emptied_after_each_build(project: Path, jobs: int) -> None:
    """In a forked process nobody waits for (a build that may fork), or a thread (the preview)."""
    config = load_config(project)
    build(config, jobs=jobs, search_index=False)
    edit_and_rebuild(project, config, jobs, 4)
    deadline = time.monotonic() + 20
    while trash_files(config) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert trash_files(config) == []
    assert snapshot(project.parent / "site") == built_with(project, 1)


def _wait_then_write(go: Path, writing: Path, done: Path) -> None:
    """Wait (at most 20 s) for `go` to appear, then write this process's id to `done`."""
    deadline = time.monotonic() + 20
    while not go.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    writing.write_text(str(os.getpid()))
    writing.rename(done)


def test_detach_runs_a_function_without_waiting_for_it(tmp_path: Path) -> None:
    """The function waits for a file only the test creates after `detach` returns: had `detach`
    waited for it, `done` would already be there (after the function's own 20 s timeout)."""
    for fork in (True, False):
        go, done, writing = (tmp_path / f"{name}-{fork}" for name in ("go", "done", "writing"))
        detach(lambda go=go, writing=writing, done=done: _wait_then_write(go, writing, done), fork)
        assert not done.exists()
        go.touch()
        deadline = time.monotonic() + 20
        while not done.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert done.read_text() and (done.read_text() != str(os.getpid())) == (fork and hasattr(os, "fork"))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forks")
def test_a_detached_child_does_not_hold_the_callers_output_open(tmp_path: Path) -> None:
    """`build.py build | tee log` (or a benchmark reading the output) ends with the build,
    not with the cleanup it left running: the caller's output closes while the child sleeps."""
    import signal
    import subprocess
    import sys
    pid_file = tmp_path / "child.pid"
    writing = tmp_path / "child.pid.part"
    script = ("import os, time; from pathlib import Path; from briefings import workers; "
              f"part, whole = Path({str(writing)!r}), Path({str(pid_file)!r}); "
              "workers.detach(lambda: (part.write_text(str(os.getpid())), part.rename(whole), time.sleep(120)), True)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[1])  # returns only once the output is closed
    assert done.returncode == 0, done.stderr
    deadline = time.monotonic() + 20
    while not pid_file.exists() and time.monotonic() < deadline:  # the event: the child has started
        time.sleep(0.01)
    child = int(pid_file.read_text())
    try:
        assert _running(child), "the child should still be sleeping when the caller's output closed"
    finally:
        os.kill(child, signal.SIGKILL)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("jobs", [2, 3])
def test_work_is_shared_out_once_each_and_this_process_takes_part(jobs: int) -> None:
    """Every item goes to exactly one process, this one included (its slice comes first),
    and map_items gives results in item order whoever computed them."""
    items = list(range(1000))
    slices = map_slices(lambda chunk: (os.getpid(), [item for item in chunk]), items, jobs)
    assert len(slices) == jobs and slices[0][0] == os.getpid()
    assert sorted(item for _, chunk in slices for item in chunk) == items
    if available_cores() > 1:
        assert len({pid for pid, _ in slices}) == jobs
    assert map_items(lambda item: item * item, items, jobs) == [item * item for item in items]
    reports = []
    map_slices(lambda chunk: [time.sleep(0.001) for _ in chunk], items[:900], jobs, reports.append)
    assert reports and reports == sorted(reports) and reports[-1] <= 900


def test_pages_that_show_many_briefings_are_rendered_first(project: Path, monkeypatch) -> None:
    """A month page or the sitemap takes up to half a second at 100,000 briefings: started
    last, it would keep one process busy while the others wait. The rest keep the plan's order."""
    monkeypatch.setattr(pipeline, "HEAVY_PAGE", 10)
    archive, pages, renderer, _, _ = pipeline.load(load_config(project))
    written = []
    pipeline.render_all(pages, renderer, lambda path, data: written.append(path))
    heavy = [page.path for page in pages if page.weight > 10]
    assert "sitemap.xml" in heavy and len(heavy) < len(pages) // 2
    assert written[:len(heavy)] == heavy
    assert written[len(heavy):] == [page.path for page in pages if page.path not in heavy]
