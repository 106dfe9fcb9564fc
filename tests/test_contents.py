"""Tables of contents: a long briefing or page (three headings or more) lists its sections
above its text, each with those just below it, linked by their ids; `toc: true` asks for one
whatever the number, `toc: false` for none. The list is headed in the interface language."""
from __future__ import annotations

from pathlib import Path

from helpers import content_file, create_project, parse_html, run_build_py

LONG = ("Introduction.\n\n## Contexte régional\n\nTexte.\n\n### Les acteurs\n\nTexte.\n\n### Les enjeux\n\n"
        "Texte.\n\n#### Un détail\n\nTexte.\n\n## Bilan humain\n\nTexte.\n\n"
        "## Perspectives *à moyen terme*\n\nTexte.\n")
SHORT = "Introduction.\n\n## Contexte\n\nTexte.\n\n## Bilan\n\nTexte.\n"


def _contents(site: Path, page: str) -> list[tuple[str, str, list[tuple[str, str]]]] | None:
    """The table of contents of a page as (link, text, [(link, text) below it]), None without one."""
    navs = [nav for nav in parse_html(site / page).find_all("nav") if "toc" in nav.classes]
    if not navs:
        return None
    top = [li for li in navs[0].find("ol").children if li.tag == "li"]
    return [(li.find("a").attrs["href"], li.find("a").clean_text(),
             [(a.attrs["href"], a.clean_text()) for a in li.find_all("a")[1:]]) for li in top]


def test_a_long_briefing_lists_its_sections_linked_to_their_headings(tmp_path: Path) -> None:
    config = create_project(tmp_path / "p", content={
        "2024/05/long.md": content_file({"title": "Analyse", "date": "2024-05-03"}, LONG),
        "2024/05/court.md": content_file({"title": "Court", "date": "2024-05-04"}, SHORT),
        "2024/05/demande.md": content_file({"title": "Demandé", "date": "2024-05-05", "toc": True}, SHORT),
        "2024/05/refuse.md": content_file({"title": "Refusé", "date": "2024-05-06", "toc": False}, LONG),
        "pages/methode.md": content_file({"title": "Méthode"}, LONG),
    })
    run = run_build_py(config, "build", "--no-search")
    assert run.code == 0, run.output
    site = config.parent / "site"
    expected = [("#contexte-regional", "Contexte régional", [("#les-acteurs", "Les acteurs"),
                                                            ("#les-enjeux", "Les enjeux")]),
                ("#bilan-humain", "Bilan humain", []),
                ("#perspectives-a-moyen-terme", "Perspectives à moyen terme", [])]
    assert _contents(site, "2024/05/long/index.html") == expected
    assert _contents(site, "methode/index.html") == expected
    assert _contents(site, "2024/05/court/index.html") is None
    assert _contents(site, "2024/05/demande/index.html") == [("#contexte", "Contexte", []), ("#bilan", "Bilan", [])]
    assert _contents(site, "2024/05/refuse/index.html") is None
    page = parse_html(site / "2024/05/long/index.html")
    ids = {e.attrs["id"] for e in page.find_all() if "id" in e.attrs}
    assert {"contexte-regional", "les-acteurs", "les-enjeux", "bilan-humain", "perspectives-a-moyen-terme"} <= ids
    title = page.find("nav", "toc").find("h2")
    assert (title.attrs["id"], title.text) == ("toc-title", "Sommaire")


def test_the_heading_is_in_the_interface_language_and_the_entries_in_the_briefings(tmp_path: Path) -> None:
    body = "مقدمة.\n\n## السياق\n\nنص.\n\n## الحصيلة\n\nنص.\n\n## Toc title\n\nنص.\n"
    config = create_project(tmp_path / "p", content={
        "2024/05/ar.md": content_file({"title": "تحليل", "date": "2024-05-03", "lang": "ar"}, body)})
    assert run_build_py(config, "build", "--no-search").code == 0
    page = parse_html(config.parent / "site" / "2024/05/ar/index.html")
    title = page.find("nav", "toc").find("h2")
    assert (title.attrs.get("lang"), title.attrs.get("dir"), title.text) == ("fr", "ltr", "Sommaire")
    assert [a.attrs["href"] for a in page.find("nav", "toc").find_all("a")] == [
        "#lsyq", "#lhsylh", "#toc-title-2"], "a heading never takes the theme's own id"


def test_toc_that_is_not_true_or_false_is_an_error_at_its_line(tmp_path: Path) -> None:
    config = create_project(tmp_path / "p", content={
        "2024/05/x.md": content_file({"title": "X", "date": "2024-05-03", "toc": "oui"}, LONG)})
    run = run_build_py(config, "build", "--no-search")
    assert run.code == 1
    assert "content/2024/05/x.md:4: `toc` must be true or false (write `toc: true`, `toc: false`, or remove the line)" \
        in run.stderr.splitlines(), run.stderr
