"""`build.py new "Headline"`: a new briefing's content file, placed and named as import places a
seed's, written as a draft, printed, and never written over. Real projects in tmp_path; the
day is set with BRIEFINGS_TODAY, the clock the build uses."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from helpers import BUILD_PY, Run, create_project, parse_html, run_build_py, snapshot, split_front_matter, write_file


def _new(config: Path, *args: str, today: str = "2026-12-06") -> Run:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFINGS_")}
    env["BRIEFINGS_TODAY"] = today
    done = subprocess.run([sys.executable, str(BUILD_PY), "--config", str(config), "new", *args],
                          capture_output=True, text=True, env=env, cwd=config.parent, timeout=60)
    return Run(done.returncode, done.stdout, done.stderr)


def test_new_writes_a_draft_where_import_would(tmp_path: Path) -> None:
    config = create_project(tmp_path / "p")
    run = _new(config, "Sommet à Genève sur l'Ukraine.")
    assert run.code == 0, run.output
    assert run.stdout.strip() == "content/2026/12/sommet-a-geneve-sur-l-ukraine.md"
    meta, body = split_front_matter(tmp_path / "p" / run.stdout.strip())
    assert meta == {"title": "Sommet à Genève sur l'Ukraine", "date": dt.date(2026, 12, 6),
                    "topics": ["ukraine"], "lang": "fr", "draft": True}  # topics: import's rules
    assert body.strip()
    build = run_build_py(config, "build", "--no-search")
    assert build.code == 0, build.output
    assert not (tmp_path / "p/site/2026/12/sommet-a-geneve-sur-l-ukraine").exists(), "a draft is not published"
    path = tmp_path / "p" / run.stdout.strip()
    path.write_text(path.read_text(encoding="utf-8").replace("draft: true\n", ""), encoding="utf-8")
    assert run_build_py(config, "build", "--no-search").code == 0
    page = parse_html(tmp_path / "p/site/2026/12/sommet-a-geneve-sur-l-ukraine/index.html")
    assert page.find("h1").clean_text() == "Sommet à Genève sur l'Ukraine"


def test_new_uses_the_options_and_the_same_path_as_import(tmp_path: Path) -> None:
    headline = "Северная Корея запустила ракету."
    seed = f" date 2024-02 {headline}\n\nТекст.\n"
    imported = create_project(tmp_path / "imported", seeds={"001_abcdef0123456789.txt": seed})
    assert run_build_py(imported, "import").code == 0
    [seed_file] = (tmp_path / "imported/content").rglob("*.md")
    config = create_project(tmp_path / "p")
    run = _new(config, headline, "--date", "2024-02", "--topic", "defence", "--topic", "north-korea",
               "--lang", "ru", "--author", "Ирина  Петрова", "--author", "Jean Martin", "--author", "Jean Martin")
    assert run.code == 0, run.output
    assert run.stdout.strip() == seed_file.relative_to(tmp_path / "imported").as_posix()
    meta, _ = split_front_matter(tmp_path / "p" / run.stdout.strip())
    assert (meta["date"], meta["topics"], meta["lang"]) == ("2024-02", ["defence", "north-korea"], "ru")
    assert meta["authors"] == ["Ирина Петрова", "Jean Martin"]
    assert "authors" not in split_front_matter(tmp_path / "p" / _new(config, "Sans auteur").stdout.strip())[0]


def test_new_never_overwrites(tmp_path: Path) -> None:
    config = create_project(tmp_path / "p")
    edited = write_file(tmp_path / "p/content/2026/12/point-de-situation.md", "edited by hand")
    first = _new(config, "Point de situation")
    second = _new(config, "Point de situation")
    assert first.stdout.strip() == "content/2026/12/point-de-situation-2.md"
    assert second.stdout.strip() == "content/2026/12/point-de-situation-3.md"
    assert edited.read_text() == "edited by hand"
    assert split_front_matter(tmp_path / "p" / first.stdout.strip())[0]["title"] == "Point de situation"


def test_new_reports_every_wrong_option_and_writes_nothing(tmp_path: Path) -> None:
    config = create_project(tmp_path / "p", content={"2024/03/a.md": "---\ntitle: A\ndate: 2024-03-01\n---\nA.\n"})
    before = snapshot(tmp_path / "p")
    run = _new(config, "\u200b", "--date", "2024-13", "--topic", "defense", "--lang", "x y", "--author", " \u200b ")
    assert run.code == 1
    lines = run.stderr.splitlines()
    assert lines[:5] == [
        'headline: the headline has no visible character, only U+200B ZERO WIDTH SPACE '
        '(write e.g. build.py new "Sommet à Genève")',
        "--date: month 13 does not exist in '2024-13'; months run from 01 to 12 (e.g. --date 2024-03-05)",
        "--topic: unknown topic 'defense' (did you mean 'defence'?)",
        "--lang: 'x y' is not a language code (write e.g. --lang fr or --lang en)",
        "--author: ' \\u200b ' is not a name (write e.g. --author \"Marie Dupont\")"]
    assert "Traceback" not in run.output and snapshot(tmp_path / "p") == before
