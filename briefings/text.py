"""Plain-text rules shared by import and load: cleaning untrusted text, summaries, word counts."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .language import CJK_SENTENCE_ENDS, CLOSING, SENTENCE_ENDS

UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
                    "\ud800-\udfff\ufeff\ufffe\uffff]")
"""Characters no text keeps or shows as they are: C0/C1 controls (XML 1.0 forbids most of
them; an escape sequence could rewrite a terminal), bidirectional overrides that can
disguise text, lone surrogates (YAML escapes make them; Python spells file-name bytes that
are not UTF-8 with them; UTF-8 cannot encode them), the BOM and non-characters. Tab and
newline are kept; carriage returns are turned into newlines before (clean_text) or into
spaces (errors.printable). Content drops them; error messages show them escaped."""
WORDS_PER_MINUTE = 220


def clean_text(text: str) -> str:
    """Normalise newlines and drop characters that could break XML or disguise text."""
    return UNSAFE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def clean_line(text: str) -> str:
    """A one-line value (title, summary, topic name): cleaned, whitespace folded."""
    return " ".join(clean_text(text).split())


_BLANK_GLYPHS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
"""Hangul fillers and the blank Braille pattern: letters or symbols to Unicode, yet they draw nothing."""


def is_visible(text: str) -> bool:
    """Whether `text` shows anything: a letter, digit, punctuation mark or symbol.

    Spaces, zero-width characters (U+200B, joiners, the BOM, soft hyphens and other
    format characters), controls, private-use and unassigned code points, and marks
    with nothing to sit on draw nothing: a title made only of them is an invisible
    title and an invisible link."""
    return any(unicodedata.category(c)[0] in "LNPS" and c not in _BLANK_GLYPHS for c in text)


def invisible_names(text: str, limit: int = 3) -> str:
    """The distinct characters of an invisible text, named for an error message:
    `U+200B ZERO WIDTH SPACE, U+2060 WORD JOINER`."""
    seen = list(dict.fromkeys(text.replace(" ", "")) or " ")
    names = [f"U+{ord(c):04X} {unicodedata.name(c, 'unnamed')}" for c in seen[:limit]]
    return ", ".join(names) + (f" and {len(seen) - limit} more" if len(seen) > limit else "")


@lru_cache(maxsize=1)
def _combining() -> re.Pattern[str]:
    """Every combining mark of the Basic Multilingual Plane: made on first use, since
    listing them costs a build that folds no text (an edit's rebuild) a hundredth of a second."""
    return re.compile("[" + "".join(re.escape(chr(c)) for c in range(0x300, 0x10000)
                                    if unicodedata.combining(chr(c))) + "]+")


_APOSTROPHES = ("’", "‘", "ʼ")


def fold(text: str) -> str:
    """Lowercase without accents and with plain apostrophes: the form in which keywords,
    weekday and month names are matched ("Corée" and "coree" are the same).

    Import folds every body: `str.replace` per apostrophe is ten times faster than
    `str.translate` on a briefing (30 against 300 µs), and ASCII text has nothing to decompose."""
    text = text.casefold()
    if text.isascii():
        return text
    for apostrophe in _APOSTROPHES:
        text = text.replace(apostrophe, "'")
    return _combining().sub("", unicodedata.normalize("NFKD", text))


def word_count(text: str) -> int:
    """Words for reading time: whitespace-separated runs, which is six times faster than a
    word regex and within a word or two of it on a briefing (Markdown marks count too)."""
    return len(text.split())


def reading_minutes(words: int) -> int:
    """Minutes to read `words` words, at least one."""
    return max(1, round(words / WORDS_PER_MINUTE))


_SENTENCE_END = re.compile(f"[{re.escape(SENTENCE_ENDS)}][{re.escape(CLOSING)}]*(?= )|"
                           f"[{CJK_SENTENCE_ENDS}][{re.escape(CLOSING)}]*")
"""A sentence's final mark (of any script) with its closing quotes, then a space, except after
the CJK marks, which are followed by the next sentence directly."""


def summarize(text: str, limit: int = 220) -> str:
    """The first sentences of `text` up to `limit` characters, cut at a word with an ellipsis.
    Sentences end with the marks of every script (`。`, `؟`, `।`…); text without spaces
    (Chinese, Japanese, Thai) is cut at `limit` when no sentence ends early enough."""
    text = clean_line(text)
    if len(text) <= limit:
        return text
    cut = text[:limit + 1]
    ends = [m.end() for m in _SENTENCE_END.finditer(cut) if m.end() <= limit]
    if ends and ends[-1] > limit // 2:
        return cut[:ends[-1]]
    space = cut.rfind(" ")
    return cut[:space].rstrip(",;:") + "…" if space > limit // 2 else text[:limit] + "…"
