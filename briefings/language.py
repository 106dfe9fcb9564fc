"""Everything the engine knows about languages and scripts, in one place.

- which language a text is in (py3langid's model, shipped in its wheel);
- how a script writes: which marks end a sentence, which scripts put no spaces between
  words, which languages run right to left;
- locale data from CLDR (Babel): language names, Open Graph locales, month and weekday
  names, date formats;
- the interface's phrases, from gettext catalogs (briefings/locale/<lang>.po).

Nothing here is imported at start-up but this module's own code: numpy, py3langid and
Babel are loaded on first use, so a build with nothing to do never pays for them.
"""
from __future__ import annotations

import functools
import io
import pickle
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import gettext

    from babel import Locale
    from py3langid.langid import LanguageIdentifier

# --- scripts ------------------------------------------------------------------------------

SENTENCE_ENDS = ".!?…" "。！？｡" "؟۔" "।॥" "։" "።" "჻" "။" "។" "๚๛" "‼⁇⁈⁉"
"""Marks that end a sentence in some script: Latin, CJK (full and half width), Arabic and
Urdu, Devanagari, Armenian, Ethiopic, Georgian, Myanmar, Khmer and Thai."""
CJK_SENTENCE_ENDS = "。！？｡"
"""The marks after which Chinese and Japanese start the next sentence without a space."""
FULL_STOPS = ".。｡।۔։።"
"""The plain full stops among them: a headline loses one of these to become a title."""
CLOSING = "»\"”’)]）」』】〕》〉"
"""What may follow a sentence's final mark: quotes and brackets of every script."""

_UNSPACED = re.compile(
    "[\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff\u0f00-\u0fff"  # Thai, Lao, Myanmar, Khmer, Tibetan
    "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"  # kana, Han
    "\U00020000-\U0003134f\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")  # Han extensions, Hangul
"""Scripts whose words are not (or, Hangul, not reliably) separated by spaces: Korean writes
spaces, but between phrases, each word carrying its particles (북한이, 북한은)."""


def is_unspaced(text: str) -> bool:
    """Whether `text` is written, at least in part, in a script without spaces between words."""
    return not text.isascii() and _UNSPACED.search(text) is not None


RTL_SCRIPTS = {"Arab", "Hebr", "Thaa", "Syrc", "Nkoo", "Adlm", "Rohg", "Mand", "Samr"}
"""ISO 15924 scripts written right to left; a language's script comes from CLDR."""


@functools.lru_cache(maxsize=256)
def direction(lang: str) -> str:
    """`rtl` or `ltr`: the direction of a language's usual script (`ar`, `he`, `fa`, `ur`,
    `ps`, `yi`, `dv`, `ckb` and `az-Arab` are right to left)."""
    script = _likely(lang)[1]
    return "rtl" if script in RTL_SCRIPTS else "ltr"


def romanize(text: str) -> str:
    """`text` in ASCII letters, for slugs: anyascii per character, with a space around each
    Han character, whose reading is a syllable of its own (anyascii gives Mandarin pinyin,
    also for Japanese kanji), so that `北朝鲜` gives `bei chao xian`, not `beichaoxian`.
    Kana, Hangul, Cyrillic, Greek, Arabic, Hebrew, Devanagari and Thai come out as words."""
    from anyascii import anyascii
    out = []
    for char in text:
        if char.isascii():
            out.append(char)
        elif "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" or char >= "\U00020000":
            out.append(f" {anyascii(char)} ")
        else:
            out.append(anyascii(char).replace("'", ""))  # Hebrew and Arabic ʾ ʿ: inside a word
    return "".join(out)


# --- locale data (CLDR, through Babel) -----------------------------------------------------

@functools.lru_cache(maxsize=256)
def _likely(lang: str) -> tuple[str, str, str]:
    """(language, script, territory) of a BCP 47 tag, the missing parts from CLDR's likely
    subtags (`de` -> de, Latn, DE); ("", "", "") for a tag CLDR does not know."""
    from babel.core import get_global, parse_locale
    try:
        parts = parse_locale(lang.replace("-", "_"))
    except ValueError:
        return "", "", ""
    language, territory, script = parts[0], parts[1] or "", parts[2] or ""
    likely = get_global("likely_subtags")
    full = likely.get(f"{language}_{script}" if script else language) or likely.get(language) or ""
    try:
        full_territory, full_script = parse_locale(full)[1:3]
    except ValueError:
        full_territory = full_script = None
    return language, script or full_script or "", territory or full_territory or ""


@functools.lru_cache(maxsize=64)
def locale(lang: str) -> Locale | None:
    """The Babel Locale of a BCP 47 tag (`pt-BR`), or None when CLDR has no data for it."""
    from babel import Locale, UnknownLocaleError
    try:
        return Locale.parse(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def _locale_or_english(lang: str) -> Locale:
    """The Babel Locale of `lang`; English's when CLDR has no data for it."""
    found = locale(lang) or locale("en")
    assert found is not None, "CLDR always has English"
    return found


def language_problem(lang: str) -> str | None:
    """What is wrong with `lang` as the interface language (None when CLDR knows it)."""
    if not isinstance(lang, str) or not re.fullmatch(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*", lang):
        return f"'{str(lang)[:40]}' is not a language tag such as fr, en, de or pt-BR"
    if locale(lang) is None:
        return f"'{lang}' is not a locale CLDR knows"
    return None


@functools.lru_cache(maxsize=256)
def language_name(code: str) -> str:
    """A language's own name for itself (`Français`, `English`, `العربية`, `日本語`), as a link
    or a filter value shows it: capitalised, which CLDR leaves to the context."""
    found = locale(code)
    name = found.get_display_name(found) if found else None
    return (name[:1].upper() + name[1:]) if name else code


@functools.lru_cache(maxsize=1024)
def language_name_in(code: str, interface: str) -> str:
    """A language's name in the interface language, as CLDR writes it in running text
    (`allemand`, `japonais` on a French site; `German` on an English one): the search page's
    language filter, which lists every language of the archive in the reader's."""
    found, where = locale(code), locale(interface)
    name = found.get_display_name(where) if found and where else None
    return name or language_name(code)


@functools.lru_cache(maxsize=256)
def og_locale(code: str) -> str:
    """The Open Graph locale of a language tag: `de` -> `de_DE`, `pt-BR` -> `pt_BR`."""
    language, _, territory = _likely(code)
    return f"{language}_{territory}" if language and territory else code.replace("-", "_")


@functools.lru_cache(maxsize=8192)
def format_date(year: int, month: int | None, day: int | None, lang: str) -> str:
    """A date in the language's CLDR format: `14 août 2023`, `August 14, 2023`, `2023年8月`.
    Without a day, month and year only; without a month, the year. French writes the first
    of the month `1er`, which CLDR does not."""
    import datetime as dt
    if not month:
        return str(year)
    from babel.dates import format_date as babel_date
    from babel.dates import format_skeleton
    where = _locale_or_english(lang)
    value = dt.date(year, month, day or 1)
    if not day:
        return format_skeleton("yMMMM", value, locale=where)
    text = babel_date(value, "long", locale=where)
    if where.language == "fr" and day == 1:
        text = text.replace("1 ", "1er ", 1) if text.startswith("1 ") else text
    return text


def format_list(items: list[str], lang: str) -> str:
    """Items joined as `lang` writes a list, from CLDR (`A, B et C`, `A, B und C`, `A وB وC`)."""
    from babel.lists import format_list as babel_list
    return babel_list(items, locale=_locale_or_english(lang)) if items else ""


def format_span(start: tuple[int, int | None], end: tuple[int, int | None], lang: str) -> str:
    """The months from `start` to `end` ((year, month), month None for a year alone) as CLDR
    writes an interval: `janvier – juillet 2022`, `November 2021 – February 2022`, `2022年1月～7月`,
    one month alone when they are the same; years only (`2021–2022`) when either is a year alone."""
    import datetime as dt

    from babel.dates import format_interval
    where = locale(lang) or locale("en")
    if start[1] and end[1]:
        return format_interval(dt.date(start[0], start[1], 1), dt.date(end[0], end[1], 1), "yMMMM", locale=where)
    return format_interval(dt.date(start[0], 1, 1), dt.date(end[0], 1, 1), "y", locale=where)


@functools.lru_cache(maxsize=64)
def month_and_weekday_names(lang: str) -> tuple[list[str], list[str]]:
    """The language's month names (January first) and weekday names (Monday first)."""
    from babel.dates import get_day_names, get_month_names
    where = _locale_or_english(lang)
    months = get_month_names("wide", locale=where)
    days = get_day_names("wide", locale=where)
    return [months[m] for m in range(1, 13)], [days[d] for d in range(7)]


# --- language identification --------------------------------------------------------------

MIN_CONFIDENCE = 0.75
"""Below this probability the model is unsure, and import keeps the site language. On the
sixteen briefings of tests/fixtures/multilingual, the lowest was Chinese at 0.87 (the rest
of its mass goes to Wu and Cantonese); every other one was above 0.95."""
SAMPLE = 150
"""Characters of the body read, after the title. The model's automaton walks the sample's
UTF-8 bytes in Python, so its cost grows with the sample. Measured: with 150, all sixteen
fixtures right (the least sure, Chinese, at 0.876) and the 2,000 briefings of the synthetic
benchmark corpus given the language their whole text gets, none unsure; with 100, still all
right but Chinese at 0.66, under MIN_CONFIDENCE; with 60, 9 of the 2,000 unsure."""
_NO_LANGUAGE = {"zxx"}
_MODEL_CACHE = "langid-model.pickle"


_LOADED: list[LanguageIdentifier] = []
"""The identifier once loaded: one per process, whatever cache folder it came from."""


def _identifier(cache_dir: Path | None = None) -> LanguageIdentifier:
    if not _LOADED:
        _LOADED.append(_load_identifier(cache_dir))
    return _LOADED[0]


def _load_identifier(cache_dir: Path | None) -> LanguageIdentifier:
    """py3langid's identifier with probabilities. Its wheel holds the model LZMA-compressed,
    which takes a second to unpack; the unpacked arrays are kept in the project's cache
    folder (as a pickle of plain arrays, 70 MB), which loads in a tenth of that."""
    import numpy as np
    import py3langid
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier
    from py3langid.modelio import load_model
    version = getattr(py3langid, "__version__", "") + str((MODEL_DIR / MODEL_FILE).stat().st_size)
    cached = cache_dir / _MODEL_CACHE if cache_dir else None
    model = None
    if cached and cached.is_file():
        try:
            with cached.open("rb") as file:
                stored_version, model = pickle.load(file)
            model = model if stored_version == version else None
        except Exception:  # noqa: BLE001 - a damaged cache is unpacked again
            model = None
    if model is None:
        model = load_model(MODEL_DIR / MODEL_FILE)
        if cached:
            _store(cached, (version, model))
    ptc, pc, classes, nextmove, row, output = model
    # float32: the scoring product is twice as fast as with the float16 stored in the model
    return LanguageIdentifier(np.asarray(ptc, dtype=np.float32), np.asarray(pc), classes, nextmove, output,
                              norm_probs=True, tk_row=row)


def _store(path: Path, value: object) -> None:
    from .fsutil import write_atomic
    try:
        write_atomic(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), durable=False)
    except OSError:
        pass  # a cache that cannot be written only costs time


def preload(cache_dir: Path | None = None) -> None:
    """Load the model now, in this process: import forks its workers after, and they share it."""
    _identifier(cache_dir)


def detect_language(text: str, default: str) -> tuple[str, bool]:
    """(language code, sure) for the text of a briefing, title first. When the model is not
    sure (a probability under MIN_CONFIDENCE, or no letters at all), `default`, and False
    unless the model's best guess was `default` all the same: a short French seed on a
    French site (`Un titre. Le texte du briefing.` gets fr at 0.09) is no news worth a warning."""
    sample = text[:SAMPLE + text.find("\n") + 1] if "\n" in text else text[:SAMPLE]
    if not any(char.isalpha() for char in sample):
        return default, False
    code, probability = _identifier().classify(sample)
    if probability < MIN_CONFIDENCE or code in _NO_LANGUAGE:
        return default, code == default
    return code, True


# --- interface phrases (gettext catalogs) --------------------------------------------------

LOCALE_DIR = Path(__file__).parent / "locale"
"""One catalog a language, `<lang>.po`, compiled in memory when first used."""

PHRASES: dict[str, str | tuple[str, str]] = {
    "home": "Home", "topics": "Topics", "archive": "Archive", "feed": "RSS feed",
    "latest": "Latest briefings", "page": "Page", "previous_page": "Newer", "next_page": "Older",
    "previous": "Previous briefing", "next": "Next briefing", "related": "Related briefings",
    "reading_time": ("{n} min read", "{n} min read"), "published": "Published",
    "updated_on": "Updated {date}", "corrections": "Corrections",
    "topic_feed": "Feed for this topic", "not_found": "Page not found",
    "not_found_text": "This page does not exist or has moved.",
    "back_home": "Back to the latest briefings", "skip": "Skip to content",
    "months": "Months", "years": "Years", "all_topics": "All topics", "summary": "Summary",
    "in_topic": "In", "pagination": "Pagination", "main_nav": "Main navigation",
    "source": "Source", "month_of": "Briefings of {label}", "year_of": "Briefings of {label}",
    "undated_in_year": "Dated only by year",
    "briefing_count": ("{count} briefing", "{count} briefings"),
    "search": "Search", "search_title": "Search the archive", "search_label": "Words to look for",
    "search_intro": "Search every briefing, whatever its language; accents and case do not matter.",
    "search_noscript": "Search needs JavaScript. Browse by topic or by month instead.",
    "search_from_disk": "Search needs the site to be served by a web server: it does not work on a "
                        "page opened from a file. Browse by topic or by month instead.",
    "search_unavailable": "Search is not available: the search index of this site was not found.",
    "search_count": "{n} results", "search_count_one": "{n} result", "search_none": "No result",
    "search_more": "More results", "search_filters": "Filter the results",
    "filter_topic": "Topic", "filter_year": "Year", "filter_language": "Language", "meta_date": "Date",
    "translations": "Also available in", "years_covered": "Years", "month_topics": "Topics this month",
    "atom_feed": "Atom feed", "json_feed": "JSON Feed",
    "topic_description": ("{count} briefing on {topic}", "{count} briefings on {topic}"),
    "scheduled": "Scheduled",
    "page_of": "Page {number} of {count}",
    "by": "By", "authors": "Authors", "all_authors": "All authors", "briefings_by": "Briefings by {author}",
    "author_feed": "RSS feed of {author}", "filter_author": "Author", "contents": "Contents",
}
"""The interface's phrases in English, by the key templates pass to `t()`: English is the
source language of the catalogs (each phrase is a catalog's msgid) and the fallback of any
phrase a catalog lacks. A pair is a phrase with a plural: `t(key, count=n)` picks the form."""


def catalog_path(lang: str) -> Path | None:
    """The catalog for `lang` (`pt-BR`, else `pt`), or None."""
    for name in (lang.replace("-", "_"), lang.split("-")[0]):
        path = LOCALE_DIR / f"{name}.po"
        if path.is_file():
            return path
    return None


@functools.lru_cache(maxsize=16)
def translations(lang: str) -> gettext.NullTranslations:
    """The language's catalog as gettext translations; English (the msgids) when it has none.
    Compiled from the .po in memory: 5 ms a catalog, once a process, and no build step."""
    import gettext
    path = catalog_path(lang)
    if path is None:
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    with path.open("rb") as file:
        catalog = read_po(file, locale=path.stem)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def translate(lang: str, key: str, **values: object) -> str:
    """The phrase `key` in `lang`, `{name}` values filled in; a phrase with a plural takes its
    form from `count` (or `n`) by the catalog's plural rule. English when the catalog lacks it."""
    phrase = PHRASES.get(key, key)
    catalog = translations(lang)
    if isinstance(phrase, tuple):
        number = values.get("count", values.get("n", 1))
        text = catalog.ngettext(phrase[0], phrase[1], int(number) if isinstance(number, (int, float)) else 1)
    else:
        text = catalog.gettext(phrase)
    return text.format(**values) if values else text


def missing_phrases(lang: str) -> list[str]:
    """The English phrases `lang`'s catalog does not translate (all of them without a catalog)."""
    if lang.split("-")[0] == "en":
        return []
    path = catalog_path(lang)
    if path is None:
        return [p if isinstance(p, str) else p[0] for p in PHRASES.values()]
    from babel.messages.pofile import read_po
    with path.open("rb") as file:
        catalog = read_po(file)
    missing = []
    for phrase in PHRASES.values():
        message = catalog.get(phrase if isinstance(phrase, str) else phrase[0])
        strings = message.string if message else None
        if message is None or not strings or (isinstance(strings, tuple) and not all(strings)) or message.fuzzy:
            missing.append(phrase if isinstance(phrase, str) else phrase[0])
    return missing
