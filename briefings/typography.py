"""French typography: narrow no-break spaces inside « guillemets » and before ; : ! ?,
in plain text and in rendered HTML (where tags and code are left as they are). The Jinja
filter `typo(lang)` and every interface string of a French site go through `typography`."""
from __future__ import annotations

import re

import jinja2
from markupsafe import Markup

NNBSP = "\u202f"
"""Narrow no-break space: French puts it inside « guillemets » and before ; : ! ?"""
_SPACES = " \u00a0\u202f\t"
_SPACE_BEFORE_MARK = re.compile(f"[{_SPACES}]+(?=[;:!?]+(?:\\s|$|[»)<\ue000]))")


def _narrow_space_before_mark(match: re.Match[str]) -> str:
    """The space typed before ; : ! ? becomes a narrow one, unless it starts a line or
    follows another mark (`?!`): a run of spaces only counts after a visible character."""
    before = match.string[match.start() - 1] if match.start() else " "
    return match.group() if before.isspace() or before in ";:!?" else NNBSP


_HOLD = "\ue000"
"""Stands for a tag or a verbatim element while French spacing runs over an HTML text."""
_PROTECTED = re.compile(r"(<(code|pre|kbd|samp|script|style|textarea)\b[^>]*>.*?</\2\s*>|<[^>]*>|" + _HOLD + ")",
                        re.IGNORECASE | re.DOTALL)


def french_spacing(text: str) -> str:
    """French spacing in plain text: a narrow no-break space inside « » (added where missing)
    and before ; : ! ? (replacing the space typed there; `10:30` or `http://` have none, so stay).
    Split and strip rather than regexes for « »: this runs over every French page's text."""
    if "«" in text:
        first, *rest = text.split("«")
        text = "«".join([first, *(NNBSP + part.lstrip(_SPACES) for part in rest)])
    if "»" in text:
        *parts, last = text.split("»")
        text = "»".join([*(part.rstrip(_SPACES) + NNBSP for part in parts), last])
    if any(mark in text for mark in ";:!?"):
        text = _SPACE_BEFORE_MARK.sub(_narrow_space_before_mark, text)
    return text


def typography(value: object, lang: str) -> object:
    """Jinja filter `typo(lang)`: French spacing for `lang == 'fr'`, anything else unchanged.

    Plain text (a title) comes back as text, still to be escaped. In HTML (Markup,
    a rendered body) only the text changes: each tag, and each code, pre, kbd,
    samp, script, style or textarea element whole, is held aside as one
    placeholder character while the rules run, then put back as it was.
    """
    if not (lang == "fr" or lang.startswith("fr-")) or value is None or isinstance(value, jinja2.Undefined):
        return value
    if not isinstance(value, Markup):
        return french_spacing(str(value))
    pieces = _PROTECTED.split(str(value))  # text, held, (inner group), text, held, …, text
    held = pieces[1::3]
    texts = french_spacing(_HOLD.join(pieces[0::3])).split(_HOLD)
    merged = [""] * (len(texts) + len(held))
    merged[0::2], merged[1::2] = texts, held
    return Markup("".join(merged))
