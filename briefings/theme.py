"""Where templates and static files come from: the project's templates/ over the built-in theme.

Kept apart from render.py so that a build with nothing to do can check these
inputs without importing Jinja2.
"""
from __future__ import annotations

from pathlib import Path

from .config import Config

THEME_DIR = Path(__file__).parent / "theme"


THEME_PREFIX = "theme"
"""`theme/base.html` is always the built-in theme's base.html, even where the project's
templates/ has a base.html of its own: so a project template can extend the theme's and
override one block (`{% extends "theme/base.html" %}`)."""


def template_dirs(config: Config) -> list[Path]:
    """Where a template name is looked up: the project's templates/ first, then the theme."""
    return [config.templates_dir, THEME_DIR / "templates"]


def static_dirs(config: Config) -> list[Path]:
    """Theme static files first, then the project's templates/static/, which wins on conflicts."""
    return [THEME_DIR / "static", config.templates_dir / "static"]
