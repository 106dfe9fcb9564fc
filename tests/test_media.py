"""Media: images and other files beside a content file, or in the folder named after it, are
copied into the site; their links work on the briefing page, in feeds and on every host; images
carry their size, lazy loading below the first, and give the page its share image.

Every host (domain root, sub-path, file://) is crawled with a media briefing in
tests/test_any_host.py; here Chromium also checks that the images really load there.
"""
from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest

from browser import launch_browser
from fixtures.images import gif, jpeg_header, png
from helpers import (
    BASE_URL,
    built_site,
    content_file,
    create_project,
    parse_html,
    rebuilt_equals_clean,
    resolve,
    run_build_py,
    snapshot,
)
from sitecrawl import SiteServer

PAGE = "2024/05/seisme-au-large/index.html"
BODY = """Un séisme a frappé la côte ce matin.

![Carte de la zone](carte.png "La zone touchée")

La secousse ![le relevé](releve.gif) a été ressentie loin. Le [rapport complet](rapport.pdf#page=2)
et la [source](https://example.org/dossier.pdf), ![une photo](photos/port%20nord.jpg).

![Vue satellite](https://images.example.org/sat.png)

[carte]: schema.svg

Le [schéma][carte], la [page voisine](../autre-briefing/).
"""


def media_project(root: Path, body: str = BODY, meta: dict | None = None) -> Path:
    files = {
        "2024/05/seisme-au-large.md": content_file({"title": "Séisme au large", "date": "2024-05-03",
                                                    **(meta or {})}, body),
        "2024/05/carte.png": png(40, 30),                           # beside the content file
        "2024/05/seisme-au-large/releve.gif": gif(12, 8),           # in the folder named after it
        "2024/05/seisme-au-large/rapport.pdf": b"%PDF-1.4 rapport",
        "2024/05/photos/port nord.jpg": jpeg_header(640, 480),
        "2024/05/schema.svg": '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 12"></svg>',
        "2024/05/brouillon.png": png(5, 5),                          # referenced by no briefing
        "2023/01/voisin.md": content_file({"title": "Un voisin", "date": "2023-01-02"}),
    }
    return create_project(root, {"feeds": {"full_content": True}}, content=files)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_site(media_project(tmp_path_factory.mktemp("media") / "project"))


def _images(site: Path, page: str = PAGE):
    return parse_html(site / page).find("div", "body").find_all("img")


def test_media_files_are_copied_where_the_page_links_them(built: Path) -> None:
    content = built.parent / "content"
    page = parse_html(built / PAGE)
    links = {e.attrs.get("src") or e.attrs["href"]: e for e in page.find("div", "body").find_all()
             if e.tag in ("img", "a")}
    expected = {"../carte.png": "2024/05/carte.png", "releve.gif": "2024/05/seisme-au-large/releve.gif",
                "rapport.pdf#page=2": "2024/05/seisme-au-large/rapport.pdf",
                "../photos/port%20nord.jpg": "2024/05/photos/port nord.jpg", "../schema.svg": "2024/05/schema.svg"}
    for url, source in expected.items():
        assert url in links, (url, sorted(links))
        target = resolve(built, PAGE, url)
        assert target is not None and target.read_bytes() == (content / source).read_bytes(), url
    # external URLs and links to pages are as written; a file nobody refers to is not published
    assert "https://example.org/dossier.pdf" in links and "https://images.example.org/sat.png" in links
    assert "../autre-briefing/" in links
    assert not (built / "2024/05/brouillon.png").exists()


def test_images_have_their_size_and_all_but_the_first_load_lazily(built: Path) -> None:
    images = [(e.attrs["src"], e.attrs.get("width"), e.attrs.get("height"), e.attrs.get("loading"))
              for e in _images(built)]
    assert images == [
        ("../carte.png", "40", "30", None),
        ("releve.gif", "12", "8", "lazy"),
        ("../photos/port%20nord.jpg", "640", "480", "lazy"),
        ("https://images.example.org/sat.png", None, None, "lazy"),
    ]
    assert _images(built)[0].attrs["alt"] == "Carte de la zone"


def _meta(page, key: str) -> str | None:
    found = [e.attrs["content"] for e in page.find_all("meta") if key in (e.attrs.get("property"), e.attrs.get("name"))]
    return found[0] if found else None


def _json_ld(page) -> dict:
    (script,) = [e for e in page.find_all("script") if e.attrs.get("type") == "application/ld+json"]
    return json.loads(script.text)


def test_first_image_is_the_share_image_with_an_absolute_url(built: Path) -> None:
    page = parse_html(built / PAGE)
    url = BASE_URL + "2024/05/carte.png"
    assert _meta(page, "og:image") == url and _meta(page, "twitter:image") == url
    assert (_meta(page, "og:image:width"), _meta(page, "og:image:height")) == ("40", "30")
    assert _meta(page, "twitter:card") == "summary_large_image"
    assert _json_ld(page)["image"] == [url]
    assert _meta(page, "og:image:alt") == "Carte de la zone" == _meta(page, "twitter:image:alt"), "its alt text"
    other = parse_html(built / "2023/01/voisin/index.html")  # no image: none shared, a small card
    assert _meta(other, "og:image") is None and "image" not in _json_ld(other)
    assert _meta(other, "og:image:alt") is None
    assert _meta(other, "twitter:card") == "summary"


def test_feeds_link_media_with_absolute_urls(built: Path) -> None:
    items = json.loads((built / "feed.json").read_text(encoding="utf-8"))["items"]
    htmls = {"feed.json": [i["content_html"] for i in items if "Séisme" in i["title"]][0]}
    for name in ("feed.xml", "atom.xml"):
        feed = feedparser.parse((built / name).read_bytes())
        assert not feed.bozo, (name, feed.get("bozo_exception"))
        (entry,) = [e for e in feed.entries if "Séisme" in e.title]
        htmls[name] = entry.content[0].value if "content" in entry else entry.description
    for name, html in htmls.items():
        body = parse_html(html)
        srcs = [e.attrs["src"] for e in body.find_all("img")]
        assert srcs[:3] == [BASE_URL + "2024/05/carte.png", BASE_URL + "2024/05/seisme-au-large/releve.gif",
                            BASE_URL + "2024/05/photos/port%20nord.jpg"], (name, srcs)
        hrefs = [e.attrs["href"] for e in body.find_all("a")]
        assert BASE_URL + "2024/05/seisme-au-large/rapport.pdf#page=2" in hrefs, (name, hrefs)


def test_front_matter_image_wins_and_may_be_an_url(tmp_path: Path) -> None:
    config = media_project(tmp_path / "a", meta={"image": "seisme-au-large/releve.gif"})
    assert run_build_py(config, "build", "--no-search").code == 0
    page = parse_html(config.parent / "site" / PAGE)
    assert _meta(page, "og:image") == BASE_URL + "2024/05/seisme-au-large/releve.gif"
    assert (_meta(page, "og:image:width"), _meta(page, "og:image:height")) == ("12", "8")
    assert _meta(page, "og:image:alt") is None, "no image_alt: the front matter's image has no alt text"
    config = media_project(tmp_path / "b", meta={"image": "https://cdn.example.org/une.jpg",
                                                 "image_alt": "Le port de Nord <après> la secousse"})
    assert run_build_py(config, "build", "--no-search").code == 0
    page = parse_html(config.parent / "site" / PAGE)
    assert _meta(page, "og:image") == "https://cdn.example.org/une.jpg" == _json_ld(page)["image"][0]
    assert _meta(page, "og:image:width") is None
    assert _meta(page, "og:image:alt") == "Le port de Nord <après> la secousse" == _meta(page, "twitter:image:alt")


def test_image_alt_must_be_text_and_describe_an_image(tmp_path: Path) -> None:
    config = media_project(tmp_path / "a", meta={"image_alt": 3})
    run = run_build_py(config, "build", "--no-search")
    assert run.code != 0
    assert "seisme-au-large.md:4" in run.output and "`image_alt` must be text" in run.output, run.output
    config = media_project(tmp_path / "b", body="Pas une image.", meta={"image_alt": "Une carte"})
    run = run_build_py(config, "build", "--no-search")
    assert run.code == 0 and "seisme-au-large.md:4" in run.output and "shares none" in run.output, run.output


def test_incremental_builds_follow_replaced_and_removed_media(tmp_path: Path) -> None:
    """A replaced image (new bytes, new size), then one removed from the text and the disk:
    each incremental build equals a clean build of the same files."""
    config = media_project(tmp_path / "project")
    root = config.parent
    assert run_build_py(config, "build", "--no-search").code == 0

    (root / "content/2024/05/carte.png").write_bytes(png(80, 50, (0, 0, 200)))
    site = rebuilt_equals_clean(config, tmp_path / "clean")
    assert site["2024/05/carte.png"] == png(80, 50, (0, 0, 200))
    assert 'src="../carte.png" alt="Carte de la zone" title="La zone touchée" width="80" height="50"' \
        in site[PAGE].decode()

    (root / "content/2024/05/seisme-au-large/releve.gif").write_bytes(gif(12, 8)[:-1] + b"\x00\x3b")
    # new bytes, same size: the file is copied again, the page is as it was
    site = rebuilt_equals_clean(config, tmp_path / "clean")
    assert site["2024/05/seisme-au-large/releve.gif"].endswith(b"\x00\x3b")

    source = root / "content/2024/05/seisme-au-large.md"
    source.write_text(source.read_text(encoding="utf-8").replace("![le relevé](releve.gif)", ""), encoding="utf-8")
    (root / "content/2024/05/seisme-au-large/releve.gif").unlink()
    site = rebuilt_equals_clean(config, tmp_path / "clean")
    assert "2024/05/seisme-au-large/releve.gif" not in site


def test_a_media_file_removed_from_disk_fails_the_build_and_keeps_the_site(tmp_path: Path) -> None:
    config = media_project(tmp_path / "project")
    root = config.parent
    assert run_build_py(config, "build", "--no-search").code == 0
    before = snapshot(root / "site")
    (root / "content/2024/05/carte.png").unlink()
    run = run_build_py(config, "build", "--no-search")
    assert run.code == 1
    assert ("content/2024/05/seisme-au-large.md:7: image `carte.png` not found (put it at "
            "content/2024/05/carte.png or content/2024/05/seisme-au-large/carte.png, or fix the name)") in run.stderr
    assert snapshot(root / "site") == before


def test_a_media_file_that_would_replace_a_page_is_an_error(tmp_path: Path) -> None:
    config = create_project(tmp_path / "project", content={
        "2024/05/a.md": content_file({"title": "A", "date": "2024-05-03"}, "[la liste](../../index.html)"),
        "index.html": "<p>x</p>"})
    run = run_build_py(config, "build", "--no-search")
    assert run.code == 1
    assert ("content/2024/05/a.md: its media file content/index.html would overwrite index.html in the site "
            "(rename the file or move it into a folder named after the content file)") in run.stderr


# --- in Chromium: the images load on a sub-path and from disk -------------------------------

def _loaded_images(browser, url: str) -> list[tuple[str, int]]:
    page = browser.new_page()
    try:
        page.goto(url)
        page.wait_for_function("[...document.images].every(i => i.complete)")
        return page.evaluate("[...document.querySelectorAll('.body img')]"
                             ".map(i => [i.getAttribute('src'), i.naturalWidth])")
    finally:
        page.close()


def test_images_load_in_chromium_under_a_sub_path_and_from_disk(tmp_path: Path) -> None:
    # no network in tests; an image named from the site's root instead
    body = BODY.replace("![Vue satellite](https://images.example.org/sat.png)", "![racine](/2024/05/carte.png)")
    config = media_project(tmp_path / "project", body=body)
    files = tmp_path / "files"
    assert run_build_py(config, "build", "--no-search", "--link-style", "files", "--output", str(files)).code == 0
    served = tmp_path / "served"
    with SiteServer(served, "/REPO/") as server, launch_browser() as browser:
        assert run_build_py(config, "build", "--no-search", "--base-url", server.base_url,
                            "--output", str(served)).code == 0
        for url in (server.base_url + PAGE.removesuffix("index.html"), (files / PAGE).as_uri()):
            images = _loaded_images(browser, url)
            assert [src for src, _ in images] == ["../carte.png", "releve.gif", "../photos/port%20nord.jpg",
                                                  "../carte.png"], url
            broken = [src for src, width in images if not width and not src.endswith(".jpg")]
            assert not broken, (url, images)  # the JPEG is a header only: it has no pixels to show


ROOTED_BODY = """Voir [l'accueil](/), [le voisin](/2023/01/voisin/#suite) et [le style](/static/style.css?v=2).

![La carte vue d'en haut](/2024/05/vue%20haute.png) et ![autre](//cdn.example.org/x.png).
"""


def test_root_relative_links_mean_the_site_root_on_every_host(tmp_path: Path) -> None:
    """`/…` in a body is the site's root, not the host's: under a sub-path (the project's
    BASE_URL is /briefings/) and from disk it is written relative to the page, in feeds as an
    absolute URL, and a file of content/ it names is published."""
    config = media_project(tmp_path / "project", body=ROOTED_BODY)
    (config.parent / "content/2024/05/vue haute.png").write_bytes(png(64, 32))  # named only from the root
    for style in ("pretty", "files"):
        site = tmp_path / style
        run = run_build_py(config, "build", "--no-search", "--link-style", style, "--output", str(site))
        assert run.code == 0, run.output
        body = parse_html(site / PAGE).find("div", "body")
        hrefs = [e.attrs["href"] for e in body.find_all("a")]
        index = "index.html" if style == "files" else ""
        assert hrefs == [f"../../../{index}", f"../../../2023/01/voisin/{index}#suite",
                         "../../../static/style.css?v=2"], hrefs
        for href in hrefs:
            target = resolve(site, PAGE, href)
            assert target is not None and target.is_file(), href
        (image, elsewhere) = body.find_all("img")
        assert image.attrs["src"] == "../vue%20haute.png" and image.attrs["width"] == "64", image.attrs
        assert elsewhere.attrs["src"] == "//cdn.example.org/x.png", "a URL with a host is left as written"
        assert (site / "2024/05/vue haute.png").read_bytes() == png(64, 32)
        page = parse_html(site / PAGE)
        assert _meta(page, "og:image") == BASE_URL + "2024/05/vue%20haute.png"
        assert _meta(page, "og:image:alt") == "La carte vue d'en haut"
    items = json.loads((site / "feed.json").read_text(encoding="utf-8"))["items"]
    feed_body = parse_html([i["content_html"] for i in items if "Séisme" in i["title"]][0])
    assert [e.attrs["href"] for e in feed_body.find_all("a")] == [
        BASE_URL, BASE_URL + "2023/01/voisin/#suite", BASE_URL + "static/style.css?v=2"]
    assert feed_body.find("img").attrs["src"] == BASE_URL + "2024/05/vue%20haute.png"


def test_a_root_relative_share_image_may_be_any_file_of_the_site(tmp_path: Path) -> None:
    config = media_project(tmp_path / "project", meta={"image": "/static/favicon.svg"})
    assert run_build_py(config, "build", "--no-search").code == 0
    page = parse_html(config.parent / "site" / PAGE)
    assert _meta(page, "og:image") == BASE_URL + "static/favicon.svg" == _json_ld(page)["image"][0]
    assert (config.parent / "site/static/favicon.svg").is_file()
    config = media_project(tmp_path / "other", meta={"image": "/2024/05/seisme-au-large/releve.gif"})
    assert run_build_py(config, "build", "--no-search").code == 0
    page = parse_html(config.parent / "site" / PAGE)
    assert _meta(page, "og:image") == BASE_URL + "2024/05/seisme-au-large/releve.gif"
    assert (_meta(page, "og:image:width"), _meta(page, "og:image:height")) == ("12", "8")


def test_a_file_named_from_the_root_is_published_once_it_appears(tmp_path: Path) -> None:
    """A root-relative name that is no file of content/ may be any file of the site (no error);
    when the file appears in content/, the next build publishes it and sizes the image."""
    config = media_project(tmp_path / "project", body=ROOTED_BODY)
    run = run_build_py(config, "build", "--no-search")
    assert run.code == 0, run.output
    site = config.parent / "site"
    assert not (site / "2024/05/vue haute.png").exists()
    assert "width" not in _images(site)[0].attrs
    (config.parent / "content/2024/05/vue haute.png").write_bytes(png(64, 32))
    run = run_build_py(config, "build", "--no-search")
    assert run.code == 0, run.output
    assert (site / "2024/05/vue haute.png").read_bytes() == png(64, 32)
    assert _images(site)[0].attrs["width"] == "64"
