"""Helpers shared by the tests: throwaway projects, running build.py, reading a built site.

Everything works in temporary folders; nothing here touches the repository's
own site/ or content/. The real config.yaml and seed are copied, never edited.
"""
from __future__ import annotations

import copy
import os
import posixpath
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

import yaml

if TYPE_CHECKING:
    from briefings.serve import PreviewServer

REPO = Path(__file__).resolve().parent.parent
REAL_CONFIG = REPO / "config.yaml"
REAL_SEEDS = REPO / "seeds"
REAL_SEED = REAL_SEEDS / "000_3f4d1d9cf0a4d9f4.txt"
REAL_SEED_ID = "3f4d1d9cf0a4d9f4"
REAL_SLUG = "le-dirigeant-de-la-coree-du-nord-kim-jong-un-a-appele-sa"
BUILD_PY = REPO / "build.py"
BASE_URL = "https://example.github.io/briefings/"
BASE_SCRIPT = ('if (location.protocol === "file:") '
               'document.querySelector("base").href = new URL(".", location.href).href;')
"""404.html's one inline script, the theme's only one: opened from disk, its <base> is its folder."""


# --- projects ---------------------------------------------------------------------------

def merge(base: dict, patch: dict) -> dict:
    """Deep-merge `patch` into a copy of `base`; a None value removes the key."""
    merged = copy.deepcopy(base)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def write_file(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


def create_project(root: Path, config: dict | str | None = None, *, real_seed: bool = False,
                   seeds: dict[str, str | bytes] | None = None,
                   content: dict[str, str | bytes] | None = None,
                   templates: dict[str, str | bytes] | None = None) -> Path:
    """A project folder at `root` with a config.yaml and optional inputs; returns config.yaml's path.

    `config`: None copies the real config.yaml byte for byte; a dict is deep-merged
    into it (keys keep their real values unless patched); a str is written as is.
    `seeds`, `content` and `templates` map file names (relative to seeds/, content/,
    templates/) to text or bytes.
    """
    root.mkdir(parents=True, exist_ok=True)
    config_path = root / "config.yaml"
    if config is None:
        config_path.write_bytes(REAL_CONFIG.read_bytes())
    elif isinstance(config, str):
        config_path.write_text(config, encoding="utf-8")
    else:
        data = merge(yaml.safe_load(REAL_CONFIG.read_text(encoding="utf-8")), config)
        config_path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    if real_seed:
        write_file(root / "seeds" / REAL_SEED.name, REAL_SEED.read_bytes())
    for folder, files in (("seeds", seeds), ("content", content), ("templates", templates)):
        for name, data in (files or {}).items():
            write_file(root / folder / name, data)
    return config_path


def content_file(meta: dict, body: str = "Un paragraphe de texte pour ce briefing.") -> str:
    """A content file: `---`, YAML front matter, `---`, body."""
    header = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    return f"---\n{header}---\n{body}\n"


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes: compare two snapshots to prove nothing changed.

    The search index (`pagefind/`) is left out: Pagefind's file names and
    chunks depend on the order the file system lists pages in, so two
    equivalent indexes are not byte-identical. tests/test_search.py checks it.
    """
    if not folder.exists():
        return {}
    return {name: p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not (name := p.relative_to(folder).as_posix()).startswith("pagefind/")}


def built_site(config: Path) -> Path:
    """Build the project without search (asserting it succeeds); returns its site/ folder."""
    run = run_build_py(config, "build", "--no-search")
    assert run.code == 0, run.output
    return config.parent / "site"


def rebuilt_equals_clean(config: Path, scratch: Path) -> dict[str, bytes]:
    """Build the project incrementally, then a copy of its inputs from nothing in `scratch`;
    assert both sites are byte for byte the same, and return the files of the site."""
    run = run_build_py(config, "build", "--no-search")
    assert run.code == 0, run.output
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(config.parent, scratch, ignore=shutil.ignore_patterns("site", ".cache"))
    assert run_build_py(scratch / "config.yaml", "build", "--no-search").code == 0
    site = snapshot(config.parent / "site")
    assert site == snapshot(scratch / "site")
    return site


def split_front_matter(path: Path) -> tuple[dict, str]:
    """A content file's header, parsed independently with yaml.safe_load, and its body."""
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), path
    header, _, body = text[4:].partition("\n---\n")
    return yaml.safe_load(header), body


# --- running build.py -------------------------------------------------------------------

@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_build_py(config: Path | None, *args: str, cwd: Path | None = None, timeout: float = 60) -> Run:
    """`python build.py [--config CONFIG] ARGS…` in a subprocess, as a user runs it; never raises."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFINGS_")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    command = [sys.executable, str(BUILD_PY)]
    if config is not None:
        command += ["--config", str(config)]
    done = subprocess.run([*command, *args], capture_output=True, text=True, timeout=timeout,
                          cwd=cwd or (config.parent if config else REPO), env=env)
    return Run(done.returncode, done.stdout, done.stderr)


# --- reading HTML -----------------------------------------------------------------------

@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    classes: tuple[str, ...]
    parents: tuple[Element, ...]
    text: str = ""
    children: list[Element] = field(default_factory=list)

    def has_class(self, name: str) -> bool:
        return name in self.classes

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list[Element]:
        found = []
        for child in self.children:
            if (tag is None or child.tag == tag) and (cls is None or child.has_class(cls)):
                found.append(child)
            found.extend(child.find_all(tag, cls))
        return found

    def find(self, tag: str | None = None, cls: str | None = None) -> Element:
        found = self.find_all(tag, cls)
        assert found, f"no <{tag} class={cls}> under <{self.tag}>"
        return found[0]

    def clean_text(self) -> str:
        return " ".join(self.text.split())


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {}, (), ())
        self.stack = [self.root]
        self.all: list[Element] = []

    def handle_starttag(self, tag, attrs):
        attributes = {k: (v or "") for k, v in attrs}
        element = Element(tag, attributes, tuple(attributes.get("class", "").split()), tuple(self.stack[1:]))
        self.stack[-1].children.append(element)
        self.all.append(element)
        if tag not in _VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        for element in self.stack:
            element.text += data


SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def read_sitemap(site: Path, base_url: str) -> dict[str, list[tuple[str, str | None]]]:
    """The sitemap as a crawler reads it: the index `sitemap.xml`, then each sitemap it lists
    (which must be a file of `site` under `base_url`): sitemap URL -> its (loc, lastmod) list."""
    index = ET.parse(site / "sitemap.xml").getroot()
    assert index.tag == f"{SITEMAP_NS}sitemapindex"
    parts = {}
    for entry in index.findall(f"{SITEMAP_NS}sitemap"):
        url = entry.findtext(f"{SITEMAP_NS}loc")
        assert url.startswith(base_url), url
        part = ET.parse(site / url.removeprefix(base_url)).getroot()
        assert part.tag == f"{SITEMAP_NS}urlset"
        parts[url] = [(u.findtext(f"{SITEMAP_NS}loc"), u.findtext(f"{SITEMAP_NS}lastmod"))
                      for u in part.findall(f"{SITEMAP_NS}url")]
    return parts


def parse_html(source: str | bytes | Path) -> Element:
    """A tiny DOM from the stdlib parser: elements with attributes, classes, text and children."""
    if isinstance(source, Path):
        source = source.read_bytes()
    if isinstance(source, bytes):
        source = source.decode("utf-8")
    parser = _Parser()
    parser.feed(source)
    parser.close()
    return parser.root


def url_attributes(document: Element) -> list[tuple[Element, str, str]]:
    """(element, attribute, url) for every href and src in the document."""
    return [(e, a, e.attrs[a]) for e in document.find_all() for a in ("href", "src") if a in e.attrs]


def resolve(site: Path, page: str, url: str) -> Path | None:
    """The file a relative `url` on the site page `page` opens, or None if it leaves the site.

    `x/` means `x/index.html`, as a web server (and `link_style: pretty`) has it.
    """
    parts = urlsplit(url)
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(parts.path)))
    if target == ".." or target.startswith("../"):
        return None
    if parts.path.endswith("/") or target == ".":
        target = posixpath.join(target, "index.html")
    return site / posixpath.normpath(target)


def html_pages(site: Path) -> dict[str, Path]:
    return {p.relative_to(site).as_posix(): p for p in sorted(site.rglob("*.html"))}


@contextmanager
def running_preview(config: Path, **options) -> Iterator[PreviewServer]:
    """`build.py serve` in this process on a free port (options as PreviewServer takes them),
    stopped at the end: what every preview test fixture runs."""
    from briefings.serve import PreviewServer
    preview = PreviewServer(config, port=0, **options)
    preview.start()
    try:
        yield preview
    finally:
        preview.stop()
