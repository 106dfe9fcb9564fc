"""The golden site: a fresh build of tests/golden/project/ is, file for file, the checked-in
tests/golden/site/. A change that alters every page the same way, which no targeted assertion
looks for, fails here with its diff. An intended change: `python tests/golden/refresh.py`,
then review `git diff tests/golden/site` and commit it with the change."""
from __future__ import annotations

import difflib
from pathlib import Path

from golden.refresh import SITE, build_golden, read_site

MAX_DIFF_LINES = 400
"""Enough to read what changed in a few files; the rest is counted, not printed."""


def test_a_fresh_build_is_the_golden_site(tmp_path: Path) -> None:
    fresh = build_golden(tmp_path)
    golden = read_site(SITE)
    assert golden, f"no golden site in {SITE}: run python tests/golden/refresh.py"
    problems = site_diff(golden, fresh)
    assert not problems, (
        "the build differs from the golden site (tests/golden/site/). If the change is intended, "
        "run `python tests/golden/refresh.py` and review `git diff tests/golden/site`.\n\n" + problems)


def site_diff(golden: dict[str, bytes], fresh: dict[str, bytes]) -> str:
    """Files missing or new, then a unified diff of each file that differs (capped)."""
    lines = [f"missing: {name}" for name in sorted(golden.keys() - fresh.keys())]
    lines += [f"new: {name}" for name in sorted(fresh.keys() - golden.keys())]
    for name in sorted(golden.keys() & fresh.keys()):
        if golden[name] != fresh[name]:
            before = golden[name].decode("utf-8", "replace").splitlines()
            after = fresh[name].decode("utf-8", "replace").splitlines()
            lines += difflib.unified_diff(before, after, f"golden/{name}", f"fresh/{name}", lineterm="")
    if len(lines) > MAX_DIFF_LINES:
        lines = [*lines[:MAX_DIFF_LINES], f"… and {len(lines) - MAX_DIFF_LINES} more lines"]
    return "\n".join(lines)


def test_the_diff_names_each_changed_file_and_line() -> None:
    golden = {"index.html": b"<h1>Archive</h1>\n<p>5 briefings</p>\n", "feed.xml": b"<rss/>\n"}
    fresh = {"index.html": b"<h1>Archive</h1>\n<p>6 briefings</p>\n", "atom.xml": b"<feed/>\n"}
    shown = site_diff(golden, fresh).splitlines()
    assert shown[:2] == ["missing: feed.xml", "new: atom.xml"]
    assert "--- golden/index.html" in shown and "+++ fresh/index.html" in shown
    assert "-<p>5 briefings</p>" in shown and "+<p>6 briefings</p>" in shown
    assert site_diff(golden, golden) == ""
