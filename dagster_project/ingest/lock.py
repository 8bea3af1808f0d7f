"""One loader per feed at a time.

Two loaders of one feed started together would each see the same new files and load them
twice (and the second one's clean-up of uncommitted parts would delete the first one's work
in progress). Every load of a feed therefore holds an exclusive lock on
``lake/locks/<source>__<feed>.lock``: an advisory ``flock`` that the operating system releases
when its holder's process ends, however it ends (``kill -9``, out of memory), so a crashed
loader never keeps it. A second loader waits, saying for whom, and then finds the files loaded.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..contracts import Feed
from ..settings import Paths


def lock_path(paths: Paths, feed: Feed) -> Path:
    return paths.lake / "locks" / f"{feed.source}__{feed.name}.lock"


@contextmanager
def feed_lock(paths: Paths, feed: Feed, say: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the feed's load lock; if another process holds it, `say` why we wait, then wait."""
    path = lock_path(paths, feed)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "another process"
            (say or print)(f"{feed.key}: waiting for the loader that holds {path} ({holder}) to finish")
            t0 = time.monotonic()
            fcntl.flock(fd, fcntl.LOCK_EX)
            (say or print)(f"{feed.key}: lock taken after {time.monotonic() - t0:.1f} s")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"process {os.getpid()} on {os.uname().nodename}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock
