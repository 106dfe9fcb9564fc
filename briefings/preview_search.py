"""The preview's search: the index of the project's own site/, kept up to date in the background.

The preview renders its pages without a search index, so that a rebuild shows an edit as
soon as the pages are written. Its search page queries the index of the project's site/
instead (serve answers /pagefind/ from there), and after each of its builds the preview
runs `build` on the project in a process of its own, at low priority: that brings site/
and its index up to date part by part (see search.py), on the core the preview's rebuild
does not use. The rebuild never waits for it: a build that finds the background one still
running asks for one more run once it is done.

Only a project whose site/ already has a search index gets this: a project built with
--no-search, or never built, keeps its site/ as it is, and its search page says there is
no index, as the built site's would.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from .search import INDEX_DIR, MANIFEST

NICENESS = 10
"""How much lower the background build's CPU priority is than the preview's."""


class SiteRefresher:
    """Runs `build` on the project in the background, one run at a time, after each preview build."""

    def __init__(self, config_file: Path, site_dir: Path) -> None:
        self.config_file, self.site_dir = config_file, site_dir
        self.runs = 0
        """Background builds finished (for tests and the benchmark: they wait on `finished`)."""
        self.failures = 0
        self.finished = threading.Condition()
        self._process: subprocess.Popen[bytes] | None = None
        self._again = False
        self._stopped = False

    def wanted(self) -> bool:
        """The project's site/ has a search index that a build keeps up to date."""
        return (self.site_dir / INDEX_DIR / MANIFEST).is_file()

    def request(self) -> None:
        """Bring site/ up to date now, or once the run under way is done."""
        with self.finished:
            if self._stopped:
                return
            if self._process is not None:
                self._again = True
            elif self.wanted():
                self._start()

    def _start(self) -> None:
        command = [sys.executable, "-m", "briefings", "--config", str(self.config_file), "build"]
        engine = str(Path(__file__).resolve().parent.parent)  # importable even when not installed
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (engine, os.environ.get("PYTHONPATH"))))}
        process = subprocess.Popen(command, cwd=self.config_file.parent, env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        try:
            os.setpriority(os.PRIO_PROCESS, process.pid, NICENESS)
        except OSError:
            pass  # already done: nothing to lower
        self._process = process
        threading.Thread(target=self._wait, args=(process,), name="briefings-site-refresh", daemon=True).start()

    def _wait(self, process: subprocess.Popen[bytes]) -> None:
        _, errors = process.communicate()
        with self.finished:
            self._process = None
            self.runs += 1
            if process.returncode != 0 and not self._stopped:
                self.failures += 1
                print(f"serve: search kept the index of the last good build (the background build of "
                      f"{self.site_dir.name}/ failed: {_last_line(errors)})", file=sys.stderr, flush=True)
            if self._again and not self._stopped:
                self._again = False
                self._start()
            self.finished.notify_all()

    def stop(self) -> None:
        """Interrupt a run under way: the build cleans up as on Ctrl-C and keeps the last site."""
        with self.finished:
            self._stopped = True
            if self._process is not None:
                try:
                    os.killpg(self._process.pid, signal.SIGINT)
                except OSError:
                    pass  # it has just ended


def _last_line(errors: bytes) -> str:
    lines = errors.decode("utf-8", "replace").strip().splitlines()
    return lines[-1] if lines else "no message"
