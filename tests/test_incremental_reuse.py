"""What a rebuild in a new process reuses from .cache/ instead of working out again.

(That the result equals a clean build is tests/test_incremental_property.py's job.)
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from briefings import archive as archive_module
from briefings import cache as build_cache
from briefings import fingerprints as fingerprints_module
from briefings import plan as plan_module
from briefings import site_manifest
from briefings.config import load_config
from briefings.fingerprints import Fingerprints
from briefings.pipeline import build
from briefings.render import Renderer
from helpers import content_file, create_project, parse_html, read_sitemap, resolve, snapshot, write_file


@pytest.fixture
def config(tmp_path: Path):
    root = create_project(tmp_path / "p").parent
    for i in range(12):
        write_file(root / "content" / "2024" / "05" / f"note-{i:02d}.md",
                   content_file({"title": f"Note {i}", "date": f"2024-05-{i + 1:02d}", "lang": "en",
                                 "topics": ["defence"] if i % 2 else ["defence", "china"]}, f"Text {i}."))
    yield load_config(root / "config.yaml")
    build_cache.forget_memory()


def rebuild_counting_related(config, monkeypatch) -> int:
    """Build as a new build.py process would (nothing in memory); how often related briefings
    were chosen from scratch."""
    build_cache.forget_memory()
    calls = []
    real = archive_module._related
    monkeypatch.setattr(archive_module, "_related", lambda *args: calls.append(1) or real(*args))
    build(config, search_index=False, jobs=1)
    return len(calls)


def test_related_briefings_are_chosen_again_only_when_what_they_depend_on_changes(config, monkeypatch) -> None:
    note = config.root / "content" / "2024" / "05" / "note-03.md"
    assert rebuild_counting_related(config, monkeypatch) == 1  # first build
    write_file(note, content_file({"title": "Note 3, retitled", "date": "2024-05-04", "lang": "en",
                                   "topics": ["defence"]}, "A longer text for note 3."))
    assert rebuild_counting_related(config, monkeypatch) == 0  # title and text: same choice
    write_file(note, content_file({"title": "Note 3", "date": "2023-01-04", "lang": "en",
                                   "topics": ["defence"]}, "Text 3."))
    assert rebuild_counting_related(config, monkeypatch) == 1  # a date moved: chosen again
    build_cache.related_file(config).write_bytes(b"not a pickle")
    write_file(note, content_file({"title": "Note 3", "date": "2023-01-04", "lang": "en",
                                   "topics": ["defence"]}, "Text 3, edited."))
    assert rebuild_counting_related(config, monkeypatch) == 1  # a damaged file is not trusted
    page = (config.site_dir / "2024" / "05" / "note-02" / "index.html").read_text(encoding="utf-8")
    assert 'class="related"' in page


@pytest.fixture
def months_config(tmp_path: Path):
    """Two briefings a month through the first half of 2024; feeds hold the two newest."""
    root = create_project(tmp_path / "m", {"feeds": {"items": 2}}).parent
    for month in range(1, 7):
        for day in (3, 17):
            write_file(root / "content" / "2024" / f"{month:02d}" / f"note-{month}-{day}.md",
                       content_file({"title": f"Note {month}/{day}", "date": f"2024-{month:02d}-{day:02d}",
                                     "lang": "en", "topics": ["defence"]}, f"Text of {month}/{day}."))
    yield load_config(root / "config.yaml")
    build_cache.forget_memory()


def rebuild_watching_pages(config, monkeypatch) -> tuple[set[str], set[str]]:
    """Build as a new process would; the pages rendered, and those fingerprinted afresh."""
    build_cache.forget_memory()
    rendered: list[str] = []
    fingerprinted: list[str] = []
    real_render, real_print = Renderer.render, Fingerprints.page
    monkeypatch.setattr(Renderer, "render", lambda self, page: rendered.append(page.path) or real_render(self, page))
    monkeypatch.setattr(Fingerprints, "page",
                        lambda self, page: fingerprinted.append(page.path) or real_print(self, page))
    build(config, search_index=False, jobs=1)
    return set(rendered), set(fingerprinted)


def test_editing_an_old_briefing_redoes_only_the_pages_that_show_it(months_config, monkeypatch) -> None:
    first, _ = rebuild_watching_pages(months_config, monkeypatch)
    note = months_config.root / "content" / "2024" / "02" / "note-2-17.md"
    with open(note, "a", encoding="utf-8") as handle:
        handle.write("\nA sentence more, so its word count changes too.\n")
    rendered, fingerprinted = rebuild_watching_pages(months_config, monkeypatch)
    assert {"2024/02/note-2-17/index.html", "2024/02/index.html", "2024/index.html"} <= rendered
    other_months = {f"2024/{m:02d}/index.html" for m in (1, 3, 4, 5, 6)}
    assert not rendered & other_months, "a month page shows its year's summary, not the year's briefings"
    assert not rendered & {"feed.xml", "atom.xml", "feed.json", "topics/defence/feed.xml", "sitemap.xml",
                           "sitemaps/2024.xml", "sitemaps/pages.xml"}
    assert rendered <= fingerprinted
    assert len(fingerprinted) < len(first) / 2, "pages that reach no edited briefing keep their fingerprint"


def test_a_new_briefing_leaves_older_listing_pages_as_they_were(tmp_path: Path, monkeypatch) -> None:
    """Older index and topic pages are numbered from the oldest: adding the newest briefing
    redoes the listing's first page only, until enough were added for one more page; then the
    older pages are redone too, since each says how many pages there are ("Page 2 sur 5"),
    and nothing else of them changes. Briefing counts are shown on the first page only, so
    the other months of the year are left as they were."""
    root = create_project(tmp_path / "p", {"per_page": 3}).parent

    def add(month: int, day: int) -> None:
        write_file(root / "content" / "2024" / f"{month:02d}" / f"note-{month}-{day}.md",
                   content_file({"title": f"Note {month}/{day}", "date": f"2024-{month:02d}-{day:02d}", "lang": "en",
                                 "topics": ["defence"]}))

    for month in range(1, 7):
        add(month, 3)
        add(month, 17)
    config = load_config(root / "config.yaml")
    rebuild_watching_pages(config, monkeypatch)

    def older() -> dict[str, bytes]:
        return {p.relative_to(config.site_dir).as_posix(): p.read_bytes()
                for p in config.site_dir.glob("page/*/index.html")}

    before = older()
    assert sorted(before) == ["page/1/index.html", "page/2/index.html", "page/3/index.html"]
    newest, oldest = (parse_html(config.site_dir / f"topics/defence/{p}index.html").find("h1") for p in ("", "page/1/"))
    assert "12 briefings" in newest.clean_text()
    assert "briefings" not in oldest.clean_text()  # the count is the newest page's: it changes with every addition
    assert resolve(config.site_dir, "topics/defence/page/1/index.html", oldest.find("a").attrs["href"]) == \
        config.site_dir / "topics/defence/index.html"
    add(7, 1)  # 13 briefings: the newest page holds 4
    rendered, _ = rebuild_watching_pages(config, monkeypatch)
    assert "index.html" in rendered and not {p for p in rendered if p.startswith("page/")}
    assert older() == before
    assert "topics/defence/index.html" in rendered and not {p for p in rendered if "/page/" in p}
    assert {p for p in rendered if p.startswith("2024/") and p.count("/") == 2} == {"2024/07/index.html"}
    add(7, 5), add(7, 9)  # 15: a fifth page, page 4, takes the newest page's three oldest
    rendered, _ = rebuild_watching_pages(config, monkeypatch)
    assert {p for p in rendered if p.startswith("page/")} == {f"page/{n}/index.html" for n in (1, 2, 3, 4)}
    after = older()
    assert {p: after[p] for p in before if p != "page/3/index.html"} == \
        {p: before[p].replace(b" sur 4", b" sur 5") for p in before if p != "page/3/index.html"}
    assert b"note-5-17" in after["page/4/index.html"] and b"note-6-3" in after["page/4/index.html"]
    assert b"note-4-17" in after["page/3/index.html"] and b'rel="prev" href="../4/"' in after["page/3/index.html"]


def test_sitemaps_hold_at_most_the_limit_and_a_new_briefing_changes_the_newest_part(
        tmp_path: Path, monkeypatch) -> None:
    """sitemaps.org allows 50,000 URLs a file: a year with more is cut into parts from its
    oldest briefing, so a new briefing re-renders its year's newest part and the index only."""
    monkeypatch.setattr(plan_module, "SITEMAP_LIMIT", 3)
    root = create_project(tmp_path / "p").parent

    def add(year: int, day: int) -> None:
        write_file(root / "content" / f"{year}-01-{day:02d}.md",
                   content_file({"title": f"Note {year}/{day}", "date": f"{year}-01-{day:02d}", "topics": ["defence"]}))

    for day in range(1, 8):
        add(2024, day)
    add(2023, 1)
    config = load_config(root / "config.yaml")
    rebuild_watching_pages(config, monkeypatch)
    base = config.base_url

    def dates() -> dict[str, list[str]]:
        return {url.removeprefix(f"{base}sitemaps/"): [lastmod for _, lastmod in entries]
                for url, entries in read_sitemap(config.site_dir, base).items()}

    before = dates()
    assert {name: before[name] for name in before if not name.startswith("pages")} == {
        "2024-3.xml": ["2024-01-07"], "2024-2.xml": ["2024-01-06", "2024-01-05", "2024-01-04"],
        "2024-1.xml": ["2024-01-03", "2024-01-02", "2024-01-01"], "2023.xml": ["2023-01-01"]}
    # 10 listings (with the topic's two topic × year pages), cut alike
    assert [len(before[f"pages-{n}.xml"]) for n in (4, 3, 2, 1)] == [1, 3, 3, 3]
    add(2024, 8)
    rendered, _ = rebuild_watching_pages(config, monkeypatch)
    assert {"sitemap.xml", "sitemaps/2024-3.xml"} <= rendered
    assert not rendered & {"sitemaps/2024-2.xml", "sitemaps/2024-1.xml", "sitemaps/2023.xml", "sitemaps/pages-1.xml"}
    after = dates()
    assert after["2024-3.xml"] == ["2024-01-08", "2024-01-07"]
    # the index's, its topic's and its topic × year page's newest dates changed, in the listings' newer parts
    assert {name for name in after if after[name] != before[name]} == {"2024-3.xml", "pages-4.xml", "pages-3.xml",
                                                                       "pages-2.xml"}


def test_a_new_engine_renders_every_page_again(months_config, monkeypatch) -> None:
    """Pages made by other code (an upgrade of the engine, Jinja2 or markdown-it) are not kept,
    even when no input changed: the build is not taken for a no-op."""
    first, _ = rebuild_watching_pages(months_config, monkeypatch)
    assert rebuild_watching_pages(months_config, monkeypatch)[0] == set()  # nothing changed: nothing redone
    for module in (fingerprints_module, build_cache):  # what the pages' fingerprints and the no-op check see
        monkeypatch.setattr(module, "engine_stamp", lambda: "another version of the engine")
    rendered, _ = rebuild_watching_pages(months_config, monkeypatch)
    assert rendered == first


def test_compiled_templates_survive_their_folder_being_deleted(tmp_path: Path) -> None:
    """.cache/ is safe to delete at any time, even while the preview keeps a Renderer whose
    compiled templates live there: the next template compiled is written to a new folder."""
    import shutil

    import jinja2

    from briefings.render import CompiledTemplates
    folder = tmp_path / ".cache" / "templates"
    env = jinja2.Environment(loader=jinja2.DictLoader({"a.html": "A {{ x }}", "b.html": "B {{ x }}"}),
                             bytecode_cache=CompiledTemplates(str(folder)))
    assert env.get_template("a.html").render(x=1) == "A 1"
    shutil.rmtree(tmp_path / ".cache")
    assert env.get_template("b.html").render(x=2) == "B 2"
    assert len(list(folder.iterdir())) == 1


def clean_build_of(root: Path, tmp_path: Path) -> dict[str, bytes]:
    """The site a first build makes of the same content and config, with no cache."""
    clean = tmp_path / "clean"
    shutil.copytree(root / "content", clean / "content")
    shutil.copy2(root / "config.yaml", clean / "config.yaml")
    config = load_config(clean / "config.yaml")
    build(config, persist=False, search_index=False, jobs=1)
    return snapshot(config.site_dir)


def test_a_briefing_that_takes_over_a_removed_ones_page_refreshes_its_neighbours(tmp_path: Path) -> None:
    """Two files with one slug in one month: the later file is published as `same-2`. Removing
    the first moves the second to `same/` while its file stays as it was: the pages beside it
    (whose neighbour is still at `same/`) must show it, not the removed one."""
    root = create_project(tmp_path / "p", {"related": 2}).parent

    def note(day: int, title: str) -> str:
        return content_file({"title": title, "date": f"2024-03-{day:02d}", "lang": "en", "topics": ["defence"]},
                            f"Text of {title}.")

    for day in (2, 9, 16, 23):
        write_file(root / "content" / "2024" / "03" / f"note-{day}.md", note(day, f"Note {day}"))
    write_file(root / "content" / "2024" / "03" / "a" / "same.md", note(12, "First same"))
    write_file(root / "content" / "2024" / "03" / "b" / "same.md", note(13, "Second same"))
    config = load_config(root / "config.yaml")
    build(config, search_index=False, jobs=1)
    assert "Second same" in (config.site_dir / "2024" / "03" / "same-2" / "index.html").read_text(encoding="utf-8")
    (root / "content" / "2024" / "03" / "a" / "same.md").unlink()
    build_cache.forget_memory()
    build(config, search_index=False, jobs=1)
    site = snapshot(config.site_dir)
    assert "Second same" in site["2024/03/note-9/index.html"].decode()
    assert site == clean_build_of(root, tmp_path)



def test_a_build_stopped_between_its_two_records_keeps_no_stale_page(tmp_path: Path, monkeypatch) -> None:
    """What site/ holds, with each file's fingerprint, is the site writer's record; the digests
    those fingerprints were made from are the build cache's, saved after it. A build stopped
    between the two saves must not pair its new fingerprints with the old digests: here its edit
    is then undone, and the pages showing the briefing must show the old text again."""
    root = create_project(tmp_path / "p", {"related": 2}).parent
    for day in (2, 9, 16):
        write_file(root / "content" / "2024" / "03" / f"note-{day}.md",
                   content_file({"title": f"Note {day}", "date": f"2024-03-{day:02d}", "lang": "en",
                                 "topics": ["defence"]}, f"Text of note {day}."))
    config = load_config(root / "config.yaml")
    build(config, search_index=False, jobs=1)
    note = root / "content" / "2024" / "03" / "note-9.md"
    original = note.read_text(encoding="utf-8")
    write_file(note, original.replace("Note 9", "Note 9, edited"))

    def stopped(*args, **kwargs) -> None:
        raise KeyboardInterrupt
    monkeypatch.setattr(build_cache, "save_cache", stopped)
    with pytest.raises(KeyboardInterrupt):
        build(config, search_index=False, jobs=1)
    monkeypatch.undo()
    assert "Note 9, edited" in (config.site_dir / "2024" / "03" / "note-9" / "index.html").read_text(encoding="utf-8")
    build_cache.forget_memory()  # as a new build.py process
    site_manifest.forget_memory()
    write_file(note, original)
    build(config, search_index=False, jobs=1)
    assert snapshot(config.site_dir) == clean_build_of(root, tmp_path)
