"""The 'seen' action (watched, neither liked nor disliked) and the upgrade of version 1 stores,
which knew only like, dislike and remove, on both backends."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from movierec.store import ACTIONS, SCHEMA_VERSION, Profile, ProfileStore, StoreError
from tests.postgres import Locations
from tests.store_helpers import event_count, read_only


@pytest.fixture
def store(new_location: Locations) -> ProfileStore:
    return ProfileStore(new_location())


# -- what seen does ---------------------------------------------------------------------------


def test_a_film_is_in_one_place_at_most(store: ProfileStore) -> None:
    store.like("ann", 1)
    store.dislike("ann", 2)
    store.seen("ann", 3)
    assert store.profile("ann") == Profile("ann", [1], [2], [3])
    store.seen("ann", 1)  # seen takes it out of the likes
    store.like("ann", 3)  # and a like out of seen
    assert store.profile("ann") == Profile("ann", [3], [2], [1])
    store.seen("ann", 2)
    store.remove("ann", 1)
    assert store.profile("ann") == Profile("ann", [3], [], [2])
    assert store.profile("ann").films == [3, 2]
    assert [store.profile("ann").place_of(i) for i in (3, 2, 1)] == ["like", "seen", "remove"]


def test_undo_puts_a_film_back_in_seen_or_out_of_it(store: ProfileStore) -> None:
    store.seen("ann", 5)
    store.like("ann", 5)
    assert store.undo("ann").action == "like"
    assert store.profile("ann") == Profile("ann", [], [], [5])  # back to seen
    assert store.undo("ann").action == "seen"
    assert store.profile("ann") == Profile("ann", [], [], [])
    assert store.undo("ann") is None


def test_clear_takes_the_seen_films_too(store: ProfileStore) -> None:
    store.like("ann", 1)
    store.seen("ann", 2)
    store.seen("ann", 3)
    assert store.clear("ann") == 3
    assert store.profile("ann") == Profile("ann", [], [], [])


def test_community_profiles_are_read_only_to_seen(store: ProfileStore) -> None:
    store.import_events([("ml:1", 1, "seen")], source="movielens")
    before = event_count(store)
    with pytest.raises(StoreError, match="read-only"):
        store.seen("ml:1", 2)
    assert event_count(store) == before
    assert store.profile("ml:1") == Profile("ml:1", [], [], [1])


def test_bulk_imports_write_seen_and_skip_what_is_in_effect(new_location: Locations) -> None:
    rows = [("ann", 1, "like"), ("ann", 2, "seen"), ("bob", 2, "seen"), ("ann", 1, "seen")]
    by_rows, by_arrays = ProfileStore(new_location("a.db")), ProfileStore(new_location("b.db"))
    assert by_rows.import_events(rows) == (3, 1)  # ann's film 1: the last row wins
    names = ["ann", "bob"]
    users = np.array([names.index(u) for u, _, _ in rows])
    movies = np.array([m for _, m, _ in rows])
    codes = np.array([ACTIONS.index(a) for _, _, a in rows])
    assert by_arrays.import_arrays(names, users, movies, codes) == (3, 1)
    expected = {"ann": Profile("ann", [], [], [2, 1]), "bob": Profile("bob", [], [], [2])}
    assert by_rows.all_profiles() == by_arrays.all_profiles() == expected
    assert by_arrays.import_arrays(names, users, movies, codes) == (0, 4)  # nothing new
    assert ACTIONS.index("seen") == 3  # codes 0-2 kept their meaning


def test_an_export_carries_the_seen_films_and_an_import_restores_them(store: ProfileStore) -> None:
    store.like("ann", 1)
    store.seen("ann", 2)
    exported = store.export_profile("ann")
    assert exported["version"] == 2 and exported["seen"] == [2]
    assert store.import_profile(exported, user="bob") == Profile("bob", [1], [], [2])
    store.seen("cy", 9)
    replaced = store.import_profile(exported, user="cy", replace=True)
    assert replaced == Profile("cy", [1], [], [2])  # cy's seen film 9 was not in the file


def test_a_version_1_export_without_seen_still_imports(store: ProfileStore) -> None:
    old = {"format": "movierec-profile", "version": 1, "user": "ann", "liked": [1], "disliked": []}
    assert store.import_profile(old) == Profile("ann", [1], [], [])


@pytest.mark.parametrize(
    ("lists", "both"),
    [({"liked": [1], "seen": [1]}, "'liked' and 'seen'"), ({"disliked": [2], "seen": [2]}, "")],
)
def test_an_import_with_a_film_in_two_lists_is_refused(
    store: ProfileStore, lists: dict, both: str
) -> None:
    data = {"format": "movierec-profile", "version": 2, "liked": [], "disliked": [], **lists}
    with pytest.raises(StoreError, match="keep each film in one list") as caught:
        store.import_profile(data, user="ann")
    assert both in str(caught.value)
    assert event_count(store) == 0


# -- upgrading a version 1 store --------------------------------------------------------------

V1_CHECK = "CHECK (action IN ('like', 'dislike', 'remove'))"
V1_SQLITE = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)",
    f"""CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        user TEXT NOT NULL,
        movie_id INTEGER NOT NULL,
        action TEXT NOT NULL {V1_CHECK},
        source TEXT NOT NULL DEFAULT 'app',
        context TEXT,
        created_at REAL NOT NULL
    )""",
    "CREATE INDEX events_user_seq ON events (user, seq)",
)
V1_EVENTS = [
    ("ann", 1, "like", "app", None, 1.0),
    ("ann", 2, "dislike", "cli", '{"flow": "mood"}', 2.0),
    ("bob", 3, "like", "import", None, 3.0),
    ("ann", 1, "remove", "app", None, 4.0),
    ("ann", 4, "like", "app", None, 5.0),
]


def v1_file(path: Path, events: list[tuple] = V1_EVENTS) -> Path:
    """A SQLite store as movierec wrote it before the 'seen' action (schema version 1)."""
    with sqlite3.connect(path) as conn:
        for statement in V1_SQLITE:
            conn.execute(statement)
        conn.executemany(
            "INSERT INTO meta VALUES (?, ?)", [("application", "movierec"), ("schema_version", "1")]
        )
        conn.executemany(
            "INSERT INTO events (user, movie_id, action, source, context, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            events,
        )
        conn.execute("PRAGMA user_version = 1")
    conn.close()
    return path


def _versions(path: Path) -> tuple[int, str]:
    with sqlite3.connect(path) as conn:
        (user_version,) = conn.execute("PRAGMA user_version").fetchone()
        (meta,) = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    conn.close()
    return user_version, meta


def test_a_version_1_file_is_upgraded_when_opened_to_write(tmp_path: Path) -> None:
    path = v1_file(tmp_path / "profiles.db")
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM events WHERE seq = 5")  # its seq is given out: never again
    conn.close()
    before = ProfileStore(path, create=False).events()
    assert _versions(path) == (1, "1")  # read as it is: opening to read changes nothing
    store = ProfileStore(path)
    assert _versions(path) == (SCHEMA_VERSION, str(SCHEMA_VERSION)) == (2, "2")
    assert store.events() == before  # every event, with its seq, source, context and time
    assert store.profile("ann") == Profile("ann", [], [2], [])
    store.seen("ann", 7)
    assert store.events("ann")[-1].seq == 6
    assert store.profile("ann") == Profile("ann", [], [2], [7])
    with sqlite3.connect(path) as conn:
        indexes = [row[1] for row in conn.execute("PRAGMA index_list(events)")]
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        with pytest.raises(sqlite3.IntegrityError):  # the CHECK still guards the actions
            conn.execute(
                "INSERT INTO events (user, movie_id, action, created_at) VALUES ('x', 1, 'love', 0)"
            )
    conn.close()
    assert "events_user_seq" in indexes and "events_v1" not in tables
    assert ProfileStore(path).events() == store.events()  # a second open: nothing to do


def test_a_read_only_version_1_file_reads_as_it_is(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    path = v1_file(folder / "profiles.db")
    with read_only(folder):
        store = ProfileStore(path)
        assert store.read_only is not None
        assert store.profile("ann") == Profile("ann", [4], [2], [])
        with pytest.raises(StoreError, match="read-only"):
            store.seen("ann", 9)
        store.close()
    assert _versions(path) == (1, "1")


def test_a_version_1_postgres_store_is_upgraded(pg_location: Locations) -> None:
    import psycopg

    location = str(pg_location())
    ProfileStore(location).like("ann", 1)
    with psycopg.connect(location, autocommit=True) as conn:  # back to version 1's schema
        conn.execute("ALTER TABLE events DROP CONSTRAINT events_action_check")
        conn.execute(f"ALTER TABLE events ADD CONSTRAINT events_action_check {V1_CHECK}")
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute(
                'INSERT INTO events ("user", movie_id, action, created_at) '
                "VALUES ('ann', 2, 'seen', 0)"
            )
    store = ProfileStore(location)
    store.seen("ann", 2)
    assert store.profile("ann") == Profile("ann", [1], [], [2])
    with psycopg.connect(location) as conn:
        (version,) = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        checks = conn.execute(
            "SELECT count(*) FROM pg_constraint WHERE conrelid = 'events'::regclass "
            "AND contype = 'c'"
        ).fetchone()[0]
    assert version == "2" and checks == 1
    assert ProfileStore(location).profile("ann") == store.profile("ann")
