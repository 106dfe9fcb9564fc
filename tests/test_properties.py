"""Properties that hold for any input (Hypothesis): the seed parser, the front-matter round trip,
slugs and dates. Example counts are kept small enough for the whole file to run in a few seconds;
`pytest tests/test_properties.py --hypothesis-show-statistics` shows how many each test ran."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from briefings import frontmatter, yamldoc
from briefings.config import Config
from briefings.content import load_briefing, read_body
from briefings.dates import BriefingDate, from_yaml, parse_date, to_yaml
from briefings.errors import SiteErrors
from briefings.language import month_and_weekday_names
from briefings.seeds import parse_seed
from briefings.text import clean_line, clean_text, is_visible
from briefings.urls import SLUG_MAX, slugify

SEED_PATH = Path("seeds/001_abcdef12.txt")
SLUG_SHAPE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text as briefings carry it, and worse: any code point but surrogates (which UTF-8 cannot carry).
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=200)
words = st.text(st.characters(whitelist_categories=("Lu", "Ll", "Nd"), max_codepoint=0x17F), min_size=1, max_size=12)


# --- dates -----------------------------------------------------------------------------------

@st.composite
def valid_dates(draw) -> tuple[str, BriefingDate]:
    """A date string the parser must accept (YYYY, YYYY-M(M), YYYY-M(M)-D(D)), and what it means."""
    year = draw(st.integers(1000, 9999))
    precision = draw(st.sampled_from(["year", "month", "day"]))
    if precision == "year":
        return f"{year}", BriefingDate(year)
    month = draw(st.integers(1, 12))
    month_text = draw(st.sampled_from([f"{month:02d}", str(month)]))
    if precision == "month":
        return f"{year}-{month_text}", BriefingDate(year, month)
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day if year < 9999 or month < 12 \
        else 31
    day = draw(st.integers(1, last))
    day_text = draw(st.sampled_from([f"{day:02d}", str(day)]))
    return f"{year}-{month_text}-{day_text}", BriefingDate(year, month, day)


@FAST
@given(valid_dates(), st.sampled_from(["", " ", "\t"]))
def test_every_accepted_date_renders_and_round_trips(case: tuple[str, BriefingDate], pad: str) -> None:
    text, expected = case
    date = parse_date(pad + text + pad)
    assert date == expected
    for lang in ("fr", "en"):
        shown = date.display(lang)
        assert str(date.year) in shown
        if date.month:
            assert month_and_weekday_names(lang)[0][date.month - 1] in shown
    assert date.rfc822().endswith(" 00:00:00 +0000") or date.rfc822().endswith(" 00:00:00 -0000")
    assert parse_date(date.iso()) == date
    assert from_yaml(to_yaml(date)) == date
    # …and through real YAML, as front matter stores it.
    assert from_yaml(yamldoc.load(yamldoc.dump({"date": to_yaml(date)}), "x")["date"]) == date


@FAST
@given(any_text)
def test_every_rejected_date_is_a_value_error_with_a_message(text: str) -> None:
    try:
        date = parse_date(text)
    except ValueError as exc:
        assert str(exc)
        return
    assert isinstance(date, BriefingDate) and 1000 <= date.year <= 9999
    assert re.fullmatch(r"[0-9]{4}(-[0-9]{1,2}(-[0-9]{1,2})?)?", text.strip())


@FAST
@given(st.one_of(st.integers(-10**6, 10**6), st.floats(allow_nan=True), st.booleans(), st.none(),
                 st.lists(st.integers(), max_size=3), st.dates(), st.datetimes(), any_text))
def test_front_matter_dates_of_any_type_are_a_date_or_a_value_error(value: object) -> None:
    try:
        date = from_yaml(value)
    except ValueError as exc:
        assert str(exc)
        return
    assert isinstance(date, BriefingDate) and 1000 <= date.year <= 9999


# --- slugs -----------------------------------------------------------------------------------

@FAST
@given(any_text | st.text(st.sampled_from("aZé-_ ./\\:CONnul1"), max_size=80) | st.text(max_size=400))
def test_slugs_are_safe_short_stable_and_never_reserved(text: str) -> None:
    slug = slugify(text)
    assert SLUG_SHAPE.match(slug), slug
    assert 0 < len(slug) <= SLUG_MAX
    assert slug not in RESERVED
    assert slugify(text) == slug, "deterministic"
    assert slugify(slug) == slug, "a slug is its own slug"
    topic = slugify(text, fallback="")
    assert topic == "" or (SLUG_SHAPE.match(topic) and topic not in RESERVED and len(topic) <= SLUG_MAX)


# --- the seed parser -------------------------------------------------------------------------

@FAST
@given(valid_dates(), any_text.filter(lambda t: t.strip()), any_text)
def test_a_seed_with_a_valid_date_line_parses_or_is_a_site_error(date, headline: str, body: str) -> None:
    data = f" date {date[0]} {headline}\n\n{body}".encode()
    try:
        seed = parse_seed(SEED_PATH, data, str(SEED_PATH))
    except SiteErrors as exc:
        assert exc.errors and all(e.path == str(SEED_PATH) and e.message and e.hint for e in exc.errors)
        return
    assert seed.title and seed.blocks
    assert seed.date.year == date[1].year


@FAST
@given(st.binary(max_size=300))
def test_any_bytes_parse_or_are_a_site_error(data: bytes) -> None:
    for payload in (data, b" date 2023-08 Titre.\n\n" + data):
        try:
            parse_seed(SEED_PATH, payload, str(SEED_PATH))
        except SiteErrors as exc:
            assert all(str(e).startswith(str(SEED_PATH)) for e in exc.errors)


sentence = st.lists(words, min_size=1, max_size=8).map(" ".join)
paragraph_lines = st.lists(sentence, min_size=1, max_size=3)


@FAST
@given(st.lists(paragraph_lines, min_size=1, max_size=5), st.sampled_from(["\n", "\r\n"]),
       st.sampled_from(["", "  ", "\t"]))
def test_paragraphs_round_trip(paragraphs: list[list[str]], newline: str, trailing: str) -> None:
    """Paragraphs (lines ending with a full stop, so never read as subheadings) come back as written,
    each paragraph's lines joined by one space, whatever the line endings and trailing blanks."""
    paragraphs = [lines[:-1] + [lines[-1] + "."] for lines in paragraphs]
    text = newline.join([" date 2023-08 Titre.", ""] + [
        newline.join(line + trailing for line in lines) + newline for lines in paragraphs])
    seed = parse_seed(SEED_PATH, text.encode(), str(SEED_PATH))
    assert [b.kind for b in seed.blocks] == ["paragraph"] * len(paragraphs)
    assert [b.text for b in seed.blocks] == [" ".join(lines) for lines in paragraphs]


# --- front matter ----------------------------------------------------------------------------

tricky_titles = st.one_of(
    any_text,
    st.lists(st.sampled_from(["---", ":", ": ", '"', "'", "#", "- ", "[", "]", "{", "}", "&a", "*a", "!!", "|",
                              ">", "%", "@", "`", "\\", "\n", " ", "  ", "null", "true", "2023-08", "1e3",
                              "Kim Jong-un", "« intensification »", "日本", "\u00a0", "\t"]),
             min_size=1, max_size=12).map("".join))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(title=tricky_titles, summary=tricky_titles, date=valid_dates(),
       topics=st.lists(st.sampled_from(["defence", "north-korea", "china", "general"]), min_size=1, max_size=3,
                       unique=True),
       lang=st.sampled_from(["fr", "en", "de", "pt-BR"]), sid=st.from_regex(r"[0-9a-f]{4,16}", fullmatch=True),
       body=any_text)
def test_front_matter_round_trip(tmp_path: Path, title: str, summary: str, date, topics: list[str], lang: str,
                                 sid: str, body: str) -> None:
    """What import writes (frontmatter.join) is what loading reads: same title, date, topics,
    lang, summary and id, for any title (quotes, colons, `---`, spaces at either end…).
    Loading folds whitespace and drops control characters, so that is the expectation."""
    assume(is_visible(clean_line(title)) and clean_line(summary))  # an invisible title is refused
    body = clean_text(body).strip() or "Texte."
    meta = {"title": title, "date": to_yaml(date[1]), "topics": topics, "lang": lang, "summary": summary,
            "id": sid}
    path = tmp_path / "content" / "2023" / "08" / "a.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(frontmatter.join(meta, body), encoding="utf-8")
    briefing, warnings = load_briefing(path, Config(root=tmp_path))
    assert (briefing.title, briefing.date, briefing.topics, briefing.lang, briefing.summary, briefing.id) == \
        (clean_line(title), date[1], tuple(topics), lang, clean_line(summary), sid)
    assert read_body(briefing, tmp_path) == (body, True)
    assert not [w for w in warnings if "unknown key" in w.message]
