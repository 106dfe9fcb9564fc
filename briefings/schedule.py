"""Scheduled briefings: those dated after today are held back until their day.

A held briefing has no page and appears in no listing, feed, sitemap or search
record: the build leaves it out of the model (seeds -> content -> *here* -> model).
With `future` (`build --future`, the preview) it is shown, marked `scheduled`.
The date rules (what "after today" means, which day is today) are dates.py's.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from .config import Config
from .content import Briefing
from .dates import TODAY_VARIABLE, due_date, is_scheduled, today
from .errors import SiteError, SiteErrors


@dataclass(frozen=True, slots=True)
class Schedule:
    """What a build held back, and when what it shows changes by itself."""

    held: int = 0
    """Scheduled briefings left out of the site."""
    next_due: str = ""
    """The day (ISO) the next scheduled briefing comes out, held or shown marked; "" for none.
    From that day on, the same inputs give another site: the build cache's no-op check asks."""

    def came_due(self, day: dt.date) -> bool:
        """Whether a briefing scheduled when this was made has come out by `day`."""
        return bool(self.next_due) and day.isoformat() >= self.next_due

    def summary(self) -> str:
        """What the build prints about it; "" when nothing is scheduled."""
        if not self.held:
            return ""
        plural = "s" * (self.held != 1)
        return (f"{self.held} scheduled briefing{plural} held back, the next on {self.next_due} "
                "(--future includes them)")


def site_today(config: Config) -> dt.date:
    """Today in the site's time zone (or as BRIEFINGS_TODAY says), with a clear error."""
    try:
        return today(config.timezone)
    except ValueError as exc:
        raise SiteErrors([SiteError(TODAY_VARIABLE, None, str(exc),
                                    f"unset {TODAY_VARIABLE} to use today's date")]) from None


def schedule(briefings: list[Briefing], day: dt.date, future: bool) -> tuple[list[Briefing], Schedule]:
    """The briefings a build shows on `day`, and what it held. With `future`, the scheduled
    ones are shown too, each marked (`Briefing.scheduled`), which their pages say."""
    shown: list[Briefing] = []
    dues: list[dt.date] = []
    for briefing in briefings:
        if not is_scheduled(briefing.date, day):
            shown.append(briefing)
            continue
        dues.append(due_date(briefing.date))
        if future:
            shown.append(replace(briefing, scheduled=True))
    held = 0 if future else len(dues)
    return shown, Schedule(held, min(dues).isoformat() if dues else "")
