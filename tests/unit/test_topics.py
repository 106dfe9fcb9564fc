"""Topic classification with the real config.yaml rules."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefings.config import load_config
from briefings.seeds import parse_seed
from briefings.text import fold
from briefings.topics import classify
from helpers import REAL_CONFIG, REAL_SEED


@pytest.fixture(scope="module")
def config():
    return load_config(REAL_CONFIG)


def test_real_seed(config) -> None:
    seed = parse_seed(REAL_SEED, REAL_SEED.read_bytes())
    assert classify(config, seed.title, seed.body_text) == ["north-korea", "defence"]


@pytest.mark.parametrize("title, body, primary", [
    ("North Korea fires a missile", "Pyongyang said the test was a success, according to KCNA.", "north-korea"),
    ("Oil prices jump", "Energy markets reacted as oil and gas supplies tightened.", "energy"),
    ("Voters go to the polls", "The election will decide the next government; the ballot closes at 8.", "elections"),
    ("Beijing responds", "China said Chinese exports would grow.", "china"),
    ("Vaccine campaign", "Health officials fear a new epidemic.", "health"),
    ("Kyiv under fire", "Zelensky asked for more help for Ukraine.", "ukraine"),
    ("Talks in Gaza", "Israel and Lebanon traded fire, the Middle East on edge.", "middle-east"),
    ("Chips and code", "A cyberattack hit makers of semiconductors; artificial intelligence was blamed.",
     "technology"),
    ("A hot summer", "Climate scientists link emissions to warming.", "climate"),
    ("Rates held", "The central bank fears a recession as growth slows.", "economy"),
    ("Coup in the Sahel", "Mali and Niger, in West Africa, closed borders.", "africa"),
])
def test_english_text(config, title: str, body: str, primary: str) -> None:
    assert classify(config, title, body)[0] == primary


def test_title_outweighs_body(config) -> None:
    # One title hit (x3) beats two body hits.
    assert classify(config, "Kiev demande de l'aide", "La Chine et Pékin observent.")[0] == "ukraine"
    # …and three body hits beat one title hit.
    body = "La Chine, Pékin, Xi Jinping et les chinois observent."
    assert classify(config, "Kiev demande de l'aide", body)[0] == "china"


@pytest.mark.parametrize("text", ["COREE DU NORD", "coree du nord", "Corée  du\nNord", "CORÉE DU NORD",
                                  "la corée du nord", "pyongyang", "PYONGYANG", "Kim Jong-Un"])
def test_accent_case_and_space_insensitive(config, text: str) -> None:
    assert classify(config, "", text) == ["north-korea"]


@pytest.mark.parametrize("text, topic", [("pekin", "china"), ("PÉKIN", "china"), ("economie", "economy"),
                                         ("ÉLECTIONS", "elections"), ("Israel", "middle-east"),
                                         ("Israël", "middle-east")])
def test_accents_either_side(config, text: str, topic: str) -> None:
    assert classify(config, text, "") == [topic]


@pytest.mark.parametrize("text", ["Irandoust", "Malinois", "Gazaoui", "armistice", "carmes", "ballots"])
def test_whole_words_only(config, text: str) -> None:
    assert classify(config, text, text) == ["general"]


@pytest.mark.parametrize("title, body", [("", ""), ("Un titre banal", "Un texte sans aucun mot-clé."),
                                         ("Weather", "Sunny with a light breeze.")])
def test_default_topic_when_nothing_matches(config, title: str, body: str) -> None:
    assert classify(config, title, body) == [config.default_topic] == ["general"]


def test_weak_secondary_topics_are_dropped(config) -> None:
    body = " ".join(["Pyongyang"] * 10) + " missile"
    assert classify(config, "", body) == ["north-korea"]  # defence scores 1, under 20 % of 10


def test_at_most_three_topics(config) -> None:
    body = "Pyongyang missile Ukraine Chine inflation pétrole climat élection Gaza Sahel santé"
    topics = classify(config, "", body)
    assert len(topics) == 3
    assert len(set(topics)) == 3


@given(st.text(alphabet=st.sampled_from("aAéÉeE’‘ʼ'ﬁİßÇç \u0301\u0327-Ω日"), max_size=40) | st.text(max_size=40))
def test_folding_is_lowercase_without_accents_and_with_plain_apostrophes(text: str) -> None:
    """`fold` (fast paths for ASCII text and apostrophes) against its definition."""
    definition = "".join(c for c in unicodedata.normalize(
        "NFKD", text.casefold().translate(str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})))
        if not unicodedata.combining(c) or ord(c) > 0xFFFF)
    assert fold(text) == definition
