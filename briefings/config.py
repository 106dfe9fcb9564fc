"""config.yaml, loaded into a frozen, validated Config.

Every wrong value is reported with its key path and line (`config.yaml:7:
per_page: expected a whole number`), every unknown key is warned about with
the nearest known key, and all problems are reported together.
"""
from __future__ import annotations

import re
import reprlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import yamldoc
from .dates import DEFAULT_TIMEZONE, timezone_problem
from .errors import SiteError, SiteErrors, closest, display_path
from .language import language_problem
from .text import clean_line
from .urls import base_url_problem, slugify

LINK_STYLES = ("pretty", "files")


@dataclass(frozen=True, slots=True)
class TopicRule:
    """A topic and the words that put a briefing in it."""

    slug: str
    names: dict[str, str]
    """Display name per language; `name(lang)` falls back to any name."""
    match: tuple[str, ...]
    """Keywords and phrases, in any language; matched ignoring case and accents."""

    def name(self, lang: str) -> str:
        """The name in `lang` (`pt-BR`, else `pt`), else the first one given."""
        return (self.names.get(lang) or self.names.get(lang.split("-")[0])
                or next(iter(self.names.values()), self.slug))


@dataclass(frozen=True, slots=True)
class Config:
    root: Path
    """The project folder: config.yaml's folder; content/, seeds/, templates/ live here."""
    title: str = "Briefing Archive"
    description: str = ""
    author: str = ""
    base_url: str = "http://localhost:8000/"
    language: str = "fr"
    per_page: int = 20
    link_style: str = "pretty"
    feed_items: int = 50
    feed_full_content: bool = True
    related: int = 4
    default_topic: str = "general"
    timezone: str = DEFAULT_TIMEZONE
    """The site's time zone (IANA name): a briefing is scheduled until its day has come there."""
    cname: str = ""
    """Custom domain for GitHub Pages (written to CNAME on deploy); empty for none."""
    topics: tuple[TopicRule, ...] = ()
    output_dir: Path | None = None
    cache_folder: Path | None = None
    """Where the build keeps its memory instead of .cache/: the preview keeps it in its own temporary folder."""
    bodies_folder: Path | None = None
    """Where the rendered bodies (bodies.py) are kept, when not in the cache folder: the preview
    shares the project's .cache/ one with `build`, so neither renders a body the other has."""
    source_text: str = field(default="", repr=False, compare=False)

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def seeds_dir(self) -> Path:
        return self.root / "seeds"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def site_dir(self) -> Path:
        return self.output_dir or self.root / "site"

    @property
    def cache_dir(self) -> Path:
        return self.cache_folder or self.root / ".cache"

    @property
    def bodies_dir(self) -> Path:
        return self.bodies_folder or self.cache_dir

    def output_settings(self) -> tuple[str, str, str]:
        """What in the config decides what the pages say: config.yaml's text, and the settings
        the command line overrides in it (`--base-url`, `--link-style`). The folders are not in
        it: where a site is written, or its cache kept, changes no page. The build's memories
        (cache, fingerprints, renderer) key on this, not on fields listed by hand."""
        return self.source_text, self.base_url, self.link_style

    def topic(self, slug: str) -> TopicRule:
        """The rule for `slug`; topics named only in front matter get a plain rule."""
        for rule in self.topics:
            if rule.slug == slug:
                return rule
        return TopicRule(slug, {self.language: slug.replace("-", " ").capitalize()}, ())

    def with_overrides(self, **changes: object) -> Config:
        """A copy with command-line overrides (`--base-url`, `--output`, …) applied."""
        given: dict[str, Any] = {k: v for k, v in changes.items() if v is not None}
        return replace(self, **given)


_SCALARS: dict[str, tuple[type, str]] = {
    "title": (str, "text"), "description": (str, "text"), "author": (str, "text"),
    "base_url": (str, "an absolute URL such as https://user.github.io/repo/"),
    "language": (str, "a language tag such as fr, en, de or pt-BR"),
    "per_page": (int, "a whole number from 1 up"),
    "link_style": (str, f"one of {', '.join(LINK_STYLES)}"),
    "related": (int, "a whole number from 0 up"),
    "default_topic": (str, "a topic slug"),
    "cname": (str, "a bare domain such as briefings.example.org"),
    "timezone": (str, "a time zone name such as Europe/Paris or UTC"),
}
KNOWN_KEYS = (*_SCALARS, "feeds", "topics")
_FEED_KEYS = {"items": int, "full_content": bool}
_TOPIC_KEYS = ("name", "match")
_DOMAIN = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}", re.IGNORECASE)
_TEXT_KEYS = ("title", "description", "author")
"""Free text shown on every page and in feeds: control characters are dropped, like in content."""
_short_repr = reprlib.Repr()
_short_repr.maxstring, _short_repr.maxother = 60, 60


Keys = tuple[str | int, ...]
"""A key path in config.yaml, e.g. ('topics', 'defence', 'match')."""


class _Checker:
    """Collects problems with their key path and line while config.yaml is read."""

    def __init__(self, path: str, text: str):
        self.path, self.text = path, text
        self.errors: list[SiteError] = []

    def error(self, keys: Keys, message: str, hint: str = "", warning: bool = False) -> None:
        dotted = ".".join(str(k) for k in keys)
        line = yamldoc.key_line(self.text, keys)
        self.errors.append(SiteError(self.path, line, f"{dotted}: {message}", hint, warning))

    def unknown_keys(self, mapping: dict[Any, object], known: tuple[str, ...], keys: Keys = ()) -> None:
        for key in mapping:
            if key not in known:
                close = closest(str(key), known)
                hint = f"did you mean '{close}'?" if close else f"known keys: {', '.join(known)}"
                self.error((*keys, key), "unknown key, ignored", hint, warning=True)

    def typed(self, value: object, kind: type, keys: Keys, expected: str) -> bool:
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        if not ok:
            example = {int: "20", bool: "true", str: '"…"'}.get(kind, "…")
            self.error(keys, f"expected {expected}, got {type(value).__name__} {_short_repr.repr(value)}",
                       f"write e.g. `{keys[-1]}: {example}`")
        return ok


def load_config(path: Path) -> Config:
    """Read and validate config.yaml; raise SiteErrors listing every problem.

    Warnings (unknown keys) do not fail the load; they are returned by
    `config_warnings` so commands can print them.
    """
    config, problems = _read(path)
    errors = [p for p in problems if not p.warning]
    if errors:
        raise SiteErrors(problems)
    return config


def config_warnings(path: Path) -> list[SiteError]:
    return [p for p in _read(path)[1] if p.warning]


def _read(path: Path) -> tuple[Config, list[SiteError]]:
    shown = display_path(path, Path.cwd())
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SiteErrors([SiteError(shown, None, "config file not found",
                                    "run from your project folder or pass --config PATH")]) from None
    except UnicodeDecodeError as exc:
        raw = path.read_bytes()
        raise SiteErrors([SiteError(shown, 1 + raw.count(b"\n", 0, exc.start),
                                    f"not UTF-8: byte {exc.start} is 0x{raw[exc.start]:02X}",
                                    "save config.yaml as UTF-8")]) from None
    data = yamldoc.load(text, shown) or {}
    check = _Checker(shown, text)
    if not isinstance(data, dict):
        raise SiteErrors([SiteError(shown, 1, "config.yaml must be a mapping of keys to values",
                                    "write `key: value` lines, e.g. `title: My archive`")])
    check.unknown_keys(data, KNOWN_KEYS)
    values: dict[str, Any] = {}  # each checked to be of its field's type
    for key, (kind, expected) in _SCALARS.items():
        if key in data and check.typed(data[key], kind, (key,), expected):
            values[key] = clean_line(data[key]) if key in _TEXT_KEYS else data[key]
    _check_values(values, check)
    values.update(_feeds(data.get("feeds", {}), check))
    topics = _topics(data.get("topics", {}), check)
    config = Config(root=path.parent.resolve(), topics=topics, source_text=text, **values)
    return config, check.errors


def cname_problem(name: str) -> str | None:
    """What is wrong with `name` as a GitHub Pages custom domain (None when it is a bare domain
    name): GitHub reads CNAME as one domain, and anything else silently breaks the domain."""
    return None if _DOMAIN.fullmatch(name) else f"'{name[:80]}' is not a domain name"


CNAME_HINT = "write a bare domain such as briefings.example.org, without https:// or a path"


def _check_values(values: dict[str, Any], check: _Checker) -> None:
    if "base_url" in values:
        problem = base_url_problem(values["base_url"])
        if problem:
            check.error(("base_url",), problem, "write e.g. https://user.github.io/repo/")
        elif not values["base_url"].endswith("/"):
            values["base_url"] += "/"
    if values.get("cname") and (problem := cname_problem(values["cname"])):
        check.error(("cname",), problem, CNAME_HINT)
    if "language" in values and (problem := language_problem(values["language"])):
        check.error(("language",), problem,
                    "write a CLDR locale such as fr, en, de, ar, ja or pt-BR")
    if "timezone" in values and (problem := timezone_problem(values["timezone"])):
        check.error(("timezone",), problem,
                    "write an IANA time zone name such as Europe/Paris, America/New_York or UTC")
    if "link_style" in values and values["link_style"] not in LINK_STYLES:
        check.error(("link_style",), f"'{values['link_style']}' is not supported",
                    f"use one of {', '.join(LINK_STYLES)}")
    for key, low in (("per_page", 1), ("related", 0)):
        if key in values and values[key] < low:
            check.error((key,), f"must be at least {low}", f"write e.g. `{key}: {max(low, 4)}`")
    if "default_topic" in values and slugify(values["default_topic"], fallback="") != values["default_topic"]:
        check.error(("default_topic",), "must be a slug (lowercase letters, digits, hyphens)",
                    f"write e.g. `default_topic: {slugify(values['default_topic'], fallback='general')}`")


def _feeds(feeds: object, check: _Checker) -> dict[str, object]:
    if not isinstance(feeds, dict):
        check.error(("feeds",), f"expected a mapping, got {type(feeds).__name__}",
                    "write e.g. `feeds: {items: 50, full_content: true}`")
        return {}
    check.unknown_keys(feeds, tuple(_FEED_KEYS), ("feeds",))
    values = {}
    for key, kind in _FEED_KEYS.items():
        if key in feeds and check.typed(feeds[key], kind, ("feeds", key),
                                        "a whole number" if kind is int else "true or false"):
            values[f"feed_{key}"] = feeds[key]
    if values.get("feed_items", 1) < 1:
        check.error(("feeds", "items"), "must be at least 1", "write e.g. `items: 50`")
    return values


def _topics(topics: object, check: _Checker) -> tuple[TopicRule, ...]:
    if not isinstance(topics, dict):
        check.error(("topics",), f"expected a mapping of topic slugs, got {type(topics).__name__}",
                    "write `topics:` then one indented `slug:` per topic")
        return ()
    rules = []
    for slug, rule in topics.items():
        keys = ("topics", slug)
        if not isinstance(slug, str) or slugify(slug, fallback="") != slug:
            check.error(keys, "a topic key must be a slug (lowercase letters, digits, hyphens)",
                        f"rename it to '{slugify(str(slug), fallback='topic')}'")
            continue
        if not isinstance(rule, dict):
            check.error(keys, f"expected a mapping with name and match, got {type(rule).__name__}",
                        f"write e.g. `{slug}: {{name: {slug.replace('-', ' ').capitalize()}, match: [keyword]}}`")
            continue
        check.unknown_keys(rule, _TOPIC_KEYS, keys)
        rules.append(TopicRule(slug, _topic_names(rule.get("name", slug), keys, check),
                               _topic_match(rule.get("match", []), keys, check)))
    return tuple(rules)


def _topic_names(name: object, keys: Keys, check: _Checker) -> dict[str, str]:
    if isinstance(name, str) and clean_line(name):
        return {"": clean_line(name)}  # the one name, in every language
    if isinstance(name, dict) and all(isinstance(v, str) and clean_line(v) for v in name.values()):
        return {str(k): clean_line(v) for k, v in name.items()}
    check.error((*keys, "name"), "expected text or a mapping of language to text",
                "write e.g. `name: {fr: Défense, en: Defence}`")
    return {}


def _topic_match(match: object, keys: Keys, check: _Checker) -> tuple[str, ...]:
    if isinstance(match, list) and all(isinstance(m, str) and m.strip() for m in match):
        return tuple(match)
    check.error((*keys, "match"), "expected a list of keywords",
                "write e.g. `match: [missile, military]`")
    return ()
