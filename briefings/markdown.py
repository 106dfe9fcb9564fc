"""Markdown -> HTML with markdown-it-py. Raw HTML is off: content comes from untrusted seeds.

With `html` off, `<script>` in a briefing is text. Links and images may use
any scheme but `javascript:`, `vbscript:`, `file:` and `data:` (markdown-it's
own check lets `data:image/…` through; a briefing has no use for it).
"""
from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

_md = (MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
       .enable("table").enable("strikethrough").use(footnote_plugin))
_UNSAFE_LINK = re.compile(r"^\s*(javascript|vbscript|file|data):", re.IGNORECASE)


def _safe_link(url: str) -> bool:
    return not _UNSAFE_LINK.match(url)


_md.validateLink = _safe_link


@lru_cache(maxsize=4096)
def to_html(source: str) -> str:
    """Render a briefing body; cached because feeds and pages render the same bodies."""
    return _md.render(source)
