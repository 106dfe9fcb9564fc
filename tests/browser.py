"""Headless Chromium for tests that need a real browser: `with launch_browser() as browser: …`.

It drives Debian's Chromium (/usr/bin/chromium, or $BRIEFINGS_CHROMIUM):
Playwright cannot download its own browser here. A missing browser fails the
test with the way to install it; it is never a silent skip, since CI installs it.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = Path(os.environ.get("BRIEFINGS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@contextmanager
def launch_browser() -> Iterator[Browser]:
    """A headless Chromium, closed (with Playwright's driver) on leaving the block."""
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} not found: the browser tests need Debian's Chromium; "
                    "install it with `sh tests/install-chromium.sh` (or set BRIEFINGS_CHROMIUM)", pytrace=False)
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()
