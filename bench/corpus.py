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
import re
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
# What the paragraph filler aims at, leaving room for the last sentence's
# overshoot; the rare body that still leaves BODY_WORDS (~0.04 %) is redrawn.
BODY_TARGET = (420, 740)

TOPIC_SLUGS: tuple[str, ...] = tuple(KEYWORDS)
# Weight 1/rank in the order of KEYWORDS: north-korea ~32 %, health ~3 %.
TOPIC_CUM_WEIGHTS: tuple[float, ...] = tuple(
    itertools.accumulate(1 / rank for rank in range(1, len(TOPIC_SLUGS) + 1))
)
SENTENCE_KINDS = ("generic", "topic", "quote", "topic_quote", "numeric")
SENTENCE_CUM_WEIGHTS: tuple[int, ...] = tuple(itertools.accumulate((34, 27, 17, 5, 17)))
# Sentences about the secondary topic: enough for the engine's classifier to
# keep it (it drops topics scoring under a fifth of the primary's score).
SECONDARY_SENTENCES = (3, 6)
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


# A compiled template: (literal, slot or None, capitalise?) triples.  Parsing
# `{slot}` once at import instead of per sentence (str.format_map calling back
# into Python for every slot) is what keeps 100,000 briefings fast.
Template = tuple[tuple[str, "str | None", bool], ...]
Pool = tuple  # of str, compiled Template, or (singular, plural) pairs for verbs
VERB_SLOTS = frozenset({"verb", "averb", "dverb"})
NUMBER_RANGES = {"n": (2, 95), "m": (2, 36), "year": (1975, 2014)}


def compile_template(text: str) -> Template:
    """Split "{Subj} {verb} ..." into literal/slot parts; a capital asks for capitals."""
    pieces = re.split(r"\{(\w+)\}", text)
    parts = []
    for i in range(0, len(pieces), 2):
        slot = pieces[i + 1] if i + 1 < len(pieces) else None
        parts.append((pieces[i], slot and slot.lower(), bool(slot and slot[0].isupper())))
    return tuple(parts)


def compile_pool(values: Sequence) -> Pool:
    """Templates for values that hold slots, plain strings (and verb pairs) as they are."""
    return tuple(compile_template(v) if isinstance(v, str) and "{" in v else v for v in values)


def build_pools() -> dict[str, dict[str, dict[str, Pool]]]:
    """language -> topic -> slot -> pool; topic lists next to the generic ones.

    The topic's own subheadings are kept under "topic_subhead" so that
    "subhead" still means the generic ones.
    """
    pools: dict[str, dict[str, dict[str, Pool]]] = {}
    for lang, generic in GENERIC.items():
        base = {slot: compile_pool(values) for slot, values in generic.items()}
        for slot in VERB_SLOTS:
            base[slot] = (tuple(v[0] for v in generic[slot]), tuple(v[1] for v in generic[slot]))
        pools[lang] = {}
        for topic, langs in TOPICS.items():
            own = {("topic_subhead" if slot == "subhead" else slot): compile_pool(values)
                   for slot, values in langs[lang].items()}
            pools[lang][topic] = {**base, **own}
    return pools


POOLS = build_pools()
COMPILED_TEMPLATES: dict[str, dict[str, tuple[Template, ...]]] = {
    lang: {kind: compile_pool(texts) for kind, texts in kinds.items()}
    for lang, kinds in TEMPLATES.items()
}
# French subjects that take a plural verb ("les autorités ont annoncé").
PLURAL_SUBJECTS: dict[str, frozenset[str]] = {
    "fr": frozenset(v for pools in POOLS["fr"].values() for slot in ("subj", "actor")
                    for v in pools[slot] if v.split(" ", 1)[0] in PLURAL_DETERMINERS),
    "en": frozenset(),
}


class Filler:
    """Fills templates for one briefing, in one language and about one topic.

    Slots are filled left to right, so a French subject can decide whether
    the verb after it takes "a" or "ont".  `fixed` holds per-briefing values
    such as the date phrase.
    """

    def __init__(self, rng: random.Random, lang: str, topic: str) -> None:
        self.random = rng.random
        self.lang = lang
        self.pools = POOLS[lang][topic]
        self.templates = COMPILED_TEMPLATES[lang]
        self.plural_subjects = PLURAL_SUBJECTS[lang]
        self.plural = False
        self.fixed: dict[str, str] = {}

    def pick(self, seq: Sequence):
        """Uniform choice; one C call instead of Random.choice's bit loop."""
        return seq[int(self.random() * len(seq))]

    def fill(self, template: Template) -> str:
        """The template with every slot drawn; kept in one loop because it is the hot path."""
        rnd = self.random
        pools = self.pools
        out = []
        for literal, slot, cap in template:
            out.append(literal)
            if slot is None:
                continue
            pool = pools.get(slot)
            if pool is None:
                value = self.fixed[slot] if slot in self.fixed else self.number(slot)
            else:
                if slot in VERB_SLOTS:
                    pool = pool[self.plural]
                value = pool[int(rnd() * len(pool))]
                if value.__class__ is not str:
                    value = self.fill(value)
                elif slot == "subj" or slot == "actor":
                    self.plural = value in self.plural_subjects
            out.append(value[:1].upper() + value[1:] if cap else value)
        return "".join(out)

    def number(self, slot: str) -> str:
        """Plausible figures: percentages with the language's decimal mark."""
        if slot == "pct":
            text = f"{1 + self.random() * 12:.1f}"
            return text.replace(".", ",") if self.lang == "fr" else text
        low, high = NUMBER_RANGES[slot]
        return str(low + int(self.random() * (high - low + 1)))

    def render(self, kind: str) -> str:
        """One sentence from a random template of the given kind."""
        return self.fill(self.pick(self.templates[kind]))

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
    words = GENERIC[f.lang]
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
    pool = f.pools["topic_subhead" if f.random() < 0.5 else "subhead"]
    value = f.pick(pool)
    return value if isinstance(value, str) else f.fill(value)


def make_bullets(f: Filler, rng: random.Random) -> str:
    """A 3-5 item list, items ending in ";" and the last in "."."""
    pool = [v for v in f.pools["obj"] + f.pools["term"] if isinstance(v, str)]
    items = rng.sample(pool, rng.randint(3, 5))
    gap = " " if f.lang == "fr" else ""
    lines = [f"- {item}{gap};" for item in items[:-1]]
    lines.append(f"- {items[-1]}.")
    return "\n".join(lines)


def sentence_words(sentence: str) -> int:
    """Word count of one generated sentence; templates use single spaces, so
    counting spaces gives what split() would, without building a list."""
    return sentence.count(" ") + 1


def fill_paragraph(f: Filler, sentences: list[str], budget: float) -> tuple[list[str], int]:
    """Append body sentences until the paragraph reaches its word budget."""
    words = sum(map(sentence_words, sentences))
    while words < budget or not sentences:
        sentence = f.sentence()
        sentences.append(sentence)
        words += sentence_words(sentence)
    return sentences, words


@dataclass(frozen=True)
class Layout:
    """Where the optional pieces go, drawn once per briefing."""

    target: int
    paragraphs: int
    subheading_before: int | None
    bullets_after: int | None
    secondary_in: tuple[int, ...]  # paragraph per secondary-topic sentence


def draw_layout(rng: random.Random, has_secondary: bool) -> Layout:
    """Length, paragraph count and placement of subheading, list and secondary topic."""
    paragraphs = rng.randint(*PARAGRAPHS)
    subheading = rng.randint(2, paragraphs - 1) if rng.random() < SUBHEADING_SHARE else None
    bullets = rng.randint(1, paragraphs - 2) if rng.random() < BULLET_LIST_SHARE else None
    secondary = tuple(rng.choices(range(1, paragraphs), k=rng.randint(*SECONDARY_SENTENCES))) if has_secondary else ()
    return Layout(rng.randint(*BODY_TARGET), paragraphs, subheading, bullets, secondary)


def build_body(f: Filler, f2: Filler | None, rng: random.Random, lead: str,
               layout: Layout) -> tuple[list[str], int]:
    """Paragraphs (and subheading, list) filling the layout's word target; and their word count."""
    blocks: list[str] = []
    used = 0
    for k in range(layout.paragraphs):
        if k == layout.subheading_before:
            blocks.append(make_subheading(f))
            used += count_words(blocks[-1])
        budget = (layout.target - used) / (layout.paragraphs - k)
        sentences, words = fill_paragraph(f, [lead] if k == 0 else [], budget)
        extras = []
        for _ in range(layout.secondary_in.count(k) if f2 is not None else 0):
            extras.append(f2.render("topic"))
            sentences.insert(rng.randint(0, len(sentences)), extras[-1])
        if k == layout.bullets_after:
            extras.append(f.render("bullet_intro"))
            sentences.append(extras[-1])
        blocks.append(" ".join(sentences))
        used += words + sum(map(sentence_words, extras))
        if k == layout.bullets_after:
            blocks.append(make_bullets(f, rng))
            used += count_words(blocks[-1])
    return blocks, used


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
    f.fixed["date"] = date_phrase(f, day, month_only)
    lead = f.render("lead")
    while True:  # redraw the rare body whose last sentence overshoots
        blocks, words = build_body(f, f2, rng, lead, draw_layout(rng, f2 is not None))
        if BODY_WORDS[0] <= words <= BODY_WORDS[1]:
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
