"""The model: briefings grouped the ways readers browse them (by topic, month, year),
with each briefing's neighbours and related briefings. Pure data, computed once per build.
"""
from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from . import urls
from .config import Config
from .content import Briefing
from .dates import BriefingDate

RELATED_WINDOW = 8
"""How many briefings on each side, per shared topic, are considered as related."""


class TopicPaths:
    """Where the pages of a topic live, for anything with a `slug` (topics, summaries, references)."""

    __slots__ = ()
    slug: str

    @property
    def path(self) -> str:
        return urls.topic_path(self.slug)

    @property
    def feed_path(self) -> str:
        return urls.topic_feed_path(self.slug)


@dataclass(frozen=True, slots=True)
class Topic(TopicPaths):
    slug: str
    name: str
    briefings: tuple[Briefing, ...]
    years: tuple[Year, ...] = ()
    """The topic's briefings by year and month, newest first: its topic × year pages."""

    FINGERPRINT_FIELDS = ("slug", "name", "briefings")
    """`years` is derived from the briefings."""

    @property
    def count(self) -> int:
        return len(self.briefings)

    def ref(self) -> TopicRef:
        return TopicRef(self.slug, self.name)

    def summary(self) -> TopicSummary:
        years = Counter(b.date.year for b in self.briefings)
        return TopicSummary(len(self.briefings), tuple(sorted(years.items(), reverse=True)))


@dataclass(frozen=True, slots=True)
class TopicRef(TopicPaths):
    """A topic by name and pages, without its briefings: what a page that links to a
    topic, or lists part of it, holds; editing or adding a briefing leaves it unchanged."""

    slug: str
    name: str


class AuthorPaths:
    """Where the pages of an author live, for anything with a `slug` (authors, references)."""

    __slots__ = ()
    slug: str

    @property
    def path(self) -> str:
        return urls.author_path(self.slug)

    @property
    def feed_path(self) -> str:
        return urls.author_feed_path(self.slug)


@dataclass(frozen=True, slots=True)
class Author(AuthorPaths):
    """Someone who wrote briefings (`authors:`), with their briefings, newest first."""

    slug: str
    name: str
    """Spelt as across the site (one_spelling)."""
    briefings: tuple[Briefing, ...]

    @property
    def count(self) -> int:
        return len(self.briefings)

    def ref(self) -> AuthorRef:
        return AuthorRef(self.slug, self.name)


@dataclass(frozen=True, slots=True)
class AuthorRef(AuthorPaths):
    """An author by name and page, without their briefings (as TopicRef is for a topic)."""

    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class TopicSummary:
    """What a topic's newest page shows of the whole topic, without its briefings: counts
    change with every briefing added, so the older pages, which never change, do not show them."""

    count: int
    years: tuple[tuple[int, int], ...]
    """(year, briefings that year), newest first."""


@dataclass(frozen=True, slots=True)
class Month:
    date: BriefingDate
    briefings: tuple[Briefing, ...]

    @property
    def path(self) -> str:
        assert self.date.month is not None, "a month is dated to its month"
        return urls.month_path(self.date.year, self.date.month)


@dataclass(frozen=True, slots=True)
class Year:
    year: int
    months: tuple[Month, ...]
    year_only: tuple[Briefing, ...]
    """Briefings dated only by their year: they belong to no month."""

    @property
    def path(self) -> str:
        return urls.year_path(self.year)

    @property
    def count(self) -> int:
        return len(self.year_only) + sum(len(m.briefings) for m in self.months)

    @property
    def briefings(self) -> tuple[Briefing, ...]:
        """The year's briefings, newest first as in the archive: its months', then those
        dated by the year alone, which sort after every month of it."""
        return (*(b for m in self.months for b in m.briefings), *self.year_only)


@dataclass(frozen=True, slots=True)
class NavLink:
    """A page without a date as the navigation shows it: what every page of the site holds
    of it (not the page itself: editing its text re-renders no other page)."""

    title: str
    path: str
    lang: str


@dataclass(frozen=True, slots=True)
class TopicYear:
    """One topic's briefings of one year, by month (anchored `#2022-05`): the page a topic's
    count for that year, and a month page's chip for the topic, link to."""

    topic: TopicRef
    year: Year

    @property
    def path(self) -> str:
        return urls.topic_year_path(self.topic.slug, self.year.year)


@dataclass(frozen=True, slots=True)
class Archive:
    briefings: tuple[Briefing, ...]
    """Newest first."""
    topics: tuple[Topic, ...]
    """Most briefings first."""
    years: tuple[Year, ...]
    """Newest first, months newest first."""
    previous: dict[str, Briefing | None]
    """Briefing path -> the next older briefing."""
    next: dict[str, Briefing | None]
    """Briefing path -> the next newer briefing."""
    related: dict[str, tuple[Briefing, ...]]
    pages: tuple[Briefing, ...] = ()
    """The pages without a date (content/pages/), in navigation order: by `nav_order`, then
    those without one, by title. Every page of the site lists them in its navigation."""
    authors: tuple[Author, ...] = ()
    """Everyone who wrote a dated briefing, by name."""

    shape_key: str = field(default="", repr=False)
    """Digest of everything the archive's shape comes from: each briefing's file, page, date,
    topics, language and id, in order, and how many related briefings are shown. Two archives
    with one shape key group, order, relate and translate their briefings alike; only what
    the briefings say can differ. Related briefings (RelatedMemo) and page fingerprints
    (fingerprints.py) are reused while it holds."""

    FINGERPRINT_FIELDS = ("briefings", "pages")
    """The rest is derived from the briefings and the config (see build_archive), and every
    page fingerprint covers the config: hashing it again would cost a tenth of a second."""

    @property
    def navigation(self) -> tuple[NavLink, ...]:
        return tuple(NavLink(p.title, p.path, p.lang) for p in self.pages)

    @property
    def months(self) -> tuple[Month, ...]:
        return tuple(m for y in self.years for m in y.months)

    def topic(self, slug: str) -> Topic | None:
        return next((t for t in self.topics if t.slug == slug), None)


def newest_first(briefing: Briefing) -> tuple[int, int, int, str]:
    """Sort key: date descending, then file path so equal dates keep a stable order."""
    year, month, day = briefing.date.sort_key
    return (-year, -month, -day, briefing.file)


@dataclass(frozen=True)
class RelatedMemo:
    """Each briefing's related briefings (by page path), with the archive's shape key, which
    covers everything they were chosen from. A build with the same key reuses them instead
    of choosing them again (a fifth of a one-edit rebuild at 10,000 briefings); editing a
    text never changes it.

    When the shape changed (a briefing added, removed, redated or retopicked), only the
    briefings whose candidates may differ are chosen again: those near a change in one of
    their topics (see `_unsettled`). `topics` keeps each topic's briefings, as shape
    digests in order, to find where the changes are."""

    key: str
    paths: dict[str, tuple[str, ...]]
    count: int
    """How many related briefings each shows (config `related`)."""
    topics: dict[str, tuple[bytes, ...]]


def build_archive(briefings: list[Briefing], config: Config, memo: RelatedMemo | None = None) -> Archive:
    """The archive of the dated briefings; pages without a date are set apart in `pages`."""
    pages = tuple(sorted((b for b in briefings if b.undated), key=navigation_order))
    ordered = tuple(sorted((b for b in briefings if not b.undated), key=newest_first))
    by_topic: dict[str, list[Briefing]] = defaultdict(list)
    for briefing in ordered:
        for slug in briefing.topics:
            by_topic[slug].append(briefing)
    topics = tuple(sorted((Topic(slug, config.topic(slug).name(config.language), tuple(items), _years(items))
                           for slug, items in by_topic.items()),
                          key=lambda t: (-len(t.briefings), t.name.casefold(), t.slug)))
    previous = {b.path: (ordered[i + 1] if i + 1 < len(ordered) else None) for i, b in enumerate(ordered)}
    newer = {b.path: (ordered[i - 1] if i > 0 else None) for i, b in enumerate(ordered)}
    key = _shape_key(ordered, config.related, pages)
    if memo is not None and memo.key == key:
        related = _remembered(ordered, memo, ordered)
    elif memo is not None and memo.count == config.related:
        unsettled = _unsettled(by_topic, memo)
        fresh = _related(ordered, by_topic, config.related, [b for b in ordered if b.path in unsettled])
        kept = _remembered(ordered, memo, [b for b in ordered if b.path not in unsettled])
        related = {b.path: fresh[b.path] if b.path in fresh else kept[b.path] for b in ordered}
    else:
        related = _related(ordered, by_topic, config.related, ordered)
    return Archive(ordered, topics, _years(ordered), previous, newer, related,
                   pages=pages, authors=_authors(ordered), shape_key=key)


def _authors(ordered: tuple[Briefing, ...]) -> tuple[Author, ...]:
    """The authors of the briefings (newest first, names made one by `one_spelling`), by name."""
    by_slug: dict[str, list[Briefing]] = defaultdict(list)
    names: dict[str, str] = {}
    for briefing in ordered:
        for name in briefing.authors:
            slug = urls.author_slug(name)
            by_slug[slug].append(briefing)
            names.setdefault(slug, name)
    authors = (Author(slug, names[slug], tuple(items)) for slug, items in by_slug.items())
    return tuple(sorted(authors, key=lambda a: (a.slug, a.name)))


def one_spelling(briefings: list[Briefing]) -> list[Briefing]:
    """The briefings with each author's name spelt one way across the site, as most of their
    briefings spell it (then the newest): `marie dupont` in one front matter and `Marie Dupont`
    in four are one author, whose byline, page, feeds and search filter say `Marie Dupont`.
    Names with one slug (urls.author_slug) are one author. The name is part of a briefing's
    listing and shape digests, so a page showing a name that changes is rendered again."""
    if not any(b.authors for b in briefings):
        return briefings
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for briefing in sorted(briefings, key=newest_first):
        for name in briefing.authors:
            spellings[urls.author_slug(name)][name] += 1
    spelt = {slug: counts.most_common(1)[0][0] for slug, counts in spellings.items()}
    result = []
    for briefing in briefings:
        names = tuple(dict.fromkeys(spelt[urls.author_slug(name)] for name in briefing.authors))
        result.append(replace(briefing, authors=names) if names != briefing.authors else briefing)
    return result


def navigation_order(page: Briefing) -> tuple[bool, int, str, str]:
    """Sort key of the pages without a date: `nav_order` first, then title, then file."""
    return (page.nav_order is None, page.nav_order or 0, page.title.casefold(), page.file)




def related_memo(archive: Archive, count: int) -> RelatedMemo:
    return RelatedMemo(archive.shape_key,
                       {path: tuple(b.path for b in items) for path, items in archive.related.items()},
                       count, {t.slug: tuple([b.shape_digest for b in t.briefings]) for t in archive.topics})


def _remembered(ordered: tuple[Briefing, ...], memo: RelatedMemo,
                settled: Iterable[Briefing]) -> dict[str, tuple[Briefing, ...]]:
    """The memo's choice for each of the `settled` briefings, as this build's objects."""
    by_path = {b.path: b for b in ordered}
    return {b.path: tuple([by_path[p] for p in memo.paths[b.path]]) for b in settled}


def _unsettled(by_topic: dict[str, list[Briefing]], memo: RelatedMemo) -> set[str]:
    """Page paths of the briefings whose related briefings may differ from the memo's.

    A briefing's choice depends on itself and on the RELATED_WINDOW briefings each side
    of it in each of its topics (their shape digests cover all that is compared). In a
    topic, only the span between the first and the last difference from the memo's list
    changed: a briefing whose window lies wholly before or after that span sees the same
    neighbours. A briefing new to the memo is inside a span (its digest, which covers its
    page, is in no list of the memo), and so is every briefing of a topic new to it."""
    unsettled: set[str] = set()
    for slug, items in by_topic.items():
        new = [b.shape_digest for b in items]
        old = memo.topics.get(slug, ())
        same_start = 0
        while same_start < min(len(new), len(old)) and new[same_start] == old[same_start]:
            same_start += 1
        if same_start == len(new) == len(old):
            continue
        same_end = 0
        while (same_end < min(len(new), len(old)) - same_start
               and new[len(new) - 1 - same_end] == old[len(old) - 1 - same_end]):
            same_end += 1
        first = max(0, same_start - RELATED_WINDOW)
        last = min(len(new), len(new) - same_end + RELATED_WINDOW)
        unsettled.update(b.path for b in items[first:last])
    return unsettled


def _shape_key(ordered: tuple[Briefing, ...], count: int, pages: tuple[Briefing, ...] = ()) -> str:
    """The shape key (see Archive) covers the navigation too: every page shows the pages
    without a date, so a title or an order changed there is no change of text alone."""
    digest = hashlib.blake2b(f"{count}\0".encode(), digest_size=16)
    digest.update(b"".join([b.shape_digest for b in ordered]))
    digest.update(repr([(p.path, p.title, p.lang, p.nav_order) for p in pages]).encode())
    return digest.hexdigest()


def _years(ordered: Sequence[Briefing]) -> tuple[Year, ...]:
    """Briefings (newest first) by year and month: the archive's, or one topic's."""
    months: dict[int, dict[int, list[Briefing]]] = defaultdict(lambda: defaultdict(list))
    year_only: dict[int, list[Briefing]] = defaultdict(list)
    for briefing in ordered:
        if briefing.date.month:
            months[briefing.date.year][briefing.date.month].append(briefing)
        else:
            year_only[briefing.date.year].append(briefing)
    years = sorted(set(months) | set(year_only), reverse=True)
    return tuple(Year(y, tuple(Month(BriefingDate(y, m), tuple(items))
                               for m, items in sorted(months[y].items(), reverse=True)),
                      tuple(year_only[y])) for y in years)


def _related(ordered: tuple[Briefing, ...], by_topic: dict[str, list[Briefing]],
             count: int, chosen_for: Iterable[Briefing]) -> dict[str, tuple[Briefing, ...]]:
    """For each of `chosen_for`: briefings sharing the most topics, nearest in time first.

    Only a window around each briefing in each of its topics is scored, which
    keeps this linear in the archive's size instead of quadratic.
    """
    if count == 0:
        return {b.path: () for b in chosen_for}
    # per briefing, computed once: its day number and topic set (hot: a few dozen uses each)
    day = {b.path: b.date.as_date().toordinal() for b in ordered}
    topic_set = {b.path: frozenset(b.topics) for b in ordered}
    position = {topic: {b.path: i for i, b in enumerate(items)} for topic, items in by_topic.items()}
    related = {}
    for briefing in chosen_for:
        path, own_day, own_topics = briefing.path, day[briefing.path], topic_set[briefing.path]
        candidates: dict[str, tuple[int, int, str, Briefing]] = {}
        for topic in briefing.topics:
            items, i = by_topic[topic], position[topic][path]
            for other in items[max(0, i - RELATED_WINDOW): i + RELATED_WINDOW + 1]:
                other_path = other.path
                if other_path == path or other_path in candidates:
                    continue
                candidates[other_path] = (-len(topic_set[other_path] & own_topics),
                                          abs(day[other_path] - own_day), other.file, other)
        related[path] = tuple(c[3] for c in sorted(candidates.values(), key=_closeness)[:count])
    return related


def _closeness(candidate: tuple[int, int, str, Briefing]) -> tuple[int, int, str]:
    """Most shared topics, then nearest in time, then file path: the order related briefings show in."""
    return candidate[:3]
