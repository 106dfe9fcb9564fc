"""Full-text search: the index as parts, each a Pagefind bundle of one language, in `<site>/pagefind/`.

Pagefind indexes about 300 records a second on a core and holds them all in
memory (3.5 GB for 10,000 briefings when it read the whole site), so one index
redone on every build cannot scale. Instead the engine feeds Pagefind records it
already has (title, body text, date, topics, language, URL: no HTML is read) and
the index is cut into parts that are kept and reused by name:

- **Sealed parts.** Each language's briefings, oldest first, cut every
  `PART_SIZE` records (like the listings, numbered from the oldest: a new
  briefing never moves an older one to another part). A part's name is a hash
  of what its records were made from, so an unchanged part is never indexed again.
- **The hot part** of a language holds the records its sealed parts lack: briefings
  added, edited, moved since the parts were sealed. It is indexed again on every
  build that changes it: a few records, a fraction of a second.
- **Superseded** results: the sealed copies of edited or removed briefings. The
  manifest lists their result ids and the search page drops them before showing
  or counting anything.

When a language's hot part grows past `HOT_LIMIT` records, that language is sealed
again: its parts are cut anew from the archive and only those whose records changed
are indexed (an archive that only grows re-indexes its newest part). A clean build
seals everything, so it has no hot part and nothing superseded: the bytes of an
incremental build's index then differ from a clean build's, but the records a
reader can find (every part's records, less the superseded) are the same, and after
each sealing the parts are the very ones a clean build makes.

Parts are made in `.cache/search/parts/` (so a build whose site/ was removed, or a
CI run that restored `.cache/`, reuses them) and hard-linked into the site. The
search page (`static/search.js`) reads `pagefind/manifest.json` and searches every
part from one box, each with its language's rules (word segmentation for Chinese
and Japanese; accents and case ignored everywhere).
"""
from __future__ import annotations

import gzip
import hashlib
import html
import json
import os
import pickle
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

from . import urls
from .config import Config
from .content import Briefing
from .fsutil import write_atomic
from .indexer import Record, index_bundle
from .site_folder import output_key
from .workers import available_cores

INDEX_DIR = urls.SEARCH_INDEX_DIR
MANIFEST = "manifest.json"
PART_SIZE = 2000
"""Records per sealed part: Pagefind peaks at about 0.45 GiB indexing 2,000 (10 MiB + 0.22 MiB
a record), and a reader's first query fetches a chunk of every part: 6 parts at 10,000
briefings in two languages, 50 at 100,000."""
HOT_LIMIT = 100
"""Records a language's hot part may hold before the language is sealed again: re-indexing
100 records takes about 0.4 s, on every build that changes one of them."""


@dataclass
class Part:
    """One Pagefind bundle: `parts/<name>/` in the index folder."""
    name: str
    language: str
    keys: dict[str, str]
    """Record URL -> key of what the record was made from (see `entries`)."""
    ids: dict[str, str] = field(default_factory=dict)
    """Record URL -> Pagefind's result id for it (what the manifest lists as superseded)."""


@dataclass
class IndexState:
    """What the last build's index held, kept in `.cache/`."""
    sealed: list[Part] = field(default_factory=list)
    hot: list[Part] = field(default_factory=list)
    superseded: list[str] = field(default_factory=list)


class Labels(TypedDict):
    """What a record shows besides its text: Pagefind's meta, filters and sort."""
    meta: dict[str, str]
    filters: dict[str, list[str]]
    sort: dict[str, str]


@dataclass
class Entry:
    """A briefing as the index sees it: its record's URL and key, without its body."""
    url: str
    key: str
    language: str
    order: tuple[tuple[int, int, int], str, str]
    briefing: Briefing


def entries(briefings: Iterable[Briefing], config: Config, labels_key: str) -> list[Entry]:
    """Every briefing's record URL and key, oldest first. A record is made from the content
    file (its digest), what the build made of it beside the body (its listing digest: an
    author's name spelt as across the site), its URL and the labels its meta and filters take from the config
    (`labels_key`: topic and language names, the date's language), never computed here:
    this runs over the whole archive on every build that changed a briefing."""
    found = []
    for b in briefings:
        url = "/" + urls.relative_url("index.html", b.path, config.link_style)  # the page adds the site's path
        key = hashlib.blake2b(f"{b.digest}\0{b.listing_digest.hex()}\0{url}\0{labels_key}".encode(),
                              digest_size=12).hexdigest()
        found.append(Entry(url, key, b.lang, (b.date.sort_key, b.id, url), b))
    found.sort(key=lambda e: e.order)
    return found


def update_index(folder: Path, config: Config, briefings: Iterable[Briefing], labels_key: str,
                 label: Callable[[Briefing], Labels], body_text: Callable[[Briefing], str]) -> None:
    """Give the build folder `folder` the index of `briefings`: `pagefind/manifest.json` and its
    parts, indexing only the parts no earlier build made. `label(b)` gives a record's meta,
    filters and sort (what `labels_key` identifies); `body_text(b)` its text."""
    place_index(folder, config, make_index(config, briefings, labels_key, label, body_text))


def make_index(config: Config, briefings: Iterable[Briefing], labels_key: str,
               label: Callable[[Briefing], Labels], body_text: Callable[[Briefing], str]) -> IndexState:
    """Index into the store every part the index of `briefings` needs and no earlier build made;
    return the index, which `place_index` puts in a site. Writes nothing in any site: the long
    part of the work can run beside a build that swaps the site."""
    store = _store(config)
    current = entries(briefings, config, labels_key)
    now = {entry.url: entry.key for entry in current}
    sealed, hot, todo = _plan(_load_state(_state_file(config)), current, now, store)
    _make_parts([(part, chunk) for part, chunk in todo if not (store / part.name).is_dir()],
                store, label, body_text)
    for part, _ in todo:
        if part in sealed:
            part.ids = _result_ids(store / part.name, part.keys)
    return IndexState(sealed, hot, _superseded(sealed, now))


def place_index(folder: Path, config: Config, state: IndexState) -> None:
    """Put the index `state` in the site folder `folder`, and remember it for the next build."""
    _link_index(folder / INDEX_DIR, _store(config), state)
    _save_state(_state_file(config), state)
    _prune(config)


def _plan(state: IndexState, current: list[Entry], now: dict[str, str], store: Path
          ) -> tuple[list[Part], list[Part], list[tuple[Part, list[Entry]]]]:
    """The sealed and hot parts of the new index, and those of them to make with their entries:
    a language keeps its sealed parts while its hot part and superseded records stay within
    HOT_LIMIT, else it is sealed again."""
    by_language: dict[str, list[Entry]] = {}
    for entry in current:
        by_language.setdefault(entry.language, []).append(entry)
    sealed = [part for part in state.sealed if part.language in by_language and (store / part.name).is_dir()]
    hot: list[Part] = []
    todo: list[tuple[Part, list[Entry]]] = []
    for language, found in sorted(by_language.items()):
        mine = [part for part in sealed if part.language == language]
        stale = _unsealed(mine, found)
        dead = sum(now.get(url) != key for part in mine for url, key in part.keys.items())
        if len(stale) > HOT_LIMIT or dead > HOT_LIMIT or not mine:
            sealed = [part for part in sealed if part.language != language]
            for chunk in _chunks(found):
                part = _part(language, "", chunk)
                sealed.append(part)
                todo.append((part, chunk))
        elif stale:
            part = _part(language, "hot-", stale)
            hot.append(part)
            todo.append((part, stale))
    return sealed, hot, todo


def carry_index(folder: Path, config: Config) -> bool:
    """Give the build folder the last build's index, when no briefing changed since: its parts
    (most already there, from the build before) and manifest. False if there is none."""
    store = _store(config)
    state = _load_state(_state_file(config))
    if not state.sealed or not all((store / part.name).is_dir() for part in state.sealed + state.hot):
        return False
    _link_index(folder / INDEX_DIR, store, state)
    return True


def remove_index(folder: Path) -> None:
    """A build without search has no index (the search page then says so)."""
    shutil.rmtree(folder / INDEX_DIR, ignore_errors=True)


def _state_file(config: Config) -> Path:
    return config.cache_dir / f"search-{output_key(config.site_dir)}.pickle"


def _store(config: Config) -> Path:
    return config.cache_dir / "search" / "parts"


LABELS_VERSION = 3
"""Changes when the meta, filters or sort a record gets change: every record is made again."""


def record_labels(config: Config) -> tuple[str, Callable[[Briefing], Labels]]:
    """What a record shows and filters by, in the interface language: its title and date, its
    topics', language's, year's and authors' names (what the search page's filters list), and the date to
    sort by; with a key that changes whenever any of those could."""
    from .language import language_name_in
    language = config.language
    names = {rule.slug: rule.name(language) for rule in config.topics}
    key = hashlib.blake2b(repr((LABELS_VERSION, language, sorted(names.items()))).encode(),
                          digest_size=12).hexdigest()

    def label(b: Briefing) -> Labels:
        topics = [names.get(slug) or config.topic(slug).name(language) for slug in b.topics]
        return {"meta": {"title": b.title, "date": b.date.display(language), "lang": b.lang},
                "filters": {"topic": topics, "language": [language_name_in(b.lang, language)],
                            "year": [str(b.date.year)], "author": list(b.authors)},
                "sort": {"date": b.date.iso()}}
    return key, label


def _unsealed(parts: list[Part], found: list[Entry]) -> list[Entry]:
    """The entries whose record, as it is now, no sealed part holds."""
    sealed = {url: key for part in parts for url, key in part.keys.items()}
    return [entry for entry in found if sealed.get(entry.url) != entry.key]


def _chunks(found: list[Entry]) -> list[list[Entry]]:
    return [found[start:start + PART_SIZE] for start in range(0, len(found), PART_SIZE)]


def _part(language: str, kind: str, chunk: list[Entry]) -> Part:
    """The part holding `chunk`, named after what its records were made from."""
    keys = {entry.url: entry.key for entry in chunk}
    digest = hashlib.blake2b(repr(sorted(keys.items())).encode(), digest_size=8).hexdigest()
    return Part(f"{_safe(language)}-{kind}{digest}", language, keys)


def _safe(language: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "_", language)[:20] or "und"


def _superseded(sealed: list[Part], now: dict[str, str]) -> list[str]:
    """Result ids of sealed records that are not the current version (`now`: URL -> key) of a briefing."""
    return sorted(part.ids[url] for part in sealed for url, key in part.keys.items()
                  if now.get(url) != key and url in part.ids)


def _make_parts(todo: list[tuple[Part, list[Entry]]], store: Path, label: Callable[[Briefing], Labels],
                body_text: Callable[[Briefing], str]) -> None:
    """Index each part into the store, each written whole before it is renamed into place.

    Records are made here, a part at a time (bodies come from the renderer, which is not
    shared between threads); a thread per part then feeds them to a Pagefind process, so
    two parts are indexed at once on two cores while the next part's records are made, and
    no more than three parts' records (some 30 MB) are held at any time."""
    if not todo:
        return
    store.mkdir(parents=True, exist_ok=True)
    lanes = max(1, min(2, available_cores()))
    with ThreadPoolExecutor(max_workers=lanes) as pool:
        running: list[Future[None]] = []
        for part, chunk in todo:
            records = [_record(entry, label, body_text) for entry in chunk]
            running.append(pool.submit(_index_into, store / part.name, records))
            if len(running) > lanes:
                running.pop(0).result()
        for future in running:
            future.result()


def _index_into(folder: Path, records: list[Record]) -> None:
    _write_folder(folder, index_bundle(records))


def _record(entry: Entry, label: Callable[[Briefing], Labels], body_text: Callable[[Briefing], str]) -> Record:
    labels = label(entry.briefing)
    return Record(url=entry.url, content=body_text(entry.briefing), language=entry.language,
                  meta=labels["meta"], filters=labels["filters"], sort=labels["sort"])


_TAG = re.compile(r"<[^>]*>")


def html_text(fragment: str) -> str:
    """The text of an HTML fragment (a rendered body), for the index: tags out, entities decoded."""
    return " ".join(html.unescape(_TAG.sub(" ", fragment)).split())


UNUSED_FILES = ("pagefind-component-ui.", "pagefind-modular-ui.", "pagefind-highlight.")
"""Pagefind's ready-made interfaces that every bundle carries and the search page never loads."""


def _write_folder(target: Path, files: dict[str, bytes]) -> None:
    """Write `files` into a new folder that becomes `target` in one rename."""
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    for path, data in files.items():
        file = work / path
        if path.startswith(UNUSED_FILES) or not urls.is_safe_output_path(path):
            continue
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(data)
    os.chmod(work, 0o755)
    try:
        os.rename(work, target)
    except OSError:  # made meanwhile by another build of the same project: same records, same part
        shutil.rmtree(work, ignore_errors=True)


_FRAGMENT_SIGNATURE = b"pagefind_dcd"


def _result_ids(bundle: Path, keys: dict[str, str]) -> dict[str, str]:
    """Record URL -> result id (the fragment file's name, what Pagefind's search returns)."""
    ids = {}
    for fragment in (bundle / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(fragment.read_bytes())
        if data.startswith(_FRAGMENT_SIGNATURE):
            data = data[len(_FRAGMENT_SIGNATURE):]
        url = json.loads(data).get("url", "")
        ids[url] = fragment.stem
    return {url: ids[url] for url in keys if url in ids}


def _link_index(index: Path, store: Path, state: IndexState) -> None:
    """Make `index` (in the build folder) hold the state's parts, linked from the store, and the
    manifest. A part already there from an earlier build is the same part (names are hashes)."""
    parts = state.sealed + state.hot
    parts_dir = index / "parts"
    parts_dir.mkdir(parents=True, exist_ok=True)
    wanted = {part.name for part in parts}
    for existing in list(parts_dir.iterdir()):
        if existing.name not in wanted:
            shutil.rmtree(existing, ignore_errors=True)
    for part in parts:
        if not (parts_dir / part.name).is_dir():
            work = Path(tempfile.mkdtemp(prefix=f".{part.name}-", dir=parts_dir))
            shutil.rmtree(work)
            shutil.copytree(store / part.name, work, copy_function=_link_or_copy)
            os.rename(work, parts_dir / part.name)
    ordered = sorted(parts, key=lambda part: part.language)  # stable: each language's parts oldest first, hot last
    manifest = {"version": 1,
                "parts": [{"path": f"parts/{part.name}/", "language": part.language} for part in ordered],
                "superseded": state.superseded}
    write_atomic(index / MANIFEST, (json.dumps(manifest, ensure_ascii=False, separators=(",", ":")) + "\n").encode())


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _load_state(path: Path) -> IndexState:
    """The last build's index, as it recorded it (a part since removed from the store is made again)."""
    try:
        with path.open("rb") as handle:
            state = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return IndexState()
    return state if isinstance(state, IndexState) else IndexState()


def _save_state(path: Path, state: IndexState) -> None:
    write_atomic(path, pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))


def _prune(config: Config) -> None:
    """Drop the parts that no output folder's index holds any more (builds of the project to other
    output folders share the store; a live site keeps its own links to its files)."""
    store = _store(config)
    if not store.is_dir():
        return
    wanted: set[str] = set()
    for state_file in config.cache_dir.glob("search-*.pickle"):
        state = _load_state(state_file)
        wanted.update(part.name for part in state.sealed + state.hot)
    for folder in store.iterdir():
        if folder.name not in wanted and not _being_written(folder):
            shutil.rmtree(folder, ignore_errors=True)


WRITING_GRACE = 3600
"""Seconds a part's temporary folder (`.name-…`) is left alone: a build of the project to another
output folder (its own lock) may be writing it now. Older ones were left by a killed process."""


def _being_written(folder: Path) -> bool:
    try:
        return folder.name.startswith(".") and time.time() - folder.stat().st_mtime < WRITING_GRACE
    except OSError:
        return False
