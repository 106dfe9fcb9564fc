"""The GitHub Pages workflow: valid for GitHub, and wired to our build.

Validation uses check-jsonschema's vendored copy of GitHub's workflow schema,
so it runs offline; a typo in a key would otherwise only show up on GitHub.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

WORKFLOW = Path(__file__).resolve().parent.parent / ".github" / "workflows" / "pages.yml"


def load() -> dict[Any, Any]:
    return yaml.safe_load(WORKFLOW.read_text())


def steps(job: str) -> list[dict[str, Any]]:
    return load()["jobs"][job]["steps"]


def test_workflow_matches_githubs_schema() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_triggers_and_permissions() -> None:
    workflow = load()
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert triggers["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in triggers
    (daily,) = triggers["schedule"]  # scheduled briefings go out on their day with no push
    minute, hour, *days = daily["cron"].split()
    assert minute.isdigit() and hour.isdigit() and days == ["*", "*", "*"], daily
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert workflow["concurrency"]["group"] == "pages"


def test_build_uses_the_pages_base_url_and_uploads_site() -> None:
    build = steps("build")
    ids = {step.get("id"): step for step in build}
    assert ids["pages"]["uses"].startswith("actions/configure-pages@")
    commands = [step["run"] for step in build if "run" in step]
    assert any(
        "build.py build" in cmd and "${{ steps.pages.outputs.base_url }}" in cmd for cmd in commands
    ), commands
    order = [step.get("id") or step.get("uses") or step.get("run") for step in build]
    build_index = next(i for i, step in enumerate(build) if "build.py build" in step.get("run", ""))
    assert order.index("pages") < build_index, "base_url must exist before the build uses it"
    (upload,) = [step for step in build if step.get("uses", "").startswith("actions/upload-pages-artifact@")]
    assert upload["with"]["path"] == "site"


def test_deploy_job_publishes_the_artifact() -> None:
    deploy = load()["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"] == {"name": "github-pages", "url": "${{ steps.deployment.outputs.page_url }}"}
    (step,) = deploy["steps"]
    assert step["id"] == "deployment" and step["uses"] == "actions/deploy-pages@v4"


def test_the_build_cache_is_restored_before_the_build_and_saved_under_a_new_key() -> None:
    """A push with one new briefing builds incrementally: .cache/ (search parts above all) comes back."""
    build = steps("build")
    (cache,) = [step for step in build if step.get("uses", "").startswith("actions/cache@")]
    assert cache["with"]["path"] == ".cache"
    assert "${{ github.run_id }}" in cache["with"]["key"], "a cache entry is never overwritten: a new key per run"
    assert cache["with"]["key"].startswith(cache["with"]["restore-keys"])
    build_index = next(i for i, step in enumerate(build) if "build.py build" in step.get("run", ""))
    assert build.index(cache) < build_index
