"""Run a function over slices of a list on every core, for large builds.

Worker processes are forked, so they start in milliseconds with the whole
loaded archive and Jinja2 environment already in memory (copy-on-write);
nothing but the slice index and the small results crosses between processes.
Where fork is unavailable, or for small jobs where starting workers would
cost more than it saves, everything runs in this process.
"""
from __future__ import annotations

import os
import time
from typing import Callable, Iterable, Iterator, Sequence, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

MIN_ITEMS_PER_WORKER = 300
"""Below this many items per extra worker, one process is faster."""

_job: tuple[Callable, Sequence, int, Sequence[int]] | None = None


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def worker_count(items: int, jobs: int | None = None) -> int:
    """How many processes to use: `jobs` if given, else all cores when there is enough work."""
    if jobs is not None:
        return max(1, jobs)
    wanted = min(available_cores(), items // MIN_ITEMS_PER_WORKER)
    if wanted < 2:
        return 1
    import multiprocessing  # here, not at the top: most rebuilds never fork
    return wanted if "fork" in multiprocessing.get_all_start_methods() else 1


def map_slices(function: Callable[[Iterable[Item]], Result], items: Sequence[Item],
               jobs: int | None = None, progress: Callable[[int], None] | None = None) -> list[Result]:
    """`function` applied to interleaved slices of `items` (one per worker), results in order.

    Interleaving (items 0, n, 2n… to the first worker) spreads large and small
    items evenly whatever their order. `progress(done)` is called every tenth of a
    second or so with how many items all workers have taken in turn and finished.
    """
    count = worker_count(len(items), jobs)
    if count == 1:
        return [function(_counted(items, [0], 0, progress))]
    import multiprocessing
    context = multiprocessing.get_context("fork")
    global _job
    _job = (function, items, count, context.RawArray("q", count))
    try:
        with context.Pool(count) as pool:
            pending = pool.map_async(_run_slice, range(count))
            while not pending.ready():
                pending.wait(PROGRESS_EVERY)
                if progress:
                    progress(sum(_job[3]))
            return pending.get()
    finally:
        _job = None


PROGRESS_EVERY = 0.1
"""Seconds between progress reports."""


def _counted(items: Iterable[Item], done, slot: int, progress: Callable[[int], None] | None) -> Iterator[Item]:
    """The items, counting in `done[slot]` each one the consumer has finished with (it asks
    for the next); in a single process, also reporting progress from here."""
    last = time.monotonic()
    for item in items:
        yield item
        done[slot] += 1
        if progress and time.monotonic() - last >= PROGRESS_EVERY:
            progress(done[slot])
            last = time.monotonic()


def map_items(function: Callable[[Item], Result], items: Sequence[Item],
               jobs: int | None = None) -> list[Result]:
    """`function` applied to every item (on every core for long lists), results in item order."""
    slices = map_slices(lambda chunk: [function(item) for item in chunk], items, jobs)
    results: list = [None] * len(items)
    for index, chunk in enumerate(slices):
        results[index::len(slices)] = chunk
    return results


def _run_slice(index: int):
    function, items, count, done = _job
    return function(_counted(items[index::count], done, index, None))
