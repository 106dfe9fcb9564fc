"""Pages -> bytes with Jinja2. Autoescape is on; templates get read-only data and helpers.

Templates come from the project's templates/ first, then the built-in theme,
so a user overrides any template by writing one with the same name.
"""
from __future__ import annotations

import json
import os
import re
import traceback
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from html import unescape
from pathlib import Path
from typing import Protocol

import jinja2
from markupsafe import Markup, escape

from . import language, urls
from .archive import TopicRef
from .bodies import BodyStore
from .config import Config
from .content import Briefing, read_body, stamp
from .dates import BriefingDate, span
from .engine import engine_stamp
from .errors import SiteError, SiteErrors, display_path
from .markdown import MEDIA_LINK, MEDIA_MARK, to_html
from .plan import Page
from .theme import THEME_DIR, THEME_PREFIX, template_dirs
from .typography import typography

TEMPLATE_EXTENSIONS = ("html", "xml", "txt", "json")
"""What the theme's templates are: all compiled before a build renders, so a syntax
error in any of them is reported even if no page uses it."""
BODIES_FILE = "bodies.sqlite"
"""The body store (bodies.py), in the cache folder."""


def renderer_for(config: Config, strict: bool = False, compiled_cache: Path | None = None) -> Renderer:
    """A Renderer, reused across builds with the same settings and template files (the preview
    rebuilds often). A template changed, added or removed gives a new one, whose Jinja2
    compiles again only the changed files: compiled templates are kept in memory, and with
    `compiled_cache` also in that folder for the next build.py process; a build that keeps
    them also keeps the rendered bodies in the cache folder (bodies.py)."""
    # which file each template name resolves to, and its stamp: templates are not checked
    # again while a build renders (that was a few stats per page)
    files = tuple((str(path), stamp(path.stat()))
                  for d in template_dirs(config) if d.is_dir() for path in sorted(d.rglob("*")) if path.is_file())
    key = (config.output_settings(), str(config.root), str(config.site_dir), config.language, strict, files,
           compiled_cache, config.bodies_folder)
    if key not in _RENDERERS:
        _RENDERERS.clear()
        _RENDERERS[key] = Renderer(config, strict, compiled_cache)
    return _RENDERERS[key]


_RENDERERS: dict[tuple[object, ...], Renderer] = {}


def forget_renderers() -> None:
    """Drop the renderer kept for the next build: it makes a new one, as a new process does."""
    _RENDERERS.clear()


class Located(Protocol):
    """What `url_for` links to besides a path: a page, briefing, topic, month or year."""
    @property
    def path(self) -> str: ...


class CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept between build.py runs: compiling the theme costs a fresh process
    a tenth of a second, a large part of a one-page rebuild. Jinja2 checks each entry against
    its template's source; a damaged entry is compiled again, never an error."""

    def __init__(self, directory: str):
        os.makedirs(directory, exist_ok=True)
        super().__init__(directory)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001 - any damage means: compile from the source
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Never fails a build: .cache/ may have been deleted since this Renderer was made
        (the preview keeps it across builds), and a cache that cannot be written only costs time."""
        try:
            os.makedirs(self.directory, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            pass


class CompiledInMemory(jinja2.BytecodeCache):
    """Compiled templates kept for the life of the process (the preview): a new Renderer
    after a template edit compiles that template only. Entries are checked against the
    source like CompiledTemplates' files."""

    _code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


def template_loader(config: Config) -> jinja2.BaseLoader:
    """The project's templates over the theme's, and the theme's alone under `theme/`."""
    return jinja2.ChoiceLoader([
        jinja2.FileSystemLoader([str(d) for d in template_dirs(config)]),
        jinja2.PrefixLoader({THEME_PREFIX: jinja2.FileSystemLoader(str(THEME_DIR / "templates"))}),
    ])


class Renderer:
    """Holds the Jinja2 environment for one build; `render(page)` is pure."""

    def __init__(self, config: Config, strict: bool = False, compiled_cache: Path | None = None):
        self.config = config
        keeps_bodies = compiled_cache is not None or config.bodies_folder is not None
        self.bodies = BodyStore(config.bodies_dir / BODIES_FILE, engine_stamp()) if keeps_bodies else None
        """Bodies rendered by earlier builds; None for a build that keeps no cache (`check`)."""
        self.markdown_runs = 0
        """Bodies this process rendered from Markdown (not found in the body store)."""
        self.env = jinja2.Environment(
            bytecode_cache=CompiledTemplates(str(compiled_cache)) if compiled_cache else CompiledInMemory(),
            auto_reload=False,  # renderer_for makes a new Renderer when a template file changes
            loader=template_loader(config),
            extensions=["jinja2.ext.i18n"],
            autoescape=jinja2.select_autoescape(("html", "xml"), default_for_string=True),
            undefined=jinja2.StrictUndefined if strict else jinja2.Undefined,
            trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
        self.env.install_gettext_translations(  # type: ignore[attr-defined]  # added by the i18n extension
            language.translations(config.language), newstyle=True)
        self.env.globals.update(
            site=config, t=self._translate, site_dir=language.direction(config.language),
            url_for=self._url_for, absolute_url=self._absolute_url,
            briefing_html=self._briefing_html_here, share_image=self._share_image, topic_ref=self._topic_ref,
            author_links=self._author_links,
            topic_counts=self._topic_counts, month_anchor=urls.month_anchor,
            lang_name=language.language_name, og_locale=language.og_locale, text_dir=language.direction)
        self.env.filters.update(date=lambda d: d.display(config.language),
                                span=lambda items: (span(items[-1].date, items[0].date, config.language)
                                                    if items else ""),
                                typo=typography, json=json_script, rfc3339=BriefingDate.rfc3339,
                                topic_name=lambda slug: self._topic_ref(slug).name, author_slug=urls.author_slug,
                                lang_attr=lambda item: lang_attribute(item.lang, config.language),
                                ui_attr=lambda item: lang_attribute(config.language, item.lang),
                                isolated=lambda text, lang: isolated(text, lang, config.language))

    def render(self, page: Page) -> bytes:
        """Render one page; a template problem becomes a SiteError naming template and line."""
        try:
            template = self.env.get_template(page.template)
            text = template.render(page=page, **page.context)
        except Exception as exc:  # template code can raise anything; report it at its line
            raise SiteErrors([template_error(exc, page, self.config)]) from None
        return text.encode("utf-8")

    def check_templates(self) -> list[SiteError]:
        """Compile every template so syntax errors show up even in unused templates."""
        errors = []
        for name in self.env.list_templates(extensions=TEMPLATE_EXTENSIONS):
            try:
                self.env.get_template(name)
            except jinja2.TemplateError as exc:
                errors.append(template_error(exc, None, self.config))
        return errors

    def _translate(self, key: str, **values: object) -> str:
        return _interface_text(self.config.language, key, tuple(sorted(values.items())) if values else ())

    @jinja2.pass_context
    def _url_for(self, context: jinja2.runtime.Context, target: object, *args: object) -> str:
        """The link from the current page to `target`: a page's name with its arguments (see
        urls.ROUTES), anything with a `.path`, or a site path."""
        page: Page = context["page"]
        path = _target_path(target, args)
        return urls.relative_url(page.path, path, self.config.link_style)

    def _absolute_url(self, target: object, *args: object) -> str:
        return urls.absolute_url(self.config.base_url, _target_path(target, args))

    def briefing_html(self, briefing: Briefing, page: Page | None = None) -> Markup:
        """The body's HTML: from the body store when an earlier build rendered this very file.
        Links to its media files and root-relative ones are made for `page` (see `media_url`);
        without a page, they are site paths (the search index reads text only)."""
        html = self.bodies.get(briefing.digest) if self.bodies else None
        if html is None:
            body, unchanged = read_body(briefing, self.config.root)
            html = to_html(body, briefing.media, briefing.links)
            self.markdown_runs += 1
            if self.bodies and unchanged:  # a file edited since it was loaded is not stored under the old digest
                self.bodies.put(briefing.digest, html)
        if MEDIA_MARK in html:
            link = (lambda path: self.media_url(page, path)) if page else (lambda path: path)
            html = MEDIA_LINK.sub(lambda m: m.group(1) + str(escape(link(unescape(m.group(2))))), html)
        return Markup(html)

    @jinja2.pass_context
    def _briefing_html_here(self, context: jinja2.runtime.Context, briefing: Briefing) -> Markup:
        """`briefing_html(b)` in a template: the body, its media links made for the page rendered."""
        return self.briefing_html(briefing, context["page"])

    def media_url(self, page: Page, path: str) -> str:
        """The URL of the site file at `path` in `page`: relative in an HTML page, like every
        link (so it works at a domain root, under a sub-path and from disk); absolute in a feed,
        which readers show away from the site."""
        if not page.path.endswith(".html"):
            return urls.absolute_url(self.config.base_url, path)
        return urls.relative_url(page.path, path, self.config.link_style)

    @jinja2.pass_context
    def _author_links(self, context: jinja2.runtime.Context, briefing: Briefing) -> Markup:
        """The byline's names, each a link to the author's page, joined as the site's language
        writes a list (`Marie Dupont et Jean Martin`). Each name is isolated (`<bdi>`): a Latin
        name in an Arabic byline must not carry the text after it into its direction."""
        page: Page = context["page"]
        links = [Markup('<a rel="author" href="{}"><bdi>{}</bdi></a>').format(
                     urls.relative_url(page.path, urls.author_path(urls.author_slug(name)), self.config.link_style),
                     name)
                 for name in briefing.authors]
        marks = [f"{AUTHOR_MARK}{number}{AUTHOR_MARK}" for number in range(len(links))]
        html = str(escape(language.format_list(marks, self.config.language)))
        for mark, link in zip(marks, links, strict=True):
            html = html.replace(mark, str(link))
        return Markup(html)

    def _share_image(self, briefing: Briefing) -> str:
        """The absolute URL of the briefing's share image (`og:image`), or "" when it has none."""
        image = briefing.image
        if image is None:
            return ""
        return urls.absolute_url(self.config.base_url, image.path) if image.path else image.reference

    def flush(self) -> None:
        """Write the bodies this process rendered: before a rendering process ends."""
        if self.bodies:
            self.bodies.flush()

    def _topic_ref(self, slug: str) -> TopicRef:
        return TopicRef(slug, self.config.topic(slug).name(self.config.language))

    def _topic_counts(self, briefings: Iterable[Briefing]) -> list[tuple[TopicRef, int]]:
        """The topics of `briefings` with how many of them each holds: most first, then by name."""
        counts = Counter(slug for b in briefings for slug in b.topics)
        refs = [(self._topic_ref(slug), n) for slug, n in counts.items()]
        return sorted(refs, key=lambda item: (-item[1], item[0].name.casefold(), item[0].slug))


AUTHOR_MARK = "\ue0b0"
"""Stands for a byline's link while CLDR's list pattern joins them (a private-use character)."""


# --- template helpers and filters (pure functions, also used by tests) ------------------

@lru_cache(maxsize=4096)
def _interface_text(lang: str, key: str, values: tuple[tuple[str, object], ...]) -> str:
    """A translated interface string with French spacing: a page asks for twenty of them."""
    return str(typography(language.translate(lang, key, **dict(values)), lang))


def _target_path(target: object, args: tuple[object, ...]) -> str:
    """The site path `url_for` and `absolute_url` link to: a route's (`'topics'`, `'year', 2024`),
    a model object's `.path`, or a site path written out (`static/logo.png`, with a `/` or a
    `.`: templates of older projects). A bare word is a route's name: a misspelt one is an error."""
    if isinstance(target, str):
        is_path = not args and ("/" in target or "." in target)
        return target if is_path else urls.route(target, *args)
    return target.path  # type: ignore[attr-defined, no-any-return]


@lru_cache(maxsize=1024)
def lang_attribute(lang: str, site_language: str) -> Markup:
    """` lang="en"` for an item in another language than the site's, with `dir` when its
    direction differs too (` lang="ar" dir="rtl"` on a French page): an element with `dir` is
    isolated from the text around it, so an Arabic title in a French list reads right to left
    and leaves the list's order alone. Nothing for an item in the site's language. A filter,
    not a macro: listings call it for every item, and a macro call costs ten times more."""
    if lang == site_language:
        return Markup("")
    item_dir = language.direction(lang)
    if item_dir != language.direction(site_language):
        return Markup(' lang="%s" dir="%s"') % (lang, item_dir)
    return Markup(' lang="%s"') % lang



_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def isolated(text: str, lang: str, site_language: str) -> str:
    """Plain text (a feed's item title) in a direction other than the site's, between Unicode's
    isolate marks (U+2068 FIRST STRONG ISOLATE … U+2069 POP DIRECTIONAL ISOLATE): feeds carry
    no `dir`, and a reader's list then shows an Arabic title whole, right to left."""
    if language.direction(lang) == language.direction(site_language):
        return text
    return f"\u2068{text}\u2069"


def json_script(value: object) -> Markup:
    """`value` as JSON that is safe inside `<script>` (JSON-LD) and anywhere else JSON goes:
    `<`, `>` and `&` become `\\u003c`, `\\u003e`, `\\u0026`, so `</script>` in a title cannot end the script."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return Markup(re.sub("[<>&\u2028\u2029]", lambda m: _JSON_ESCAPES[m.group()], text))


def template_error(exc: Exception, page: Page | None, config: Config) -> SiteError:
    """Name the template file and line where Jinja2 failed, and say how to fix it."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = exc.filename or exc.name or "template"
        return SiteError(display_path(where, config.root), exc.lineno, f"template syntax error: {exc.message}",
                         "check the matching {% %} / {{ }} tags on this line")
    if isinstance(exc, jinja2.TemplateNotFound):
        needed_by = page.template if page else "a template"
        return SiteError(f"templates/{exc.name}", None, f"template not found (needed by {needed_by})",
                         f"create templates/{exc.name} or fix the name in {{% extends %}} / {{% include %}}")
    filename, line = _template_frame(exc)
    hint = "define it in the page context or guard it with `{% if … is defined %}`" \
        if isinstance(exc, jinja2.UndefinedError) else "fix the expression on this line"
    where = display_path(filename, config.root) if filename else (page.template if page else "template")
    rendering = f" while rendering {page.path}" if page else ""
    message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
    return SiteError(where, line, f"{message}{rendering}", hint)


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """Jinja2 rewrites tracebacks so template frames carry the template file and line."""
    found: tuple[str | None, int | None] = (None, None)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith(tuple(f".{extension}" for extension in TEMPLATE_EXTENSIONS)):
            found = (frame.filename, frame.lineno)
    return found
