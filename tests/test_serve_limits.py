"""`build.py serve` under load and misuse: a burst of simultaneous requests, silent and slow clients,
more connections than it keeps, a non-loopback --host, bad ports, and a preview killed with SIGKILL."""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from briefings.httpd import HTTPServer, Response, listen
from briefings.scratch import ScratchFolder, remove_abandoned
from briefings.serve import SCRATCH_PREFIX, PreviewServer
from helpers import content_file, create_project, running_preview, write_file

REPO = Path(__file__).resolve().parent.parent
PAGES = ["/briefings/", "/briefings/static/style.css", "/briefings/2023/08/", "/__livereload/status"]


def briefing(i: int) -> str:
    return content_file({"title": f"Briefing {i}", "date": "2023-08", "topics": ["defence"]}, f"Texte {i}.")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    config = create_project(tmp_path_factory.mktemp("limits") / "project")
    for i in range(3):
        write_file(config.parent / "content" / "2023" / "08" / f"b-{i}.md", briefing(i))
    return config


@pytest.fixture(scope="module")
def preview(project: Path) -> Iterator[PreviewServer]:
    """A preview with the usual idle timeout."""
    with running_preview(project) as server:
        yield server


@pytest.fixture
def quick(tmp_path: Path) -> Iterator[PreviewServer]:
    """A preview of its own that closes silent connections after a fifth of a second."""
    config = create_project(tmp_path / "project", content={"2023/08/b-0.md": briefing(0)})
    with running_preview(config, idle_timeout=0.2, delay=0.05) as server:
        yield server


def get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        assert len(body) == int(response.getheader("Content-Length"))
        return response.status, body
    finally:
        connection.close()


def closed_by_server(client: socket.socket) -> bool:
    """Blocks until the server closes the connection (True) or sends something (False)."""
    try:
        return client.recv(1) == b""
    except ConnectionResetError:
        return True


def read_event(response: http.client.HTTPResponse) -> tuple[str, dict]:
    name, data = "message", None
    while True:
        line = response.fp.readline().decode().rstrip("\n")
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            data = json.loads(line[6:])
        elif line == "" and data is not None:
            return name, data


# --- load ---------------------------------------------------------------------------------

def test_200_simultaneous_requests_are_all_answered(preview: PreviewServer) -> None:
    count = 200
    barrier = threading.Barrier(count)

    def fetch(i: int) -> int:
        barrier.wait()  # all connect at once
        return get(preview.port, PAGES[i % len(PAGES)])[0]

    with ThreadPoolExecutor(count) as pool:
        codes = list(pool.map(fetch, range(count)))
    assert codes == [200] * count


def test_slow_clients_hold_no_thread_and_do_not_block_others(preview: PreviewServer) -> None:
    threads = threading.active_count()
    slow = [socket.create_connection(("127.0.0.1", preview.port), timeout=60) for _ in range(100)]
    try:
        for client in slow:
            client.sendall(b"GET /briefings/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and never the blank line
        # Answered after the slow ones connected: the server has taken them all by now.
        assert get(preview.port, "/briefings/")[0] == 200
        assert threading.active_count() < threads + 10  # a thread each would be 100 more
    finally:
        for client in slow:
            client.close()


def test_a_silent_connection_is_closed_after_the_idle_timeout(quick: PreviewServer) -> None:
    with socket.create_connection(("127.0.0.1", quick.port), timeout=30) as silent, \
            socket.create_connection(("127.0.0.1", quick.port), timeout=30) as halfway:
        halfway.sendall(b"GET /briefings/ HTTP/1.1\r\n")
        assert closed_by_server(silent)
        assert closed_by_server(halfway)
    assert get(quick.port, "/briefings/")[0] == 200


def test_an_event_stream_outlives_the_idle_timeout(quick: PreviewServer) -> None:
    stream = http.client.HTTPConnection("127.0.0.1", quick.port, timeout=30)
    try:
        stream.request("GET", "/__livereload")
        events = stream.getresponse()
        first = read_event(events)[1]
        with socket.create_connection(("127.0.0.1", quick.port), timeout=30) as silent:
            assert closed_by_server(silent)  # opened after the stream: the stream has been quiet longer
        write_file(quick.config.root / "content" / "2023" / "08" / "b-1.md", briefing(1))
        name, news = read_event(events)
        assert name == "reload" and news["version"] != first["version"]
    finally:
        stream.close()


def test_past_the_connection_limit_the_oldest_silent_client_makes_way() -> None:
    server = HTTPServer(listen("127.0.0.1", 0), lambda method, target: Response(200, body=b"ok"),
                        max_connections=5)
    server.start()
    port = server.sock.getsockname()[1]
    try:
        silent = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(5)]
        assert get(port, "/") == (200, b"ok")
        assert closed_by_server(silent[0])
        for client in silent:
            client.close()
    finally:
        server.stop()


def test_only_get_and_head_and_bad_requests_get_a_clear_status(preview: PreviewServer) -> None:
    for raw, status in [(b"POST /briefings/ HTTP/1.1\r\n\r\n", b"501"), (b"nonsense\r\n\r\n", b"400"),
                        (b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * 101 + b"\r\n", b"431")]:
        with socket.create_connection(("127.0.0.1", preview.port), timeout=30) as client:
            client.sendall(raw)
            assert client.makefile("rb").readline().split()[1] == status


# --- --host and --port --------------------------------------------------------------------

def start_serve(config: Path, temp: Path, *args: str) -> tuple[subprocess.Popen, str]:
    """`build.py serve --port 0 ARGS` with its own TMPDIR; returns once it printed its URL, with the URL."""
    process = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "--config", str(config), "serve", "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=temp,
        env={**os.environ, "TMPDIR": str(temp), "PYTHONPATH": str(REPO)})
    for line in process.stdout:
        if line.startswith("serve: http"):
            return process, line.split()[1]
    raise AssertionError(f"serve ended: {process.wait()} {process.stderr.read()}")


def test_every_interface_means_a_warning_with_the_urls(project: Path, tmp_path: Path) -> None:
    process, url = start_serve(project, tmp_path, "--host", "0.0.0.0")
    try:
        port = url.split(":")[2].split("/")[0]
        assert url == f"http://127.0.0.1:{port}/briefings/"
        assert get(int(port), "/briefings/")[0] == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    finally:
        process.kill()
    stderr = process.stderr.read()
    assert f"--host: warning: serving on every network interface (0.0.0.0, port {port})" in stderr
    assert "other machines can open the preview" in stderr and f":{port}/briefings/" in stderr.split("preview")[1]
    assert "Traceback" not in stderr


def test_loopback_means_no_warning(preview: PreviewServer) -> None:
    assert preview.address == "127.0.0.1" and preview.exposure() is None


@pytest.mark.parametrize("port", ["99999", "-1", "65536", "abc", "80.5", ""])
def test_a_bad_port_is_a_clear_error(project: Path, tmp_path: Path, port: str, build_py) -> None:
    run = build_py(project, "serve", "--port", port, cwd=tmp_path)
    assert run.code == 1 and "Traceback" not in run.output
    assert f"--port: not a port number: {port!r} (give a whole number from 1 to 65535" in run.stderr


def test_a_port_in_use_is_a_clear_error(project: Path, tmp_path: Path, build_py) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = build_py(project, "serve", "--port", str(port), cwd=tmp_path)
    assert run.code == 1 and "Traceback" not in run.output
    assert f"--port: cannot listen on 127.0.0.1:{port}: Address already in use (pass another --port" in run.stderr


# --- nothing left behind ------------------------------------------------------------------

def test_a_killed_preview_is_cleaned_up_by_the_next(tmp_path: Path) -> None:
    config = create_project(tmp_path / "project", content={"2023/08/b-0.md": briefing(0)})
    temp = tmp_path / "tmp"
    temp.mkdir()
    first, _ = start_serve(config, temp)
    first.kill()
    first.wait()
    left = list(temp.iterdir())
    assert len(left) == 1 and left[0].name.startswith(f"{SCRATCH_PREFIX}{first.pid}-")
    assert (left[0] / "site" / "index.html").is_file()  # SIGKILL: nothing could be removed
    second, url = start_serve(config, temp)
    try:
        assert not left[0].exists()
        assert [p.name.startswith(f"{SCRATCH_PREFIX}{second.pid}-") for p in temp.iterdir()] == [True]
        port = int(url.split(":")[2].split("/")[0])
        assert get(port, "/briefings/")[0] == 200
        assert json.loads(get(port, "/__livereload/status")[1])["errors"] == []
        second.send_signal(signal.SIGINT)
        assert second.wait(timeout=30) == 0
    finally:
        second.kill()
    assert list(temp.iterdir()) == []
    # The previews wrote nothing into the project (no site/, no spare copy or cache in .cache/)
    # but what they share with build.py build: the search index's parts (named by their content),
    # and so the body store beside them (keyed by content digest).
    project_files = {p.relative_to(config.parent).parts[:2] for p in config.parent.rglob("*")}
    assert {parts[0] for parts in project_files} <= {"config.yaml", "content", ".cache"}
    shared = {parts[1] for parts in project_files if parts[0] == ".cache" and len(parts) > 1}
    assert shared <= {"search", "bodies.sqlite", "bodies.sqlite-shm", "bodies.sqlite-wal"}, shared


def test_only_abandoned_folders_are_removed(tmp_path: Path) -> None:
    held = ScratchFolder(SCRATCH_PREFIX, tmp_path)
    subprocess.run([sys.executable, "-c", "import os, sys; from briefings.scratch import ScratchFolder; "
                    f"ScratchFolder({SCRATCH_PREFIX!r}, sys.argv[1]); os._exit(0)", str(tmp_path)],
                   check=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    other = tmp_path / "briefings-serve-abc123"  # not a name ScratchFolder gives: not ours to judge
    other.mkdir()
    abandoned = [p for p in tmp_path.iterdir() if p not in (held.path, other)]
    assert len(abandoned) == 1
    assert remove_abandoned(SCRATCH_PREFIX, tmp_path) == abandoned
    assert sorted(tmp_path.iterdir()) == sorted([held.path, other])
    held.remove()
    assert list(tmp_path.iterdir()) == [other]
