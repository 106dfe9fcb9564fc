"""Nothing lost: a failure or a kill in the middle of `import` or `build` leaves every file whole.

- import writes each content file with fsutil.write_atomic (temp file + rename): a failure
  at any point leaves the previous file byte for byte, no temporary file behind, and a
  manifest that lets the next import finish the job;
- build is killed with SIGKILL at moments spread over its whole run: site/ is then
  exactly the complete old site or the complete new one, never a mix.
"""
from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from briefings import fsutil
from briefings.config import load_config
from briefings.importer import import_seeds, with_updated
from helpers import BUILD_PY, content_file, create_project, run_build_py, snapshot, write_file

SEEDS = {f"00{i}_abc{i}.txt": f" date 2023-0{i} Titre numéro {i}.\n\nPremier texte du briefing {i}.\n"
         for i in (1, 2, 3)}


def temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.endswith(".tmp") or p.name.startswith("tmp"))


@pytest.fixture
def imported(tmp_path: Path) -> Path:
    """Three seeds imported once, then all three changed: the next import updates three files."""
    config = create_project(tmp_path / "p", seeds=SEEDS)
    assert not import_seeds(load_config(config)).failed
    for name, text in SEEDS.items():
        write_file(config.parent / "seeds" / name, text.replace("Premier texte", "Texte révisé"))
    return config


def content_of(config: Path) -> dict[str, bytes]:
    return {name: data for name, data in snapshot(config.parent / "content").items() if name.endswith(".md")}


@pytest.mark.parametrize("failing", ["replace", "open", "write"])
def test_a_failure_mid_import_leaves_the_old_file_whole(imported: Path, monkeypatch: pytest.MonkeyPatch,
                                                         failing: str) -> None:
    before = content_of(imported)
    assert len(before) == 3
    calls = {"n": 0}

    def fail_second(real):
        def wrapper(*args, **kwargs):
            calls["n"] += 1
            if calls["n"] == 2:
                raise OSError(errno.ENOSPC, "No space left on device")
            return real(*args, **kwargs)
        return wrapper

    if failing == "replace":
        monkeypatch.setattr(os, "replace", fail_second(os.replace))
    elif failing == "open":  # the temp file cannot be made
        monkeypatch.setattr(os, "open", fail_second(os.open))
    else:  # the disk fills while the bytes are written: a partial temp file exists for a moment
        real_fdopen = os.fdopen

        def fdopen(fd, *args, **kwargs):
            handle = real_fdopen(fd, *args, **kwargs)
            real_write = handle.write

            def write(data):
                calls["n"] += 1
                if calls["n"] == 2:
                    real_write(data[: len(data) // 2])
                    raise OSError(errno.ENOSPC, "No space left on device")
                return real_write(data)
            handle.write = write
            return handle
        monkeypatch.setattr(fsutil.os, "fdopen", fdopen)

    report = import_seeds(load_config(imported))
    monkeypatch.undo()

    after = content_of(imported)
    assert set(after) == set(before)
    changed = sorted(name for name in after if after[name] != before[name])
    unchanged = sorted(name for name in after if after[name] == before[name])
    assert len(changed) == 2 and len(unchanged) == 1, "one file failed, the others were still imported"
    assert b"Texte r\xc3\xa9vis\xc3\xa9" not in after[unchanged[0]], "the failed file is the old one, whole"
    (error,) = report.failed
    assert "No space left on device" in str(error) and error.hint and "Traceback" not in str(error)
    assert str(error).startswith("content/2023/0"), str(error)
    assert temp_files(imported.parent / "content") == []
    # The next import finishes the job: the file that failed was not edited, so it is updated.
    again = import_seeds(load_config(imported))
    assert not again.failed and len(again.updated) == 1 and not again.kept
    assert all(b"Texte r\xc3\xa9vis\xc3\xa9" in data for data in content_of(imported).values())


def test_a_failing_manifest_write_is_reported(imported: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.replace

    def replace(source, target, *args, **kwargs):
        if str(target).endswith(".imported.json"):
            raise OSError(errno.EACCES, "Permission denied")
        return real(source, target, *args, **kwargs)
    monkeypatch.setattr(os, "replace", replace)
    report = import_seeds(load_config(imported))
    monkeypatch.undo()
    assert [str(e).split(":")[0] for e in report.failed] == ["content/.imported.json"]
    assert temp_files(imported.parent / "content") == []


def test_a_failed_import_through_the_cli_is_a_message_not_a_traceback(imported: Path) -> None:
    """The same failure as a user sees it: exit 1, `path: message (hint)`, no traceback."""
    script = (
        "import errno, os, sys\n"
        "real, calls = os.replace, []\n"
        "def replace(*args, **kwargs):\n"
        "    calls.append(1) if '/content/' in str(args[1]) else None\n"  # not .cache/'s language model
        "    if len(calls) == 1 and '/content/' in str(args[1]):\n"
        "        raise OSError(errno.ENOSPC, 'No space left on device')\n"
        "    return real(*args, **kwargs)\n"
        "os.replace = replace\n"
        f"sys.path.insert(0, {str(BUILD_PY.parent)!r})\n"
        "from briefings.cli import main\n"
        f"sys.exit(main(['--config', {str(imported)!r}, 'import']))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=imported.parent, timeout=60)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    lines = [row for row in done.stderr.splitlines() if "No space left on device" in row]
    assert len(lines) == 1 and lines[0].startswith("content/2023/01/") and lines[0].endswith(")"), done.stderr
    assert temp_files(imported.parent / "content") == []


def test_a_build_that_cannot_write_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    """site/ is a file where a folder should be: an OSError becomes `path: message (hint)`."""
    config = create_project(tmp_path / "p", content={"2023/08/a.md": content_file({"title": "A", "date": "2023-08"})})
    (tmp_path / "p" / "out").write_text("not a folder")
    run = run_build_py(config, "build", "--output", str(tmp_path / "p" / "out" / "site"))
    assert run.code == 1
    assert "Traceback" not in run.output, run.output
    assert any(line.endswith(")") and ": " in line for line in run.stderr.splitlines()), run.stderr


# --- SIGKILL during a build -----------------------------------------------------------------------

TOPICS = ["north-korea", "defence", "ukraine", "china", "economy", "energy", "climate", "elections"]
PARAGRAPH = ("Selon les observateurs, cette décision a été prise dans un contexte de fortes tensions et "
             "elle pourrait avoir des conséquences durables pour la région. ")


def frozen_theme(root: Path) -> dict[str, bytes]:
    """The theme's templates and static files, copied once: the project overrides every one of
    them, so the references and the builds under test use the same theme bytes."""
    theme = Path(__file__).resolve().parent.parent / "briefings" / "theme"
    files = {p.relative_to(theme / "templates").as_posix(): p.read_bytes()
             for p in (theme / "templates").rglob("*") if p.is_file()}
    files.update({"static/" + p.relative_to(theme / "static").as_posix(): p.read_bytes()
                  for p in (theme / "static").rglob("*") if p.is_file()})
    return files


def big_project(root: Path, title: str, theme: dict[str, bytes], count: int = 60) -> Path:
    content = {}
    for i in range(count):
        year, month = 2021 + i % 3, 1 + i % 12
        date = f"{year}-{month:02d}" if i % 4 else f"{year}-{month:02d}-{1 + i % 28:02d}"
        meta = {"title": f"Briefing numéro {i} sur {TOPICS[i % len(TOPICS)]}", "date": date,
                "topics": [TOPICS[i % len(TOPICS)], TOPICS[(i * 3 + 1) % len(TOPICS)]]}
        body = "\n\n".join(PARAGRAPH * (3 + i % 5) for _ in range(4))
        content[f"{year}/{month:02d}/briefing-{i:03d}.md"] = content_file(meta, body)
    return create_project(root, {"title": title}, content=content, templates=theme)


def set_title(config: Path, title: str) -> None:
    text = config.read_text(encoding="utf-8")
    old = next(line for line in text.splitlines() if line.startswith("title:"))
    config.write_text(text.replace(old, f"title: {title}", 1), encoding="utf-8")


def reference_site(tmp_path: Path, name: str, title: str, theme: dict[str, bytes]) -> dict[str, bytes]:
    """The complete site for `title`, built from scratch in a copy of the project."""
    config = big_project(tmp_path / name, title, theme)
    run = run_build_py(config, "build", "--output", str(tmp_path / name / "out"))
    assert run.code == 0, run.output
    return snapshot(tmp_path / name / "out")


def timed_build(config: Path) -> float:
    start = time.monotonic()
    run = run_build_py(config, "build")
    assert run.code == 0, run.output
    return time.monotonic() - start


def kill_build_after(config: Path, delay: float) -> int | None:
    """Start `build.py build`, SIGKILL it (and any worker it forked) after `delay` seconds.
    Returns its exit status if it finished first, else None."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFINGS_")}
    process = subprocess.Popen([sys.executable, str(BUILD_PY), "--config", str(config), "build"],
                               cwd=config.parent, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        process.wait(timeout=delay)
        return process.returncode
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the group is this build and its workers, nothing else
        process.wait()
        return None


def assert_index_whole(site: Path) -> None:
    """The search index the site holds is whole: every part its manifest names is a complete bundle."""
    manifest = json.loads((site / "pagefind" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parts"]
    for part in manifest["parts"]:
        bundle = site / "pagefind" / part["path"]
        entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
        for language in entry["languages"].values():
            assert (bundle / f"pagefind.{language['hash']}.pf_meta").is_file(), bundle


def test_sigkill_during_a_build_leaves_the_old_site_or_the_new_one(tmp_path: Path) -> None:
    theme = frozen_theme(tmp_path)
    old = reference_site(tmp_path, "reference-old", "Ancienne archive", theme)
    new = reference_site(tmp_path, "reference-new", "Nouvelle archive", theme)
    assert old.keys() and new.keys() and old != new
    config = big_project(tmp_path / "p", "Ancienne archive", theme)
    root = config.parent

    def old_site_in_place() -> None:
        for leftover in [root / "site", root / ".cache", *root.glob(".site*")]:
            shutil.rmtree(leftover, ignore_errors=True)
        set_title(config, "Ancienne archive")
        assert run_build_py(config, "build").code == 0
        assert snapshot(root / "site") == old, "a clean build gives the reference site"
        set_title(config, "Nouvelle archive")

    old_site_in_place()
    duration = timed_build(config)  # the build to be killed, timed from start to end
    rng = random.Random(20231125)
    delays = [(i + rng.random()) / 8 * duration * 1.25 for i in range(8)]
    outcomes = []
    for delay in delays:
        old_site_in_place()
        code = kill_build_after(config, delay)
        site = snapshot(root / "site")
        state = "old" if site == old else "new" if site == new else None
        if state is None:
            extra, missing = sorted(set(site) - set(old)), sorted(set(old) - set(site))
            differing = sorted(p for p in set(site) & set(old) if site[p] != old[p] and site[p] != new.get(p))
            pytest.fail(f"killed after {delay:.3f} s of {duration:.3f} s: site/ is neither the old site nor "
                        f"the new one (extra {extra[:5]}, missing {missing[:5]}, mixed {differing[:5]})")
        assert_index_whole(root / "site")
        outcomes.append((round(delay, 3), "finished" if code is not None else "killed", state))
    # Whatever the kills left behind (spare folders, temporary folders), the next build completes.
    run = run_build_py(config, "build")
    assert run.code == 0, run.output
    assert snapshot(root / "site") == new
    print(f"build takes {duration:.2f} s; kills: {outcomes}")
    assert any(outcome == "killed" for _, outcome, _ in outcomes), outcomes


def test_atomic_writes_make_folders_and_step_round_a_leftover_temp_file(tmp_path: Path) -> None:
    """write_atomic names its temp file after the target and the process: a leftover of a
    killed run with that very name (the same pid, later) is stepped round, never written
    into or left behind by this write; a missing folder is made."""
    target = tmp_path / "a" / "b" / "note.md"
    fsutil.write_atomic(target, b"one", durable=False)
    leftover = target.parent / f".note.md.{os.getpid()}.tmp"
    leftover.write_bytes(b"half a file from a killed run")
    fsutil.write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert leftover.read_bytes() == b"half a file from a killed run"
    assert sorted(p.name for p in target.parent.iterdir()) == sorted([leftover.name, "note.md"])
    assert (target.stat().st_mode & 0o777) == (0o666 & ~fsutil._umask())


# --- SIGKILL during an import ---------------------------------------------------------------------

KILL_CORPUS = 300
EDIT = "\n\nUn paragraphe ajouté à la source après l'interruption.\n"


def debris(content: Path) -> list[str]:
    """What a killed import may leave that a clean one never does: temporary files, a journal."""
    return sorted(p.relative_to(content).as_posix() for p in content.rglob("*")
                  if p.name.endswith(".tmp") or p.name == ".imported.journal")


@pytest.fixture(scope="module")
def kill_corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str], list[str], dict[str, bytes]]:
    """(seeds folder, seed names in the order import writes their files, those files, the content
    of a clean import of the seeds once the ones edited by the tests are edited)."""
    sys.path.insert(0, str(BUILD_PY.parent))
    from bench.corpus import write_seeds
    root = tmp_path_factory.mktemp("kill")
    seeds = sorted(write_seeds(root / "seeds", KILL_CORPUS))
    config = create_project(root / "reference")
    shutil.copytree(root / "seeds", config.parent / "seeds")
    for index in edited_seeds():  # edits leave headlines, hence file names, as they were
        path = config.parent / "seeds" / seeds[index].name
        path.write_bytes(path.read_bytes() + EDIT.encode())
    report = import_seeds(load_config(config))
    assert not report.failed and len(report.created) == KILL_CORPUS
    written = list(report.created)  # in the order they were written: the seeds' order
    return root / "seeds", [p.name for p in seeds], written, snapshot(config.parent / "content")


DAY = dt.date(2026, 12, 6)
"""The day an import after a kill runs, for the `updated:` it records (tests/test_updates.py)."""


def with_updates(reference: dict[str, bytes], files: list[str]) -> dict[str, bytes]:
    """`reference` (content/, as a snapshot) with `updated: DAY` in `files` (their paths from the
    project), as an import rewriting them once published writes it, and the manifest to match."""
    expected = dict(reference)
    manifest = json.loads(expected[".imported.json"])
    for file in files:
        key = file.removeprefix("content/")
        text = with_updated(expected[key].decode("utf-8"), DAY.isoformat())
        expected[key] = text.encode("utf-8")
        manifest[re.search(r"^id: ['\"]?([0-9a-z]+)", text, re.MULTILINE).group(1)] = \
            hashlib.sha256(text.encode("utf-8")).hexdigest()
    expected[".imported.json"] = json.dumps(dict(sorted(manifest.items())), indent=1).encode() + b"\n"
    return expected


def edited_seeds() -> list[int]:
    """The first, a middle and the last seed written: each kill finds some written, some not."""
    return [0, KILL_CORPUS // 2, KILL_CORPUS - 1]


def kill_import_when(config: Path, appeared: Path) -> int | None:
    """Start `build.py import`, SIGKILL it (and its workers) as soon as `appeared` exists.
    Returns its exit status if it ended first, else None."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFINGS_")}
    process = subprocess.Popen([sys.executable, str(BUILD_PY), "--config", str(config), "import"],
                               cwd=config.parent, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    while not appeared.exists():  # the event, seen on the file system; no clock involved
        if process.poll() is not None:
            return process.returncode
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return None


@pytest.mark.parametrize("nth", [1, KILL_CORPUS // 2, KILL_CORPUS])
def test_sigkill_during_an_import_loses_no_later_seed_edit(tmp_path: Path, kill_corpus, nth: int) -> None:
    """An import of a few hundred seeds is killed when its nth content file appears; then seeds
    are edited and imported again. Every edit reaches its content file (none passes for a
    person's edit and is "kept"), no temporary file or journal is left in content/, and
    content/ is byte for byte what a clean import of the edited seeds gives, manifest included."""
    seeds, names, written, reference = kill_corpus
    config = create_project(tmp_path / "p")
    shutil.copytree(seeds, config.parent / "seeds")
    content = config.parent / "content"
    code = kill_import_when(config, config.parent / written[nth - 1])
    killed_with = sorted(p.name for p in content.rglob("*.md"))
    manifest_written = (content / ".imported.json").exists()
    assert code is None or code == 0, "the import failed on its own"
    for index in edited_seeds():
        path = config.parent / "seeds" / names[index]
        path.write_bytes(path.read_bytes() + EDIT.encode())

    report = import_seeds(load_config(config), today=DAY)

    assert not report.failed and not report.kept, [str(e) for e in report.failed] + report.kept
    assert debris(content) == []
    for index in edited_seeds():
        assert (config.parent / written[index]).read_text(encoding="utf-8").rstrip().endswith(
            "Un paragraphe ajouté à la source après l'interruption."), written[index]
    if code == 0:  # the import finished before the kill: its files were published, edits date them
        reference = with_updates(reference, [written[index] for index in edited_seeds()])
    assert snapshot(content) == reference
    # Where exactly the kill landed depends on the machine (the import may even finish first):
    # the moments that matter most are pinned down by the next test.
    print(f"killed at file {nth}: {'finished first' if code == 0 else 'killed'}, {len(killed_with)} files "
          f"written, manifest {'written' if manifest_written else 'not written'}; then {len(report.created)} "
          f"created, {len(report.updated)} updated, {len(report.unchanged)} unchanged")


KILL_AT = {
    # the second content file's temporary file is written, not yet renamed into place
    "before-rename": "real = os.replace\n"
                     "def replace(source, target, *rest):\n"
                     "    if str(target).endswith('.md'):\n"
                     "        calls.append(target)\n"
                     "        if len(calls) == 2:\n"
                     "            os.kill(os.getpid(), signal.SIGKILL)\n"
                     "    return real(source, target, *rest)\n"
                     "os.replace = replace\n",
    # the second content file is in place, nothing after it done
    "after-rename": "real = os.replace\n"
                    "def replace(source, target, *rest):\n"
                    "    real(source, target, *rest)\n"
                    "    if str(target).endswith('.md'):\n"
                    "        calls.append(target)\n"
                    "        if len(calls) == 2:\n"
                    "            os.kill(os.getpid(), signal.SIGKILL)\n"
                    "os.replace = replace\n",
    # every content file is in place, the manifest not written
    "before-manifest": "importer._write_manifest = lambda *args: os.kill(os.getpid(), signal.SIGKILL)\n",
}


@pytest.mark.parametrize("moment", KILL_AT)
def test_an_import_killed_at_the_worst_moments_is_mended_by_the_next(tmp_path: Path, moment: str) -> None:
    """Kills at the moments that matter, every time: a temporary file written but not renamed,
    a file renamed into place with nothing after it, every file written but not the manifest.
    Then each seed is edited and imported again: every edit reaches its file (before the
    journal, a file written by the killed run passed for a person's edit, "kept (edited)",
    until --force), no temporary file is left, and content/ is what a clean import gives."""
    config = create_project(tmp_path / "p", seeds=SEEDS)
    script = ("import os, signal, sys\n"
              f"sys.path.insert(0, {str(BUILD_PY.parent)!r})\n"
              "from briefings import importer\n"
              "calls = []\n" + KILL_AT[moment] +
              "from briefings.cli import main\n"
              f"sys.exit(main(['--config', {str(config)!r}, 'import']))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=config.parent,
                          timeout=60)
    assert done.returncode == -signal.SIGKILL, done.stderr
    content = config.parent / "content"
    left = debris(content)
    assert ".imported.journal" in left and not (content / ".imported.json").exists()
    assert any(name.endswith(".tmp") for name in left) == (moment == "before-rename"), left
    edited = {name: text + "\nUn ajout à la source.\n" for name, text in SEEDS.items()}
    for name, text in edited.items():
        write_file(config.parent / "seeds" / name, text)

    report = import_seeds(load_config(config))
    assert not report.failed and not report.kept and len(report.created) + len(report.updated) == 3, report
    assert debris(content) == []
    clean = create_project(tmp_path / "clean", seeds=edited)
    assert not import_seeds(load_config(clean)).failed
    assert snapshot(content) == snapshot(clean.parent / "content")
    # and a person's edit, made after all this, is kept as ever
    path = config.parent / report.updated[0]
    path.write_text(path.read_text(encoding="utf-8") + "\nNote du rédacteur.\n", encoding="utf-8")
    for name, text in edited.items():
        write_file(config.parent / "seeds" / name, text + "\nEncore.\n")
    again = import_seeds(load_config(config))
    assert again.kept == report.updated[:1] and len(again.updated) == 2


def test_a_killed_imports_temporary_files_are_removed_and_nobody_elses(tmp_path: Path) -> None:
    """Leftovers of write_atomic named after a process that is gone (or by mkstemp) are removed
    by the next import; files that only look alike, and the temporary file of a process
    still running, are left alone."""
    config = create_project(tmp_path / "p", seeds=SEEDS)
    assert not import_seeds(load_config(config)).failed
    content = config.parent / "content"
    folder = next(p.parent for p in content.rglob("*.md"))
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    running = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        ours = [folder / f".titre-numero-1.md.{gone}.tmp", folder / ".titre-numero-1.md.k3x_9qaz.tmp",
                content / f"..imported.json.{gone}.tmp"]
        theirs = [folder / f".titre-numero-1.md.{running.pid}.tmp", folder / "notes.md.tmp",
                  folder / ".titre-numero-1.md.swp", folder / f".photo.jpg.{gone}.tmp",
                  folder / "brouillon.md~", content / f".drafts/.x.md.{gone}.tmp"]
        for path in ours + theirs:
            write_file(path, b"half a file")
        report = import_seeds(load_config(config))
        assert not report.failed and not report.warnings
        assert [p for p in ours if p.exists()] == []
        assert [p for p in theirs if not p.exists()] == []
    finally:
        running.communicate(b"")


def test_a_leftover_that_cannot_be_removed_is_a_warning_beside_the_others(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A killed import's temporary file that cannot be removed (a read-only folder): named in a
    warning, beside the warnings about seeds/ (neither hides the other); the import goes on."""
    config = create_project(tmp_path / "p", seeds={**SEEDS, "notes.md": "notes\n"})
    assert not import_seeds(load_config(config)).failed
    folder = next((config.parent / "content").rglob("*.md")).parent
    leftover = write_file(folder / ".titre.md.k3x_9qaz.tmp", b"half a file")
    real = Path.unlink

    def unlink(self, *args, **kwargs):
        if self == leftover:
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(self, *args, **kwargs)
    monkeypatch.setattr(Path, "unlink", unlink)
    report = import_seeds(load_config(config))
    monkeypatch.undo()
    assert not report.failed and len(report.unchanged) == 3
    assert [str(w) for w in report.warnings] == [
        f"{leftover.relative_to(config.parent).as_posix()}: warning: cannot remove this temporary file of a "
        "killed import: Permission denied (delete it)",
        "seeds/notes.md: warning: not a `.txt` file, not imported (seeds are named NNN_<hex id>.txt; "
        "move other files out of seeds/)"]
