"""The rules of briefings/language.py and the modules that use them, on small inputs."""
from __future__ import annotations

import pytest

from briefings import language
from briefings.config import Config, TopicRule
from briefings.importer import headline_title
from briefings.seeds import is_subheading
from briefings.text import summarize
from briefings.topics import classify
from briefings.urls import slugify


@pytest.mark.parametrize("title, slug", [
    ("Северная Корея запустила ракету", "severnaya-koreya-zapustila-raketu"),
    ("Україна відновлює енергосистему", "ukraina-vidnovlyuie-energosistemu"),
    ("朝鲜发射导弹", "chao-xian-fa-she-dao-dan"),
    ("ミサイルを発射", "misairuo-fa-she"),
    ("북한 미사일 발사", "bughan-misail-balsa"),
    ("ישראל ולבנון", "ysrl-vlvnvn"),
    ("گفت‌وگو", "gftwgw"),  # the zero-width non-joiner joins, it does not cut
    ("Un plan de 10 milliards € pour l’été", "un-plan-de-10-milliards-pour-l-ete"),  # as before: € dropped
    ("2024", "2024"), ("!!!", "briefing"),
])
def test_new_slugs_come_from_any_script(title: str, slug: str) -> None:
    assert slugify(title, romanize=True) == slug


@pytest.mark.parametrize("stem, slug", [("москва", "briefing"), ("北朝鲜", "briefing"),
                                        ("café-crème", "cafe-creme"), ("kim-jong-un-2", "kim-jong-un-2")])
def test_slugs_of_existing_files_do_not_change(stem: str, slug: str) -> None:
    """Loading reads a slug from a file name or `slug:` without romanizing: a page published
    as `briefing` (its Cyrillic file name dropped) stays there."""
    assert slugify(stem) == slug


@pytest.mark.parametrize("text, heading", [
    ("日韓両政府の反応", True), ("Sommet à Washington", True),
    ("北朝鮮が弾道ミサイルを発射した。", False), ("北朝鮮は発射した。日本は非難した", False),
    ("นักวิเคราะห์คาดว่าธนาคารกลางจะพิจารณาปรับลดดอกเบี้ยในช่วงปลายปี", False),  # a Thai paragraph, no final mark
    ("แนวโน้มเงินเฟ้อ", True), ("ماذا حدث؟", False), ("भारत में गर्मी।", False), ("Ինչ է տեղի ունեցել։", False),
])
def test_sentence_marks_of_every_script_end_a_paragraph(text: str, heading: bool) -> None:
    assert is_subheading(text) is heading


def test_summaries_cut_at_a_sentence_end_of_any_script() -> None:
    japanese = "北朝鮮は月曜日の朝、短距離弾道ミサイル2発を発射した。" * 12
    assert summarize(japanese).endswith("発射した。") and len(summarize(japanese)) <= 220
    arabic = "أطلقت كوريا الشمالية صاروخين باليستيين قصيري المدى من منطقة قريبة؟ " * 6
    assert summarize(arabic).endswith("قريبة؟")
    assert headline_title("北朝鮮がミサイルを発射した。") == "北朝鮮がミサイルを発射した"
    assert headline_title("भारत में गर्मी।") == "भारत में गर्मी"
    assert headline_title("Pourquoi ?") == "Pourquoi ?"


def test_unspaced_keywords_match_inside_words_and_others_at_word_boundaries(tmp_path) -> None:
    config = Config(root=tmp_path, topics=(TopicRule("north-korea", {"": "NK"}, ("북한", "朝鲜", "КНДР")),
                                           TopicRule("gas", {"": "Gas"}, ("gaz",))),
                    default_topic="general")
    assert classify(config, "북한이 미사일을 발사했다", "북한은 오늘 발사했다.") == ["north-korea"]
    assert classify(config, "朝鲜发射导弹", "朝鲜向东部海域发射。") == ["north-korea"]
    assert classify(config, "Gaza", "Les combats à Gaza.") == ["general"], "gaz is not inside Gaza"
    assert classify(config, "Пуск", "КНДРовский") == ["general"], "Cyrillic keywords keep word boundaries"


@pytest.mark.parametrize("code, rtl, og, name", [
    ("ar", True, "ar_EG", "العربية"), ("he", True, "he_IL", "עברית"), ("fa", True, "fa_IR", "فارسی"),
    ("ur", True, "ur_PK", "اردو"), ("de", False, "de_DE", "Deutsch"), ("fr", False, "fr_FR", "Français"),
    ("pt-BR", False, "pt_BR", "Português (Brasil)"), ("ja", False, "ja_JP", "日本語"),
])
def test_locale_data_comes_from_cldr(code: str, rtl: bool, og: str, name: str) -> None:
    assert language.direction(code) == ("rtl" if rtl else "ltr")
    assert language.og_locale(code) == og
    assert language.language_name(code) == name


def test_catalogs_give_phrases_and_plural_forms_with_english_fallback() -> None:
    assert language.translate("de", "home") == "Startseite"
    assert [language.translate("fr", "briefing_count", count=n) for n in (0, 1, 2)] == \
        ["0 briefing", "1 briefing", "2 briefings"]
    assert [language.translate("ar", "briefing_count", count=n) for n in (1, 2, 3, 11)] == \
        ["إحاطة واحدة", "إحاطتان", "3 إحاطات", "11 إحاطة"]
    assert language.translate("ja", "home") == "Home" and len(language.missing_phrases("ja")) > 40
    for lang in ("fr", "en", "de", "es", "ar"):
        assert language.missing_phrases(lang) == [], lang


def test_an_unsure_model_keeps_the_site_language() -> None:
    assert language.detect_language("2024 — 12 345", "fr") == ("fr", False)
    assert language.detect_language("Un titre.\nLe texte du briefing.", "fr") == ("fr", True), \
        "unsure, but its guess is the site language: no warning"
    assert language.detect_language("Un titre.\nLe texte du briefing.", "en") == ("en", False)
    assert language.detect_language("Der Bundestag hat heute über den Haushalt abgestimmt.", "fr") == ("de", True)
