"""Long builds show a progress line on a terminal; logs and CI get one summary line."""
from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

from briefings.progress import QUIET_SECONDS, ProgressLine
from helpers import REPO, create_project, run_build_py

SUMMARY = re.compile(r"^build: [\d,]+ briefings → [\d,]+ pages( \([\d,]+ rendered\))? in [\d.]+ s → ", re.M)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_line_counts_pages_and_rate(monkeypatch) -> None:
    clock = [100.0]
    monkeypatch.setattr("briefings.progress.time.monotonic", lambda: clock[0])
    out = Terminal()
    line = ProgressLine(out)
    line(10, 1000)  # within the quiet time: nothing shown
    assert out.getvalue() == ""
    clock[0] += QUIET_SECONDS + 1.5
    line(510, 1000)
    assert out.getvalue().endswith("\r" + "rendering " + "█" * 12 + "·" * 12 + " 510/1,000 pages · 250 pages/s\x1b[K")
    line.finish()
    assert out.getvalue().endswith("\r\x1b[K")


def test_a_large_build_on_a_terminal_shows_progress_then_the_summary(tmp_path: Path) -> None:
    config = create_project(tmp_path / "p")
    sys.path.insert(0, str(REPO))
    from bench.corpus import write_seeds
    write_seeds(config.parent / "seeds", 700)
    assert run_build_py(config, "import").code == 0
    main, child = pty.openpty()
    process = subprocess.Popen([sys.executable, str(REPO / "build.py"), "--config", str(config), "build",
                                "--no-search"], stdin=child, stdout=child, stderr=child, cwd=tmp_path)
    os.close(child)
    output = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    assert process.wait(timeout=120) == 0
    text = output.decode("utf-8").replace("\r\n", "\n")
    frames = re.findall(r"\rrendering [█·]{24} ([\d,]+)/([\d,]+) pages", text)
    assert frames, text[-2000:]
    counts = [int(done.replace(",", "")) for done, _ in frames]
    assert counts == sorted(counts) and 0 < counts[-1] <= int(frames[-1][1].replace(",", ""))
    assert "\r\x1b[K" + "build: 700 briefings" in text  # the line is erased before the summary
    assert SUMMARY.search(text.split("\r\x1b[K")[-1])


def test_without_a_terminal_only_the_summary_line(tmp_path: Path) -> None:
    config = create_project(tmp_path / "p", real_seed=True)
    assert run_build_py(config, "import").code == 0
    run = run_build_py(config, "build", "--no-search")
    assert run.code == 0
    assert "\r" not in run.output and "\x1b" not in run.output
    assert SUMMARY.search(run.stdout)
    assert len(run.stdout.strip().splitlines()) == 1
