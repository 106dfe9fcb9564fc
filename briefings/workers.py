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

MIN_ITEMS_PER_WORKER = 150
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


def in_background(function: Callable[[], Result], fork: bool = True) -> Callable[[], Result]:
    """Start `function()` in a forked process, so this one can go on with other work; the
    returned call waits for its result (or raises its exception). Without `fork`, or where
    fork is unavailable, `function` runs here when the result is asked for.

    For work that mostly waits on the kernel (a stat of every file), whose result is small."""
    if not (fork and hasattr(os, "fork") and available_cores() > 1):
        return function
    import pickle
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        try:
            os.close(reader)
            try:
                outcome = (True, function())
            except BaseException as exc:  # handed to the parent, raised there
                outcome = (False, exc)
            with os.fdopen(writer, "wb") as pipe:
                pipe.write(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
        finally:
            os._exit(0)
    os.close(writer)

    def result() -> Result:
        with os.fdopen(reader, "rb") as pipe:
            data = pipe.read()  # read all before waiting: a large result fills the pipe
        os.waitpid(pid, 0)
        if not data:
            raise RuntimeError("a background worker died before giving its result")
        ok, value = pickle.loads(data)
        if not ok:
            raise value
        return value
    return result


def detach(function: Callable[[], object], fork: bool) -> None:
    """Run `function()` without waiting for it (cleaning up after a build, off its time).

    With `fork`, in a forked process that nobody waits for: the caller may fork again, which
    a thread still running would make unsafe. Otherwise (the preview, which runs threads and
    never forks), in a daemon thread. Forked children that finished are reaped on the next
    call, so a long-running process keeps no zombies."""
    for pid in list(_detached):
        try:
            if os.waitpid(pid, os.WNOHANG)[0]:
                _detached.remove(pid)
        except ChildProcessError:
            _detached.remove(pid)
    if not (fork and hasattr(os, "fork")):
        import threading
        threading.Thread(target=function, name="briefings-detached", daemon=True).start()
        return
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        try:
            # off the caller's terminal and pipes: whoever reads our output (`build.py | tee`,
            # a benchmark) sees it end when this process does, not when the child does
            quiet = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(quiet, fd)
            function()
        finally:
            os._exit(0)
    _detached.append(pid)


_detached: list[int] = []


def _run_slice(index: int):
    function, items, count, done = _job
    return function(_counted(items[index::count], done, index, None))
