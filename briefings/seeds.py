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

from .dates import BriefingDate, infer_day, parse_date
from .errors import SiteError, SiteErrors
from .text import clean_text

SEED_NAME = re.compile(r"(\d+)_([0-9a-fA-F]{4,64})\.txt")
_DATE_LINE = re.compile(r"date[ \t]+(\S+)(?:[ \t]+(.*))?", re.IGNORECASE)
_LIST_ITEM = re.compile(r"[-*•][ \t]+")
MAX_SEED_BYTES = 5 * 1024 * 1024
SUBHEADING_MAX = 80
_FINAL_PUNCTUATION = tuple(".!?…:;,»\"”)]")
_FORMAT_HINT = "the first line must be ` date YYYY-MM Headline sentence`, e.g. ` date 2023-08 Kim Jong-un inspects a factory.`"


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


def decode(data: bytes, shown: str) -> str:
    """UTF-8 (with or without BOM) only; anything else is an error naming the byte."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SiteErrors([SiteError(shown, 1, "file is UTF-16, not UTF-8",
                                    "re-save it as UTF-8 (e.g. `iconv -f UTF-16 -t UTF-8`)")])
    if b"\x00" in data[:8192]:
        raise SiteErrors([SiteError(shown, 1 + data[:data.index(b"\x00")].count(b"\n"),
                                    "file contains NUL bytes: it looks binary, not text",
                                    "remove it from seeds/ or re-export it as plain UTF-8 text")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = 1 + data[:exc.start].count(b"\n")
        raise SiteErrors([SiteError(shown, line, f"invalid UTF-8 at byte {exc.start}",
                                    "re-save the file as UTF-8")]) from None


def parse_seed(path: Path, data: bytes, shown: str | None = None) -> Seed:
    """Parse one seed file's bytes; raise SiteErrors with every problem found."""
    shown = shown or str(path)
    try:
        sid = seed_id(path)
    except ValueError:
        raise SiteErrors([SiteError(shown, None, "file name does not carry an id",
                                    "name seed files NNN_<hex id>.txt, e.g. 001_3f4d1d9cf0a4d9f4.txt")]) from None
    if len(data) > MAX_SEED_BYTES:
        raise SiteErrors([SiteError(shown, None, f"file is {len(data) // 1024 // 1024} MB; "
                                    f"seeds are limited to {MAX_SEED_BYTES // 1024 // 1024} MB",
                                    "split it or check it is really a briefing")])
    lines = [line.rstrip() for line in clean_text(decode(data, shown)).split("\n")]
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise SiteErrors([SiteError(shown, 1, "file is empty", _FORMAT_HINT)])
    date, title = _date_line(lines[first], first + 1, shown)
    blocks = _blocks(lines, first + 1)
    date = infer_day(date, title + "\n" + "\n".join(b.text for b in blocks))
    return Seed(path, sid, title, date, tuple(blocks))


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
    """A short line without final punctuation, like `Sommet à Washington`."""
    return len(text) <= SUBHEADING_MAX and len(text.split()) <= 12 and not text.endswith(_FINAL_PUNCTUATION)
