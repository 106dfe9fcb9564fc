"""`build.py serve` without a browser: HTTP, safety, the reload channel, watching and debouncing.

Every server runs over a throwaway project in tmp_path (the real config.yaml
and seed, copied and imported) on a free loopback port.
"""
from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from briefings.config import Config, load_config
from briefings.errors import SiteErrors
from briefings.importer import import_seeds
from briefings.serve import PreviewServer, inject, route
from briefings.theme import THEME_DIR
from briefings.watch import CONFIG, CONTENT, SEED, STATIC, TEMPLATE, Debouncer, change_kind
from helpers import running_preview

REPO = Path(__file__).resolve().parent.parent
SEED_NAME = "000_3f4d1d9cf0a4d9f4.txt"
SLUG = "le-dirigeant-de-la-coree-du-nord-kim-jong-un-a-appele-sa"
PAGE = f"/briefings/2023/08/{SLUG}/"
NEW_SEED = """ date 2024-03 La Chine annonce une croissance de cinq pour cent.

Pékin a fixé un objectif de croissance économique d'environ 5 % pour cette année.
"""


def make_project(root: Path) -> Path:
    """The real config and seed, copied into `root` and imported; returns config.yaml's path."""
    (root / "seeds").mkdir(parents=True)
    shutil.copy(REPO / "config.yaml", root / "config.yaml")
    shutil.copy(REPO / "seeds" / SEED_NAME, root / "seeds" / SEED_NAME)
    report = import_seeds(load_config(root / "config.yaml"))
    assert not report.failed
    return root / "config.yaml"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


@pytest.fixture
def content_file(project: Path) -> Path:
    return project.parent / "content" / "2023" / "08" / f"{SLUG}.md"


@pytest.fixture
def server(project: Path) -> Iterator[PreviewServer]:
    """A server of its own, for tests that change the project."""
    with running_preview(project, delay=0.05) as preview:
        yield preview


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PreviewServer]:
    """A server shared by the tests that only read."""
    with running_preview(make_project(tmp_path_factory.mktemp("shared") / "project")) as preview:
        yield preview


def request(server: PreviewServer, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """Send `path` exactly as written (no client-side normalising of `..` or `%2e`)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def status(server: PreviewServer) -> dict:
    return json.loads(request(server, "/__livereload/status")[2])


def wait_for(condition: Callable[[], object], timeout: float = 10.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def wait_for_build(server: PreviewServer, after: dict) -> dict:
    """The status once a build newer than `after` finished or failed."""
    return wait_for(lambda: (s := status(server)) != after and s)


def builds(state: dict) -> int:
    """How many builds the preview had announced (its version is `<epoch>.<builds>`)."""
    return int(state["version"].rpartition(".")[2])


class BuildLog:
    """The preview's `build: …` lines as printed (one a build, after it is announced), in order."""

    def __init__(self, capsys: pytest.CaptureFixture) -> None:
        self.capsys, self.lines = capsys, []

    def wait_for(self, text: str) -> str:
        """The first line holding `text`: a build that made it has been announced."""
        def found() -> str | None:
            out = self.capsys.readouterr().out
            self.lines += [line for line in out.splitlines() if line.startswith("build: ")]
            return next((line for line in self.lines if text in line), None)
        return wait_for(found)


# --- HTTP ---------------------------------------------------------------------------------

def test_root_and_bare_base_path_redirect_to_the_base_path(site: PreviewServer) -> None:
    for path in ("/", "/briefings"):
        code, headers, _ = request(site, path)
        assert (code, headers["location"]) == (302, "/briefings/")


def test_index_is_html_with_the_reload_script_injected_but_not_on_disk(site: PreviewServer) -> None:
    code, headers, body = request(site, "/briefings/")
    assert code == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert body.count(b'<script src="/__livereload.js"') == 1
    assert b"</script></body>" in body
    assert b"__livereload" not in (site.site_dir / "index.html").read_bytes()
    assert not any(b"__livereload" in p.read_bytes() for p in site.site_dir.rglob("*") if p.is_file())


def test_the_reload_script_is_served(site: PreviewServer) -> None:
    code, headers, body = request(site, "/__livereload.js")
    assert code == 200 and headers["content-type"].startswith("text/javascript")
    assert b"EventSource" in body and b"briefings-error-overlay" in body and b"innerHTML" not in body


@pytest.mark.parametrize("path, expected", [
    ("/briefings/feed.xml", "application/rss+xml"),
    ("/briefings/topics/defence/feed.xml", "application/rss+xml"),
    ("/briefings/sitemap.xml", "application/xml"),
    ("/briefings/static/style.css", "text/css"),
    ("/briefings/robots.txt", "text/plain; charset=utf-8"),
    (PAGE, "text/html; charset=utf-8"),
])
def test_content_types(site: PreviewServer, path: str, expected: str) -> None:
    code, headers, body = request(site, path)
    assert (code, headers["content-type"]) == (200, expected)
    assert (b"__livereload" in body) == expected.startswith("text/html")


@pytest.mark.parametrize("path", ["/", "/briefings/", PAGE, "/briefings/feed.xml", "/briefings/nope",
                                  "/briefings/topics", "/elsewhere", "/__livereload.js", "/__livereload/status"])
def test_every_response_is_no_store(site: PreviewServer, path: str) -> None:
    assert request(site, path)[1]["cache-control"] == "no-store"


@pytest.mark.parametrize("path", [
    "/briefings/../config.yaml",
    "/briefings/%2e%2e/%2e%2e/etc/passwd",
    "/briefings/..%2fconfig.yaml",
    "/briefings/%2E%2E%2Fconfig.yaml",
    "/briefings/static/../../config.yaml",
    "/briefings/./index.html",
    "/briefings//etc/passwd",
    "/briefings/%2fetc%2fpasswd",
    "/briefings/..%5cconfig.yaml",
    "/briefings/index.html%00.css",
    "/briefings/%ff%fe",
    "/../config.yaml",
    "/etc/passwd",
])
def test_path_traversal_is_refused(site: PreviewServer, path: str) -> None:
    code, _, body = request(site, path)
    assert code in (403, 404)
    assert b"base_url" not in body and b"root:" not in body


def test_symlinks_out_of_the_site_are_refused(site: PreviewServer, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "key.txt").write_text("TOP SECRET")
    links = [site.site_dir / "leak.txt", site.site_dir / "leakdir"]
    links[0].symlink_to(secret / "key.txt")
    links[1].symlink_to(secret)
    try:
        for path in ("/briefings/leak.txt", "/briefings/leakdir/key.txt", "/briefings/leakdir/"):
            code, _, body = request(site, path)
            assert code in (403, 404) and b"TOP SECRET" not in body
    finally:
        for link in links:
            link.unlink()


def test_a_missing_page_is_404_html_with_status_404(site: PreviewServer) -> None:
    code, headers, body = request(site, "/briefings/2023/08/no-such-briefing/")
    assert code == 404 and headers["content-type"] == "text/html; charset=utf-8"
    assert body == inject((site.site_dir / "404.html").read_bytes(), status(site)["version"])


def test_outside_the_base_path_is_404(site: PreviewServer) -> None:
    code, _, body = request(site, "/index.html")
    assert code == 404 and b"/briefings/" in body


def test_a_folder_without_its_slash_redirects_and_a_folder_serves_its_index(site: PreviewServer) -> None:
    code, headers, _ = request(site, "/briefings/topics?x=1")
    assert (code, headers["location"]) == (302, "/briefings/topics/?x=1")
    code, _, body = request(site, "/briefings/topics/")
    assert code == 200 and (site.site_dir / "topics" / "index.html").read_bytes()[:200] == body[:200]
    assert request(site, "/briefings/feed.xml/")[0] == 404


def test_head_sends_headers_only(site: PreviewServer) -> None:
    code, headers, body = request(site, "/briefings/", method="HEAD")
    assert code == 200 and body == b"" and int(headers["content-length"]) > 0


def test_route_is_pure_and_reads_only_inside_the_folder(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    (site / "a" / "index.html").write_text("<p>a</p>")
    (tmp_path / "outside.html").write_text("outside")
    assert route(site, "/", "/a/").body == b"<p>a</p>"
    assert route(site, "/", "/a").location == "/a/"
    assert route(site, "/", "/../outside.html").status == 404
    assert route(site, "/x/", "/").location == "/x/"
    assert route(tmp_path / "never-built", "/", "/").status == 404


def test_inject_goes_before_the_last_body_end_tag() -> None:
    assert inject(b"<p>x</p></BODY></html>", "v1") == (
        b'<p>x</p><script src="/__livereload.js" data-version="v1"></script></BODY></html>')
    assert inject(b"<p>no body</p>", "v1").endswith(b"</script>")


# --- the reload channel and rebuilds ------------------------------------------------------

def read_event(response: http.client.HTTPResponse) -> tuple[str, dict]:
    """The next Server-Sent Event with data, as (event name, JSON data)."""
    name, data = "message", None
    while True:
        line = response.fp.readline().decode().rstrip("\n")
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            data = json.loads(line[6:])
        elif line == "" and data is not None:
            return name, data


def test_the_event_stream_sends_the_state_on_connect_then_each_build(
        server: PreviewServer, content_file: Path) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", "/__livereload")
    response = connection.getresponse()
    assert response.getheader("Content-Type").startswith("text/event-stream")
    assert response.getheader("Cache-Control") == "no-store"
    name, first = read_event(response)
    assert (name, first["version"], first["errors"]) == ("reload", status(server)["version"], [])
    content_file.write_text(content_file.read_text().replace("\n---\nAfin", "\nbroken: [\n---\nAfin", 1))
    name, broken = read_event(response)
    assert name == "error" and broken["errors"][0]["path"] == f"content/2023/08/{SLUG}.md"
    content_file.write_text(content_file.read_text().replace("broken: [\n", ""))
    name, fixed = read_event(response)
    assert name == "reload" and fixed["version"] != first["version"] and fixed["errors"] == []
    connection.close()


def test_an_edit_is_rebuilt_and_a_broken_file_keeps_the_last_good_site(
        server: PreviewServer, content_file: Path) -> None:
    before = status(server)
    original = content_file.read_text()
    content_file.write_text(original + "\nUne phrase ajoutée pour le test.\n")
    after = wait_for_build(server, before)
    assert after["errors"] == [] and after["previous"] == before["version"]
    assert "Une phrase ajoutée pour le test.".encode() in request(server, PAGE)[2]

    content_file.write_text(original.replace("topics: [north-korea, defence]", "topics: [north-korea, defence"))
    broken = wait_for_build(server, after)
    assert broken["version"] == after["version"]
    [error] = broken["errors"]
    assert error["path"] == f"content/2023/08/{SLUG}.md" and isinstance(error["line"], int)
    assert error["text"].startswith(f"content/2023/08/{SLUG}.md:{error['line']}: ")
    code, _, body = request(server, PAGE)
    assert code == 200 and "Une phrase ajoutée pour le test.".encode() in body  # the last good site

    content_file.write_text(original)
    fixed = wait_for_build(server, broken)
    assert fixed["errors"] == [] and fixed["version"] != after["version"]
    assert "Une phrase ajoutée".encode() not in request(server, PAGE)[2]


def test_renaming_and_deleting_a_briefing_updates_the_site(server: PreviewServer, content_file: Path) -> None:
    before = status(server)
    renamed = content_file.with_name("nouveau-nom.md")
    content_file.rename(renamed)
    after = wait_for_build(server, before)
    assert request(server, PAGE)[0] == 404
    assert request(server, "/briefings/2023/08/nouveau-nom/")[0] == 200
    index = request(server, "/briefings/")[2]
    assert b"nouveau-nom/" in index and SLUG.encode() not in index

    renamed.unlink()
    wait_for_build(server, after)
    assert request(server, "/briefings/2023/08/nouveau-nom/")[0] == 404
    assert b"nouveau-nom" not in request(server, "/briefings/")[2]


def test_a_new_seed_is_imported_and_an_edited_content_file_is_kept(
        capsys: pytest.CaptureFixture, server: PreviewServer, project: Path, content_file: Path) -> None:
    log = BuildLog(capsys)
    before = status(server)
    (project.parent / "seeds" / "001_aaaabbbbccccdddd.txt").write_text(NEW_SEED, encoding="utf-8")
    after = wait_for_build(server, before)
    assert after["errors"] == []
    assert b"La Chine annonce une croissance" in request(server, "/briefings/")[2]
    imported = "content/2024/03/la-chine-annonce-une-croissance-de-cinq-pour-cent.md"
    assert (project.parent / imported).is_file()

    edited = content_file.read_text() + "\nModifié à la main.\n"
    content_file.write_text(edited)
    # the edit's build is the event to wait for: a build for import's own writes would come before it
    log.wait_for(f"changed: content/2023/08/{SLUG}.md")
    after_edit = status(server)
    assert builds(after_edit) == builds(after) + 1, "import's own writes must not cause a second build"
    mentions = [line for line in log.lines if imported in line]  # the import's build, with the seed
    assert len(mentions) == 1 and "seeds/001_aaaabbbbccccdddd.txt" in mentions[0], log.lines
    seed = project.parent / "seeds" / SEED_NAME
    seed.write_bytes(seed.read_bytes() + b"\nUn paragraphe de plus dans le seed.\n")
    wait_for_build(server, after_edit)
    assert content_file.read_text() == edited


def test_a_broken_seed_is_reported_until_fixed(server: PreviewServer, project: Path) -> None:
    before = status(server)
    seed = project.parent / "seeds" / "002_abcdef0123456789.txt"
    seed.write_text("no date line here\n", encoding="utf-8")
    # the event: a new version; the site it built and the seed's errors are announced in one change
    broken = wait_for(lambda: (s := status(server))["version"] != before["version"] and s)
    assert broken["errors"] and broken["errors"][0]["path"] == "seeds/002_abcdef0123456789.txt"
    seed.write_text(NEW_SEED, encoding="utf-8")
    fixed = wait_for_build(server, broken)
    assert fixed["errors"] == []


def test_a_template_change_rebuilds_and_a_css_change_is_marked_css_only(
        server: PreviewServer, project: Path) -> None:
    templates = project.parent / "templates"
    before = status(server)
    (templates / "static").mkdir(parents=True)  # a fresh clone has no templates/: it is watched once created
    wait_for_build(server, before)  # and built: its watch is set up before its build starts
    (templates / "static" / "style.css").write_text("body { color: rebeccapurple }\n")
    wait_for(lambda: request(server, "/briefings/static/style.css")[2].startswith(b"body { color: rebecca"))
    # the folder may be built on its own first: the build that brought the CSS is css-only
    after = wait_for(lambda: (s := status(server))["version"] != before["version"] and s["css"] and s)
    assert after["css"] is True
    (templates / "robots.txt").write_text("User-agent: *\nDisallow: /secret-test/\n")
    wait_for(lambda: b"secret-test" in request(server, "/briefings/robots.txt")[2])
    # the new file is served a moment before the build announces itself: wait for that
    assert wait_for(lambda: (s := status(server))["version"] != after["version"] and s)["css"] is False


def test_a_config_change_is_reloaded_and_a_bad_one_keeps_serving(server: PreviewServer, project: Path) -> None:
    original = project.read_text()
    before = status(server)
    project.write_text(original.replace("title: Archive des briefings", "title: Titre changé"))
    after = wait_for_build(server, before)
    assert "Titre changé".encode() in request(server, "/briefings/")[2]
    project.write_text(original.replace("per_page: 20", "per_page: many"))
    broken = wait_for_build(server, after)
    assert broken["errors"][0]["path"].endswith("config.yaml") and broken["errors"][0]["line"] == 9
    assert request(server, "/briefings/")[0] == 200
    project.write_text(original)
    assert wait_for_build(server, broken)["errors"] == []


def test_editor_temp_files_cause_no_build(
        capsys: pytest.CaptureFixture, server: PreviewServer, content_file: Path) -> None:
    log = BuildLog(capsys)
    before = status(server)
    folder = content_file.parent
    # (`notes.txt` is no junk now: a file with an extension under content/ may be a briefing's media)
    for name in (".x.md.swp", "x.md~", ".#x.md", "4913", "#x.md#"):
        (folder / name).write_text("junk")
        (folder / name).unlink()
    content_file.write_text(content_file.read_text() + "\nUne ligne de plus.\n")
    # the edit's build is the event to wait for: the junk would have a build before it, or be in its changes
    line = log.wait_for(f"content/2023/08/{SLUG}.md")
    assert line.endswith(f"(changed: content/2023/08/{SLUG}.md)"), log.lines
    assert builds(status(server)) == builds(before) + 1, log.lines


# --- lifecycle ----------------------------------------------------------------------------

def test_stop_ends_threads_and_removes_the_temporary_site(project: Path) -> None:
    before = set(threading.enumerate())
    preview = PreviewServer(project, port=0)
    preview.start()
    site = preview.site_dir
    assert (site / "index.html").is_file() and not site.is_relative_to(project.parent)
    stream = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=5)
    stream.request("GET", "/__livereload")
    read_event(stream.getresponse())  # an open event stream must not hold up stopping
    stopping = threading.Thread(target=lambda: (preview.stop(), preview.stop()))
    stopping.start()
    stopping.join(timeout=30)  # not a timing window: only a stop that hangs on the stream fails
    assert not stopping.is_alive(), "stop() waits for the open event stream"
    assert not site.parent.exists()
    leftover = [t for t in set(threading.enumerate()) - before if t.is_alive() and not t.daemon]
    assert leftover == []
    assert not (project.parent / "site").exists()
    stream.close()


def test_a_busy_port_is_a_clear_error_and_leaves_nothing_behind(project: Path, tmp_path: Path) -> None:
    first = PreviewServer(project, port=0)
    port = first.start()
    try:
        with pytest.raises(SiteErrors, match="cannot listen"):
            PreviewServer(project, port=port).start()
    finally:
        first.stop()


def test_build_py_serve_exits_0_on_ctrl_c_and_cleans_up(project: Path, tmp_path: Path) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    process = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "--config", str(project), "serve", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
        env={**os.environ, "TMPDIR": str(temp), "PYTHONPATH": str(REPO)})
    try:
        line = process.stdout.readline()
        assert line.startswith("build: ")
        line = process.stdout.readline()
        assert line.startswith("serve: http://127.0.0.1:") and line.rstrip().endswith("/briefings/ (Ctrl-C to stop)")
        assert len(list(temp.iterdir())) == 1
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        process.kill()
    assert "Traceback" not in process.stderr.read()
    assert list(temp.iterdir()) == []


# --- change_kind -------------------------------------------------------------------------

@pytest.mark.parametrize("relative, expected", [
    ("content/2023/08/a.md", CONTENT),
    ("content/2023/08", None),  # a new empty folder: see is_dir below
    ("content/.imported.json", None),
    ("content/2023/08/.a.md.x1y2.tmp", None),
    ("content/2023/08/a.md~", None),
    ("content/2023/08/.a.md.swp", None),
    ("content/2023/08/.#a.md", None),
    ("content/2023/08/#a.md#", None),
    ("content/2023/08/4913", None),
    ("content/2023/08/sedAb12Cd", None),
    ("content/notes.txt", CONTENT),  # maybe a media file a briefing links to
    ("content/2024/05/quake/map.png", CONTENT),
    ("seeds/001_abcd.txt", SEED),
    ("seeds/readme.md", None),
    ("seeds/.001_abcd.txt.swp", None),
    ("templates/base.html", TEMPLATE),
    ("templates/partials/card.html", TEMPLATE),
    ("templates/static/style.css", STATIC),
    ("templates/static/img/logo.svg", STATIC),
    ("templates/.base.html.swp", None),
    ("config.yaml", CONFIG),
    ("other.yaml", None),
    ("site/index.html", None),
    (".cache/x", None),
    ("README.md", None),
    ("build.py", None),
])
def test_change_kind(tmp_path: Path, relative: str, expected: str | None) -> None:
    config = Config(root=tmp_path)
    assert change_kind(tmp_path / relative, config) == expected


def test_change_kind_of_folders_theme_config_file_and_output(tmp_path: Path) -> None:
    config = Config(root=tmp_path)
    assert change_kind(tmp_path / "content" / "2023" / "08", config, is_dir=True) == CONTENT
    assert change_kind(tmp_path / "content", config) == CONTENT
    assert change_kind(tmp_path / "seeds" / "batch", config, is_dir=True) == SEED
    assert change_kind(THEME_DIR / "templates" / "base.html", config) == TEMPLATE
    assert change_kind(THEME_DIR / "static" / "style.css", config) == STATIC
    assert change_kind(str(tmp_path / "content" / "a.md"), config) == CONTENT
    other = tmp_path / "preview.yaml"
    assert change_kind(other, config, config_file=other) == CONFIG
    assert change_kind(tmp_path / "config.yaml", config, config_file=other) is None
    inside = config.with_overrides(output_dir=tmp_path / "content" / "_out")
    assert change_kind(tmp_path / "content" / "_out" / "x.md", inside) is None


# --- debouncing ---------------------------------------------------------------------------

class Recorder:
    """A fake rebuild: records each batch; with a `gate`, each call waits for it to open."""

    def __init__(self, gate: threading.Event | None = None):
        self.batches: list[set] = []
        self.gate = gate
        self.running = threading.Event()

    def __call__(self, batch: set) -> None:
        self.running.set()
        if self.gate is not None:
            self.gate.wait(30)
        self.batches.append(batch)


class Clock:
    """A clock the test moves by hand, in milliseconds (the debouncer only compares times)."""

    def __init__(self) -> None:
        self.now = 0

    def __call__(self) -> float:
        return self.now


def test_a_burst_of_200_events_is_one_rebuild_delay_after_the_last() -> None:
    clock = Clock()
    debouncer = Debouncer(Recorder(), delay=80, max_wait=1000, clock=clock)
    for i in range(200):  # 1 ms apart: never an 80 ms pause
        clock.now = i
        debouncer.add([Path(f"content/{i % 20}.md")])
        assert debouncer.take_due() is None
    clock.now = 199 + 79
    assert debouncer.take_due() is None
    clock.now = 199 + 80
    assert debouncer.take_due() == {Path(f"content/{i}.md") for i in range(20)}
    assert debouncer.take_due() is None


def test_a_burst_that_never_pauses_is_still_cut_at_max_wait() -> None:
    clock = Clock()
    debouncer = Debouncer(Recorder(), delay=100, max_wait=300, clock=clock)
    batches = []
    for i in range(80):  # 800 ms of events 10 ms apart: never a 100 ms pause
        clock.now = 10 * i
        if batch := debouncer.take_due():
            batches.append(batch)
        debouncer.add([i])
    clock.now += 100
    batches.append(debouncer.take_due())
    assert batches == [set(range(0, 30)), set(range(30, 60)), set(range(60, 80))]


def test_events_during_a_rebuild_make_exactly_one_more_rebuild() -> None:
    gate = threading.Event()
    rebuild = Recorder(gate)
    debouncer = Debouncer(rebuild, delay=0.03)
    debouncer.start()
    try:
        debouncer.add(["first"])
        assert rebuild.running.wait(10)
        for i in range(50):  # all while the first rebuild runs (it waits for the gate)
            debouncer.add([f"during-{i}"])
        gate.set()
        wait_for(lambda: len(rebuild.batches) >= 2)
        debouncer.add(["after"])  # the event to wait for: any other batch would come before it
        wait_for(lambda: len(rebuild.batches) >= 3)
        assert rebuild.batches == [{"first"}, {f"during-{i}" for i in range(50)}, {"after"}]
    finally:
        debouncer.stop()


def test_a_failing_rebuild_does_not_end_the_debouncer(capsys: pytest.CaptureFixture) -> None:
    calls: list[set] = []

    def rebuild(batch: set) -> None:
        calls.append(batch)
        if len(calls) == 1:
            raise RuntimeError("boom")

    debouncer = Debouncer(rebuild, delay=0.01)
    debouncer.start()
    try:
        debouncer.add([1])
        wait_for(lambda: calls)
        debouncer.add([2])
        wait_for(lambda: len(calls) == 2)
    finally:
        debouncer.stop()
    assert "RuntimeError: boom" in capsys.readouterr().err
