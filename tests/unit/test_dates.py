"""Dates keep their precision: a month stays a month in every display, feed and sort."""
from __future__ import annotations

import datetime as dt
from email.utils import parsedate_to_datetime

import pytest
import yaml

from briefings.dates import BriefingDate, from_yaml, infer_day, parse_date, to_yaml


@pytest.mark.parametrize("text, date, precision", [
    ("2023", BriefingDate(2023), "year"),
    ("2023-08", BriefingDate(2023, 8), "month"),
    ("2023-8", BriefingDate(2023, 8), "month"),
    ("2023-08-14", BriefingDate(2023, 8, 14), "day"),
    (" 2023-08-14 ", BriefingDate(2023, 8, 14), "day"),
    ("2024-02-29", BriefingDate(2024, 2, 29), "day"),
])
def test_parse(text: str, date: BriefingDate, precision: str) -> None:
    assert parse_date(text) == date
    assert parse_date(text).precision == precision


@pytest.mark.parametrize("text, message", [
    ("2023-13", "month 13 does not exist"),
    ("2023-00", "month 0 does not exist"),
    ("2023-02-30", "day 30 does not exist in February 2023"),
    ("2023-02-29", "day 29 does not exist in February 2023 (it has 28 days)"),
    ("2023-04-31", "day 31 does not exist in April 2023"),
    ("2023-08-00", "day 0 does not exist"),
    ("tomorrow", "'tomorrow' is not a date"),
    ("14/08/2023", "is not a date"),
    ("2023-08-14T10:00", "is not a date"),
    ("", "is not a date"),
    ("0999", "out of range"),
])
def test_parse_errors_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_date(text)
    assert message in str(caught.value)


@pytest.mark.parametrize("date, fr, en", [
    (BriefingDate(2023, 8), "août 2023", "August 2023"),
    (BriefingDate(2023, 8, 14), "14 août 2023", "August 14, 2023"),
    (BriefingDate(2023, 8, 1), "1er août 2023", "August 1, 2023"),
    (BriefingDate(2023, 2), "février 2023", "February 2023"),
    (BriefingDate(2023, 12, 31), "31 décembre 2023", "December 31, 2023"),
    (BriefingDate(2021), "2021", "2021"),
])
def test_display_keeps_precision(date: BriefingDate, fr: str, en: str) -> None:
    assert date.display("fr") == fr
    assert date.display("en") == en  # CLDR's `en` is American English; `en-GB` writes 14 August 2023


@pytest.mark.parametrize("lang, day, month", [
    ("en-GB", "14 August 2023", "August 2023"), ("de", "14. August 2023", "August 2023"),
    ("es", "14 de agosto de 2023", "agosto de 2023"), ("ru", "14 августа 2023\u202fг.", "август 2023\u202fг."),
    ("ja", "2023年8月14日", "2023年8月"), ("ko", "2023년 8월 14일", "2023년 8월"),
    ("ar", "14 أغسطس 2023", "أغسطس 2023"), ("he", "14 באוגוסט 2023", "אוגוסט 2023"),
])
def test_display_follows_cldr_in_any_language(lang: str, day: str, month: str) -> None:
    assert BriefingDate(2023, 8, 14).display(lang) == day
    assert BriefingDate(2023, 8).display(lang) == month


@pytest.mark.parametrize("date", [BriefingDate(2023, 8), BriefingDate(2021)])
def test_month_or_year_never_shows_a_day(date: BriefingDate) -> None:
    for lang in ("fr", "en"):
        shown = date.display(lang)
        assert not any(str(day) in shown.replace(str(date.year), "") for day in range(1, 32)), shown


@pytest.mark.parametrize("date, iso", [
    (BriefingDate(2023), "2023"), (BriefingDate(2023, 8), "2023-08"), (BriefingDate(2023, 8, 4), "2023-08-04"),
])
def test_iso(date: BriefingDate, iso: str) -> None:
    assert date.iso() == iso == str(date)
    assert parse_date(iso) == date


@pytest.mark.parametrize("date, rfc", [
    (BriefingDate(2023, 8, 14), "Mon, 14 Aug 2023 00:00:00 +0000"),
    (BriefingDate(2023, 8), "Tue, 01 Aug 2023 00:00:00 +0000"),
    (BriefingDate(2021), "Fri, 01 Jan 2021 00:00:00 +0000"),
])
def test_rfc822(date: BriefingDate, rfc: str) -> None:
    assert date.rfc822() == rfc
    parsed = parsedate_to_datetime(rfc)
    assert parsed.utcoffset() == dt.timedelta(0)
    assert parsed.date() == date.as_date()


@pytest.mark.parametrize("date", [
    BriefingDate(2023), BriefingDate(2023, 8), BriefingDate(2023, 1), BriefingDate(2023, 8, 14),
    BriefingDate(2024, 2, 29),
])
def test_yaml_round_trip(date: BriefingDate) -> None:
    assert from_yaml(to_yaml(date)) == date
    # …and through real YAML text, as front matter stores it.
    text = yaml.safe_dump({"date": to_yaml(date)})
    assert from_yaml(yaml.safe_load(text)["date"]) == date


@pytest.mark.parametrize("value, date", [
    (dt.date(2023, 8, 14), BriefingDate(2023, 8, 14)),
    (dt.datetime(2023, 8, 14, 10, 30), BriefingDate(2023, 8, 14)),
    (2023, BriefingDate(2023)),
    ("2023-08", BriefingDate(2023, 8)),
])
def test_from_yaml_values(value: object, date: BriefingDate) -> None:
    assert from_yaml(value) == date


@pytest.mark.parametrize("value", [True, 3.5, None, ["2023"], {"y": 2023}, "août 2023"])
def test_from_yaml_rejects(value: object) -> None:
    with pytest.raises(ValueError):
        from_yaml(value)


def test_dates_of_mixed_precision_sort() -> None:
    dates = [BriefingDate(2023, 8, 14), BriefingDate(2023), BriefingDate(2022, 12, 31),
             BriefingDate(2023, 8), BriefingDate(2023, 9)]
    assert sorted(dates) == [BriefingDate(2022, 12, 31), BriefingDate(2023), BriefingDate(2023, 8),
                             BriefingDate(2023, 8, 14), BriefingDate(2023, 9)]
    assert max(dates) == BriefingDate(2023, 9)


# --- recovering a day the text names ---------------------------------------------------

@pytest.mark.parametrize("date, text, expected", [
    # 14 August 2023 was a Monday.
    (BriefingDate(2023, 8), "a appelé, ce lundi 14 août, à une intensification", BriefingDate(2023, 8, 14)),
    (BriefingDate(2023, 8), "ce LUNDI 14 AOUT", BriefingDate(2023, 8, 14)),
    (BriefingDate(2023, 8), "on Monday, August 14th the leader said", BriefingDate(2023, 8, 14)),
    (BriefingDate(2023, 8), "on Monday 14 August", BriefingDate(2023, 8, 14)),
    (BriefingDate(2023, 9), "ce vendredi 1er septembre", BriefingDate(2023, 9, 1)),
    # The same day named twice is still one day.
    (BriefingDate(2023, 8), "lundi 14 août… puis, lundi 14 août encore", BriefingDate(2023, 8, 14)),
    # Wrong weekday: the text is wrong or about another year; keep the month.
    (BriefingDate(2023, 8), "ce mardi 14 août", BriefingDate(2023, 8)),
    # Two different, each consistent, days: which one is the briefing's? Keep the month.
    (BriefingDate(2023, 8), "lundi 14 août et mardi 15 août", BriefingDate(2023, 8)),
    # One right and one wrong mention: ambiguous, keep the month.
    (BriefingDate(2023, 8), "lundi 14 août et mercredi 15 août", BriefingDate(2023, 8)),
    # Other months are not this briefing's day.
    (BriefingDate(2023, 8), "vendredi 1er septembre", BriefingDate(2023, 8)),
    # A day the month does not have.
    (BriefingDate(2023, 9), "dimanche 31 septembre", BriefingDate(2023, 9)),
    # A day without a weekday, or a weekday without a day, proves nothing.
    (BriefingDate(2023, 8), "du 21 au 31 août", BriefingDate(2023, 8)),
    (BriefingDate(2023, 8), "ce vendredi, un sommet", BriefingDate(2023, 8)),
    (BriefingDate(2023, 8), "", BriefingDate(2023, 8)),
    # Only a month is ever sharpened: a year or a day is left alone.
    (BriefingDate(2023), "lundi 14 août", BriefingDate(2023)),
    (BriefingDate(2023, 8, 2), "lundi 14 août", BriefingDate(2023, 8, 2)),
])
def test_infer_day(date: BriefingDate, text: str, expected: BriefingDate) -> None:
    assert infer_day(date, text) == expected
