"""Split a content file into its YAML front matter and Markdown body, keeping line numbers.

The header is the text between a first line `---` and the next line `---`.
Line numbers matter: every error in a header points at the file's own line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from . import yamldoc
from .errors import SiteError, SiteErrors

FENCE = "---"


@dataclass(frozen=True, slots=True)
class Document:
    meta: dict[str, Any]
    header: str
    """The header's raw text, kept to find a key's line when its value is wrong."""
    body: str
    body_line: int
    """The file line where the body starts."""


def split(text: str, shown: str) -> Document:
    """Parse `---\\nyaml\\n---\\nbody`; raise SiteErrors for a missing or unclosed header."""
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != FENCE:
        raise SiteErrors([SiteError(shown, 1, "no front matter",
                                    "start the file with a line `---`, the YAML header, then `---`")])
    for index in range(1, len(lines)):
        if lines[index].rstrip() == FENCE:
            break
    else:
        raise SiteErrors([SiteError(shown, 1, "front matter is not closed",
                                    "did you forget the closing `---` line after the header?")])
    header = "\n".join(lines[1:index])
    meta = yamldoc.load(header, shown, first_line=2)
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise SiteErrors([SiteError(shown, 2, "front matter must be `key: value` lines",
                                    "write e.g. `title: My headline`")])
    body = "\n".join(lines[index + 1:])
    return Document(meta, header, body, index + 2)


def header_value(head: str, key: str) -> str | None:
    """The value of the top-level `key:` in the header at the start of `head` (a file's
    text, or its first few KB), as written, or None. Read without parsing the YAML, for
    scanning thousands of files: the importer looks up seed ids and `updated:` dates this way
    (a regex per file, about half the time of `split`, which parses the whole header)."""
    end = head.find("\n" + FENCE, len(FENCE))
    match = re.search(rf"^{re.escape(key)}:[ \t]*(\S.*?)[ \t\r]*$", head[:end] if end > 0 else head, re.MULTILINE)
    return match.group(1) if match else None


def join(meta: dict[str, Any], body: str) -> str:
    """The inverse of `split`: `---`, the YAML header, `---`, the body."""
    return f"{FENCE}\n{yamldoc.dump(meta)}{FENCE}\n{body.rstrip()}\n"


def key_line(document: Document, key: str) -> int:
    return yamldoc.key_line(document.header, (key,), first_line=2) or 2
