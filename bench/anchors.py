"""Other static site generators built on the same corpus, as reference points.

Pelican (when importable) and Hugo (when on PATH) get the content files the
engine imported, converted to their own formats, and build the equivalent
pages: one page per briefing at YYYY/MM/<slug>/, a page per topic (Pelican:
category = primary topic, and tags = all topics; Hugo: tags), a paginated
index (20 per page) and RSS feeds (site and per topic; 50 items). Pelican also
writes month and year archives; Hugo has no date archives built in.

Neither is a dependency of the project: a missing one is skipped with a note.
"""
from __future__ import annotations

import datetime
import importlib.util
import shutil
import subprocess
from pathlib import Path

import yaml

from bench.common import PYTHON, Run, count_pages, remove, run_measured, set_aside

COMMENT = "<!-- bench: template change -->"
DATE_DEFAULT = "2024-12-31"


def read_briefing(path: Path) -> tuple[dict, str]:
    """Front matter and body of one of the engine's content files."""
    text = path.read_text(encoding="utf-8")
    _, head, body = text.split("---\n", 2)
    return yaml.safe_load(head), body


def full_date(value: object) -> str:
    """YYYY-MM-DD for a date of any precision (month- and year-only dates take the 1st)."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    parts = str(value).split("-")
    parts += ["01"] * (3 - len(parts))
    return "-".join(p.zfill(2) for p in parts)


class Anchor:
    """A generator building a converted copy of the corpus in its own folder."""

    name = ""
    note = ""

    def __init__(self, root: Path):
        self.root = root
        self.mapping: dict[Path, Path] = {}

    @classmethod
    def available(cls) -> str | None:
        """None when usable, else why it is skipped."""
        raise NotImplementedError

    @classmethod
    def version(cls) -> str:
        return ""

    def convert(self, content: Path) -> None:
        """Write the corpus in this generator's format; remember which file each content file became."""
        for source in sorted(content.rglob("*.md")):
            meta, body = read_briefing(source)
            target = self.content_dir / source.relative_to(content)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(self.document(meta, body, source.stem), encoding="utf-8")
            self.mapping[source] = target

    def document(self, meta: dict, body: str, slug: str) -> str:
        raise NotImplementedError

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    def new_briefing(self) -> Path:
        return self.content_dir / "bench-added-briefing.md"

    def new_text(self) -> str:
        meta = {"title": "A briefing added by the benchmark", "date": DATE_DEFAULT, "topics": ["economy"],
                "summary": "Added to time a rebuild after a new briefing."}
        body = "\n\n".join(["Central bank officials met on Tuesday to discuss growth and inflation."] * 6) + "\n"
        return self.document(meta, body, "bench-added-briefing")

    def clean(self) -> None:
        raise NotImplementedError

    def build(self) -> Run:
        raise NotImplementedError

    def output(self) -> Path:
        raise NotImplementedError

    def pages(self, run: Run) -> int:
        return count_pages(self.output())

    def template_override(self) -> tuple[Path, str]:
        raise NotImplementedError

    def remove_template_override(self) -> None:
        raise NotImplementedError


class Pelican(Anchor):
    name = "pelican"
    note = ("Markdown reader; content cache on (CACHE_CONTENT, LOAD_CONTENT_CACHE); notmyidea theme; "
            "category + tag + month/year pages, RSS feeds (site + category); every build writes every page")

    @classmethod
    def available(cls) -> str | None:
        if importlib.util.find_spec("pelican") is None:
            return "pelican is not installed (pip install pelican markdown)"
        if importlib.util.find_spec("markdown") is None:
            return "pelican is installed but its Markdown reader needs `markdown` (pip install markdown)"
        return None

    @classmethod
    def version(cls) -> str:
        from importlib.metadata import version
        return f"pelican {version('pelican')}, markdown {version('markdown')}"

    def __init__(self, root: Path, config: dict):
        super().__init__(root)
        root.mkdir(parents=True, exist_ok=True)
        (root / "templates").mkdir(exist_ok=True)
        site_url = str(config.get("base_url", "http://localhost:8000/")).rstrip("/")
        per_page = config.get("per_page", 20)
        items = (config.get("feeds") or {}).get("items", 50)
        settings = f"""
SITENAME = {config.get('title', 'Briefings')!r}
SITEURL = {site_url!r}
PATH = 'content'
TIMEZONE = 'Europe/Paris'
DEFAULT_LANG = {config.get('language', 'fr')!r}
DEFAULT_PAGINATION = {per_page}
ARTICLE_URL = '{{date:%Y}}/{{date:%m}}/{{slug}}/'
ARTICLE_SAVE_AS = '{{date:%Y}}/{{date:%m}}/{{slug}}/index.html'
CATEGORY_URL = 'categories/{{slug}}/'
CATEGORY_SAVE_AS = 'categories/{{slug}}/index.html'
TAG_URL = 'topics/{{slug}}/'
TAG_SAVE_AS = 'topics/{{slug}}/index.html'
YEAR_ARCHIVE_SAVE_AS = '{{date:%Y}}/index.html'
MONTH_ARCHIVE_SAVE_AS = '{{date:%Y}}/{{date:%m}}/index.html'
AUTHOR_SAVE_AS = ''
AUTHORS_SAVE_AS = ''
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
FEED_ALL_RSS = 'feed.xml'
CATEGORY_FEED_RSS = 'categories/{{slug}}/feed.xml'
TAG_FEED_RSS = 'topics/{{slug}}/feed.xml'
FEED_MAX_ITEMS = {items}
RSS_FEED_SUMMARY_ONLY = False
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = 'cache'
THEME_TEMPLATES_OVERRIDES = ['templates']
"""
        (root / "pelicanconf.py").write_text(settings, encoding="utf-8")

    def document(self, meta: dict, body: str, slug: str) -> str:
        topics = meta.get("topics") or ["general"]
        head = [f"Title: {meta['title']}", f"Date: {full_date(meta['date'])}", f"Category: {topics[0]}",
                f"Tags: {', '.join(topics)}", f"Slug: {slug}"]
        if meta.get("summary"):
            head.append(f"Summary: {meta['summary']}")
        return "\n".join(head) + "\n\n" + body

    def clean(self) -> None:
        set_aside(self.root, self.output(), self.root / "cache")

    def output(self) -> Path:
        return self.root / "output"

    def build(self) -> Run:
        return run_measured([PYTHON, "-m", "pelican", "content", "-s", "pelicanconf.py", "-o", "output"],
                            cwd=self.root).check()

    def template_override(self) -> tuple[Path, str]:
        import pelican
        source = Path(pelican.__file__).parent / "themes" / "notmyidea" / "templates" / "article.html"
        text = source.read_text(encoding="utf-8").replace("{% block content %}", "{% block content %}\n" + COMMENT, 1)
        return self.root / "templates" / "article.html", text

    def remove_template_override(self) -> None:
        remove(self.root / "templates" / "article.html")


HUGO_CONFIG = """baseURL = {base_url!r}
languageCode = {language!r}
title = {title!r}
paginate = {per_page}
disableKinds = ["section"]
[taxonomies]
  tag = "tags"
[permalinks]
  posts = "/:year/:month/:slug/"
[services.rss]
  limit = {items}
"""

HUGO_LAYOUTS = {
    "_default/baseof.html": """<!DOCTYPE html>
<html lang="{{ site.LanguageCode }}"><head><meta charset="utf-8">
<title>{{ if not .IsHome }}{{ .Title }} · {{ end }}{{ site.Title }}</title>
{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" href="{{ .RelPermalink }}">{{ end }}
</head><body>
<header><a href="{{ "/" | relURL }}">{{ site.Title }}</a> · <a href="{{ "/tags/" | relURL }}">Topics</a></header>
<main>{{ block "main" . }}{{ end }}</main>
</body></html>
""",
    "_default/single.html": """{{ define "main" }}
<article><h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time> · {{ .ReadingTime }} min</p>
<ul>{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
<p>{{ .Summary }}</p>
{{ .Content }}
</article>
<nav>{{ with .PrevInSection }}<a rel="prev" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .NextInSection }}<a rel="next" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</nav>
{{ end }}
""",  # noqa: E501 (a Hugo template line, kept whole so the page is what Hugo users write)
    "_default/list.html": """{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ $paginator := .Paginate .Pages }}
{{ range $paginator.Pages }}<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p>{{ .Date.Format "2 January 2006" }} · {{ .Summary }}</p></article>{{ end }}
{{ template "_internal/pagination.html" . }}
{{ end }}
""",
    "index.html": """{{ define "main" }}
{{ $paginator := .Paginate site.RegularPages }}
{{ range $paginator.Pages }}<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p>{{ .Date.Format "2 January 2006" }} · {{ .Summary }}</p></article>{{ end }}
{{ template "_internal/pagination.html" . }}
{{ end }}
""",
}


class Hugo(Anchor):
    name = "hugo"
    note = ("minimal layouts (single, list, home), tags taxonomy, built-in RSS (site + each tag) and sitemap; "
            "no date archives; the `hugo` command has no incremental build, every build is a full one")

    @classmethod
    def available(cls) -> str | None:
        return None if shutil.which("hugo") else "hugo is not on PATH (apt-get install hugo)"

    @classmethod
    def version(cls) -> str:
        done = subprocess.run(["hugo", "version"], capture_output=True, text=True)
        return done.stdout.strip().split(" BuildDate")[0]

    def __init__(self, root: Path, config: dict):
        super().__init__(root)
        root.mkdir(parents=True, exist_ok=True)
        (root / "config.toml").write_text(HUGO_CONFIG.format(
            base_url=str(config.get("base_url", "http://localhost:8000/")),
            language=str(config.get("language", "fr")), title=str(config.get("title", "Briefings")),
            per_page=config.get("per_page", 20), items=(config.get("feeds") or {}).get("items", 50)),
            encoding="utf-8")
        for name, text in HUGO_LAYOUTS.items():
            path = root / "layouts" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        self.single = (root / "layouts" / "_default" / "single.html").read_text(encoding="utf-8")

    @property
    def content_dir(self) -> Path:
        return self.root / "content" / "posts"

    def document(self, meta: dict, body: str, slug: str) -> str:
        head = {"title": meta["title"], "date": full_date(meta["date"]), "tags": meta.get("topics") or ["general"],
                "slug": slug}
        if meta.get("summary"):
            head["summary"] = meta["summary"]
        return "---\n" + yaml.safe_dump(head, allow_unicode=True, sort_keys=False) + "---\n" + body

    def clean(self) -> None:
        set_aside(self.root, self.output(), self.root / "resources", self.root / "hugo-cache",
                  self.root / ".hugo_build.lock")

    def output(self) -> Path:
        return self.root / "public"

    def build(self) -> Run:
        return run_measured(["hugo", "--source", str(self.root), "--destination", str(self.output()),
                             "--cacheDir", str(self.root / "hugo-cache")], cwd=self.root).check()

    def template_override(self) -> tuple[Path, str]:
        text = self.single.replace('{{ define "main" }}', '{{ define "main" }}\n' + COMMENT, 1)
        return self.root / "layouts" / "_default" / "single.html", text

    def remove_template_override(self) -> None:
        (self.root / "layouts" / "_default" / "single.html").write_text(self.single, encoding="utf-8")


ANCHORS: dict[str, type[Anchor]] = {"pelican": Pelican, "hugo": Hugo}
