"""Search over a real multilingual build, in Chromium: each language's mid-sentence word is
found (Chinese, Japanese and Thai segmented by their own parts' rules), filters name languages,
and after an edit and a removal an incremental build's index no longer finds the old words."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from browser import launch_browser
from fixtures.reader import MULTILINGUAL
from helpers import content_file, create_project, run_build_py
from sitecrawl import SiteServer
from test_search import RESULT, _after_click, _count, _filter_counts, _links, _search, _watch


def _write(root: Path, config: Path, removed: set[str] = frozenset(), edits: dict[str, str] | None = None) -> None:
    content = root / "content"
    for i, (lang, (name, title, body, _word, topic)) in enumerate(sorted(MULTILINGUAL.items())):
        path = content / name
        if lang in removed:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        text = (edits or {}).get(lang, body) + " (Reuters)"  # one word in every briefing
        path.write_text(content_file({"title": title, "date": f"2024-03-{i + 1:02d}", "topics": [topic],
                                      "lang": lang, "id": f"multi-{lang}"}, text), encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("languages") / "p"
    config = create_project(root)
    with SiteServer(root / "site", "/REPO/") as served:
        _write(root, config)
        built = run_build_py(config, "build", "--base-url", served.base_url)
        assert built.code == 0, built.output
        yield root, config, served


@pytest.fixture(scope="module")
def browser():
    with launch_browser() as chromium:
        yield chromium


@pytest.mark.parametrize("lang", sorted(MULTILINGUAL))
def test_a_mid_sentence_word_of_each_language_is_found(site, browser, lang: str) -> None:
    _root, _config, served = site
    name, _title, _body, word, _topic = MULTILINGUAL[lang]
    page = browser.new_page()
    errors = _watch(page)  # shown if the search fails: a request refused, a script error
    links = _search(page, served.base_url, word)
    slug = name.removesuffix(".md").rsplit("/", 1)[-1]
    assert [link.rsplit("/", 2)[-2] for link in links] == [slug], (links, errors)
    assert page.locator(f"{RESULT} mark").count(), "the word is highlighted"
    item_lang = page.get_attribute(RESULT, "lang")
    assert item_lang == (None if lang == "fr" else lang), "results in another language say so"


def test_coree_finds_coree_and_filters_name_languages_in_french(site, browser) -> None:
    _root, _config, served = site
    page = browser.new_page()
    links = _search(page, served.base_url, "coree")
    assert [link.rsplit("/", 2)[-2] for link in links] == ["coree-peche"], links
    links = _search(page, served.base_url, "reuters")
    assert len(links) == _count(page) == len(MULTILINGUAL)
    languages = _filter_counts(page, "Langue")  # names in the interface language, in French order
    assert list(languages) == ["anglais", "chinois", "français", "grec", "hébreu", "hindi", "japonais",
                               "thaï", "ukrainien"], languages
    assert set(languages.values()) == {1}
    _after_click(page, page.get_by_label("Europe", exact=False))
    assert sorted(link.rsplit("/", 2)[-2] for link in _links(page)) == ["athina", "kyiv"]
    _after_click(page, page.get_by_label("grec", exact=False))
    assert [link.rsplit("/", 2)[-2] for link in _links(page)] == ["athina"]


def test_edit_add_remove_then_incremental_build(site, browser) -> None:
    """After an edit, an addition and a removal, the incremental build's index finds the new words and
not the old ones (the edited briefing's old text stays in its sealed part, superseded)."""
    root, config, served = site
    _write(root, config, removed={"uk"}, edits={"el": "Η κυβέρνηση ανακοίνωσε χθες νέα φορολογική πολιτική."})
    (root / "content" / "2024" / "04").mkdir(parents=True, exist_ok=True)
    (root / "content" / "2024" / "04" / "added.md").write_text(content_file(
        {"title": "Nouvelle réunion", "date": "2024-04-02", "topics": ["asie"], "lang": "fr"},
        "Les délégués ont évoqué une quinquennale ambitieuse."), encoding="utf-8")
    built = run_build_py(config, "build", "--base-url", served.base_url)
    assert built.code == 0, built.output
    page = browser.new_page()
    assert _search(page, served.base_url, "οικονομική") == [], "the old text of the edited briefing"
    assert len(_search(page, served.base_url, "φορολογική")) == 1, "its new text"
    assert _search(page, served.base_url, "економічну") == [], "the removed briefing"
    assert [link.rsplit("/", 2)[-2] for link in _search(page, served.base_url, "quinquennale")] == ["added"]
    manifest = json.loads((root / "site" / "pagefind" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["superseded"], "the edited briefing's old copy is still in its part, superseded"
