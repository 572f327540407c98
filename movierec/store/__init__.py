"""The profile store shared by the Streamlit app and the CLI.

Profiles live as an append-only event log (like / dislike / remove) in one SQLite file, or in a
PostgreSQL database given a `postgresql://` URL (so app replicas on several machines can share
users). A user's current profile is never stored: it is derived by folding that user's events in
log order with `derive_profiles`, the same function `ProfileStore.profile` uses, so replaying the
log reproduces every profile by construction.

The store is safe to use from several threads and several processes at once: on SQLite each
thread (and process) has its own connection, on PostgreSQL each operation borrows one from a
small per-process pool, and reads are single statements. On SQLite, writes run in
`BEGIN IMMEDIATE` transactions and the file is in WAL mode so readers never block the writer. On
PostgreSQL, a write holds a transaction-level advisory lock on each user it touches (and bulk
imports one on the whole log), so read-then-write operations such as undo see every earlier
change of that user, and a user's events get their `seq` in the order they commit.

Guards (docs/reliability.md): an operation whose PostgreSQL connection died before anything was
committed (a server restart or failover) runs once more on a fresh connection; a SQLite file that
cannot be written opens read-only (reads work, writes raise StoreError saying why); profiles
imported from ratings (`COMMUNITY_SOURCE`) are read-only to the user-facing writes.

Modules: `events` (the records, the actions, validation, `derive_profiles`), `profiles`
(`ProfileStore`: the domain logic and the SQL both backends share), `sqlite` and `postgres`
(what differs: connecting, the schema, transactions, placeholders and error messages),
`runner` (errors, transactions, the retry), `transfer` (the export/import format) and `base`
(`StoreError`, the backend interface).
"""

from __future__ import annotations

from pathlib import Path

from movierec import config
from movierec.store.base import (
    APPLICATION,
    BUSY_TIMEOUT_S,
    SCHEMA_VERSION,
    PeopleProfilesError,
    StoreError,
)
from movierec.store.events import (
    ACTIONS,
    COMMUNITY_SOURCE,
    MAX_SOURCE_LENGTH,
    MAX_USER_LENGTH,
    Action,
    Event,
    Profile,
    check_movie_id,
    check_user,
    derive_profiles,
)
from movierec.store.postgres import PG_CONNECT_TIMEOUT_S, PG_POOL_IDLE, is_url, mask_url
from movierec.store.profiles import ProfileStore
from movierec.store.transfer import EXPORT_FORMAT, EXPORT_VERSION

__all__ = [
    "ACTIONS",
    "APPLICATION",
    "BUSY_TIMEOUT_S",
    "COMMUNITY_SOURCE",
    "EXPORT_FORMAT",
    "EXPORT_VERSION",
    "MAX_SOURCE_LENGTH",
    "MAX_USER_LENGTH",
    "PG_CONNECT_TIMEOUT_S",
    "PG_POOL_IDLE",
    "SCHEMA_VERSION",
    "Action",
    "Event",
    "PeopleProfilesError",
    "Profile",
    "ProfileStore",
    "StoreError",
    "check_movie_id",
    "check_user",
    "default_store_path",
    "derive_profiles",
    "is_url",
    "mask_url",
    "open_store",
]


def default_store_path() -> Path | str:
    """`$MOVIEREC_STORE` if set (a path, or a PostgreSQL URL returned unchanged), else
    profiles.db in the movierec home directory."""
    return config.resolve().store


def open_store(location: str | Path | None = None, create: bool = True) -> ProfileStore:
    """The store at `location` (a path, a `sqlite:`/`file:` URL or a PostgreSQL URL), else the
    default store. `create=False` for commands that only read: a missing SQLite file reads as
    an empty store and is not created."""
    if location is None or (isinstance(location, str) and not location.strip()):
        return ProfileStore(default_store_path(), create)
    return ProfileStore(config.store_location(location, config.home()), create)
