"""Topic classification from the keyword rules in config.yaml.

Matching ignores case and accents and respects word boundaries ("Iran" does
not match "Irandoust", "Gaza" is not "gaz"); a hit in the title counts three
times a hit in the body. A briefing gets the topics that score, best first,
or the default topic.

Text and keywords are both cut into words, and one pass over the text's words
finds every rule's keywords at once (a dictionary from a keyword's first word
to the keywords starting with it): an import of 10,000 briefings does not run
a dozen regular expressions over each of them.

A keyword written in a script without spaces between words (Chinese, Japanese,
Thai, and Korean, whose words carry their particles: 북한이, 북한은) has no word
boundaries to respect: it matches anywhere inside the text (`北朝鮮` in
`北朝鮮が発射した`). Those run one regular expression per topic, and only over
text that holds one of those scripts.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

from .config import Config, TopicRule
from .language import is_unspaced
from .text import fold

TITLE_WEIGHT = 3
MAX_TOPICS = 3
MIN_SHARE = 0.2
"""A secondary topic must score at least this share of the primary's score."""

_WORD = re.compile("[\\w\u0900-\u0963\u0966-\u0dff\u0f18-\u109f\u1780-\u17d3\ua800-\uabff]+")
"""A word: letters and digits, and in the Brahmic scripts (Devanagari to Sinhala, Tibetan,
Myanmar, Khmer…) their vowel signs too, which `\\w` does not match (`मिसाइल` would be cut
in three); their dandas `।` `॥` end a sentence, not a word. As ranges, this is as fast
as `\\w+` on Latin text."""
Index = dict[str, list[tuple[tuple[str, ...], str]]]


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def keyword_index(rules: tuple[TopicRule, ...]) -> Index:
    return _keyword_index(tuple((rule.slug, rule.match) for rule in rules))


@lru_cache(maxsize=16)
def _keyword_index(rules: tuple[tuple[str, tuple[str, ...]], ...]) -> Index:
    """First word -> [(keyword words, topic slug)], longest keyword first; keywords in a script
    without spaces are matched inside the text instead (`_inside_patterns`)."""
    index: Index = {}
    for slug, match in rules:
        for keyword in sorted({tuple(words(m)) for m in match if not is_unspaced(m)} - {()}):
            index.setdefault(keyword[0], []).append((keyword, slug))
    for entries in index.values():
        entries.sort(key=lambda entry: -len(entry[0]))
    return index


def count_hits(tokens: list[str], index: Index) -> Counter[str]:
    """Keyword hits per topic; within a topic, hits do not overlap (the longest keyword wins)."""
    hits: Counter[str] = Counter()
    free_from: dict[str, int] = {}
    starts = [i for i, token in enumerate(tokens) if token in index]  # a few of a body's 600 words
    for i in starts:
        for keyword, slug in index[tokens[i]]:
            if free_from.get(slug, 0) <= i and tuple(tokens[i:i + len(keyword)]) == keyword:
                hits[slug] += 1
                free_from[slug] = i + len(keyword)
    return hits


def _normal(text: str) -> str:
    """The form in which keywords match inside text: NFKC (one form for full- and half-width
    kana, for Hangul syllables) and case-folded."""
    return unicodedata.normalize("NFKC", text).casefold()


@lru_cache(maxsize=16)
def _inside_patterns(rules: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Per topic with keywords in a script without spaces: one pattern of them, longest first,
    so that hits do not overlap (`北朝鮮` counts once, not again as `朝鮮`)."""
    found = []
    for slug, match in rules:
        inside = sorted({_normal(m.strip()) for m in match if is_unspaced(m)}, key=lambda k: (-len(k), k))
        if inside:
            found.append((slug, re.compile("|".join(map(re.escape, inside)))))
    return tuple(found)


def count_inside(text: str, patterns: tuple[tuple[str, re.Pattern[str]], ...]) -> Counter[str]:
    """Hits per topic of the keywords that match inside words: only in text that has some
    of those scripts (one scan of a French briefing, 15 µs, instead of a pattern per topic)."""
    hits: Counter[str] = Counter()
    if patterns and is_unspaced(text):
        normal = _normal(text)
        for slug, pattern in patterns:
            count = len(pattern.findall(normal))
            if count:
                hits[slug] += count
    return hits


def scores(config: Config, title: str, body: str) -> Counter[str]:
    rules = tuple((rule.slug, rule.match) for rule in config.topics)
    index, inside = _keyword_index(rules), _inside_patterns(rules)
    result = count_hits(words(body), index) + count_inside(body, inside)
    for slug, hits in (count_hits(words(title), index) + count_inside(title, inside)).items():
        result[slug] += TITLE_WEIGHT * hits
    return result


def classify(config: Config, title: str, body: str) -> list[str]:
    """Topic slugs for a briefing, primary first (ties: the order of config.yaml); never empty."""
    found = scores(config, title, body)
    order = {rule.slug: i for i, rule in enumerate(config.topics)}
    ranked = sorted((slug for slug in found if found[slug] > 0), key=lambda s: (-found[s], order[s]))
    if not ranked:
        return [config.default_topic]
    top = found[ranked[0]]
    return [slug for slug in ranked[:MAX_TOPICS] if found[slug] >= top * MIN_SHARE]
