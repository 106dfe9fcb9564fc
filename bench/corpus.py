"""Deterministic synthetic corpus of raw briefings, for benchmarking the engine.

The real archive ships a single seed, but import and build have to be timed
at 1,000 to 100,000 briefings.  This module writes seeds that look like the
real one where it matters to the engine: the ` date ...` header line, French
and English text with «guillemets», subheadings, occasional bullet lists,
mixed date precision and an uneven (Zipf-like) spread of topics whose
keywords the engine's classifier matches on.

Each file is a pure function of (seed, index): its text comes from its own
`random.Random` seeded with both, never from the global generator.  So two
runs are byte-identical, and a 1,000-file corpus holds the same briefings as
the first 1,000 of a 100,000-file one (only the zero-padding of the file
names depends on n).

Usage: python -m bench.corpus OUT_DIR N [--seed S]
"""

from __future__ import annotations

import argparse
import calendar
import datetime
import hashlib
import itertools
import random
import time
from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.corpus_vocab import GENERIC, KEYWORDS, TEMPLATES, TOPICS

FRENCH_SHARE = 0.55
SECONDARY_TOPIC_SHARE = 0.30
SUBHEADING_SHARE = 0.85
BULLET_LIST_SHARE = 0.20
MONTH_ONLY_SHARE = 0.25
YEARS = (2015, 2024)
PARAGRAPHS = (4, 9)
HEADLINE_WORDS = (8, 16)
# Body words; with a headline of at most 16 words the whole briefing stays in
# 400-800 whichever of the two one counts.
BODY_WORDS = (400, 800 - HEADLINE_WORDS[1])
# What the paragraph filler aims at; one sentence of overshoot stays in range.
BODY_TARGET = (420, 740)

TOPIC_SLUGS: tuple[str, ...] = tuple(KEYWORDS)
# Weight 1/rank in the order of KEYWORDS: north-korea ~32 %, health ~3 %.
TOPIC_CUM_WEIGHTS: tuple[float, ...] = tuple(
    itertools.accumulate(1 / rank for rank in range(1, len(TOPIC_SLUGS) + 1))
)
SENTENCE_KINDS = ("generic", "topic", "quote", "topic_quote", "numeric")
SENTENCE_CUM_WEIGHTS: tuple[int, ...] = tuple(itertools.accumulate((30, 35, 14, 6, 15)))
PLURAL_DETERMINERS = frozenset({"les", "des", "plusieurs"})


@dataclass(frozen=True)
class Briefing:
    """One synthetic briefing, with the facts a sanity check wants to compare."""

    index: int
    ident: str
    lang: str
    date: str
    topic: str
    secondary: str | None
    headline: str
    blocks: tuple[str, ...]

    def text(self) -> str:
        """Seed-file text; like the real seed, no newline after the last line."""
        return f" date {self.date} {self.headline}\n\n" + "\n\n".join(self.blocks)


def capitalize(text: str) -> str:
    """Upper-case only the first character, leaving "Jong-un" or "KCNA" alone."""
    return text[:1].upper() + text[1:]


def count_words(text: str) -> int:
    """Whitespace-separated tokens, not counting bullet markers."""
    tokens = text.split()
    return len(tokens) - tokens.count("-")


class Filler(dict):
    """Draws slot values for `str.format_map`, one briefing, language and topic.

    A dict so that format_map calls `__missing__` once per slot, left to right:
    that lets a French subject decide whether the verb after it takes "a" or
    "ont".  Values stored in the dict itself (the date phrase) are fixed.
    """

    def __init__(self, rng: random.Random, lang: str, topic: str) -> None:
        super().__init__()
        self.random = rng.random
        self.lang = lang
        self.generic = GENERIC[lang]
        self.topical = TOPICS[topic][lang]
        self.plural = False

    def pick(self, seq: Sequence):
        """Uniform choice; one C call instead of Random.choice's bit loop."""
        return seq[int(self.random() * len(seq))]

    def __missing__(self, key: str) -> str:
        base = key.lower()
        value = dict.get(self, base)
        if value is None:
            value = self.draw(base)
        if "{" in value:
            value = value.format_map(self)
        return capitalize(value) if key[0].isupper() else value

    def draw(self, slot: str) -> str:
        """A fresh value for a slot; numbers are made up, words come from lists."""
        if slot in ("verb", "averb", "dverb"):
            return self.pick(self.generic[slot])[self.plural]
        if slot in ("n", "m", "pct", "year"):
            return self.number(slot)
        pool = self.topical.get(slot) if slot != "subhead" else None
        value = self.pick(pool or self.generic[slot])
        if slot in ("subj", "actor"):
            self.plural = self.lang == "fr" and value.split(" ", 1)[0] in PLURAL_DETERMINERS
        return value

    def number(self, slot: str) -> str:
        """Plausible figures: percentages with the language's decimal mark."""
        if slot == "pct":
            text = f"{1 + self.random() * 12:.1f}"
            return text.replace(".", ",") if self.lang == "fr" else text
        low, high = {"n": (2, 95), "m": (2, 36), "year": (1975, 2014)}[slot]
        return str(low + int(self.random() * (high - low + 1)))

    def render(self, kind: str) -> str:
        """One sentence from a random template of the given kind."""
        return self.pick(TEMPLATES[self.lang][kind]).format_map(self)

    def sentence(self) -> str:
        """One body sentence, its kind drawn by weight."""
        kind = SENTENCE_KINDS[bisect(SENTENCE_CUM_WEIGHTS, self.random() * SENTENCE_CUM_WEIGHTS[-1])]
        return self.render(kind)


def seed_id(seed: int, index: int) -> str:
    """16 hex digits from (seed, index), stable across runs and Python versions."""
    return hashlib.blake2b(f"{seed}:{index}".encode(), digest_size=8).hexdigest()


def file_name(index: int, n: int, ident: str) -> str:
    """`NNN_<hex>.txt`, padded so names sort like indexes; wider from 1,000 on."""
    width = 3 if n < 1000 else max(6, len(str(n - 1)))
    return f"{index:0{width}d}_{ident}.txt"


def draw_topic(rng: random.Random, exclude: str | None = None) -> str:
    """A Zipf-weighted topic slug, optionally different from `exclude`."""
    while True:
        slug = TOPIC_SLUGS[bisect(TOPIC_CUM_WEIGHTS, rng.random() * TOPIC_CUM_WEIGHTS[-1])]
        if slug != exclude:
            return slug


def draw_date(rng: random.Random) -> tuple[str, datetime.date, bool]:
    """Header date text, the day it stands for, and whether it is month-only."""
    year = rng.randint(*YEARS)
    month = rng.randint(1, 12)
    if rng.random() < MONTH_ONLY_SHARE:
        return f"{year:04d}-{month:02d}", datetime.date(year, month, 1), True
    day = rng.randint(1, calendar.monthrange(year, month)[1])
    return f"{year:04d}-{month:02d}-{day:02d}", datetime.date(year, month, day), False


def date_phrase(f: Filler, day: datetime.date, month_only: bool) -> str:
    """How the lead sentence dates the news: "ce lundi 14 août", "in mid-March"."""
    words = f.generic
    month = words["month"][day.month - 1]
    if f.lang == "fr":
        if month_only:
            return f.pick((f"début {month}", f"à la mi-{month}", f"fin {month}", f"en {month} {day.year}"))
        number = "1er" if day.day == 1 else str(day.day)
        return f"ce {words['weekday'][day.weekday()]} {number} {month}"
    if month_only:
        return f.pick((f"in early {month}", f"in mid-{month}", f"in late {month}", f"in {month} {day.year}"))
    return f"on {words['weekday'][day.weekday()]}, {month} {day.day}"


def make_headline(f: Filler) -> str:
    """A headline sentence naming the topic, redrawn until it has 8-16 words."""
    low, high = HEADLINE_WORDS
    for _ in range(1000):
        headline = f.render("headline")
        if low <= count_words(headline) <= high:
            return headline
    raise RuntimeError("no headline of the wanted length; check the word lists")


def make_subheading(f: Filler) -> str:
    """A short line without final punctuation, half topical, half generic."""
    pool = f.topical["subhead"] if f.random() < 0.5 else f.generic["subhead"]
    return f.pick(pool).format_map(f)


def make_bullets(f: Filler, rng: random.Random) -> str:
    """A 3-5 item list, items ending in ";" and the last in "."."""
    items = rng.sample(f.generic["obj"] + f.topical["term"], rng.randint(3, 5))
    gap = " " if f.lang == "fr" else ""
    lines = [f"- {item}{gap};" for item in items[:-1]]
    lines.append(f"- {items[-1]}.")
    return "\n".join(lines)


def fill_paragraph(f: Filler, sentences: list[str], budget: float) -> list[str]:
    """Append body sentences until the paragraph reaches its word budget."""
    words = sum(count_words(s) for s in sentences)
    while words < budget or not sentences:
        sentence = f.sentence()
        sentences.append(sentence)
        words += count_words(sentence)
    return sentences


@dataclass(frozen=True)
class Layout:
    """Where the optional pieces go, drawn once per briefing."""

    target: int
    paragraphs: int
    subheading_before: int | None
    bullets_after: int | None
    secondary_in: frozenset[int]


def draw_layout(rng: random.Random, has_secondary: bool) -> Layout:
    """Length, paragraph count and placement of subheading, list and secondary topic."""
    paragraphs = rng.randint(*PARAGRAPHS)
    subheading = rng.randint(2, paragraphs - 1) if rng.random() < SUBHEADING_SHARE else None
    bullets = rng.randint(1, paragraphs - 2) if rng.random() < BULLET_LIST_SHARE else None
    secondary = frozenset(rng.sample(range(1, paragraphs), rng.randint(1, 2))) if has_secondary else frozenset()
    return Layout(rng.randint(*BODY_TARGET), paragraphs, subheading, bullets, secondary)


def build_body(f: Filler, f2: Filler | None, rng: random.Random, lead: str, layout: Layout) -> list[str]:
    """Paragraphs (and subheading, list) filling the layout's word target."""
    blocks: list[str] = []
    used = 0
    for k in range(layout.paragraphs):
        if k == layout.subheading_before:
            blocks.append(make_subheading(f))
            used += count_words(blocks[-1])
        budget = (layout.target - used) / (layout.paragraphs - k)
        sentences = fill_paragraph(f, [lead] if k == 0 else [], budget)
        if f2 is not None and k in layout.secondary_in:
            sentences.insert(rng.randint(1 if k == 0 else 0, len(sentences)), f2.render("topic"))
        if k == layout.bullets_after:
            sentences.append(f.render("bullet_intro"))
        blocks.append(" ".join(sentences))
        used += sum(count_words(s) for s in sentences)
        if k == layout.bullets_after:
            blocks.append(make_bullets(f, rng))
            used += count_words(blocks[-1])
    return blocks


def make_briefing(index: int, seed: int = 0) -> Briefing:
    """The briefing at `index` of the corpus for `seed`, independent of n."""
    rng = random.Random(f"bench.corpus:{seed}:{index}")
    lang = "fr" if rng.random() < FRENCH_SHARE else "en"
    topic = draw_topic(rng)
    secondary = draw_topic(rng, exclude=topic) if rng.random() < SECONDARY_TOPIC_SHARE else None
    header_date, day, month_only = draw_date(rng)
    f = Filler(rng, lang, topic)
    f2 = Filler(rng, lang, secondary) if secondary else None
    headline = make_headline(f)
    f["date"] = date_phrase(f, day, month_only)
    lead = f.render("lead")
    while True:  # redraw the rare body whose last sentence overshoots
        blocks = build_body(f, f2, rng, lead, draw_layout(rng, f2 is not None))
        if BODY_WORDS[0] <= sum(count_words(b) for b in blocks) <= BODY_WORDS[1]:
            break
    return Briefing(index, seed_id(seed, index), lang, header_date, topic, secondary, headline, tuple(blocks))


def write_seeds(folder: Path, n: int, seed: int = 0) -> list[Path]:
    """Write n seed files into folder (created if needed) and return their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(n):
        briefing = make_briefing(index, seed)
        path = folder / file_name(index, n, briefing.ident)
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(briefing.text())
        paths.append(path)
    return paths


def main(argv: Sequence[str] | None = None) -> None:
    """CLI entry point: write the corpus and say how long it took."""
    parser = argparse.ArgumentParser(prog="python -m bench.corpus", description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path, help="folder to write the seed files into")
    parser.add_argument("n", type=int, help="number of briefings")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    args = parser.parse_args(argv)
    if args.n < 0:
        parser.error("N must be >= 0")
    start = time.perf_counter()
    paths = write_seeds(args.out_dir, args.n, args.seed)
    elapsed = time.perf_counter() - start
    print(f"wrote {len(paths)} seeds to {args.out_dir} in {elapsed:.2f}s")


if __name__ == "__main__":
    main()
