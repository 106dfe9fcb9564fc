"""The preview's search index, made beside the preview, never in a rebuild's way.

A rebuild shows its pages first; then this thread brings the search index up to date
(search.make_index: parts into the store, the long part, with no lock held) and puts
it in the served folder under the preview's build lock (search.place_index, a few
links and the manifest). A rebuild carries the last index into its new folder, so
the search page always has one once the first is made. Only the newest archive is
indexed: edits made while one is indexed are taken together next.
"""
from __future__ import annotations

import sys
import threading
from typing import Callable, Sequence

from . import search
from .config import Config
from .content import Briefing, read_body
from .errors import SiteErrors
from .markdown import to_html


class PreviewSearch:
    """Keeps the served folder's search index in step with the last successful build."""

    def __init__(self, site_lock: threading.Lock, on_ready: Callable[[], None] = lambda: None):
        self._site_lock = site_lock
        self._on_ready = on_ready
        self._wanted: tuple[Config, Sequence[Briefing]] | None = None
        self._changed = threading.Condition()
        self._stopped = False
        self.made = 0
        """Indexes put in the served folder so far (what tests wait on)."""
        self._thread = threading.Thread(target=self._run, name="preview-search", daemon=True)
        self._thread.start()

    def refresh(self, config: Config, briefings: Sequence[Briefing]) -> None:
        """Index these briefings when the thread is free (the newest call wins)."""
        with self._changed:
            self._wanted = (config, briefings)
            self._changed.notify()

    def stop(self) -> None:
        with self._changed:
            self._stopped = True
            self._changed.notify()
        self._thread.join(timeout=60)

    def _run(self) -> None:
        while True:
            with self._changed:
                while self._wanted is None and not self._stopped:
                    self._changed.wait()
                if self._stopped:
                    return
                config, briefings = self._wanted
                self._wanted = None
            try:
                self._index(config, briefings)
            except SiteErrors as exc:  # the preview goes on without search; say why once per attempt
                for error in exc.errors:
                    print(f"search: {error}", file=sys.stderr)
            except OSError as exc:
                print(f"search: the preview's index could not be written: {exc}", file=sys.stderr)

    def _index(self, config: Config, briefings: Sequence[Briefing]) -> None:
        labels_key, label = search.record_labels(config)
        state = search.make_index(config, briefings, labels_key, label,
                                  lambda b: search.html_text(to_html(read_body(b, config.root)[0])))
        with self._site_lock:
            if self._stopped or not config.site_dir.is_dir():
                return
            search.place_index(config.site_dir, config, state)
            self.made += 1
        self._on_ready()
