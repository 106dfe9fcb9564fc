"""The output folder under misuse: `--output` never costs the user a file, one build at a time.

Every case runs `build.py` as a user would, in a throwaway project, and compares the
whole tree before and after: a refused build moves and deletes nothing.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from briefings.site_folder import SITE_MARKER, build_lock
from helpers import BUILD_PY, content_file, create_project, run_build_py, snapshot, write_file


def _project(root: Path, count: int = 3) -> Path:
    content = {f"2023/0{1 + i % 9}/briefing-{i}.md":
               content_file({"title": f"Briefing {i}", "date": f"2023-0{1 + i % 9}-1{i % 9}", "lang": "fr"},
                            f"Texte du briefing {i}. " * 40)
               for i in range(count)}
    config = create_project(root, content=content, seeds={"001_abcd.txt": "2023-08-14\nTitre\n\nTexte.\n"},
                            templates={"static/extra.css": "body{}"})
    write_file(root / ".git" / "HEAD", "ref: refs/heads/main\n")
    write_file(root / "docs" / "NOTES.md", "notes de l'utilisateur\n")
    write_file(root / "notes.txt", "un fichier\n")
    return config


def _tree(folder: Path) -> dict[str, bytes | None]:
    """Every file and folder under `folder` (folders as None): what a refused build must leave."""
    return {p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else None)
            for p in sorted(folder.rglob("*"))}


REFUSED = {
    ".": "the project folder",
    "..": "the project folder or a folder above it",
    "content": "content/",
    "content/2023": "content/",
    "seeds": "seeds/",
    "templates": "templates/",
    ".cache": ".cache/",
    ".git": ".git/",
    "notes.txt": "is a file",
    "docs": "did not build",
}


@pytest.mark.parametrize("output", list(REFUSED))
def test_a_dangerous_output_folder_is_refused_and_nothing_moves(tmp_path: Path, output: str) -> None:
    config = _project(tmp_path / "project")
    (tmp_path / "beside.txt").write_text("à côté du projet\n")
    assert run_build_py(config, "build", "--no-search").code == 0  # .cache/ and site/ exist, as for a user
    before = _tree(tmp_path)
    run = run_build_py(config, "build", "--no-search", "--output", output)
    assert run.code == 1, run.output
    assert "refusing to build here" in run.stderr and REFUSED[output] in run.stderr, run.stderr
    assert "Traceback" not in run.output
    assert _tree(tmp_path) == before


def test_force_replaces_a_folder_of_other_files_and_an_empty_folder_needs_no_force(tmp_path: Path) -> None:
    config = _project(tmp_path / "project")
    (tmp_path / "project" / "empty").mkdir()
    run = run_build_py(config, "build", "--no-search", "--output", "empty")
    assert run.code == 0, run.output
    assert (tmp_path / "project" / "empty" / "index.html").is_file()
    assert (tmp_path / "project" / "empty" / SITE_MARKER).is_file()
    run = run_build_py(config, "build", "--no-search", "--output", "docs", "--force")
    assert run.code == 0, run.output
    docs = tmp_path / "project" / "docs"
    assert (docs / "index.html").is_file() and not (docs / "NOTES.md").exists()
    assert run_build_py(config, "build", "--no-search", "--output", "docs").code == 0  # ours now: no --force


def test_a_site_built_before_the_marker_existed_is_still_rebuilt(tmp_path: Path) -> None:
    """The build cache remembers the folder: a site from an older version is not refused."""
    config = _project(tmp_path / "project")
    assert run_build_py(config, "build", "--no-search").code == 0
    (tmp_path / "project" / "site" / SITE_MARKER).unlink()
    run = run_build_py(config, "build", "--no-search")
    assert run.code == 0, run.output
    assert (tmp_path / "project" / "site" / SITE_MARKER).is_file()


# --- one build at a time -----------------------------------------------------------------------

def test_a_second_build_fails_fast_with_no_wait_or_waits_for_the_first(tmp_path: Path) -> None:
    config = _project(tmp_path / "project")
    root = config.parent
    with build_lock(root / "site", root / ".cache"):  # this test process is "the other build"
        run = run_build_py(config, "build", "--no-search", "--no-wait")
        assert run.code == 1 and f"another build (process {os.getpid()})" in run.stderr, run.output
        waiting = subprocess.Popen([sys.executable, str(BUILD_PY), "--config", str(config), "build", "--no-search"],
                                   cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = waiting.stderr.readline()  # the event: it says it waits, and has built nothing
        assert "waiting for another build" in line, line
        assert not (root / "site").exists()
    out, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 0, out + err
    assert (root / "site" / "index.html").is_file()


def test_the_lock_of_a_killed_build_is_released_by_the_system(tmp_path: Path) -> None:
    config = _project(tmp_path / "project")
    root = config.parent
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from pathlib import Path; from briefings.site_folder import build_lock\n"
         f"with build_lock(Path({str(root / 'site')!r}), Path({str(root / '.cache')!r})):\n"
         "    print('held', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parent.parent)
    assert holder.stdout.readline().strip() == "held"
    assert run_build_py(config, "build", "--no-search", "--no-wait").code == 1
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    run = run_build_py(config, "build", "--no-search", "--no-wait")
    assert run.code == 0, run.output


def _start_build(config: Path, *args: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFINGS_")}
    return subprocess.Popen([sys.executable, str(BUILD_PY), "--config", str(config), *args], cwd=config.parent,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


PAIRS = 8


def test_pairs_of_builds_at_once_always_leave_a_complete_site(tmp_path: Path) -> None:
    """The reported race: edit files, start two builds together. Each pair must end with both
    builds succeeding and site/ byte for byte a clean build of the same content."""
    config = _project(tmp_path / "project", count=150)
    root = config.parent
    assert run_build_py(config, "build", "--no-search").code == 0
    files = sorted((root / "content").rglob("*.md"))
    waited = 0
    for attempt in range(PAIRS):
        for file in files[attempt::PAIRS][:20]:
            file.write_text(file.read_text(encoding="utf-8") + f"\nModifié {attempt}.\n", encoding="utf-8")
        first, second = _start_build(config, "build", "--no-search"), _start_build(config, "build", "--no-search")
        outputs = [first.communicate(timeout=120)[0], second.communicate(timeout=120)[0]]
        assert (first.returncode, second.returncode) == (0, 0), outputs
        waited += any("waiting for another build" in output for output in outputs)
        clean = tmp_path / f"clean-{attempt}"
        shutil.copytree(root, clean, ignore=shutil.ignore_patterns("site", ".cache", ".git", ".site-*"))
        assert run_build_py(clean / "config.yaml", "build", "--no-search").code == 0
        assert snapshot(root / "site") == snapshot(clean / "site"), f"pair {attempt}"
    assert not list(root.glob(".site-build-*"))
    assert waited, "no pair overlapped: the race was not tried"
    print(f"{PAIRS} pairs of builds at once, {waited} overlapping: every site/ complete and equal to a clean build")


def test_a_killed_first_build_leaves_folders_the_next_build_removes(tmp_path: Path) -> None:
    config = _project(tmp_path / "project", count=300)
    root = config.parent
    process = _start_build(config, "build", "--no-search")
    while not list(root.glob(".site-build-*")) and process.poll() is None:  # the event: its folders exist
        time.sleep(0.005)
    os.killpg(process.pid, signal.SIGKILL)  # the build and any worker it forked
    assert process.wait() == -signal.SIGKILL, "the build ended before it could be killed"
    assert list(root.glob(".site-build-*")), "what a killed first build leaves"
    run = run_build_py(config, "build", "--no-search")
    assert run.code == 0, run.output
    assert not list(root.glob(".site-build-*"))
    assert (root / "site" / "index.html").is_file()
