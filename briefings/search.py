"""Full-text search: the Pagefind index of a built site, in `<site>/pagefind/`.

Pagefind (https://pagefind.app, the PyPI package `pagefind[bin]`, which ships
its binary) reads the built HTML and writes a static index and its search UI:
no server, works on any static host, at a domain root or under a sub-path.
Only briefing pages are indexed: the theme marks their article with
`data-pagefind-body`, and `data-pagefind-filter` / `data-pagefind-meta` give
the topic, year and language filters and the date shown in results.

The whole archive is indexed as one language (the site's), on purpose: Pagefind
splits an index by `<html lang>` and a search page only searches the split of
its own language, so French and English briefings could never be found from one
search box. One index means one stemmer for both languages; accents and case
are ignored either way ("coree" finds "Corée").

`index_site(folder, config)` runs the indexer on a built folder, before it
is swapped in. Only briefing pages are read, so the index must be redone when
a briefing page was written, replaced or removed (or the folder has no index,
or an index from another build); when none was, `carry_index(site, folder)`
gives the folder the live site's index instead, as hard links, in no time.
Indexing costs about 2 to 3 ms of CPU per briefing (some 0.1 s for the
fixture corpus, 10 to 20 s for 5,000 briefings on two cores).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .config import Config
from .errors import SiteError, SiteErrors

INDEX_DIR = "pagefind"
"""The index's folder in the site; the search page (`search/`) reads `pagefind/manifest.json`."""
TIMEOUT = 600
"""Seconds: far above what even a large archive needs, so a hung indexer cannot hang a build."""


def pagefind_binary() -> Path | None:
    """The Pagefind executable: $PAGEFIND_BINARY_PATH, the `pagefind_bin` package, or one on PATH."""
    try:
        from pagefind.service import get_executable  # the wrapper's own lookup, same order
    except ImportError:
        get_executable = None
    if get_executable is not None:
        found = get_executable()
        if found is not None and Path(found).is_file():
            return Path(found)
    on_path = shutil.which("pagefind_extended") or shutil.which("pagefind")
    return Path(on_path) if on_path else None


def indexer_command(binary: Path, site: Path, output: Path, config: Config) -> list[str]:
    """The Pagefind command line that indexes `site` into `output`."""
    command = [str(binary), "--site", str(site), "--output-path", str(output),
               "--force-language", config.language, "--quiet"]
    if config.link_style == "files":  # result links must name index.html to open from disk
        command.append("--keep-index-url")
    return command


def index_site(folder: Path, config: Config) -> None:
    """Index the built site in `folder`, replacing `folder/pagefind/` whole.

    The new index is written next to the old one and swapped in only when the
    indexer succeeded, so a failure leaves the previous index (if any) as it
    was. Raises SiteErrors with what went wrong and how to fix it.
    """
    folder = Path(folder)
    binary = pagefind_binary()
    if binary is None:
        raise SiteErrors([SiteError(
            "pagefind", None, "the search indexer (Pagefind) is not installed",
            "pip install 'pagefind[bin]' — `pip install .` and `make` install it")])
    if not folder.is_dir():
        raise SiteErrors([SiteError(str(folder), None, "cannot index the site for search: no such folder",
                                    "build the site first")])
    work = Path(tempfile.mkdtemp(prefix=".pagefind-", dir=folder))
    try:
        new = work / INDEX_DIR
        try:
            # cwd is the empty work folder, so no stray pagefind.yml config file is picked up
            done = subprocess.run(indexer_command(binary, folder, new, config), capture_output=True,
                                  text=True, timeout=TIMEOUT, env=_clean_env(), cwd=work)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SiteErrors([SiteError(str(binary), None, f"the search indexer could not run: {exc}",
                                        "reinstall it with pip install --force-reinstall 'pagefind[bin]'")]) from None
        problem = _failure(done)
        if problem or not (new / "pagefind.js").is_file():
            raise SiteErrors([SiteError(
                str(folder), None, f"search indexing failed: {problem or 'Pagefind wrote no index'}",
                "check that the built pages are intact, then build again")])
        _write_manifest(new, config.language)
        _swap_in(new, folder / INDEX_DIR, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _write_manifest(index: Path, language: str) -> None:
    """`manifest.json`, which the search page reads to find the index's parts (theme/static/search.js):
    here the whole index is one part, the bundle itself, indexed in the site's language."""
    manifest = {"version": 1, "parts": [{"path": "./", "language": language}], "superseded": []}
    (index / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def carry_index(site: Path, folder: Path) -> bool:
    """Put the live site's index (`site/pagefind/`) into the build folder `folder`, as hard
    links (copies where links are refused), replacing whatever index `folder` had.

    For builds that changed no briefing page: the live index is then still right.
    Returns False, changing nothing, when the live site has no index to carry.
    """
    source = Path(site) / INDEX_DIR
    if not (source / "pagefind.js").is_file() or not Path(folder).is_dir():
        return False
    work = Path(tempfile.mkdtemp(prefix=".pagefind-", dir=folder))
    try:
        shutil.copytree(source, work / INDEX_DIR, copy_function=_link_or_copy)
        _swap_in(work / INDEX_DIR, Path(folder) / INDEX_DIR, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return True


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _failure(done: subprocess.CompletedProcess) -> str:
    """What went wrong, from the indexer's exit code and output; empty when it worked."""
    output = "\n".join(part.strip() for part in (done.stderr, done.stdout) if part and part.strip())
    if done.returncode != 0:
        return output.splitlines()[-1] if output else f"Pagefind exited with status {done.returncode}"
    errors = [line for line in output.splitlines() if line.lower().startswith("error")]
    return errors[0] if errors else ""


def _swap_in(new: Path, target: Path, work: Path) -> None:
    """Put the folder `new` at `target`: the old index is moved aside first, then removed."""
    if target.exists():
        os.rename(target, work / "old")
    os.rename(new, target)
    os.chmod(target, 0o755)


def _clean_env() -> dict[str, str]:
    """The environment without PAGEFIND_* settings: the command line says everything."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_")}
