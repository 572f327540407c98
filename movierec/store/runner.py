"""Running one store operation on a backend: database errors become StoreError, a write is one
transaction (committed or rolled back), a read-only store refuses writes, and an operation whose
connection turns out dead (a PostgreSQL restart or failover) runs once more on a fresh connection
when nothing was committed, so a restarted server costs no error."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from movierec.store.base import Backend, StoreError

LOG = logging.getLogger(__name__)
T = TypeVar("T")


class _Lost(Exception):
    """The connection died before anything was committed: the operation may run again."""


class Runner:
    """Runs reads and write transactions of `ProfileStore` on its backend."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    @contextmanager
    def errors(self) -> Iterator[None]:
        """Turn database errors into StoreError."""
        try:
            yield
        except self.backend.errors as error:
            raise StoreError(self.backend.describe(error)) from error

    def read(self, work: Callable[[Any], T]) -> T:
        """`work(conn)` on a connection; once more on a fresh one if the connection was dead."""
        return self._run(work, None, write=False)

    def write(self, users: Sequence[str] | None, work: Callable[[Any], T]) -> T:
        """`work(conn)` in a transaction holding `users` (None: all) against concurrent writers."""
        reason = self.backend.read_only
        if reason:
            raise StoreError(
                f"the profile store {self.backend.path} is read-only ({reason}); reads work but "
                "nothing can be saved; make it writable or pass another --store path "
                "(MOVIEREC_STORE for the app)"
            )
        return self._run(work, users, write=True)

    def _run(self, work: Callable[[Any], T], users: Sequence[str] | None, write: bool) -> T:
        try:
            return self._once(work, users, write, fresh=False)
        except _Lost as lost:
            LOG.warning(
                "lost the connection to the profile database %s (%s); retrying on a new one",
                self.backend.path,
                lost.__cause__,
            )
            return self._once(work, users, write, fresh=True)

    def _once(
        self, work: Callable[[Any], T], users: Sequence[str] | None, write: bool, fresh: bool
    ) -> T:
        backend = self.backend
        with self.errors():
            conn = backend.acquire(fresh)
            committing = False
            try:
                if write:
                    backend.begin(conn, users)
                result = work(conn)
                if write:
                    committing = True  # from here on, it may have been written
                    conn.execute("COMMIT")
            except backend.errors as error:
                self._rollback(conn)
                backend.release(conn, failed=True)
                if not fresh and not committing and backend.lost(conn, error):
                    raise _Lost from error
                raise
            except BaseException:
                backend.release(conn, failed=not self._rollback(conn))
                raise
            backend.release(conn, failed=False)
            return result

    def _rollback(self, conn: Any) -> bool:
        """Roll back an open transaction; False if the connection failed doing it."""
        try:
            if self.backend.in_transaction(conn):
                conn.execute("ROLLBACK")
        except self.backend.errors:
            return False
        return True
