"""The search index as parts: what a reader can find is what a clean build gives, after any change.

Each test builds real sites (search on) and reads the index back as the search page
does: `pagefind/manifest.json`, then every part's records (Pagefind's fragments),
less the superseded ones. Part size and the hot part's limit are made small, so a
handful of briefings exercises the sealing rules that a large archive meets.
"""
from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from briefings import search
from briefings.config import load_config
from briefings.pipeline import build
from helpers import content_file, create_project, write_file

LANGS = {"fr": "Corée séisme {n} annoncé à Pyongyang.", "en": "Earthquake {n} reported near Seoul.",
         "ja": "東北地方で地震{n}が発生したと政府が発表した。"}


def briefing(n: int, lang: str, extra: str = "", date: str | None = None) -> str:
    text = LANGS[lang].format(n=n)
    return content_file({"title": f"Briefing {lang} {n}", "date": date or f"2023-{1 + n % 12:02d}-{1 + n % 28:02d}",
                         "lang": lang, "topics": ["defence"]}, f"{text} {extra}\n\n{text}")


def live_records(site: Path) -> dict[str, tuple[str, str]]:
    """URL -> (title, text) of every record a reader can find: every part's, less the superseded."""
    manifest = json.loads((site / "pagefind" / search.MANIFEST).read_text(encoding="utf-8"))
    superseded = set(manifest["superseded"])
    found: dict[str, tuple[str, str]] = {}
    for part in manifest["parts"]:
        bundle = site / "pagefind" / part["path"]
        assert (bundle / "pagefind-entry.json").is_file() and (bundle / "pagefind.js").is_file(), bundle
        for fragment in (bundle / "fragment").glob("*.pf_fragment"):
            data = gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd")
            record = json.loads(data)
            if fragment.stem in superseded:
                continue
            assert record["url"] not in found, f"{record['url']} found twice"
            found[record["url"]] = (record["meta"]["title"], record["content"])
    return found


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "PART_SIZE", 4)
    monkeypatch.setattr(search, "HOT_LIMIT", 2)


def _clean_copy(root: Path, target: Path) -> Path:
    shutil.copytree(root, target, ignore=shutil.ignore_patterns("site", ".cache"))
    return target / "config.yaml"


def _build(config_path: Path) -> Path:
    config = load_config(config_path)
    build(config, jobs=1)
    return config.site_dir


def test_every_change_leaves_the_records_a_clean_build_gives(tmp_path: Path, small_parts: None) -> None:
    content = {f"2023/{1 + n % 12:02d}/b-{lang}-{n}.md": briefing(n, lang) for n in range(9) for lang in ("fr", "en")}
    content.update({f"2023/03/b-ja-{n}.md": briefing(n, "ja", date="2023-03-0" + str(1 + n)) for n in range(3)})
    config = create_project(tmp_path / "p", content=content)
    root = config.parent
    files = sorted((root / "content").rglob("*.md"))
    steps = [
        ("edit one", lambda: files[0].write_text(files[0].read_text() + "\nMot zorglubique ajouté.\n")),
        ("add one", lambda: write_file(root / "content/2024/01/new.md", briefing(99, "fr", "nouveauté"))),
        ("remove one", lambda: files[3].unlink()),
        ("edit two more (past the hot limit: sealed again)",
         lambda: [f.write_text(f.read_text() + "\nEncore.\n") for f in files[5:8]]),
        ("redate one", lambda: files[9].write_text(files[9].read_text().replace("date: 2023", "date: 2021", 1))),
        ("nothing", lambda: None),
    ]
    seen = set()
    for number, (name, change) in enumerate(steps):
        change()
        site = _build(config)
        clean = _build(_clean_copy(root, tmp_path / f"clean-{number}"))
        assert live_records(site) == live_records(clean), name
        manifest = json.loads((site / "pagefind" / search.MANIFEST).read_text())
        seen.add(bool(manifest["superseded"]))
        assert {p["language"] for p in manifest["parts"]} == {"fr", "en", "ja"}
    assert seen == {True, False}, "the steps went through superseded records and a sealing"


def test_an_edit_reindexes_only_the_hot_part(tmp_path: Path, small_parts: None) -> None:
    content = {f"2023/{1 + n % 12:02d}/b-{n}.md": briefing(n, "fr") for n in range(12)}
    config = create_project(tmp_path / "p", content=content)
    site = _build(config)
    before = json.loads((site / "pagefind" / search.MANIFEST).read_text())
    sealed = {p["path"] for p in before["parts"]}
    assert len(sealed) == 3 and not before["superseded"]
    inode = {p: (site / "pagefind" / p / "pagefind-entry.json").stat().st_ino for p in sealed}
    edited = sorted((tmp_path / "p" / "content").rglob("*.md"))[0]
    edited.write_text(edited.read_text() + "\nMot zorglubique.\n")
    site = _build(config)
    after = json.loads((site / "pagefind" / search.MANIFEST).read_text())
    assert sealed < {p["path"] for p in after["parts"]}, "every sealed part kept"
    hot = [p for p in after["parts"] if "-hot-" in p["path"]]
    assert len(hot) == 1 and len(after["superseded"]) == 1
    assert {p: (site / "pagefind" / p / "pagefind-entry.json").stat().st_ino for p in sealed} == inode, \
        "the sealed parts are the same files, linked, not indexed again"
    assert any("zorglubique" in text for _, text in live_records(site).values())


def test_a_build_without_search_has_no_index_and_the_next_one_reuses_the_parts(tmp_path: Path) -> None:
    config = create_project(tmp_path / "p", content={"2023/01/a.md": briefing(1, "fr")})
    site = _build(config)
    parts = {p.name: p.stat().st_ino for p in (site / "pagefind" / "parts").iterdir()}
    build(load_config(config), jobs=1, search_index=False)
    assert not (site / "pagefind").exists()
    shutil.rmtree(site)
    site = _build(config)
    assert {p.name: p.stat().st_ino for p in (tmp_path / "p" / ".cache" / "search" / "parts").iterdir()} \
        .keys() == parts.keys(), "the parts came from .cache/, not indexed again"
    assert live_records(site)


def test_record_text_meta_and_filters(tmp_path: Path) -> None:
    body = "Un **texte** avec un [lien](https://example.org) & des <balises> Corée."
    config = create_project(tmp_path / "p", content={"2023/08/a.md": content_file(
        {"title": "Titre", "date": "2023-08-14", "lang": "fr", "topics": ["defence"]}, body)})
    site = _build(config)
    manifest = json.loads((site / "pagefind" / search.MANIFEST).read_text())
    bundle = site / "pagefind" / manifest["parts"][0]["path"]
    (fragment,) = (bundle / "fragment").glob("*.pf_fragment")
    record = json.loads(gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd"))
    assert record["url"] == "/2023/08/a/"  # the page path (the slug is the file name), from the site root
    assert record["content"] == "Un texte avec un lien & des <balises> Corée."
    assert record["meta"]["title"] == "Titre" and record["meta"]["date"] == "14 août 2023"
    assert record["filters"]["year"] == ["2023"] and record["filters"]["topic"] == ["Défense"]


def test_indexer_errors_are_clear_and_keep_the_last_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from briefings import indexer
    from briefings.errors import SiteErrors
    config = load_config(create_project(tmp_path / "p", content={"2023/01/a.md": briefing(1, "fr")}))
    build(config, jobs=1)
    before = live_records(config.site_dir)
    (tmp_path / "p" / "content" / "2023" / "01" / "b.md").write_text(briefing(2, "fr"))
    monkeypatch.setattr(indexer, "pagefind_binary", lambda: None)
    with pytest.raises(SiteErrors, match=r"not installed \(pip install 'pagefind\[extended\]'"):
        build(config, jobs=1)
    broken = tmp_path / "broken-pagefind"
    broken.write_text("#!/bin/sh\necho 'Error: something broke' >&2\nexit 3\n")
    broken.chmod(0o755)
    monkeypatch.setattr(indexer, "pagefind_binary", lambda: broken)
    with pytest.raises(SiteErrors, match="search indexer stopped unexpectedly: Error: something broke"):
        build(config, jobs=1)
    assert live_records(config.site_dir) == before, "the last site, and its index, as they were"
