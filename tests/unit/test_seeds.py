"""The seed parser: the real seed, messy-but-valid files, and every kind of broken file."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from briefings.dates import BriefingDate
from briefings.errors import SiteErrors
from briefings.seeds import parse_seed, seed_id
from helpers import REAL_SEED, REAL_SEED_ID

NAME = Path("seeds/001_abcdef12.txt")
SHOWN = "seeds/001_abcdef12.txt"
CLEAN = (" date 2023-08 Kim Jong-un inspecte une usine.\n"
         "\n"
         "Premier paragraphe du briefing, avec une phrase complète.\n"
         "\n"
         "Sommet à Washington\n"
         "\n"
         "- premier point\n"
         "- second point\n"
         "\n"
         "Dernier paragraphe, qui se termine par un point.")


def parsed(data: bytes | str, path: Path = NAME):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return parse_seed(path, data, str(path))


def shape(seed) -> tuple:
    """What a seed means, independent of where its blocks sit in the file."""
    return seed.id, seed.title, seed.date, tuple((b.kind, b.text) for b in seed.blocks)


def test_real_seed() -> None:
    seed = parse_seed(REAL_SEED, REAL_SEED.read_bytes(), "seeds/" + REAL_SEED.name)
    assert seed.id == REAL_SEED_ID
    assert seed.title.startswith("Le dirigeant de la Corée du Nord, Kim Jong-un, a appelé sa nation")
    assert seed.title.endswith("production de missiles.")
    # The file says only `date 2023-08`; "ce lundi 14 août" names the day, and 14 August 2023 was a Monday.
    assert seed.date == BriefingDate(2023, 8, 14)
    kinds = [b.kind for b in seed.blocks]
    assert kinds == ["paragraph"] * 3 + ["heading"] + ["paragraph"] * 3
    heading = seed.blocks[3]
    assert (heading.text, heading.line) == ("Sommet à Washington", 9)
    assert seed.blocks[0].line == 3
    assert seed.blocks[0].text.startswith("Afin de s’assurer de la «puissance militaire écrasante»")
    assert seed.blocks[-1].text.endswith("ce que les deux intéressés nient fermement.")


def test_clean_file_structure() -> None:
    seed = parsed(CLEAN)
    assert seed.id == "abcdef12"
    assert seed.title == "Kim Jong-un inspecte une usine."
    assert seed.date == BriefingDate(2023, 8)
    assert [(b.kind, b.text) for b in seed.blocks] == [
        ("paragraph", "Premier paragraphe du briefing, avec une phrase complète."),
        ("heading", "Sommet à Washington"),
        ("list", "premier point\nsecond point"),
        ("paragraph", "Dernier paragraphe, qui se termine par un point."),
    ]


@pytest.mark.parametrize("variant", [
    pytest.param(lambda t: t.replace("\n", "\r\n"), id="crlf"),
    pytest.param(lambda t: t.replace("\n", "\r"), id="cr-only"),
    pytest.param(lambda t: "\ufeff" + t, id="bom"),
    pytest.param(lambda t: "\ufeff" + t.replace("\n", "\r\n"), id="bom+crlf"),
    pytest.param(lambda t: t.replace("\n", "  \t\n") + "   ", id="trailing-spaces"),
    pytest.param(lambda t: t.replace("\n\n", "\n\n\n\n  \n\n"), id="blank-runs"),
    pytest.param(lambda t: "\n\n   \n" + t + "\n\n\n", id="leading-trailing-blank-lines"),
    pytest.param(lambda t: t.replace(" date", "date", 1), id="no-leading-space"),
    pytest.param(lambda t: t.replace(" date 2023-08 ", " date\t2023-08\t", 1), id="tabs-in-date-line"),
])
def test_messy_files_mean_the_same_as_the_clean_one(variant) -> None:
    assert shape(parsed(variant(CLEAN))) == shape(parsed(CLEAN))


def test_messy_real_seed_means_the_same() -> None:
    data = REAL_SEED.read_bytes()
    messy = b"\xef\xbb\xbf" + data.replace(b"\n", b"  \r\n").replace(b"\r\n  \r\n", b"\r\n\r\n\r\n\r\n")
    assert shape(parsed(messy, REAL_SEED)) == shape(parsed(data, REAL_SEED))


def test_control_characters_are_dropped() -> None:
    seed = parsed(CLEAN.replace("Premier", "Pre\x07mier\u202e"))
    assert seed.blocks[0].text.startswith("Premier paragraphe")


@pytest.mark.parametrize("data, line, message", [
    pytest.param(b"", 1, "file is empty", id="empty"),
    pytest.param(b"  \n\t\n\r\n   ", 1, "file is empty", id="whitespace-only"),
    pytest.param(b"Kim Jong-un inspecte une usine.\n\nTexte.", 1, "no `date` line", id="no-date-line"),
    pytest.param(b"\n\nKim Jong-un inspecte une usine.\n\nTexte.", 3, "no `date` line", id="no-date-line-after-blanks"),
    pytest.param(b" date 2023-13 Titre.\n\nTexte.", 1, "month 13", id="month-13"),
    pytest.param(b" date 2023-02-30 Titre.\n\nTexte.", 1, "day 30", id="february-30"),
    pytest.param(b" date 2023-00 Titre.\n\nTexte.", 1, "month 0", id="month-0"),
    pytest.param(b" date tomorrow Titre.\n\nTexte.", 1, "'tomorrow' is not a date", id="date-tomorrow"),
    pytest.param(b" date 14/08/2023 Titre.\n\nTexte.", 1, "is not a date", id="date-slashes"),
    pytest.param(b" date 2023-08\n\nTexte.", 1, "no headline", id="no-headline"),
    pytest.param(b" date 2023-08   \n\nTexte.", 1, "no headline", id="no-headline-trailing-space"),
    pytest.param(b"\r\n\r\n date 2023-13 Titre.\r\n\r\nTexte.", 3, "month 13", id="crlf-line-count"),
    pytest.param(b" date 2023-08 Titre.\n\nTexte \xe9t\xe9.", 3, "invalid UTF-8 at byte 28", id="latin-1"),
    pytest.param(b" date 2023-08 Titre.\n\nTexte\xff.", 3, "invalid UTF-8 at byte 27", id="invalid-byte"),
    pytest.param("\ufeff date 2023-08 Titre.\n\nTexte.".encode("utf-16-le"), 1, "UTF-16", id="utf-16-le-bom"),
    pytest.param("\ufeff date 2023-08 Titre.\n\nTexte.".encode("utf-16-be"), 1, "UTF-16", id="utf-16-be-bom"),
    pytest.param(b" date 2023-08 Titre.\n\nTex\x00te.", 3, "NUL bytes", id="nul-bytes"),
])
def test_broken_seeds_name_file_line_and_fix(data: bytes, line: int, message: str) -> None:
    with pytest.raises(SiteErrors) as caught:
        parsed(data)
    (error,) = caught.value.errors
    text = str(error)
    assert text.startswith(f"{SHOWN}:{line}: "), text
    assert message in text
    assert error.hint and text.endswith(f"({error.hint})"), "every seed error says how to fix it"
    assert not error.warning


def test_invalid_utf8_reports_the_byte_offset() -> None:
    data = b" date 2023-08 Titre.\n\nabc\xc3("
    with pytest.raises(SiteErrors) as caught:
        parsed(data)
    offset = int(re.search(r"byte (\d+)", str(caught.value)).group(1))
    assert data[offset:offset + 1] == b"\xc3"


@pytest.mark.parametrize("name", ["notes.txt", "001.txt", "001_xyz.txt", "abc_3f4d1d9c.txt",
                                  "001_3f4d1d9c.md", "001_3f4d1d9c.txt.bak", "001_3f4.txt"])
def test_bad_file_name(name: str) -> None:
    path = Path("seeds") / name
    with pytest.raises(SiteErrors) as caught:
        parse_seed(path, CLEAN.encode(), str(path))
    (error,) = caught.value.errors
    # A file name has no line: the message starts `path: …` and says how to name the file.
    assert str(error).startswith(f"seeds/{name}: file name does not carry an id")
    assert "NNN_<hex id>.txt" in error.hint


@pytest.mark.parametrize("name, ident", [("000_3f4d1d9cf0a4d9f4.txt", "3f4d1d9cf0a4d9f4"),
                                         ("12_ABCDEF.txt", "abcdef")])
def test_seed_id(name: str, ident: str) -> None:
    assert seed_id(Path(name)) == ident


@pytest.mark.parametrize("text, kind", [
    ("Sommet à Washington", "heading"),
    ("Une phrase qui se termine par un point.", "paragraph"),
    ("Une question ?", "paragraph"),
    ("«Citation»", "paragraph"),
    ("Une ligne\nsur deux lignes", "paragraph"),
    ("- un\n- deux", "list"),
    ("* un\n* deux", "list"),
    ("• un\n• deux", "list"),
    ("- un\ndeux", "paragraph"),
    (" ".join(["mot"] * 13), "paragraph"),  # too many words for a subheading
])
def test_block_kinds(text: str, kind: str) -> None:
    seed = parsed(f" date 2023-08 Titre.\n\nUn premier paragraphe complet.\n\n{text}\n\nFin du texte.")
    assert seed.blocks[1].kind == kind


@pytest.mark.parametrize("date_text, expected", [
    ("2023", BriefingDate(2023)),
    ("2023-08", BriefingDate(2023, 8)),
    ("2023-08-14", BriefingDate(2023, 8, 14)),
    ("2024-02-29", BriefingDate(2024, 2, 29)),
])
def test_date_precision_is_kept(date_text: str, expected: BriefingDate) -> None:
    assert parsed(f" date {date_text} Titre.\n\nTexte sans jour nommé.").date == expected


@pytest.mark.parametrize("text, visible", [
    ("Titre", True), ("\u200bTitre\u200d", True), ("?", True), ("٣", True), ("漢", True), ("🙂", True),
    ("", False), ("   \u00a0\u3000", False), ("\u200b\u200c\u200d\u2060\ufeff\u00ad", False),
    ("\u3164\u115f\u1160\uffa0", False), ("\u2800", False), ("\u0301\u034f\ufe0f", False),
    ("\U000e0041\u061c\u200e\u2062", False), ("\ue000", False),
])
def test_visible_text(text: str, visible: bool) -> None:
    """A title must show something: a letter, digit, punctuation mark or symbol, not only
    spaces, zero-width or format characters, fillers, lone marks or private-use code points."""
    from briefings.text import is_visible
    assert is_visible(text) is visible


def test_a_headline_of_zero_width_characters_is_refused() -> None:
    with pytest.raises(SiteErrors) as caught:
        parsed(" date 2023-08 \u200b\u2060\n\nTexte du briefing.")
    (error,) = caught.value.errors
    assert str(error) == ("seeds/001_abcdef12.txt:1: the headline has no visible character, only "
                          "U+200B ZERO WIDTH SPACE, U+2060 WORD JOINER "
                          "(write the headline after the date on the first line)")
