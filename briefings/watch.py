"""What `build.py serve` watches, and how a burst of file events becomes one rebuild.

`change_kind` says what a changed path is to the build (content, seed, template,
static file, config) or that it is noise (editor swap files, hidden files, the
output folder). `Debouncer` turns a burst of paths into one call. `ProjectWatcher`
connects watchdog to both. Nothing here builds or serves anything.
"""
from __future__ import annotations

import os
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch

from .config import Config
from .theme import THEME_DIR

CONTENT, SEED, TEMPLATE, STATIC, CONFIG = "content", "seed", "template", "static", "config"

# Only changes matter: reading files (which every build does) must not trigger a build.
WATCHED_EVENTS = [FileCreatedEvent, FileDeletedEvent, FileModifiedEvent, FileMovedEvent, FileClosedEvent,
                  DirCreatedEvent, DirDeletedEvent, DirMovedEvent]
SEED_SUFFIX = ".txt"
"""Seeds are `.txt` files; under content/ any file with an extension counts: a Markdown file,
or maybe a media file a briefing shows (media.py). A name without one is an editor's temporary
file (sed's `sedAb12Cd`), or a new folder reported as a file."""
_JUNK_SUFFIXES = ("~", ".swp", ".swo", ".swx", ".tmp", ".bak", "___jb_tmp___", "___jb_old___")


def is_junk(name: str) -> bool:
    """Editor temp, swap, backup and lock files, and hidden files: never inputs of the build."""
    return (name.startswith(".") or name.endswith(_JUNK_SUFFIXES) or name == "4913"
            or (name.startswith("#") and name.endswith("#")))


def watched_folders(config: Config) -> list[tuple[Path, str]]:
    """The folders whose files are build inputs, most specific first, with what their files are."""
    return [(config.templates_dir / "static", STATIC), (config.templates_dir, TEMPLATE),
            (THEME_DIR / "static", STATIC), (THEME_DIR / "templates", TEMPLATE),
            (config.content_dir, CONTENT), (config.seeds_dir, SEED)]


def change_kind(path: Path | str, config: Config, config_file: Path | None = None,
             is_dir: bool = False) -> str | None:
    """What a changed path is to the build, or None when the change does not matter.

    Pure: it looks at the path only (a deleted file cannot be looked at); the
    event says whether it was a folder (`is_dir`), which under content/ and
    seeds/ counts whatever its name (a folder moved or deleted takes its files along).
    """
    path = Path(os.path.abspath(path))
    if path == Path(os.path.abspath(config_file or config.root / "config.yaml")):
        return CONFIG
    for ignored in (config.site_dir, config.cache_dir):
        if path.is_relative_to(os.path.abspath(ignored)):
            return None
    for folder, kind in watched_folders(config):
        if not path.is_relative_to(folder):
            continue
        if any(is_junk(part) for part in path.relative_to(folder).parts):
            return None
        if path == folder or is_dir or kind not in (CONTENT, SEED):
            return kind
        if kind == CONTENT:
            return kind if path.suffix else None
        return kind if path.suffix == SEED_SUFFIX else None
    return None


class Debouncer:
    """Calls `action(batch)` once per burst of `add`s, `delay` seconds after the last one.

    A burst that never pauses is still cut every `max_wait` seconds. Items added
    while `action` runs make up the next batch: one more call after it, not one each.
    An editor's save is one burst a few milliseconds long (a write, or a temporary
    file renamed over the old one): 40 ms waits past it and is little of a reload.
    `clock` tells the time in the unit of `delay` and `max_wait` (seconds; a test passes a clock
    it moves by hand, and calls `take_due` instead of starting the thread).
    """

    def __init__(self, action: Callable[[set[Path]], object], delay: float = 0.04, max_wait: float = 1.0,
                 clock: Callable[[], float] = time.monotonic):
        self._action, self._delay, self._max_wait, self._clock = action, delay, max_wait, clock
        self._cond = threading.Condition()
        self._pending: set[Path] = set()
        self._first = self._last = 0.0
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="briefings-rebuild", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def add(self, items: Iterable[Path]) -> None:
        with self._cond:
            now = self._clock()
            if not self._pending:
                self._first = now
            self._pending.update(items)
            self._last = now
            self._cond.notify()

    def stop(self) -> None:
        """Drop what is pending, let a running action finish, and end the thread."""
        with self._cond:
            self._stopping = True
            self._cond.notify()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()

    def take_due(self) -> set[Path] | None:
        """The pending batch if its time has come by the clock (it is then taken), else None."""
        with self._cond:
            if not self._pending or self._clock() < self._due():
                return None
            batch, self._pending = self._pending, set()
            return batch

    def _due(self) -> float:
        return min(self._last + self._delay, self._first + self._max_wait)

    def _next_batch(self) -> set[Path] | None:
        with self._cond:
            while not self._stopping:
                batch = self.take_due()
                if batch is not None:
                    return batch
                self._cond.wait(self._due() - self._clock() if self._pending else None)
            return None

    def _run(self) -> None:
        while (batch := self._next_batch()) is not None:
            try:
                self._action(batch)
            except Exception:  # keep watching: a crash here would end live reload silently
                traceback.print_exc()


class ProjectWatcher:
    """A watchdog observer over the build's inputs; hands each relevant changed path to `on_change`.

    The project folder itself is watched without recursion, for config.yaml and
    for content/, seeds/ or templates/ appearing later (a fresh clone has no
    templates/), which are then watched too.
    """

    def __init__(self, config: Config, config_file: Path, on_change: Callable[[Iterable[Path]], None]):
        self.config, self.config_file, self.on_change = config, Path(os.path.abspath(config_file)), on_change
        self._observer = Observer()
        self._observer.daemon = True
        self._watches: dict[Path, ObservedWatch] = {}
        self._handler = _Handler(self)

    def start(self) -> None:
        self._observer.schedule(self._handler, str(self.config_file.parent), recursive=False,
                                event_filter=WATCHED_EVENTS)
        for folder in self._top_folders():
            self._watch(folder)
        self._observer.start()

    def stop(self) -> None:
        self._observer.stop()
        if self._observer.is_alive():
            self._observer.join()

    def _top_folders(self) -> list[Path]:
        """The recursive watches: a folder inside another watched folder is covered by it."""
        folders = [folder for folder, _ in watched_folders(self.config)]
        return [f for f in folders if not any(f != o and f.is_relative_to(o) for o in folders)]

    def _watch(self, folder: Path) -> None:
        old = self._watches.pop(folder, None)
        if old is not None:
            try:
                self._observer.unschedule(old)
            except (KeyError, OSError):  # its emitter already ended with the folder it watched
                pass
        if folder.is_dir():
            self._watches[folder] = self._observer.schedule(self._handler, str(folder), recursive=True,
                                                            event_filter=WATCHED_EVENTS)

    def changed(self, event: FileSystemEvent) -> None:
        found = []
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if not raw:
                continue
            path = Path(os.fsdecode(raw))
            top = event.is_directory and path in self._top_folders()
            if top:
                self._watch(path)  # appeared, vanished or came back: (re)watch it
            elif event.is_directory and event.event_type == "created":
                continue  # an empty new folder changes nothing; files put in it have their own events
            if change_kind(path, self.config, self.config_file, event.is_directory) is not None:
                found.append(path)
        if found:
            self.on_change(found)


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: ProjectWatcher):
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write", "attrib"):
            return
        if event.is_directory and event.event_type == "modified":
            return
        self.watcher.changed(event)
