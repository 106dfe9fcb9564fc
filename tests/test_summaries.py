"""Summaries as a reader sees them: plain text (no Markdown), cut at a sentence end, boxed
above the text only when they add something, ended by `<!--more-->`, and the same in the
meta description, Open Graph and JSON-LD. Built with build.py into tmp_path folders."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from helpers import REAL_SLUG, content_file, create_project, parse_html, run_build_py, snapshot, write_file

LINKED = ("Le [ministère](https://example.org/m) a publié une ![Carte des zones](carte.png) carte "
          "*inédite* des **zones** touchées, avec `trois` niveaux.")
LONG = " ".join(["Première phrase assez longue pour remplir la ligne et un peu plus encore."] * 2
                + ["Troisième phrase qui dépasse sans aucun doute la limite de deux cent vingt caractères."] * 2)
HINDI = " ".join(["दिल्ली में आज बैठक हुई और कई फैसले लिए गए।"] * 8)


def _file(title: str, body: str, **meta: str) -> str:
    return content_file({"title": title, "date": "2024-03-05", "topics": ["general"], **meta}, body)


CONTENT = {
    "2024/03/lien.md": _file("Lien", f"{LINKED}\n\nDeuxième paragraphe."),
    "2024/03/ecrit.md": _file("Écrit", "Le texte commence ici.", summary="Ce que l’éditeur a écrit."),
    "2024/03/suite.md": _file("Suite", "Premier paragraphe.\n\nSecond paragraphe.\n\n<!--more-->\n\n"
                              "Troisième, hors du résumé."),
    "2024/03/milieu.md": _file("Milieu", "Avant la marque. <!--more--> Après la marque."),
    "2024/03/long.md": _file("Long", LONG),
    "2024/03/hindi.md": _file("Hindi", HINDI, lang="hi"),
    "2024/03/carte.png": "",  # the image `lien.md` shows: a missing one is an error (tests/test_media.py)
}


def _build(root: Path, content: dict[str, str] | None = None, *args: str) -> Path:
    config = create_project(root, {"base_url": "https://example.org/b/"}, content=content)
    run = run_build_py(config, "build", "--no-search", *args)
    assert run.code == 0, run.output
    return root / "site"


def _page(site: Path, slug: str):
    return parse_html(site / "2024" / "03" / slug / "index.html")


def _described(document) -> dict[str, str]:
    """Every description a page gives: meta, Open Graph, Twitter and JSON-LD."""
    meta = {e.attrs.get("name") or e.attrs.get("property"): e.attrs.get("content", "")
            for e in document.find_all("meta")}
    ld = json.loads(next(s.text for s in document.find_all("script")
                         if s.attrs.get("type") == "application/ld+json"))
    return {"meta": meta["description"], "og": meta["og:description"],
            "twitter": meta["twitter:description"], "ld": ld["description"]}


def _box(document) -> str | None:
    boxes = document.find("article").find_all("p", "summary")
    return boxes[0].clean_text() if boxes else None


def test_summaries(tmp_path: Path) -> None:
    site = _build(tmp_path / "p", CONTENT)

    linked = _page(site, "lien")
    plain = "Le ministère a publié une carte inédite des zones touchées, avec trois niveaux. Deuxième paragraphe."
    assert set(_described(linked).values()) == {plain}  # no `[`, `](`, `!`, `*` or backticks
    assert _box(linked) is None  # it is how the text begins: shown once, not twice

    written = _page(site, "ecrit")
    assert _box(written) == "Ce que l’éditeur a écrit."
    assert set(_described(written).values()) == {"Ce que l’éditeur a écrit."}

    more = _page(site, "suite")
    assert set(_described(more).values()) == {"Premier paragraphe. Second paragraphe."}
    assert _box(more) is None
    body = more.find("div", "body")
    assert "more" not in body.clean_text() and "<!--" not in (site / "2024/03/suite/index.html").read_text()
    assert [p.clean_text() for p in body.find_all("p")] == [
        "Premier paragraphe.", "Second paragraphe.", "Troisième, hors du résumé."]

    middle = _page(site, "milieu")
    assert _described(middle)["meta"] == "Avant la marque."
    assert middle.find("div", "body").clean_text() == "Avant la marque. Après la marque."

    long = _described(_page(site, "long"))["meta"]
    assert long == " ".join(["Première phrase assez longue pour remplir la ligne et un peu plus encore."] * 2)
    hindi = _described(_page(site, "hindi"))["meta"]
    assert hindi.endswith("।") and len(hindi) <= 220 and HINDI.startswith(hindi)

    listed = {a.clean_text(): li.find("p", "item-summary").clean_text()
              for li in parse_html(site / "2024/03/index.html").find_all("li")
              for a in li.find_all("a")[:1] if li.find_all("p", "item-summary")}
    assert listed["Lien"] == plain and listed["Suite"] == "Premier paragraphe. Second paragraphe."


def test_imported_summary_is_not_shown_twice(tmp_path: Path) -> None:
    config = create_project(tmp_path / "p", real_seed=True)
    assert run_build_py(config, "import").code == 0
    assert run_build_py(config, "build", "--no-search").code == 0
    page = parse_html(tmp_path / "p/site/2023/08" / REAL_SLUG / "index.html")
    assert _box(page) is None
    assert _described(page)["meta"].startswith("Afin de s’assurer de la «puissance militaire écrasante»")


def test_incremental_build_after_summary_changes_equals_clean_build(tmp_path: Path) -> None:
    root = tmp_path / "p"
    _build(root, CONTENT)
    edits = [("2024/03/lien.md", _file("Lien", f"{LINKED}\n\nDeuxième paragraphe.", summary="Écrit à la main.")),
             ("2024/03/ecrit.md", _file("Écrit", "Le texte commence ici.")),
             ("2024/03/long.md", _file("Long", f"Court.\n\n<!--more-->\n\n{LONG}")),
             ("2024/03/suite.md", _file("Suite", "Premier paragraphe.\n\nSecond paragraphe."))]
    for number, (name, text) in enumerate(edits):
        write_file(root / "content" / name, text)
        incremental = _build(root)
        clean_root = tmp_path / f"clean{number}"
        shutil.copytree(root / "content", clean_root / "content")
        clean = _build(clean_root)
        assert snapshot(incremental) == snapshot(clean), name
    assert _box(_page(incremental, "lien")) == "Écrit à la main."
    assert _box(_page(incremental, "ecrit")) is None
    assert _described(_page(incremental, "long"))["meta"] == "Court."
