"""Pickling for the model's frozen, slotted dataclasses: as a plain tuple of their fields.

The build cache holds every briefing; the dataclass default (a field lookup
per object) made loading 10,000 of them take a fifth of a second, this
a few hundredths. A class opts in by naming these in its own body:

    __getstate__ = slots_state
    __setstate__ = restore_slots
"""
from __future__ import annotations


def slots_state(self) -> tuple:
    return tuple(getattr(self, name) for name in self.__slots__)


def restore_slots(self, state: tuple) -> None:
    for name, value in zip(self.__slots__, state):
        object.__setattr__(self, name, value)
