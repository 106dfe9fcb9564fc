"""Rendered briefing bodies kept between builds, so a template or config change does not
run markdown-it again over every unchanged briefing.

Markdown to HTML is a third of the cost of a briefing page. The HTML depends on
the body's text and the engine only (typography and everything else is applied
by the templates), so it is stored under the content file's digest, in one
SQLite file in `.cache/`, written by every rendering process (each with its own
connection, after its fork). About 5 KB a briefing, uncompressed: zlib took
three times longer than the insert. Like the rest of the cache it is safe to
delete, and a damaged or unreadable one only costs time: the body is rendered
from the Markdown, as on a first build.
"""
from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path

BATCH = 200
"""Rows written per transaction: bounded memory, few commits."""


class BodyStore:
    """Bodies' HTML by content file digest, for one engine (`engine`: engine.engine_stamp)."""

    def __init__(self, path: Path, engine: str):
        self.path, self.engine = path, engine
        self._db: sqlite3.Connection | None = None
        self._pid = 0
        self._pending: dict[str, str] = {}
        """Bodies put and not yet written, found by `get` too: a new body shown on several pages
        (its own, the feeds) goes through markdown-it once."""
        self._added = 0
        """Bodies this process stored: a build that stored none leaves nothing to prune."""
        self.broken = False
        """An error made this process stop using the store (the build goes on without it)."""

    def get(self, digest: str) -> str | None:
        if digest in self._pending:
            return self._pending[digest]
        db = self._connection()
        if db is None:
            return None
        try:
            row = db.execute("SELECT html FROM body WHERE digest = ?", (digest,)).fetchone()
            return row[0] if row else None
        except sqlite3.Error:
            self._give_up()
            return None

    def put(self, digest: str, html: str) -> None:
        """Store a body's HTML; written with the next batch, or by `flush`."""
        if self.broken:
            return
        self._pending[digest] = html
        self._added += 1
        if len(self._pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Write what `put` queued: each rendering process calls it before it ends."""
        pending, self._pending = self._pending, {}
        db = self._connection() if pending else None
        if db is None:
            return
        try:
            with db:
                db.executemany("INSERT OR REPLACE INTO body (digest, html) VALUES (?, ?)", pending.items())
        except sqlite3.Error:
            self._give_up()

    def prune(self, live: Iterable[str]) -> None:
        """Drop the bodies of briefings that are gone or changed, once they outnumber the live
        ones: the file would otherwise grow with every edit."""
        if not self._added:
            return
        keep = set(live)
        db = self._connection()
        if db is None:
            return
        try:
            (count,) = db.execute("SELECT count(*) FROM body").fetchone()
            if count <= 2 * len(keep) + BATCH:
                return
            with db:
                db.execute("CREATE TEMP TABLE IF NOT EXISTS live (digest TEXT PRIMARY KEY)")
                db.execute("DELETE FROM live")
                db.executemany("INSERT OR IGNORE INTO live VALUES (?)", ((d,) for d in keep))
                db.execute("DELETE FROM body WHERE digest NOT IN (SELECT digest FROM live)")
        except sqlite3.Error:
            self._give_up()

    def _connection(self) -> sqlite3.Connection | None:
        """This process's connection: a forked rendering worker opens its own (SQLite's rule:
        a connection does not cross a fork); made on first use, so loading writes nothing."""
        if self.broken:
            return None
        if self._db is None or self._pid != os.getpid():
            self._db, self._pid, self._pending = None, os.getpid(), {}
            try:
                self._db = _open(self.path, self.engine)
            except sqlite3.DatabaseError:  # not a database (damaged): start a new one
                try:
                    for suffix in ("", "-wal", "-shm"):
                        Path(f"{self.path}{suffix}").unlink(missing_ok=True)
                    self._db = _open(self.path, self.engine)
                except (sqlite3.Error, OSError):
                    self.broken = True
            except (sqlite3.Error, OSError):
                self.broken = True
        return self._db

    def _give_up(self) -> None:
        self.broken, self._pending = True, {}


def _open(path: Path, engine: str) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=60, check_same_thread=False)  # the preview builds on its own thread
    db.execute("PRAGMA journal_mode = WAL")  # the rendering processes write concurrently
    db.execute("PRAGMA synchronous = NORMAL")
    with db:
        db.execute("CREATE TABLE IF NOT EXISTS body (digest TEXT PRIMARY KEY, html TEXT NOT NULL)")
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        row = db.execute("SELECT value FROM meta WHERE key = 'engine'").fetchone()
        if row is None or row[0] != engine:  # other code made those bodies: none is kept
            db.execute("DELETE FROM body")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('engine', ?)", (engine,))
    return db
