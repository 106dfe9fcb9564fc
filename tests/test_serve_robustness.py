"""`build.py serve` under abuse: a burst of 1,000 file events, a file deleted while it is read,
a template deleted and restored. The server keeps answering 200 throughout and ends in a good state
(the status endpoint shows no error once the project is right again)."""
from __future__ import annotations

import http.client
import itertools
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from briefings import content as content_module
from briefings.serve import PreviewServer
from helpers import content_file, create_project, running_preview, write_file

COUNT = 1000


def get(server: PreviewServer, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def status(server: PreviewServer) -> dict:
    code, body = get(server, "/__livereload/status")
    assert code == 200
    return json.loads(body)


def wait_for(condition: Callable[[], object], timeout: float = 30.0, what: str = "condition") -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.05)
    raise AssertionError(f"{what}: not met in {timeout} s")


_SENTINELS = itertools.count()


def settled(server: PreviewServer, capsys: pytest.CaptureFixture) -> dict:
    """The status once every change made so far is built. A new briefing (the sentinel) is
    written and its build waited for: the preview prints a `build:` line naming the files it
    saw changed once the build is announced, and file events are handled in order, so no
    earlier change is still to come. (It sorts first among the changes, which a line shows
    three of.) Waiting for an event, not for a quiet second that a slow machine breaks."""
    name = f"0-sentinel-{next(_SENTINELS)}.md"
    write_file(server.config.root / "content" / name,
               content_file({"title": f"Sentinel {name}", "date": "2014-01", "topics": ["defence"]}))
    lines: list[str] = []

    def built() -> bool:
        lines.extend(line for line in capsys.readouterr().out.splitlines() if line.startswith("build: "))
        return any(f"changed: content/{name}" in line for line in lines)
    wait_for(built, what=f"the build that saw content/{name}")
    return status(server)


class Poller:
    """Asks for a few pages, over and over, from another thread; records every status code."""

    def __init__(self, server: PreviewServer, paths: list[str]):
        self.server, self.paths = server, paths
        self.codes: list[tuple[str, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for path in self.paths:
                self.codes.append((path, get(self.server, path)[0]))

    def __enter__(self) -> Poller:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=20)

    def failures(self) -> list[tuple[str, int]]:
        return [(path, code) for path, code in self.codes if code != 200]


def briefing(i: int, mark: str = "v1") -> str:
    year, month = 2015 + i % 9, 1 + i % 12
    return content_file({"title": f"Briefing {i} {mark}", "date": f"{year}-{month:02d}", "topics": ["defence"]},
                        f"Texte du briefing {i}, version {mark}.")


def content_path(root: Path, i: int) -> Path:
    year, month = 2015 + i % 9, 1 + i % 12
    return root / "content" / f"{year}" / f"{month:02d}" / f"b-{i:04d}.md"


def page(i: int) -> str:
    year, month = 2015 + i % 9, 1 + i % 12
    return f"/briefings/{year}/{month:02d}/b-{i:04d}/"


@pytest.fixture
def big_server(tmp_path: Path) -> Iterator[PreviewServer]:
    config = create_project(tmp_path / "p")
    for i in range(COUNT):
        write_file(content_path(config.parent, i), briefing(i))
    with running_preview(config, delay=0.05) as server:
        yield server


def test_a_burst_of_1000_file_events(big_server: PreviewServer, capsys: pytest.CaptureFixture) -> None:
    root = big_server.config.root
    before = settled(big_server, capsys)
    assert not before["errors"]
    builds_before = int(before["version"].rsplit(".", 1)[1])
    with Poller(big_server, ["/briefings/", page(0), page(COUNT - 1)]) as poller:
        for i in range(COUNT):  # every file rewritten, as fast as the disk takes it
            content_path(root, i).write_text(briefing(i, "v2"), encoding="utf-8")
        for i in range(0, COUNT, 7):  # and a second wave of plain touches on top
            os.utime(content_path(root, i))
        wait_for(lambda: all(f"Briefing {i} v2".encode() in get(big_server, page(i))[1]
                             for i in (0, 1, 500, COUNT - 2, COUNT - 1)), what="the last edits are served")
    after = settled(big_server, capsys)
    assert poller.codes and not poller.failures(), poller.failures()[:10]
    assert not after["errors"], after["errors"]
    builds = int(after["version"].rsplit(".", 1)[1]) - builds_before
    assert 1 <= builds <= 61, f"{builds} builds for one burst (and the sentinel): events were not debounced"
    stale = [i for i in range(COUNT) if f"<title>Briefing {i} v2".encode() not in get(big_server, page(i))[1]]
    assert not stale, f"edits lost: {stale[:10]}"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[PreviewServer]:
    config = create_project(tmp_path / "p", templates={
        "briefing.html": '{% extends "base.html" %}\n{% block content %}\n<h1>{{ briefing.title }}</h1>\n'
                         '{% include "_part.html" %}\n{% endblock %}\n',
        "_part.html": '<p class="part">partie incluse</p>\n'})
    for i in range(5):
        write_file(content_path(config.parent, i), briefing(i))
    with running_preview(config, delay=0.05) as preview:
        yield preview


def test_a_file_deleted_while_it_is_read(server: PreviewServer, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture) -> None:
    root = server.config.root
    victim = content_path(root, 3)
    real_read = content_module.read_bytes
    happened = threading.Event()

    def read_bytes(path: Path, shown: str) -> bytes:
        if path == victim and not happened.is_set():
            happened.set()
            path.unlink()  # gone between listing and reading, as when an editor deletes it then
        return real_read(path, shown)
    monkeypatch.setattr(content_module, "read_bytes", read_bytes)
    shown: list = []  # every error the tabs were shown, even for a moment
    real_failed = server.channel.failed
    monkeypatch.setattr(server.channel, "failed", lambda errors: (shown.extend(errors), real_failed(errors)))
    assert get(server, page(3))[0] == 200
    with Poller(server, ["/briefings/", page(0)]) as poller:
        victim.write_text(briefing(3, "v2"), encoding="utf-8")
        wait_for(happened.is_set, what="the file was deleted while read")
        final = wait_for(lambda: (s := settled(server, capsys)) and get(server, page(3))[0] == 404 and s,
                         what="the deleted briefing's page is gone")
    assert not poller.failures(), poller.failures()[:10]
    assert not final["errors"], final["errors"]
    assert not shown, "a file deleted while read is gone, not broken: no error, even briefly"
    assert get(server, page(0))[0] == 200


def test_a_template_deleted_and_restored(server: PreviewServer, capsys: pytest.CaptureFixture) -> None:
    root = server.config.root
    part = root / "templates" / "_part.html"
    override = root / "templates" / "briefing.html"
    saved_part, saved_override = part.read_bytes(), override.read_bytes()
    assert b"partie incluse" in get(server, page(0))[1]
    with Poller(server, ["/briefings/", page(0)]) as poller:
        # The included template goes: the build fails, the last good site stays served.
        part.unlink()
        broken = wait_for(lambda: (s := status(server))["errors"] and s, what="the error is shown")
        assert any("_part.html" in e["text"] and "not found" in e["text"] for e in broken["errors"]), broken
        assert b"partie incluse" in get(server, page(0))[1]
        # It comes back: the next build succeeds and clears the error.
        part.write_bytes(saved_part)
        wait_for(lambda: not status(server)["errors"], what="the error is cleared")
        # The override itself goes: the theme's template takes over; then it comes back.
        override.unlink()
        wait_for(lambda: b"partie incluse" not in get(server, page(0))[1], what="the theme's template is used")
        assert not settled(server, capsys)["errors"]
        override.write_bytes(saved_override)
        wait_for(lambda: b"partie incluse" in get(server, page(0))[1], what="the override is used again")
    assert not poller.failures(), poller.failures()[:10]
    assert not settled(server, capsys)["errors"]
