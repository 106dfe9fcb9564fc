"""Publish the built site to a GitHub Pages branch, the way ghp-import does.

One call makes ONE new commit on `branch` (default `gh-pages`) whose tree is
exactly the files of the site directory, plus an empty `.nojekyll` (so GitHub
serves `_`-prefixed paths as-is) and, when asked, a `CNAME` file. The parent is
the previous tip of the branch, so the published history is kept. Then the
branch is pushed.

Why plumbing instead of checking the branch out: the user's project repository
may have uncommitted work. We never touch its working tree, index or HEAD; the
tree is built in a throwaway index file (GIT_INDEX_FILE) from blobs hashed
straight out of the site directory, then `commit-tree` and `update-ref` move
only `refs/heads/<branch>`.

Choices worth knowing:
- If the new tree is identical to the branch tip's tree, no commit is made
  (`PublishResult.changed` is False, the summary says "unchanged"); the existing
  tip is still pushed, which retries a push that failed last time.
- Before committing, the remote's branch is fetched (into `<remote>/<branch>`),
  and the new commit goes on top of it: a remote that moved on since the last
  deploy (another machine published) is built upon, not rejected. The local
  branch is the parent only while it holds the remote's tip (a commit whose push
  failed is kept in the history); a local branch that the remote has diverged
  from holds only earlier builds of the site, and the remote's history wins.
  A push is never forced: if someone publishes between the fetch and the push,
  it is rejected, and deploying again builds on top of theirs.
- Branch and remote names follow git's own rules (`git check-ref-format`), and
  no name reaches git where it could be read as an option (`--branch=-f`).
- The remote is only required when pushing (`push=True`), dry run included.
- Everything that can be checked is checked before any object, commit or ref
  is written, so a refusal leaves the repository exactly as it was.
"""
from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .config import CNAME_HINT, cname_problem
from .errors import SiteError, SiteErrors, display_path

FALLBACK_NAME = "briefings"
FALLBACK_EMAIL = "briefings@localhost"
FILE_MODE = "100644"

# Variables that would make git operate on some other repository, index or
# work tree than the one we name explicitly with `-C`.
_REPO_LOCATING_ENV = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_COMMON_DIR",
    "GIT_OBJECT_DIRECTORY",
    "GIT_NAMESPACE",
    "GIT_PREFIX",
)


@dataclass(frozen=True, slots=True)
class PublishResult:
    """What `publish` did (or, for a dry run, would do)."""

    commit: str | None
    """Full sha of the branch tip after publishing; None for a dry run."""
    branch: str
    remote: str
    file_count: int
    """Files in the published tree, counting `.nojekyll` and `CNAME`."""
    pushed: bool
    summary: str
    """One line for the command line."""
    changed: bool = True
    """False when the site was identical to the branch tip and no commit was made."""


@dataclass(frozen=True, slots=True)
class _Repo:
    """A repository we run git in, plus how to name it in error messages."""

    path: Path
    shown: str


def publish(
    site_dir: Path,
    repo_dir: Path,
    *,
    remote: str = "origin",
    branch: str = "gh-pages",
    message: str | None = None,
    cname: str | None = None,
    dry_run: bool = False,
    push: bool = True,
) -> PublishResult:
    """Commit `site_dir` as the new tip of `branch` in `repo_dir` and push it to `remote`.

    Raises SiteErrors, before writing anything, when the repository, remote,
    branch, CNAME or site directory is unusable; and after committing when the
    push fails (the commit then stays on the local branch, ready to push again).
    """
    repo = check_target(repo_dir, remote=remote, branch=branch, cname=cname, push=push)
    site_dir = Path(site_dir)
    files = _site_files(site_dir, repo)
    extras = _extra_files(files, cname)
    files = [f for f in files if f not in extras]
    count = len(files) + len(extras)
    remote_tip = (_fetch(repo, remote, branch) if push and not dry_run
                  else _resolve(repo, f"refs/remotes/{remote}/{branch}"))  # as last fetched: write nothing
    parent, local_tip = _previous_tip(repo, branch, remote_tip)
    if dry_run:
        return _dry_run_result(site_dir, repo, remote, branch, count, parent, push)
    tree = _build_tree(repo, site_dir, files, extras)
    if parent is not None and tree == _tree_of(repo, parent):
        changed, tip = False, parent
    else:
        changed, tip = True, _commit(repo, tree, parent, message or _default_message(repo))
    if tip != local_tip:
        _update_ref(repo, branch, tip, local_tip)
    if push:
        _push(repo, remote, branch)
    summary = _summary(branch, remote, tip, count, changed, push)
    return PublishResult(tip, branch, remote, count, push, summary, changed)


def check_target(repo_dir: Path, *, remote: str, branch: str, cname: str | None,
                 push: bool = True) -> _Repo:
    """Refuse early (before a build writes anything) when publishing cannot work."""
    repo = _check_repo(Path(repo_dir))
    _check_branch(repo, branch)
    _check_cname(repo, cname)
    if push:
        _check_remote(repo, remote)
    return repo


# --- running git -------------------------------------------------------------


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The caller's environment minus anything that redirects git elsewhere."""
    env = {k: v for k, v in os.environ.items() if k not in _REPO_LOCATING_ENV}
    env.update(extra or {})
    return env


def _git(
    repo: _Repo,
    *args: str,
    stdin: bytes | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run `git -C repo args` without a shell; never raises on git's exit status."""
    try:
        return subprocess.run(
            ["git", "-C", str(repo.path), *args],
            input=stdin,
            capture_output=True,
            env=_env(env),
            check=False,
        )
    except FileNotFoundError:
        raise _fail(repo.shown, "git is not installed", "install git and try again") from None


def _must(
    repo: _Repo,
    *args: str,
    stdin: bytes | None = None,
    env: dict[str, str] | None = None,
) -> str:
    """Run git and return its stripped stdout; a failure here is unexpected, so report git's words."""
    done = _git(repo, *args, stdin=stdin, env=env)
    if done.returncode != 0:
        raise _fail(repo.shown, f"`git {args[0]}` failed: {_stderr(done)}", "")
    return done.stdout.decode("utf-8", "surrogateescape").strip()


def _stderr(done: subprocess.CompletedProcess[bytes]) -> str:
    """git's error output as one readable line."""
    text = done.stderr.decode("utf-8", "replace").strip()
    return " ".join(text.split()) or f"exit status {done.returncode}"


def _fail(path: str, message: str, hint: str) -> SiteErrors:
    """One-error SiteErrors; every refusal in this module is a single problem."""
    return SiteErrors([SiteError(path, None, message, hint)])


# --- checks (nothing is written until all of these pass) ----------------------


def _check_repo(repo_dir: Path) -> _Repo:
    """The deploy needs a repository to hold the branch; say how to get one if missing."""
    repo = _Repo(repo_dir, display_path(repo_dir))
    if not repo_dir.is_dir():
        raise _fail(repo.shown, "repository folder does not exist", "deploy from your project folder")
    if _git(repo, "rev-parse", "--git-dir").returncode != 0:
        raise _fail(
            repo.shown,
            "not a git repository",
            "run `git init` or deploy from your project folder",
        )
    return repo


def _check_remote(repo: _Repo, remote: str) -> None:
    """Pushing needs a named remote; catch a typo before making a commit nobody can push.
    The name must be one git accepts for a remote (its tracking refs live under
    refs/remotes/<name>/), and not look like an option."""
    if remote.startswith("-") or _git(repo, "check-ref-format", f"refs/remotes/{remote}/HEAD").returncode != 0:
        raise _fail(repo.shown, f"'{remote}' is not a valid remote name",
                    "pass the name of a remote, like origin (`git remote` lists them)")
    if _git(repo, "remote", "get-url", "--", remote).returncode != 0:
        raise _fail(
            repo.shown,
            f"no remote named '{remote}'",
            f"add one with `git remote add {remote} URL` or pass --remote",
        )


def _check_branch(repo: _Repo, branch: str) -> None:
    """Refuse bad names, and a branch that is checked out: moving it would change that work tree's HEAD."""
    done = _git(repo, "check-ref-format", "--branch", branch)
    if done.returncode != 0 or done.stdout.decode("utf-8", "replace").strip() != branch:  # `@{-1}` is expanded
        raise _fail(repo.shown, f"'{branch}' is not a valid branch name",
                    "git's rules (`git check-ref-format --branch`): no leading '-', no spaces, '..', "
                    "'~', '^', ':', '?', '*', '[' or '\\'; pass a name like gh-pages")
    if f"refs/heads/{branch}" in _checked_out_branches(repo):
        raise _fail(
            repo.shown,
            f"branch '{branch}' is checked out",
            "switch to your working branch first, or publish to another branch",
        )


def _checked_out_branches(repo: _Repo) -> set[str]:
    """Refs that are HEAD of some work tree of this repository."""
    listing = _must(repo, "worktree", "list", "--porcelain")
    return {line[len("branch "):] for line in listing.splitlines() if line.startswith("branch ")}


def _check_cname(repo: _Repo, cname: str | None) -> None:
    """The config's rule (config.cname_problem): a bare domain name."""
    if cname is not None and (problem := cname_problem(cname)):
        raise _fail(repo.shown, f"invalid CNAME: {problem}", CNAME_HINT)


def _site_files(site_dir: Path, repo: _Repo) -> list[str]:
    """Every file under the site, as sorted posix paths relative to it; refuses a missing or empty site."""
    shown = display_path(site_dir, repo.path)
    if not site_dir.is_dir():
        raise _fail(shown, "site folder does not exist", "build the site first")
    files = sorted(_walk(site_dir))
    if not files:
        raise _fail(shown, "site folder is empty", "build the site first")
    bad = [f for f in files if "\n" in f or "\r" in f]
    if bad:
        raise _fail(f"{shown}/{bad[0]!r}", "file name contains a line break", "rename the file")
    return files


def _walk(site_dir: Path) -> list[str]:
    """Regular files (symlinks to files included), skipping `.git` folders git refuses to store."""
    found = []
    for folder, dirs, names in os.walk(site_dir):
        dirs[:] = [d for d in dirs if d != ".git"]
        rel = Path(folder).relative_to(site_dir)
        found += [(rel / n).as_posix() for n in names if (Path(folder) / n).is_file()]
    return found


def _extra_files(files: list[str], cname: str | None) -> dict[str, bytes]:
    """`.nojekyll` unless the site has its own, and CNAME (overriding the site's) when given."""
    extras: dict[str, bytes] = {}
    if ".nojekyll" not in files:
        extras[".nojekyll"] = b""
    if cname is not None:
        extras["CNAME"] = f"{cname}\n".encode()
    return extras


def _fetch(repo: _Repo, remote: str, branch: str) -> str | None:
    """The remote's tip of `branch` (None when it has no such branch yet), fetched into
    refs/remotes/<remote>/<branch>, as `git fetch` would."""
    ref = f"refs/heads/{branch}"
    done = _git(repo, "ls-remote", "--", remote, ref)
    if done.returncode != 0:
        raise _fail(repo.shown, f"cannot reach '{remote}': {_stderr(done)}",
                    "check the remote's URL, your network and your access, then deploy again; nothing was committed")
    tips = [line.split("\t")[0] for line in done.stdout.decode().splitlines() if line.endswith(f"\t{ref}")]
    if not tips:
        return None
    fetched = _git(repo, "fetch", "--quiet", "--no-tags", "--", remote, f"+{ref}:refs/remotes/{remote}/{branch}")
    if fetched.returncode != 0:
        raise _fail(repo.shown, f"fetching '{branch}' from '{remote}' failed: {_stderr(fetched)}",
                    "check the remote, then deploy again; nothing was committed")
    return tips[0]


def _previous_tip(repo: _Repo, branch: str, remote_tip: str | None) -> tuple[str | None, str | None]:
    """(parent for the new commit, current local tip): the remote's tip, unless the local branch
    already contains it (a commit whose push failed); either way, pushing the new commit
    is a fast-forward."""
    local = _resolve(repo, f"refs/heads/{branch}")
    if local is None or remote_tip is None or local == remote_tip:
        return local or remote_tip, local
    return (local if _is_ancestor(repo, remote_tip, local) else remote_tip), local


def _is_ancestor(repo: _Repo, older: str, newer: str) -> bool:
    return _git(repo, "merge-base", "--is-ancestor", older, newer).returncode == 0


def _resolve(repo: _Repo, ref: str) -> str | None:
    """The commit a ref points to, or None if there is no such ref."""
    done = _git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    return done.stdout.decode().strip() if done.returncode == 0 else None


# --- writing ------------------------------------------------------------------


def _build_tree(repo: _Repo, site_dir: Path, files: list[str], extras: dict[str, bytes]) -> str:
    """Write blobs and a tree for the site via a throwaway index, so the real index is never touched.

    Blobs are hashed with --no-filters: the published bytes must be exactly the
    built bytes, whatever autocrlf or attributes the project uses.
    """
    paths = b"".join(os.fsencode(site_dir.resolve() / f) + b"\n" for f in files)
    shas = _must(repo, "hash-object", "-w", "--no-filters", "--stdin-paths", stdin=paths).split()
    for content in extras.values():
        shas.append(_must(repo, "hash-object", "-w", "--no-filters", "--stdin", stdin=content))
    names = files + list(extras)
    entries = b"".join(
        f"{FILE_MODE} {sha}\t".encode() + os.fsencode(name) + b"\0" for sha, name in zip(shas, names, strict=True)
    )
    with tempfile.TemporaryDirectory(prefix="briefings-deploy-") as tmp:
        index = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        _must(repo, "update-index", "--add", "-z", "--index-info", stdin=entries, env=index)
        return _must(repo, "write-tree", env=index)


def _tree_of(repo: _Repo, commit: str) -> str:
    """The tree of a commit, to tell whether anything changed."""
    return _must(repo, "rev-parse", f"{commit}^{{tree}}")


def _default_message(repo: _Repo) -> str:
    """Name the source commit so the published history points back at what was built."""
    done = _git(repo, "rev-parse", "--short", "--verify", "--quiet", "HEAD")
    head = done.stdout.decode().strip() if done.returncode == 0 else ""
    return f"Publish site from {head}" if head else "Publish site"


def _commit(repo: _Repo, tree: str, parent: str | None, message: str) -> str:
    """commit-tree: a commit object only; no ref, index or work tree is involved."""
    args = ["commit-tree", tree, *(["-p", parent] if parent else []), "-F", "-"]
    return _must(repo, *args, stdin=message.encode(), env=_identity(repo))


def _identity(repo: _Repo) -> dict[str, str]:
    """Fallback author/committer so publishing works on a machine with no git identity configured."""
    env: dict[str, str] = {}
    for key, fallback in (("name", FALLBACK_NAME), ("email", FALLBACK_EMAIL)):
        if _git(repo, "config", f"user.{key}").returncode == 0:
            continue
        for role in ("AUTHOR", "COMMITTER"):
            var = f"GIT_{role}_{key.upper()}"
            env[var] = os.environ.get(var, fallback)
    return env


def _update_ref(repo: _Repo, branch: str, new: str, old: str | None) -> None:
    """Move only refs/heads/<branch>, and only if nobody moved it since we looked."""
    ref = f"refs/heads/{branch}"
    _must(repo, "update-ref", "-m", "briefings publish", ref, new, old or "")


def _push(repo: _Repo, remote: str, branch: str) -> None:
    """Fast-forward push only: overwriting someone else's published history must be a human decision.
    A push rejected because the remote moved on since the fetch is the one failure that
    deploying again mends (it builds on top of the new tip); the hint says which it was."""
    ref = f"refs/heads/{branch}"
    done = _git(repo, "push", "--porcelain", "--", remote, f"{ref}:{ref}")
    if done.returncode == 0:
        return
    rejected = [line.split("\t")[-1] for line in done.stdout.decode("utf-8", "replace").splitlines()
                if line.startswith("!\t")]
    errors = [line for line in done.stderr.decode("utf-8", "replace").splitlines()
              if line.strip() and not line.startswith("hint:")]  # git's hints suggest a pull: not here
    reason = " ".join(" ".join(rejected + errors).split()) or f"exit status {done.returncode}"
    if any(status.startswith("[rejected]") for status in rejected):
        hint = (f"'{remote}' got a newer '{branch}' while this deploy ran (someone else published): "
                "deploy again, it builds on top of theirs")
    else:
        hint = (f"the commit is on the local branch '{branch}'; fix what git says, then deploy again "
                f"or run `git push {remote} {branch}`")
    raise _fail(repo.shown, f"pushing '{branch}' to '{remote}' failed: {reason}", hint)


# --- reporting ------------------------------------------------------------------


def _dry_run_result(
    site_dir: Path,
    repo: _Repo,
    remote: str,
    branch: str,
    count: int,
    parent: str | None,
    push: bool,
) -> PublishResult:
    """Everything was validated; describe the commit and push that would happen."""
    base = f"on top of {parent[:7]}" if parent else "as a new branch"
    then = f" and push to '{remote}'" if push else ""
    summary = (
        f"Dry run: would publish {count} files from {display_path(site_dir, repo.path)} "
        f"to '{branch}' {base}{then}; nothing committed or pushed"
    )
    return PublishResult(None, branch, remote, count, False, summary)


def _summary(branch: str, remote: str, tip: str, count: int, changed: bool, push: bool) -> str:
    """One line saying what happened to the branch and the remote."""
    what = f"Published {count} files to '{branch}' ({tip[:7]})" if changed else (
        f"'{branch}' unchanged ({tip[:7]}, {count} files)"
    )
    return f"{what}; pushed to '{remote}'" if push else f"{what}; not pushed"
