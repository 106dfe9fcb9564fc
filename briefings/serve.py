"""`build.py serve`: build into a temporary folder, serve it, rebuild on every save, reload the tabs.

The first page is served at once: while the preview's first build runs (in
a forked process, from what the last `build` left: firstbuild.py), the last
good `site/` is served, and the tabs reload when the preview's own site is ready.

The site is served under the path of `base_url` (`/briefings/`), as it will be
published. The reload script is never written to disk: the server adds it to
HTML responses on their way out. Tabs follow a Server-Sent Events stream,
`/__livereload`: a `reload` event after each good build, an `error` event (the
errors as JSON, shown as an overlay) after a failed one, and the current state
on connecting, so a tab opened while the build is broken shows the errors too.

A failed build never stops the server: the writer swaps in only complete
sites, so the last good one stays served. Files are looked up in the output
folder on every request, because each build swaps that folder's contents.
"""
from __future__ import annotations

import errno
import ipaddress
import json
import mimetypes
import os
import signal
import socket
import sys
import threading
import time
import traceback
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from . import cache as build_cache
from . import importer, pipeline
from .config import Config, config_warnings, load_config
from .errors import SiteError, SiteErrors, display_path
from .firstbuild import FirstBuild
from .httpd import IDLE_TIMEOUT, TEXT, EventStream, HTTPServer, Response, is_loopback, listen, route_out_address
from .preview_search import SiteRefresher
from .scratch import ScratchFolder, remove_abandoned
from .site_manifest import Stamp, stamp_of
from .urls import NOT_FOUND_PATH, SEARCH_INDEX_DIR, base_path, port_number
from .watch import CONFIG, SEED, STATIC, Debouncer, ProjectWatcher, change_kind

EVENTS_PATH = "/__livereload"
STATUS_PATH = "/__livereload/status"
SCRIPT_PATH = "/__livereload.js"
SCRATCH_PREFIX = "briefings-serve-"
"""The temporary folders of previews: `<tmp>/briefings-serve-<pid>-<random>/` (see scratch.py)."""

HTML = "text/html; charset=utf-8"
_CONTENT_TYPES = {".html": HTML, ".htm": HTML, ".css": "text/css", ".txt": TEXT, ".xml": "application/xml",
                  ".js": "text/javascript; charset=utf-8", ".json": "application/json",
                  ".svg": "image/svg+xml", ".ico": "image/x-icon", ".woff2": "font/woff2"}

BUILDING_PAGE = b"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Building</title></head>
<body><p>The preview is building the site; this page reloads when it is ready.</p></body></html>
"""

NOT_BUILT_PAGE = b"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Not built yet</title></head>
<body><p>The site has not been built yet: fix the errors listed, save, and this page reloads.</p></body></html>
"""

RELOAD_SCRIPT = br"""// Live reload for `build.py serve`; added to HTML responses by the server, never written to disk.
(() => {
  const OVERLAY = "briefings-error-overlay";
  let version = document.currentScript ? document.currentScript.dataset.version : "";

  function hideOverlay() {
    const old = document.getElementById(OVERLAY);
    if (old) old.remove();
  }

  function showOverlay(errors) {  // error text goes in with textContent only, never as HTML
    hideOverlay();
    const box = document.createElement("div");
    box.id = OVERLAY;
    box.setAttribute("role", "alert");
    box.style.cssText = "position:fixed;top:0;left:0;right:0;z-index:2147483647;max-height:70vh;" +
      "overflow:auto;margin:0;padding:1rem 1.5rem;background:#2b0b0b;color:#fff;" +
      "border-bottom:4px solid #e04040;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,monospace;" +
      "box-shadow:0 4px 16px rgba(0,0,0,.4);text-align:left";
    const title = document.createElement("strong");
    title.textContent = "Build failed: " + errors.length + " error" + (errors.length === 1 ? "" : "s") +
      ". The last good build is shown; fix and save to reload.";
    box.append(title);
    const list = document.createElement("ul");
    list.style.cssText = "margin:.5rem 0 0;padding-left:1.2rem";
    for (const error of errors) {  // as the terminal shows it: `path:line: message (hint)`
      const item = document.createElement("li");
      item.textContent = error.text;
      list.append(item);
    }
    box.append(list);
    (document.body || document.documentElement).append(box);
  }

  function swapStylesheets() {  // a CSS-only change: fresh stylesheets, no page reload
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href);
      url.searchParams.set("livereload", Date.now());
      const fresh = link.cloneNode();
      fresh.href = url.href;
      fresh.addEventListener("load", () => link.remove());
      fresh.addEventListener("error", () => fresh.remove());
      link.after(fresh);
    }
  }

  // Background tabs let go of their stream: browsers allow only ~6 connections per host, and a
  // tab coming back reconnects and gets the current state (reloading if it missed a build).
  let source = null;
  function connect() {
    if (source) return;
    source = new EventSource("/__livereload");
    source.addEventListener("reload", (event) => {
      const state = JSON.parse(event.data);
      if (state.version === version) { hideOverlay(); return; }
      if (state.css && state.previous === version) {
        version = state.version;
        hideOverlay();
        swapStylesheets();
        return;
      }
      disconnect();
      location.reload();
    });
    source.addEventListener("error", (event) => {
      if (!event.data) return;  // the connection dropped (server stopped?); EventSource retries by itself
      const state = JSON.parse(event.data);
      if (state.version !== version) {  // a new site came with errors (a broken seed): show both
        disconnect();
        location.reload();
        return;
      }
      showOverlay(state.errors);
    });
  }
  function disconnect() {
    if (source) source.close();
    source = null;
  }
  document.addEventListener("visibilitychange", () => (document.hidden ? disconnect() : connect()));
  if (!document.hidden) connect();
})();
"""


# --- serving files ------------------------------------------------------------------------

def content_type(name: str) -> str:
    if name == "feed.xml" or name.endswith(".rss"):
        return "application/rss+xml"
    suffix = os.path.splitext(name)[1].lower()
    return _CONTENT_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def route(site_dir: Path, base: str, raw_path: str) -> Response:
    """The response for a request path: a file of the site, a redirect, or a 404.

    Only files inside `site_dir` are ever read: `..`, `.`, empty and encoded
    segments are refused before the file system is asked, and a symlink leading
    out of the folder is refused after.
    """
    url = urlsplit(raw_path)
    path = url.path
    if (path == "/" and base != "/") or path + "/" == base:
        return Response(302, location=base)
    if not path.startswith(base):
        return Response(404, body=f"Not found: the site is served under {base}\n".encode())
    try:
        relative = unquote(path[len(base):], errors="strict")
    except UnicodeDecodeError:
        return not_found(site_dir)
    wants_folder = relative == "" or relative.endswith("/")
    parts = relative.split("/")[:-1] if wants_folder else relative.split("/")
    if any(part in ("", ".", "..") or "\\" in part or "\x00" in part for part in parts):
        return not_found(site_dir)
    root = site_dir.resolve()
    try:
        target = site_dir.joinpath(*parts).resolve(strict=True)
    except (OSError, RuntimeError):
        return not_found(site_dir)
    if not target.is_relative_to(root):
        return Response(403, body=b"Forbidden: outside the site folder\n")
    if target.is_dir():
        if not wants_folder:
            return Response(302, location=path + "/" + (f"?{url.query}" if url.query else ""))
        return _file(site_dir, root, target / "index.html")
    if wants_folder:
        return not_found(site_dir)
    return _file(site_dir, root, target)


def _file(site_dir: Path, root: Path, target: Path) -> Response:
    try:
        real = target.resolve(strict=True)
        if not real.is_relative_to(root):
            return Response(403, body=b"Forbidden: outside the site folder\n")
        return Response(200, content_type(real.name), real.read_bytes())
    except (OSError, RuntimeError):  # missing, a folder, or swapped away mid-request
        return not_found(site_dir)


def not_found(site_dir: Path) -> Response:
    try:
        return Response(404, HTML, (site_dir / NOT_FOUND_PATH).read_bytes())
    except OSError:
        return Response(404, HTML, NOT_BUILT_PAGE)


def inject(html: bytes, version: str) -> bytes:
    """The page with the reload script added before its last `</body>` (or at its end)."""
    tag = f'<script src="{SCRIPT_PATH}" data-version="{version}"></script>'.encode()
    at = html.lower().rfind(b"</body>")
    return html + tag if at < 0 else html[:at] + tag + html[at:]


# --- the reload channel -------------------------------------------------------------------

class ReloadChannel:
    """The state every open tab follows: the version of the site served, and the build errors.

    Each change bumps a sequence number and wakes the event streams following it
    (it is the `httpd.Feed` of `/__livereload`).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seq = 0
        self._epoch = f"{time.time_ns():x}"  # a restarted server never repeats a version
        self._builds = 0
        self._state: dict[str, Any] = {"version": self._version(), "previous": None, "css": False, "errors": []}
        self._wakes: set[Callable[[], None]] = set()
        self._closed = False

    def _version(self) -> str:
        return f"{self._epoch}.{self._builds}"

    @property
    def version(self) -> str:
        with self._lock:
            version: str = self._state["version"]
            return version

    def state(self) -> dict[str, Any]:
        with self._lock:
            return dict(self._state)

    def built(self, css_only: bool = False, errors: list[SiteError] | None = None) -> None:
        """A new site is being served; `errors`: the seeds it could not import, announced with
        it in one change (a tab never sees the new site without them)."""
        with self._lock:
            previous = self._state["version"]
            self._builds += 1
            self._publish({"version": self._version(), "previous": previous, "css": css_only and not errors,
                           "errors": [_error_json(e) for e in errors or ()]})

    def failed(self, errors: list[SiteError]) -> None:
        """The last build failed; the site served is unchanged."""
        with self._lock:
            self._publish({**self._state, "css": False, "errors": [_error_json(e) for e in errors]})

    def _publish(self, state: dict[str, Any]) -> None:
        self._state = state
        self._seq += 1
        self._wake()

    def latest(self) -> tuple[int, bytes] | None:
        """The state as an event, with its sequence number; None once closed."""
        with self._lock:
            return None if self._closed else (self._seq, event_message(self._state))

    def subscribe(self, wake: Callable[[], None]) -> Callable[[], None]:
        """Call `wake` after each change (it must not block: it runs under the lock); returns the
        call that unsubscribes."""
        with self._lock:
            self._wakes.add(wake)
        return lambda: self._unsubscribe(wake)

    @property
    def listeners(self) -> int:
        """How many event streams (open tabs) are subscribed: each gets every change from now on."""
        with self._lock:
            return len(self._wakes)

    def _unsubscribe(self, wake: Callable[[], None]) -> None:
        with self._lock:
            self._wakes.discard(wake)

    def _wake(self) -> None:
        for wake in list(self._wakes):
            wake()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._wake()


def _error_json(error: SiteError) -> dict[str, Any]:
    return {"path": error.path, "line": error.line, "message": error.message, "hint": error.hint,
            "text": str(error)}


def event_message(state: dict[str, Any]) -> bytes:
    """One Server-Sent Event: `error` with the errors, or `reload` with the version."""
    kind = "error" if state["errors"] else "reload"
    return f"event: {kind}\ndata: {json.dumps(state, ensure_ascii=False)}\n\n".encode()


# --- the preview --------------------------------------------------------------------------

class PreviewServer:
    """Build once, serve, watch, rebuild. `start()` returns the port; `stop()` undoes everything.

    Everything it writes goes to a temporary folder of its own (the site, and the build's
    spare copy and cache, which would otherwise go to the project's .cache/), removed by
    `stop()`, or by the next preview if this one was killed (scratch.py); only the body
    store of an existing .cache/ is shared with `build` (firstbuild.py).

    `hold_first_build`, for tests: the first build's site is served only once it is set
    (a slow first build, whatever the archive's size).
    """

    def __init__(self, config_file: Path, host: str = "127.0.0.1", port: int = 8000, delay: float = 0.04,
                 idle_timeout: float = IDLE_TIMEOUT, hold_first_build: threading.Event | None = None,
                 search: bool = True):
        self.config_file = Path(config_file).resolve()
        self.host, self.port, self.delay, self.idle_timeout = host, port, delay, idle_timeout
        self.channel = ReloadChannel()
        self.config: Config | None = None
        self.project: Config | None = None
        """config.yaml as `build` reads it: where the last build's site/ and .cache/ are."""
        self.base = "/"
        self.site_dir = Path()
        """The folder served: the last build's site/ until the preview's own first build is done."""
        self._own_site_shown = False
        """Whether a build of the preview's has been announced: until then its site folder, which
        the first build's child may have written already, is not served."""
        self.first_build: pipeline.BuildResult | None = None
        """What the preview's first build reported, once it succeeded."""
        self._first: FirstBuild | None = None
        self._first_done = threading.Event()
        self._hold = hold_first_build
        self.address = ""
        """The address listened on, once listening (0.0.0.0 or :: for every interface)."""
        self._scratch: ScratchFolder | None = None
        self._config_ok = False
        self._seed_errors: dict[Path, list[SiteError]] = {}
        self._imported: dict[Path, Stamp | None] = {}
        self._build_lock = threading.RLock()
        self.search: SiteRefresher | None = None
        """Keeps the project's site/ and its search index up to date after each build, which the
        preview's search page queries (see preview_search.py); None with `search=False`."""
        self._search = search
        self._http: HTTPServer | None = None
        self._serving = False
        self._debouncer: Debouncer | None = None
        self._watcher: ProjectWatcher | None = None
        self._stopped = threading.Event()

    @property
    def _config(self) -> Config:
        """The preview's config.yaml (site/ and cache in the temporary folder): start() loads it
        before anything reads it."""
        assert self.config is not None, "start() loads config.yaml first"
        return self.config

    @property
    def _project(self) -> Config:
        assert self.project is not None, "start() loads config.yaml first"
        return self.project

    @property
    def url(self) -> str:
        """The site's address for a browser on this machine (loopback when listening on every interface)."""
        host = self.address or self.host
        if host in ("", "0.0.0.0", "::"):
            host = "::1" if host == "::" else "127.0.0.1"
        return _url(host, self.port, self.base)

    def exposure(self) -> SiteError | None:
        """A warning when machines other than this one can reach the preview, with the URLs they use."""
        if not self.address or is_loopback(self.address):
            return None
        if ipaddress.ip_address(self.address.split("%")[0]).is_unspecified:
            families = [socket.AF_INET6, socket.AF_INET] if ":" in self.address else [socket.AF_INET]
            urls = [_url(a, self.port, self.base) for family in families if (a := route_out_address(family))]
            where = f"every network interface ({self.address}, port {self.port})"
            found = f", e.g. at {' or '.join(urls)}" if urls else f" at this machine's addresses, port {self.port}"
        else:
            where, found = f"{self.address}, port {self.port}", f" at {self.url}"
        return SiteError("--host", None, f"serving on {where}: other machines can open the preview{found}",
                         "leave out --host to serve this machine only", warning=True)

    def start(self) -> int:
        """Load the config, listen, start the first build, watch, serve; raise SiteErrors if
        config.yaml or the port is unusable. Returns once there is a site to show: at once when
        the project has a built site/ (served until the first build is done), else after the
        first build."""
        try:
            self.port = listen_port(self.port)
            if removed := remove_abandoned(SCRATCH_PREFIX):
                print(f"serve: removed {len(removed)} temporary folder{'s' * (len(removed) != 1)} of previews "
                      "that were killed", file=sys.stderr, flush=True)
            self._scratch = ScratchFolder(SCRATCH_PREFIX)
            self._load_config()
            if self._search:
                self.search = SiteRefresher(self.config_file, self._project.site_dir)
            sock = self._listen()
            sys.stdout.flush()
            sys.stderr.flush()
            self._first = FirstBuild(self._project, self._config, close=(sock.fileno(),))  # before any thread
            last_site = self._project.site_dir
            self.site_dir = last_site if (last_site / "index.html").is_file() else self._config.site_dir
            self._http = HTTPServer(sock, self.answer, self.idle_timeout)
            self._debouncer = Debouncer(self.rebuild, self.delay)
            self._watcher = ProjectWatcher(self._config, self.config_file, self._debouncer.add)
            self._debouncer.start()
            self._watcher.start()
            waiter = threading.Thread(target=self._finish_first_build, name="briefings-first-build", daemon=True)
            waiter.start()
            self._http.start()
            self._serving = True
            if self.site_dir == self._config.site_dir:  # nothing to show meanwhile
                self._first_done.wait()
        except BaseException:
            self.stop()
            raise
        return self.port

    def wait_for_first_build(self, timeout: float | None = None) -> bool:
        """Block until the first build is done (or failed); False if `timeout` passed first."""
        return self._first_done.wait(timeout)

    def _finish_first_build(self) -> None:
        """Wait for the first build, then serve its site (or show its errors)."""
        start = time.perf_counter()
        try:
            while self._hold is not None and not self._hold.wait(0.05) and not self._stopped.is_set():
                pass
            with self._build_lock:  # taken first: edits meanwhile wait for the warm-up too
                assert self._first is not None, "start() makes it before this thread"
                built = self._run_build(self._first.result, None, start)
                self._first_done.set()
                if built:
                    self._warm_up()
        finally:
            self._first_done.set()

    def _warm_up(self) -> None:
        """Load what the first build left for this process's builds: its cache, and the templates
        compiled. Without it the first edit after start paid for both: 8.5 s instead of 0.5 s
        at 10,000 briefings on a busy machine (1.5 s compiling templates alone)."""
        from . import render
        try:
            build_cache.preload(self._config)
            render.renderer_for(self._config).check_templates()
        except Exception:  # only time is lost: the next build loads what it needs
            traceback.print_exc()

    def _listen(self) -> socket.socket:
        try:
            sock = listen(self.host, self.port)
        except OSError as exc:
            raise SiteErrors([listen_error(self.host, self.port, exc)]) from None
        self.address, self.port = sock.getsockname()[:2]
        return sock

    def answer(self, method: str, target: str) -> Response | EventStream:
        """The answer to one request (GET or HEAD): the reload channel's endpoints, or a file of the site."""
        path = urlsplit(target).path
        if path == EVENTS_PATH and method == "GET":
            return EventStream(self.channel)
        if path == STATUS_PATH:
            return Response(200, "application/json", json.dumps(self.channel.state(), ensure_ascii=False).encode())
        if path == SCRIPT_PATH:
            return Response(200, "text/javascript; charset=utf-8", RELOAD_SCRIPT)
        version = self.channel.version  # before reading: a build finishing meanwhile reloads the tab
        site_dir = self.site_dir
        if site_dir == self._config.site_dir and not self._own_site_shown and not self._first_done.is_set():
            return Response(503, HTML, inject(BUILDING_PAGE, version))  # nothing to show yet
        if path.startswith(f"{self.base}{SEARCH_INDEX_DIR}/") and self.project:  # the search index: site/'s
            site_dir = self.project.site_dir
        response = route(site_dir, self.base, target)
        if response.content_type == HTML:
            response = Response(response.status, HTML, inject(response.body, version), response.location)
        return response

    def wait(self) -> None:
        """Block until `stop()` (or Ctrl-C, which raises KeyboardInterrupt here)."""
        while not self._stopped.wait(0.5):
            pass

    def stop(self) -> None:
        """Stop watching and serving and remove the temporary folder; safe to call twice."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        if self._first:
            self._first.stop()
        if self.search:
            self.search.stop()
        self._first_done.set()  # a rebuild waiting for the first build ends now
        if self._watcher:
            self._watcher.stop()
        if self._debouncer:
            self._debouncer.stop()
        self.channel.close()
        if self._http:
            self._http.stop()
        if self._scratch:
            if self.config:
                build_cache.forget(self.config)
            self._scratch.remove()

    # --- building

    def rebuild(self, changed: set[Path] | None) -> bool:
        """One build (a full one when `changed` is None); True when it succeeded. Waits for the
        first build: it stamped the files it read, so a change made meanwhile is found."""
        self._first_done.wait()
        with self._build_lock:
            if changed is not None:
                changed = {p for p in changed if not self._own_write(p)}
                if not changed:
                    return True
            kinds = {change_kind(p, self._config, self.config_file, p.is_dir()) for p in changed or ()}

            def build() -> pipeline.BuildResult:
                if CONFIG in kinds or not self._config_ok:
                    self._load_config()
                if SEED in kinds and changed is not None:  # kinds are those of `changed`
                    changed.update(self._import_seeds({p for p in changed if change_kind(p, self._config) == SEED}))
                # persist=False: the cache of a throwaway folder stays in memory, not in .cache/
                return pipeline.build(self._config, persist=False, jobs=1, search_index=False, future=True)
            return self._run_build(build, changed, time.perf_counter())

    def _run_build(self, build: Callable[[], pipeline.BuildResult], changed: set[Path] | None, start: float) -> bool:
        """Run `build` and tell the tabs and the terminal how it went; True when it succeeded."""
        with self._build_lock:
            if self._stopped.is_set():
                return False
            try:
                result = build()
            except SiteErrors as exc:
                return self._failed([e for e in exc.errors if not e.warning], start)
            except Exception as exc:  # a bug in a build step must not end the preview: show it, keep serving
                if self._stopped.is_set():
                    return False
                traceback.print_exc()
                return self._failed([SiteError("build", None, f"internal error: {type(exc).__name__}: "
                                               f"{str(exc).splitlines()[0] if str(exc) else ''}",
                                               "see the traceback in the terminal")], start)
            if changed is None and self.first_build is None:
                self.first_build = result
            for warning in result.warnings:
                print(warning, file=sys.stderr)
            seed_errors = [e for errors in self._seed_errors.values() for e in errors]
            if seed_errors:
                return self._failed(seed_errors, start, built=True)
            # folders appearing (a new templates/static/) are not changes of their own
            files = {p for p in changed or () if not p.is_dir()}
            css_only = bool(files) and all(p.suffix == ".css" and change_kind(p, self._config) == STATIC
                                           for p in files)
            self.site_dir, self._own_site_shown = self._config.site_dir, True
            self.channel.built(css_only)
            print(f"build: {result.summary()}{_changes(changed, self._config.root)}", flush=True)
            if self.search:
                self.search.request()
            return True

    def _failed(self, errors: list[SiteError], start: float, built: bool = False) -> bool:
        if built:
            self.site_dir, self._own_site_shown = self._config.site_dir, True
        for error in errors:
            print(error, file=sys.stderr)
        count = f"{len(errors)} error{'s' * (len(errors) != 1)}"
        kept = "the new site is served" if built else "still serving the last good site"
        print(f"build: failed with {count} after {time.perf_counter() - start:.2f} s; {kept}",
              file=sys.stderr, flush=True)
        if built:
            self.channel.built(errors=errors)
        else:
            self.channel.failed(errors)
        return False

    def _load_config(self) -> None:
        """(Re)read config.yaml; on errors the previous config stays in use for serving."""
        self._config_ok = False
        config = load_config(self.config_file)
        for warning in config_warnings(self.config_file):
            print(warning, file=sys.stderr)
        self.project = config
        if self.search:
            self.search.site_dir = config.site_dir
        shared = config.cache_dir if config.cache_dir.is_dir() else None  # never made by the preview
        assert self._scratch is not None, "start() makes it before loading config.yaml"
        self.config = config.with_overrides(output_dir=self._scratch.path / "site",
                                            cache_folder=self._scratch.path / "cache", bodies_folder=shared)
        if self._serving and base_path(config.base_url) != self.base:
            print(f"serve: base_url changed, the site is now at {self.url.removesuffix(self.base)}"
                  f"{base_path(config.base_url)}", flush=True)
        self.base = base_path(config.base_url)
        self._config_ok = True

    def _import_seeds(self, seeds: set[Path]) -> set[Path]:
        """Import new and changed seeds (never overwriting edited content); the content files written."""
        existing: set[Path] = set()
        for path in seeds:
            self._seed_errors.pop(path, None)
            if path.is_dir():
                existing.update(p for p in path.rglob("*.txt") if change_kind(p, self._config) == SEED)
            elif path.is_file():
                existing.add(path)
        if not existing:
            return set()
        report = importer.import_seeds(self._config, only=sorted(existing), jobs=1)  # no fork in a threaded process
        for warning in report.warnings:
            print(warning, file=sys.stderr)
        for error in report.failed:
            self._seed_errors.setdefault(self._config.root / error.path, []).append(error)
        written = {self._config.root / shown for shown in report.created + report.updated}
        self._imported = {path: stamp_of(str(path)) for path in written}
        if report.created or report.updated or report.failed:
            print(f"import: {report.summary()}", flush=True)
        return written

    def _own_write(self, path: Path) -> bool:
        """A content file import just wrote (and the build already had): its event needs no build."""
        return path in self._imported and self._imported[path] == stamp_of(str(path))


def _changes(changed: set[Path] | None, root: Path) -> str:
    if not changed:
        return ""
    names = sorted(display_path(p, root) for p in changed)
    more = f" and {len(names) - 3} more" if len(names) > 3 else ""
    return f" (changed: {', '.join(names[:3])}{more})"


def _url(host: str, port: int, base: str) -> str:
    return f"http://{f'[{host}]' if ':' in host else host}:{port}{base}"


def listen_port(port: str | int) -> int:
    """`--port` as a number (urls.port_number, 0 allowed: any free port), else a SiteError."""
    number = port_number(str(port), lowest=0)
    if number is None:
        raise SiteErrors([SiteError("--port", None, f"not a port number: {str(port)!r}",
                                    "give a whole number from 1 to 65535, e.g. 8000, or 0 for any free port")])
    return number


def listen_error(host: str, port: int, error: OSError) -> SiteError:
    """Why listening on host:port failed, and what to pass instead."""
    where = f"cannot listen on {_url(host, port, '').removeprefix('http://')}"
    if isinstance(error, socket.gaierror) or error.errno == errno.EADDRNOTAVAIL:
        return SiteError("--host", None, f"{where}: {error.strerror or error}",
                         "give an address of this machine: 127.0.0.1, the default, for this machine only, or "
                         "0.0.0.0 for every network interface")
    if error.errno == errno.EACCES and 0 < port < 1024:
        hint = "ports below 1024 need administrator rights: pass e.g. --port 8000, or --port 0 for any free one"
    else:
        hint = "pass another --port, or --port 0 for any free one"
    return SiteError("--port", None, f"{where}: {error.strerror or error}", hint)


def run(config_file: Path, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False,
        search: bool = True) -> int:
    """The `serve` command: serve until Ctrl-C (or SIGTERM), then clean up and return 0."""
    server = PreviewServer(config_file, host, port, search=search)
    previous = signal.getsignal(signal.SIGTERM)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.start()
        if warning := server.exposure():
            print(warning, file=sys.stderr, flush=True)
        print(f"serve: {server.url} (Ctrl-C to stop)", flush=True)
        if open_browser:
            webbrowser.open(server.url)
        server.wait()
    except KeyboardInterrupt:
        print("\nserve: stopped", flush=True)
    finally:
        server.stop()
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, previous)
    return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
