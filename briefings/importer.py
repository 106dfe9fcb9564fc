"""`build.py import`: seeds/*.txt -> content/YYYY/MM/<slug>.md. The only code that writes content/.

Import is idempotent and safe: a content file a person may have edited is
never overwritten. `content/.imported.json` records the hash of what import
last wrote for each seed id, so a file still matching it can be updated when
its seed changes, while a file that differs is kept. `--force` regenerates.

A killed import leaves nothing behind that the next one does not mend: each
file's record goes to a journal (`content/.imported.journal`) before the file
is written, the next import takes in the records whose file holds exactly what
was written (so a seed edited after the kill still reaches its file, instead of
the file passing for a person's edit), and removes the killed run's temporary
files. The manifest takes the journal in at the end of each import.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from . import dates, frontmatter, language
from .config import Config
from .dates import BriefingDate, to_yaml
from .errors import SiteError, SiteErrors, display_path
from .fsutil import flush_all, leftover_target, write_atomic
from .journal import Journal
from .seeds import MAX_SEED_BYTES, Block, Seed, checked_id, parse_seed_with_warnings, seed_id, too_big
from .text import summarize
from .topics import classify
from .urls import date_folder, is_safe_output_path, slugify, unique_slug
from .workers import map_items

MANIFEST = ".imported.json"
JOURNAL = ".imported.journal"
"""The content files written since the manifest was: one JSON line each (seed id, file, digest)."""
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|&~])")
_LINE_START = re.compile(r"^(#|>|=|\+|-)")
_ORDERED_START = re.compile(r"^(\d+)([.)])")
"""`1.` starts a list; only punctuation can be escaped in Markdown, so it becomes `1\\.`."""


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    failed: list[SiteError] = field(default_factory=list)
    warnings: list[SiteError] = field(default_factory=list)
    orphaned: list[str] = field(default_factory=list)
    """Content files import wrote whose seed is gone, still in content/ (and published)."""
    removed: list[str] = field(default_factory=list)
    """Content files `--prune` removed: their seed was gone and nobody had edited them."""

    def summary(self) -> str:
        total = sum(len(group) for group in (self.created, self.updated, self.unchanged, self.kept, self.failed))
        gone = ""
        if self.orphaned or self.removed:
            gone = f"; {len(self.orphaned) + len(self.removed)} without their seed"
            gone += f" ({len(self.removed)} removed)" if self.removed else ""
        return (f"{total} seeds: {len(self.created)} created, {len(self.updated)} updated, "
                f"{len(self.unchanged)} unchanged, {len(self.kept)} kept (edited), "
                f"{len(self.failed)} failed{gone}")


def seed_files(config: Config) -> tuple[list[Path], list[SiteError]]:
    """The seed files under seeds/ (`*.txt`, subfolders included, in path order), and a warning
    for every other entry: nothing in seeds/ is left out without a word."""
    found: list[Path] = []
    skipped: list[SiteError] = []
    _scan_seeds(config.seeds_dir, config.root, found, skipped)
    return sorted(found), sorted(skipped, key=lambda e: e.path)


_SEED_HINT = "seeds are named NNN_<hex id>.txt; move other files out of seeds/"


def _scan_seeds(folder: Path, root: Path, found: list[Path], skipped: list[SiteError]) -> None:
    """Walk `folder` (links to folders are not followed: one could loop), saying what was
    left out and how to get it imported."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return  # no seeds/ yet
    for entry in entries:
        path = Path(entry.path)
        why = _skipped(entry, path)
        if why is None and entry.is_dir(follow_symlinks=False):
            _scan_seeds(path, root, found, skipped)
        elif why is None:
            found.append(path)
        else:
            skipped.append(SiteError(display_path(path, root), None, *why, warning=True))


def _skipped(entry: os.DirEntry[str], path: Path) -> tuple[str, str] | None:
    """Why import leaves this entry out: (what the user is told, how to have it imported);
    None for a seed file or a folder to look into."""
    if entry.name.startswith("."):
        kind = "folder" if entry.is_dir() else "file"
        return (f"hidden {kind}, not imported",
                "rename it without the leading dot to import it, or move it out of seeds/")
    if entry.is_symlink() and not path.exists():
        return "a link to a missing file, not imported", "point the link at a seed file, or remove it"
    if entry.is_symlink() and entry.is_dir():
        return "a link to a folder, not followed", "move that folder's seeds into seeds/, or link each seed file"
    if entry.is_dir():
        return None
    if not entry.is_file():
        return "not a regular file, not imported", _SEED_HINT
    if path.suffix != ".txt" and path.suffix.lower() == ".txt":
        return (f"not imported: the extension is `{path.suffix}`, seed files end in lowercase `.txt`",
                f"rename it to {path.stem}.txt")
    if path.suffix != ".txt":
        return "not a `.txt` file, not imported", _SEED_HINT
    return None


def read_seed(path: Path, shown: str, replace_invalid: bool = False) -> tuple[Seed, list[SiteError]]:
    """Read and parse one seed file; a misnamed or too big file is refused before it is read."""
    checked_id(path, shown)
    try:
        size = path.stat().st_size
        if size > MAX_SEED_BYTES:
            raise SiteErrors([too_big(shown, size)])
        data = path.read_bytes()
    except OSError as exc:
        raise SiteErrors([SiteError(shown, None, f"cannot read: {exc.strerror or exc}",
                                    "check the file exists and is readable")]) from None
    return parse_seed_with_warnings(path, data, shown, replace_invalid)


def check_seeds(config: Config) -> list[SiteError]:
    """Every problem `import` would report, with nothing written."""
    paths, problems = seed_files(config)
    seen_ids: dict[str, str] = {}
    for path in paths:
        shown = display_path(path, config.root)
        try:
            seed, warnings = read_seed(path, shown)
        except SiteErrors as exc:
            problems.extend(exc.errors)
            continue
        problems.extend(warnings)
        if seed.id in seen_ids:
            problems.append(_duplicate(seed, shown, seen_ids))
        seen_ids.setdefault(seed.id, shown)
    return problems


def _duplicate(seed: Seed, shown: str, seen_ids: dict[str, str]) -> SiteError:
    return SiteError(shown, None, f"same id '{seed.id}' as {seen_ids[seed.id]}",
                     "give each seed a unique NNN_<hex id>.txt name")


def import_seeds(config: Config, force: bool = False, only: list[Path] | None = None,
                 replace_invalid: bool = False, jobs: int | None = None, prune: bool = False,
                 today: dt.date | None = None) -> ImportReport:
    """Import every seed (or just `only`); problems are collected in the report, never raised.

    A full import also lists the content files it wrote whose seed is gone (see `_seedless`);
    with `prune` it removes those nobody edited.

    `replace_invalid` imports seeds with invalid UTF-8, the bad bytes replaced by U+FFFD
    (with a warning each), instead of refusing them. Seeds are converted on every core
    (`jobs`: how many processes, None for all when there are many seeds), then written
    in file order by this process alone, so slugs and the manifest do not depend on timing.
    A published briefing rewritten from its changed seed records `updated:` with `today`
    (by default today in the site's time zone, or BRIEFINGS_TODAY's day: dates.today); a
    briefing counts as published once a finished import recorded it in the manifest (one only a
    killed import wrote, known from its journal, is mended as if that import had not run).
    """
    report = ImportReport()
    updated_on = (today or dates.today(config.timezone)).isoformat()
    files, leftovers = _content_files(config.content_dir)
    _remove_leftovers(leftovers, config, report)
    journal = Journal(config.content_dir / JOURNAL)
    manifest = _read_manifest(config)
    recorded = dict(manifest)
    _replay_journal(journal, config, manifest)
    existing = _existing_ids(files)
    taken = taken_paths(config, files)
    seen_ids: dict[str, str] = {}
    paths, skipped = seed_files(config) if only is None else (only, [])
    report.warnings.extend(skipped)
    try:
        for path, (seed, text, problems) in _converted(paths, config, replace_invalid, jobs):
            if seed is None:
                report.failed.extend(problems)
                continue
            if seed.id in seen_ids:
                report.failed.append(_duplicate(seed, display_path(path, config.root), seen_ids))
                continue
            report.warnings.extend(problems)
            seen_ids[seed.id] = display_path(path, config.root)
            try:
                _write_content_file(seed, text, config, force, manifest, existing, taken, report, journal,
                                    updated_on if seed.id in recorded else None)
            except SiteErrors as exc:
                report.failed.extend(exc.errors)
        if only is None:
            _seedless(config, paths, manifest, existing, prune and not report.failed, report)
            if prune and report.failed and report.orphaned:
                report.warnings.append(SiteError("seeds", None, "--prune removed nothing, since a seed failed: "
                                                 "its content file would have passed for one whose seed is gone",
                                                 "fix the failed seeds, then import --prune again", warning=True))
    finally:
        journal.close()
    if manifest != recorded or journal.path.exists():
        try:
            flush_all()  # the content files reach the disk before the manifest that vouches for them
            _write_manifest(config, manifest)
            journal.remove()
        except OSError as exc:
            report.failed.append(SiteError(display_path(config.content_dir / MANIFEST, config.root), None,
                                           f"cannot write: {exc.strerror or exc}",
                                           "check that content/ is writable and the disk is not full"))
    return report


def _seedless(config: Config, seeds: list[Path], manifest: dict[str, str], existing: dict[str, Path],
              prune: bool, report: ImportReport) -> None:
    """The content files import wrote (their id is in the manifest) whose seed file is gone:
    each is named in a warning, since its page stays published. With `prune` (never after a
    seed failed: a seed misnamed or unreadable would pass for gone) a file that still holds
    what import wrote is removed, with its manifest entry; an edited one is kept, warned about."""
    present = {_seed_id_or_none(path) for path in seeds}
    for sid, target in sorted(existing.items(), key=lambda item: item[1]):
        if sid in present or sid not in manifest:
            continue  # a seed's, or a file a person wrote: not import's to remove
        shown = display_path(target, config.root)
        try:
            edited = hashlib.sha256(target.read_bytes()).hexdigest() != manifest[sid]
            if prune and not edited:
                target.unlink()
                _remove_empty_folders(target.parent, config.content_dir)
                del manifest[sid]
                report.removed.append(shown)
                continue
        except OSError as exc:
            report.warnings.append(SiteError(shown, None, f"its seed (id {sid}) is gone, and it cannot be "
                                             f"removed: {exc.strerror or exc}", "delete it yourself", warning=True))
            continue
        report.orphaned.append(shown)
        if prune:
            report.warnings.append(SiteError(shown, None, f"its seed (id {sid}) is gone, but the file was edited: "
                                             "kept, and still published", "delete it yourself if it should go",
                                             warning=True))
        else:
            report.warnings.append(SiteError(shown, None, f"its seed (id {sid}) is gone; the page stays published",
                                             "`build.py import --prune` removes such files unless edited",
                                             warning=True))


def _seed_id_or_none(path: Path) -> str | None:
    try:
        return seed_id(path)
    except ValueError:
        return None


def _remove_empty_folders(folder: Path, content_dir: Path) -> None:
    """Folders a removed file leaves empty (its month, then its year), up to content/ itself."""
    while folder != content_dir and content_dir in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return  # not empty
        folder = folder.parent


IMPORT_BATCH = 4000
"""Seeds converted per round: the texts of one round are held in memory, not the archive's."""


def _converted(paths: list[Path], config: Config, replace_invalid: bool, jobs: int | None
               ) -> Iterator[tuple[Path, tuple[Seed | None, str, list[SiteError]]]]:
    """(path, _convert(path)) in path order, converted a batch at a time on every core.
    The language model is loaded first, in this process, so that the forked workers share it."""
    if paths:
        language.preload(config.cache_dir)
    for start in range(0, len(paths), IMPORT_BATCH):
        batch = paths[start:start + IMPORT_BATCH]
        yield from zip(batch, map_items(lambda path: _convert(path, config, replace_invalid), batch, jobs), strict=True)


def _convert(path: Path, config: Config, replace_invalid: bool
             ) -> tuple[Seed | None, str, list[SiteError]]:
    """A seed read and turned into its content file's text: (seed, text, warnings), or
    (None, "", errors). Runs in worker processes: the seed comes back without its blocks."""
    shown = display_path(path, config.root)
    try:
        seed, warnings = read_seed(path, shown, replace_invalid)
    except SiteErrors as exc:
        return None, "", exc.errors
    text = content_text(seed, config, shown, warnings)
    return replace(seed, blocks=()), text, warnings


def _write_content_file(seed: Seed, text: str, config: Config, force: bool, manifest: dict[str, str],
                        existing: dict[str, Path], taken: set[str], report: ImportReport, journal: Journal,
                        updated_on: str | None) -> None:
    """Write the seed's content file unless that would overwrite a person's edits. The journal
    gets the file's record first: a kill right after the file is renamed into place (before
    any later write could record it) must not leave it unaccounted for. A published file
    rewritten because its seed changed records the day, `updated_on` (None for one not
    published yet), in `updated:`; a file whose seed is unchanged keeps the `updated:` an
    earlier import wrote."""
    target = existing.get(seed.id)
    if target is None:
        target = new_content_path(config, seed.date, seed.title, taken)
        outcome = report.created
    else:
        try:
            current = target.read_bytes()
        except OSError as exc:
            raise SiteErrors([SiteError(display_path(target, config.root), None,
                                        f"cannot read: {exc.strerror or exc}",
                                        "check the file is readable")]) from None
        regenerated = with_updated(text, _updated_value(current))
        if current == regenerated.encode():
            report.unchanged.append(display_path(target, config.root))
            manifest[seed.id] = hashlib.sha256(current).hexdigest()
            return
        edited = hashlib.sha256(current).hexdigest() != manifest.get(seed.id)
        if edited and not force:
            report.kept.append(display_path(target, config.root))
            return
        seed_changed = hashlib.sha256(regenerated.encode()).hexdigest() != manifest.get(seed.id)
        # --force alone: no update
        text = with_updated(text, updated_on) if seed_changed and updated_on else regenerated
        outcome = report.updated
    digest = hashlib.sha256(text.encode()).hexdigest()
    try:
        journal.append(_journal_record(seed.id, target, digest, config))
        write_atomic(target, text.encode(), durable=False)
    except OSError as exc:  # disk full, folder not writable: the old file is still whole
        raise SiteErrors([SiteError(display_path(target, config.root), None,
                                    f"cannot write it from {display_path(seed.path, config.root)}: "
                                    f"{exc.strerror or exc}",
                                    "check that content/ is writable and the disk is not full; "
                                    "the previous version of the file is unchanged")]) from None
    manifest[seed.id] = digest
    existing[seed.id] = target
    outcome.append(display_path(target, config.root))


def taken_paths(config: Config, files: list[Path]) -> set[str]:
    """The content files' paths as `new_content_path` compares them (`2023/08/slug`)."""
    return {p.relative_to(config.content_dir).with_suffix("").as_posix() for p in files}


def new_content_path(config: Config, date: BriefingDate, headline: str, taken: set[str]) -> Path:
    """Where a new briefing's content file goes: `content/YYYY/MM/<slug>.md`, its slug from the
    headline in any script, made free with `-2`, `-3`… (`taken`, which this adds it to).
    Import and `build.py new` both place files here."""
    folder = date_folder(date)
    return config.content_dir / f"{unique_slug(f'{folder}/{slugify(headline, romanize=True)}', taken)}.md"


def content_files(config: Config) -> list[Path]:
    """The Markdown files under content/, as import and loading see them."""
    return _content_files(config.content_dir)[0]


def content_text(seed: Seed, config: Config, shown: str, warnings: list[SiteError] | None = None) -> str:
    """The content file for a seed: front matter then Markdown body. A language the model is
    unsure of becomes the site's, with a warning added to `warnings`."""
    body = seed_markdown(seed.blocks)
    first_paragraph = next((b.text for b in seed.blocks if b.kind == "paragraph"), seed.title)
    lang, sure = language.detect_language(seed.title + "\n" + seed.body_text, default=config.language)
    if not sure and warnings is not None:
        warnings.append(SiteError(shown, None, f"language not recognised with confidence; "
                                  f"imported as `lang: {lang}`, the site language",
                                  "set `lang:` in the content file's front matter if it is wrong",
                                  warning=True))
    meta = {
        "title": headline_title(seed.title),
        "date": to_yaml(seed.date),
        "topics": classify(config, seed.title, seed.body_text),
        "lang": lang,
        "summary": summarize(first_paragraph),
        "id": seed.id,
        "source": shown,
    }
    return frontmatter.join(meta, body)


def _updated_value(text: bytes) -> str | None:
    """The `updated:` value in a content file's header, as written."""
    return frontmatter.header_value(text[:4096].decode("utf-8", "replace"), "updated")


def with_updated(text: str, value: str | None) -> str:
    """A content file's text (as content_text makes it) with `updated: value` after its
    `date:` line; as it is when `value` is None."""
    if value is None:
        return text
    head, sep, rest = text.partition("\ndate: ")
    date_line, newline, after = rest.partition("\n")
    return f"{head}{sep}{date_line}{newline}updated: {value}\n{after}"


def headline_title(headline: str) -> str:
    """A headline sentence loses its final full stop, in any script (`.`, `。`, `।`, `۔`…),
    to become a title; not `?`, `!` or `…`."""
    if headline.endswith(tuple(language.FULL_STOPS)) and not headline.endswith(".."):
        return headline[:-1].rstrip()
    return headline


def seed_markdown(blocks: tuple[Block, ...]) -> str:
    """Seed blocks as Markdown: subheadings become `##`, lists `-`; seed text is escaped
    so that nothing in it is read as Markdown syntax."""
    parts = []
    for block in blocks:
        if block.kind == "heading":
            parts.append("## " + escape_markdown(block.text))
        elif block.kind == "list":
            parts.append("\n".join("- " + escape_markdown(item) for item in block.text.split("\n")))
        else:
            parts.append(escape_markdown(block.text))
    return "\n\n".join(parts)


def escape_markdown(text: str) -> str:
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    text = _ORDERED_START.sub(r"\1\\\2", text)
    return _LINE_START.sub(r"\\\1", text)


def _content_files(content_dir: Path) -> tuple[list[Path], list[Path]]:
    """The Markdown files under content/ (hidden ones left out, as loading does), in path
    order, and the temporary files a killed import left: one walk for both."""
    files: list[Path] = []
    leftovers: list[Path] = []
    _walk_content(str(content_dir), files, leftovers)
    return sorted(files), leftovers


def _walk_content(folder: str, files: list[Path], leftovers: list[Path]) -> None:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return  # no content/ yet
    for entry in entries:
        name = entry.name
        if name.endswith(".tmp") and _own_target(leftover_target(name)):
            leftovers.append(Path(entry.path))
        elif name.startswith("."):
            continue
        elif entry.is_dir(follow_symlinks=False):
            _walk_content(entry.path, files, leftovers)
        elif name.endswith(".md"):
            files.append(Path(entry.path))


def _own_target(name: str | None) -> bool:
    """Whether import writes files of this name: content files and its manifest."""
    return name is not None and (name.endswith(".md") or name == MANIFEST)


def _remove_leftovers(leftovers: list[Path], config: Config, report: ImportReport) -> None:
    """A killed import's temporary files (never a person's: only write_atomic's names for
    import's own files) go, so none stays behind in a folder people commit."""
    for path in leftovers:
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            report.warnings.append(SiteError(display_path(path, config.root), None,
                                             f"cannot remove this temporary file of a killed import: "
                                             f"{exc.strerror or exc}", "delete it", warning=True))


def _journal_record(seed_id: str, target: Path, digest: str, config: Config) -> bytes:
    file = target.relative_to(config.content_dir).as_posix()
    return json.dumps({"id": seed_id, "file": file, "sha256": digest}, ensure_ascii=False).encode() + b"\n"


def _journal_line(stream: BinaryIO) -> tuple[str, str, str]:
    """One record of the journal: (seed id, file under content/, digest); raises on a torn
    or foreign line (the journal sits in a folder people commit: nothing in it is trusted)."""
    line = stream.readline()
    if not line.endswith(b"\n"):
        raise ValueError("torn record")
    record = json.loads(line)
    fields = ("id", "file", "sha256")
    sid, file, digest = (record.get(key) for key in fields) if isinstance(record, dict) else [None] * 3
    if not (isinstance(sid, str) and isinstance(digest, str) and isinstance(file, str)
            and file.endswith(".md") and is_safe_output_path(file)):
        raise ValueError("not an import record")
    return sid, file, digest


def _replay_journal(journal: Journal, config: Config, manifest: dict[str, str]) -> None:
    """Take a killed import's records into `manifest`: a file that holds exactly what the
    record says was written is import's own, as if the manifest had recorded it (a file
    whose write never happened, or was edited since, is left as the manifest has it)."""
    records, _ = journal.read(_journal_line)  # a torn last record: its file was not written yet
    for sid, file, digest in records:
        try:
            if hashlib.sha256((config.content_dir / file).read_bytes()).hexdigest() == digest:
                manifest[sid] = digest
        except OSError:
            continue  # never written, or removed since


def _existing_ids(files: list[Path]) -> dict[str, Path]:
    """Seed id -> content file, read from each file's header (cheap: no YAML)."""
    ids: dict[str, Path] = {}
    for path in files:
        value = frontmatter.header_value(path.read_bytes()[:4096].decode("utf-8", "replace"), "id")
        seed_id = (value or "").strip("'\"")
        if seed_id.isascii() and seed_id.isalnum():
            ids.setdefault(seed_id.lower(), path)
    return ids


def _read_manifest(config: Config) -> dict[str, str]:
    try:
        data = json.loads((config.content_dir / MANIFEST).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_manifest(config: Config, manifest: dict[str, str]) -> None:
    data = json.dumps(dict(sorted(manifest.items())), indent=1).encode()
    write_atomic(config.content_dir / MANIFEST, data + b"\n")
