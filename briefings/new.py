"""`build.py new "Headline"`: start a briefing by hand, as import would have placed it.

The file goes where import puts a seed's (`importer.new_content_path`: the
date's folder, the headline's slug in any script, `-2` when that is taken) and
is created, never replaced: it is opened with O_EXCL, so even a file made at
the same moment by another command is not overwritten; that file's slug is
taken and the next free one (`-2`, `-3`…) is used instead. It starts as a
draft (`draft: true`, as Hugo's `new` does): left out of the site until the
editor removes the line, so a half-written briefing is never published.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from . import frontmatter
from .config import Config
from .content import author_name, is_language_tag
from .dates import BriefingDate, parse_date, to_yaml
from .errors import SiteError, SiteErrors, closest, display_path
from .importer import content_files, headline_title, new_content_path, taken_paths
from .schedule import site_today
from .text import clean_line, invisible_names, is_visible
from .topics import classify
from .urls import slugify

T = TypeVar("T")
PLACEHOLDER = "Write the briefing here."
ATTEMPTS = 100
"""Free slugs tried when files keep appearing under the chosen one (other commands racing)."""


def new_briefing(config: Config, headline: str, date: str | None = None, topics: list[str] | None = None,
                 lang: str | None = None, authors: list[str] | None = None) -> Path:
    """Create the content file of a new briefing and return its path; raise SiteErrors (every
    problem with the options at once) and write nothing when an option is wrong."""
    title = headline_title(clean_line(headline))
    problems = [problem for problem in (_title_problem(title),) if problem]
    day = _checked(problems, lambda: _date(config, date))
    chosen = _checked(problems, lambda: _topics(config, title, topics))
    language = _checked(problems, lambda: _lang(config, lang))
    names = _checked(problems, lambda: _authors(authors or []))
    if problems or day is None:
        raise SiteErrors(problems)
    meta = {"title": title, "date": to_yaml(day), "topics": chosen, **({"authors": names} if names else {}),
            "lang": language, "draft": True}
    text = frontmatter.join(meta, PLACEHOLDER).encode()
    taken = taken_paths(config, content_files(config))
    for _ in range(ATTEMPTS):
        path = new_content_path(config, day, headline, taken)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(path, "xb") as file:  # O_EXCL: never replaces a file, even one made just now
                file.write(text)
            return path
        except FileExistsError:
            taken.add(path.relative_to(config.content_dir).with_suffix("").as_posix())
    raise SiteErrors([SiteError(display_path(path, config.root), None, "no free file name found",
                                "choose another headline")])


def _checked(problems: list[SiteError], value: Callable[[], T]) -> T | None:
    """`value()`, or None with its errors added to `problems`: every wrong option is reported."""
    try:
        return value()
    except SiteErrors as exc:
        problems.extend(exc.errors)
        return None


def _title_problem(title: str) -> SiteError | None:
    if not title:
        return SiteError("headline", None, "the headline is empty", 'write e.g. build.py new "Sommet à Genève"')
    if not is_visible(title):
        return SiteError("headline", None, f"the headline has no visible character, only {invisible_names(title)}",
                         'write e.g. build.py new "Sommet à Genève"')
    return None


def _date(config: Config, text: str | None) -> BriefingDate:
    """`--date`, or today in the site's time zone."""
    if text is None:
        day = site_today(config)
        return BriefingDate(day.year, day.month, day.day)
    try:
        return parse_date(text)
    except ValueError as exc:
        raise SiteErrors([SiteError("--date", None, str(exc), "e.g. --date 2024-03-05")]) from None


def _topics(config: Config, title: str, given: list[str] | None) -> list[str]:
    """The `--topic`s (known slugs only), else what import's rules find in the headline."""
    if not given:
        return classify(config, title, "")
    known = [rule.slug for rule in config.topics] + [config.default_topic]
    errors = []
    for topic in given:
        if slugify(topic, fallback="") not in known:
            close = closest(slugify(topic, fallback=""), known)
            errors.append(SiteError("--topic", None, f"unknown topic '{topic[:60]}'",
                                    f"did you mean '{close}'?" if close else f"known: {', '.join(known)}"))
    if errors:
        raise SiteErrors(errors)
    return list(dict.fromkeys(slugify(t) for t in given))


def _authors(given: list[str]) -> list[str]:
    """The `--author`s, each once, as the front matter's `authors:` takes them."""
    errors = [SiteError("--author", None, f"{name[:60]!r} is not a name", 'write e.g. --author "Marie Dupont"')
              for name in given if not author_name(name)]
    if errors:
        raise SiteErrors(errors)
    return list(dict.fromkeys(author_name(name) for name in given))


def _lang(config: Config, lang: str | None) -> str:
    if lang is None:
        return config.language
    if not is_language_tag(lang):
        raise SiteErrors([SiteError("--lang", None, f"'{lang[:40]}' is not a language code",
                                    "write e.g. --lang fr or --lang en")])
    return lang
