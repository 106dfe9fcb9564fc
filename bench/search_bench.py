"""Search in the browser: `python -m bench search [--sizes 10000] [--runs 3]`.

For each corpus size N, in a throwaway project, `build.py import` then `build.py
build` (search on), then the site is served over loopback HTTP and headless
Chromium opens its search page, which loads the index (pagefind/manifest.json,
the part in the page's language, every other part merged in, the filters), and
submits queries in its box as a reader would: a common word, the same word
again, a rarer word, two words. For each it records the time from the query to
the results shown (count, filters, the first ten results drawn), and the bytes
the browser fetched for it (the server counts them). Then, on a fresh page, the
common word is typed a key at a time, and timed from the last key. Each run is a
new browser context (an empty cache). Also: the index's size on disk and its parts.

Results: a Markdown table on stdout, JSON in bench/results/search.json.
"""
from __future__ import annotations

import argparse
import functools
import http.server
import json
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.common import (
    Workdir,
    add_run_options,
    build_py,
    environment,
    make_project,
    markdown_table,
    median,
    megabytes,
    parse_sizes,
    run_measured,
    tree_size,
    use_engine,
    write_json,
)

QUERIES = ("pyongyang", "pyongyang", "sahel", "corée nord")
"""A common word, the same again (nothing left to fetch), a rarer one, two words."""

READY = "document.getElementById('search').dataset.ready"
"""The search page has loaded its index: manifest, Pagefind, every part merged, the filters."""
QUERY = """async (words) => {
  const box = document.getElementById("search");
  const input = document.getElementById("search-input");
  const done = +(box.dataset.done || 0);
  const t0 = performance.now();
  input.value = words;
  input.form.requestSubmit();
  await new Promise(resolve => (function wait() {
    +(box.dataset.done || 0) > done ? resolve() : requestAnimationFrame(wait);
  })());
  return {ms: performance.now() - t0, hits: box.querySelectorAll(".search-result").length
          && +box.querySelector(".search-count").textContent.replace(/\\D/g, "")};
}"""
"""Type `words` in the search page's box and submit: the time until the page shows the results
(counted, filters counted, the first ten results' data fetched and drawn), as a reader sees it."""
TYPED = """async ([words, delay]) => {
  const box = document.getElementById("search");
  const input = document.getElementById("search-input");
  const done = +(box.dataset.done || 0);
  let last = 0;
  for (const character of words) {
    input.value += character;
    input.dispatchEvent(new Event("input", {bubbles: true}));
    last = performance.now();
    await new Promise(resolve => setTimeout(resolve, delay));
  }
  await new Promise(resolve => (function wait() {
    +(box.dataset.done || 0) > done ? resolve() : requestAnimationFrame(wait);
  })());
  return {ms: performance.now() - last, hits: 0};
}"""
"""Type `words` one key every `delay` ms, with no submit: the time from the last key until the page
shows the results. It holds the page's pause after the last key (DEBOUNCE, 200 ms), and less of
fetching than a submitted query: the page fetches the index chunks while the reader types."""
TYPING_DELAY = 120
"""Milliseconds between two keys: a steady typist."""


class _Counting(http.server.SimpleHTTPRequestHandler):
    """Serves the site and adds up the bytes of every response body."""
    sent = [0]

    def copyfile(self, source, target) -> None:
        data = source.read()
        self.sent[0] += len(data)
        target.write(data)

    def log_message(self, *args) -> None:
        pass


def _serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Counting, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@contextmanager
def _search_page(browser, base: str) -> Iterator[tuple[Any, int]]:
    """The search page in a new browser context (an empty cache), once its index is loaded,
    with the bytes that took."""
    context = browser.new_context()
    try:
        page = context.new_page()
        _Counting.sent[0] = 0
        page.goto(base + "search/")
        page.wait_for_function(READY, timeout=60_000)
        yield page, _Counting.sent[0]
    finally:
        context.close()


def measure(site: Path, runs: int) -> dict:
    from playwright.sync_api import sync_playwright
    server, base = _serve(site)
    parts = len(json.loads((site / "pagefind" / "manifest.json").read_text(encoding="utf-8"))["parts"])
    rows = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
            for _ in range(runs):
                with _search_page(browser, base) as (page, loaded_bytes):
                    loaded = page.evaluate("performance.now()")  # from the page's navigation to the index loaded
                    lanes = int(page.get_attribute("#search", "data-lanes") or 1)
                    row = {"load": {"ms": loaded, "bytes": loaded_bytes}, "parts": parts, "lanes": lanes}
                    for number, words in enumerate(QUERIES):
                        _Counting.sent[0] = 0
                        answer = page.evaluate(QUERY, words)
                        row[f"q{number}"] = {"ms": answer["ms"], "bytes": _Counting.sent[0], "hits": answer["hits"]}
                with _search_page(browser, base) as (page, _):  # typed: a fresh page, nothing fetched yet
                    _Counting.sent[0] = 0
                    typed = page.evaluate(TYPED, [QUERIES[0], TYPING_DELAY])
                    row["typed"] = {"ms": typed["ms"], "bytes": _Counting.sent[0], "hits": 0}
                rows.append(row)
            browser.close()
    finally:
        server.shutdown()
    summary = {"parts": rows[0]["parts"], "lanes": rows[0]["lanes"]}
    for key in ["load", *(f"q{n}" for n in range(len(QUERIES))), "typed"]:
        summary[key] = {field: median([row[key][field] for row in rows]) for field in rows[0][key]}
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench search", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000", help="corpus sizes, comma-separated (default 10000)")
    parser.add_argument("--runs", type=int, default=3, help="browser runs per size (default 3)")
    add_run_options(parser, output="search.json")
    args = parser.parse_args(argv)
    use_engine(args.engine)
    results: dict = {}
    data = {"benchmark": "search", "environment": environment(), "runs": args.runs, "results": results}
    with Workdir(args.workdir, args.keep) as workdir:
        for n in parse_sizes(args.sizes):
            config = make_project(workdir / f"n{n}", n, args.seed, log=lambda *a: print(*a, file=sys.stderr))
            run_measured(build_py(config, "import"), cwd=config.parent, python_script=True).check()
            built = run_measured(build_py(config, "build"), cwd=config.parent, python_script=True).check()
            site = config.parent / "site"
            size, files = tree_size(site / "pagefind")
            results[str(n)] = {"build_seconds": built.wall, "index_bytes": size, "index_files": files,
                               **measure(site, args.runs)}
            print(f"N = {n:,}: {json.dumps(results[str(n)])}", file=sys.stderr)
    path = write_json(args.output, data)
    sizes = list(results)
    rows = [["parts", *(str(results[n]["parts"]) for n in sizes)],
            ["lanes (copies of Pagefind searching side by side)", *(str(results[n]["lanes"]) for n in sizes)],
            ["index on disk", *(f"{megabytes(results[n]['index_bytes'])} ({results[n]['index_files']:,} files)"
                                for n in sizes)],
            ["search page opened to index loaded (manifest, Pagefind, every part, filters)",
             *(f"{results[n]['load']['ms']:.0f} ms, {results[n]['load']['bytes'] / 1024:,.0f} KB" for n in sizes)]]
    for number, words in enumerate(QUERIES):
        label = f"query {number + 1}: {words}" + (" (again)" if words in QUERIES[:number] else "")
        rows.append([label, *(f"{results[n][f'q{number}']['ms']:.0f} ms, "
                              f"{results[n][f'q{number}']['bytes'] / 1024:,.0f} KB, "
                              f"{results[n][f'q{number}']['hits']:,.0f} hits" for n in sizes)])
    rows.append([f"query 1 typed ({TYPING_DELAY} ms a key), from the last key (200 ms pause included)",
                 *(f"{results[n]['typed']['ms']:.0f} ms, {results[n]['typed']['bytes'] / 1024:,.0f} KB"
                   for n in sizes)])
    print(f"## Search in the browser (median of {args.runs} runs, each with an empty cache)\n")
    print(markdown_table(["measurement", *(f"{int(n):,}" for n in sizes)], rows))
    print(f"\nJSON: {path}")
    return 0
