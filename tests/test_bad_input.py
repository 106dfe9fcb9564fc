"""Hostile and broken input, run through `build.py` as a user would: one case per file in tests/bad_input/.

Each case (a YAML file, see tests/bad_input/README.md) describes a throwaway
project (files, config patch) and the commands to run, with the exit status and
the exact `path:line: message (` lines expected on stderr. For every case and
every run this module also asserts what holds for all input, however bad:

- no Python traceback, on stdout or stderr;
- every expected problem line has the form `path[:line]: [warning: ]message (hint)`;
- exit status 1 for errors, 0 (plus the `warning:` lines) for input that is acceptable.

Cases may ask for more: files that must (not) exist, text the output must
(not) contain, `inert` (every HTML, RSS and sitemap file parses and holds nothing
live: no script, no `on…` attribute, no javascript:/vbscript:/data: URL, no
control or bidi-override character) and `contained` (nothing written outside the
site folder or the project, no two files one path apart only by case).
"""
from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest
import yaml

from helpers import BASE_SCRIPT, REPO, create_project, run_build_py, write_file

CASES_DIR = Path(__file__).parent / "bad_input"
PROBLEM_LINE = re.compile(r"^(?P<path>[^\s:][^:]*?)(?::(?P<line>\d+))?: (?P<warning>warning: )?\S.*? \(.+\)$")
"""`path:line: message (hint)`; the line is optional (a file name has none), the hint is not."""
CASE_KEYS = {"about", "config", "files", "good_briefing", "runs", "exists", "absent", "contains",
             "not_contains", "checks"}
RUN_KEYS = {"args", "code", "stderr", "stdout", "max_seconds"}
GOOD_BRIEFING = ("content/2023/08/bon.md",
                 "---\ntitle: Un bon briefing\ndate: 2023-08-01\n---\nUn paragraphe de texte.\n")
PROJECT_ENTRIES = {"config.yaml", "content", "seeds", "templates", "site", ".cache"}


@dataclass(frozen=True)
class Case:
    name: str
    spec: dict


def load_cases() -> list[Case]:
    cases = []
    for path in sorted(CASES_DIR.rglob("*.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        unknown = set(spec) - CASE_KEYS
        assert not unknown, f"{path}: unknown keys {unknown}"
        for run in spec["runs"]:
            assert not set(run) - RUN_KEYS, f"{path}: unknown run keys {set(run) - RUN_KEYS}"
        cases.append(Case(path.relative_to(CASES_DIR).with_suffix("").as_posix(), spec))
    return cases


CASES = load_cases()


def file_bytes(value: str | dict) -> bytes:
    """A case's file: text (UTF-8), or {bytes: …} (each character one byte, `\\xNN` escapes in YAML),
    {utf16: …} (UTF-16 with BOM), or {text, repeat, times, tail} for big generated files."""
    if isinstance(value, str):
        return value.encode("utf-8")
    if "bytes" in value:
        return value["bytes"].encode("latin-1")
    if "utf16" in value:
        return value["utf16"].encode("utf-16")
    return (value.get("text", "") + value["repeat"] * value["times"] + value.get("tail", "")).encode("utf-8")


def make_project(root: Path, spec: dict) -> Path:
    config = create_project(root, spec.get("config"))
    files = dict(spec.get("files") or {})
    if spec.get("good_briefing"):
        files.setdefault(*GOOD_BRIEFING)
    for name, value in files.items():
        write_file(root / name, file_bytes(value))
    return config


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Case, tmp_path: Path) -> None:
    spec = case.spec
    root = tmp_path / "project"
    config = make_project(root, spec)
    for run_spec in spec["runs"]:
        run = run_build_py(config, *run_spec["args"], timeout=run_spec.get("max_seconds", 60))
        context = (f"{case.name}: build.py {' '.join(run_spec['args'])}\n"
                   f"--- stdout\n{run.stdout}--- stderr\n{run.stderr}")
        assert "Traceback" not in run.output, context
        assert run.code == run_spec.get("code", 0), context
        lines = run.stderr.splitlines()
        for expected in run_spec.get("stderr", []):
            found = [line for line in lines if expected in line]
            assert found, f"expected on stderr: {expected!r}\n{context}"
            assert all(PROBLEM_LINE.match(line) for line in found), \
                f"not `path:line: message (hint)`: {found}\n{context}"
            if run.code == 0:
                assert all(": warning: " in line for line in found), f"exit 0 with an error line\n{context}"
        for expected in run_spec.get("stdout", []):
            assert expected in run.stdout, f"expected on stdout: {expected!r}\n{context}"
        if run.code == 1:
            assert any(PROBLEM_LINE.match(line) and ": warning: " not in line for line in lines), \
                f"exit 1 without an error line\n{context}"
    for name in spec.get("exists", []):
        assert (root / name).exists(), f"{name} missing; project has {sorted(listing(root))}"
    for name in spec.get("absent", []):
        assert not (root / name).exists(), name
    for name, texts in (spec.get("contains") or {}).items():
        data = (root / name).read_text(encoding="utf-8")
        for text in texts:
            assert text in data, f"{name} lacks {text!r}"
    for name, texts in (spec.get("not_contains") or {}).items():
        data = (root / name).read_text(encoding="utf-8")
        for text in texts:
            assert text not in data, f"{name} holds {text!r}"
    checks = spec.get("checks", [])
    if "inert" in checks:
        assert_site_is_inert(root / "site", base_url(root))
    if "contained" in checks:
        assert_contained(tmp_path, root)


def listing(root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in root.rglob("*")]


def base_url(root: Path) -> str:
    return yaml.safe_load((root / "config.yaml").read_text(encoding="utf-8"))["base_url"]


def test_cases_cover_the_issue() -> None:
    """The list in the issue, at least: seeds, content, config, templates, injection."""
    groups = {c.name.split("/")[0] for c in CASES}
    assert groups >= {"seeds", "content", "config", "templates", "injection"}
    assert len(CASES) >= 45, len(CASES)


# --- inert output -----------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
LIVE_TAGS = {"iframe", "object", "embed", "frame", "frameset", "base", "applet", "form"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "poster", "background", "cite", "data", "srcset",
                  "xlink:href"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
UNSAFE_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
STRIPPED_IN_URLS = re.compile(r"[\x00-\x20\x7f]+")
"""What browsers ignore in a URL's scheme: `java\\tscript:` is `javascript:`."""
THEME_SCRIPT = re.compile(r"(\.\./)*static/[a-z0-9-]+\.js")
"""The theme's own script files (search): the only scripts a page may load; none is inline."""


class StrictHTML(HTMLParser):
    """The stdlib parser, plus a check that every element is closed where it was opened."""

    def __init__(self, name: str):
        super().__init__(convert_charrefs=True)
        self.name = name
        self.stack: list[str] = []
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[tuple[dict[str, str], str]] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = [name for name, _ in attrs]
        if len(names) != len(set(names)):
            self.problems.append(f"duplicate attribute in <{tag} {attrs}>")
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        if tag == "script":
            self.scripts.append((self.elements[-1][1], ""))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] == "script":
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else 'nothing'}> "
                                 f"at {self.getpos()}")
            if tag in self.stack:
                del self.stack[self.stack.index(tag):]
            return
        self.stack.pop()

    def close(self) -> None:
        super().close()
        if self.stack:
            self.problems.append(f"never closed: {self.stack}")


def check_html(name: str, text: str, fragment: bool = False) -> None:
    """Well-formed, and nothing in it runs: no inline code, no handler, no script URL.

    The theme's only scripts are JSON-LD data blocks (which must be JSON with no `<`,
    so no `</script>` can end them early) and its own static/*.js files; a fragment
    (a feed's HTML) has none at all.
    """
    parser = StrictHTML(name)
    parser.feed(text)
    parser.close()
    assert not parser.problems, (name, parser.problems)
    if not fragment:
        assert text.lstrip().lower().startswith("<!doctype html>"), name
        assert [tag for tag, _ in parser.elements[:1]] == ["html"], name
    for attrs, code in parser.scripts:
        assert not fragment, (name, attrs, code)
        if attrs.get("type") == "application/ld+json":
            assert "<" not in code and set(attrs) == {"type"}, (name, code)
            json.loads(code)
        elif name.endswith("404.html") and not attrs and code == BASE_SCRIPT:
            continue  # the theme's one inline script, the same bytes whatever the content
        else:
            assert set(attrs) <= {"src", "defer", "async", "type"} and not code.strip(), (name, attrs, code)
            assert THEME_SCRIPT.fullmatch(attrs.get("src", "")), (name, attrs)
    for tag, attrs in parser.elements:
        if name.endswith("404.html") and tag == "base":  # the site's own path (`/briefings/`): no host, no scheme
            assert set(attrs) == {"href"} and re.fullmatch(r"/[\w/.-]*", attrs["href"]), (name, attrs)
            continue
        assert tag not in LIVE_TAGS, (name, tag, attrs)
        assert not (tag == "meta" and attrs.get("http-equiv", "").lower() == "refresh"), (name, attrs)
        for attribute, value in attrs.items():
            assert not attribute.lower().startswith("on"), (name, tag, attrs)
            if attribute.lower() in URL_ATTRIBUTES:
                assert not STRIPPED_IN_URLS.sub("", value).lower().startswith(BAD_SCHEMES), (name, tag, attrs)


def assert_site_is_inert(site: Path, base: str) -> None:
    """Every page, feed and sitemap parses, as a browser, an XML parser and a feed reader read them,
    and nothing in them is live. Titles, summaries, bodies and topic names were hostile."""
    files = sorted(p for p in site.rglob("*") if p.is_file())
    kinds = {p.suffix for p in files}
    assert {".html", ".xml"} <= kinds, kinds
    for path in files:
        name = path.relative_to(site).as_posix()
        if path.suffix not in (".html", ".xml", ".txt", ".json"):
            continue
        text = path.read_text(encoding="utf-8")
        assert not UNSAFE_CHARACTERS.search(text), (name, UNSAFE_CHARACTERS.search(text))
        if path.suffix == ".html":
            check_html(name, text)
        elif path.suffix == ".json":
            check_json_feed(name, json.loads(text), base)
        elif path.suffix == ".xml":
            root = ET.fromstring(path.read_bytes())  # well-formed, or this raises
            if root.tag == "rss" or root.tag.endswith("}feed"):
                check_feed(name, root, path.read_bytes(), base)
            else:
                locs = [e.text for e in root.iter() if e.tag.endswith("}loc")]
                assert locs and all(loc.startswith(base) for loc in locs), (name, locs)


def check_feed(name: str, root: ET.Element, data: bytes, base: str) -> None:
    feed = feedparser.parse(data)
    assert not feed.bozo, (name, feed.get("bozo_exception"))
    for element in root.iter():
        assert element.tag.split("}")[-1] not in LIVE_TAGS | {"script"}, (name, element.tag)
        link = element.get("href") if element.tag.endswith("}link") else \
            element.text if element.tag == "link" else None
        if link is not None:
            assert link.startswith(base), (name, link)
        if element.tag.split("}")[-1] in ("content", "summary", "title") and element.get("type") == "html":
            check_html(f"{name} <{element.tag}>", element.text or "", fragment=True)
    for description in root.iterfind("channel/item/description"):  # RSS item descriptions are HTML
        check_html(f"{name} <description>", description.text or "", fragment=True)
    for entry in feed.entries:  # as a feed reader shows it: HTML where the feed says HTML
        for key in ("summary", "title"):
            detail = entry.get(f"{key}_detail") or {}
            if "html" in detail.get("type", ""):
                check_html(f"{name} entry {key}", entry.get(key, ""), fragment=True)


def check_json_feed(name: str, feed: dict, base: str) -> None:
    for item in feed.get("items", []):
        assert item["url"].startswith(base), (name, item["url"])
        check_html(f"{name} content_html", item.get("content_html", ""), fragment=True)  # summary is plain text


# --- contained output -------------------------------------------------------------------------

def assert_contained(tmp: Path, root: Path) -> None:
    assert sorted(os.listdir(tmp)) == ["project"], "something was written next to the project"
    assert set(os.listdir(root)) <= PROJECT_ENTRIES, sorted(os.listdir(root))
    site = (root / "site").resolve()
    seen: dict[str, str] = {}
    for path in site.rglob("*"):
        assert not path.is_symlink(), path
        assert path.resolve().is_relative_to(site), path
        name = path.relative_to(site).as_posix()
        assert all(len(part.encode()) <= 255 for part in name.split("/")), name
        other = seen.setdefault(name.casefold(), name)
        assert other == name, f"{name} and {other} differ only by case"
    for path in (root / "content").rglob("*"):
        assert path.resolve().is_relative_to((root / "content").resolve()), path


@pytest.mark.parametrize("html", [
    '<p><script>alert(1)</script></p>',
    '<p><a href="javascript:alert(1)">x</a></p>',
    '<p><a href=" JaVa\tScRiPt:alert(1)">x</a></p>',
    '<p><a href="&#x01;javascript:alert(1)">x</a></p>',
    '<p><img src="data:text/html,x"></p>',
    '<p><a href="vbscript:x">x</a></p>',
    '<p><img src="x" onerror="alert(1)"></p>',
    '<p><iframe src="x"></iframe></p>',
    '<p>unclosed',
    '<p></div>',
    '<p>\u202e</p>',
])
def test_the_inert_check_catches_live_html(html: str) -> None:
    """The checks above are only worth what they catch: each of these must fail them."""
    with pytest.raises(AssertionError):
        check_html("fragment", html, fragment=True)
        assert not UNSAFE_CHARACTERS.search(html)


# --- links and strictness across builds ----------------------------------------------------------

def test_data_image_urls_are_refused_too(new_project, build_py) -> None:
    config = new_project(content={"2023/08/a.md": "---\ntitle: A\ndate: 2023-08\n---\n"
                                                  "![x](data:image/png;base64,AAAA) [y](data:image/png;base64,AAAA)\n"})
    assert build_py(config, "build").code == 0
    assert_site_is_inert(config.parent / "site", base_url(config.parent))

def test_strict_build_after_a_lenient_one_still_fails(new_project, build_py) -> None:
    config = new_project(content={"2023/08/bon.md": GOOD_BRIEFING[1]},
                         templates={"briefing.html": '{% extends "base.html" %}\n{% block content %}\n'
                                                     "<p>{{ nope }}</p>\n{% endblock %}\n"})
    assert build_py(config, "build").code == 0
    run = build_py(config, "build", "--strict")
    assert run.code == 1 and "templates/briefing.html:3: 'nope' is undefined" in run.stderr, run.output


def test_repo_files_are_untouched() -> None:
    """The cases run in temporary folders: the repository's own content/ and site/ stay as they are."""
    assert not (REPO / "pwned").exists()
