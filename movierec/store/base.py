"""What both backends share: the error type, schema constants, the schema check and the
interface `ProfileStore` drives."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

APPLICATION = "movierec"
SCHEMA_VERSION = 2  # 2: the "seen" action; a version 1 store is upgraded when opened to write
BUSY_TIMEOUT_S = 30.0

INHERITED: list[Any] = []  # connections a forked child must not touch (nor close)

# `user` is a reserved word in PostgreSQL: the shared SQL always quotes it.
EVENT_COLUMNS = 'seq, "user", movie_id, action, source, context, created_at'
APPEND_COLUMNS = '"user", movie_id, action, source, context, created_at'  # what a write gives


@dataclass(frozen=True)
class BulkRows:
    """Checked rows to append in bulk: row r is (names[users[r]], movies[r],
    ACTIONS[actions[r]]), all with one source and time (arrays: int64, int64, int8)."""

    names: list[str]
    users: Any
    movies: Any
    actions: Any
    source: str
    created_at: float


class StoreError(ValueError):
    """A profile store problem the user can fix: a bad file, name, id or import."""


class PeopleProfilesError(StoreError):
    """A ratings import names users whose profiles are people's, not community profiles."""

    def __init__(self, users: Sequence[str]) -> None:
        self.users = list(users)
        super().__init__(
            f"a ratings import would take over {people_text(self.users)}, which no ratings "
            "import made (imported users are read-only); import under names no profile uses; "
            "nothing was imported"
        )


def people_text(users: Sequence[str], shown: int = 5) -> str:
    """`2 people's profiles ('ann', 'bob')`, naming at most `shown` of them."""
    names = ", ".join(repr(user) for user in users[:shown])
    more = f" and {len(users) - shown:,} more" if len(users) > shown else ""
    count = f"{len(users):,} people's profiles" if len(users) != 1 else "1 person's profile"
    return f"{count} ({names}{more})"


class Backend(Protocol):
    """What differs between SQLite and PostgreSQL: connecting, the schema, transactions,
    placeholders and error messages. The SQL `ProfileStore` runs uses `?` placeholders."""

    @property
    def path(self) -> Path | str:
        """For messages: the file, or the URL with its password masked."""

    @property
    def errors(self) -> tuple[type[BaseException], ...]:
        """The driver's errors, which `ProfileStore` turns into StoreError."""

    @property
    def read_only(self) -> str | None:
        """Why the store cannot be written (reads still work), or None."""

    def initialise(self) -> None: ...
    def acquire(self, fresh: bool = False) -> Any: ...
    def release(self, conn: Any, failed: bool) -> None: ...
    def close(self) -> None: ...
    def execute(self, conn: Any, sql: str, params: Sequence[Any] = ()) -> Any: ...
    def executemany(self, conn: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...
    def append_arrays(self, conn: Any, rows: BulkRows) -> None: ...
    def stream(self, conn: Any, sql: str, chunk: int) -> Iterator[list[tuple[Any, ...]]]: ...
    def begin(self, conn: Any, users: Sequence[str] | None) -> None: ...
    def in_transaction(self, conn: Any) -> bool: ...
    def lost(self, conn: Any, error: BaseException) -> bool: ...
    def latest_actions_sql(self) -> str: ...
    def users_param(self, users: Sequence[str]) -> Any: ...
    def user_in_sql(self) -> str: ...
    def latest_per_film_sql(self, where: str) -> str: ...
    def describe(self, error: BaseException) -> str: ...


def check_schema(
    where: str,
    instead: str,
    tables: list[str],
    found: str,
    meta: Callable[[], dict[str, str]],
    extra_version: int,
    damaged_fix: str,
) -> int:
    """The store's schema version; StoreError unless `tables` and the meta table (read by
    `meta()`) are movierec's, of a version this movierec reads."""
    not_ours = (
        f"{where} is not a movierec profile database (it has {found}); pass another {instead}"
    )
    if "meta" not in tables:
        raise StoreError(not_ours)
    values = meta()
    if values.get("application") != APPLICATION:
        raise StoreError(not_ours)
    try:
        version = int(values.get("schema_version", ""))
    except ValueError:
        raise StoreError(
            f"{where} has an unreadable schema_version "
            f"{values.get('schema_version')!r}; it is corrupted; {damaged_fix}"
        ) from None
    if max(version, extra_version) > SCHEMA_VERSION:
        raise StoreError(
            f"{where} uses profile schema version {max(version, extra_version)}, newer "
            f"than this movierec understands ({SCHEMA_VERSION}); upgrade movierec to open it"
        )
    if "events" not in tables:
        raise StoreError(
            f"{where} is a movierec profile database without its events table; "
            f"it is damaged; {damaged_fix}"
        )
    return max(version, extra_version)
