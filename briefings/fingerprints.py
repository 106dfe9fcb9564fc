"""Page fingerprints: what a page's bytes depend on, hashed, so unchanged pages are not rendered.

A fingerprint covers the page's template and every template it extends,
includes or imports, the config, the engine's code, and a digest of the data
its template gets. Equal fingerprints mean equal bytes; the build cache
(cache.py) remembers them.

Computing them all is a fifth of a one-edit rebuild at 10,000 briefings, so
a build whose `shape` (engine, config, templates, the archive's shape key) is
the last build's reuses the last fingerprint of every page that reaches none
of the briefings changed since (`untouched`): same shape, same untouched
briefings, same page data.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from jinja2 import meta

from .config import Config
from .content import Briefing, stamp
from .engine import engine_stamp

if TYPE_CHECKING:
    from .plan import Page


@functools.cache
def _field_names(kind: type) -> tuple[str, ...]:
    """The fields a model object's fingerprint covers: all, unless the class names the few
    the others derive from (`FINGERPRINT_FIELDS`)."""
    return getattr(kind, "FINGERPRINT_FIELDS", None) or tuple(f.name for f in dataclasses.fields(kind))


@functools.cache
def _is_dataclass(kind: type) -> bool:
    return dataclasses.is_dataclass(kind)


_SCALARS = frozenset({str, int, float, bool, type(None)})


@functools.lru_cache(maxsize=256)
def _keys(names: tuple[str, ...]) -> list[bytes]:
    """A dict's keys as fingerprint bytes, ahead of its values' (the same few keys on every page)."""
    return [repr(names).encode() + b":"]


@functools.lru_cache(maxsize=256)
def _references(source: str) -> tuple[tuple[str, ...], bool]:
    """The templates a template source extends, includes or imports (parsed once per source),
    and whether it also names one by an expression (`{% include partial %}`): such a template
    may pull in any template at all."""
    try:
        found = list(meta.find_referenced_templates(_PARSER.parse(source)))
    except jinja2.TemplateSyntaxError:
        return (), False
    return tuple(sorted(n for n in found if n)), None in found


_PARSER = jinja2.Environment()
_USES_BODIES = re.compile(r"briefing_html")


class Fingerprints:
    """Fingerprints of pages: template closure + config + a digest of the page's data.

    A briefing the page lists directly (its own, related, a listing's items,
    a feed's items) counts by its whole file, and by what the build made of it
    beside the file (its listing digest: an author's name is spelt as across the
    site, archive.one_spelling). One reached through a topic,
    month or year counts without its body, unless the page's templates render
    bodies at all: so editing a body re-renders the few pages that show it,
    not every page of its topics, and never leaves a page stale.
    """

    def __init__(self, env: jinja2.Environment, config: Config):
        self.env, self.config = env, config
        self._templates: dict[str, tuple[str, bool]] = {}
        self._whole: dict[int, bytes] = {}
        self._untouched: dict[int, bool] = {}
        # strict and lenient builds differ on undefined variables: a strict build re-renders
        self._base = repr((config.output_settings(), env.undefined.__name__, engine_stamp())).encode()
        self._seeded = hashlib.blake2b(self._base, digest_size=16)
        """The hash fed with `_base` once: each page's hash starts from a copy of it rather
        than hashing the config's whole text again (11,000 times at 10,000 briefings)."""

    @staticmethod
    def copy(source: Path) -> str:
        """A static file is copied as is: its source path and stamp identify its bytes."""
        try:
            return f"copy\0{source}\0{stamp(source.stat())}"
        except OSError:
            return f"copy\0{source}\0missing"

    def page(self, page: Page) -> str:
        template, bodies = self.template(page.template)
        head = f"{page.path}\0{page.template}\0{page.base_href}\0{template}\0".encode()
        digest = self._seeded.copy()
        digest.update(head + self.data(page.context, bodies))
        return "page\0" + digest.hexdigest()

    def shape(self, archive_key: str, templates: set[str]) -> str:
        """What every page's fingerprint shares: config, engine, the pages' templates (with
        everything they pull in) and the archive's shape key (see archive.Archive)."""
        closures = sorted((name, self.template(name)) for name in templates)
        digest = self._seeded.copy()
        digest.update(repr((archive_key, closures)).encode())
        return digest.hexdigest()

    def untouched(self, value: Any, changed: set[str]) -> bool:
        """`value` (a page's context) reaches none of the `changed` briefing files. Only the
        kinds `data` knows are looked into; anything else counts as touched. (`value` is Any:
        kinds are told apart by `type(value) is`, faster here than isinstance, which is all
        the type checker narrows on.)"""
        kind: type = type(value)
        if kind is Briefing:
            return value.file not in changed
        if kind in _SCALARS:
            return True
        if kind is dict or kind is list or kind is tuple:
            for item in value.values() if kind is dict else value:
                item_kind = type(item)  # briefings and scalars inline: this runs for every page
                if item_kind is Briefing:
                    if item.file in changed:
                        return False
                elif item_kind not in _SCALARS and not self.untouched(item, changed):
                    return False
            return True
        if not _is_dataclass(kind):
            return False
        found = self._untouched.get(id(value))
        if found is None:  # model objects (a topic holds thousands of briefings): once each
            found = self._untouched[id(value)] = all(
                self.untouched(getattr(value, name), changed) for name in _field_names(kind))
        return found

    def template(self, name: str) -> tuple[str, bool]:
        """Hash of a template and everything it extends, includes or imports (every template,
        when it includes one named by an expression), and whether any of them renders
        briefing bodies."""
        if name not in self._templates:
            self._templates[name] = ("", False)  # guards against cycles
            digest = hashlib.blake2b(digest_size=16)
            assert self.env.loader is not None, "the renderer's environment always has a loader"
            try:
                source, filename, _ = self.env.loader.get_source(self.env, name)
            except jinja2.TemplateNotFound:
                source, filename = "", "missing"
            digest.update(f"{filename}\0{source}".encode())
            bodies = bool(_USES_BODIES.search(source))
            referenced, dynamic = _references(source)
            if dynamic:  # which one is known only when rendering: the page depends on them all
                referenced = tuple(sorted(set(referenced) | set(self.env.list_templates())))
            for child in referenced:
                child_digest, child_bodies = self.template(child)
                digest.update(child_digest.encode())
                bodies = bodies or child_bodies
            self._templates[name] = (digest.hexdigest(), bodies)
        return self._templates[name]

    def data(self, value: Any, bodies: bool, nested: bool = False) -> bytes:
        """Bytes standing for template data (see the class docstring for briefings): containers
        give their items' bytes, delimited; model objects a digest. (A per-build memo of those
        digests was measured and removed: no gain on a template change at 10,000 briefings.)
        (`value` is Any for the reason `untouched` gives.)"""
        kind: type = type(value)
        if kind is Briefing:
            return self._briefing(value, bodies, nested)
        if kind in _SCALARS:
            return repr(value).encode() + b","
        if kind is dict:
            return b"{%b}" % b"".join(_keys(tuple(value)) + self._items(value.values(), bodies, nested))
        if kind is list or kind is tuple:
            return b"[%b]" % b"".join(self._items(value, bodies, nested))
        if not _is_dataclass(kind):
            return repr(value).encode() + b","
        fields = b"".join(self.data(getattr(value, name), bodies, True) for name in _field_names(kind))
        return b"<%b>" % hashlib.blake2b(kind.__name__.encode() + b"\0" + fields, digest_size=16).digest()

    def _items(self, values: Iterable[Any], bodies: bool, nested: bool) -> list[bytes]:
        """`data` of each value; briefings and strings, most of what pages hold, without going
        through `data` (fingerprinting every page: 137 -> 114 ms at 10,000 briefings)."""
        found: list[bytes] = []
        for value in values:
            kind = type(value)
            if kind is Briefing:
                found.append(self._briefing(value, bodies, nested))
            elif kind is str:
                found.append(repr(value).encode() + b",")
            else:
                found.append(self.data(value, bodies, nested))
        return found

    def _briefing(self, briefing: Briefing, bodies: bool, nested: bool) -> bytes:
        if nested and not bodies:
            return briefing.listing_digest
        whole = self._whole.get(id(briefing))
        if whole is None:
            # the file's digest, and what the build made of it beside the file (its listing
            # digest: its page, whether it is scheduled, its authors spelt as across the site)
            whole = self._whole[id(briefing)] = b"<%b\0%b>" % (briefing.digest.encode(), briefing.listing_digest)
        return whole
