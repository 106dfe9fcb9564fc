"""Front matter: splitting header and body with file line numbers, safe YAML, field validation."""
from __future__ import annotations

from pathlib import Path

import pytest

from briefings import frontmatter
from briefings.config import load_config
from briefings.content import load_briefing
from briefings.dates import BriefingDate
from briefings.errors import SiteErrors
from helpers import create_project

SHOWN = "content/2023/08/x.md"


def split(text: str):
    return frontmatter.split(text, SHOWN)


def errors_of(text: str) -> list:
    with pytest.raises(SiteErrors) as caught:
        split(text)
    return caught.value.errors


def test_split_keeps_line_numbers() -> None:
    doc = split("---\ntitle: Bonjour\ndate: 2023-08\n---\nPremière ligne.\n\nSeconde.\n")
    assert doc.meta == {"title": "Bonjour", "date": "2023-08"}
    assert doc.body == "Première ligne.\n\nSeconde.\n"
    assert doc.body_line == 5
    assert frontmatter.key_line(doc, "date") == 3


@pytest.mark.parametrize("text", [
    "\ufeff---\r\ntitle: Bonjour\r\n---\r\nTexte.\r\n",
    "---   \ntitle: Bonjour\n---\t\nTexte.\n",
])
def test_split_tolerates_bom_crlf_and_trailing_spaces(text: str) -> None:
    doc = split(text)
    assert doc.meta == {"title": "Bonjour"}
    assert doc.body.strip() == "Texte."


def test_empty_header_is_an_empty_mapping() -> None:
    assert split("---\n---\nTexte.\n").meta == {}


def test_join_round_trips() -> None:
    meta = {"title": 'Un « titre » : avec "guillemets" et ]]>', "date": "2023-08",
            "topics": ["north-korea", "defence"], "id": "00ff"}
    doc = split(frontmatter.join(meta, "Texte.\n\n## Titre\n"))
    assert doc.meta == meta
    assert doc.body == "Texte.\n\n## Titre\n"


@pytest.mark.parametrize("text, line, message", [
    ("title: Bonjour\n---\nTexte.\n", 1, "no front matter"),
    ("", 1, "no front matter"),
    ("---\ntitle: Bonjour\n\nTexte sans fin d'en-tête.\n", 1, "front matter is not closed"),
    ("---\ntitle: Bonjour\ndate: 2023-08\nsummary: a: b\n---\nTexte.\n", 4, "mapping values are not allowed"),
    ("---\ntitle: Bonjour\ndate: 2023-08\ntopics: [a, b\nlang: fr\n---\nTexte.\n", 5, ""),
    ("---\ntitle: \"Bonjour\n---\nTexte.\n", 2, "quote opened on this line is never closed"),
    ("---\n- a\n- b\n---\nTexte.\n", 2, "must be `key: value` lines"),
    ("---\njust text\n---\nTexte.\n", 2, "must be `key: value` lines"),
])
def test_broken_headers(text: str, line: int, message: str) -> None:
    (error,) = errors_of(text)
    assert str(error).startswith(f"{SHOWN}:{line}: "), str(error)
    assert message in error.message
    assert error.hint


def test_python_tags_never_execute(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    for tag in ("!!python/object/apply:os.system", "!!python/object/apply:subprocess.call"):
        text = f"---\ntitle: Bonjour\ndate: 2023-08\nx: {tag} [\"touch {marker}\"]\n---\nTexte.\n"
        (error,) = errors_of(text)
        assert str(error).startswith(f"{SHOWN}:4: YAML tags are not allowed"), str(error)
        assert "remove the `!!` tag" in error.hint
    assert not marker.exists()


def test_python_name_tag_refused(tmp_path: Path) -> None:
    (error,) = errors_of("---\ntitle: !!python/name:os.system\n---\nTexte.\n")
    assert error.line == 2 and "YAML tags are not allowed" in error.message


# --- fields, as `load_briefing` validates them ------------------------------------------

@pytest.fixture
def project(tmp_path: Path):
    config_path = create_project(tmp_path / "p")
    config = load_config(config_path)

    def load(header: str, body: str = "Un paragraphe de texte.\n"):
        path = config.content_dir / "2023" / "08" / "x.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\n{header}---\n{body}", encoding="utf-8")
        return load_briefing(path, config)

    return load


GOOD = "title: Bonjour\ndate: 2023-08\ntopics: [north-korea, defence]\nlang: fr\n"


def test_good_file(project) -> None:
    briefing, warnings = project(GOOD)
    assert warnings == []
    assert (briefing.title, briefing.date, briefing.topics, briefing.lang) == \
        ("Bonjour", BriefingDate(2023, 8), ("north-korea", "defence"), "fr")
    assert briefing.file == SHOWN
    assert briefing.slug == "x"
    assert briefing.summary == "Un paragraphe de texte."


@pytest.mark.parametrize("header, line, message, hint", [
    ("title: Bonjour\ndate: 2023-08\ntopics: defence\n", 4, "`topics` must be a list, not text",
     "topics: [defence]"),
    ("title: Bonjour\ndate: 2023-13\n", 3, "bad date: month 13", "YYYY-MM-DD"),
    ("title: Bonjour\ndate: 2023-02-30\n", 3, "bad date", "YYYY-MM-DD"),
    ("title: Bonjour\ndate: demain\n", 3, "bad date", "YYYY-MM-DD"),
    ("title: Bonjour\ndate: [2023]\n", 3, "bad date", "YYYY-MM-DD"),
    ("date: 2023-08\n", 2, "missing `title`", "title: …"),
    ("title: Bonjour\n", 2, "missing `date`", "YYYY-MM"),
    ("title: [a, b]\ndate: 2023-08\n", 2, "`title` must be text", 'title: "…"'),
    ("title: Bonjour\ndate: 2023-08\ntopics: []\n", 4, "non-empty list", "topics: [north-korea, defence]"),
    ("title: Bonjour\ndate: 2023-08\ndraft: maybe\n", 4, "`draft` must be true or false", ""),
])
def test_field_errors(project, header: str, line: int, message: str, hint: str) -> None:
    with pytest.raises(SiteErrors) as caught:
        project(header)
    error = next(e for e in caught.value.errors if message in e.message)
    assert str(error).startswith(f"{SHOWN}:{line}: "), str(error)
    assert hint in error.hint
    assert not error.warning


def test_every_field_error_in_one_file_is_reported(project) -> None:
    with pytest.raises(SiteErrors) as caught:
        project("date: 2023-13\ntopics: defence\n", body="\n")
    messages = " | ".join(e.message for e in caught.value.errors)
    for part in ("missing `title`", "bad date", "`topics` must be a list", "no text"):
        assert part in messages


@pytest.mark.parametrize("key, suggestion", [("titel", "title"), ("tpoics", "topics"), ("sumary", "summary"),
                                             ("dat", "date")])
def test_unknown_key_is_a_warning_with_a_suggestion(project, key: str, suggestion: str) -> None:
    briefing, warnings = project(GOOD + f"{key}: x\n")
    (warning,) = warnings
    assert warning.warning
    assert str(warning).startswith(f"{SHOWN}:6: warning: unknown key `{key}`")
    assert f"did you mean `{suggestion}`?" in warning.hint
    assert briefing.title == "Bonjour"


def test_unknown_key_without_a_near_one_lists_known_keys(project) -> None:
    _, (warning,) = project(GOOD + "zzzzzz: x\n")
    assert "known keys: title, date" in warning.hint


def test_unknown_topic_is_a_warning_with_a_suggestion(project) -> None:
    briefing, (warning,) = project("title: Bonjour\ndate: 2023-08\ntopics: [defense]\n")
    assert warning.warning and warning.line == 4
    assert "did you mean 'defence'?" in warning.hint
    assert briefing.topics == ("defense",)


def test_topics_default_when_missing(project) -> None:
    briefing, _ = project("title: Bonjour\ndate: 2023-08\n")
    assert briefing.topics == ("general",)


def test_yaml_date_types(project) -> None:
    assert project("title: T\ndate: 2023-08-14\n")[0].date == BriefingDate(2023, 8, 14)
    assert project("title: T\ndate: 2023\n")[0].date == BriefingDate(2023)
    assert project("title: T\ndate: '2023-08'\n")[0].date == BriefingDate(2023, 8)


def test_header_value_reads_one_key_of_the_header_as_written() -> None:
    text = "---\r\ntitle: \"Un titre\"\r\nid: 'a1b2'\r\nupdated: 2024-05-02 \r\n---\r\nid: body\r\n"
    assert frontmatter.header_value(text, "id") == "'a1b2'"
    assert frontmatter.header_value(text, "updated") == "2024-05-02"
    assert frontmatter.header_value(text, "title") == '"Un titre"'
    assert frontmatter.header_value(text, "date") is None


def test_header_value_never_reads_the_body() -> None:
    assert frontmatter.header_value("---\ntitle: x\n---\nupdated: 2024-01-01\n", "updated") is None
