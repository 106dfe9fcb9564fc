"""The golden site: a small project (tests/golden/project/) and the site it builds, checked in
(tests/golden/site/), so that a change to what any page says shows up as a diff in review.

    python tests/golden/refresh.py      # rebuild tests/golden/site/ after an intended change

tests/test_golden.py builds the project afresh and compares every file with the checked-in
site. The build is the one `build.py build --no-search` makes, with nothing that varies
between runs: the clock fixed (BRIEFINGS_TODAY is TODAY, so the briefing dated after it is
held back), the project copied to a temporary folder first (its location appears nowhere in
the site), the cache kept there too.

Left out, and why:
- the search index (`pagefind/`): Pagefind's binary output, rebuilt by its own version;
  the search page itself is kept;
- `static/`: the theme's files copied byte for byte, so a diff there would only repeat
  the theme's own diff.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from briefings import pipeline
from briefings.config import load_config
from briefings.dates import TODAY_VARIABLE

GOLDEN = Path(__file__).resolve().parent
PROJECT = GOLDEN / "project"
SITE = GOLDEN / "site"
LEFT_OUT = ("pagefind/", "static/")
TODAY = "2024-06-01"
"""The day the golden build takes for today."""


def build_golden(work: Path) -> dict[str, bytes]:
    """Build a copy of the golden project in `work` (an empty folder); the site's files by path,
    without those LEFT_OUT."""
    project = work / "project"
    shutil.copytree(PROJECT, project)
    config = load_config(project / "config.yaml").with_overrides(output_dir=work / "site",
                                                                   cache_folder=work / "cache")
    with _today(TODAY):
        pipeline.build(config, persist=False, jobs=1, search_index=False)
    return read_site(work / "site")


@contextmanager
def _today(day: str) -> Iterator[None]:
    """BRIEFINGS_TODAY set to `day` meanwhile (whatever it was before is put back)."""
    before = os.environ.get(TODAY_VARIABLE)
    os.environ[TODAY_VARIABLE] = day
    try:
        yield
    finally:
        if before is None:
            del os.environ[TODAY_VARIABLE]
        else:
            os.environ[TODAY_VARIABLE] = before


def read_site(site: Path) -> dict[str, bytes]:
    """Every file under `site` by its path there, without those LEFT_OUT."""
    files = {path.relative_to(site).as_posix(): path for path in sorted(site.rglob("*")) if path.is_file()}
    return {name: path.read_bytes() for name, path in files.items() if not name.startswith(LEFT_OUT)}


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="golden-") as work:
        files = build_golden(Path(work))
    shutil.rmtree(SITE, ignore_errors=True)
    for name, data in files.items():
        target = SITE / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    print(f"golden site: {len(files)} files written to {os.path.relpath(SITE)}; "
          "review the change with `git diff tests/golden/site`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
