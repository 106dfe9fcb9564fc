"""`python -m bench import [--sizes 10000] [--runs 3] [--against DIR]`: `build.py import` alone.

Import is what language detection, transliteration and the topic rules cost; the
build benchmark times it once per size among minutes of builds. This one imports
the same synthetic corpus `runs` times into a fresh content/ each time, and with
`--against DIR` (another checkout, e.g. `git worktree add /tmp/base main`) alternates
the two engines run by run, so a busy machine slows both alike.
"""
from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from bench.common import (
    PYTHON,
    Workdir,
    make_project,
    markdown_table,
    median,
    parse_sizes,
    run_measured,
    seconds,
    settle_disk,
    use_engine,
)


def import_once(engine: Path, config: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one `build.py import` of the project into an empty content/."""
    shutil.rmtree(config.parent / "content", ignore_errors=True)
    settle_disk()
    run = run_measured([PYTHON, engine / "build.py", "--config", config, "import"],
                       cwd=config.parent, python_script=True).check()
    return run.wall, run.cpu


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench import", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000", help="corpus sizes, comma-separated (default 10000)")
    parser.add_argument("--runs", type=int, default=3, help="imports per engine and size (default 3)")
    parser.add_argument("--against", type=Path, help="another checkout to time alternately with this one")
    parser.add_argument("--workdir", type=Path, help="where to make the temporary projects")
    args = parser.parse_args(argv)
    engines = {"this checkout": use_engine(None)}
    if args.against:
        engines[f"{args.against}"] = args.against.resolve()
        use_engine(args.against)  # byte-compiles it, as an install would
    rows = []
    with Workdir(args.workdir) as workdir:
        for n in parse_sizes(args.sizes):
            config = make_project(workdir / f"n{n}", n)
            times: dict[str, list[tuple[float, float]]] = {name: [] for name in engines}
            for run in range(args.runs):
                for name, engine in engines.items():
                    times[name].append(import_once(engine, config))
                    print(f"  N={n:,} run {run + 1}: {name}: {seconds(times[name][-1][0])}", flush=True)
            for name, measured in times.items():
                rows.append([f"{n:,}", name, seconds(median([w for w, _ in measured])),
                             seconds(median([c for _, c in measured])),
                             ", ".join(seconds(w) for w, _ in measured)])
    print(markdown_table(["seeds", "engine", "wall (median)", "cpu (median)", "every run"], rows))
    return 0
