"""The command line behind build.py: parse arguments, call the package, print results.

Every SiteError is printed as `path:line: message (hint)` on stderr and the
command exits 1; no traceback reaches the user for a problem they can fix.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .config import LINK_STYLES, Config, config_warnings, load_config
from .errors import SiteError, SiteErrors
from .urls import base_url_problem


def _print_problems(problems: list[SiteError]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def _config(args: argparse.Namespace, warnings: list[SiteError] | None = None) -> Config:
    """The config with the command line's overrides; its warnings are printed, or added to
    `warnings` when given (`check` reports and counts them with the others)."""
    path = Path(args.config)
    config = load_config(path)
    if warnings is None:
        _print_problems(config_warnings(path))
    else:
        warnings.extend(config_warnings(path))
    return config.with_overrides(
        base_url=_normalized_url(getattr(args, "base_url", None), "--base-url")
        or _normalized_url(os.environ.get("BRIEFINGS_BASE_URL") or None, "BRIEFINGS_BASE_URL"),
        output_dir=Path(args.output).resolve() if getattr(args, "output", None) else None,
        link_style=getattr(args, "link_style", None))


def _normalized_url(url: str | None, source: str) -> str | None:
    """`url` checked as base_url (errors name where it came from: the option or the variable)."""
    if url is None:
        return None
    problem = base_url_problem(url)
    if problem:
        raise SiteErrors([SiteError(source, None, problem, "write e.g. https://user.github.io/repo/")])
    return url if url.endswith("/") else url + "/"


def cmd_import(args: argparse.Namespace) -> int:
    from .importer import import_seeds
    report = import_seeds(_config(args), force=args.force, replace_invalid=args.replace_invalid, prune=args.prune)
    _print_problems(report.failed + report.warnings)
    for path in report.removed:
        print(f"import: removed {path} (its seed is gone)")
    print(f"import: {report.summary()}")
    return 1 if report.failed else 0


def cmd_build(args: argparse.Namespace) -> int:
    from .pipeline import build
    from .progress import progress_line
    config = _config(args)
    progress = progress_line(sys.stderr)
    try:
        result = build(config, strict=args.strict, search_index=not args.no_search, progress=progress,
                       force=args.force, wait=not args.no_wait, future=args.future)
    finally:
        if progress:
            progress.finish()
    _print_problems(result.warnings)
    print(f"build: {result.summary()} → {config.site_dir}")
    if result.schedule.held:
        print(f"build: {result.schedule.summary()}")
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from .errors import display_path
    from .new import new_briefing
    config = _config(args)
    path = new_briefing(config, args.headline, date=args.date, topics=args.topic, lang=args.lang,
                        authors=args.author)
    print(display_path(path, config.root))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from .importer import check_seeds
    from .pipeline import check
    problems: list[SiteError] = []
    config = _config(args, warnings=problems)
    problems.extend(check_seeds(config))
    try:
        problems.extend(check(config))
    except SiteErrors as exc:
        problems.extend(exc.errors)
    _print_problems(problems)
    errors = sum(1 for p in problems if not p.warning)
    warnings = len(problems) - errors
    print(f"check: {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}")
    return 1 if errors else 0


def cmd_deploy(args: argparse.Namespace) -> int:
    from .deploy import check_target, publish
    from .pipeline import build
    from .site_folder import build_lock
    config = _config(args)
    check_target(config.root, remote=args.remote, branch=args.branch, cname=config.cname or None)
    with build_lock(config.site_dir, config.cache_dir, wait=not args.no_wait):  # no build swaps site/ mid-publish
        result = build(config, search_index=not args.no_search, force=args.force, future=args.future)
        _print_problems(result.warnings)
        print(f"build: {result.summary()}")
        if result.schedule.held:
            print(f"build: {result.schedule.summary()}")
        published = publish(config.site_dir, config.root, remote=args.remote, branch=args.branch,
                            message=args.message, dry_run=args.dry_run, cname=config.cname or None)
    print(f"deploy: {published.summary}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .serve import listen_port, run
    return run(Path(args.config), host=args.host, port=listen_port(args.port), open_browser=args.open,
               search=not args.no_search)


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="build.py", description="Turn raw briefings into a static archive site.")
    main.add_argument("--config", default="config.yaml", help="path to config.yaml (default: ./config.yaml)")
    commands = main.add_subparsers(dest="command", required=True, metavar="COMMAND")

    imp = commands.add_parser("import", help="turn seeds/*.txt into content/ Markdown files",
                              description="Import seeds into content/. Never overwrites a file a person edited.")
    imp.add_argument("--force", action="store_true", help="regenerate content files even if edited")
    imp.add_argument("--replace-invalid", action="store_true",
                     help="import seeds with invalid UTF-8, the bad bytes replaced by U+FFFD (with a warning)")
    imp.add_argument("--prune", action="store_true",
                     help="remove content files whose seed is gone, unless someone edited them")
    imp.set_defaults(run=cmd_import)

    build = commands.add_parser("build", help="render content/ into the static site in site/",
                                description="Build the site into a temporary folder and swap it in.")
    _site_options(build)
    build.add_argument("--strict", action="store_true", help="fail on undefined template variables")
    build.set_defaults(run=cmd_build)

    new = commands.add_parser("new", help="start a new briefing: write its content file and print its path",
                              description="Write content/YYYY/MM/<slug>.md for a new briefing, placed and "
                                          "named as import would, as a draft (remove `draft: true` to "
                                          "publish it). Never overwrites a file: a taken name gets -2, -3…")
    new.add_argument("headline", help="the headline, in quotes; its final full stop is dropped from the title")
    new.add_argument("--date", help="YYYY, YYYY-MM or YYYY-MM-DD (default: today in the site's timezone)")
    new.add_argument("--topic", action="append",
                     help="a topic slug from config.yaml; repeat for more, primary first "
                          "(default: the topics import's rules find in the headline)")
    new.add_argument("--lang", help="the briefing's language (default: the site's `language`)")
    new.add_argument("--author", action="append", help="who writes it, in quotes; repeat for more, in byline order")
    new.set_defaults(run=cmd_new)

    check = commands.add_parser("check", help="report every problem in seeds, content, config and templates",
                                description="Load and render everything without writing anything. "
                                            "Exit status 0 only when all is well.")
    check.set_defaults(run=cmd_check)

    serve = commands.add_parser("serve", help="preview the site with live reload",
                                description="Build into a temporary folder, serve it under the path of "
                                            "base_url, rebuild on every change and reload the browser.")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: 127.0.0.1, this machine only; 0.0.0.0 for every "
                            "network interface, with a warning)")
    serve.add_argument("--port", default="8000", help="port to listen on, 0 to 65535; 0 for any free one "
                                                      "(default: 8000)")
    serve.add_argument("--open", action="store_true", help="open the site in the web browser")
    serve.add_argument("--no-search", action="store_true",
                       help="do not keep site/ and its search index up to date in the background "
                            "(the preview's search then shows the index of the last build)")
    serve.set_defaults(run=cmd_serve)

    deploy = commands.add_parser("deploy", help="build and publish site/ to the gh-pages branch",
                                 description="Build, commit the site as one commit on the gh-pages branch "
                                             "(working tree untouched) and push it.")
    _site_options(deploy)
    deploy.add_argument("--remote", default="origin", help="git remote to push to (default: origin)")
    deploy.add_argument("--branch", default="gh-pages", help="branch to publish to (default: gh-pages)")
    deploy.add_argument("--message", help="commit message")
    deploy.add_argument("--dry-run", action="store_true", help="build and check, but commit and push nothing")
    deploy.set_defaults(run=cmd_deploy)
    return main


def _site_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--base-url", help="override base_url (also BRIEFINGS_BASE_URL)")
    command.add_argument("--output", help="output folder (default: site/ next to config.yaml)")
    command.add_argument("--no-search", action="store_true",
                         help="skip the full-text search index (Pagefind); the search page then says so")
    command.add_argument("--link-style", choices=LINK_STYLES,
                         help="pretty links (…/) or files links (…/index.html, for opening from disk)")
    command.add_argument("--force", action="store_true",
                         help="replace an output folder holding files this tool did not build")
    command.add_argument("--future", action="store_true",
                         help="include briefings dated after today (in config timezone), marked as scheduled")
    command.add_argument("--no-wait", action="store_true",
                         help="fail at once if another build is writing the output folder (default: wait)")


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code: int = args.run(args)
        return code
    except SiteErrors as exc:
        _print_problems(exc.errors)
        errors = sum(1 for e in exc.errors if not e.warning)
        print(f"{args.command}: failed with {errors} error{'s' * (errors != 1)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except OSError as exc:  # a disk full, a folder not writable: the user's to fix, not a crash
        where = os.fsdecode(exc.filename) if exc.filename else args.command
        print(SiteError(where, None, exc.strerror or str(exc),
                        "check the path exists, is writable, and the disk is not full"), file=sys.stderr)
        print(f"{args.command}: failed", file=sys.stderr)
        return 1
