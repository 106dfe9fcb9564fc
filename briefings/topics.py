"""Topic classification from the keyword rules in config.yaml.

Matching ignores case and accents and respects word boundaries ("Iran" does
not match "Irandoust", "Gaza" is not "gaz"); a hit in the title counts three
times a hit in the body. A briefing gets the topics that score, best first,
or the default topic.

Text and keywords are both cut into words, and one pass over the text's words
finds every rule's keywords at once (a dictionary from a keyword's first word
to the keywords starting with it): an import of 10,000 briefings does not run
a dozen regular expressions over each of them.
"""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from .config import Config, TopicRule
from .text import fold

TITLE_WEIGHT = 3
MAX_TOPICS = 3
MIN_SHARE = 0.2
"""A secondary topic must score at least this share of the primary's score."""

_WORD = re.compile(r"\w+")
Index = dict[str, list[tuple[tuple[str, ...], str]]]


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def keyword_index(rules: tuple[TopicRule, ...]) -> Index:
    return _keyword_index(tuple((rule.slug, rule.match) for rule in rules))


@lru_cache(maxsize=16)
def _keyword_index(rules: tuple[tuple[str, tuple[str, ...]], ...]) -> Index:
    """First word -> [(keyword words, topic slug)], longest keyword first."""
    index: Index = {}
    for slug, match in rules:
        for keyword in sorted({tuple(words(m)) for m in match} - {()}):
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


def scores(config: Config, title: str, body: str) -> Counter[str]:
    index = keyword_index(config.topics)
    result = count_hits(words(body), index)
    for slug, hits in count_hits(words(title), index).items():
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
