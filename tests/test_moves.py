"""A published page that moves (its date or slug corrected) leaves its old address dead: the
build that sees the move warns, naming the old address and the `aliases:` line that keeps
shared links working. With the alias, or for a page never published, nothing is said."""
from __future__ import annotations

from pathlib import Path

from helpers import content_file, create_project, run_build_py

FILE = "content/2024/05/seisme.md"


def _moves(run) -> list[str]:
    return [line for line in run.stderr.splitlines() if "moved" in line]


def test_a_moved_page_is_a_warning_with_the_alias_to_add(tmp_path: Path) -> None:
    config = create_project(tmp_path / "p", content={
        "2024/05/seisme.md": content_file({"title": "Séisme", "date": "2024-05-03", "id": "abc"}),
        "pages/about.md": content_file({"title": "À propos"}, "Qui nous sommes."),
    })
    assert run_build_py(config, "build", "--no-search").code == 0
    path = config.parent / FILE
    path.write_text(path.read_text(encoding="utf-8").replace("title: Séisme", "title: Séisme\nslug: seisme-corrige"),
                    encoding="utf-8")
    about = config.parent / "content/pages/about.md"
    about.write_text(about.read_text(encoding="utf-8").replace("title: À propos", "title: À propos\nslug: qui"),
                     encoding="utf-8")
    run = run_build_py(config, "build", "--no-search")
    assert run.code == 0, run.output
    assert sorted(_moves(run)) == [
        f"{FILE}: warning: its page moved from /2024/05/seisme/ to /2024/05/seisme-corrige/: links to the old "
        "address now lead nowhere (add `aliases: [/2024/05/seisme/]` to its front matter to keep them working)",
        "content/pages/about.md: warning: its page moved from /about/ to /qui/: links to the old address now "
        "lead nowhere (add `aliases: [/about/]` to its front matter to keep them working)"]
    assert _moves(run_build_py(config, "build", "--no-search")) == _moves(run), "a no-op repeats the last warnings"
    about.write_text(about.read_text(encoding="utf-8") + "Une phrase de plus.\n", encoding="utf-8")
    assert _moves(run_build_py(config, "build", "--no-search")) == [], "said by the build that saw it"


def test_a_move_across_months_with_its_alias_or_never_published_says_nothing(tmp_path: Path) -> None:
    config = create_project(tmp_path / "p", content={
        "2024/05/seisme.md": content_file({"title": "Séisme", "date": "2024-05-03", "id": "abc"}),
        "2024/05/brouillon.md": content_file({"title": "Brouillon", "date": "2024-05-04", "draft": True}),
    })
    assert run_build_py(config, "build", "--no-search").code == 0
    path = config.parent / FILE
    path.write_text(path.read_text(encoding="utf-8").replace("2024-05-03", "2024-06-01"), encoding="utf-8")
    run = run_build_py(config, "build", "--no-search")
    assert _moves(run) == [
        f"{FILE}: warning: its page moved from /2024/05/seisme/ to /2024/06/seisme/: links to the old "
        "address now lead nowhere (add `aliases: [/2024/05/seisme/]` to its front matter to keep them working)"]
    path.write_text(path.read_text(encoding="utf-8").replace("2024-06-01", "2024-07-01")
                    .replace("id: abc", "id: abc\naliases: [/2024/06/seisme/]"), encoding="utf-8")
    draft = config.parent / "content/2024/05/brouillon.md"
    draft.write_text(draft.read_text(encoding="utf-8").replace("2024-05-04", "2024-08-01"), encoding="utf-8")
    run = run_build_py(config, "build", "--no-search")
    assert run.code == 0, run.output
    assert _moves(run) == []


def test_a_renamed_file_with_its_id_is_a_move_and_one_of_two_sharing_an_id_is_not(tmp_path: Path) -> None:
    config = create_project(tmp_path / "p", content={
        "2024/05/seisme.md": content_file({"title": "Séisme", "date": "2024-05-03", "id": "abc"}),
        "2024/05/double-a.md": content_file({"title": "Double A", "date": "2024-05-04", "id": "dup"}),
        "2024/05/double-b.md": content_file({"title": "Double B", "date": "2024-05-05", "id": "dup"}),
    })
    assert run_build_py(config, "build", "--no-search").code == 0
    content = config.parent / "content"
    (content / "2024/06").mkdir()
    (content / FILE.removeprefix("content/")).rename(content / "2024/06/tremblement.md")
    (content / "2024/05/double-a.md").unlink()
    run = run_build_py(config, "build", "--no-search")
    assert run.code == 0, run.output
    assert _moves(run) == [
        "content/2024/06/tremblement.md: warning: its page moved from /2024/05/seisme/ to /2024/05/tremblement/: "
        "links to the old address now lead nowhere (add `aliases: [/2024/05/seisme/]` to its front matter to keep "
        "them working)"], "the file keeps its date: its slug is its new name; double-b did not move"
