"""Dates with their true precision: a briefing dated `2023-08` is a month, never an invented day.

This module owns every date rule: parsing, validation, ordering, display in a
language, RFC 822 for feeds, and recovering a day the text names unambiguously.
"""
from __future__ import annotations

import calendar
import datetime as dt
import functools
import os
import re
from dataclasses import dataclass

from .language import format_date, format_span, month_and_weekday_names
from .slots import restore_slots, slots_state
from .text import fold

MENTION_LANGUAGES = ("fr", "en")
"""The languages whose `weekday day month` mentions sharpen a month-only date (infer_day):
each adds two regular expressions run over every imported briefing."""
_DATE_RE = re.compile(r"([0-9]{4})(?:-([0-9]{1,2})(?:-([0-9]{1,2}))?)?")
"""ASCII digits only: `\\d` would also take `２０２３` or `٢٠٢٣`."""


@dataclass(frozen=True, slots=True)
class BriefingDate:
    """A year, a month or a day; `month`/`day` are None when the source does not say.

    Dates order by `sort_key`, so a month sorts before the days in it and a
    year before its months (the dataclass's own ordering would compare None with int).
    """

    year: int
    month: int | None = None
    day: int | None = None

    __getstate__ = slots_state
    __setstate__ = restore_slots

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    @property
    def sort_key(self) -> tuple[int, int, int]:
        return (self.year, self.month or 0, self.day or 0)

    def __lt__(self, other: BriefingDate) -> bool:
        return self.sort_key < other.sort_key if isinstance(other, BriefingDate) else NotImplemented

    def __le__(self, other: BriefingDate) -> bool:
        return self.sort_key <= other.sort_key if isinstance(other, BriefingDate) else NotImplemented

    def __gt__(self, other: BriefingDate) -> bool:
        return self.sort_key > other.sort_key if isinstance(other, BriefingDate) else NotImplemented

    def __ge__(self, other: BriefingDate) -> bool:
        return self.sort_key >= other.sort_key if isinstance(other, BriefingDate) else NotImplemented

    def iso(self) -> str:
        """`2023`, `2023-08` or `2023-08-14`: the form front matter and `<time>` use."""
        if self.day:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    def display(self, lang: str) -> str:
        """Human form in the interface language, as CLDR writes it: `14 août 2023`,
        `August 14, 2023`, `2023年8月`; a month without its day, a year alone."""
        return format_date(self.year, self.month, self.day, lang)

    def as_date(self) -> dt.date:
        """The first day the date covers: feeds and sitemaps need a full date."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    def rfc3339(self) -> str:
        """Atom and JSON Feed dates: midnight UTC of the first day the date covers."""
        return f"{self.as_date().isoformat()}T00:00:00Z"

    def rfc822(self) -> str:
        """RSS `pubDate`: midnight UTC of the first day the date covers."""
        start = self.as_date()
        from email.utils import format_datetime  # slow to import; only feeds need it
        return format_datetime(dt.datetime(start.year, start.month, start.day, tzinfo=dt.UTC))

    def __str__(self) -> str:
        return self.iso()


def span(oldest: BriefingDate, newest: BriefingDate, lang: str) -> str:
    """The months `oldest` to `newest` cover, in `lang` (`janvier – juillet 2022`): what a
    listing page holds. Years only when either is dated by its year alone, never an invented month."""
    return format_span((oldest.year, oldest.month), (newest.year, newest.month), lang)


def parse_date(text: str) -> BriefingDate:
    """Parse `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; raise ValueError saying what is wrong."""
    match = _DATE_RE.fullmatch(text.strip()) if len(text) < 100 else None
    if not match:
        shown = text if len(text) <= 40 else text[:40] + "…"
        raise ValueError(f"'{shown}' is not a date; write YYYY, YYYY-MM or YYYY-MM-DD")
    year = int(match[1])  # the pattern requires the year
    month, day = (int(g) if g else None for g in match.groups()[1:])
    if year < 1000:
        raise ValueError(f"year {year} is out of range")
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"month {month} does not exist in '{text}'; months run from 01 to 12")
    if day is not None:
        assert month is not None, "the pattern takes a day only after a month"
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            raise ValueError(f"day {day} does not exist in {calendar.month_name[month]} {year} "
                             f"(it has {last} days)")
    return BriefingDate(year, month, day)


def from_yaml(value: object) -> BriefingDate:
    """Front matter dates arrive as `date` (YAML timestamps), `int` (a year) or `str`."""
    if isinstance(value, dt.date):  # also a datetime: its day is the date
        return parse_date(f"{value.year:04d}-{value.month:02d}-{value.day:02d}")  # same range rules
    if isinstance(value, int) and not isinstance(value, bool):
        return parse_date(str(value))
    if isinstance(value, str):
        return parse_date(value)
    raise ValueError(f"date must be YYYY, YYYY-MM or YYYY-MM-DD, not {type(value).__name__}")


def to_yaml(date: BriefingDate) -> object:
    """The inverse of `from_yaml`, so front matter round-trips to the same date."""
    if date.day:
        return date.as_date()
    if date.month:
        return date.iso()
    return date.year


def _day_mentions(text: str) -> list[tuple[int, int, int]]:
    """Every `weekday day month` (or `weekday, month day`) in French or English:
    (weekday index, day, month)."""
    folded = fold(text)
    found = []
    for patterns, fold_w, fold_m in _mention_patterns():
        for i, pattern in enumerate(patterns):
            for m in pattern.finditer(folded):
                weekday, a, b = m.groups()
                day, month = (a, b) if i == 0 else (b, a)
                found.append((fold_w.index(weekday), int(day), fold_m.index(month) + 1))
    return found


@functools.cache
def _mention_patterns() -> list[tuple[tuple[re.Pattern[str], re.Pattern[str]], list[str], list[str]]]:
    """Per language: the two date-mention patterns, with the folded weekday and month names."""
    result: list[tuple[tuple[re.Pattern[str], re.Pattern[str]], list[str], list[str]]] = []
    for lang in MENTION_LANGUAGES:
        months, weekdays = month_and_weekday_names(lang)
        fold_w = [fold(w) for w in weekdays]
        fold_m = [fold(m) for m in months]
        any_weekday, any_month = "|".join(fold_w), "|".join(fold_m)
        patterns = (re.compile(rf"\b({any_weekday}),?\s+(\d{{1,2}})(?:er|st|nd|rd|th)?\s+({any_month})\b"),
                    re.compile(rf"\b({any_weekday}),?\s+({any_month})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b"))
        result.append((patterns, fold_w, fold_m))
    return result


def infer_day(date: BriefingDate, text: str) -> BriefingDate:
    """Sharpen a month-only date when the text names the day unambiguously and consistently.

    "lundi 14 août" in a 2023-08 briefing gives 2023-08-14 because 14 August 2023
    was a Monday. Any mention of the same month whose weekday is wrong, or two
    different days, leaves the month as it is: guessing would invent a date.
    """
    if date.precision != "month":
        return date
    days = set()
    for weekday, day, month in _day_mentions(text):
        if month != date.month:
            continue
        try:
            real = dt.date(date.year, month, day)
        except ValueError:
            return date
        if real.weekday() != weekday:
            return date
        days.add(day)
    if len(days) != 1:
        return date
    return BriefingDate(date.year, date.month, days.pop())


TODAY_VARIABLE = "BRIEFINGS_TODAY"
"""The clock: when set (`2027-01-04`), the day the build takes for today. Tests move it to
make a scheduled briefing's day arrive; an editor can set it to see the site as it will be."""
DEFAULT_TIMEZONE = "UTC"


def timezone_problem(name: str) -> str | None:
    """What is wrong with `name` as the site's timezone (None when it is an IANA name such as
    `Europe/Paris`, or `UTC`): the day a scheduled briefing comes out is that zone's day."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f"'{name[:60]}' is not a time zone name"
    return None


def today(timezone: str = DEFAULT_TIMEZONE) -> dt.date:
    """Today in the site's `timezone`, or the day BRIEFINGS_TODAY names (see TODAY_VARIABLE)."""
    fixed = os.environ.get(TODAY_VARIABLE, "").strip()
    if fixed:
        try:
            return dt.date.fromisoformat(fixed)
        except ValueError:
            raise ValueError(f"{TODAY_VARIABLE}='{fixed[:40]}' is not a day; write YYYY-MM-DD") from None
    from zoneinfo import ZoneInfo
    return dt.datetime.now(ZoneInfo(timezone)).date()


def due_date(date: BriefingDate) -> dt.date:
    """The day a briefing dated `date` comes out: the first day its date covers, so `2027-03`
    comes out on 1 March 2027 and `2027` on 1 January, the day its feed entries are dated."""
    return date.as_date()


def is_scheduled(date: BriefingDate, today: dt.date) -> bool:
    """A briefing dated after `today` is scheduled: held back until its `due_date`."""
    return due_date(date) > today
