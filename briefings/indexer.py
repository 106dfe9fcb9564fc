"""The Pagefind indexer as a service: records in, the files of one search bundle out.

Pagefind (https://pagefind.app; the PyPI package `pagefind[extended]` ships the
binary with Chinese and Japanese word segmentation) runs as `pagefind --service`,
which reads requests and writes answers as base64 JSON separated by commas. We
speak that protocol here rather than through the package's Python wrapper, which
waits 0.1 s before reading each answer (1,000 records took 100 s instead of 3),
and whose `write_files` answers before the files are on disk (4 of 60 small
bundles came out truncated): `GetFiles` hands us the bytes, and the caller writes them.

Indexing costs the binary about 3 ms of CPU per 600-word record and peaks at
about 10 MiB + 0.22 MiB per record, so callers keep a bundle to a few thousand
records. Starting the binary costs about 20 ms.
"""
from __future__ import annotations

import base64
import io
import json
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from .errors import SiteError, SiteErrors


@dataclass(frozen=True)
class Record:
    """One searchable page, as Pagefind's AddRecord takes it."""
    url: str
    content: str
    language: str
    meta: dict[str, str]
    filters: dict[str, list[str]]
    sort: dict[str, str]

    def payload(self) -> dict[str, Any]:
        return {"url": self.url, "content": self.content, "language": self.language,
                "meta": self.meta, "filters": self.filters, "sort": self.sort}


def pagefind_binary() -> Path | None:
    """The Pagefind executable: $PAGEFIND_BINARY_PATH, the extended then the plain package
    binary (the wrapper's own lookup), or one on PATH."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        found = None
    else:
        found = get_executable()
    if found is not None and Path(found).is_file():
        return Path(found)
    on_path = shutil.which("pagefind_extended") or shutil.which("pagefind")
    return Path(on_path) if on_path else None


def index_bundle(records: list[Record]) -> dict[str, bytes]:
    """The files of one Pagefind bundle indexing `records` (path in the bundle -> bytes).

    Records should come in a stable order: Pagefind numbers pages in the order they come."""
    service = _Service()
    try:
        (created,) = service.call([{"type": "NewIndex", "config": {}}])
        index = created["index_id"]
        service.call([{"type": "AddRecord", "index_id": index, **record.payload()} for record in records])
        (written,) = service.call([{"type": "GetFiles", "index_id": index}])
    finally:
        service.close()
    return {file["path"]: base64.b64decode(file["content"]) for file in written["files"]}


class _Service:
    """One `pagefind --service` process."""

    def __init__(self) -> None:
        binary = pagefind_binary()
        if binary is None:
            raise SiteErrors([SiteError("pagefind", None, "the search indexer (Pagefind) is not installed",
                                        "pip install 'pagefind[extended]' (`make` installs it), "
                                        "or build with --no-search")])
        try:
            self.errors = tempfile.TemporaryFile()  # a file, not a pipe: nobody reads it until the end
            self.process = subprocess.Popen([str(binary), "--service"], stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=self.errors)
        except OSError as exc:
            raise SiteErrors([SiteError(str(binary), None, f"the search indexer could not run: {exc}",
                                        "reinstall it: pip install --force-reinstall 'pagefind[extended]'")]) from None
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and isinstance(stdout, io.BufferedReader), "pipes, buffered by default"
        self._to_indexer, self._from_indexer = stdin, stdout
        self.sent = 0

    def call(self, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Send every request (from a thread, so that neither pipe fills while the other waits)
        and return the answers in the same order; an error answer raises SiteErrors."""
        first = self.sent + 1
        self.sent += len(requests)

        def send() -> None:
            try:
                for number, request in enumerate(requests, first):
                    message = json.dumps({"message_id": number, "payload": request}).encode()
                    self._to_indexer.write(base64.b64encode(message) + b",")
                self._to_indexer.flush()
            except (BrokenPipeError, ValueError):  # the process died: the reader reports it
                pass

        writer = threading.Thread(target=send, name="pagefind-requests", daemon=True)
        writer.start()
        answers: dict[int, dict[str, Any]] = {}
        buffer = b""
        while len(answers) < len(requests):
            while b"," not in buffer:
                chunk = self._from_indexer.read1(1 << 20)
                if not chunk:
                    self._failed("the search indexer stopped unexpectedly")
                buffer += chunk
            message, _, buffer = buffer.partition(b",")
            answer = json.loads(base64.b64decode(message))
            payload = answer.get("payload", {})
            if payload.get("type") == "Error":
                self._failed(f"the search indexer refused a record: {payload.get('message')}")
            answers[answer.get("message_id")] = payload
        writer.join()
        return [answers[number] for number in range(first, first + len(requests))]

    def _failed(self, message: str) -> NoReturn:
        self.close()
        self.errors.seek(0)
        detail = self.errors.read().decode(errors="replace").strip()
        hint = "build again; if it persists, reinstall pagefind[extended] or build with --no-search"
        last = f": {detail.splitlines()[-1]}" if detail else ""
        raise SiteErrors([SiteError("pagefind", None, message + last, hint)])

    def close(self) -> None:
        try:
            self._to_indexer.close()
        except OSError:
            pass
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._from_indexer.close()
