"""The preview's search: the index of the project's own site/, kept up to date in the background.

The preview renders its pages without a search index, so that a rebuild shows an edit as
soon as the pages are written. Its search page queries the index of the project's site/
instead (serve answers /pagefind/ from there), and once the preview has been quiet for a
moment after a build, it runs `build` on the project in a process of its own, at the lowest
priority: that brings site/ and its index up to date part by part (see search.py). The
rebuild never waits for it: a build that finds the background one still running asks for
one more run once it is done.

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

from .urls import SEARCH_INDEX_DIR

NICENESS = 19
"""The background build's CPU priority: the lowest, below the preview's and the browser's."""
QUIET_SECONDS = 2.0
"""How long after the preview's last build the background one starts: while an editor saves
again and again, the preview's rebuilds keep both cores (measured at 10,000 briefings on 2
cores, a background build started at once made the next edit show 1.28 s after the save
instead of 0.77 s)."""


class SiteRefresher:
    """Runs `build` on the project in the background, one run at a time, after each preview build."""

    def __init__(self, config_file: Path, site_dir: Path, quiet: float = QUIET_SECONDS) -> None:
        self.config_file, self.site_dir, self.quiet = config_file, site_dir, quiet
        self.started = 0
        """Background builds started: the `started`th is the `started`th to finish (one runs at a
        time), so a caller that noted `started` after writing a file knows that once `runs`
        exceeds it, a build that read the file has finished."""
        self.runs = 0
        """Background builds finished (for tests and the benchmark: they wait on `finished`)."""
        self.failures = 0
        self.finished = threading.Condition()
        self._process: subprocess.Popen[bytes] | None = None
        self._again = False
        self._stopped = False
        self._timer: threading.Timer | None = None

    def wanted(self) -> bool:
        """The project's site/ has a search index that a build keeps up to date."""
        from .search import MANIFEST  # not at start-up: the preview's own builds need no search module
        return (self.site_dir / SEARCH_INDEX_DIR / MANIFEST).is_file()

    def request(self) -> None:
        """Bring site/ up to date once the preview has been quiet for QUIET_SECONDS (or, when a
        run is under way, once it is done): a later request starts the wait again."""
        with self.finished:
            if self._stopped:
                return
            if self._process is not None:
                self._again = True
                return
            self._arm()

    def _arm(self) -> None:
        """(Re)start the quiet wait; the caller holds the lock."""
        if self._timer is not None:
            self._timer.cancel()
        self._timer = threading.Timer(self.quiet, self._start_if_wanted)
        self._timer.daemon = True
        self._timer.start()

    def _start_if_wanted(self) -> None:
        with self.finished:
            self._timer = None
            if not self._stopped and self._process is None and self.wanted():
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
        self.started += 1
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
                self._arm()
            self.finished.notify_all()

    def stop(self) -> None:
        """Interrupt a run under way: the build cleans up as on Ctrl-C and keeps the last site."""
        with self.finished:
            self._stopped = True
            if self._timer is not None:
                self._timer.cancel()
            if self._process is not None:
                try:
                    os.killpg(self._process.pid, signal.SIGINT)
                except OSError:
                    pass  # it has just ended


def _last_line(errors: bytes) -> str:
    lines = errors.decode("utf-8", "replace").strip().splitlines()
    return lines[-1] if lines else "no message"
