"""Pickling for the model's frozen, slotted dataclasses: as a plain tuple of their fields.

The build cache holds every briefing; the dataclass default (a field lookup
per object) made loading 10,000 of them take a fifth of a second, this
a few hundredths. A class opts in by naming these in its own body:

    __getstate__ = slots_state
    __setstate__ = restore_slots
"""
from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any


def slots_state(self: Any) -> tuple[object, ...]:
    """`self`: any slotted dataclass (Any: no type says "has __slots__")."""
    return tuple(getattr(self, name) for name in self.__slots__)


def restore_slots(self: Any, state: tuple[object, ...]) -> None:
    kind: type = type(self)
    for set_slot, value in zip(_slot_setters(kind), state, strict=True):
        set_slot(self, value)


@cache
def _slot_setters(kind: Any) -> tuple[Callable[[object, object], None], ...]:
    """The slots' own descriptors set a frozen dataclass's fields (its __setattr__ refuses),
    a fifth faster than object.__setattr__ by name."""
    return tuple(kind.__dict__[name].__set__ for name in kind.__slots__)
