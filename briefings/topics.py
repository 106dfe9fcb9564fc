"""Topic classification from the keyword rules in config.yaml.

Matching ignores case and accents and respects word boundaries ("Iran" does
not match "Irandoust"); a hit in the title counts three times a hit in the
body. A briefing gets the topics that score, best first, or the default topic.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .config import Config, TopicRule

TITLE_WEIGHT = 3
MAX_TOPICS = 3
MIN_SHARE = 0.2
"""A secondary topic must score at least this share of the primary's score."""


def fold(text: str) -> str:
    """Lowercase without accents or typographic apostrophes: the form both sides are matched in."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=256)
def _pattern(match: tuple[str, ...]) -> re.Pattern[str] | None:
    phrases = sorted({fold(m).strip() for m in match if m.strip()}, key=len, reverse=True)
    if not phrases:
        return None
    words = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in phrases)
    return re.compile(rf"(?<!\w)(?:{words})(?!\w)")


def score(rule: TopicRule, title: str, body: str) -> int:
    pattern = _pattern(rule.match)
    if pattern is None:
        return 0
    return TITLE_WEIGHT * len(pattern.findall(title)) + len(pattern.findall(body))


def classify(config: Config, title: str, body: str) -> list[str]:
    """Topic slugs for a briefing, primary first; never empty."""
    folded_title, folded_body = fold(title), fold(body)
    scores = {rule.slug: score(rule, folded_title, folded_body) for rule in config.topics}
    ranked = sorted((s, -i, slug) for i, (slug, s) in enumerate(scores.items()) if s > 0)
    ranked.reverse()
    if not ranked:
        return [config.default_topic]
    top = ranked[0][0]
    return [slug for s, _, slug in ranked[:MAX_TOPICS] if s >= top * MIN_SHARE]
