"""The floor: `python -m bench floor [--sizes 10000] [--runs 3]`.

How long the least a Python generator can do takes, on this machine, for the
same corpus: for each content file, read it, parse its YAML front matter
(PyYAML's C loader), render its Markdown with markdown-it-py and one small
Jinja2 template, and write the page. No topics, archives, feeds, links or
checks. Run in one process, then split over every core (forked processes,
each taking every n-th file), as the engine renders.

It says how far the engine's cold build is from what its libraries cost
at the least, and what "faster than Hugo" can mean for a Python engine here.
Results: a Markdown table on stdout, JSON in bench/results/floor.json.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/floor.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    Workdir,
    add_run_options,
    build_py,
    content_files,
    environment,
    make_project,
    markdown_table,
    median,
    parse_sizes,
    run_measured,
    seconds,
    use_engine,
    write_json,
)

PAGE = """<!DOCTYPE html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><article><h1>{{ title }}</h1><time>{{ date }}</time>
{{ body }}
</article></body></html>
"""


def log(*args: object) -> None:
    print(*args, file=sys.stderr, flush=True)


def render_files(files: list[Path], out: Path) -> int:
    """The floor loop over `files`, writing one page each into `out`. Returns pages written."""
    import jinja2
    import yaml
    from markdown_it import MarkdownIt
    from markupsafe import Markup
    markdown = MarkdownIt("commonmark", {"html": False})
    template = jinja2.Environment(autoescape=True).from_string(PAGE)
    for number, path in enumerate(files):
        _, header, body = path.read_text(encoding="utf-8").split("---\n", 2)
        meta = yaml.load(header, Loader=yaml.CSafeLoader)
        page = template.render(title=meta["title"], date=meta["date"], lang=meta.get("lang", "fr"),
                               body=Markup(markdown.render(body)))
        (out / f"{os.getpid()}-{number}.html").write_text(page, encoding="utf-8")
    return len(files)


def _slice(args: tuple[list[Path], Path, int, int]) -> int:
    files, out, index, count = args
    return render_files(files[index::count], out)


def timed(files: list[Path], processes: int, workdir: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of the floor loop over `files` on `processes` processes."""
    out = Path(tempfile.mkdtemp(prefix="floor-", dir=workdir))
    before = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    if processes == 1:
        render_files(files, out)
    else:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            pool.map(_slice, [(files, out, index, processes) for index in range(processes)])
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = sum(b.ru_utime + b.ru_stime - a.ru_utime - a.ru_stime for a, b in zip(before, after, strict=True))
    return wall, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench floor", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000", help="corpus sizes, comma-separated (default 10000)")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement; the median is shown (default 3)")
    add_run_options(parser, "floor.json")
    args = parser.parse_args(argv)
    use_engine(args.engine)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    results, rows = [], []
    with Workdir(args.workdir, args.keep) as workdir:
        for n in parse_sizes(args.sizes):
            log(f"N = {n:,}")
            root = workdir / f"n{n}"
            config = make_project(root, n, args.seed, log=log)
            run_measured(build_py(config, "import"), cwd=root, python_script=True)
            files = content_files(root)
            for processes in sorted({1, cores}):
                runs = [timed(files, processes, workdir) for _ in range(args.runs)]
                wall, cpu = median([r[0] for r in runs]), median([r[1] for r in runs])
                log(f"  {processes} process(es): {seconds(wall)} (CPU {seconds(cpu)})")
                results.append({"n": n, "processes": processes, "wall": wall, "cpu": cpu, "runs": runs})
                rows.append([f"{n:,}", str(processes), seconds(wall), seconds(cpu), f"{n / wall:,.0f}"])
    print(markdown_table(["briefings", "processes", "wall (median)", "CPU", "pages/s"], rows))
    path = write_json(args.output, {"environment": environment(), "results": results})
    log(f"JSON: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
