"""Old addresses (`aliases:`): a briefing whose slug or date changed, or a page that moved from
an older site, keeps its old address, where a small page sends the reader on to it, relative to
where it stands (any host, a sub-path, from disk), with the page's canonical URL for search
engines. An alias no host could serve, or one where the site already has something, is an error
at its line; incremental builds follow the target and the aliases as they change.
"""
from __future__ import annotations

from pathlib import Path

from browser import launch_browser
from helpers import (
    BASE_URL,
    content_file,
    create_project,
    parse_html,
    read_sitemap,
    rebuilt_equals_clean,
    run_build_py,
    write_file,
)
from sitecrawl import SiteServer

SOURCE = "content/2023/08/nouveau.md"
PAGE = "2023/08/nouveau/index.html"


def alias_project(root: Path, aliases: object = ("/2023/08/ancien-titre/", "2023/07/vieux.html",
                                                 "/2022/archives/ancien"),
                  config: dict | None = None) -> Path:
    return create_project(root, config, content={
        "2023/08/nouveau.md": content_file({"title": "Un titre corrigé", "date": "2023-08-14",
                                           "aliases": list(aliases) if isinstance(aliases, tuple) else aliases}),
        "pages/about.md": content_file({"title": "À propos", "aliases": "/a-propos/"}, "Qui nous sommes."),
    })


def _redirect(site: Path, path: str) -> tuple[str, str, str, str]:
    """What a redirect page says: where it refreshes to, its link, its canonical URL, its robots rule."""
    page = parse_html(site / path)
    meta = {e.attrs.get("http-equiv") or e.attrs.get("name"): e.attrs.get("content") for e in page.find_all("meta")}
    refresh = meta["refresh"] or ""
    assert refresh.startswith("0; url="), refresh
    canonical = [e.attrs["href"] for e in page.find_all("link") if e.attrs.get("rel") == "canonical"]
    return refresh.removeprefix("0; url="), page.find("a").attrs["href"], canonical[0], meta["robots"] or ""


def test_each_old_address_sends_the_reader_to_the_page_and_is_in_no_sitemap(tmp_path: Path) -> None:
    config = alias_project(tmp_path / "project")
    run = run_build_py(config, "build", "--no-search")
    assert run.code == 0, run.output
    site = config.parent / "site"
    assert _redirect(site, "2023/08/ancien-titre/index.html") == (
        "../nouveau/", "../nouveau/", f"{BASE_URL}2023/08/nouveau/", "noindex")
    assert _redirect(site, "2023/07/vieux.html")[:3] == ("../08/nouveau/", "../08/nouveau/",
                                                         f"{BASE_URL}2023/08/nouveau/")
    assert _redirect(site, "2022/archives/ancien/index.html")[0] == "../../../2023/08/nouveau/"
    assert _redirect(site, "a-propos/index.html")[:3] == ("../about/", "../about/", f"{BASE_URL}about/")
    page = parse_html(site / "2023/08/ancien-titre/index.html")
    assert (page.find("html").attrs["lang"], page.find("title").text) == ("fr", "Un titre corrigé")
    listed = {url for urls in read_sitemap(site, BASE_URL).values() for url, _ in urls}
    assert f"{BASE_URL}2023/08/nouveau/" in listed
    assert not any("ancien" in url or "vieux" in url or "a-propos" in url for url in listed), listed
    assert "ancien" not in (site / "feed.xml").read_text(encoding="utf-8")


def test_from_disk_the_redirect_names_the_index_file(tmp_path: Path) -> None:
    config = alias_project(tmp_path / "project")
    assert run_build_py(config, "build", "--no-search", "--link-style", "files").code == 0
    assert _redirect(config.parent / "site", "2023/08/ancien-titre/index.html")[0] == "../nouveau/index.html"


def test_a_browser_lands_on_the_page_under_a_sub_path_and_from_disk(tmp_path: Path) -> None:
    config = alias_project(tmp_path / "project")
    site = config.parent / "site"
    with SiteServer(site, "/REPO/") as server, launch_browser() as browser:
        assert run_build_py(config, "build", "--no-search", "--base-url", server.base_url).code == 0
        tab = browser.new_page()
        tab.goto(server.base_url + "2023/08/ancien-titre/")
        tab.wait_for_url(server.base_url + "2023/08/nouveau/")
        assert tab.locator("h1").inner_text() == "Un titre corrigé"
        tab.goto(server.base_url + "2023/07/vieux.html")
        tab.wait_for_url(server.base_url + "2023/08/nouveau/")
        assert run_build_py(config, "build", "--no-search", "--link-style", "files").code == 0
        tab.goto((site / "a-propos" / "index.html").as_uri())
        tab.wait_for_url((site / "about" / "index.html").as_uri())
        assert tab.locator("h1").inner_text() == "À propos"


def test_an_alias_no_host_could_serve_is_an_error_at_its_line(tmp_path: Path) -> None:
    config = alias_project(tmp_path / "project", ["/2023/08/bon/", f"{BASE_URL}x/", "/a?page=2",
                                                  "/", "/pagefind/x/", 12])
    run = run_build_py(config, "build", "--no-search")
    assert run.code == 1
    hint = "(write the old address from the site's root, without the host: e.g. `aliases: [/2023/08/ancien-titre/]`)"
    errors = [line for line in run.stderr.splitlines() if "alias" in line]
    assert errors == [f"{SOURCE}:{line}: alias {shown} is not an address on this site {hint}" for line, shown in
                      ((6, f"'{BASE_URL}x/'"), (7, "'/a?page=2'"), (8, "'/'"), (9, "'/pagefind/x/'"),
                       (10, "a number"))], run.stderr
    assert not (config.parent / "site").exists()


def test_an_alias_where_the_site_has_something_else_is_an_error_naming_both(tmp_path: Path) -> None:
    config = alias_project(tmp_path / "project", ["/2023/08/ancien-titre/"])
    write_file(config.parent / "content" / "2024" / "01" / "autre.md", content_file(
        {"title": "Autre", "date": "2024-01-05",
         "aliases": ["/2023/08/nouveau/", "/topics/", "/2023/08/ancien-titre/", "/static/style.css",
                     "/static/style.css/", "/2024/01/carte.png"]}, "![Carte](carte.png)"))
    write_file(config.parent / "content" / "2024" / "01" / "carte.png", b"\x89PNG\r\n\x1a\n")
    run = run_build_py(config, "build", "--no-search")
    assert run.code == 1
    other = "content/2024/01/autre.md"
    assert [line for line in run.stderr.splitlines() if "its alias" in line] == [  # the two style.css are one
        f"{other}:5: its alias /2023/08/nouveau/ is already the page of {SOURCE} (remove it from `aliases:`)",
        f"{other}:6: its alias /topics/ is already the site's topics.html page (remove it from `aliases:`)",
        f"{SOURCE}:5: its alias /2023/08/ancien-titre/ is already an alias of {other} (remove it from `aliases:`)",
        f"{other}:8: its alias /static/style.css/ would be a folder, but the site has a file static/style.css "
        "(remove it from `aliases:`)",
        f"{other}:10: its alias /2024/01/carte.png/ would be a folder, but the site has a file 2024/01/carte.png "
        "(remove it from `aliases:`)"], run.stderr


def test_an_alias_on_a_media_file_is_an_error(tmp_path: Path) -> None:
    config = alias_project(tmp_path / "project", ["/2023/08/carte.html"])
    write_file(config.parent / "content" / "2023" / "08" / "carte.html", "<p>une carte</p>")
    path = config.parent / SOURCE
    path.write_text(path.read_text(encoding="utf-8") + "[La carte](carte.html)\n", encoding="utf-8")
    run = run_build_py(config, "build", "--no-search")
    assert run.code == 1
    assert (f"{SOURCE}:5: its alias /2023/08/carte.html is already the site's file 2023/08/carte.html "
            "(remove it from `aliases:`)") in run.stderr.splitlines(), run.stderr


def test_incremental_builds_follow_the_target_and_the_aliases(tmp_path: Path) -> None:
    config = alias_project(tmp_path / "project")
    scratch = tmp_path / "clean"
    site = rebuilt_equals_clean(config, scratch)
    assert "2023/08/ancien-titre/index.html" in site
    path = config.parent / SOURCE
    path.write_text(path.read_text(encoding="utf-8").replace("Un titre corrigé", "Un titre corrigé deux fois")
                    .replace("date: '2023-08-14'", "date: '2023-09-01'"), encoding="utf-8")
    site = rebuilt_equals_clean(config, scratch)
    assert _redirect(config.parent / "site", "2023/08/ancien-titre/index.html")[0] == "../../09/nouveau/"
    assert b"deux fois" in site["2023/08/ancien-titre/index.html"]
    path.write_text(path.read_text(encoding="utf-8").replace("- /2023/08/ancien-titre/\n", ""), encoding="utf-8")
    site = rebuilt_equals_clean(config, scratch)
    assert "2023/08/ancien-titre/index.html" not in site
    assert "2023/07/vieux.html" in site
