"""What a reader, a sharing card and a search engine see: language of each page, French
typography, meta and Open Graph tags, JSON-LD, hreflang, feeds announced on every page,
and topic and month pages linking to each other.

A handful of hand-written content files (French and English, a translation pair, a
title that tries to close the JSON-LD script) built once with `build.py build --strict`.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from markupsafe import Markup

from briefings.render import json_script
from briefings.typography import NNBSP, typography
from fixtures.reader import PAIR_EN_TITLE, PAIR_FILES, PAIR_FR_TITLE
from helpers import BASE_URL, content_file, create_project, html_pages, parse_html, resolve, run_build_py

HOSTILE = "Inflation : « </script><script>alert(1)</script> » ?"
CODE_BODY = ("Le code `a : b « c »` reste tel quel ; le [lien](https://example.org/?q=1 \"titre : « x »\") aussi !\n\n"
             "À 10:30, voir https://example.org/a:b et la «citation».")
ENGLISH_TITLE = "Prices: “up” again?"
ENGLISH_BODY = "He said « hello » ; fine!\n\nAt 10:30 the bank spoke."
CONTENT = {
    **PAIR_FILES,
    "2023/04/inflation.md": content_file({"title": HOSTILE, "date": "2023-04-02", "topics": ["economy"],
                                          "lang": "fr", "id": "0a0a0a0a0a0a0a0a"}, CODE_BODY),
    "2022/11/prices.md": content_file({"title": ENGLISH_TITLE, "date": "2022-11", "topics": ["economy"],
                                       "lang": "en", "id": "0b0b0b0b0b0b0b0b"}, ENGLISH_BODY),
}
PAIR_FR_PAGE = "2023/03/sommet-coree-du-nord/index.html"
PAIR_EN_PAGE = "2023/03/summit-north-korea/index.html"
HOSTILE_PAGE = "2023/04/inflation/index.html"
ENGLISH_PAGE = "2022/11/prices/index.html"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    config = create_project(tmp_path_factory.mktemp("reader") / "archive", content=CONTENT)
    run = run_build_py(config, "build", "--strict")
    assert run.code == 0, run.output
    return config.parent / "site"


def page(site: Path, path: str):
    return parse_html(site / path)


def raw(site: Path, path: str) -> str:
    return (site / path).read_text(encoding="utf-8")


def metas(document) -> dict[str, str]:
    """`<meta name|property=… content=…>` as a dict (the last one wins)."""
    return {m.attrs.get("property") or m.attrs.get("name"): m.attrs.get("content", "")
            for m in document.find_all("meta") if m.attrs.get("property") or m.attrs.get("name")}


def links(document, rel: str) -> list[dict[str, str]]:
    return [link.attrs for link in document.find_all("link") if rel in link.attrs.get("rel", "").split()]


# --- language --------------------------------------------------------------------------------

def test_html_lang_is_the_briefings_language(site: Path) -> None:
    for path, lang in ((PAIR_FR_PAGE, "fr"), (PAIR_EN_PAGE, "en"), (ENGLISH_PAGE, "en"), (HOSTILE_PAGE, "fr")):
        document = page(site, path)
        assert document.find("html").attrs["lang"] == lang, path
        assert document.find("article").attrs["lang"] == lang, path
    # On an English briefing, the French interface around it says it is French.
    english = page(site, PAIR_EN_PAGE)
    for tag in ("header", "main", "footer"):
        assert english.find(tag).attrs.get("lang") == "fr", tag
    assert page(site, "index.html").find("html").attrs["lang"] == "fr"
    assert page(site, PAIR_FR_PAGE).find("header").attrs.get("lang") is None


# --- French typography -------------------------------------------------------------------

def test_french_typography_in_french_briefings(site: Path) -> None:
    html = raw(site, PAIR_FR_PAGE)
    assert f"Sommet{NNBSP}: la Corée du Nord «{NNBSP}inquiète{NNBSP}» ses voisins{NNBSP}!</h1>" in html
    assert f"parlent d’une «{NNBSP}provocation{NNBSP}»{NNBSP}!" in html
    assert f"Que faire{NNBSP}?" in html and f"s’inquiètent{NNBSP}; le sommet" in html
    # The plain-text copies (title, meta description, JSON-LD) keep the text as written.
    assert f"<title>{PAIR_FR_TITLE} · " in html.replace("&#34;", '"')
    # Listings set titles the same way.
    assert f"Sommet{NNBSP}: la Corée du Nord" in raw(site, "index.html")


def test_typography_never_touches_code_attributes_times_or_urls(site: Path) -> None:
    html = raw(site, HOSTILE_PAGE)
    assert "<code>a : b « c »</code>" in html
    assert 'title="titre : « x »"' in html
    assert "À 10:30, voir https://example.org/a:b" in html
    assert f"la «{NNBSP}citation{NNBSP}»." in html
    assert f"reste tel quel{NNBSP}; le" in html and f"aussi{NNBSP}!" in html


def test_english_text_is_left_as_written(site: Path) -> None:
    article = raw(site, ENGLISH_PAGE).split("<article", 1)[1].split("</article>", 1)[0]
    assert NNBSP not in article
    assert "He said « hello » ; fine!" in article and "Prices: “up” again?" in article


@pytest.mark.parametrize("text, expected", [
    ("Il a dit «oui» !", f"Il a dit «{NNBSP}oui{NNBSP}»{NNBSP}!"),
    ("« déjà »", f"«{NNBSP}déjà{NNBSP}»"),
    ("Quoi ?! Non ; si : oui", f"Quoi{NNBSP}?! Non{NNBSP}; si{NNBSP}: oui"),
    ("À 10:30 sur http://x.org/a?b=1;c", "À 10:30 sur http://x.org/a?b=1;c"),
    ("a\u00a0: b", f"a{NNBSP}: b"),
])
def test_typography_filter_on_text(text: str, expected: str) -> None:
    assert typography(text, "fr") == expected
    assert typography(expected, "fr") == expected, "applying it twice changes nothing"
    assert typography(text, "en") is text


def test_typography_filter_on_html_changes_text_only() -> None:
    html = Markup('<p title="a : « b »">Voici «ça» : <code>x : «y»</code> <a href="?a=1;b">lien</a> !</p>')
    out = typography(html, "fr")
    assert isinstance(out, Markup)
    assert out == Markup(f'<p title="a : « b »">Voici «{NNBSP}ça{NNBSP}»{NNBSP}: <code>x : «y»</code> '
                         f'<a href="?a=1;b">lien</a>{NNBSP}!</p>')


# --- sharing -------------------------------------------------------------------------------

PAGES = {"index.html": "website", PAIR_FR_PAGE: "article", PAIR_EN_PAGE: "article",
         "topics/economy/index.html": "website", "2023/03/index.html": "website", "search/index.html": "website"}


@pytest.mark.parametrize("path, og_type", PAGES.items())
def test_title_description_open_graph_and_twitter_card(site: Path, path: str, og_type: str) -> None:
    document = page(site, path)
    meta = metas(document)
    (canonical,) = links(document, "canonical")
    assert document.find("title").clean_text()
    assert meta["description"].strip()
    assert meta["og:url"] == canonical["href"] == BASE_URL + path.removesuffix("index.html")
    assert meta["og:type"] == og_type
    assert meta["og:site_name"] == "Archive des briefings"
    assert meta["og:title"] and meta["og:description"] == meta["description"]
    assert meta["og:locale"] == {"fr": "fr_FR", "en": "en_US"}[document.find("html").attrs["lang"]]
    assert meta["twitter:card"] == "summary" and meta["twitter:title"] == meta["og:title"]


def test_briefing_sharing_tags_name_the_briefing(site: Path) -> None:
    meta = metas(page(site, PAIR_EN_PAGE))
    assert meta["og:title"] == PAIR_EN_TITLE
    assert meta["description"].startswith("Pyongyang's neighbours are worried")
    assert meta["article:published_time"] == "2023-03-15"
    assert meta["og:locale"] == "en_US" and meta["og:locale:alternate"] == "fr_FR"


def test_json_ld_news_article(site: Path) -> None:
    html = raw(site, HOSTILE_PAGE)
    # The hostile title cannot close the JSON-LD script: the page holds one script, whole.
    assert html.count("<script") == 1 and html.count("</script>") == 1
    (script,) = [s for s in page(site, HOSTILE_PAGE).find_all("script")]
    assert script.attrs["type"] == "application/ld+json"
    data = json.loads(script.text)
    assert data["@context"] == "https://schema.org" and data["@type"] == "NewsArticle"
    assert data["headline"] == HOSTILE
    assert data["datePublished"] == "2023-04-02" and data["inLanguage"] == "fr"
    assert data["url"] == BASE_URL + HOSTILE_PAGE.removesuffix("index.html")
    assert data["keywords"] == ["Économie"] and data["articleSection"] == "Économie"
    assert data["description"]
    english = json.loads(page(site, ENGLISH_PAGE).find("script").text)
    assert (english["datePublished"], english["inLanguage"], english["headline"]) == ("2022-11", "en", ENGLISH_TITLE)


def test_json_script_escapes_what_could_end_a_script() -> None:
    value = {"t": "</script><!-- & \u2028"}
    text = json_script(value)
    assert not any(c in text for c in "<>&\u2028")
    assert json.loads(text) == value


def test_hreflang_links_translations_both_ways(site: Path) -> None:
    fr_url, en_url = (BASE_URL + p.removesuffix("index.html") for p in (PAIR_FR_PAGE, PAIR_EN_PAGE))
    for path in (PAIR_FR_PAGE, PAIR_EN_PAGE):
        found = links(page(site, path), "alternate")
        alternates = {link["hreflang"]: link["href"] for link in found if "hreflang" in link}
        assert alternates == {"fr": fr_url, "en": en_url}, path
    assert not [link for link in links(page(site, HOSTILE_PAGE), "alternate") if "hreflang" in link]
    # And a visible link for readers, in the other language's own name.
    (visible,) = page(site, PAIR_FR_PAGE).find("p", "translations").find_all("a")
    assert (visible.clean_text(), visible.attrs["hreflang"], visible.attrs["lang"]) == ("English", "en", "en")
    assert resolve(site, PAIR_FR_PAGE, visible.attrs["href"]) == site / PAIR_EN_PAGE


def test_every_page_announces_the_feeds_and_links_to_search(site: Path) -> None:
    pages = html_pages(site)
    assert "search/index.html" in pages
    for path, file in pages.items():
        if path == "404.html":
            continue
        document = parse_html(file)
        types = [link["type"] for link in links(document, "alternate") if "type" in link]
        assert {"application/rss+xml", "application/atom+xml", "application/feed+json"} <= set(types), path
        for link in links(document, "alternate"):
            if "type" in link:
                assert resolve(site, path, link["href"]).is_file(), (path, link)
        nav = document.find("header").find("nav")
        assert any(resolve(site, path, a.attrs["href"]) == site / "search/index.html" for a in nav.find_all("a"))
    topic = page(site, "topics/economy/index.html")
    assert links(topic, "alternate")[0]["href"] == "feed.xml", "the topic's own feed comes first"


# --- topics and months link to each other ----------------------------------------------------

def test_month_page_lists_its_topics(site: Path) -> None:
    nav = page(site, "2023/03/index.html").find("nav", "month-topics")
    targets = {resolve(site, "2023/03/index.html", a.attrs["href"]).relative_to(site).as_posix(): a.clean_text()
               for a in nav.find_all("a")}
    assert targets == {"topics/north-korea/2023/index.html": "Corée du Nord 2",
                       "topics/defence/2023/index.html": "Défense 2"}
    assert {a.attrs["href"].partition("#")[2] for a in nav.find_all("a")} == {"2023-03"}, "anchored at the month"
    assert all((site / t).is_file() for t in targets)


def test_topic_page_links_to_the_years_it_spans(site: Path) -> None:
    nav = page(site, "topics/economy/index.html").find("nav", "topic-years")
    years = [(a.clean_text(), resolve(site, "topics/economy/index.html", a.attrs["href"]).relative_to(site).as_posix())
             for a in nav.find_all("a")]
    assert years == [("2023", "topics/economy/2023/index.html"), ("2022", "topics/economy/2022/index.html")]
    assert all((site / target).is_file() for _, target in years)
