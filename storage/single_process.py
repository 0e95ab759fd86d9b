"""SQLite serves one process: a second clickbot process on the same file is refused.

SQLite is the embedded default for `clickbot run` (and the demo), where one process does
everything. Two processes on one file (`clickbot web` beside `clickbot worker`, or two workers)
would each pace ClickMeter, poll and claim alone, with nothing shared between them but a file
that serialises every write: `hold_sqlite` takes an exclusive, non-blocking lock on
`<file>.lock` (`fcntl.flock`), held until the process ends or `release`s it, and refuses with
one line saying what to do instead. The operating system drops the lock of a process that
dies, however it dies, so nothing is ever left to clean up. In-memory SQLite and PostgreSQL
are not locked.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from sqlalchemy.engine import URL, make_url


class SQLiteInUse(Exception):
    """Another process holds the SQLite file; the message says what to do (one line)."""


class ProcessLock:
    """The lock this process holds on its SQLite file."""

    def __init__(self, path: Path, descriptor: int) -> None:
        self.path = path
        self._descriptor: int | None = descriptor

    def release(self) -> None:
        if self._descriptor is not None:
            os.close(self._descriptor)  # closing the file drops the lock
            self._descriptor = None


def sqlite_file(database_url: str | URL) -> Path | None:
    """The SQLite file `database_url` names, or None (PostgreSQL, or SQLite in memory)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    if url.query.get("mode") == "memory" or str(url.database).startswith("file::memory:"):
        return None
    return Path(str(url.database)).resolve()


def hold_sqlite(database_url: str | URL) -> ProcessLock | None:
    """Lock the SQLite file of `database_url` for this process (None: nothing to lock), or
    raise `SQLiteInUse` if another process holds it."""
    path = sqlite_file(database_url)
    if path is None:
        return None
    lock = path.with_name(f"{path.name}.lock")
    descriptor = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        raise SQLiteInUse(
            f"another clickbot process is using {path}: SQLite serves one process; run "
            "everything in one with `clickbot run`, or set DATABASE_URL to a PostgreSQL "
            "database to run web and worker (or several of each) apart"
        ) from None
    return ProcessLock(lock, descriptor)
