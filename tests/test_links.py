"""Links between briefings by their content files: `[le voisin](../01/voisin.md)` leads to that
briefing's page, wherever its date and slug put it, on every host and in feeds; a link to no
content file is an error at its line, one to an unpublished briefing a warning; incremental
builds follow a target that moves or goes, and equal a clean build. Headings get ids, so a
link may lead to a section (checked in Chromium).
"""
from __future__ import annotations

import json
from pathlib import Path

from browser import launch_browser
from helpers import BASE_URL, content_file, create_project, parse_html, rebuilt_equals_clean, resolve, run_build_py
from sitecrawl import SiteServer

SOURCE = "content/2024/05/seisme.md"
PAGE = "2024/05/seisme-au-large/index.html"
TARGET_PAGE = "2023/01/le-voisin/index.html"
BODY = """Un séisme a frappé la côte ce matin.

Voir [le voisin](../../2023/01/voisin.md#suite), [depuis la racine](/2023/01/voisin.md)
et [la page À propos](../../pages/about.md).
"""


def link_project(root: Path, body: str = BODY) -> Path:
    return create_project(root, {"feeds": {"full_content": True}}, content={
        "2024/05/seisme.md": content_file({"title": "Séisme au large", "date": "2024-05-03",
                                          "slug": "seisme-au-large"}, body),
        "2023/01/voisin.md": content_file({"title": "Le voisin", "date": "2023-01-02", "slug": "le-voisin"}),
        "pages/about.md": content_file({"title": "À propos"}, "Qui nous sommes. [Accueil](../)"),
    })


def _body_links(site: Path, page: str = PAGE) -> list[str]:
    return [e.attrs["href"] for e in parse_html(site / page).find("div", "body").find_all("a")]


def test_a_link_to_a_content_file_leads_to_its_page_on_every_host_and_in_feeds(tmp_path: Path) -> None:
    config = link_project(tmp_path / "project")
    for style in ("pretty", "files"):
        site = tmp_path / style
        run = run_build_py(config, "build", "--no-search", "--link-style", style, "--output", str(site))
        assert run.code == 0, run.output
        index = "index.html" if style == "files" else ""
        hrefs = _body_links(site)
        assert hrefs == [f"../../../2023/01/le-voisin/{index}#suite", f"../../../2023/01/le-voisin/{index}",
                         f"../../../about/{index}"], hrefs
        for href in hrefs:
            target = resolve(site, PAGE, href)
            assert target is not None and target.is_file(), href
        assert not list(site.rglob("*.md")), "a content file is never published as a file"
    items = json.loads((site / "feed.json").read_text(encoding="utf-8"))["items"]
    feed_body = parse_html([i["content_html"] for i in items if "Séisme" in i["title"]][0])
    assert [e.attrs["href"] for e in feed_body.find_all("a")] == [
        BASE_URL + "2023/01/le-voisin/#suite", BASE_URL + "2023/01/le-voisin/", BASE_URL + "about/"]


def test_a_link_to_no_content_file_is_an_error_at_its_line(tmp_path: Path) -> None:
    config = link_project(tmp_path / "project", body="Un texte.\n\nVoir [le voisin](../../2023/01/voison.md).\n")
    run = run_build_py(config, "build", "--no-search")
    assert run.code == 1
    assert (f"{SOURCE}:8: link `../../2023/01/voison.md`: there is no content/2023/01/voison.md (fix the file "
            "name: a link to another briefing names its content file)") in run.stderr, run.stderr
    assert not (config.parent / "site").exists()
    # the file appearing makes the build pass: the linking file is read again
    (config.parent / "content/2023/01/voison.md").write_text(
        content_file({"title": "Le voison", "date": "2023-01-05"}), encoding="utf-8")
    run = run_build_py(config, "build", "--no-search")
    assert run.code == 0, run.output
    assert _body_links(config.parent / "site") == ["../../../2023/01/voison/"]


def test_a_link_to_a_draft_is_a_warning_and_left_as_written(tmp_path: Path) -> None:
    config = link_project(tmp_path / "project")
    voisin = config.parent / "content/2023/01/voisin.md"
    voisin.write_text(content_file({"title": "Le voisin", "date": "2023-01-02", "draft": True}), encoding="utf-8")
    run = run_build_py(config, "build", "--no-search")
    assert run.code == 0, run.output
    assert (f"{SOURCE}:8: warning: link `../../2023/01/voisin.md`: content/2023/01/voisin.md is not "
            "published (a draft, or dated later) (the link works once it is published)") in run.stderr, run.stderr
    assert _body_links(config.parent / "site")[0] == "../../2023/01/voisin.md#suite"


def test_incremental_builds_follow_a_target_that_moves_or_goes(tmp_path: Path) -> None:
    """The target's slug, then its date change (its page moves), then it becomes a draft:
    each incremental build equals a clean build, and the linking page follows."""
    config = link_project(tmp_path / "project")
    root = config.parent
    assert run_build_py(config, "build", "--no-search").code == 0

    voisin = root / "content/2023/01/voisin.md"
    voisin.write_text(content_file({"title": "Le voisin", "date": "2023-01-02", "slug": "autre-nom"}),
                      encoding="utf-8")
    site = rebuilt_equals_clean(config, tmp_path / "clean")
    assert 'href="../../../2023/01/autre-nom/#suite"' in site[PAGE].decode()
    voisin.write_text(content_file({"title": "Le voisin", "date": "2022-11-30", "slug": "autre-nom"}),
                      encoding="utf-8")
    site = rebuilt_equals_clean(config, tmp_path / "clean")
    assert 'href="../../../2022/11/autre-nom/#suite"' in site[PAGE].decode()
    assert json.loads(site["feed.json"])["items"][0]["content_html"].count(BASE_URL + "2022/11/autre-nom/") == 2
    voisin.write_text(content_file({"title": "Le voisin", "date": "2022-11-30", "draft": True}), encoding="utf-8")
    site = rebuilt_equals_clean(config, tmp_path / "clean")
    assert 'href="../../2023/01/voisin.md#suite"' in site[PAGE].decode()


def test_headings_get_ids_that_links_to_a_section_land_on(tmp_path: Path) -> None:
    """`## Bilan humain` is `<h2 id="bilan-humain">`, unique in the page (not one of the theme's
    ids or the footnotes'); a link to `voisin.md#bilan-humain` opens the page at that heading,
    and one to a section the page has not is a warning."""
    filler = "\n\n".join(f"Paragraphe {n} du texte, assez long pour remplir l'écran." for n in range(40))
    body = (f"{filler}\n\n## Bilan humain\n\nDes victimes.\n\n## Bilan *humain*\n\nEncore.[^1]\n\n"
            "## Main\n\n## 北朝鲜の反応\n\n## fn1\n\n[^1]: Une note.")
    config = create_project(tmp_path / "project", content={
        "2023/01/voisin.md": content_file({"title": "Le voisin", "date": "2023-01-02"}, body),
        "2024/05/seisme.md": content_file({"title": "Séisme", "date": "2024-05-03"},
                                          "Voir [le bilan](../../2023/01/voisin.md#bilan-humain), "
                                          "[la note](../../2023/01/voisin.md#fn1)\n"
                                          "et [le total](../../2023/01/voisin.md#bilan)."),
    })
    run = run_build_py(config, "build", "--no-search")
    assert run.code == 0, run.output
    # a section the target has not is a warning naming those it has; a footnote's id is there
    assert [line for line in run.stderr.splitlines() if "section" in line] == [
        "content/2024/05/seisme.md:6: warning: link `../../2023/01/voisin.md#bilan`: content/2023/01/voisin.md "
        "has no section `bilan` (its sections are: bilan-humain, bilan-humain-2, main-2, "
        "bei-chao-xian-no-fan-ying, fn1-2)"], run.stderr
    site = config.parent / "site"
    page = parse_html(site / "2023/01/voisin/index.html")
    headings = [(e.attrs.get("id"), e.text) for e in page.find("div", "body").find_all() if e.tag in ("h2", "h3")]
    assert headings == [("bilan-humain", "Bilan humain"), ("bilan-humain-2", "Bilan humain"), ("main-2", "Main"),
                        ("bei-chao-xian-no-fan-ying", "北朝鲜の反応"), ("fn1-2", "fn1")], headings
    ids = [e.attrs["id"] for e in page.find_all() if "id" in e.attrs]
    assert len(ids) == len(set(ids)), sorted(ids)
    with SiteServer(site, "/REPO/") as server, launch_browser() as browser:
        tab = browser.new_page(viewport={"width": 1000, "height": 700})
        tab.goto(server.base_url + "2024/05/seisme/")
        tab.click(".body a")
        tab.wait_for_url("**/2023/01/voisin/#bilan-humain")
        assert tab.evaluate("document.querySelector(':target').textContent") == "Bilan humain"
        top = tab.evaluate("document.querySelector(':target').getBoundingClientRect().top")
        assert -5 < top < 100, f"the heading is at {top} px, not at the top of the window"


def test_a_link_to_no_page_of_the_site_is_a_warning_at_its_line(tmp_path: Path) -> None:
    """Links by URL are checked against every file of the site: pages (a briefing's, a listing's,
    a feed), static files and media. One that leads nowhere is a warning at its line, and is
    written as it would be anyway."""
    body = ("Le [voisin](../../../2023/01/le-voisin/#suite), l'[accueil](/), les [sujets](/topics/),\n"
            "le [flux](/feed.xml), le [style](/static/style.css) et [À propos](../../../about/index.html).\n\n"
            "Mais [ce lien](../../../2023/01/le-voisn/) et [celui-ci](/topiques/) mènent nulle part.\n")
    config = link_project(tmp_path / "project", body=body)
    run = run_build_py(config, "build", "--no-search")
    assert run.code == 0, run.output
    warnings = [line for line in run.stderr.splitlines() if "leads to no page" in line]
    hint = "(fix the link, or name another briefing by its content file: `../01/voisin.md`)"
    assert warnings == [
        f"{SOURCE}:9: warning: link `../../../2023/01/le-voisn/` leads to no page of the site "
        f"(2023/01/le-voisn/index.html) {hint}",
        f"{SOURCE}:9: warning: link `/topiques/` leads to no page of the site (topiques/index.html) {hint}"], run.stderr
    assert _body_links(config.parent / "site")[-2:] == ["../../../2023/01/le-voisn/", "../../../topiques/"]


def test_a_link_to_a_section_of_its_own_page_is_checked(tmp_path: Path) -> None:
    """`[plus bas](#bilan)` needs a heading `bilan` on the page (or a footnote's or the theme's
    id); otherwise it is a warning at its line naming the sections there are, in a briefing
    and in a page without a date alike, and the link is written as it is."""
    body = ("Voir [le bilan](#bilan), [la note](#fn1), [le haut](#main) et [rien](#bilan-final).\n\n"
            "## Bilan\n\nTexte.[^1]\n\n[^1]: Une note.\n")
    config = create_project(tmp_path / "project", content={
        "2024/05/seisme.md": content_file({"title": "Séisme", "date": "2024-05-03"}, body),
        "pages/about.md": content_file({"title": "À propos"}, "Lire [la suite](#suite)."),
    })
    run = run_build_py(config, "build", "--no-search")
    assert run.code == 0, run.output
    assert [line for line in run.stderr.splitlines() if "no section" in line] == [
        "content/2024/05/seisme.md:5: warning: link `#bilan-final` leads to no section of this page "
        "(its sections are: bilan)",
        "content/pages/about.md:4: warning: link `#suite` leads to no section of this page "
        "(it has no headings: add one, or fix the link)"], run.stderr
    site = config.parent / "site"
    assert _body_links(site, "2024/05/seisme/index.html")[:4] == ["#bilan", "#fn1", "#main", "#bilan-final"]


def test_an_image_from_the_root_that_is_no_file_of_the_site_is_a_warning(tmp_path: Path) -> None:
    """`![logo](/static/favicon.svg)` is the theme's file; `/static/absent.png` and
    `/2024/05/absente.png` are no file anywhere: a warning each, at its line, saying where the
    file would go. The image is written as it would be anyway."""
    body = "![Logo](/static/favicon.svg)\n\n![Rien](/static/absent.png) et ![Carte](/2024/05/absente.png)\n"
    config = link_project(tmp_path / "project", body=body)
    run = run_build_py(config, "build", "--no-search")
    assert run.code == 0, run.output
    assert [line for line in run.stderr.splitlines() if "image" in line] == [
        f"{SOURCE}:8: warning: image `/static/absent.png` is no file of the site (static/absent.png) "
        "(put the file at static/absent.png, or fix the path)",
        f"{SOURCE}:8: warning: image `/2024/05/absente.png` is no file of the site (2024/05/absente.png) "
        "(put the file at content/2024/05/absente.png, or fix the path)"], run.stderr
    images = [e.attrs["src"] for e in parse_html(config.parent / "site" / PAGE).find("div", "body").find_all("img")]
    assert images == ["../../../static/favicon.svg", "../../../static/absent.png", "../absente.png"]
