"""What identifies the code that makes the pages: this package and the libraries that shape
its output. Pages made by other code are never kept, even when no input changed.

Found without importing the libraries (a build with nothing to do never imports
Jinja2 or markdown-it): an upgrade rewrites their files, so their stamps change.
"""
from __future__ import annotations

import functools
import os
from importlib.util import find_spec
from pathlib import Path

from .content import stamp

LIBRARIES = ("jinja2", "markupsafe", "markdown_it", "mdit_py_plugins", "linkify_it", "babel")
"""The libraries whose code decides a page's bytes."""


@functools.lru_cache(maxsize=1)
def engine_stamp() -> str:
    """The stamp (mtime, size) of each of the engine's modules and of each library's package
    file: reinstalling a library unchanged only costs one full rebuild."""
    package = Path(__file__).parent
    files = {path.name: str(path) for path in sorted(package.glob("*.py"))}
    files.update((f"locale/{path.name}", str(path)) for path in sorted(package.glob("locale/*.po")))
    for name in LIBRARIES:
        spec = find_spec(name)
        files[name] = spec.origin if spec and spec.origin else ""
    return repr([(name, _stamp(file)) for name, file in files.items()])


def _stamp(file: str) -> tuple[int, int] | None:
    try:
        return stamp(os.stat(file))
    except OSError:
        return None
