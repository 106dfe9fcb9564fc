"""`build.py import`: seeds/*.txt -> content/YYYY/MM/<slug>.md, idempotent, never overwriting edits."""
from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest

from fixtures.corpus import HOSTILE_TITLE, LIST_ITEMS, SUBHEADING, corpus, write_corpus
from helpers import REAL_SEED, REAL_SEED_ID, REAL_SLUG, create_project, run_build_py, snapshot, split_front_matter

REAL_CONTENT = f"content/2023/08/{REAL_SLUG}.md"


def summary(run) -> dict[str, int]:
    match = re.search(r"import: (\d+) seeds: (\d+) created, (\d+) updated, (\d+) unchanged, "
                      r"(\d+) kept \(edited\), (\d+) failed", run.stdout)
    assert match, run.output
    names = ("seeds", "created", "updated", "unchanged", "kept", "failed")
    return dict(zip(names, map(int, match.groups()), strict=True))


@pytest.fixture
def real(tmp_path: Path) -> Path:
    return create_project(tmp_path / "p", real_seed=True)


def test_real_seed_front_matter(real: Path) -> None:
    run = run_build_py(real, "import")
    assert run.code == 0, run.output
    assert summary(run) == dict(seeds=1, created=1, updated=0, unchanged=0, kept=0, failed=0)
    path = real.parent / REAL_CONTENT
    assert path.is_file()
    meta, body = split_front_matter(path)
    assert list(meta) == ["title", "date", "topics", "lang", "summary", "id", "source"]
    assert meta["title"] == ("Le dirigeant de la Corée du Nord, Kim Jong-un, a appelé sa nation à une "
                             "«intensification radicale» de sa production de missiles")
    assert meta["date"] == dt.date(2023, 8, 14)
    assert meta["topics"] == ["north-korea", "defence"]
    assert meta["lang"] == "fr"
    assert meta["id"] == REAL_SEED_ID
    assert meta["source"] == f"seeds/{REAL_SEED.name}"
    assert meta["summary"].startswith("Afin de s’assurer de la «puissance militaire écrasante»")
    assert len(meta["summary"]) <= 221
    assert "\n## Sommet à Washington\n" in body
    assert body.startswith("Afin de s’assurer")
    assert body.rstrip().endswith("nient fermement.")
    assert (real.parent / "content" / ".imported.json").is_file()


def test_corpus_files_and_front_matter(tmp_path: Path) -> None:
    config = create_project(tmp_path / "p")
    seeds = write_corpus(tmp_path / "p" / "seeds")
    run = run_build_py(config, "import")
    assert run.code == 0, run.output
    assert summary(run)["created"] == len(seeds)
    files = sorted((tmp_path / "p" / "content").rglob("*.md"))
    assert len(files) == len(seeds)
    by_id = {}
    for path in files:
        meta, body = split_front_matter(path)
        by_id[meta["id"]] = (path.relative_to(tmp_path / "p" / "content").as_posix(), meta, body)
    for seed in seeds:
        rel, meta, body = by_id[seed.id]
        assert meta["title"] == seed.shown_title
        assert str(meta["date"]) == seed.date, seed.file
        assert meta["lang"] == seed.lang, seed.file
        assert meta["topics"][0] == seed.topic, seed.file
        assert meta["source"] == f"seeds/{seed.file}"
        year, _, rest = seed.date.partition("-")
        month = rest[:2]
        if month:
            assert re.fullmatch(rf"{year}/{month}/[a-z0-9-]+\.md", rel), rel
        else:  # dated only by its year: no month folder to invent
            assert re.fullmatch(rf"{year}/[a-z0-9-]+\.md", rel), rel
    # The same headline in the same month gets two files, not one overwriting the other.
    slugs = sorted(p.stem for p in files if p.stem.startswith("la-chine-et-taiwan"))
    assert slugs == ["la-chine-et-taiwan-au-coeur-des-tensions-en-mer-de-chine",
                     "la-chine-et-taiwan-au-coeur-des-tensions-en-mer-de-chine-2"]


def test_seed_structure_becomes_markdown(tmp_path: Path) -> None:
    config = create_project(tmp_path / "p")
    seeds = write_corpus(tmp_path / "p" / "seeds")
    assert run_build_py(config, "import").code == 0
    texts = {split_front_matter(p)[0]["id"]: split_front_matter(p) for p in (tmp_path / "p" / "content").rglob("*.md")}
    listed = next(s for s in seeds if SUBHEADING in s.text)
    _, body = texts[listed.id]
    assert f"\n## {SUBHEADING}\n" in body
    assert "\n".join(f"- {item}" for item in LIST_ITEMS) in body
    hostile = next(s for s in seeds if s.title == HOSTILE_TITLE)
    meta, _ = texts[hostile.id]
    assert meta["title"] == HOSTILE_TITLE  # kept exactly; escaping is the renderer's job
    # Seed text is never read as Markdown: a link in a seed stays text.
    js = next(s for s in seeds if "javascript:" in s.text)
    _, body = texts[js.id]
    assert r"\[click\](javascript:alert(1))" in body


def test_reimport_is_unchanged_and_rewrites_nothing(real: Path) -> None:
    assert run_build_py(real, "import").code == 0
    path = real.parent / REAL_CONTENT
    before, mtime = snapshot(real.parent / "content"), path.stat().st_mtime_ns
    run = run_build_py(real, "import")
    assert run.code == 0, run.output
    assert summary(run) == dict(seeds=1, created=0, updated=0, unchanged=1, kept=0, failed=0)
    assert snapshot(real.parent / "content") == before
    assert path.stat().st_mtime_ns == mtime


def test_hand_edit_is_kept_then_force_regenerates(real: Path) -> None:
    assert run_build_py(real, "import").code == 0
    path = real.parent / REAL_CONTENT
    original = path.read_bytes()
    edited = (original.replace(b"topics: [north-korea, defence]", b"topics: [defence]")
              + "\nAjout du rédacteur.\n".encode())
    path.write_bytes(edited)

    run = run_build_py(real, "import")
    assert run.code == 0, run.output
    assert summary(run) == dict(seeds=1, created=0, updated=0, unchanged=0, kept=1, failed=0)
    assert path.read_bytes() == edited
    assert "1 kept (edited)" in run.stdout
    # Still kept the second time: the edit is remembered, not just noticed once.
    assert summary(run_build_py(real, "import"))["kept"] == 1
    assert path.read_bytes() == edited

    run = run_build_py(real, "import", "--force")
    assert run.code == 0, run.output
    assert summary(run)["updated"] == 1
    assert path.read_bytes() == original
    assert summary(run_build_py(real, "import"))["unchanged"] == 1


def test_changed_seed_updates_an_unedited_file(real: Path) -> None:
    assert run_build_py(real, "import").code == 0
    seed = real.parent / "seeds" / REAL_SEED.name
    seed.write_bytes(seed.read_bytes() + "\n\nUn paragraphe ajouté à la source.".encode())
    run = run_build_py(real, "import")
    assert summary(run)["updated"] == 1, run.output
    _, body = split_front_matter(real.parent / REAL_CONTENT)
    assert body.rstrip().endswith("Un paragraphe ajouté à la source.")
    assert len(list((real.parent / "content").rglob("*.md"))) == 1


def test_content_without_manifest_is_treated_as_edited(real: Path) -> None:
    """If import cannot prove a file is its own, it keeps it."""
    assert run_build_py(real, "import").code == 0
    path = real.parent / REAL_CONTENT
    path.write_bytes(path.read_bytes() + b"\nNote.\n")
    (real.parent / "content" / ".imported.json").unlink()
    run = run_build_py(real, "import")
    assert summary(run)["kept"] == 1
    assert path.read_bytes().endswith(b"\nNote.\n")


BAD_SEEDS = {
    "001_aaaa0001.txt": (b"", "file is empty"),
    "002_aaaa0002.txt": (b" date 2023-13 Titre.\n\nTexte.", "month 13"),
    "003_aaaa0003.txt": (b" date 2023-08\n\nTexte.", "no headline"),
    "004_aaaa0004.txt": (b" date 2023-08 Titre.\n\nTexte \xe9t\xe9.", "invalid UTF-8 at byte 28"),
    "notes.txt": (b" date 2023-08 Titre.\n\nTexte.", "file name does not carry an id"),
}


def test_bad_seeds_fail_with_reasons_and_good_ones_still_import(tmp_path: Path) -> None:
    config = create_project(tmp_path / "p", real_seed=True,
                            seeds={name: data for name, (data, _) in BAD_SEEDS.items()})
    run = run_build_py(config, "import")
    assert run.code == 1
    assert summary(run) == dict(seeds=6, created=1, updated=0, unchanged=0, kept=0, failed=5)
    for name, (_, message) in BAD_SEEDS.items():
        line = next((row for row in run.stderr.splitlines() if row.startswith(f"seeds/{name}")), None)
        assert line and message in line, (name, run.stderr)
        assert line.endswith(")"), "each failure says how to fix it"
    assert "Traceback" not in run.stderr
    assert (tmp_path / "p" / REAL_CONTENT).is_file()
    assert len(list((tmp_path / "p" / "content").rglob("*.md"))) == 1


def test_two_seeds_with_the_same_id(tmp_path: Path) -> None:
    config = create_project(tmp_path / "p", seeds={
        "001_beef.txt": " date 2023-08 Premier titre.\n\nTexte du premier.",
        "002_BEEF.txt": " date 2023-09 Second titre.\n\nTexte du second.",
    })
    run = run_build_py(config, "import")
    assert run.code == 1
    assert summary(run)["created"] == 1 and summary(run)["failed"] == 1
    assert "seeds/002_BEEF.txt: same id 'beef' as seeds/001_beef.txt" in run.stderr
    files = list((tmp_path / "p" / "content").rglob("*.md"))
    assert len(files) == 1 and split_front_matter(files[0])[0]["title"] == "Premier titre"


def test_import_with_no_seeds(tmp_path: Path) -> None:
    config = create_project(tmp_path / "p")
    run = run_build_py(config, "import")
    assert run.code == 0, run.output
    assert summary(run)["seeds"] == 0


def test_imported_corpus_is_stable(tmp_path: Path) -> None:
    """Two imports of the same seeds into two projects give byte-identical content."""
    outputs = []
    for name in ("a", "b"):
        config = create_project(tmp_path / name)
        write_corpus(tmp_path / name / "seeds")
        assert run_build_py(config, "import").code == 0
        outputs.append(snapshot(tmp_path / name / "content"))
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) == len(corpus()) + 1  # + .imported.json


# Seed text is plain text: whatever it contains, readers see exactly it, never Markdown effects.
VERBATIM = [
    "1. Premier point de la déclaration.",
    "10) Dix mesures ont été annoncées.",
    "2023. Une année difficile pour l'économie.",
    "R&D, AT&T, &amp; et &copy; 2023 ne sont pas des entités.",
    "Le prix : 5 * 3 = 15, soit 2*x.",
    "Les variables a_b_c et __init__ restent telles quelles.",
    "#hashtag en début de paragraphe.",
    "+ plus en début de paragraphe.",
    "- tiret seul suivi de texte, dans une phrase.",
    "> pas une citation.",
    "= pas un titre.",
    "<b>pas du gras</b> et <script>alert(1)</script>",
    "Le texte ~~barré~~ reste du texte.",
    "Une colonne | une autre | encore.",
    "[^1] n'est pas une note, [click](javascript:alert(1)) n'est pas un lien.",
    "![image](http://example.org/x.png) n'est pas une image.",
    "`code` et ``double`` restent du texte.",
    "Une barre oblique inverse \\ au milieu et à la fin \\",
    "www.example.org reste du texte et https://example.org devient un lien.",
]


@pytest.mark.parametrize("text", VERBATIM)
def test_seed_text_is_shown_verbatim(text: str) -> None:
    from briefings.importer import seed_markdown
    from briefings.markdown import to_html
    from briefings.seeds import Block
    from helpers import parse_html
    for block in (Block("paragraph", text, 3), Block("list", f"{text}\n{text}", 3)):
        document = parse_html(to_html(seed_markdown((block,))))
        shown = [e.clean_text() for e in document.find_all("p") + document.find_all("li")]
        assert shown and all(s == " ".join(text.split()) for s in shown), (block.kind, shown)
        assert not document.find_all("img") and not document.find_all("s")
        # the only links are bare URLs with a scheme, linked as they read
        assert all(a.attrs["href"] == a.clean_text() and a.attrs["href"].startswith("http")
                   for a in document.find_all("a")), (block.kind, document.find_all("a"))


def test_parallel_import_writes_what_one_process_writes(tmp_path: Path) -> None:
    """Seeds are converted on several cores; slugs, reports and files must not depend on it."""
    from briefings.config import load_config
    from briefings.importer import import_seeds

    results = []
    for jobs in (1, 3):
        config = create_project(tmp_path / f"p{jobs}")
        seeds = write_corpus(config.parent / "seeds")
        # a second seed with the first one's id, an empty seed and a misnamed one
        (config.parent / "seeds" / f"900_{seeds[0].id}.txt").write_text(seeds[1].text, encoding="utf-8")
        (config.parent / "seeds" / "901_abcdef12.txt").write_text("", encoding="utf-8")
        (config.parent / "seeds" / "not-a-seed.txt").write_text(" date 2024-01 Titre.\n\nTexte.\n")
        report = import_seeds(load_config(config), jobs=jobs)
        results.append((snapshot(config.parent / "content"), report))
    (one, one_report), (many, many_report) = results
    assert len(one) > len(corpus())  # the manifest and every content file
    assert many == one
    for name in ("created", "updated", "unchanged", "kept"):
        assert getattr(many_report, name) == getattr(one_report, name)
    assert [str(e) for e in many_report.failed] == [str(e) for e in one_report.failed]
    assert len(one_report.failed) == 3, one_report.failed


def test_every_file_import_skips_is_named_with_what_to_do(tmp_path: Path) -> None:
    """Nothing in seeds/ is left out without a word: a wrong-case extension, hidden files and
    folders, a link to a missing file, a link to a folder, other files; the seed beside them
    is imported, and `check` reports (and counts) the same warnings."""
    good = " date 2023-08 Un titre.\n\nLe texte du briefing.\n"
    config = create_project(tmp_path / "p", seeds={
        "001_aaaa0001.txt": good, "002_aaaa0002.TXT": good, ".003_aaaa0003.txt": good,
        ".drafts/004_aaaa0004.txt": good, "notes.md": "notes\n", "sub/005_aaaa0005.txt": good.replace("Un", "Autre")})
    seeds = tmp_path / "p" / "seeds"
    (seeds / "006_aaaa0006.txt").symlink_to(tmp_path / "gone.txt")
    (tmp_path / "elsewhere").mkdir()
    (seeds / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    os.mkfifo(seeds / "007_aaaa0007.txt")
    expected = [
        "seeds/.003_aaaa0003.txt: warning: hidden file, not imported (rename it without the leading dot "
        "to import it, or move it out of seeds/)",
        "seeds/.drafts: warning: hidden folder, not imported (",
        "seeds/002_aaaa0002.TXT: warning: not imported: the extension is `.TXT`, seed files end in "
        "lowercase `.txt` (rename it to 002_aaaa0002.txt)",
        "seeds/006_aaaa0006.txt: warning: a link to a missing file, not imported (point the link at a "
        "seed file, or remove it)",
        "seeds/007_aaaa0007.txt: warning: not a regular file, not imported (",
        "seeds/linked: warning: a link to a folder, not followed (move that folder's seeds into seeds/, "
        "or link each seed file)",
        "seeds/notes.md: warning: not a `.txt` file, not imported (seeds are named NNN_<hex id>.txt; "
        "move other files out of seeds/)",
    ]
    run = run_build_py(config, "import")
    assert run.code == 0, run.output
    assert summary(run) == dict(seeds=2, created=2, updated=0, unchanged=0, kept=0, failed=0)
    lines = run.stderr.splitlines()
    assert len(lines) == len(expected), run.stderr
    for line, start in zip(lines, expected, strict=True):
        assert line.startswith(start) and line.endswith(")"), (line, start)
    check = run_build_py(config, "check")
    assert check.code == 0, check.output
    assert [row for row in check.stderr.splitlines() if row.startswith("seeds/")] == lines
    assert "check: 0 errors, 7 warnings" in check.stdout
