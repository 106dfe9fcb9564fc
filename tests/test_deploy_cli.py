"""`build.py deploy` end to end: a real project repository, a bare `origin`,
the command run as a user would run it (a subprocess), and git asked what
happened. Everything lives under tmp_path; git's global and system config are
off and repository discovery stops at tmp_path.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sitecrawl import BUILD_PY, copy_project, dir_snapshot, make_project, run_cli, write_config, write_seed

SEEDS = 8


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An imported project (config.yaml, seeds/, content/) copied by each test; import runs once."""
    return make_project(tmp_path_factory.mktemp("template") / "project", seeds=SEEDS).parent


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The environment of every git and build.py subprocess: no user/system git config."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("GIT_") and k != "BRIEFINGS_BASE_URL"}
    env.update(HOME=str(tmp_path), GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=str(tmp_path / "no-gitconfig"),
               GIT_CEILING_DIRECTORIES=str(tmp_path), GIT_TERMINAL_PROMPT="0")
    return env


def git(cwd: Path, env: dict[str, str], *args: str, check: bool = True) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    if check:
        assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout.strip()


@pytest.fixture
def remote(tmp_path: Path, env: dict[str, str]) -> Path:
    bare = tmp_path / "origin.git"
    git(tmp_path, env, "init", "--quiet", "--bare", str(bare))
    return bare


def _init_repo(project: Path, env: dict[str, str], remote: Path) -> None:
    """git init, commit the project (site/ and .cache/ ignored, as in the real .gitignore), add origin."""
    (project / ".gitignore").write_text("/site/\n/.cache/\n")
    (project / "NOTES.md").write_text("notes\n")
    git(project, env, "init", "--quiet", "-b", "main")
    git(project, env, "add", "-A")
    git(project, env, "-c", "user.name=Tester", "-c", "user.email=tester@example.org",
        "commit", "--quiet", "-m", "content and config")
    git(project, env, "remote", "add", "origin", str(remote))


@pytest.fixture
def project(tmp_path: Path, template: Path, env: dict[str, str], remote: Path) -> Path:
    """The config.yaml of a committed project whose origin is the bare repo, with work in progress."""
    config = copy_project(template, tmp_path / "project")
    _init_repo(config.parent, env, remote)
    # Uncommitted work the deploy must leave alone: a modified tracked file and an untracked one.
    (config.parent / "NOTES.md").write_text("notes\nwork in progress\n")
    (config.parent / "draft.txt").write_text("untracked\n")
    return config


def deploy(config: Path, env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return run_cli(config, "deploy", *args, env=env, check=check)


def project_state(repo: Path, env: dict[str, str]) -> dict[str, object]:
    """Everything deploy promises not to touch in the project."""
    return {
        "branch": git(repo, env, "symbolic-ref", "HEAD"),
        "head": git(repo, env, "rev-parse", "HEAD"),
        "status": git(repo, env, "status", "--porcelain", "--untracked-files=all"),
        "index": git(repo, env, "ls-files", "--stage"),
        "stash": git(repo, env, "stash", "list"),
        "other refs": [line for line in git(repo, env, "for-each-ref",
                                            "--format=%(refname) %(objectname)").splitlines()
                       if not line.startswith(("refs/heads/gh-pages ", "refs/remotes/origin/gh-pages "))],
        "files": dir_snapshot(repo, skip=(".git", "site", ".cache")),
    }


def remote_tip(remote: Path, env: dict[str, str], branch: str = "gh-pages") -> str | None:
    done = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}"],
                          cwd=remote, env=env, capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else None


def tree_files(repo: Path, env: dict[str, str], rev: str) -> set[str]:
    return set(git(repo, env, "ls-tree", "-r", "--name-only", rev).splitlines())


def site_files(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}


def test_deploy_pushes_the_built_site_and_nothing_else(project: Path, remote: Path, env: dict[str, str]) -> None:
    repo = project.parent
    before = project_state(repo, env)
    done = deploy(project, env)
    assert "deploy: Published" in done.stdout and "pushed to 'origin'" in done.stdout, done.stdout

    tip = remote_tip(remote, env)
    assert tip, "origin has no gh-pages branch"
    files = tree_files(remote, env, tip)
    assert {"index.html", "feed.xml", ".nojekyll", "404.html", "sitemap.xml", "static/style.css"} <= files
    assert not any(f.split("/")[0] in ("content", "seeds", ".cache", "site") for f in files), sorted(files)
    assert not {"config.yaml", ".gitignore", "NOTES.md", "draft.txt"} & files
    assert files == site_files(repo / "site"), "the tree is exactly the built site"
    assert git(remote, env, "show", f"{tip}:index.html") == (repo / "site" / "index.html").read_text().strip()
    assert git(remote, env, "rev-list", "--count", tip) == "1"
    head = git(repo, env, "rev-parse", "--short", "HEAD")
    assert git(remote, env, "log", "-1", "--format=%s", tip) == f"Publish site from {head}"
    # The project: same branch, same HEAD, same index, same work in progress.
    assert project_state(repo, env) == before
    assert git(repo, env, "rev-parse", "refs/heads/gh-pages") == tip
    print(f"\n$ git log --stat gh-pages  (origin, after one deploy)\n{git(remote, env, 'log', '--stat', 'gh-pages')}")


def test_second_deploy_adds_one_commit_on_top(project: Path, remote: Path, env: dict[str, str]) -> None:
    repo = project.parent
    deploy(project, env)
    first = remote_tip(remote, env)
    # A new briefing, imported and committed, then published again.
    write_seed(repo / "seeds", 900, "2024-07-01", "La Corée du Nord lance un satellite militaire.",
               "Pyongyang affirme que le missile porteur a fonctionné.")
    run_cli(project, "import", env=env)
    git(repo, env, "add", "-A")
    git(repo, env, "-c", "user.name=Tester", "-c", "user.email=tester@example.org",
        "commit", "--quiet", "-m", "new briefing")
    before = project_state(repo, env)
    deploy(project, env, "--message", "Second publish")
    second = remote_tip(remote, env)
    assert second and second != first
    assert git(remote, env, "rev-parse", f"{second}^@") == first, "the parent is the previous publish"
    assert git(remote, env, "log", "-1", "--format=%s", second) == "Second publish"
    added = tree_files(remote, env, second) - tree_files(remote, env, first)
    assert "2024/07/la-coree-du-nord-lance-un-satellite-militaire/index.html" in added, added
    assert project_state(repo, env) == before
    # Nothing changed since: no empty commit, and the command still succeeds.
    done = deploy(project, env)
    assert "unchanged" in done.stdout, done.stdout
    assert remote_tip(remote, env) == second
    print(f"\n$ git log --stat gh-pages  (origin, after two deploys)\n{git(remote, env, 'log', '--stat', 'gh-pages')}")


def test_dry_run_pushes_and_commits_nothing(project: Path, remote: Path, env: dict[str, str]) -> None:
    repo = project.parent
    before = project_state(repo, env)
    done = deploy(project, env, "--dry-run")
    assert "Dry run" in done.stdout and "nothing committed or pushed" in done.stdout, done.stdout
    assert git(remote, env, "for-each-ref") == "", "the remote got a ref"
    assert remote_tip(remote, env) is None
    assert git(repo, env, "rev-parse", "--verify", "--quiet", "refs/heads/gh-pages", check=False) == ""
    assert project_state(repo, env) == before
    # After a real publish, a dry run of a changed site moves nothing either.
    deploy(project, env)
    tip = remote_tip(remote, env)
    objects = git(remote, env, "count-objects", "-v")
    deploy(project, env, "--dry-run", "--base-url", "https://elsewhere.example.org/")
    assert remote_tip(remote, env) == tip
    assert git(repo, env, "rev-parse", "refs/heads/gh-pages") == tip
    assert git(remote, env, "count-objects", "-v") == objects


# (replacement for the `date:` line 3, lines an error may point at)
BROKEN_FRONT_MATTER = [
    pytest.param("date: pas une date", (3,), id="not-a-date"),
    pytest.param("date: 2023-02-30", (3,), id="impossible-date"),
    # YAML notices an unclosed `[` on the next line; either line names the mistake.
    pytest.param("date: [2023-08", (3, 4), id="yaml-syntax"),
]


@pytest.mark.parametrize(("date_line", "lines"), BROKEN_FRONT_MATTER)
def test_failing_build_publishes_nothing(project: Path, remote: Path, env: dict[str, str],
                                         date_line: str, lines: tuple[int, ...]) -> None:
    repo = project.parent
    deploy(project, env)
    tip = remote_tip(remote, env)
    site_before = dir_snapshot(repo / "site")
    victim = sorted((repo / "content").rglob("*.md"))[0]
    text = victim.read_text(encoding="utf-8").splitlines(keepends=True)
    assert text[2].startswith("date: "), text[:4]
    text[2] = date_line + "\n"
    victim.write_text("".join(text), encoding="utf-8")
    before = project_state(repo, env)

    done = deploy(project, env, check=False)
    assert done.returncode == 1, done
    shown = victim.relative_to(repo).as_posix()
    assert any(f"{shown}:{line}:" in done.stderr for line in lines), done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert "deploy: failed" in done.stderr
    assert "Published" not in done.stdout
    assert remote_tip(remote, env) == tip, "the remote moved after a failed build"
    assert git(repo, env, "rev-parse", "refs/heads/gh-pages") == tip
    assert project_state(repo, env) == before
    assert dir_snapshot(repo / "site") == site_before, "a failed build must leave the previous site/"


def test_cname_from_config_is_published(project: Path, remote: Path, env: dict[str, str]) -> None:
    repo = project.parent
    write_config(repo, extra="cname: briefings.example.org\n")
    git(repo, env, "-c", "user.name=Tester", "-c", "user.email=tester@example.org",
        "commit", "--quiet", "-am", "custom domain")
    done = deploy(project, env)
    assert "warning" not in done.stderr, done.stderr
    tip = remote_tip(remote, env)
    assert "CNAME" in tree_files(remote, env, tip)
    assert git(remote, env, "show", f"{tip}:CNAME") == "briefings.example.org"
    assert not (repo / "site" / "CNAME").exists() or (repo / "site" / "CNAME").read_text().strip() == \
        "briefings.example.org"


def test_no_cname_by_default(project: Path, remote: Path, env: dict[str, str]) -> None:
    deploy(project, env)
    assert "CNAME" not in tree_files(remote, env, remote_tip(remote, env))


def test_outside_a_git_repository_fails_clearly(tmp_path: Path, template: Path, env: dict[str, str]) -> None:
    config = copy_project(template, tmp_path / "plain")
    done = deploy(config, env, check=False)
    assert done.returncode == 1, done
    assert "not a git repository" in done.stderr, done.stderr
    assert "git init" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert not (config.parent / ".git").exists()


def test_missing_remote_fails_before_committing(project: Path, remote: Path, env: dict[str, str]) -> None:
    repo = project.parent
    done = deploy(project, env, "--remote", "upstream", check=False)
    assert done.returncode == 1
    assert "no remote named 'upstream'" in done.stderr, done.stderr
    assert git(repo, env, "rev-parse", "--verify", "--quiet", "refs/heads/gh-pages", check=False) == ""
    assert remote_tip(remote, env) is None


def test_template_is_not_a_repository(template: Path) -> None:
    """Guard for the tests above: the shared template must stay a plain folder."""
    assert not (template / ".git").exists()
    assert shutil.which("git"), "git is required"


def test_deploy_from_a_fresh_clone_continues_the_published_history(
        project: Path, remote: Path, env: dict[str, str], tmp_path: Path) -> None:
    """A second machine (or CI) has origin/gh-pages but no local gh-pages branch."""
    deploy(project, env)
    first = remote_tip(remote, env)
    git(project.parent, env, "push", "--quiet", "origin", "main")
    clone = tmp_path / "clone"
    git(tmp_path, env, "clone", "--quiet", "--branch", "main", str(remote), str(clone))
    assert git(clone, env, "branch", "--show-current") == "main"
    deploy(clone / "config.yaml", env, "--base-url", "https://other.example.org/")
    second = remote_tip(remote, env)
    assert second != first
    assert git(remote, env, "rev-parse", f"{second}^@") == first
    assert git(clone, env, "branch", "--show-current") == "main"


def test_deploy_shows_build_warnings_like_build_does(project: Path, env: dict[str, str]) -> None:
    repo = project.parent
    victim = sorted((repo / "content").rglob("*.md"))[0]
    text = victim.read_text(encoding="utf-8").replace("\ndate: ", "\nauthr: moi\ndate: ", 1)
    victim.write_text(text, encoding="utf-8")
    shown = victim.relative_to(repo).as_posix()
    built = run_cli(project, "build", env=env)
    assert f"{shown}:3: warning: unknown key `authr`" in built.stderr, built.stderr
    shutil.rmtree(repo / ".cache", ignore_errors=True)
    done = deploy(project, env)
    assert f"{shown}:3: warning: unknown key `authr`" in done.stderr, done.stderr


def test_a_build_started_during_a_deploy_never_changes_what_it_publishes(project: Path, remote: Path,
                                                                         env: dict[str, str]) -> None:
    """Deploy holds the output folder's lock from its build to its push: a build started
    meanwhile waits, so the published tree is always a complete site (pairs started together)."""
    repo = project.parent
    for attempt in range(3):
        seed = sorted((repo / "content").rglob("*.md"))[attempt]
        seed.write_text(seed.read_text(encoding="utf-8") + f"\nÉdition {attempt}.\n", encoding="utf-8")
        command = [sys.executable, str(BUILD_PY), "--config", str(project)]
        deploying = subprocess.Popen([*command, "deploy", "--no-search"], cwd=repo, env=env, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        building = subprocess.Popen([*command, "build", "--no-search"], cwd=repo, env=env, text=True,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        outputs = deploying.communicate(timeout=120)[0], building.communicate(timeout=120)[0]
        assert (deploying.returncode, building.returncode) == (0, 0), outputs
        tip = remote_tip(remote, env)
        assert tree_files(remote, env, tip) == site_files(repo / "site"), f"attempt {attempt}: {outputs}"
        assert git(remote, env, "show", f"{tip}:index.html") == (repo / "site" / "index.html").read_text().strip()


def test_a_branch_name_git_would_not_take_is_refused_before_building(
        project: Path, remote: Path, env: dict[str, str]) -> None:
    """`deploy --branch=-f` pushed a branch named `-f`; now it is refused with git's rule named,
    before the build writes anything."""
    repo = project.parent
    done = deploy(project, env, "--branch=-f", check=False)
    assert done.returncode == 1, done
    assert "'-f' is not a valid branch name (git's rules (`git check-ref-format --branch`)" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert git(repo, env, "for-each-ref", "refs/heads/").count("\n") == 0  # main only
    assert remote_tip(remote, env, "-f") is None and git(remote, env, "for-each-ref") == ""
    assert not (repo / "site").exists()
