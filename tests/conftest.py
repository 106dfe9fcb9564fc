"""Shared fixtures: throwaway projects in tmp_path and a runner for `build.py`.

The implementation lives in `helpers.py` (importable from any test module,
also for module-scoped fixtures); these fixtures are the usual way in.
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # `import helpers`, `from fixtures.corpus import …`

from helpers import Run, create_project, run_build_py  # noqa: E402


@pytest.fixture
def new_project(tmp_path: Path) -> Callable[..., Path]:
    """Factory: `new_project(config=None | {patch} | "yaml text", real_seed=…, seeds={…},
    content={…}, templates={…}, name="project")` -> path of the project's config.yaml."""
    def make(config: dict | str | None = None, *, name: str = "project", **inputs) -> Path:
        return create_project(tmp_path / name, config, **inputs)
    return make


@pytest.fixture
def build_py() -> Callable[..., Run]:
    """Factory: `build_py(config_path, "build", "--link-style", "files")` -> Run(code, stdout, stderr)."""
    return run_build_py
