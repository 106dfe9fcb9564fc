"""Shared pieces of the benchmarks: throwaway projects, measured subprocesses, stats, tables.

Every measurement runs a fresh process, as a user would run `build.py`, and is
wrapped so its own CPU time and peak RSS are known: with GNU time (`/usr/bin/time
-v -o FILE`) when it is installed, else Python commands run under `bench/_rusage.py`
(runpy in-process, `getrusage(RUSAGE_SELF)` at exit) and other programs are
waited for with `os.wait4`, which returns the rusage of that one child.
"""
from __future__ import annotations

import datetime
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.corpus import write_seeds

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
ENGINE = REPO  # the checkout whose build.py is measured; `--engine DIR` changes it
PROJECT_CONFIG = REPO / "config.yaml"
RESULTS = BENCH / "results"
RUSAGE_WRAPPER = BENCH / "_rusage.py"
PYTHON = sys.executable

SUMMARY = re.compile(r"([\d,]+) briefings → ([\d,]+) pages(?: \(([\d,]+) rendered\))? in ([\d.]+) s")


def _gnu_time() -> str | None:
    """Path of GNU time when it supports `-v -o` (Debian package `time`), else None.

    BENCH_NO_GNU_TIME=1 forces the fallback (the wrapper / os.wait4)."""
    if os.environ.get("BENCH_NO_GNU_TIME"):
        return None
    for candidate in ("/usr/bin/time", shutil.which("gtime")):
        if not candidate or not os.access(candidate, os.X_OK):
            continue
        try:
            with tempfile.NamedTemporaryFile() as out:
                done = subprocess.run([candidate, "-v", "-o", out.name, "true"], capture_output=True)
                if done.returncode == 0 and b"Maximum resident set size" in Path(out.name).read_bytes():
                    return candidate
        except OSError:
            continue
    return None


GNU_TIME = _gnu_time()


@dataclass
class Run:
    """One measured process."""

    argv: list[str]
    wall: float
    cpu: float
    max_rss_kb: int
    returncode: int
    stdout: str
    stderr: str

    def check(self) -> Run:
        if self.returncode != 0:
            raise RuntimeError(f"{' '.join(self.argv)} exited {self.returncode}\n"
                               f"--- stdout\n{self.stdout[-3000:]}\n--- stderr\n{self.stderr[-3000:]}")
        return self


def measure_method() -> str:
    return f"GNU time -v ({GNU_TIME})" if GNU_TIME else "bench/_rusage.py (runpy, RUSAGE_SELF) / os.wait4"


def run_measured(argv: Sequence[str], cwd: Path, python_script: bool = False,
                 env: dict | None = None, timeout: float | None = None) -> Run:
    """Run argv in a fresh process; wall time, CPU time (user+sys) and peak RSS of that process.

    `python_script`: argv is [python, script, args...], which the fallback wrapper
    can run in-process.
    """
    argv = [str(a) for a in argv]
    with tempfile.TemporaryDirectory(prefix="bench-rusage-") as scratch:
        report = Path(scratch) / "rusage.txt"
        if GNU_TIME:
            full = [GNU_TIME, "-v", "-o", str(report), *argv]
        elif python_script:
            full = [argv[0], str(RUSAGE_WRAPPER), str(report), *argv[1:]]
        else:
            full = argv
        start = time.perf_counter()
        proc = subprocess.Popen(full, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if GNU_TIME or python_script:
            out, err = proc.communicate(timeout=timeout)
            wall = time.perf_counter() - start
            cpu, rss = _read_report(report, gnu=bool(GNU_TIME))
            code = proc.returncode
        else:  # os.wait4: the rusage of exactly this child
            out, err = _drain(proc)
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
            proc.returncode = code = os.waitstatus_to_exitcode(status)
            cpu, rss = usage.ru_utime + usage.ru_stime, usage.ru_maxrss
    return Run(argv, wall, cpu, rss, code, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))


def _drain(proc: subprocess.Popen) -> tuple[bytes, bytes]:
    """Read both pipes to EOF without reaping the child (so os.wait4 still can)."""
    import threading
    chunks: dict[str, bytes] = {}

    def read(name: str, stream) -> None:
        chunks[name] = stream.read()
        stream.close()

    threads = [threading.Thread(target=read, args=(n, s)) for n, s in (("out", proc.stdout), ("err", proc.stderr))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return chunks["out"], chunks["err"]


def _read_report(report: Path, gnu: bool) -> tuple[float, int]:
    """(user+sys seconds, max RSS kB) from GNU time's -v report or the wrapper's JSON."""
    text = report.read_text() if report.exists() else ""
    if not gnu:
        data = json.loads(text) if text else {"cpu": math.nan, "max_rss_kb": 0}
        return data["cpu"], data["max_rss_kb"]
    values = {}
    for line in text.splitlines():
        key, _, value = line.strip().rpartition(": ")
        values[key] = value
    cpu = float(values.get("User time (seconds)", "nan")) + float(values.get("System time (seconds)", "nan"))
    return cpu, int(values.get("Maximum resident set size (kbytes)", "0"))


# --- projects ------------------------------------------------------------------------------

def make_project(root: Path, n: int, seed: int = 0, log=print) -> Path:
    """A throwaway project in root: the repository's config.yaml and n synthetic seeds. Returns config.yaml."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT_CONFIG, root / "config.yaml")
    start = time.perf_counter()
    write_seeds(root / "seeds", n, seed)
    log(f"  corpus: {n:,} seeds written in {time.perf_counter() - start:.1f} s → {root / 'seeds'}")
    return root / "config.yaml"


def use_engine(folder: Path | None) -> Path:
    """Measure the build.py (and briefings/ package) of another checkout, e.g. an older commit."""
    global ENGINE
    if folder is not None:
        folder = Path(folder).resolve()
        if not (folder / "build.py").is_file() or not (folder / "briefings").is_dir():
            raise SystemExit(f"--engine {folder}: no build.py and briefings/ there")
        ENGINE = folder
    _compile(ENGINE)
    return ENGINE


def _compile(engine: Path) -> None:
    """Byte-compile the engine once, as installing a package does: where PYTHONDONTWRITEBYTECODE
    is set (this sandbox sets it) Python would otherwise compile every module from source
    in every build process, 60 ms of each rebuild, which no installed tool pays."""
    import compileall
    compileall.compile_dir(engine / "briefings", quiet=1)


def engine_theme() -> Path:
    return ENGINE / "briefings" / "theme" / "templates"


def build_py(config: Path, *args: str) -> list[str]:
    """A build.py command line; build.py puts its own folder first on sys.path, so its engine is used."""
    return [PYTHON, str(ENGINE / "build.py"), "--config", str(config), *args]


def content_files(root: Path) -> list[Path]:
    return sorted((root / "content").rglob("*.md"))


def pick_briefing(root: Path) -> Path:
    """The content file the edit measurements touch: the middle one in path order (stable)."""
    files = content_files(root)
    if not files:
        raise RuntimeError(f"no content files under {root / 'content'}: did the import fail?")
    return files[len(files) // 2]


def tree_size(folder: Path) -> tuple[int, int]:
    """(bytes, files) under folder: `du -sb` when available (apparent size), else a walk."""
    files = sum(len(names) for _, _, names in os.walk(folder))
    du = shutil.which("du")
    if du:
        done = subprocess.run([du, "-sb", str(folder)], capture_output=True, text=True)
        if done.returncode == 0:
            return int(done.stdout.split()[0]), files
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, names in os.walk(folder) for f in names)
    return total, files


def count_pages(folder: Path) -> int:
    """HTML and XML files written (pages and feeds), for generators that do not print a count."""
    return sum(1 for _, _, names in os.walk(folder) for f in names if f.endswith((".html", ".xml")))


TRASH = ".bench-trash"


def set_aside(root: Path, *paths: Path) -> None:
    """Move paths of the generator project at `root` into the trash beside it
    (`<root's folder>/.bench-trash`), deleted with the benchmark's work folder at the end.

    A cold build is timed right after the last one's output is gone. Deleting
    that output (tens of thousands of files) just before would time the file
    system instead: on ext4 without a journal, as on the benchmark machine,
    the kernel skips inodes freed in the last 60 to 360 seconds when it
    allocates new ones, so every file a build creates then costs ~0.5 ms
    more (measured at 10k: 9 to 13 s of system time instead of 2). A user's
    first build does not follow a mass deletion; a rename frees nothing. For the
    same reason no project is deleted before the benchmark ends."""
    trash = root.parent / TRASH
    for path in paths:
        if path.exists() or path.is_symlink():
            trash.mkdir(exist_ok=True)
            path.rename(trash / f"{root.name}-{path.name}-{time.monotonic_ns()}")


def settle_disk() -> None:
    """Write out what earlier steps left in the page cache before the next step is timed.

    Linux writes dirty pages back up to 30 s after they were written, on the
    same two cores: a cold build right after importing 100,000 content files
    took 99 s instead of 76 s while the kernel wrote the import's files out.
    Every generator's every step starts from a settled disk."""
    if hasattr(os, "sync"):
        os.sync()


def remove(*paths: Path) -> None:
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()


# --- numbers and tables --------------------------------------------------------------------

def median(values: Sequence[float]) -> float:
    values = [v for v in values if v == v]
    return statistics.median(values) if values else math.nan


def p95(values: Sequence[float]) -> float:
    """Nearest-rank 95th percentile (the 19th of 20 values)."""
    return percentile(values, 0.95)


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value at least `share` of the values are not above."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else math.nan


def add_run_options(parser, output: str) -> None:
    """The options every benchmark takes: corpus seed, where to work, what to keep, where to
    write the JSON, and which checkout to measure."""
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    parser.add_argument("--workdir", type=Path, help="where to make the temporary projects (default: $TMPDIR)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--output", default=output, help="JSON file name under bench/results/")
    parser.add_argument("--engine", type=Path, help="checkout whose build.py to measure (default: this one)")


def parse_sizes(text: str) -> list[int]:
    sizes = []
    for part in text.replace("_", "").split(","):
        part = part.strip().lower()
        if not part:
            continue
        scale = 1_000 if part.endswith("k") else 1
        sizes.append(int(float(part.rstrip("k")) * scale))
    if not sizes or any(n < 1 for n in sizes):
        raise ValueError(f"bad --sizes {text!r}: give e.g. 1000,10000")
    return sizes


def seconds(value: float) -> str:
    if value != value:
        return "—"
    if value < 1:
        return f"{value * 1000:.0f} ms"
    return f"{value:.2f} s" if value < 100 else f"{value:.0f} s"


def mib(kb: float) -> str:
    return "—" if not kb else f"{kb / 1024:.0f} MiB"


def megabytes(size: float) -> str:
    return "—" if size is None else f"{size / 1e6:.1f} MB"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    align = "| " + " | ".join(("-" * w if i == 0 else "-" * (w - 1) + ":") for i, w in enumerate(widths)) + " |"
    return "\n".join([line(header), align, *(line(r) for r in rows)])


def environment() -> dict:
    """What the numbers depend on: machine, Python, engine commit."""
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ENGINE, capture_output=True, text=True, timeout=10).stdout.strip()
        except OSError:
            return ""
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "engine": str(ENGINE),
        "commit": git("rev-parse", "--short", "HEAD"),
        "engine_dirty": bool(git("status", "--porcelain", "--", "briefings", "build.py")),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "measured_with": measure_method(),
    }


def load_note(start: list | None, advice: str = "") -> str:
    """One line on machine load, which inflates wall times (CPU times much less)."""
    if not start or not hasattr(os, "getloadavg"):
        return ""
    end = os.getloadavg()[0]
    cpus = os.cpu_count() or 1
    line = f"load average (1 min): {start[0]:.1f} at start, {end:.1f} at end, on {cpus} CPUs"
    if max(start[0], end) > 0.75 * cpus:
        line += " — other processes were running: times are inflated" + advice
    return line


def write_json(name: str, data: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / name
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return path


@dataclass
class Workdir:
    """A temporary folder for one benchmark, removed on exit unless kept."""

    base: Path | None = None
    keep: bool = False
    path: Path = field(init=False)

    def __enter__(self) -> Path:
        if self.base:
            self.base.mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(prefix="briefings-bench-", dir=self.base))
        return self.path

    def __exit__(self, *exc) -> None:
        if self.keep:
            print(f"(kept {self.path})")
        else:
            shutil.rmtree(self.path, ignore_errors=True)
