"""Markdown -> HTML with markdown-it-py. Raw HTML is off: content comes from untrusted seeds.

markdown-it's own link validation already refuses `javascript:`, `vbscript:`,
`file:` and most `data:` URLs; with `html` off, `<script>` in a briefing is text.
"""
from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

_md = (MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
       .enable("table").enable("strikethrough").use(footnote_plugin))


@lru_cache(maxsize=4096)
def to_html(source: str) -> str:
    """Render a briefing body; cached because feeds and pages render the same bodies."""
    return _md.render(source)
