"""Run a function over a list on every core, for large builds.

Worker processes are forked, so they start in milliseconds with the whole
loaded archive and Jinja2 environment already in memory (copy-on-write);
nothing but chunk numbers and the small results crosses between processes.
This process works too: a forked worker runs a third slower than it (its
first touch of each memory page copies the page), so the work is not split
evenly in advance but claimed a chunk at a time by whoever is free.
Where fork is unavailable, or for small jobs where starting workers would
cost more than it saves, everything runs in this process.
"""
from __future__ import annotations

import mmap
import os
import struct
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

MIN_ITEMS_PER_WORKER = 150
"""Below this many items per extra worker, one process is faster."""
CHUNKS_PER_WORKER = 256
"""Chunks each process claims on average: small enough for all to finish together
(each claim is one 4-byte read). With 32, and the heaviest pages last, two processes
finished 3 s apart in a 100,000-briefing build; with 256 and those pages first
(pipeline._heavy), 0.1 s apart."""


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
    return wanted if wanted >= 2 and hasattr(os, "fork") else 1


def map_slices(function: Callable[[Iterable[Item]], Result], items: Sequence[Item],
               jobs: int | None = None, progress: Callable[[int], None] | None = None) -> list[Result]:
    """`function` applied to slices of `items`, one per process, this one's first.

    Each process's slice is the chunks it claimed (see the module docstring): which
    items land in which slice is not fixed. `progress(done)` is called every tenth of a
    second or so with how many items all processes have finished.
    """
    count = worker_count(len(items), jobs)
    if count == 1:
        return [function(_counted(items, progress))]
    size = max(1, -(-len(items) // min(count * CHUNKS_PER_WORKER, MAX_CHUNKS)))
    queue = _chunk_queue(-(-len(items) // size))
    done = mmap.mmap(-1, 8 * count)  # shared with the forked workers: items each has finished

    def claim(slot: int) -> Iterator[Item]:
        return _claimed(items, size, queue, done, slot)

    def work(slot: int) -> Result:
        return function(claim(slot))

    workers = [in_background(partial(work, slot)) for slot in range(1, count)]
    report = (lambda _: progress(_total(done))) if progress else None
    try:
        own = function(_counted(claim(0), report))
    finally:
        results = [worker() for worker in workers]  # waits for them all, even after an error
        os.close(queue)
    return [own, *results]


MAX_CHUNKS = 4096
"""Their numbers (4 bytes each) must fit in a pipe's buffer: 16 KiB on every system."""


def _chunk_queue(chunks: int) -> int:
    """A pipe holding every chunk number, its writing end closed: reading it hands each
    chunk to exactly one reader (a 4-byte read from a pipe is atomic), then says: no more."""
    reader, writer = os.pipe()
    os.write(writer, b"".join(struct.pack("<I", chunk) for chunk in range(chunks)))
    os.close(writer)
    return reader


def _claimed(items: Sequence[Item], size: int, queue: int, done: mmap.mmap, slot: int) -> Iterator[Item]:
    """The items of each chunk this process claims from `queue`, counting in `done[slot]`."""
    finished = 0
    while len(token := os.read(queue, 4)) == 4:
        (chunk,) = struct.unpack("<I", token)
        for item in items[chunk * size:(chunk + 1) * size]:
            yield item
            finished += 1
            struct.pack_into("<q", done, 8 * slot, finished)


def _total(done: mmap.mmap) -> int:
    return sum(struct.unpack_from(f"<{len(done) // 8}q", done))


PROGRESS_EVERY = 0.1
"""Seconds between progress reports."""


def _counted(items: Iterable[Item], progress: Callable[[int], None] | None) -> Iterator[Item]:
    """The items, reporting every tenth of a second how many the consumer has finished with
    (it asks for the next)."""
    last = time.monotonic()
    finished = 0
    for item in items:
        yield item
        finished += 1
        if progress and time.monotonic() - last >= PROGRESS_EVERY:
            progress(finished)
            last = time.monotonic()


def map_items(function: Callable[[Item], Result], items: Sequence[Item],
              jobs: int | None = None) -> list[Result]:
    """`function` applied to every item (on every core for long lists), results in item order."""
    numbered = list(enumerate(items))
    slices = map_slices(lambda chunk: [(index, function(item)) for index, item in chunk], numbered, jobs)
    results: list[Any] = [None] * len(items)  # each filled below
    for chunk in slices:
        for index, result in chunk:
            results[index] = result
    return results


def in_background(function: Callable[[], Result], fork: bool = True) -> Callable[[], Result]:
    """Start `function()` in a forked process, so this one can go on with other work; the
    returned call waits for its result (or raises its exception). Without `fork`, or where
    fork is unavailable, `function` runs here when the result is asked for.

    For work that mostly waits on the kernel (a stat of every file), and for the workers of
    `map_slices`: the result crosses back pickled, so it should be small (paths, not pages)."""
    if not (fork and hasattr(os, "fork") and available_cores() > 1):
        return function
    import pickle
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        try:
            os.close(reader)
            outcome: tuple[bool, object]
            try:
                outcome = (True, function())
            except BaseException as exc:  # handed to the parent, raised there
                outcome = (False, exc)
            with os.fdopen(writer, "wb") as pipe:
                pipe.write(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
        finally:
            os._exit(0)
    os.close(writer)

    return lambda: read_outcome(reader, pid, "a background worker died before giving its result")


def read_outcome(reader: int, pid: int, died: str) -> Any:
    """What a forked child wrote to the pipe `reader` as a pickled (ok, value): the value, or its
    exception raised here; RuntimeError(`died`) if it wrote nothing. Reaps the child.
    Any: what crosses the pipe is only as typed as the child that pickled it."""
    import pickle
    with os.fdopen(reader, "rb") as pipe:
        data = pipe.read()  # read all before waiting: a large result fills the pipe
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    if not data:
        raise RuntimeError(died)
    ok, value = pickle.loads(data)
    if not ok:
        raise value
    return value


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
