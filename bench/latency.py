"""Preview start-up and live-reload latency: `python -m bench latency [--sizes 1000,10000,100000] [--edits 20]`.

For each corpus size N: a throwaway project (the repository's config.yaml, N
seeds from bench.corpus, imported once with `build.py import`). Start-up is
timed from starting the process until a briefing page is answered with HTTP
200 (polled every 20 ms), three times: `build.py serve --port 0` on the archive
never built (`--no-cold` skips it: it is a whole first build); then, after
`build.py build` (timed too), `build.py serve` again, as `make preview` runs
them (with when the preview's own first build was ready); and `hugo server`
on the same corpus converted for Hugo (bench/anchors.py), where Hugo is on PATH.
The machine may be shared: compare the ratios measured in the same run.

Then, in that second preview, a briefing page is opened in headless Chromium (Debian's, via
Playwright, as tests/browser.py does); then, `--edits` times, a unique marker
sentence is appended to that briefing's content file and the time is taken
from just before the write until the marker is in the page's
document.body.innerText (page.wait_for_function, polled every animation
frame). That covers the watcher, the debounce, the rebuild, the reload event,
the page reload and its rendering.

Results: median and p95 per N (Markdown on stdout, JSON in
bench/results/latency.json), next to the targets (< 300 ms at 1,000 briefings,
< 1 s at 10,000) and the rebuild times the server printed; `--edits 0` times
the start-up only. With `--reuse DIR`, the projects live in DIR and stay there, and a project
already there (DIR/n<size>, imported) is used as it is: a 100,000-briefing project can be
made and built once, and its start-up timed again later, in a quiet hour.
"""
from __future__ import annotations

import argparse
import os
import queue
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from contextlib import nullcontext
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/latency.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import urllib.error
import urllib.request

import yaml

from bench import anchors
from bench.common import (
    SUMMARY,
    Workdir,
    add_run_options,
    build_py,
    environment,
    load_note,
    make_project,
    markdown_table,
    median,
    p95,
    parse_sizes,
    pick_briefing,
    run_measured,
    seconds,
    use_engine,
    write_json,
)
from briefings.urls import base_path

CHROMIUM = Path(os.environ.get("BRIEFINGS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
TARGETS = {1_000: 0.300, 10_000: 1.0}
STARTUP_TARGETS = {10_000: 2.0, 100_000: 5.0}
"""Preview start-up after a build: first briefing page answered within this many seconds."""
URL_LINE = re.compile(r"serve: (http://\S+)")
NAVIGATION = "[performance.timeOrigin, performance.getEntriesByType('navigation')[0].domInteractive]"
HAS_MARKER = "marker => document.body !== null && document.body.innerText.includes(marker)"


def log(*args: object) -> None:
    print(*args, file=sys.stderr, flush=True)


def target_for(n: int) -> float | None:
    """The target of the nearest size at or above n (none above 10,000)."""
    for size, target in sorted(TARGETS.items()):
        if n <= size:
            return target
    return None


def wait_for_page(url: str, start: float, timeout: float, proc: subprocess.Popen) -> float:
    """Seconds from `start` until `url` is answered with 200 (polled every 20 ms)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                if response.status == 200:
                    return time.perf_counter() - start
        except (urllib.error.URLError, OSError):
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited before answering {url}")
        time.sleep(0.02)
    raise RuntimeError(f"{url}: no 200 within {timeout:.0f} s")


class Server:
    """`build.py serve --port 0` in its own process; its output lines go to a queue.
    `first_page`: seconds from starting it until `page` (a path under its URL) answered 200."""

    def __init__(self, config: Path, startup_timeout: float, page: str = "", options: tuple[str, ...] = ()):
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        start = time.perf_counter()
        self.proc = subprocess.Popen(build_py(config, "serve", "--port", "0", *options), cwd=config.parent,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1"})
        threading.Thread(target=self._pump, daemon=True).start()
        self.url = self._wait_for(URL_LINE, startup_timeout).group(1)
        self.startup = time.perf_counter() - start
        self.first_page = wait_for_page(self.url + page, start, startup_timeout, self.proc)
        if not any(SUMMARY.search(line) for line in self.output):  # printed before the URL when nothing was built
            self._wait_for(SUMMARY, startup_timeout)  # the preview's own first build
        self.own_build = time.perf_counter() - start

    def _pump(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put("")  # EOF

    def _wait_for(self, pattern: re.Pattern, timeout: float) -> re.Match:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise RuntimeError(f"serve: no {pattern.pattern!r} within {timeout:.0f} s:\n"
                                   + "\n".join(self.output[-30:])) from None
            self.output.append(line)
            if line == "" and self.proc.poll() is not None:
                raise RuntimeError("serve exited:\n" + "\n".join(self.output[-30:]))
            found = pattern.search(line)
            if found:
                return found

    def drain(self) -> list[str]:
        """Lines printed since the last call."""
        lines = []
        while True:
            try:
                lines.append(self.lines.get_nowait())
            except queue.Empty:
                self.output.extend(lines)
                return lines

    def stop(self) -> None:
        """Ctrl-C, as a user stops it; killed if it has not exited within 30 s. A benchmark
        started in the background (`nohup … &`) ignores SIGINT, and so does the preview it
        started: that one gets SIGTERM, which `serve` handles the same way."""
        if self.proc.poll() is None:
            start = time.perf_counter()
            ignored = signal.getsignal(signal.SIGINT) == signal.SIG_IGN
            self.proc.send_signal(signal.SIGTERM if ignored else signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
                log(f"  serve: stopped in {seconds(time.perf_counter() - start)}")
            except subprocess.TimeoutExpired:
                log("  serve: still running 30 s after Ctrl-C; killed")
                self.proc.kill()
                self.proc.wait()


def page_url(server_url: str, root: Path, content: Path) -> str:
    """content/YYYY/MM/<slug>.md is served at <base>YYYY/MM/<slug>/."""
    return server_url + content.relative_to(root / "content").with_suffix("").as_posix() + "/"


def hugo_startup(root: Path, config: Path, content: Path, timeout: float) -> float | None:
    """Seconds from starting `hugo server` on the corpus converted for Hugo until the page of
    `content` is answered 200; None without Hugo."""
    if anchors.Hugo.available() is not None:
        return None
    hugo = anchors.Hugo(root / "hugo", yaml.safe_load(config.read_text(encoding="utf-8")))
    hugo.convert(root / "content")
    meta, _ = anchors.read_briefing(content)
    year, month, _ = anchors.full_date(meta["date"]).split("-")
    port = free_port()
    start = time.perf_counter()
    proc = subprocess.Popen(["hugo", "server", "--source", str(hugo.root), "--port", str(port), "--bind", "127.0.0.1",
                             "--cacheDir", str(hugo.root / "hugo-cache")], cwd=hugo.root,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}{served_path(config)}{year}/{month}/{content.stem}/"
        return wait_for_page(url, start, timeout, proc)
    finally:
        proc.terminate()
        proc.wait()


def served_path(config: Path) -> str:
    """The path the site is served under (`/briefings/`): base_url's path."""
    return base_path(str(yaml.safe_load(config.read_text(encoding="utf-8"))["base_url"]))


def free_port() -> int:
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def measure_startup(n: int, config: Path, cold: bool, timeout: float, options: tuple[str, ...] = ()
                    ) -> tuple[dict, Server]:
    """The start-up figures of one size; returns them with the preview started after the build, running."""
    root = config.parent
    content = pick_briefing(root)
    page = content.relative_to(root / "content").with_suffix("").as_posix() + "/"
    result: dict = {}
    if cold:
        server = Server(config, timeout, page, options)
        server.stop()
        result["serve_never_built_seconds"] = server.first_page
        log(f"  serve, never built: first page in {seconds(server.first_page)}")
    built = run_measured(build_py(config, "build"), cwd=root, python_script=True).check()
    result["build_seconds"] = built.wall
    log(f"  build: {seconds(built.wall)} ({built.stdout.strip()})")
    server = Server(config, timeout, page, options)
    result.update(serve_after_build_seconds=server.first_page, serve_own_build_seconds=server.own_build,
                  serve_startup_target=STARTUP_TARGETS.get(n))
    log(f"  serve, after build: first page in {seconds(server.first_page)}, its own build ready after "
        f"{seconds(server.own_build)}")
    hugo = hugo_startup(root, config, content, timeout)
    result["hugo_server_seconds"] = hugo
    if hugo is not None:
        log(f"  hugo server: first page in {seconds(hugo)}")
    return result, server


def measure(n: int, edits: int, warmup: int, browser, workdir: Path, seed: int, timeout: float,
            cold: bool = True, options: tuple[str, ...] = ()) -> dict:
    log(f"== N = {n:,}")
    root = workdir / f"n{n}"
    import_seconds = None
    if (root / "config.yaml").is_file() and (root / "content").is_dir():
        config = root / "config.yaml"  # left by an earlier run with --reuse: already imported
        log(f"  reusing the project in {root}")
    else:
        config = make_project(root, n, seed, log=log)
        imported = run_measured(build_py(config, "import"), cwd=root, python_script=True).check()
        import_seconds = imported.wall
        log(f"  import: {seconds(imported.wall)} ({imported.stdout.strip()})")
    startup, server = measure_startup(n, config, cold, timeout=max(120.0, n * 0.05), options=options)
    if not edits:
        server.stop()
        return {"n": n, "edits": 0, **startup, "import_seconds": import_seconds}
    content = pick_briefing(root)
    url = page_url(server.url, root, content)
    times: list[float] = []
    warm: list[float] = []
    builds: list[float] = []
    to_reload: list[float] = []
    to_dom: list[float] = []
    context = browser.new_context()
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        response = page.goto(url, wait_until="load")
        if response is None or response.status != 200:
            raise RuntimeError(f"{url}: HTTP {response.status if response else '?'}")
        time.sleep(0.5)  # let the page's EventSource connect
        server.drain()
        token = secrets.token_hex(4)
        for i in range(warmup + edits):
            marker = f"bench{token}x{i:03d}"
            wrote_at = time.time()
            start = time.perf_counter()
            with open(content, "a", encoding="utf-8") as fh:
                fh.write(f"\n\nPhrase témoin du banc d'essai : {marker}.\n")
            page.wait_for_function(HAS_MARKER, arg=marker, polling="raf", timeout=timeout * 1000)
            elapsed = time.perf_counter() - start
            (warm if i < warmup else times).append(elapsed)
            # Browser-side milestones of the reloaded document, on the same wall clock as time.time():
            # when its navigation started (the reload event arrived) and when its DOM was parsed.
            origin, interactive = page.evaluate(NAVIGATION)
            navigation = origin / 1000 - wrote_at
            if i >= warmup:
                to_reload.append(navigation)
                to_dom.append((origin + interactive) / 1000 - wrote_at)
            page.wait_for_load_state("load")
            time.sleep(0.3)  # the reloaded page reconnects; the server finishes printing
            built = [float(m.group(4)) for line in server.drain() if (m := SUMMARY.search(line))]
            if i >= warmup:
                builds.extend(built)
            log(f"    edit {i + 1 - warmup:>2}/{edits}{' (warm-up)' if i < warmup else ''}: {seconds(elapsed)}"
                f" (reload started after {seconds(navigation)}"
                f"{'; server build ' + seconds(built[-1]) if built else ''})")
        if errors:
            log(f"  page errors: {errors[:3]}")
    finally:
        context.close()
        server.stop()
    target = target_for(n)
    result = {
        "n": n, "page": url.removeprefix(server.url), "edits": edits, "warmup": warm,
        "seconds": times, "median": median(times), "p95": p95(times), "min": min(times), "max": max(times),
        "target": target, "median_within_target": None if target is None else median(times) < target,
        "p95_within_target": None if target is None else p95(times) < target,
        "reload_start_seconds": to_reload, "reload_start_median": median(to_reload),
        "dom_interactive_seconds": to_dom, "dom_interactive_median": median(to_dom),
        "dom_interactive_p95": p95(to_dom),
        "server_build_seconds": builds, "server_build_median": median(builds),
        "serve_startup_seconds": server.startup, "import_seconds": import_seconds, **startup,
    }
    log(f"  latency: median {seconds(result['median'])}, p95 {seconds(result['p95'])}"
        f" (server build median {seconds(result['server_build_median'])})")
    return result


def launch(playwright):
    if not CHROMIUM.is_file():
        raise SystemExit(f"{CHROMIUM} not found: the latency benchmark needs Debian's Chromium; install it "
                         "with `sh tests/install-chromium.sh` (or set BRIEFINGS_CHROMIUM)")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench latency", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000",
                        help="corpus sizes, comma-separated (default 1000,10000; 100000 takes long)")
    parser.add_argument("--edits", type=int, default=20, help="measured edits per size (default 20; 0: start-up only)")
    parser.add_argument("--no-cold", dest="cold", action="store_false",
                        help="skip the start-up on the archive never built (a whole first build)")
    parser.add_argument("--warmup", type=int, default=1, help="edits made first and not counted (default 1)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for one edit to show")
    parser.add_argument("--reuse", type=Path, metavar="DIR",
                        help="work in DIR and keep it; a project DIR/n<size> already imported is used as it is")
    parser.add_argument("--serve-no-search", action="store_true",
                        help="time `serve --no-search`: without the background build that keeps site/ and the "
                             "preview's search up to date")
    add_run_options(parser, output="latency.json")
    args = parser.parse_args(argv)
    sizes = parse_sizes(args.sizes)
    if args.edits < 0:
        parser.error("--edits must be >= 0")
    use_engine(args.engine)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise SystemExit("the latency benchmark needs Playwright: .venv/bin/pip install -e '.[test]'") from None

    env = environment()
    results: dict = {}
    data = {"benchmark": "latency", "environment": env, "edits": args.edits, "warmup": args.warmup,
            "seed": args.seed, "sizes": sizes, "targets_seconds": {str(k): v for k, v in TARGETS.items()},
            "results": results}
    folder = nullcontext(args.reuse.resolve()) if args.reuse else Workdir(args.workdir, args.keep)
    with folder as workdir, sync_playwright() as playwright:
        browser = launch(playwright)
        data["environment"]["chromium"] = browser.version
        try:
            for n in sizes:
                results[str(n)] = measure(n, args.edits, args.warmup, browser, workdir, args.seed, args.timeout,
                                          args.cold, ("--no-search",) if args.serve_no_search else ())
                write_json(args.output, data)
        finally:
            browser.close()
    data["load_at_end"] = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    path = write_json(args.output, data)

    print(f"briefings engine, commit {env['commit']}{' + local changes' if env['engine_dirty'] else ''}, "
          f"Python {env['python']}, {env['cpus']} CPUs\n")
    note = load_note(env["load_average"])
    if note:
        print(note + "\n")
    print_startup(sizes, results)
    if args.edits:
        print_latency(sizes, results, args.edits, args.warmup, data["environment"]["chromium"])
    print(f"\nJSON: {path}")
    return 0


def print_startup(sizes: list[int], results: dict) -> None:
    header = ["N", "serve after build: first page", "target", "its own build ready", "hugo server",
              "serve / hugo", "serve never built", "build", "never built − build"]
    rows = []
    for n in sizes:
        r = results[str(n)]
        warm, hugo, cold, built = (r["serve_after_build_seconds"], r["hugo_server_seconds"],
                                   r.get("serve_never_built_seconds"), r["build_seconds"])
        target = r["serve_startup_target"]
        rows.append([f"{n:,}", seconds(warm),
                     "—" if target is None else f"≤ {seconds(target)}: {'met' if warm <= target else 'missed'}",
                     seconds(r["serve_own_build_seconds"]), "—" if hugo is None else seconds(hugo),
                     "—" if hugo is None else f"{warm / hugo:.2f}×", "—" if cold is None else seconds(cold),
                     seconds(built), "—" if cold is None else f"{cold - built:+.2f} s"])
    print("## Preview start-up (process start → a briefing page answered 200)\n")
    print(markdown_table(header, rows))
    print("\nserve after build: `build.py build`, then `build.py serve`, as `make preview` runs them; its own build "
          "ready: when the preview's first build (seeded from site/ and .cache/) replaced the site/ served meanwhile. "
          "serve never built: `build.py serve` right after `build.py import` (target: build + 0.5 s at most).\n")


def print_latency(sizes: list[int], results: dict, edits: int, warmup: int, chromium: str) -> None:
    header = ["N", "median", "p95", "min", "max", "target", "reload starts (median)", "DOM parsed (median / p95)",
              "server build (median)"]
    rows = []
    for n in sizes:
        r = results[str(n)]
        target = "—" if r["target"] is None else \
            f"< {seconds(r['target'])}: {'met' if r['median_within_target'] else 'missed'} (median), " \
            f"{'met' if r['p95_within_target'] else 'missed'} (p95)"
        dom = f"{seconds(r['dom_interactive_median'])} / {seconds(r['dom_interactive_p95'])}"
        rows.append([f"{n:,}", seconds(r["median"]), seconds(r["p95"]), seconds(r["min"]), seconds(r["max"]),
                     target, seconds(r["reload_start_median"]), dom, seconds(r["server_build_median"])])
    print(f"## Live-reload latency (file write → marker in the DOM; {edits} edits after "
          f"{warmup} warm-up, Chromium {chromium})\n")
    print(markdown_table(header, rows))
    print("\nmedian/p95: from the file write until wait_for_function sees the marker in document.body.innerText. "
          "Breakdown, browser clock: reload starts = write → the reloaded page's navigation start (watcher, "
          "debounce, build, reload event); DOM parsed = write → its domInteractive. server build: what `serve` "
          "printed for the rebuild.")


if __name__ == "__main__":
    sys.exit(main())
