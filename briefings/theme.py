"""Where templates and static files come from: the project's templates/ over the built-in theme.

Kept apart from render.py so that a build with nothing to do can check these
inputs without importing Jinja2.
"""
from __future__ import annotations

from pathlib import Path

from .config import Config

THEME_DIR = Path(__file__).parent / "theme"


def template_dirs(config: Config) -> list[Path]:
    return [config.templates_dir, THEME_DIR / "templates"]


def static_dirs(config: Config) -> list[Path]:
    """Theme static files first, then the project's templates/static/, which wins on conflicts."""
    return [THEME_DIR / "static", config.templates_dir / "static"]
