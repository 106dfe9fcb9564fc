"""Publishing to a gh-pages branch: real git, temporary repositories only.

Every repository lives under tmp_path; git's global and system config are
switched off so the tests see the same git on every machine, and repository
discovery stops at tmp_path so "not a git repository" means what it says.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from briefings.deploy import FALLBACK_EMAIL, FALLBACK_NAME, PublishResult, publish
from briefings.errors import SiteErrors

SITE_FILES = {
    "index.html": "<h1>Briefings</h1>\n",
    "topics/x/index.html": "<h1>Topic x</h1>\n",
    "static/style.css": "body { margin: 0 }\n",
}
ID = ["-c", "user.name=Tester", "-c", "user.email=tester@example.org"]


def git(cwd: Path, *args: str) -> str:
    """Run git in cwd and return stdout; tests want loud failures."""
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.fixture(autouse=True)
def isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No user/system git config, no discovery above tmp_path."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-gitconfig"))
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    for var in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(var, raising=False)
    for var in ("NAME", "EMAIL"):
        for role in ("AUTHOR", "COMMITTER"):
            monkeypatch.delenv(f"GIT_{role}_{var}", raising=False)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A built site with nested files."""
    root = tmp_path / "site"
    for name, text in SITE_FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (root / "static" / "style.css").chmod(0o755)  # the exec bit must not leak into the tree
    return root


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    """A local bare repository playing GitHub."""
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", str(bare))
    return bare


@pytest.fixture
def project(tmp_path: Path, remote: Path) -> Path:
    """A project repo with one commit, an uncommitted edit, and the bare repo as origin."""
    repo = tmp_path / "project"
    git(tmp_path, "init", "--quiet", "-b", "main", str(repo))
    (repo / "notes.md").write_text("committed\n")
    git(repo, "add", "notes.md")
    git(repo, *ID, "commit", "--quiet", "-m", "first")
    (repo / "notes.md").write_text("committed\nplus work in progress\n")
    git(repo, "remote", "add", "origin", str(remote))
    return repo


def repo_state(repo: Path) -> dict[str, str]:
    """Everything publish promises not to touch."""
    return {
        "head": git(repo, "rev-parse", "HEAD"),
        "branch": git(repo, "symbolic-ref", "HEAD"),
        "index": git(repo, "ls-files", "--stage"),
        "cached": git(repo, "diff", "--cached"),
        "status": git(repo, "status", "--porcelain"),
        "notes": (repo / "notes.md").read_text(),
    }


def tree(repo: Path, ref: str) -> dict[str, str]:
    """path -> mode of every file in ref's tree."""
    lines = git(repo, "ls-tree", "-r", ref).splitlines()
    return {line.split("\t")[1]: line.split()[0] for line in lines}


def refs(repo: Path) -> str:
    return git(repo, "for-each-ref")


def test_publish_pushes_exactly_the_site(site: Path, project: Path, remote: Path) -> None:
    before = repo_state(project)
    result = publish(site, project)
    assert isinstance(result, PublishResult)
    assert result.pushed and result.changed and result.branch == "gh-pages"
    assert result.file_count == len(SITE_FILES) + 1
    published = tree(remote, "gh-pages")
    assert set(published) == set(SITE_FILES) | {".nojekyll"}
    assert set(published.values()) == {"100644"}
    assert git(remote, "rev-parse", "gh-pages") == result.commit
    assert git(remote, "show", "gh-pages:topics/x/index.html") + "\n" == SITE_FILES["topics/x/index.html"]
    assert git(remote, "log", "--format=%P", "-1", "gh-pages") == ""  # root commit
    assert repo_state(project) == before


def test_second_publish_stacks_on_the_first(site: Path, project: Path, remote: Path) -> None:
    before = repo_state(project)
    first = publish(site, project)
    (site / "index.html").write_text("<h1>Briefings, updated</h1>\n")
    second = publish(site, project, cname="briefings.example.org", message="Second edition")
    assert second.commit != first.commit
    assert git(remote, "log", "--format=%P", "-1", "gh-pages") == first.commit
    assert git(remote, "log", "--format=%s", "-1", "gh-pages") == "Second edition"
    assert set(tree(remote, "gh-pages")) == set(SITE_FILES) | {".nojekyll", "CNAME"}
    assert git(remote, "show", "gh-pages:CNAME") == "briefings.example.org"
    assert repo_state(project) == before


def test_bytes_are_exact_and_cname_option_wins(site: Path, project: Path, remote: Path) -> None:
    git(project, "config", "core.autocrlf", "true")  # must not rewrite published bytes
    (site / "crlf.txt").write_bytes(b"a\r\nb\r\n")
    (site / "CNAME").write_text("old.example.org\n")
    (site / ".nojekyll").write_text("site's own\n")
    result = publish(site, project, cname="new.example.org")
    assert result.file_count == len(SITE_FILES) + 3
    blob = subprocess.run(["git", "cat-file", "blob", "gh-pages:crlf.txt"], cwd=remote, capture_output=True)
    assert blob.stdout == b"a\r\nb\r\n"
    assert git(remote, "show", "gh-pages:CNAME") == "new.example.org"
    assert git(remote, "show", "gh-pages:.nojekyll") == "site's own"


@pytest.mark.parametrize("cname", ["https://briefings.example.org", "../../etc/passwd", "under_score.example.org", ""])
def test_a_cname_the_config_would_refuse_is_refused_before_anything_is_written(
        site: Path, project: Path, remote: Path, cname: str) -> None:
    before = git(remote, "for-each-ref")
    with pytest.raises(SiteErrors) as caught:
        publish(site, project, cname=cname)
    assert "invalid CNAME" in str(caught.value) and "bare domain" in str(caught.value)
    assert git(remote, "for-each-ref") == before


def test_identical_site_makes_no_commit(site: Path, project: Path, remote: Path) -> None:
    first = publish(site, project)
    again = publish(site, project)
    assert not again.changed and again.commit == first.commit
    assert "unchanged" in again.summary
    assert git(remote, "rev-list", "--count", "gh-pages") == "1"


def test_default_message_and_fallback_identity(site: Path, project: Path) -> None:
    result = publish(site, project, push=False)
    head = git(project, "rev-parse", "--short", "HEAD")
    author = git(project, "log", "-1", "--format=%an <%ae>|%s", "gh-pages")
    assert author == f"{FALLBACK_NAME} <{FALLBACK_EMAIL}>|Publish site from {head}"
    assert not result.pushed


def test_configured_identity_is_used(site: Path, project: Path) -> None:
    git(project, "config", "user.name", "Ada")
    git(project, "config", "user.email", "ada@example.org")
    publish(site, project, push=False)
    assert git(project, "log", "-1", "--format=%an <%ae>", "gh-pages") == "Ada <ada@example.org>"


def test_parent_falls_back_to_the_fetched_remote_branch(site: Path, project: Path, remote: Path) -> None:
    first = publish(site, project)
    git(project, "branch", "-D", "gh-pages")
    git(project, "fetch", "--quiet", "origin")
    (site / "new.html").write_text("new\n")
    second = publish(site, project)
    assert git(remote, "log", "--format=%P", "-1", "gh-pages") == first.commit
    assert git(remote, "rev-parse", "gh-pages") == second.commit


def test_not_a_git_repository(site: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(SiteErrors) as caught:
        publish(site, plain)
    (error,) = caught.value.errors
    assert error.message == "not a git repository"
    assert "git init" in error.hint
    assert not (plain / ".git").exists()
    assert list(plain.iterdir()) == []


def test_missing_remote_refuses_before_committing(site: Path, project: Path) -> None:
    git(project, "remote", "remove", "origin")
    objects_before = git(project, "count-objects", "-v")
    with pytest.raises(SiteErrors) as caught:
        publish(site, project)
    (error,) = caught.value.errors
    assert "no remote named 'origin'" in error.message
    assert "git remote add origin" in error.hint
    assert "gh-pages" not in refs(project)
    assert git(project, "count-objects", "-v") == objects_before


@pytest.mark.parametrize("make_site", ["missing", "empty"])
def test_unusable_site_dir_refuses(tmp_path: Path, project: Path, remote: Path, make_site: str) -> None:
    site = tmp_path / "site"
    if make_site == "empty":
        (site / "empty-subfolder").mkdir(parents=True)
    with pytest.raises(SiteErrors) as caught:
        publish(site, project)
    assert "site folder" in caught.value.errors[0].message
    assert "gh-pages" not in refs(project)
    assert refs(remote) == ""


def test_checked_out_branch_is_refused(site: Path, project: Path) -> None:
    git(project, "checkout", "--quiet", "-b", "gh-pages")
    with pytest.raises(SiteErrors, match="checked out"):
        publish(site, project)


def test_dry_run_writes_nothing(site: Path, project: Path, remote: Path) -> None:
    before = repo_state(project)
    result = publish(site, project, dry_run=True, cname="briefings.example.org")
    assert result.commit is None and not result.pushed
    assert result.file_count == len(SITE_FILES) + 2
    assert "would publish" in result.summary and "'origin'" in result.summary
    assert "gh-pages" not in refs(project)
    assert refs(remote) == ""
    assert repo_state(project) == before


def test_dry_run_still_validates(site: Path, project: Path) -> None:
    with pytest.raises(SiteErrors, match="no remote named 'upstream'"):
        publish(site, project, remote="upstream", dry_run=True)


def test_an_unreachable_remote_refuses_before_committing(site: Path, project: Path, tmp_path: Path) -> None:
    git(project, "remote", "set-url", "origin", str(tmp_path / "does-not-exist.git"))
    with pytest.raises(SiteErrors) as caught:
        publish(site, project)
    (error,) = caught.value.errors
    assert "cannot reach 'origin'" in error.message
    assert "does-not-exist.git" in error.message  # git's own stderr is included
    assert "deploy again" in error.hint and "nothing was committed" in error.hint
    assert "gh-pages" not in refs(project)


def test_a_push_the_remote_refuses_is_a_site_error(site: Path, project: Path, remote: Path) -> None:
    """The remote declines (a hook, a protected branch): the commit waits on the local branch,
    and the hint says how to push it once the remote is fixed."""
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'gh-pages is frozen' >&2\nexit 1\n")
    hook.chmod(0o755)
    with pytest.raises(SiteErrors) as caught:
        publish(site, project)
    (error,) = caught.value.errors
    assert "pushing 'gh-pages' to 'origin' failed: [remote rejected] (pre-receive hook declined)" in error.message
    assert "gh-pages is frozen" in error.message
    assert "git push origin gh-pages" in error.hint and "hint:" not in error.message
    assert refs(remote) == ""
    hook.unlink()
    tip = git(project, "rev-parse", "gh-pages")
    assert publish(site, project).commit == tip  # nothing changed: the waiting commit is pushed
    assert git(remote, "rev-parse", "gh-pages") == tip


def publish_elsewhere(remote: Path, tmp_path: Path, name: str = "elsewhere") -> str:
    """Another machine publishes: a clone of the remote commits a new site on gh-pages and pushes."""
    clone = tmp_path / name
    git(tmp_path, "clone", "--quiet", "--branch", "gh-pages", str(remote), str(clone))
    (clone / "index.html").write_text(f"<h1>Published from {name}</h1>\n")
    git(clone, *ID, "commit", "--quiet", "-am", f"Publish from {name}")
    git(clone, "push", "--quiet", "origin", "gh-pages")
    return git(clone, "rev-parse", "HEAD")


def test_a_remote_that_moved_ahead_is_built_upon(site: Path, project: Path, remote: Path, tmp_path: Path) -> None:
    """Someone published from another machine since our last deploy: our local gh-pages is behind.
    The deploy fetches the remote's branch and commits on top of it, so the push is a
    fast-forward and their commit stays in the published history."""
    first = publish(site, project)
    theirs = publish_elsewhere(remote, tmp_path)
    (site / "index.html").write_text("<h1>Briefings, next edition</h1>\n")
    second = publish(site, project)
    assert git(remote, "rev-parse", "gh-pages") == second.commit
    assert git(remote, "log", "--format=%P", "-1", "gh-pages") == theirs
    assert git(remote, "rev-list", "gh-pages").splitlines() == [second.commit, theirs, first.commit]
    assert git(remote, "show", "gh-pages:index.html") == "<h1>Briefings, next edition</h1>"
    assert git(project, "rev-parse", "gh-pages") == second.commit
    assert git(project, "rev-parse", "origin/gh-pages") == second.commit


def test_a_push_rejected_by_a_publish_in_between_is_mended_by_deploying_again(
        site: Path, project: Path, remote: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Someone publishes between our fetch and our push: the push is rejected, never forced, and
    the advice (deploy again) works: the next deploy builds on top of theirs."""
    import briefings.deploy as deploy
    first = publish(site, project)
    real_fetch, raced = deploy._fetch, []

    def fetch_then_someone_publishes(*args):
        tip = real_fetch(*args)
        raced.append(publish_elsewhere(remote, tmp_path))
        return tip
    monkeypatch.setattr(deploy, "_fetch", fetch_then_someone_publishes)
    (site / "index.html").write_text("<h1>Briefings, next edition</h1>\n")
    with pytest.raises(SiteErrors) as caught:
        publish(site, project)
    monkeypatch.undo()
    (error,) = caught.value.errors
    assert "pushing 'gh-pages' to 'origin' failed: [rejected] (fetch first)" in error.message
    assert "deploy again" in error.hint and "git fetch" not in error.hint
    assert git(remote, "rev-parse", "gh-pages") == raced[0]  # theirs, untouched
    again = publish(site, project)
    assert git(remote, "rev-parse", "gh-pages") == again.commit
    assert git(remote, "rev-list", "gh-pages").splitlines() == [again.commit, raced[0], first.commit]


@pytest.mark.parametrize("branch", ["-f", "--force", "a..b", "gh pages", "x:y", "@{-1}", "HEAD", "a/", "-"])
def test_branch_names_follow_gits_rules(site: Path, project: Path, remote: Path, branch: str) -> None:
    """`--branch=-f` once pushed a branch named `-f`: a name git would not take for a branch
    is refused before anything is written."""
    git(project, "checkout", "--quiet", "-b", "other")  # @{-1} would expand to main
    objects = git(project, "count-objects", "-v")
    with pytest.raises(SiteErrors) as caught:
        publish(site, project, branch=branch)
    (error,) = caught.value.errors
    assert error.message == f"'{branch}' is not a valid branch name"
    assert "git check-ref-format --branch" in error.hint and "gh-pages" in error.hint
    assert git(project, "for-each-ref", "refs/heads/").count("\n") == 1  # main and other only
    assert git(project, "count-objects", "-v") == objects
    assert refs(remote) == ""


@pytest.mark.parametrize("remote_name", ["-f", "--mirror", "a..b", "x y"])
def test_remote_names_git_would_not_take_are_refused(site: Path, project: Path, remote: Path,
                                                                 remote_name: str) -> None:
    with pytest.raises(SiteErrors) as caught:
        publish(site, project, remote=remote_name)
    (error,) = caught.value.errors
    assert error.message == f"'{remote_name}' is not a valid remote name"
    assert "gh-pages" not in refs(project) and refs(remote) == ""
