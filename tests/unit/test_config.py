"""config.yaml: the real one loads; every mistake names its key path and line; unknown keys warn."""
from __future__ import annotations

from pathlib import Path

import pytest

from briefings.config import Config, config_warnings, load_config
from briefings.errors import SiteErrors
from helpers import REAL_CONFIG


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def errors_of(path: Path) -> list:
    with pytest.raises(SiteErrors) as caught:
        load_config(path)
    return [e for e in caught.value.errors if not e.warning]


def test_real_config() -> None:
    config = load_config(REAL_CONFIG)
    assert isinstance(config, Config)
    assert config.base_url == "https://example.github.io/briefings/"
    assert config.language == "fr"
    assert config.link_style == "pretty"
    assert config.default_topic == "general"
    assert config.feed_items == 50 and config.feed_full_content is True
    slugs = [rule.slug for rule in config.topics]
    assert slugs[:2] == ["north-korea", "defence"]
    assert config.topic("north-korea").name("fr") == "Corée du Nord"
    assert config.topic("north-korea").name("en") == "North Korea"
    assert config_warnings(REAL_CONFIG) == []
    assert config.root == REAL_CONFIG.parent.resolve()


def test_config_is_frozen() -> None:
    config = load_config(REAL_CONFIG)
    with pytest.raises(AttributeError):
        config.per_page = 3  # type: ignore[misc]


def test_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "title: Mon archive\n"))
    assert config.title == "Mon archive"
    assert config.per_page == 20 and config.link_style == "pretty" and config.topics == ()
    assert config.content_dir == tmp_path.resolve() / "content"
    assert config.site_dir == tmp_path.resolve() / "site"


def test_empty_file_is_all_defaults(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "")).title == "Briefing Archive"


def test_base_url_gets_a_trailing_slash(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "base_url: https://example.org/sub\n")).base_url == "https://example.org/sub/"


def test_unknown_topic_gets_a_readable_name(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "")).topic("cyber-security").name("fr") == "Cyber security"


@pytest.mark.parametrize("text, line, message", [
    ("title: [unclosed\nper_page: 3\n", 2, ""),
    ("title: ok\nper_page: 3\n  bad indent: x\n", 3, ""),
    ("title: ok\nfeeds: {items: 5\n", 3, ""),
    ("title: 'unterminated\n", 1, "never closed"),  # the line the quote opens on, not the end of the file
])
def test_invalid_yaml(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = write(tmp_path, text)
    (error,) = errors_of(path)
    assert str(error).startswith(f"{path}:{line}: "), str(error)
    assert message in error.message
    assert error.hint in ("check quoting, indentation and colons",
                          "add the closing quote, or escape quotes inside the text")


def test_python_tag_never_executes(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = write(tmp_path, f'title: ok\nper_page: !!python/object/apply:os.system ["touch {marker}"]\n')
    (error,) = errors_of(path)
    assert str(error).startswith(f"{path}:2: YAML tags are not allowed")
    assert not marker.exists()


@pytest.mark.parametrize("text, line, key, expected", [
    ("title: ok\nper_page: lots\n", 2, "per_page", "a whole number"),
    ("title: ok\nper_page: 2.5\n", 2, "per_page", "a whole number"),
    ("title: ok\nper_page: true\n", 2, "per_page", "a whole number"),
    ("title: ok\nper_page: 0\n", 2, "per_page", "must be at least 1"),
    ("related: -1\n", 1, "related", "must be at least 0"),
    ("title: [a, b]\n", 1, "title", "expected text"),
    ("language: xx\n", 1, "language", "'xx' is not a locale CLDR knows"),
    ("link_style: ugly\n", 1, "link_style", "'ugly' is not supported"),
    ("base_url: example.org\n", 1, "base_url", "not an absolute http(s) URL"),
    ("base_url: ftp://example.org/\n", 1, "base_url", "not an absolute http(s) URL"),
    ("base_url: https://editor:s3cret@example.org/\n", 1, "base_url",
     "'https://…@example.org/' carries a user name or password, which every feed"),
    ("base_url: https://example.org:99999/\n", 1, "base_url", "has the port '99999'; a port is a number"),
    ("base_url: https://example.org:0/\n", 1, "base_url", "has the port '0'"),
    ("base_url: http://[::1]:http/\n", 1, "base_url", "has the port 'http'"),
    ("base_url: https://:443/\n", 1, "base_url", "has no host name"),
    ("default_topic: Mon Sujet\n", 1, "default_topic", "must be a slug"),
    ("title: ok\nfeeds:\n  items: many\n", 3, "feeds.items", "a whole number"),
    ("title: ok\nfeeds:\n  full_content: yes please\n", 3, "feeds.full_content", "true or false"),
    ("feeds:\n  items: 0\n", 2, "feeds.items", "must be at least 1"),
    ("feeds: 5\n", 1, "feeds", "expected a mapping"),
    ("topics: [a, b]\n", 1, "topics", "expected a mapping of topic slugs"),
    ("topics:\n  defence:\n    name: Défense\n    match: missile\n", 4, "topics.defence.match",
     "expected a list of keywords"),
    ("topics:\n  defence:\n    name: Défense\n    match: [missile, '']\n", 4, "topics.defence.match",
     "expected a list of keywords"),
    ("topics:\n  defence:\n    name: [a]\n", 3, "topics.defence.name", "expected text or a mapping"),
    ("topics:\n  Mon Sujet:\n    match: [x]\n", 2, "topics.Mon Sujet", "must be a slug"),
    ("topics:\n  defence: missile\n", 2, "topics.defence", "expected a mapping with name and match"),
])
def test_wrong_values_name_key_path_and_line(tmp_path: Path, text: str, line: int, key: str,
                                             expected: str) -> None:
    path = write(tmp_path, text)
    errors = errors_of(path)
    assert len(errors) == 1, errors
    text_of = str(errors[0])
    assert text_of.startswith(f"{path}:{line}: {key}: "), text_of
    assert expected in text_of


def test_all_problems_are_reported_together(tmp_path: Path) -> None:
    path = write(tmp_path, "per_page: lots\nlanguage: xx\nfeeds:\n  items: x\ntitel: oops\n")
    with pytest.raises(SiteErrors) as caught:
        load_config(path)
    lines = sorted((e.line, e.warning) for e in caught.value.errors)
    assert lines == [(1, False), (2, False), (4, False), (5, True)]


@pytest.mark.parametrize("text, line, path_key, suggestion", [
    ("titel: Mon archive\n", 1, "titel", "title"),
    ("title: ok\nper_pages: 5\n", 2, "per_pages", "per_page"),
    ("title: ok\nbase_ulr: https://x.org/\n", 2, "base_ulr", "base_url"),
    ("feeds:\n  item: 5\n", 2, "feeds.item", "items"),
    ("topics:\n  defence:\n    names: Défense\n    match: [missile]\n", 3, "topics.defence.names", "name"),
])
def test_unknown_keys_warn_with_nearest_key(tmp_path: Path, text: str, line: int, path_key: str,
                                            suggestion: str) -> None:
    path = write(tmp_path, text)
    config = load_config(path)  # a warning does not fail the load
    (warning,) = config_warnings(path)
    assert warning.warning
    assert str(warning).startswith(f"{path}:{line}: warning: {path_key}: unknown key")
    assert f"did you mean '{suggestion}'?" in warning.hint
    assert isinstance(config, Config)


def test_unknown_key_far_from_any_lists_known_keys(tmp_path: Path) -> None:
    (warning,) = config_warnings(write(tmp_path, "zzzzzz: 1\n"))
    assert "known keys: title" in warning.hint


def test_not_a_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, "- a\n- b\n")
    (error,) = errors_of(path)
    assert str(error).startswith(f"{path}:1: config.yaml must be a mapping")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SiteErrors) as caught:
        load_config(tmp_path / "nope.yaml")
    assert "config file not found" in str(caught.value)
    assert "--config" in caught.value.errors[0].hint


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_bytes("title: Archivé\n".encode("latin-1"))
    with pytest.raises(SiteErrors) as caught:
        load_config(path)
    assert "config.yaml:1: not UTF-8: byte 13 is 0xE9" in str(caught.value)


def test_output_settings_change_with_what_changes_pages_and_only_that(tmp_path: Path) -> None:
    config = load_config(REAL_CONFIG)
    settings = config.output_settings()
    assert config.with_overrides(output_dir=tmp_path / "out", cache_folder=tmp_path / "cache",
                                 bodies_folder=tmp_path / "bodies").output_settings() == settings
    assert config.with_overrides(base_url="https://other.example.org/").output_settings() != settings
    assert config.with_overrides(link_style="files").output_settings() != settings
    edited = write(tmp_path, REAL_CONFIG.read_text(encoding="utf-8").replace("per_page: 20", "per_page: 21"))
    assert load_config(edited).output_settings()[1:] == settings[1:]
    assert load_config(edited).output_settings() != settings
