"""Bare URLs in a briefing become links, under the same safe-scheme rule as written links;
import's escapes (`\\_`, `\\&`) stay out of the link. Built with build.py into tmp_path."""
from __future__ import annotations

from pathlib import Path

from helpers import content_file, create_project, parse_html, run_build_py

BODY = r"""Le rapport est en ligne : https://example.org/rapport\_2024?page=1\&lang=fr. Écrire à presse@example.org.

Sans schéma, www.example.org et fin.Il ne deviennent pas des liens ; javascript:alert(1) non plus,
ni javascript://example.org/%0Aalert(1), vbscript://x.org, file:///etc/passwd ou data://x.org.

Un [lien écrit](https://example.org/ecrit), <https://example.org/chevrons> et `https://example.org/code`.
"""


def test_bare_urls_become_safe_links(tmp_path: Path) -> None:
    config = create_project(tmp_path / "p", content={"2024/03/liens.md": content_file(
        {"title": "Liens", "date": "2024-03-05", "topics": ["general"]}, BODY)})
    run = run_build_py(config, "build", "--no-search")
    assert run.code == 0, run.output
    body = parse_html(tmp_path / "p/site/2024/03/liens/index.html").find("div", "body")
    links = [(a.attrs["href"], a.clean_text()) for a in body.find_all("a")]
    assert links == [
        ("https://example.org/rapport_2024?page=1&lang=fr", "https://example.org/rapport_2024?page=1&lang=fr"),
        ("mailto:presse@example.org", "presse@example.org"),
        ("https://example.org/ecrit", "lien écrit"),
        ("https://example.org/chevrons", "https://example.org/chevrons"),
    ]
    text = body.clean_text()
    assert "www.example.org et fin.Il" in text and "javascript:alert(1)" in text and "file:///etc/passwd" in text
    assert body.find("code").clean_text() == "https://example.org/code"
