"""Build benchmark: `python -m bench [--sizes 1000,10000] [--runs 3]`.

For each corpus size N, in a throwaway project (the repository's config.yaml
and N seeds from bench.corpus), every measurement is a fresh
`build.py --config <tmp>/config.yaml ...` process:

  import        `build.py import` of the N seeds (once per N)
  cold          `build.py build` with site/ and .cache/ moved aside first (deleted
                with the work folder once every size ran: see common.set_aside)
  no-op         the same build again, nothing changed
  edit          after appending a sentence to one content file's body (the first
                rebuild after a cold build: briefings also fills its spare folder then)
  add           after writing one new content file (the newest briefing)
  edit_again    after appending another sentence: an edit in the middle of a session
  template      after writing a templates/briefing.html override (the theme's, plus a comment)

Every build, and the import, starts once the disk has written out what the
steps before it wrote (common.settle_disk). Each run of the six builds starts
from the same state (the edit, the new file and the override are undone after it). Wall time is the median of the
runs, CPU time (user+sys) the median too, peak RSS the maximum; pages per
second is pages / median cold time. With Pelican or Hugo installed the same
corpus is built by them too (see bench/anchors.py; `--anchors none` skips).

Results: a Markdown table on stdout, JSON in bench/results/build.json.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import yaml

from bench import anchors as anchor_mod
from bench.common import (
    SUMMARY,
    Run,
    Workdir,
    add_run_options,
    build_py,
    engine_theme,
    environment,
    load_note,
    make_project,
    markdown_table,
    median,
    megabytes,
    mib,
    parse_sizes,
    pick_briefing,
    remove,
    run_measured,
    seconds,
    set_aside,
    settle_disk,
    tree_size,
    use_engine,
    write_json,
)

ENGINE, ENGINE_NO_SEARCH = "briefings", "briefings --no-search"
"""The engine's two rows: the default build (with the search index) and the build without it."""
KINDS = ("cold", "noop", "edit", "add", "edit_again", "template")
LABELS = {"import": "import (once)", "cold": "cold build", "noop": "no-op rebuild",
          "edit": "rebuild: edit one briefing (first after cold)", "add": "rebuild: add one briefing",
          "edit_again": "rebuild: edit one briefing (steady)",
          "template": "rebuild: template change"}


def log(*args: object) -> None:
    print(*args, file=sys.stderr, flush=True)


class Engine:
    """This project's engine, driven through build.py like a user would."""

    note = "build.py build in a fresh process; .cache/ kept between rebuilds"

    def __init__(self, root: Path, search: bool = True):
        self.root = root
        self.config = root / "config.yaml"
        # the default build (search on) is what users run; --no-search is what the peers build
        self.build_args = ["build"] if search else ["build", "--no-search"]
        self.name = ENGINE if search else ENGINE_NO_SEARCH

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    def edit_target(self) -> Path:
        return pick_briefing(self.root)

    def new_briefing(self) -> Path:
        return self.root / "content" / "2024" / "12" / "bench-added-briefing.md"

    def new_text(self) -> str:
        body = "\n\n".join(["Central bank officials met on Tuesday to discuss growth and inflation."] * 6)
        return ("---\ntitle: A briefing added by the benchmark\ndate: 2024-12-31\ntopics: [economy]\n"
                "lang: en\nsummary: Added to time a rebuild after a new briefing.\n---\n" + body + "\n")

    def clean(self) -> None:
        set_aside(self.root, self.output(), self.root / ".cache")

    def output(self) -> Path:
        return self.root / "site"

    def build(self) -> Run:
        return run_measured(build_py(self.config, *self.build_args), cwd=self.root, python_script=True).check()

    def pages(self, run: Run) -> int:
        found = SUMMARY.search(run.stdout)
        if not found:
            raise RuntimeError(f"no 'N briefings → M pages' in build output:\n{run.stdout}")
        return int(found.group(2).replace(",", ""))

    @staticmethod
    def rendered(run: Run) -> int | None:
        found = SUMMARY.search(run.stdout)
        if not found:
            return None
        return int((found.group(3) or found.group(2)).replace(",", ""))

    def template_override(self) -> tuple[Path, str]:
        text = (engine_theme() / "briefing.html").read_text(encoding="utf-8")
        text = text.replace("{% block content %}", "{% block content %}\n<!-- bench: template change -->", 1)
        return self.root / "templates" / "briefing.html", text

    def remove_template_override(self) -> None:
        remove(self.root / "templates")


def append_sentence(path: Path, sentence: str) -> None:
    """Append a sentence (as its own paragraph) to a content file's body."""
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(f"\n\n{sentence}\n")


def settled_build(target) -> Run:
    """One measured build, started once the disk has written out the steps before it."""
    settle_disk()
    return target.build()


def bench_target(target, runs: int, edit_target: Path) -> dict:
    """The six builds, `runs` times; raw numbers per kind plus pages and site size."""
    raw: dict[str, list[Run]] = {k: [] for k in KINDS}
    pages = files = size = index = None
    for r in range(runs):
        original = edit_target.read_bytes()
        added = target.new_briefing()
        try:
            target.clean()
            raw["cold"].append(settled_build(target))
            pages = target.pages(raw["cold"][-1])
            size, files = tree_size(target.output())
            index = tree_size(target.output() / "pagefind") if (target.output() / "pagefind").is_dir() else None
            raw["noop"].append(settled_build(target))
            append_sentence(edit_target, f"Cette phrase a été ajoutée par le banc d'essai (passe {r + 1}).")
            raw["edit"].append(settled_build(target))
            added.parent.mkdir(parents=True, exist_ok=True)
            added.write_text(target.new_text(), encoding="utf-8")
            raw["add"].append(settled_build(target))
            append_sentence(edit_target, f"Et une autre phrase, comme au fil d'une séance d'édition ({r + 1}).")
            raw["edit_again"].append(settled_build(target))
            override, text = target.template_override()
            override.parent.mkdir(parents=True, exist_ok=True)
            override.write_text(text, encoding="utf-8")
            raw["template"].append(settled_build(target))
        finally:
            edit_target.write_bytes(original)
            remove(added)
            target.remove_template_override()
        log(f"    run {r + 1}/{runs}: " + ", ".join(f"{k} {seconds(raw[k][-1].wall)}" for k in KINDS))
    result = {kind: summarize(runs_) for kind, runs_ in raw.items()}
    if isinstance(target, Engine):
        for kind in KINDS:
            result[kind]["rendered"] = [target.rendered(run) for run in raw[kind]]
    cold = result["cold"]["wall_median"]
    result.update(pages=pages, pages_per_second=pages / cold if pages and cold else None,
                  site_bytes=size, site_files=files, index_bytes=index[0] if index else None,
                  index_files=index[1] if index else None,
                  max_rss_kb=max(result[k]["max_rss_kb"] for k in KINDS))
    return result


def summarize(runs: list[Run]) -> dict:
    walls = [r.wall for r in runs]
    cpus = [r.cpu for r in runs]
    return {"wall": walls, "cpu": cpus, "wall_median": median(walls), "cpu_median": median(cpus),
            "max_rss_kb": max(r.max_rss_kb for r in runs)}


def bench_size(n: int, runs: int, workdir: Path, anchors: list[str], seed: int,
               no_search_row: bool = True) -> dict:
    root = workdir / f"n{n}"
    log(f"== N = {n:,}")
    config = make_project(root / "briefings", n, seed, log=log)
    engine = Engine(config.parent)
    settle_disk()
    imported = run_measured(build_py(config, "import"), cwd=engine.root, python_script=True).check()
    log(f"  import: {seconds(imported.wall)} ({imported.stdout.strip()})")
    result: dict = {"briefings": {"import": summarize([imported]), "import_output": imported.stdout.strip()}}
    edit = engine.edit_target()
    log(f"  briefings: {runs} run(s), editing {edit.relative_to(engine.root)}")
    result["briefings"].update(bench_target(engine, runs, edit))
    if no_search_row:
        log(f"  briefings --no-search: {runs} run(s)")
        result[ENGINE_NO_SEARCH] = bench_target(Engine(config.parent, search=False), runs, edit)
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    for name in anchors:
        cls = anchor_mod.ANCHORS[name]
        start = time.perf_counter()
        anchor = cls(root / name, settings)
        anchor.convert(engine.content_dir)
        log(f"  {name}: corpus converted in {time.perf_counter() - start:.1f} s; {runs} run(s)")
        try:
            result[name] = bench_target(anchor, runs, anchor.mapping[edit])
        except RuntimeError as exc:
            log(f"  {name}: failed, left out: {str(exc)[:2000]}")
            result[name] = {"error": str(exc)[:4000]}
    # nothing is deleted until every size ran (Workdir): see common.set_aside
    return result


def cell(entry: dict) -> str:
    return f"{seconds(entry['wall_median'])} (cpu {seconds(entry['cpu_median'])})"


RESULT_NOTE = "the JSON file"


def table(results: dict, name: str, sizes: list[int]) -> str:
    failed = [n for n in sizes if "error" in results[str(n)].get(name, {})]
    sizes = [n for n in sizes if name in results[str(n)] and n not in failed]
    if not sizes:
        return f"({name}: failed; see the log and {RESULT_NOTE})" if failed else f"({name}: not run)"
    header = ["measurement", *(f"{n:,}" for n in sizes)]
    per = [results[str(n)][name] for n in sizes]
    rows = []
    if name == "briefings":
        rows.append([LABELS["import"], *(cell(p["import"]) for p in per)])
    rows += [[LABELS[k], *(cell(p[k]) for p in per)] for k in KINDS]
    if name.startswith(ENGINE):
        rows.append(["pages rendered (edit / add / edit again / template)",
                     *(" / ".join(f"{median([x for x in p[k]['rendered'] if x is not None]):,.0f}"
                                  for k in ("edit", "add", "edit_again", "template")) for p in per)])
    rows.append(["pages" if name.startswith(ENGINE) else "pages (html+xml files)", *(f"{p['pages']:,}" for p in per)])
    rows.append(["pages/s (cold)", *(f"{p['pages_per_second']:,.0f}" for p in per)])
    if name == "briefings":
        rows.append(["peak RSS: import", *(mib(p["import"]["max_rss_kb"]) for p in per)])
    rows.append(["peak RSS: cold build", *(mib(p["cold"]["max_rss_kb"]) for p in per)])
    rows.append(["peak RSS: rebuilds (max)",
                 *(mib(max(p[k]["max_rss_kb"] for k in KINDS[1:])) for p in per)])
    rows.append(["site size", *(f"{megabytes(p['site_bytes'])} ({p['site_files']:,} files)" for p in per)])
    if name == ENGINE and all(p.get("index_bytes") for p in per):
        rows.append(["of which the search index", *(f"{megabytes(p['index_bytes'])} ({p['index_files']:,} files)"
                                                     for p in per)])
    return markdown_table(header, rows)


def side_by_side(results: dict, names: list[str], sizes: list[int]) -> str:
    """Wall-time medians of every generator, one column per (N, generator)."""
    columns = [(n, name) for n in sizes for name in names
               if "error" not in results[str(n)].get(name, {"error": 1})]
    header = ["measurement", *(f"{name} {n:,}" for n, name in columns)]
    rows = [[LABELS[k], *(seconds(results[str(n)][name][k]["wall_median"]) for n, name in columns)] for k in KINDS]
    rows.append(["pages", *(f"{results[str(n)][name]['pages']:,}" for n, name in columns)])
    rows.append(["pages/s (cold)", *(f"{results[str(n)][name]['pages_per_second']:,.0f}" for n, name in columns)])
    rows.append(["peak RSS (max)", *(mib(results[str(n)][name]["max_rss_kb"]) for n, name in columns)])
    rows.append(["site size", *(megabytes(results[str(n)][name]["site_bytes"]) for n, name in columns)])
    return markdown_table(header, rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0],
                                     epilog="`python -m bench latency --help` for the live-reload benchmark.")
    parser.add_argument("--sizes", default="1000,10000", help="corpus sizes, comma-separated (default 1000,10000; "
                        "add 100000 for the big one)")
    parser.add_argument("--no-search-row", action=argparse.BooleanOptionalAction, default=True,
                        help="also time `build --no-search` (the default build, with search, is always timed)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each build measurement (default 3)")
    parser.add_argument("--anchors", default="auto",
                        help="other generators to build the same corpus with: auto (those installed), "
                             "none, or a list such as pelican,hugo")
    parser.add_argument("--anchors-up-to", type=int, default=10_000, metavar="N",
                        help="build the anchors only for sizes up to N (default 10000: Pelican needs minutes "
                             "per build at 100,000)")
    add_run_options(parser, output="build.json")
    args = parser.parse_args(argv)
    use_engine(args.engine)
    sizes = parse_sizes(args.sizes)
    if args.runs < 1:
        parser.error("--runs must be >= 1")

    anchors, notes = [], []
    wanted = list(anchor_mod.ANCHORS) if args.anchors == "auto" else \
        [] if args.anchors == "none" else [a.strip() for a in args.anchors.split(",") if a.strip()]
    for name in wanted:
        if name not in anchor_mod.ANCHORS:
            parser.error(f"unknown anchor {name!r}; known: {', '.join(anchor_mod.ANCHORS)}")
        missing = anchor_mod.ANCHORS[name].available()
        if missing:
            notes.append(f"{name}: skipped, {missing}")
        else:
            anchors.append(name)

    env = environment()
    log(f"build benchmark: sizes {sizes}, {args.runs} run(s); measured with {env['measured_with']}")
    for note in notes:
        log(f"  note: {note}")
    results: dict = {}
    data = {"benchmark": "build", "environment": env, "runs": args.runs, "seed": args.seed, "sizes": sizes,
            "generators": {"briefings": Engine.note,
                           **{a: f"{anchor_mod.ANCHORS[a].version()}: {anchor_mod.ANCHORS[a].note}" for a in anchors}},
            "skipped": notes, "results": results}
    started = time.perf_counter()
    with Workdir(args.workdir, args.keep) as workdir:
        for n in sizes:
            results[str(n)] = bench_size(n, args.runs, workdir, anchors if n <= args.anchors_up_to else [],
                                         args.seed, args.no_search_row)
            write_json(args.output, data)  # a long run keeps what it has so far
    data["total_seconds"] = time.perf_counter() - started
    data["load_at_end"] = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    path = write_json(args.output, data)

    print(f"## Build benchmark ({args.runs} run(s); wall time median, CPU = user+sys median)\n")
    print(f"briefings engine, commit {env['commit']}{' + local changes' if env['engine_dirty'] else ''}, "
          f"Python {env['python']}, {env['cpus']} CPUs\n")
    note = load_note(env["load_average"], " (wall more than CPU: compare CPU times)")
    if note:
        print(note + "\n")
    print(table(results, ENGINE, sizes))
    if args.no_search_row:
        print(f"\n### briefings, build --no-search\n\n{table(results, ENGINE_NO_SEARCH, sizes)}")
    for name in anchors:
        print(f"\n### {anchor_mod.ANCHORS[name].version()}\n\n{anchor_mod.ANCHORS[name].note}.\n")
        print(table(results, name, sizes))
    if anchors and any(a in results[str(n)] for a in anchors for n in sizes):
        print("\n### Side by side (wall time medians)\n")
        print(side_by_side(results, [ENGINE, *([ENGINE_NO_SEARCH] if args.no_search_row else []), *anchors], sizes))
    for note in notes:
        print(f"\nnote: {note}")
    print(f"\nJSON: {path}")
    return 0
