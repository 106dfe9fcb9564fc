"""Pages -> bytes with Jinja2. Autoescape is on; templates get read-only data and helpers.

Templates come from the project's templates/ first, then the built-in theme,
so a user overrides any template by writing one with the same name.
"""
from __future__ import annotations

import json
import re
import traceback
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup

from . import urls
from .archive import TopicPaths
from .config import Config
from .content import Briefing, body_of
from .errors import SiteError, SiteErrors, display_path
from .i18n import LANGUAGE_NAMES, OG_LOCALES, translate
from .markdown import to_html
from .plan import Page

THEME_DIR = Path(__file__).parent / "theme"


@dataclass(frozen=True, slots=True)
class TopicRef(TopicPaths):
    """A topic named by slug in front matter, as templates link to it."""

    slug: str
    name: str


def template_dirs(config: Config) -> list[Path]:
    return [config.templates_dir, THEME_DIR / "templates"]


def static_dirs(config: Config) -> list[Path]:
    """Theme static files first, then the project's templates/static/, which wins on conflicts."""
    return [THEME_DIR / "static", config.templates_dir / "static"]


def renderer_for(config: Config, strict: bool = False) -> "Renderer":
    """A Renderer, reused across builds with the same settings (the preview rebuilds often):
    Jinja2 then compiles a template again only when its file changed."""
    # which file each template name resolves to: a new or deleted override needs a new environment
    names = tuple((str(d), tuple(sorted(jinja2.FileSystemLoader(str(d)).list_templates())))
                  for d in template_dirs(config) if d.is_dir())
    key = (config.source_text, str(config.root), str(config.site_dir), config.base_url,
           config.link_style, config.language, strict, names)
    if key not in _RENDERERS:
        _RENDERERS.clear()
        _RENDERERS[key] = Renderer(config, strict)
    return _RENDERERS[key]


_RENDERERS: dict[tuple, "Renderer"] = {}


class Renderer:
    """Holds the Jinja2 environment for one build; `render(page)` is pure."""

    def __init__(self, config: Config, strict: bool = False):
        self.config = config
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in template_dirs(config)]),
            autoescape=jinja2.select_autoescape(("html", "xml"), default_for_string=True),
            undefined=jinja2.StrictUndefined if strict else jinja2.Undefined,
            trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
        self.env.globals.update(
            site=config, t=self._translate, url_for=self._url_for, absolute_url=self._absolute_url,
            briefing_html=self._briefing_html, topic_ref=self._topic_ref,
            archive_path=archive_path, topic_counts=self._topic_counts,
            lang_name=lang_name, og_locale=og_locale)
        self.env.filters.update(date=lambda d: d.display(config.language),
                                typo=typography, json=json_script, rfc3339=rfc3339,
                                topic_name=lambda slug: self._topic_ref(slug).name)

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
        for name in self.env.list_templates(extensions=("html", "xml", "txt")):
            try:
                self.env.get_template(name)
            except jinja2.TemplateError as exc:
                errors.append(template_error(exc, None, self.config))
        return errors

    def _translate(self, key: str, **values: object) -> str:
        return typography(translate(self.config.language, key, **values), self.config.language)

    @jinja2.pass_context
    def _url_for(self, context: jinja2.runtime.Context, target: object) -> str:
        """The link from the current page to `target` (a path or anything with `.path`)."""
        page: Page = context["page"]
        path = target if isinstance(target, str) else target.path
        if page.absolute_links:
            return urls.site_path(self.config.base_url, path)
        return urls.relative_url(page.path, path, self.config.link_style)

    def _absolute_url(self, target: object) -> str:
        path = target if isinstance(target, str) else target.path
        return urls.absolute_url(self.config.base_url, path)

    def _briefing_html(self, briefing: Briefing) -> Markup:
        return Markup(to_html(body_of(briefing, self.config.root)))

    def _topic_ref(self, slug: str) -> TopicRef:
        return TopicRef(slug, self.config.topic(slug).name(self.config.language))

    def _topic_counts(self, briefings) -> list[tuple[TopicRef, int]]:
        """The topics of `briefings` with how many of them each holds: most first, then by name."""
        counts = Counter(slug for b in briefings for slug in b.topics)
        refs = [(self._topic_ref(slug), n) for slug, n in counts.items()]
        return sorted(refs, key=lambda item: (-item[1], item[0].name.casefold(), item[0].slug))


# --- template helpers and filters (pure functions, also used by tests) ------------------

def archive_path(year: int, month: int | None = None) -> str:
    """The site path of a year page, or of a month page when `month` is given."""
    return urls.month_path(year, month) if month else urls.year_path(year)


def lang_name(code: str) -> str:
    """A language's own name for itself (`Français`, `English`): for language links and filters."""
    return LANGUAGE_NAMES.get(code, code)


def og_locale(code: str) -> str:
    """The Open Graph locale of a language code (`fr` -> `fr_FR`)."""
    return OG_LOCALES.get(code, code)


_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def json_script(value: object) -> Markup:
    """`value` as JSON that is safe inside `<script>` (JSON-LD) and anywhere else JSON goes:
    `<`, `>` and `&` become `\\u003c`, `\\u003e`, `\\u0026`, so `</script>` in a title cannot end the script."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return Markup(re.sub("[<>&\u2028\u2029]", lambda m: _JSON_ESCAPES[m.group()], text))


def rfc3339(date) -> str:
    """A briefing date as an RFC 3339 timestamp (Atom, JSON Feed): its first day, midnight UTC."""
    return f"{date.as_date().isoformat()}T00:00:00Z"


NNBSP = "\u202f"
"""Narrow no-break space: French puts it inside « guillemets » and before ; : ! ?"""
_SPACES = "[ \u00a0\u202f\t]"
_FRENCH_RULES = (
    (re.compile(f"«{_SPACES}*"), "«" + NNBSP),
    (re.compile(f"{_SPACES}*»"), NNBSP + "»"),
    (re.compile(f"(?<=[^\\s;:!?]){_SPACES}+(?=[;:!?]+(?:\\s|$|[»)<\ue000]))"), NNBSP),
)
_HOLD = "\ue000"
"""Stands for a tag or a verbatim element while French spacing runs over an HTML text."""
_PROTECTED = re.compile(r"<(code|pre|kbd|samp|script|style|textarea)\b[^>]*>.*?</\1\s*>|<[^>]*>|" + _HOLD,
                        re.IGNORECASE | re.DOTALL)


def french_spacing(text: str) -> str:
    """French spacing in plain text: a narrow no-break space inside « » (added where missing)
    and before ; : ! ? (replacing the space typed there; `10:30` or `http://` have none, so stay)."""
    for pattern, replacement in _FRENCH_RULES:
        text = pattern.sub(replacement, text)
    return text


def typography(value: object, lang: str) -> object:
    """Jinja filter `typo(lang)`: French spacing for `lang == 'fr'`, anything else unchanged.

    Plain text (a title) comes back as text, still to be escaped. In HTML (Markup,
    a rendered body) only the text changes: each tag, and each code, pre, kbd,
    samp, script, style or textarea element whole, is held aside as one
    placeholder character while the rules run, then put back as it was.
    """
    if lang != "fr" or value is None or isinstance(value, jinja2.Undefined):
        return value
    if not isinstance(value, Markup):
        return french_spacing(str(value))
    held: list[str] = []

    def hold(match: re.Match) -> str:
        held.append(match.group())
        return _HOLD

    text = french_spacing(_PROTECTED.sub(hold, str(value)))
    parts = iter(held)
    return Markup(re.sub(_HOLD, lambda _: next(parts), text))


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
        if frame.filename.endswith((".html", ".xml", ".txt")):
            found = (frame.filename, frame.lineno)
    return found
