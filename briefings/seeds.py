"""Raw seed files: ` date YYYY-MM <headline>`, a blank line, then paragraphs.

Seeds are untrusted text from outside. This module turns one into a `Seed`
(structure only: no Markdown, no HTML) or into SiteErrors that name the file,
the line and the fix. It tolerates what real files carry: a BOM, CRLF,
trailing spaces, runs of blank lines.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from . import language
from .dates import BriefingDate, infer_day, parse_date
from .errors import SiteError, SiteErrors
from .text import clean_text, invisible_names, is_visible

SEED_NAME = re.compile(r"(\d+)_([0-9a-fA-F]{4,64})\.txt")
_DATE_LINE = re.compile(r"date[ \t]+(\S+)(?:[ \t]+(.*))?", re.IGNORECASE)
_LIST_ITEM = re.compile(r"[-*•][ \t]+")
MAX_SEED_BYTES = 5 * 1024 * 1024
MAX_HEADLINE = 10_000
"""Characters: a longer first line is a whole text missing its line breaks, not a headline."""
LONG_HEADLINE = 300
"""Characters: a headline this long is kept, with a warning that a line break may be missing."""
SUBHEADING_MAX = 80
SUBHEADING_MAX_UNSPACED = 30
"""Characters, for a line in a script without spaces (Chinese, Japanese, Thai…): each carries
about what a Latin word does, so a longer line is a paragraph, even without a final mark."""
_FINAL_PUNCTUATION = tuple(language.SENTENCE_ENDS + ":;,：；，、" + language.CLOSING)
_FORMAT_HINT = ("the first line must be ` date YYYY-MM Headline sentence`, "
                "e.g. ` date 2023-08 Kim Jong-un inspects a factory.`")


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph, a subheading, or a list (its items joined by newlines)."""

    kind: str  # "paragraph" | "heading" | "list"
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Seed:
    path: Path
    id: str
    title: str
    date: BriefingDate
    blocks: tuple[Block, ...]

    @property
    def body_text(self) -> str:
        return "\n\n".join(block.text for block in self.blocks)


def seed_id(path: Path) -> str:
    """The stable id carried by `NNN_<hex id>.txt`; raise ValueError for other names."""
    match = SEED_NAME.fullmatch(path.name)
    if not match:
        raise ValueError(path.name)
    return match.group(2).lower()


_MAGIC = ((b"\x89PNG\r\n\x1a\n", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
          (b"GIF87a", "a GIF image"), (b"GIF89a", "a GIF image"), (b"%PDF-", "a PDF document"),
          (b"PK\x03\x04", "a ZIP archive (or a Word/OpenDocument file)"), (b"\x1f\x8b", "a gzip archive"),
          (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"), (b"{\\rtf", "an RTF document"))
_BINARY_HINT = "remove it from seeds/ or export the briefing as plain UTF-8 text"


def decode(data: bytes, shown: str, replace_invalid: bool = False) -> tuple[str, list[SiteError]]:
    """UTF-8 (with or without BOM) only; anything else is an error naming the byte.

    With `replace_invalid`, invalid UTF-8 becomes U+FFFD and a warning instead.
    Returns the text and the warnings.
    """
    if data.startswith((b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00")):
        raise SiteErrors([SiteError(shown, 1, "file is UTF-32, not UTF-8",
                                    "re-save it as UTF-8 (e.g. `iconv -f UTF-32 -t UTF-8`)")])
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SiteErrors([SiteError(shown, 1, "file is UTF-16, not UTF-8",
                                    "re-save it as UTF-8 (e.g. `iconv -f UTF-16 -t UTF-8`)")])
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise SiteErrors([SiteError(shown, None, f"file is {kind}, not text", _BINARY_HINT)])
    nul = data.find(b"\x00")
    if nul >= 0:
        line = 1 + data.count(b"\n", 0, nul)
        head = data[:4096]
        for order, zeros in (("LE", head[1::2].count(0)), ("BE", head[0::2].count(0))):
            if len(head) > 8 and zeros > len(head) // 4:  # most ASCII characters with a NUL beside them
                raise SiteErrors([SiteError(shown, 1, "file looks like UTF-16 without a byte order mark",
                                            f"re-save it as UTF-8 (e.g. `iconv -f UTF-16{order} -t UTF-8`)")])
        raise SiteErrors([SiteError(shown, line, f"file contains NUL bytes, the first at byte {nul}: "
                                    "it looks binary, not text", _BINARY_HINT)])
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = 1 + data.count(b"\n", 0, exc.start)
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        where = f"invalid UTF-8 at byte {exc.start} (column {column}): 0x{data[exc.start]:02X}"
        if not replace_invalid:
            raise SiteErrors([SiteError(
                shown, line, where,
                "re-save the file as UTF-8 (from Latin-1 or Windows-1252: "
                "`iconv -f WINDOWS-1252 -t UTF-8`), or import with --replace-invalid")]) from None
    text = data.decode("utf-8-sig", errors="replace")
    count = text.count("\ufffd") - data.decode("utf-8-sig", errors="ignore").count("\ufffd")
    return text, [SiteError(shown, line, f"{where}; {count} invalid sequence{'s' * (count != 1)} "
                            "replaced with U+FFFD", "check the text, or re-save the file as UTF-8",
                            warning=True)]


def parse_seed(path: Path, data: bytes, shown: str | None = None,
               replace_invalid: bool = False) -> Seed:
    """Parse one seed file's bytes; raise SiteErrors with every problem found."""
    return parse_seed_with_warnings(path, data, shown, replace_invalid)[0]


def parse_seed_with_warnings(path: Path, data: bytes, shown: str | None = None,
                             replace_invalid: bool = False) -> tuple[Seed, list[SiteError]]:
    """`parse_seed`, also returning the warnings (invalid bytes replaced)."""
    shown = shown or str(path)
    sid = checked_id(path, shown)
    if len(data) > MAX_SEED_BYTES:
        raise SiteErrors([too_big(shown, len(data))])
    text, warnings = decode(data, shown, replace_invalid)
    lines = [line.rstrip() for line in clean_text(text).split("\n")]
    first = next((i for i, line in enumerate(lines) if is_visible(line)), None)
    if first is None:
        raise SiteErrors([SiteError(shown, 1, "file is empty" if not data.strip() else
                                    "file has no text, only blank lines or invisible characters",
                                    _FORMAT_HINT)])
    date, title = _date_line(lines[first], first + 1, shown)
    blocks = _blocks(lines, first + 1)
    if not blocks:
        raise SiteErrors([SiteError(shown, first + 1, "the briefing has no text after its headline",
                                    "write the briefing's paragraphs below the date line, after a blank line")])
    if len(title) > LONG_HEADLINE:
        warnings.append(SiteError(shown, first + 1, f"the headline is {len(title):,} characters long",
                                  "is a line break missing after the headline?", warning=True))
    date = infer_day(date, title + "\n" + "\n".join(b.text for b in blocks))
    return Seed(path, sid, title, date, tuple(blocks)), warnings


def checked_id(path: Path, shown: str) -> str:
    """The seed's id from its file name, or a SiteError saying how to name the file."""
    try:
        return seed_id(path)
    except ValueError:
        raise SiteErrors([SiteError(shown, None, "file name does not carry an id",
                                    "name seed files NNN_<hex id>.txt, e.g. 001_3f4d1d9cf0a4d9f4.txt")]) from None


def too_big(shown: str, size: int) -> SiteError:
    """A seed over MAX_SEED_BYTES: refused before it is even read."""
    return SiteError(shown, None, f"file is {size / 1024 / 1024:.1f} MB; "
                     f"seeds are limited to {MAX_SEED_BYTES // 1024 // 1024} MB",
                     "split it into one file per briefing, or check it is really a briefing")


def _date_line(line: str, number: int, shown: str) -> tuple[BriefingDate, str]:
    match = _DATE_LINE.fullmatch(line.strip())
    if not match:
        raise SiteErrors([SiteError(shown, number, "no `date` line", _FORMAT_HINT)])
    try:
        date = parse_date(match.group(1))
    except ValueError as exc:
        raise SiteErrors([SiteError(shown, number, f"bad date: {exc}",
                                    "correct the date after `date` on this line")]) from None
    title = (match.group(2) or "").strip()
    if not title:
        raise SiteErrors([SiteError(shown, number, "the date line has no headline",
                                    "write the headline after the date on the first line")])
    if not is_visible(title):
        raise SiteErrors([SiteError(shown, number, "the headline has no visible character, only "
                                    f"{invisible_names(title)}",
                                    "write the headline after the date on the first line")])
    if len(title) > MAX_HEADLINE:
        raise SiteErrors([SiteError(shown, number, f"the headline is {len(title):,} characters long; "
                                    f"at most {MAX_HEADLINE:,}",
                                    "end the headline with a line break and put the text below it, "
                                    "after a blank line")])
    return date, title


def _blocks(lines: list[str], start: int) -> list[Block]:
    """Group lines separated by blank lines into paragraphs, subheadings and lists."""
    blocks: list[Block] = []
    chunk: list[str] = []
    chunk_start = start
    for number, line in enumerate(lines[start:], start + 1):
        if line.strip():
            if not chunk:
                chunk_start = number
            chunk.append(line.strip())
        elif chunk:
            blocks.append(_block(chunk, chunk_start))
            chunk = []
    if chunk:
        blocks.append(_block(chunk, chunk_start))
    return blocks


def _block(chunk: list[str], line: int) -> Block:
    if all(_LIST_ITEM.match(item) for item in chunk):
        return Block("list", "\n".join(_LIST_ITEM.sub("", item, count=1) for item in chunk), line)
    text = " ".join(chunk)
    if len(chunk) == 1 and is_subheading(text):
        return Block("heading", text, line)
    return Block("paragraph", text, line)


def is_subheading(text: str) -> bool:
    """A short line without final punctuation, like `Sommet à Washington` or `日韓両政府の反応`.
    The final marks are those of every script (`。`, `؟`, `।`…); in a script without spaces a
    subheading is shorter, and one that holds a sentence's end is a paragraph."""
    if len(text) > SUBHEADING_MAX or len(text.split()) > 12 or text.endswith(_FINAL_PUNCTUATION):
        return False
    if language.is_unspaced(text):
        return len(text) <= SUBHEADING_MAX_UNSPACED and not any(m in text for m in language.CJK_SENTENCE_ENDS)
    return True
