"""Incremental builds equal clean builds, whatever happened in between (Hypothesis, stateful).

A state machine edits a small project the way a writer does -- bodies, titles, dates,
topics, languages, images added, replaced and removed, corrections and updates, new, deleted
and renamed briefings, template and static overrides, config.yaml, saves that change nothing,
the clock moving on (scheduled briefings coming out) -- and rebuilds after every step, in
process, with the build cache kept. After each step the site must be byte for byte what a
clean build of the same inputs gives (a fresh copy of the project, no .cache/, no site/). Some steps
drop the in-memory cache first, so the next build starts from the cache on disk (briefings
stored without their bodies, read again from their files), as a new `build.py build` does.

The search index is left out (`search_index=False`; `snapshot` skips `pagefind/` anyway):
tests/test_search.py covers it.
"""
from __future__ import annotations

import datetime as dt
import difflib
import os
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, currently_in_test_context, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from briefings import plan, render
from briefings.config import load_config
from briefings.dates import TODAY_VARIABLE
from briefings.pipeline import build
from briefings.pipeline import forget_memory as forget_build_memory
from briefings.theme import THEME_DIR
from fixtures.images import png
from helpers import content_file, create_project, snapshot

# --- what the machine writes -----------------------------------------------------------------

STEMS = ["kim-visite", "missiles", "front-est", "inflation", "sommet", "budget", "pyongyang",
         "kyiv-notes", "croissance", "armement"]
TOPICS = ["north-korea", "defence", "ukraine", "economy"]
WORDS = ["Pyongyang", "missile", "Kyiv", "inflation", "la", "banque", "centrale", "annonce",
         "une", "nouvelle", "phase", "des", "essais", "the", "army", "growth", "slows", "été", "Zelensky"]
TITLES = ["Kim Jong-un inspecte une usine d'armement", "Kyiv sous les frappes", "L'inflation ralentit",
          "Missile test over the sea", "Growth slows again", "Sommet à Pékin", "Le budget de la défense",
          "Un été « agité » à Pyongyang"]
SUMMARIES = ["Ce qu'il faut retenir.", "The short version."]
IDS = ["k1", "k1-en", "k1-fr"]
IMAGES = [png(4, 3), png(4, 3, (0, 90, 0)), png(8, 6)]
"""Versions of a briefing's image: the second has the first's size and other bytes, the third another size."""
"""Ids whose translation key is `k1`: briefings carrying them in two languages are translations."""

sentences = st.lists(st.sampled_from(WORDS), min_size=3, max_size=10).map(
    lambda words: " ".join(words).capitalize() + ".")
paragraphs = st.lists(sentences, min_size=1, max_size=3).map(" ".join)
bodies = st.lists(paragraphs, min_size=1, max_size=2).map("\n\n".join)
titles = st.sampled_from(TITLES)


@st.composite
def dates(draw) -> str:
    """Mostly days and months (2022-2024, so edits move briefings across months and years),
    sometimes a bare year."""
    year = draw(st.integers(2022, 2024))
    precision = draw(st.sampled_from(["day", "day", "month", "month", "year"]))
    if precision == "year":
        return f"{year}"
    month = draw(st.integers(1, 12))
    if precision == "month":
        return f"{year}-{month:02d}"
    return f"{year}-{month:02d}-{draw(st.integers(1, 28)):02d}"


topic_lists = st.one_of(st.none(),  # left to the config's default topic
                        st.lists(st.sampled_from(TOPICS), min_size=1, max_size=2, unique=True),
                        st.just(["arctic"]))  # not in config.yaml: a warning and a page of its own
langs = st.sampled_from([None, "fr", "en"])
author_lists = st.one_of(st.none(),  # no byline
                         st.lists(st.sampled_from(["Marie Dupont", "marie dupont", "Jean Martin", "Élodie Roux"]),
                                  min_size=1, max_size=2))  # two spellings of one author: one page


@st.composite
def briefings(draw) -> tuple[dict, str]:
    meta = {"title": draw(titles), "date": draw(dates())}
    topics, lang = draw(topic_lists), draw(langs)
    if topics is not None:
        meta["topics"] = topics
    if lang is not None:
        meta["lang"] = lang
    authors = draw(author_lists)
    if authors is not None:
        meta["authors"] = authors
    if draw(st.integers(0, 3)) == 0:
        meta["id"] = draw(st.sampled_from(IDS))
    if draw(st.integers(0, 3)) == 0:  # else the summary is the body's first sentences
        meta["summary"] = draw(st.sampled_from(SUMMARIES))
    return meta, draw(bodies)


def _theme(name: str) -> str:
    return (THEME_DIR / "templates" / name).read_text(encoding="utf-8")


def _edited(source: str, old: str, new: str) -> str:
    assert old in source, f"the theme changed: {old!r} not found; update this test's overrides"
    return source.replace(old, new, 1)


# Project overrides of theme templates, several versions each; some make a template render
# briefing bodies where the theme's does not (the cache then has to track bodies for it).
TEMPLATE_VARIANTS: dict[str, list[str]] = {
    "briefing.html": [
        _edited(_theme("briefing.html"), "{% block content %}", "{% block content %}{# a Jinja comment #}"),
        _edited(_theme("briefing.html"), "{% block content %}", "{% block content %}\n<!-- override -->"),
        _edited(_theme("briefing.html"), "{% block content %}",
                '{% block content %}\n<p class="note">Édition spéciale ({{ briefing.words }} mots)</p>'),
        # A page that includes a template named by a variable depends on every template: here
        # the briefing page includes the project's own `_note.html` (when there is one) that way.
        _edited(_theme("briefing.html"), "{% block content %}",
                '{% block content %}{% set note = "_note.html" %}{% include note ignore missing %}'),
    ],
    "_macros.html": [
        _edited(_theme("_macros.html"), '<p class="item-summary">',
                '<p class="words">{{ b.words }}</p>\n    <p class="item-summary">'),
        _edited(_theme("_macros.html"), '<p class="item-summary">{{ b.summary | typo(b.lang) }}</p>',
                '<div class="item-body">{{ briefing_html(b) }}</div>'),
    ],
    "year.html": [
        _edited(_theme("year.html"), "<h1>", '<p class="kicker">Année</p>\n<h1>'),
        _edited(_theme("year.html"), '<span class="count">{{ month.briefings | length }}</span></li>',
                '<span class="count">{{ month.briefings | length }}</span>\n'
                '  {% for b in month.briefings %}<div class="full">{{ briefing_html(b) }}</div>{% endfor %}</li>'),
    ],
    "base.html": [
        _edited(_theme("base.html"), "</body>", '<p class="colophon">Fait main</p>\n</body>'),
        '{% extends "theme/base.html" %}{% block footer %}{{ super() }}<p class="colophon">Fait main</p>{% endblock %}',
    ],
    "_note.html": ['<p class="note">Note de la rédaction</p>\n', '<p class="note">Note corrigée</p>\n'],
}
FRAMED_TOPIC = _edited(_theme("topic.html"), '{% extends "base.html" %}', '{% extends "_frame.html" %}')
"""Topic pages that inherit from the project's own `_frame.html` (which extends base.html): a
chain the random steps never break, since deleting `_frame.html` would make the build fail."""
FRAMES = ['{% extends "base.html" %}{% block head %}<meta name="frame" content="un">{% endblock %}',
          '{% extends "base.html" %}{% block head %}<meta name="frame" content="deux">{% endblock %}'
          '{% block main_class %} framed{% endblock %}']
TEMPLATE_CHOICES = [(name, i) for name, versions in sorted(TEMPLATE_VARIANTS.items()) for i in range(len(versions))]
STATIC_VARIANTS: dict[str, list[str]] = {
    # same size on purpose: only the file's stamp tells these two apart
    "extra.css": ["body { margin: 1px }\n", "body { margin: 2px }\n"],
    "style.css": [(THEME_DIR / "static" / "style.css").read_text(encoding="utf-8") + "\n/* project */\n"],
}
CONFIG_CHANGES: dict[str, list] = {
    "per_page": [2, 3],
    "related": [1, 2],
    "title": ["Archive des briefings", "Le fil des briefings", "Briefings « hebdo »"],
    "defence_name": ["Défense", "Armées", "Défense et sécurité"],
    "language": ["fr", "en"],
    "feed_items": [2, 4],
}


def _link(target: str) -> str:
    """A paragraph linking to the content file `target`, from content/'s root."""
    return f"[Voir]({target.removeprefix('content')})"


def _note(message: str) -> None:
    """`note` for the failing example's report; a no-op when the machine is driven by hand."""
    if currently_in_test_context():
        note(message)


def _site_difference(incremental: dict[str, bytes], clean: dict[str, bytes]) -> str:
    """What differs between two snapshots, readably: missing and extra files, then line diffs."""
    lines = []
    for path in sorted(incremental.keys() - clean.keys()):
        lines.append(f"only in the incremental site: {path}")
    for path in sorted(clean.keys() - incremental.keys()):
        lines.append(f"only in the clean site: {path}")
    differing = sorted(p for p in incremental.keys() & clean.keys() if incremental[p] != clean[p])
    for path in differing:
        lines.append(f"differs: {path}")
    for path in differing[:3]:
        diff = difflib.unified_diff(clean[path].decode("utf-8", "replace").splitlines(),
                                    incremental[path].decode("utf-8", "replace").splitlines(),
                                    f"clean/{path}", f"incremental/{path}", lineterm="", n=1)
        lines.extend(list(diff)[:40])
    return "\n".join(lines)


# --- the machine -----------------------------------------------------------------------------

class IncrementalBuilds(RuleBasedStateMachine):
    """Model: `docs` (content path -> front matter, body), `templates`, `statics`, `config`;
    the files on disk always say the same. Every step is followed by a build (the invariant)."""

    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="incremental-"))
        self.root = self.tmp / "project"
        self.docs: dict[str, tuple[dict, str]] = {}
        self.templates: dict[str, int] = {}
        self.statics: dict[str, int] = {}
        self.images: dict[str, str] = {}
        """Content file -> the image beside it that its body shows first."""
        self.image_count = 0
        self.links: dict[str, set[str]] = {}
        """Content file -> the content files whose bodies link to it."""
        self.config: dict = {}
        self.ready = False
        self.sitemap_limit = plan.SITEMAP_LIMIT
        plan.SITEMAP_LIMIT = 3  # a year of more than three briefings is cut into sitemaps, and joined again
        self.clean_builds = 0
        # Every write gets an mtime one (fake) second after the previous one, like an editor
        # saving a moment later. Without it, a rewrite within the file system's mtime
        # granularity that keeps the size (extra.css's two versions) keeps its (mtime, size)
        # stamp, which the cache trusts by design -- a flaky test, not a bug found.
        self.clock = 1_700_000_000
        # The site's today, inside the dates drawn (2022-2024): later briefings are scheduled,
        # held back until `advance_today` makes their day arrive.
        self.today = dt.date(2023, 6, 15)
        self.saved_today = os.environ.get(TODAY_VARIABLE)
        os.environ[TODAY_VARIABLE] = self.today.isoformat()

    def teardown(self) -> None:
        plan.SITEMAP_LIMIT = self.sitemap_limit
        if self.saved_today is None:
            os.environ.pop(TODAY_VARIABLE, None)
        else:
            os.environ[TODAY_VARIABLE] = self.saved_today
        forget_build_memory(self.root / "site")
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- writing files, with a fresh mtime each time

    def _stamp(self, path: Path) -> None:
        self.clock += 1
        os.utime(path, (self.clock, self.clock))

    def _write(self, path: Path, data: str | bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            data = data.encode("utf-8")
        path.write_bytes(data)
        self._stamp(path)

    def _write_doc(self, name: str) -> None:
        meta, body = self.docs[name]
        self._write(self.root / name, content_file(meta, body))

    def _write_config(self) -> None:
        self._write(self.root / "config.yaml", yaml.safe_dump(self.config, allow_unicode=True, sort_keys=False))

    def _set_key(self, index: int, key: str, value: object) -> None:
        """Give the `index`th briefing's front matter `key` the `value` (None: no such key), and write it."""
        name = self._pick(index)
        meta = self.docs[name][0]
        meta.pop(key, None)
        if value is not None:
            meta[key] = value
        _note(f"{key} of {name} -> {value}")
        self._write_doc(name)

    def _pick(self, index: int) -> str:
        names = sorted(self.docs)
        return names[index % len(names)]

    def _free_name(self, folder: str, stem: str) -> str:
        name, n = f"{folder}/{stem}.md", 2
        while name in self.docs:
            name, n = f"{folder}/{stem}-{n}.md", n + 1
        return name

    @staticmethod
    def _folder(date: str) -> str:
        return "content/" + "/".join(date.split("-")[:2])

    # -- setup

    @initialize(docs=st.lists(st.tuples(st.sampled_from(STEMS), briefings()), min_size=4, max_size=7),
                overrides=st.lists(st.sampled_from(TEMPLATE_CHOICES), max_size=2, unique_by=lambda c: c[0]))
    def create(self, docs: list, overrides: list) -> None:
        create_project(self.root, {"per_page": 3, "related": 2, "feeds": {"items": 4, "full_content": True}})
        self.config = yaml.safe_load((self.root / "config.yaml").read_text(encoding="utf-8"))
        self._write_config()
        for stem, (meta, body) in docs:
            name = self._free_name(self._folder(meta["date"]), stem)
            self.docs[name] = (meta, body)
            self._write_doc(name)
        for name, variant in overrides:
            self.templates[name] = variant
            self._write(self.root / "templates" / name, TEMPLATE_VARIANTS[name][variant])
        _note(f"start: {len(docs)} briefings, template overrides {overrides}")
        self.ready = True

    # -- content

    @precondition(lambda self: self.docs)
    @rule(index=st.integers(0, 99), extra=paragraphs)
    def append_to_body(self, index: int, extra: str) -> None:
        name = self._pick(index)
        meta, body = self.docs[name]
        self.docs[name] = (meta, f"{body}\n\n{extra}")
        _note(f"append to the body of {name}: {extra!r}")
        self._write_doc(name)

    @precondition(lambda self: self.docs)
    @rule(index=st.integers(0, 99), word=st.sampled_from(WORDS))
    def fix_last_word(self, index: int, word: str) -> None:
        """A typo fixed at the end of the body: same word count, and the same summary when
        the front matter sets one or the body is long -- only the body's text changes."""
        name = self._pick(index)
        meta, body = self.docs[name]
        head, _, last = body.rstrip(".").rpartition(" ")
        if last == word:
            word = word.upper()
        self.docs[name] = (meta, f"{head} {word}.")
        _note(f"last word of {name}'s body: {last!r} -> {word!r}")
        self._write_doc(name)

    @precondition(lambda self: self.docs)
    @rule(index=st.integers(0, 99), title=titles)
    def edit_title(self, index: int, title: str) -> None:
        name = self._pick(index)
        self.docs[name][0]["title"] = title
        _note(f"title of {name} -> {title!r}")
        self._write_doc(name)

    @precondition(lambda self: self.docs)
    @rule(index=st.integers(0, 99), date=dates())
    def change_date(self, index: int, date: str) -> None:
        name = self._pick(index)
        self.docs[name][0]["date"] = date
        _note(f"date of {name} -> {date}")
        self._write_doc(name)

    @precondition(lambda self: self.docs)
    @rule(index=st.integers(0, 99), topics=topic_lists)
    def change_topics(self, index: int, topics: list | None) -> None:
        self._set_key(index, "topics", topics)

    @precondition(lambda self: self.docs)
    @rule(index=st.integers(0, 99), authors=author_lists)
    def change_authors(self, index: int, authors: list | None) -> None:
        self._set_key(index, "authors", authors)

    @precondition(lambda self: self.docs)
    @rule(index=st.integers(0, 99), count=st.integers(0, 2))
    def change_aliases(self, index: int, count: int) -> None:
        """Old addresses of its own (no two briefings share one), each a redirect page to it."""
        name = self._pick(index)
        self._set_key(index, "aliases", [f"/ancien/{name}/", f"/vieux-{name}.html"][:count] or None)

    @precondition(lambda self: self.docs)
    @rule(index=st.integers(0, 99), lang=langs)
    def change_lang(self, index: int, lang: str | None) -> None:
        self._set_key(index, "lang", lang)

    @precondition(lambda self: self.docs)
    @rule(index=st.integers(0, 99), version=st.integers(0, len(IMAGES) - 1))
    def set_image(self, index: int, version: int) -> None:
        """Give a briefing an image beside its file, or replace the one it has (new bytes, maybe a new size)."""
        name = self._pick(index)
        if name not in self.images:
            self.image_count += 1
            self.images[name] = f"fig{self.image_count}.png"
            meta, body = self.docs[name]
            self.docs[name] = (meta, f"![Figure]({self.images[name]})\n\n{body}")
            self._write_doc(name)
        _note(f"image {self.images[name]} of {name} := version {version}")
        self._write(self.root / name.rsplit("/", 1)[0] / self.images[name], IMAGES[version])

    @precondition(lambda self: self.images)
    @rule(index=st.integers(0, 99))
    def remove_image(self, index: int) -> None:
        """Take a briefing's image out of its text, and delete the file."""
        name = sorted(self.images)[index % len(self.images)]
        image = self.images.pop(name)
        meta, body = self.docs[name]
        self.docs[name] = (meta, body.removeprefix(f"![Figure]({image})\n\n"))
        _note(f"remove image {image} of {name}")
        self._write_doc(name)
        (self.root / name.rsplit("/", 1)[0] / image).unlink()

    @precondition(lambda self: self.docs)
    @rule(index=st.integers(0, 99), day=st.integers(1, 28), updated=st.booleans())
    def add_correction(self, index: int, day: int, updated: bool) -> None:
        """An editor adds a correction (dated after every date the machine gives a briefing), or
        import's `updated:` changes: the page, feeds and sitemap show the new date."""
        name = self._pick(index)
        meta = self.docs[name][0]
        if updated:
            meta["updated"] = f"2025-02-{day:02d}"
        else:
            meta.setdefault("corrections", []).append({"date": f"2025-01-{day:02d}", "text": "Un chiffre corrigé."})
        _note(f"{'updated' if updated else 'correction'} of {name} on day {day}")
        self._write_doc(name)

    @precondition(lambda self: self.docs)
    @rule(index=st.integers(0, 99), other=st.integers(0, 99))
    def link_to_briefing(self, index: int, other: int) -> None:
        """A body links to a briefing by its content file: its page follows the target's moves
        (date, slug), and whether it is published (scheduled ones are held back)."""
        name, target = self._pick(index), self._pick(other)
        meta, body = self.docs[name]
        self.docs[name] = (meta, f"{body}\n\n{_link(target)}")
        self.links.setdefault(target, set()).add(name)
        _note(f"link from {name} to {target}")
        self._write_doc(name)

    def _relink(self, old: str, new: str | None) -> None:
        """`old` was renamed to `new` (or deleted: None): the links to it follow, or go."""
        for linkers in self.links.values():  # a renamed or deleted file links from there no more
            if old in linkers:
                linkers.discard(old)
                if new:
                    linkers.add(new)
        for linker in self.links.pop(old, set()):
            meta, body = self.docs[linker]
            self.docs[linker] = (meta, body.replace(f"\n\n{_link(old)}", f"\n\n{_link(new)}" if new else ""))
            self._write_doc(linker)
            if new:
                self.links.setdefault(new, set()).add(linker)

    @rule(stem=st.sampled_from(STEMS), briefing=briefings())
    def add_briefing(self, stem: str, briefing: tuple[dict, str]) -> None:
        name = self._free_name(self._folder(briefing[0]["date"]), stem)
        self.docs[name] = briefing
        _note(f"add {name}: {briefing[0]}")
        self._write_doc(name)

    @precondition(lambda self: len(self.docs) > 1)
    @rule(index=st.integers(0, 99))
    def delete_briefing(self, index: int) -> None:
        name = self._pick(index)
        del self.docs[name]
        self.images.pop(name, None)  # the image file stays, shown by no briefing: not published
        _note(f"delete {name}")
        (self.root / name).unlink()
        self._relink(name, None)

    @precondition(lambda self: self.docs)
    @rule(index=st.integers(0, 99), stem=st.sampled_from(STEMS))
    def rename_briefing(self, index: int, stem: str) -> None:
        """`mv`: the file keeps its bytes and mtime; its slug (and default id) change."""
        name = self._pick(index)
        new = self._free_name(name.rsplit("/", 1)[0], stem)
        self.docs[new] = self.docs.pop(name)
        if name in self.images:  # the same folder: its image is still beside it
            self.images[new] = self.images.pop(name)
        _note(f"rename {name} -> {new}")
        (self.root / name).rename(self.root / new)
        self._relink(name, new)

    @rule(what=st.sampled_from(["content", "config", "template", "static"]), index=st.integers(0, 99))
    def save_without_change(self, what: str, index: int) -> None:
        """Rewrite a file with the same bytes (a later mtime): nothing may change in the site."""
        if what == "content" and self.docs:
            path = self.root / self._pick(index)
        elif what == "template" and self.templates:
            path = self.root / "templates" / sorted(self.templates)[index % len(self.templates)]
        elif what == "static" and self.statics:
            path = self.root / "templates" / "static" / sorted(self.statics)[index % len(self.statics)]
        else:
            path = self.root / "config.yaml"
        _note(f"save {path.relative_to(self.root)} unchanged")
        self._write(path, path.read_bytes())

    # -- templates and static files

    @rule(choice=st.sampled_from(TEMPLATE_CHOICES))
    def set_template(self, choice: tuple[str, int]) -> None:
        name, variant = choice
        self.templates[name] = variant
        _note(f"templates/{name} := variant {variant}")
        self._write(self.root / "templates" / name, TEMPLATE_VARIANTS[name][variant])

    @precondition(lambda self: self.templates)
    @rule(index=st.integers(0, 99))
    def delete_template(self, index: int) -> None:
        name = sorted(self.templates)[index % len(self.templates)]
        del self.templates[name]
        _note(f"delete templates/{name}")
        (self.root / "templates" / name).unlink()

    @rule(name=st.sampled_from(sorted(STATIC_VARIANTS)), variant=st.integers(0, 1))
    def set_static(self, name: str, variant: int) -> None:
        variant %= len(STATIC_VARIANTS[name])
        self.statics[name] = variant
        _note(f"templates/static/{name} := variant {variant}")
        self._write(self.root / "templates" / "static" / name, STATIC_VARIANTS[name][variant])

    @precondition(lambda self: self.statics)
    @rule(index=st.integers(0, 99))
    def delete_static(self, index: int) -> None:
        name = sorted(self.statics)[index % len(self.statics)]
        del self.statics[name]
        _note(f"delete templates/static/{name}")
        (self.root / "templates" / "static" / name).unlink()

    # -- config.yaml

    @rule(key=st.sampled_from(sorted(CONFIG_CHANGES)), index=st.integers(0, 2))
    def change_config(self, key: str, index: int) -> None:
        values = CONFIG_CHANGES[key]
        value = values[index % len(values)]
        if key == "defence_name":
            self.config["topics"]["defence"]["name"]["fr"] = value
        elif key == "feed_items":
            self.config["feeds"]["items"] = value
        else:
            self.config[key] = value
        _note(f"config.yaml: {key} -> {value!r}")
        self._write_config()

    # -- the cache

    @rule(new_process=st.booleans())
    def forget_memory(self, new_process: bool) -> None:
        """The next build loads the cache from .cache/ (bodies stripped); with `new_process`,
        also without the reused Jinja2 environment, as a new `build.py build` would."""
        _note(f"clear the in-memory cache{' and renderers' if new_process else ''}")
        forget_build_memory(self.root / "site", renderers=new_process)

    # -- the clock

    @rule(days=st.sampled_from([1, 17, 120, 400]))
    def advance_today(self, days: int) -> None:
        """A scheduled briefing's day arrives (or not): nothing changes but the date."""
        self.today += dt.timedelta(days=days)
        _note(f"today -> {self.today}")
        os.environ[TODAY_VARIABLE] = self.today.isoformat()

    @rule()
    def nothing(self) -> None:
        """A build with nothing changed (the no-op path)."""

    # -- the property

    @precondition(lambda self: self.ready)
    @invariant()
    def incremental_equals_clean(self) -> None:
        result = build(load_config(self.root / "config.yaml"), persist=True, jobs=1, search_index=False)
        site = snapshot(self.root / "site")
        reference, clean_result = self._clean_build()
        assert site == reference, "incremental build != clean build\n" + _site_difference(site, reference)
        assert (result.briefings, result.pages) == (clean_result.briefings, clean_result.pages)
        assert result.schedule == clean_result.schedule
        # a page that moved is said only by comparing with the last build (links.moved_pages)
        assert sorted(str(w) for w in result.warnings if "its page moved" not in str(w)) == \
            sorted(map(str, clean_result.warnings))

    def _clean_build(self):
        """A first build of a fresh copy of the project's inputs: no .cache/, no site/."""
        self.clean_builds += 1
        clean = self.tmp / f"clean-{self.clean_builds}"
        clean.mkdir()
        shutil.copy2(self.root / "config.yaml", clean / "config.yaml")
        for folder in ("content", "templates"):
            if (self.root / folder).exists():
                shutil.copytree(self.root / folder, clean / folder)
        # keep the project's Jinja2 environment: the incremental side reuses it between builds
        # as the preview does, and the clean build would otherwise replace it
        renderers = dict(render._RENDERERS)
        try:
            config = load_config(clean / "config.yaml")
            result = build(config, persist=False, jobs=1, search_index=False)
            reference = snapshot(config.site_dir)
        finally:
            forget_build_memory(clean / "site")
            render._RENDERERS.update(renderers)
            shutil.rmtree(clean, ignore_errors=True)
        return reference, result


# Each step is two builds (incremental, then clean with a fresh Jinja2 environment, ~0.3 s in
# all): 15-20 s on 2 idle cores, about 30 s with both cores busy. Shrinking a failure can take minutes;
# the steps' notes keep even an unshrunk sequence readable.
IncrementalBuilds.TestCase.settings = settings(
    max_examples=10, stateful_step_count=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
test_incremental_build_equals_clean_build = IncrementalBuilds.TestCase


# --- what the machine found, minimised and replayed ------------------------------------------

@pytest.mark.parametrize("override, date", [
    pytest.param(("year.html", 1), "2022-08-14", id="year-html-renders-bodies"),
    pytest.param(("_macros.html", 1), "2022", id="briefing-list-renders-bodies"),
])
def test_body_edit_refreshes_a_year_page_that_renders_bodies(override: tuple[str, int], date: str) -> None:
    """One briefing with a `summary:`, an override that renders bodies on its year page, one
    word of the body changed: words and summary stay, only the body differs. archive.html
    (no bodies) digests each Year first; the year page must not reuse that body-less digest
    (fixed in a9e9978: Fingerprints memoises per body mode)."""
    machine = IncrementalBuilds()
    try:
        meta = {"title": "Kyiv sous les frappes", "date": date, "summary": SUMMARIES[0]}
        machine.create(docs=[("front-est", (meta, "Kyiv annonce une nouvelle phase des essais."))],
                       overrides=[override])
        machine.incremental_equals_clean()
        machine.fix_last_word(index=0, word="Zelensky")
        machine.incremental_equals_clean()  # was: differs: 2023/index.html (the old body)
    finally:
        machine.teardown()


def test_editing_an_included_template_named_by_a_variable_refreshes_its_pages() -> None:
    """A briefing page includes the project's `_note.html` by a variable's name
    (`{% include note ignore missing %}`): adding the partial, changing it and deleting it
    each re-render the pages that use it (before: they kept the first note)."""
    machine = IncrementalBuilds()
    try:
        meta = {"title": "Kyiv sous les frappes", "date": "2022-08-14"}
        machine.create(docs=[("front-est", (meta, "Kyiv annonce une nouvelle phase des essais."))],
                       overrides=[("briefing.html", 3)])
        machine.incremental_equals_clean()
        for variant in (0, 1):
            machine.set_template(("_note.html", variant))
            machine.incremental_equals_clean()
        machine.delete_template(index=sorted(machine.templates).index("_note.html"))
        machine.incremental_equals_clean()
    finally:
        machine.teardown()


def test_editing_a_parent_template_of_the_project_refreshes_its_pages() -> None:
    """Topic pages extend the project's `_frame.html`, which extends base.html: each version
    of the frame shows on the topic pages, and the topic template's own edit too."""
    machine = IncrementalBuilds()
    try:
        meta = {"title": "Kyiv sous les frappes", "date": "2022-08-14", "topics": ["defence"]}
        machine.create(docs=[("front-est", (meta, "Kyiv annonce une nouvelle phase des essais."))], overrides=[])
        machine._write(machine.root / "templates" / "_frame.html", FRAMES[0])
        machine._write(machine.root / "templates" / "topic.html", FRAMED_TOPIC)
        machine.incremental_equals_clean()
        machine._write(machine.root / "templates" / "_frame.html", FRAMES[1])
        machine.incremental_equals_clean()
        framed = FRAMED_TOPIC.replace("<h1", "<h1 class=\"framed\"", 1)
        machine._write(machine.root / "templates" / "topic.html", framed)
        machine.incremental_equals_clean()
    finally:
        machine.teardown()


def test_image_added_replaced_and_removed() -> None:
    """The image steps in a fixed order (the random machine may not draw them all): an image
    added, replaced by one of another size, by one of the same size with other bytes, then taken
    out of the text and deleted; every build equals a clean one."""
    machine = IncrementalBuilds()
    try:
        meta = {"title": "Kyiv sous les frappes", "date": "2022-08-14"}
        machine.create(docs=[("front-est", (meta, "Kyiv annonce une nouvelle phase des essais."))], overrides=[])
        for version in (0, 2, 1):
            machine.set_image(index=0, version=version)
            machine.incremental_equals_clean()
            assert (machine.root / "site/2022/08/fig1.png").read_bytes() == IMAGES[version]
        machine.forget_memory(new_process=True)
        machine.set_image(index=0, version=0)
        machine.incremental_equals_clean()
        machine.remove_image(index=0)
        machine.incremental_equals_clean()
        assert not list((machine.root / "site").rglob("*.png"))
    finally:
        machine.teardown()


def test_correction_added() -> None:
    """A correction, then an update, in a fixed order: each incremental build equals a clean one
    (the page's note, the feeds' modified dates and the sitemap's lastmod all follow)."""
    machine = IncrementalBuilds()
    try:
        meta = {"title": "Kyiv sous les frappes", "date": "2022-08-14"}
        machine.create(docs=[("front-est", (meta, "Kyiv annonce une nouvelle phase des essais.")),
                             ("missiles", ({"title": "Missile test over the sea", "date": "2022-09"}, "Texte."))],
                       overrides=[])
        machine.incremental_equals_clean()
        machine.add_correction(index=0, day=5, updated=False)
        machine.incremental_equals_clean()
        machine.forget_memory(new_process=True)
        machine.add_correction(index=0, day=9, updated=True)
        machine.incremental_equals_clean()
        assert "2025-02-09" in (machine.root / "site/sitemaps/2022.xml").read_text(encoding="utf-8")
    finally:
        machine.teardown()
