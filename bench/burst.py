"""Simultaneous requests to the preview: `python -m bench burst [--levels 20,50,200] [--rounds 5]`.

A throwaway project (the repository's config.yaml, `--briefings` seeds from
bench.corpus, imported once), then `build.py serve --port 0` as its own
process, as a user runs it. For each level C, `--rounds` times: C client
threads wait on a barrier, then each opens its own connection (as a browser
tab does for a page and its assets), sends one GET for a page of the site
(the index, briefing pages and the stylesheet, in turn) and reads the answer
to its end. The time of a request runs from just before its connect to its
last byte; a request not answered within `--timeout` seconds, refused or
reset counts as failed. The server's thread count is sampled from
/proc/PID/status during the bursts (Linux only).

Results: p50, p99 and max per level over every round's requests (Markdown on
stdout, JSON in bench/results/burst.json).
"""
from __future__ import annotations

import argparse
import http.client
import itertools
import os
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

if __package__ in (None, ""):  # run as `python bench/burst.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    Workdir,
    add_run_options,
    build_py,
    content_files,
    environment,
    load_note,
    make_project,
    markdown_table,
    median,
    percentile,
    run_measured,
    seconds,
    use_engine,
    write_json,
)
from bench.latency import Server, log, page_url

STYLESHEET = "static/style.css"


def site_paths(server_url: str, root: Path, count: int = 50) -> list[str]:
    """The paths requested, in turn: the index, the stylesheet and up to `count` briefing pages."""
    base = urlsplit(server_url).path
    pages = [urlsplit(page_url(server_url, root, path)).path for path in content_files(root)[:count]]
    return [base, base + STYLESHEET, *pages]


def fetch(host: str, port: int, path: str, timeout: float) -> tuple[float, str]:
    """One request on a connection of its own: (seconds to the last byte, "200" or what went wrong)."""
    start = time.perf_counter()
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        outcome = str(response.status)
    except (OSError, http.client.HTTPException) as exc:
        outcome = type(exc).__name__
    finally:
        connection.close()
    return time.perf_counter() - start, outcome


def burst(host: str, port: int, paths: list[str], clients: int, timeout: float) -> list[tuple[float, str]]:
    """`clients` requests released at once by a barrier; their times and outcomes."""
    barrier = threading.Barrier(clients)
    results: list[tuple[float, str]] = [(0.0, "not run")] * clients
    picks = itertools.cycle(paths)
    order = [next(picks) for _ in range(clients)]

    def client(i: int) -> None:
        barrier.wait()
        results[i] = fetch(host, port, order[i], timeout)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout + 5)
    return results


class ThreadSampler:
    """The most threads the server process had while sampling (None where /proc is missing)."""

    def __init__(self, pid: int):
        self.status = Path(f"/proc/{pid}/status")
        self.peak: int | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.005):
            try:
                text = self.status.read_text()
            except OSError:
                return
            count = int(next(line.split()[1] for line in text.splitlines() if line.startswith("Threads:")))
            self.peak = max(self.peak or 0, count)

    def __enter__(self) -> ThreadSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def measure(level: int, rounds: int, server: Server, paths: list[str], timeout: float) -> dict:
    url = urlsplit(server.url)
    times: list[float] = []
    failures: dict[str, int] = {}
    with ThreadSampler(server.proc.pid) as sampler:
        for number in range(rounds):
            results = burst(url.hostname, url.port, paths, level, timeout)
            for elapsed, outcome in results:
                if outcome == "200":
                    times.append(elapsed)
                else:
                    failures[outcome] = failures.get(outcome, 0) + 1
            log(f"  {level} at once, round {number + 1}/{rounds}: slowest {seconds(max(r[0] for r in results))}"
                f"{'' if all(r[1] == '200' for r in results) else ', some failed'}")
            time.sleep(0.2)  # the server's last connections close before the next burst
    return {"clients": level, "rounds": rounds, "requests": level * rounds, "answered": len(times),
            "failures": failures, "seconds": times, "p50": median(times), "p99": percentile(times, 0.99),
            "max": max(times, default=float("nan")), "server_threads_peak": sampler.peak}


def parse_levels(text: str) -> list[int]:
    levels = [int(part) for part in text.split(",") if part.strip()]
    if not levels or any(level < 1 for level in levels):
        raise SystemExit(f"bad --levels {text!r}: give e.g. 20,50,200")
    return levels


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench burst", description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", default="20,50,200", help="simultaneous requests, comma-separated "
                                                              "(default 20,50,200)")
    parser.add_argument("--rounds", type=int, default=5, help="bursts per level (default 5)")
    parser.add_argument("--briefings", type=int, default=200, help="corpus size (default 200)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds before a request counts as failed")
    add_run_options(parser, output="burst.json")
    args = parser.parse_args(argv)
    levels = parse_levels(args.levels)
    if args.rounds < 1:
        parser.error("--rounds must be >= 1")
    use_engine(args.engine)

    env = environment()
    results: dict = {}
    data = {"benchmark": "burst", "environment": env, "rounds": args.rounds, "briefings": args.briefings,
            "seed": args.seed, "levels": levels, "results": results}
    with Workdir(args.workdir, args.keep) as workdir:
        config = make_project(workdir / "project", args.briefings, args.seed, log=log)
        run_measured(build_py(config, "import"), cwd=config.parent, python_script=True).check()
        server = Server(config, startup_timeout=120.0)
        log(f"serve: {server.url} ready in {seconds(server.startup)}")
        try:
            paths = site_paths(server.url, config.parent)
            for level in levels:
                results[str(level)] = measure(level, args.rounds, server, paths, args.timeout)
        finally:
            server.stop()
    data["load_at_end"] = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    path = write_json(args.output, data)

    header = ["at once", "requests", "answered", "failed", "p50", "p99", "max", "server threads (peak)"]
    rows = []
    for level in levels:
        r = results[str(level)]
        failed = ", ".join(f"{count} {kind}" for kind, count in sorted(r["failures"].items())) or "0"
        rows.append([str(level), str(r["requests"]), str(r["answered"]), failed, seconds(r["p50"]),
                     seconds(r["p99"]), seconds(r["max"]), str(r["server_threads_peak"] or "—")])
    print(f"## Simultaneous requests to `build.py serve` ({args.rounds} rounds per level, "
          f"{args.briefings} briefings)\n")
    print(f"briefings engine, commit {env['commit']}{' + local changes' if env['engine_dirty'] else ''}, "
          f"Python {env['python']}, {env['cpus']} CPUs\n")
    note = load_note(env["load_average"])
    if note:
        print(note + "\n")
    print(markdown_table(header, rows))
    print("\nEach request: its own connection, one GET, read to the end; timed from before the connect to the "
          "last byte. p50/p99/max over all rounds' answered requests.")
    print(f"\nJSON: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
