"""Failures a user meets: a failed build keeps the old site, every problem is reported in one
run as `path:line: message (hint)` without a traceback, `check` writes nothing, and --help works."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from briefings.errors import printable
from briefings.text import clean_text
from helpers import BUILD_PY, REAL_SLUG, Run, create_project, run_build_py, snapshot, write_file

REAL_CONTENT = f"content/2023/08/{REAL_SLUG}.md"


def no_traceback(run: Run) -> None:
    assert "Traceback" not in run.output, run.output


@pytest.fixture
def built(new_project, build_py) -> Path:
    """A project with the real seed imported and built once; returns config.yaml's path."""
    config = new_project(real_seed=True)
    assert build_py(config, "import").code == 0
    run = build_py(config, "build")
    assert run.code == 0, run.output
    return config


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".site"))


# --- atomicity ----------------------------------------------------------------------------------

def test_template_syntax_error_keeps_the_previous_site(built: Path) -> None:
    root = built.parent
    before = snapshot(root / "site")
    assert before
    write_file(root / "templates" / "base.html",
               "<!DOCTYPE html>\n<html>\n<body>\n{% if %}\n{% block content %}{% endblock %}\n</body>\n</html>\n")
    run = run_build_py(built, "build")
    assert run.code == 1
    no_traceback(run)
    assert re.search(r"^templates/base\.html:4: template syntax error", run.stderr, re.M), run.stderr
    assert "build: failed with 1 error" in run.stderr
    assert snapshot(root / "site") == before
    assert leftovers(root) == []
    # Fixed, the next build succeeds and gives the same site as before: the failure poisoned nothing.
    (root / "templates" / "base.html").unlink()
    run = run_build_py(built, "build")
    assert run.code == 0, run.output
    assert snapshot(root / "site") == before


def test_template_runtime_error_keeps_the_previous_site(built: Path) -> None:
    root = built.parent
    before = snapshot(root / "site")
    write_file(root / "templates" / "briefing.html",
               '{% extends "base.html" %}\n{% block content %}\n<p>{{ briefing.title }}</p>\n'
               "<p>{{ 1 // 0 }}</p>\n{% endblock %}\n")
    run = run_build_py(built, "build")
    assert run.code == 1
    no_traceback(run)
    assert re.search(r"^templates/briefing\.html:4: .*ZeroDivisionError", run.stderr, re.M), run.stderr
    assert snapshot(root / "site") == before
    assert leftovers(root) == []
    (root / "templates" / "briefing.html").unlink()
    assert run_build_py(built, "build").code == 0
    assert snapshot(root / "site") == before


def test_template_override_is_used(built: Path) -> None:
    """The counterpart of the two tests above: a valid override does change the site."""
    root = built.parent
    write_file(root / "templates" / "404.html",
               '{% extends "base.html" %}\n{% block content %}<h1>Perdu</h1>{% endblock %}\n')
    run = run_build_py(built, "build")
    assert run.code == 0, run.output
    assert "<h1>Perdu</h1>" in (root / "site" / "404.html").read_text()


def test_bad_front_matter_in_two_files_reported_together(built: Path) -> None:
    root = built.parent
    before = snapshot(root / "site")
    write_file(root / "content" / "2023" / "09" / "a.md", "---\ntitle: A\ndate: 2023-13\n---\nTexte.\n")
    write_file(root / "content" / "2023" / "10" / "b.md",
               "---\ntitle: B\ndate: 2023-10\ntopics: defence\n---\nTexte.\n")
    write_file(root / "content" / "2023" / "11" / "c.md", "---\ntitle: C\ndate: 2023-11\n\nTexte.\n")
    run = run_build_py(built, "build")
    assert run.code == 1
    no_traceback(run)
    lines = run.stderr.splitlines()
    assert any(row.startswith("content/2023/09/a.md:3: bad date: month 13") for row in lines), run.stderr
    assert any(row.startswith("content/2023/10/b.md:4: `topics` must be a list") for row in lines), run.stderr
    assert any(row.startswith("content/2023/11/c.md:1: front matter is not closed") for row in lines), run.stderr
    assert "build: failed with 3 errors" in run.stderr
    assert snapshot(root / "site") == before


def test_impossible_date_in_front_matter_is_an_error_not_a_crash(built: Path) -> None:
    write_file(built.parent / "content" / "2023" / "02" / "x.md", "---\ntitle: X\ndate: 2023-02-30\n---\nTexte.\n")
    run = run_build_py(built, "build")
    assert run.code == 1
    no_traceback(run)
    assert "content/2023/02/x.md:3: bad date: day 30 does not exist in February 2023" in run.stderr


def test_python_tag_in_front_matter_never_runs(built: Path) -> None:
    marker = built.parent / "pwned"
    write_file(built.parent / "content" / "2023" / "02" / "x.md",
               f'---\ntitle: X\ndate: 2023-02\nx: !!python/object/apply:os.system ["touch {marker}"]\n---\nTexte.\n')
    for command in ("build", "check"):
        run = run_build_py(built, command)
        assert run.code == 1
        no_traceback(run)
        assert "content/2023/02/x.md:4: YAML tags are not allowed" in run.stderr
    assert not marker.exists()


def test_warnings_do_not_fail_the_build(built: Path) -> None:
    path = built.parent / REAL_CONTENT
    path.write_text(path.read_text().replace("lang: fr\n", "lang: fr\ntitel: x\n"), encoding="utf-8")
    run = run_build_py(built, "build")
    assert run.code == 0, run.output
    assert f"{REAL_CONTENT}:6: warning: unknown key `titel`, ignored (did you mean `title`?)" in run.stderr


def test_bad_config_is_reported_with_key_and_line(tmp_path: Path) -> None:
    text = (Path(__file__).resolve().parent.parent / "config.yaml").read_text()
    config = create_project(tmp_path / "p", text.replace("per_page: 20", "per_page: twenty"))
    line = next(i for i, row in enumerate(text.splitlines(), 1) if row.startswith("per_page:"))
    for command in ("import", "build", "check"):
        run = run_build_py(config, command)
        assert run.code == 1, command
        no_traceback(run)
        assert re.search(rf"config\.yaml:{line}: per_page: expected a whole number", run.stderr), run.stderr
    assert not (tmp_path / "p" / "site").exists()


def test_missing_config(tmp_path: Path) -> None:
    run = run_build_py(tmp_path / "nope.yaml", "build")
    assert run.code == 1
    no_traceback(run)
    assert "config file not found" in run.stderr


# --- check ------------------------------------------------------------------------------------

def test_check_on_a_good_project_writes_nothing(new_project, build_py) -> None:
    config = new_project(real_seed=True)
    root = config.parent
    assert build_py(config, "import").code == 0
    before = snapshot(root)
    run = build_py(config, "check")
    assert run.code == 0, run.output
    assert "check: 0 errors, 0 warnings" in run.stdout
    assert not (root / "site").exists()
    assert snapshot(root) == before
    # .cache/ holds what import made: the unpacked language model
    assert sorted(p.name for p in root.iterdir()) == [".cache", "config.yaml", "content", "seeds"]
    assert [p.name for p in (root / ".cache").iterdir()] == ["langid-model.pickle"]


def test_check_on_a_bad_project(new_project, build_py) -> None:
    config = new_project(
        real_seed=True,
        seeds={"001_aaaa.txt": b" date 2023-13 Titre.\n\nTexte."},
        content={"2023/09/a.md": "---\ntitle: A\ndate: 2023-13\n---\nTexte.\n"},
        templates={"topic.html": "{% for x in %}\n"})
    before = snapshot(config.parent)
    run = build_py(config, "check")
    assert run.code == 1
    no_traceback(run)
    assert "seeds/001_aaaa.txt:1: bad date: month 13" in run.stderr
    assert "content/2023/09/a.md:3: bad date: month 13" in run.stderr
    assert re.search(r"templates/topic\.html:1: template syntax error", run.stderr), run.stderr
    assert re.search(r"check: 3 errors", run.stdout + run.stderr)
    assert snapshot(config.parent) == before
    assert not (config.parent / "site").exists()


def test_check_after_a_build_leaves_the_site_alone(built: Path) -> None:
    before = snapshot(built.parent)
    run = run_build_py(built, "check")
    assert run.code == 0, run.output
    assert snapshot(built.parent) == before


def test_check_predicts_build_for_colliding_paths(new_project, build_py) -> None:
    config = new_project(content={
        "2021/12/a.md": "---\ntitle: A\ndate: 2021-12-05\n---\nTexte.\n",
        "2021/12.md": "---\ntitle: B\ndate: 2021\n---\nTexte.\n",
    })
    build, check = build_py(config, "build"), build_py(config, "check")
    assert build.code == check.code, (build.output, check.output)
    if build.code:
        assert "content/2021/12.md" in build.stderr


# --- help ---------------------------------------------------------------------------------------

def test_help_lists_the_commands() -> None:
    run = run_build_py(None, "--help")
    assert run.code == 0, run.output
    for command in ("import", "build", "check", "deploy"):
        assert re.search(rf"^\s+{command}\s", run.stdout, re.M), (command, run.stdout)
    assert "--config" in run.stdout


@pytest.mark.parametrize("command, options", [
    ("import", ["--force"]),
    ("build", ["--base-url", "--output", "--link-style", "--strict"]),
    ("check", []),
    ("deploy", ["--dry-run", "--remote", "--branch"]),
])
def test_each_command_has_help(command: str, options: list[str]) -> None:
    run = run_build_py(None, command, "--help")
    assert run.code == 0, run.output
    assert f"usage: build.py {command}" in run.stdout
    for option in options:
        assert option in run.stdout


def test_unknown_command_is_a_usage_error() -> None:
    run = run_build_py(None, "frobnicate")
    assert run.code == 2
    assert "invalid choice" in run.stderr


def test_base_url_from_the_environment_is_checked_and_named(tmp_path: Path) -> None:
    """BRIEFINGS_BASE_URL follows base_url's rule, and the error names the variable, not an option
    the user never typed; the password is not printed back."""
    config = create_project(tmp_path / "p", content={"2023/08/a.md": "---\ntitle: A\ndate: 2023-08\n---\nTexte.\n"})
    env = {**os.environ, "BRIEFINGS_BASE_URL": "https://editor:s3cret@example.org/"}
    done = subprocess.run([sys.executable, str(BUILD_PY), "--config", str(config), "build"], env=env,
                          capture_output=True, text=True, cwd=config.parent, timeout=60)
    assert done.returncode == 1
    assert done.stderr.startswith("BRIEFINGS_BASE_URL: 'https://…@example.org/' carries a user name or password"), \
        done.stderr
    assert "s3cret" not in done.stderr and "Traceback" not in done.stderr
    assert not (config.parent / "site").exists()


def test_what_content_drops_is_what_error_messages_escape() -> None:
    """One rule for unsafe characters: a character clean_text drops from content is one
    printable shows escaped in a message, and the other way round (the BOM included)."""
    for code in [*range(0x00, 0x110), *range(0x2000, 0x2070), 0xD800, 0xDFFF, 0xFEFF, 0xFFFE, 0xFFFF]:
        char = chr(code)
        if char in "\t\n\r":  # layout: kept in content (as a newline), a space in a message
            continue
        assert (clean_text(char) == "") == (printable(char) != char), hex(code)
    assert printable("a\ufeffb") == "a\\ufeffb"
