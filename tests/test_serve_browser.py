"""`build.py serve` in a real browser: saves show up without a manual reload, errors as an overlay.

Headless Chromium (tests/browser.py) against a PreviewServer on a free loopback
port, over a throwaway copy of the real config and seed.
"""
from __future__ import annotations

import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from briefings import pipeline
from briefings.config import load_config
from briefings.importer import import_seeds
from briefings.serve import PreviewServer, ReloadChannel
from browser import launch_browser
from helpers import running_preview

REPO = Path(__file__).resolve().parent.parent
SEED_NAME = "000_3f4d1d9cf0a4d9f4.txt"
SLUG = "le-dirigeant-de-la-coree-du-nord-kim-jong-un-a-appele-sa"
CONTENT = f"content/2023/08/{SLUG}.md"
PAGE = f"2023/08/{SLUG}/"
OVERLAY = "#briefings-error-overlay"
WAIT_MS = 10_000


def make_project(root: Path) -> Path:
    """The real config and seed, copied into `root` and imported; returns config.yaml's path."""
    (root / "seeds").mkdir(parents=True)
    shutil.copy(REPO / "config.yaml", root / "config.yaml")
    shutil.copy(REPO / "seeds" / SEED_NAME, root / "seeds" / SEED_NAME)
    assert not import_seeds(load_config(root / "config.yaml")).failed
    return root / "config.yaml"


def save(path: Path, text: str) -> float:
    """Save as editors do (temp file, then rename over the original); returns when it was saved."""
    temp = path.with_name(f".{path.name}.swp")
    temp.write_text(text, encoding="utf-8")
    saved = time.monotonic()
    os.replace(temp, path)
    return saved


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launch_browser() as browser:
        yield browser


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


@pytest.fixture
def server(project: Path) -> Iterator[PreviewServer]:
    with running_preview(project, delay=0.05) as preview:
        yield preview


def listening(channel: ReloadChannel, tabs: int = 1) -> None:
    """Wait until `tabs` event streams are subscribed to the preview's changes: a change made
    after this reaches them (instead of sleeping and hoping the tab has connected)."""
    deadline = time.monotonic() + 30
    while channel.listeners < tabs:
        assert time.monotonic() < deadline, f"{channel.listeners} of {tabs} tabs listening after 30 s"
        time.sleep(0.01)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    yield context.new_page()
    context.close()


def test_edits_errors_and_new_seeds_show_up_without_reloading(
        server: PreviewServer, project: Path, page: Page) -> None:
    content = project.parent / CONTENT
    original = content.read_text(encoding="utf-8")
    script_errors: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    page.goto(server.url + PAGE)
    listening(server.channel)  # the tab gets every change from now on

    # An edit to the body appears by itself.
    saved = save(content, original + "\nUne phrase écrite pendant la prévisualisation.\n")
    page.get_by_text("Une phrase écrite pendant la prévisualisation.").wait_for(timeout=WAIT_MS)
    print(f"edit shown {time.monotonic() - saved:.3f} s after saving")

    # Broken front matter: the overlay names the file and line; the last good page stays underneath.
    saved = save(content, original.replace("topics: [north-korea, defence]", "topics: [north-korea, defence"))
    overlay = page.locator(OVERLAY)
    overlay.wait_for(timeout=WAIT_MS)
    print(f"overlay shown {time.monotonic() - saved:.3f} s after saving")
    assert overlay.evaluate("e => getComputedStyle(e).position") == "fixed"
    first = overlay.locator("li").first.inner_text()  # the error as the terminal prints it
    assert re.match(rf"{re.escape(CONTENT)}:\d+: ", first), first
    assert first == server.channel.state()["errors"][0]["text"]  # SiteError's own text, not a copy of its format
    assert "did not find expected" in overlay.inner_text()
    assert page.get_by_text("Une phrase écrite pendant la prévisualisation.").is_visible()

    # A tab opened while the build is broken shows the overlay too.
    other = page.context.new_page()
    other.goto(server.url)
    other.locator(OVERLAY).wait_for(timeout=WAIT_MS)
    assert CONTENT in other.locator(OVERLAY).inner_text()

    # The fix clears the overlay in both tabs and shows the fixed text.
    saved = save(content, original + "\nLe texte corrigé.\n")
    page.get_by_text("Le texte corrigé.").wait_for(timeout=WAIT_MS)
    print(f"fix shown {time.monotonic() - saved:.3f} s after saving")
    assert page.locator(OVERLAY).count() == 0
    other.locator(OVERLAY).wait_for(state="detached", timeout=WAIT_MS)

    # A new seed is imported, built, and listed on the index page.
    saved = save(project.parent / "seeds" / "001_aaaabbbbccccdddd.txt",
                 " date 2024-03 La Chine annonce une croissance de cinq pour cent.\n\n"
                 "Pékin a fixé un objectif de croissance économique d'environ 5 % pour cette année.\n")
    other.get_by_text("La Chine annonce une croissance de cinq pour cent").first.wait_for(timeout=WAIT_MS)
    print(f"new seed listed {time.monotonic() - saved:.3f} s after saving")
    assert script_errors == []


def test_a_build_with_a_broken_seed_shows_its_new_pages_and_the_seed_s_error(
        server: PreviewServer, project: Path, page: Page) -> None:
    page.goto(server.url)
    listening(server.channel)
    save(project.parent / "seeds" / "002_abcdef0123456789.txt", "no date line here\n")
    save(project.parent / "seeds" / "001_aaaabbbbccccdddd.txt",
         " date 2024-03 La Chine annonce une croissance de cinq pour cent.\n\n"
         "Pékin a fixé un objectif de croissance économique d'environ 5 % pour cette année.\n")
    # the site built beside the broken seed is shown (the tab reloads), with the seed's error over it
    page.get_by_text("La Chine annonce une croissance de cinq pour cent").first.wait_for(timeout=WAIT_MS)
    page.locator(OVERLAY).wait_for(timeout=WAIT_MS)
    assert "seeds/002_abcdef0123456789.txt" in page.locator(OVERLAY).inner_text()


def test_error_text_is_shown_as_text_never_as_html(server: PreviewServer, project: Path, page: Page) -> None:
    original = project.read_text(encoding="utf-8")
    page.goto(server.url)
    listening(server.channel)
    save(project, original.replace("per_page: 20", "per_page: '<img src=x onerror=window.pwned=1>'"))
    overlay = page.locator(OVERLAY)
    overlay.wait_for(timeout=WAIT_MS)
    assert "<img src=x onerror=window.pwned=1>" in overlay.inner_text()
    assert overlay.locator("img").count() == 0  # no element, so no onerror can ever run
    assert page.evaluate("window.pwned") is None
    save(project, original)
    overlay.wait_for(state="detached", timeout=WAIT_MS)


def test_a_css_change_swaps_the_stylesheet_without_reloading(
        server: PreviewServer, project: Path, page: Page) -> None:
    static = project.parent / "templates" / "static"
    version = server.channel.version
    static.mkdir(parents=True)  # a fresh project has no templates/: it is watched once created,
    deadline = time.monotonic() + 30  # and rebuilt (in case files arrived before the watch did)
    while server.channel.version == version and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.channel.version != version, "the new folder was not built"
    page.goto(server.url)
    page.evaluate("window.notReloaded = true")
    listening(server.channel)
    save(static / "style.css", "body { background-color: rgb(1, 2, 3) }\n")
    page.wait_for_function("getComputedStyle(document.body).backgroundColor === 'rgb(1, 2, 3)'",
                           timeout=WAIT_MS)
    assert page.evaluate("window.notReloaded") is True


def test_a_tab_opened_before_the_first_good_build_shows_the_errors_then_the_site(
        project: Path, page: Page) -> None:
    content = project.parent / CONTENT
    original = content.read_text(encoding="utf-8")
    content.write_text(original.replace("---\n", "", 1), encoding="utf-8")  # no front matter at all
    preview = PreviewServer(project, port=0, delay=0.05)
    preview.start()
    try:
        response = page.goto(preview.url)
        assert response is not None and response.status == 404  # nothing built yet
        page.locator(OVERLAY).wait_for(timeout=WAIT_MS)
        assert f"{CONTENT}:1" in page.locator(OVERLAY).inner_text()
        save(content, original)
        page.locator("h1, h2").first.wait_for(timeout=WAIT_MS)
        page.wait_for_function("!document.getElementById('briefings-error-overlay')", timeout=WAIT_MS)
        assert page.get_by_text("Kim Jong-un").first.is_visible()
    finally:
        preview.stop()


def test_a_tab_opened_during_a_slow_first_build_shows_the_last_site_then_the_final_pages(
        project: Path, page: Page) -> None:
    pipeline.build(load_config(project), search_index=False)
    content = project.parent / CONTENT
    original = content.read_text(encoding="utf-8")
    content.write_text(original + "\nUne phrase écrite depuis le dernier build.\n", encoding="utf-8")
    hold = threading.Event()
    preview = PreviewServer(project, port=0, delay=0.05, hold_first_build=hold)
    preview.start()  # returns at once: the last build's site/ is served meanwhile
    try:
        assert not preview.wait_for_first_build(timeout=0)
        response = page.goto(preview.url + PAGE)
        assert response is not None and response.status == 200
        assert page.get_by_text("Kim Jong-un").first.is_visible()
        assert page.get_by_text("Une phrase écrite depuis le dernier build.").count() == 0
        page.evaluate("window.notReloadedByHand = true")
        listening(preview.channel)  # the tab gets every change from now on
        hold.set()
        page.get_by_text("Une phrase écrite depuis le dernier build.").wait_for(timeout=WAIT_MS)
        assert page.evaluate("window.notReloadedByHand") is None  # the page reloaded by itself
    finally:
        hold.set()
        preview.stop()


def test_a_tab_opened_during_a_first_build_with_nothing_built_yet_waits_for_the_site(
        project: Path, page: Page) -> None:
    hold = threading.Event()
    preview = PreviewServer(project, port=0, delay=0.05, hold_first_build=hold)
    starting = threading.Thread(target=preview.start)  # returns after the first build: nothing to show before
    starting.start()
    try:
        while not preview.port or preview.config is None:  # listening (port 0 becomes the port given)
            time.sleep(0.01)
        deadline = time.monotonic() + 30
        while not (preview.config.site_dir / "index.html").is_file():  # written, not yet announced
            assert time.monotonic() < deadline, "the first build wrote no site in 30 s"
            time.sleep(0.01)
        response = page.goto(preview.url + PAGE)
        assert response is not None and response.status == 503
        assert page.get_by_text("The preview is building the site").is_visible()
        listening(preview.channel)  # the tab gets every change from now on
        hold.set()
        page.get_by_text("Kim Jong-un").first.wait_for(timeout=WAIT_MS)
    finally:
        hold.set()
        starting.join()
        preview.stop()
