"""Every language, every script: sixteen briefings of our own writing, in ten scripts
(tests/fixtures/multilingual/), imported and built as a user does, on a French interface,
an Arabic one (right to left) and a Japanese one (no catalog: English phrases, Japanese dates).

For each briefing: the language detected, the slug, paragraphs and subheadings kept, `lang`
and `dir` on the page, the topic, and its date on an interface in its own language. The Nu
Html Checker and axe-core check an Arabic and a Japanese page.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from briefings.dates import BriefingDate
from briefings.language import direction
from helpers import create_project, parse_html, run_build_py, split_front_matter
from sitecrawl import SiteServer

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "multilingual"
TOOLS = Path(__file__).resolve().parent / ".tools" / "node_modules"
VNU_JAR = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = TOOLS / "axe-core" / "axe.min.js"


@dataclass(frozen=True)
class Expected:
    lang: str
    script: str
    path: str
    """The page: date folder and the slug transliterated from the headline."""
    topics: tuple[str, ...]
    """The topics, primary first."""
    blocks: str
    """The body's blocks in order: p for a paragraph, h for a subheading."""
    date: str
    """The date as an interface in the briefing's own language shows it."""


EXPECTED = {
    "001": Expected("en", "Latin", "2024/03/north-korea-fires-two-ballistic-missiles-into-the-sea",
                    ("defence", "north-korea"), "phpp", "March 18, 2024"),
    "002": Expected("fr", "Latin", "2024/02/la-banque-de-france-revoit-sa-prevision-de-croissance-a-la",
                    ("economy",), "phpp", "8 février 2024"),
    "003": Expected("de", "Latin", "2024/05/die-inflation-im-euroraum-sinkt-weiter",
                    ("economy",), "phpp", "2. Mai 2024"),
    "004": Expected("es", "Latin", "2023/11/espana-registra-el-ano-mas-calido-desde-que-hay-datos",
                    ("climate",), "ppp", "20 de noviembre de 2023"),
    "005": Expected("pt", "Latin", "2024/10/eleicoes-municipais-mobilizam-o-brasil",
                    ("elections",), "ppp", "outubro de 2024"),
    "006": Expected("ru", "Cyrillic", "2024/01/severnaya-koreya-zapustila-ballisticheskuyu-raketu",
                    ("defence", "north-korea"), "phpp", "14 января 2024\u202fг."),
    "007": Expected("uk", "Cyrillic", "2023/12/ukraina-vidnovlyuie-energosistemu-pered-zimoyu",
                    ("energy", "ukraine"), "ppp", "5 грудня 2023\u202fр."),
    "008": Expected("ar", "Arabic", "2024/03/kwry-lshmlyh-ttlq-srwkhyn-blystyyn-nhw-lbhr",
                    ("defence", "north-korea"), "phpp", "18 مارس 2024"),
    "009": Expected("fa", "Arabic", "2024/04/yrn-w-rbstn-drbrh-mnyt-khlyj-frs-gftwgw-krdnd",
                    ("middle-east",), "ppp", "آوریل 2024"),
    "010": Expected("he", "Hebrew", "2023/09/ysrl-vlvnvn-mnhlvt-syhvt-l-gvvl-hmym",
                    ("middle-east",), "ppp", "12 בספטמבר 2023"),
    "011": Expected("hi", "Devanagari", "2024/06/uttr-bhart-mem-bhisn-grmi-se-jnjivn-prbhavit",
                    ("climate",), "phpp", "3 जून 2024"),
    "012": Expected("zh", "Han", "2024/03/chao-xian-xiang-dong-bu-hai-yu-fa-she-liang-mei-dan-dao-dao",
                    ("defence", "north-korea"), "phpp", "2024年3月18日"),
    "013": Expected("ja", "Han and kana", "2024/03/bei-chao-xian-ga-dan-dao-misairu2-fa-o-fa-she-shita",
                    ("defence", "north-korea"), "phpp", "2024年3月18日"),
    "014": Expected("ko", "Hangul", "2024/03/bughan-donghaesangeulo-tandomisail-du-bal-balsa",
                    ("defence", "north-korea"), "phpp", "2024년 3월 18일"),
    "015": Expected("th", "Thai", "2024/07/thnakharaehngpraethsaithykhngoatradokebiynoybay",
                    ("economy",), "phpp", "25 กรกฎาคม ค.ศ. 2024"),
    "016": Expected("el", "Greek", "2024/02/i-ellada-ypografei-symfonia-gia-neo-agogo-fysikoy-aerioy",
                    ("energy",), "phpp", "Φεβρουάριος 2024"),
}


def test_the_corpus_covers_fourteen_languages_in_eight_scripts() -> None:
    assert len({e.lang for e in EXPECTED.values()}) >= 14
    assert len({e.script for e in EXPECTED.values()}) >= 8
    assert sorted(p.name[:3] for p in FIXTURES.glob("*.txt")) == sorted(EXPECTED)


@dataclass
class Site:
    root: Path
    config: Path
    content: dict[str, Path]
    """Fixture number -> its content file."""


def _build(root: Path, language: str, content_from: Path | None = None) -> Site:
    """A project with the sixteen seeds, imported (or its content copied from an earlier
    import) and built with `language:` as its interface language."""
    config = create_project(root, {"language": language, "base_url": "https://example.org/archive/"},
                            seeds={p.name: p.read_bytes() for p in FIXTURES.glob("*.txt")})
    if content_from is None:
        done = run_build_py(config, "import")
        assert done.code == 0, done.output
        assert "failed" in done.stdout and "0 failed" in done.stdout, done.output
        assert "language not recognised" not in done.output, done.output
    else:
        shutil.copytree(content_from, root / "content")
    built = run_build_py(config, "build")
    assert built.code == 0, built.output
    content = {}
    for path in (root / "content").rglob("*.md"):
        meta, _ = split_front_matter(path)
        content[meta["source"].split("/")[-1][:3]] = path
    return Site(root, config, content)


@pytest.fixture(scope="module")
def french(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return _build(tmp_path_factory.mktemp("languages") / "fr", "fr")


@pytest.fixture(scope="module")
def arabic(tmp_path_factory: pytest.TempPathFactory, french: Site) -> Site:
    return _build(tmp_path_factory.mktemp("languages") / "ar", "ar", french.root / "content")


@pytest.fixture(scope="module")
def japanese(tmp_path_factory: pytest.TempPathFactory, french: Site) -> Site:
    return _build(tmp_path_factory.mktemp("languages") / "ja", "ja", french.root / "content")


@pytest.mark.parametrize("number", sorted(EXPECTED))
def test_each_briefing_keeps_its_language_slug_paragraphs_direction_and_topic(french: Site, number: str) -> None:
    expected = EXPECTED[number]
    meta, _ = split_front_matter(french.content[number])
    assert meta["lang"] == expected.lang, "detected language"
    assert french.content[number].relative_to(french.root / "content").with_suffix("").as_posix() == expected.path
    assert meta["topics"][:len(expected.topics)] == list(expected.topics)
    page = parse_html(french.root / "site" / expected.path / "index.html")
    article = page.find("article")
    rtl = expected.lang in ("ar", "fa", "he")
    assert (article.attrs["lang"], article.attrs["dir"]) == (expected.lang, "rtl" if rtl else "ltr")
    assert page.find("html").attrs["lang"] == expected.lang
    assert page.find("html").attrs.get("dir") == ("rtl" if rtl else None)
    if rtl:  # the French interface around it keeps its own language and direction
        assert (page.find("main").attrs["lang"], page.find("main").attrs["dir"]) == ("fr", "ltr")
    body = article.find("div", "body")
    blocks = "".join("h" if child.tag == "h2" else "p" for child in body.children if child.tag in ("p", "h2"))
    assert blocks == expected.blocks, "paragraphs stay paragraphs, subheadings stay subheadings"
    title = article.find("h1").clean_text()
    assert not title.endswith((".", "。", "।")), "the headline's full stop is dropped from the title"
    summary = next(m.attrs["content"] for m in page.find_all("meta") if m.attrs.get("name") == "description")
    assert summary and len(summary) <= 221
    assert not article.find_all("p", "summary"), "the summary import wrote is how the text begins: not boxed"
    assert body.clean_text().startswith(summary.removesuffix("…")), "cut at a sentence end or a word, any script"


@pytest.mark.parametrize("number", sorted(EXPECTED))
def test_each_date_reads_in_its_own_language(number: str) -> None:
    expected = EXPECTED[number]
    seed = next(FIXTURES.glob(f"{number}_*.txt")).read_text(encoding="utf-8")
    year, month, *day = map(int, seed.split()[1].split("-"))
    assert BriefingDate(year, month, *day).display(expected.lang) == expected.date


def test_a_list_isolates_titles_written_the_other_way(french: Site) -> None:
    month = parse_html(french.root / "site" / "2024/03/index.html")
    items = {item.find("a").clean_text(): item for item in month.find_all("li", "briefing-item")}
    arabic_item = next(item for title, item in items.items() if title.startswith("كوريا"))
    assert (arabic_item.attrs["lang"], arabic_item.attrs["dir"]) == ("ar", "rtl")
    meta = arabic_item.find("p", "meta")  # the interface's date and reading time, in French order
    assert (meta.attrs["lang"], meta.attrs["dir"]) == ("fr", "ltr") and meta.clean_text().startswith("18 mars 2024")
    japanese_item = next(item for title, item in items.items() if title.startswith("北朝鮮"))
    assert japanese_item.attrs["lang"] == "ja" and "dir" not in japanese_item.attrs
    feed = (french.root / "site" / "feed.xml").read_text(encoding="utf-8")
    assert "<title>\u2068كوريا الشمالية" in feed, "an RTL title in a feed sits between isolate marks"
    assert "<title>北朝鮮" in feed


def test_an_arabic_interface_runs_right_to_left_with_its_catalog(arabic: Site) -> None:
    index = parse_html(arabic.root / "site" / "index.html")
    assert (index.find("html").attrs["lang"], index.find("html").attrs["dir"]) == ("ar", "rtl")
    assert index.find("a", "skip-link").clean_text() == "انتقل إلى المحتوى"
    month = parse_html(arabic.root / "site" / "2024/03/index.html")
    description = next(m for m in month.find_all("meta") if m.attrs.get("name") == "description")
    assert "5 إحاطات" in description.attrs["content"], "the plural form from the catalog"
    english = parse_html(arabic.root / "site" / EXPECTED["001"].path / "index.html")
    assert (english.find("html").attrs["lang"], english.find("html").attrs.get("dir")) == ("en", None)
    assert (english.find("main").attrs["lang"], english.find("main").attrs["dir"]) == ("ar", "rtl")
    assert english.find("time").clean_text() == "18 مارس 2024", "dates follow the interface language"
    og = {m.attrs["property"]: m.attrs["content"] for m in english.find_all("meta") if "property" in m.attrs}
    assert og["og:locale"] == "en_US"


def test_a_japanese_interface_has_japanese_dates_and_english_phrases(japanese: Site) -> None:
    page = parse_html(japanese.root / "site" / EXPECTED["013"].path / "index.html")
    assert page.find("time").clean_text() == "2024年3月18日"
    assert page.find("a", "skip-link").clean_text() == "Skip to content", "no catalog: English"
    og = {m.attrs["property"]: m.attrs["content"] for m in page.find_all("meta") if "property" in m.attrs}
    assert og["og:locale"] == "ja_JP"
    checked = run_build_py(japanese.config, "check")
    assert checked.code == 0, checked.output
    assert "interface phrases have no translation in 'ja'" in checked.output


def test_check_is_quiet_for_a_language_with_a_whole_catalog(arabic: Site) -> None:
    checked = run_build_py(arabic.config, "check")
    assert checked.code == 0 and "interface phrases" not in checked.output, checked.output


# --- validators on a right-to-left page and a CJK page --------------------------------------

def _pages(arabic: Site, french: Site) -> dict[str, Path]:
    return {"arabic briefing, French interface": french.root / "site" / EXPECTED["008"].path / "index.html",
            "Japanese briefing, French interface": french.root / "site" / EXPECTED["013"].path / "index.html",
            "home, Arabic interface": arabic.root / "site" / "index.html",
            "Hebrew briefing, Arabic interface": arabic.root / "site" / EXPECTED["010"].path / "index.html"}


def test_nu_html_checker_passes_rtl_and_cjk_pages(arabic: Site, french: Site) -> None:
    if shutil.which("java") is None or not VNU_JAR.is_file():
        pytest.fail("the Nu Html Checker needs Java and tests/.tools: run `sh tests/install-tools.sh`",
                    pytrace=False)
    files = list(_pages(arabic, french).values())
    done = subprocess.run(["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, files)],
                          capture_output=True, text=True, timeout=300)
    messages = [m for m in json.loads(done.stderr or '{"messages": []}')["messages"]
                if m.get("type") in ("error", "non-document-error")]
    assert not messages, json.dumps(messages[:10], indent=1, ensure_ascii=False)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_passes_rtl_and_cjk_pages(arabic: Site, french: Site, scheme: str) -> None:
    from browser import launch_browser
    if not AXE_JS.is_file():
        pytest.fail("axe-core is missing: run `sh tests/install-tools.sh`", pytrace=False)
    found = {}
    with SiteServer(french.root / "site", "/archive/") as fr_server, \
            SiteServer(arabic.root / "site", "/archive/") as ar_server, launch_browser() as browser:
        page = browser.new_page(color_scheme=scheme, viewport={"width": 390, "height": 844} if scheme == "dark"
                                else {"width": 1280, "height": 900})
        for name, path in _pages(arabic, french).items():
            server = ar_server if "Arabic interface" in name else fr_server
            page.goto(server.base_url + path.relative_to(server.root).as_posix().removesuffix("index.html"))
            assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), f"{name} scrolls sideways"
            page.add_script_tag(path=str(AXE_JS))
            found[name] = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']}))
                .violations.filter(v => ['serious', 'critical'].includes(v.impact))
                .map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))""")
    assert not any(found.values()), json.dumps(found, indent=1, ensure_ascii=False)
    assert direction("ar") == "rtl" and direction("ja") == "ltr"


def test_arrows_point_the_way_the_page_reads(arabic: Site, french: Site) -> None:
    """"← Previous" and "Next →" are mirrored on a page that runs right to left, not elsewhere."""
    from browser import launch_browser
    mirrored = "matrix(-1, 0, 0, 1, 0, 0)"
    with SiteServer(french.root / "site", "/archive/") as fr_server, \
            SiteServer(arabic.root / "site", "/archive/") as ar_server, launch_browser() as browser:
        page = browser.new_page()
        transforms = {}
        for name, server, path in (("rtl", ar_server, EXPECTED["010"].path), ("ltr", fr_server, EXPECTED["013"].path)):
            page.goto(f"{server.base_url}{path}/")
            transforms[name] = page.eval_on_selector_all(
                ".prev-next .arrow", "arrows => arrows.map(a => getComputedStyle(a).transform)")
    assert transforms["rtl"] and set(transforms["rtl"]) == {mirrored}, transforms
    assert transforms["ltr"] and mirrored not in transforms["ltr"], transforms
