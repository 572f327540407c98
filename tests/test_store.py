"""The profile store: event semantics, export/import, validation, persistence, concurrency."""

from __future__ import annotations

import json
import multiprocessing
import random
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from movierec.store import (
    SCHEMA_VERSION,
    Profile,
    ProfileStore,
    StoreError,
    default_store_path,
    derive_profiles,
    open_store,
)
from tests.postgres import Locations, admin_connection


@pytest.fixture
def store(new_location: Locations) -> ProfileStore:
    return ProfileStore(new_location())


def event_count(store: ProfileStore) -> int:
    """The number of events, counted past the store with a connection of our own."""
    if store.url is None:
        with sqlite3.connect(store.path) as conn:
            return conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    import psycopg

    with psycopg.connect(store.url) as conn:
        return conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]


LIKE_MANY = """
import sys
from movierec.store import ProfileStore

store = ProfileStore(sys.argv[1])
for movie_id in range(int(sys.argv[3]), int(sys.argv[4])):
    store.like(sys.argv[2], movie_id, source="cli")
"""


# -- semantics --------------------------------------------------------------------------------


def test_new_store_creates_folders_and_schema(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "profiles.db"
    ProfileStore(path)
    assert path.is_file()
    with sqlite3.connect(path) as conn:
        meta = dict(conn.execute("SELECT key, value FROM meta"))
        assert meta == {"application": "movierec", "schema_version": str(SCHEMA_VERSION)}
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_empty_existing_file_is_initialised(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    store = ProfileStore(path)
    store.like("ann", 1)
    assert store.profile("ann") == Profile("ann", [1], [])


def test_likes_and_dislikes_keep_the_order_they_arrived_in(store: ProfileStore) -> None:
    for movie_id in (30, 10, 20):
        store.like("ann", movie_id)
    for movie_id in (7, 5):
        store.dislike("ann", movie_id)
    assert store.profile("ann") == Profile("ann", [30, 10, 20], [7, 5])


def test_like_then_dislike_moves_the_film(store: ProfileStore) -> None:
    store.like("ann", 1)
    store.like("ann", 2)
    store.dislike("ann", 1)
    assert store.profile("ann") == Profile("ann", [2], [1])
    store.like("ann", 1)
    assert store.profile("ann") == Profile("ann", [2, 1], [])


def test_liking_again_moves_the_film_to_the_end(store: ProfileStore) -> None:
    for movie_id in (1, 2, 3, 1):
        store.like("ann", movie_id)
    assert store.profile("ann").liked == [2, 3, 1]


def test_remove_takes_the_film_out_of_both_lists(store: ProfileStore) -> None:
    store.like("ann", 1)
    store.dislike("ann", 2)
    store.like("ann", 3)
    store.remove("ann", 1)
    store.remove("ann", 2)
    store.remove("ann", 99)  # never there: harmless
    assert store.profile("ann") == Profile("ann", [3], [])
    assert [e.action for e in store.events("ann")][-3:] == ["remove"] * 3


def test_unknown_user_has_an_empty_profile(store: ProfileStore) -> None:
    assert store.profile("nobody") == Profile("nobody", [], [])
    assert store.users() == []


def test_users_are_sorted_and_profiles_are_separate(store: ProfileStore) -> None:
    store.like("zoe", 1)
    store.dislike("ann", 1)
    store.like("Bob", 2)
    store.remove("carl", 3)
    assert store.users() == ["Bob", "ann", "carl", "zoe"]
    assert store.profile("zoe") == Profile("zoe", [1], [])
    assert store.profile("ann") == Profile("ann", [], [1])
    assert store.profile("carl") == Profile("carl", [], [])


def test_user_names_are_stripped(store: ProfileStore) -> None:
    store.like("  ann ", 1)
    assert store.profile("ann").liked == [1]
    assert store.users() == ["ann"]


def test_events_record_source_and_context(store: ProfileStore) -> None:
    store.like("ann", 1, context={"flow": "mood", "rank": 3})
    store.dislike("ann", 2, source="cli")
    store.like("bob", 3)
    events = store.events()
    assert [(e.user, e.movie_id, e.action, e.source) for e in events] == [
        ("ann", 1, "like", "app"),
        ("ann", 2, "dislike", "cli"),
        ("bob", 3, "like", "app"),
    ]
    assert events[0].context == {"flow": "mood", "rank": 3}
    assert events[1].context is None
    assert [e.seq for e in events] == sorted(e.seq for e in events)
    assert all(e.created_at > 0 for e in events)
    assert [e.movie_id for e in store.events("bob")] == [3]


def test_clear_removes_everything_in_one_go(store: ProfileStore) -> None:
    store.like("ann", 1)
    store.like("ann", 2)
    store.dislike("ann", 3)
    store.like("bob", 1)
    assert store.clear("ann") == 3
    assert store.profile("ann") == Profile("ann", [], [])
    assert store.profile("bob").liked == [1]
    assert "ann" in store.users()


# -- export and import ------------------------------------------------------------------------


def test_export_format(store: ProfileStore) -> None:
    store.like("ann", 1)
    store.dislike("ann", 2)
    exported = store.export_profile("ann")
    assert exported == {
        "format": "movierec-profile",
        "version": 1,
        "user": "ann",
        "liked": [1],
        "disliked": [2],
    }
    assert json.loads(json.dumps(exported)) == exported


def test_export_import_round_trip_into_another_user(store: ProfileStore) -> None:
    for movie_id in (5, 3, 9):
        store.like("ann", movie_id)
    store.dislike("ann", 4)
    imported = store.import_profile(store.export_profile("ann"), user="bob")
    assert imported == Profile("bob", [5, 3, 9], [4])
    assert store.profile("bob") == imported
    assert {e.source for e in store.events("bob")} == {"import"}
    assert store.events("bob")[0].context == {"flow": "import", "from_user": "ann"}


def test_export_import_round_trip_into_a_new_database(new_location: Locations) -> None:
    first = ProfileStore(new_location("one.db"))
    first.like("ann", 1)
    first.like("ann", 2)
    first.dislike("ann", 3)
    text = json.dumps(first.export_profile("ann"))
    second = ProfileStore(new_location("two.db"))
    assert second.import_profile(json.loads(text)) == Profile("ann", [1, 2], [3])
    assert second.profile("ann") == first.profile("ann")
    assert second.users() == ["ann"]


def test_import_merges_by_default(store: ProfileStore) -> None:
    store.like("ann", 1)
    store.dislike("ann", 2)
    data = {"format": "movierec-profile", "version": 1, "liked": [2, 3], "disliked": []}
    assert store.import_profile(data, user="ann") == Profile("ann", [1, 2, 3], [])


def test_import_with_replace_drops_what_the_import_lacks(store: ProfileStore) -> None:
    store.like("ann", 1)
    store.like("ann", 2)
    store.dislike("ann", 3)
    store.dislike("ann", 4)
    data = {"format": "movierec-profile", "version": 1, "liked": [2, 5], "disliked": [1]}
    assert store.import_profile(data, user="ann", replace=True) == Profile("ann", [2, 5], [1])
    assert store.profile("ann") == Profile("ann", [2, 5], [1])
    removed = {e.movie_id for e in store.events("ann") if e.action == "remove"}
    assert removed == {3, 4}


GOOD = {"format": "movierec-profile", "version": 1, "user": "ann", "liked": [1], "disliked": []}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"format": "something-else"}, "format"),
        ({"version": 2}, "version"),
        ({"version": "1"}, "version"),
        ({"liked": [1, "2"]}, "liked[1]"),
        ({"liked": [1, 2.0]}, "liked[1]"),
        ({"disliked": [True]}, "disliked[0]"),
        ({"liked": "1,2"}, "liked"),
        ({"liked": None}, "liked"),
        ({"disliked": [1]}, "both"),
        ({"user": ""}, "user name"),
        ({"user": "x" * 65}, "user name"),
    ],
)
def test_bad_import_raises_and_writes_nothing(
    store: ProfileStore, change: dict, field: str
) -> None:
    store.like("ann", 7)
    before = event_count(store)
    with pytest.raises(StoreError, match=r"profile import|user name") as caught:
        store.import_profile({**GOOD, **change})
    assert field in str(caught.value)
    assert event_count(store) == before
    assert store.profile("ann") == Profile("ann", [7], [])


@pytest.mark.parametrize("missing", ["format", "version", "liked", "disliked"])
def test_import_with_a_missing_key_raises_and_writes_nothing(
    store: ProfileStore, missing: str
) -> None:
    before = event_count(store)
    data = {k: v for k, v in GOOD.items() if k != missing}
    with pytest.raises(StoreError, match=f"missing {missing!r}"):
        store.import_profile(data)
    assert event_count(store) == before == 0
    assert store.users() == []


def test_import_without_any_user_name_raises(store: ProfileStore) -> None:
    data = {k: v for k, v in GOOD.items() if k != "user"}
    with pytest.raises(StoreError, match="user"):
        store.import_profile(data)
    assert store.import_profile(data, user="bob") == Profile("bob", [1], [])


def test_import_of_a_non_dict_raises(store: ProfileStore) -> None:
    with pytest.raises(StoreError, match="JSON object"):
        store.import_profile([1, 2, 3])  # type: ignore[arg-type]
    assert event_count(store) == 0


# -- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["", "   ", "x" * 65, None, 42, "ann\nbob"])
def test_bad_user_names_are_refused(store: ProfileStore, name: object) -> None:
    with pytest.raises(StoreError, match="1–64"):
        store.like(name, 1)  # type: ignore[arg-type]
    with pytest.raises(StoreError, match="1–64"):
        store.profile(name)  # type: ignore[arg-type]
    assert event_count(store) == 0


def test_a_64_character_name_is_fine(store: ProfileStore) -> None:
    store.like("x" * 64, 1)
    assert store.users() == ["x" * 64]


@pytest.mark.parametrize("movie_id", ["862", 1.0, True, False, None, 2**63])
def test_bad_movie_ids_are_refused(store: ProfileStore, movie_id: object) -> None:
    for method in (store.like, store.dislike, store.remove):
        with pytest.raises(StoreError, match="movie id"):
            method("ann", movie_id)  # type: ignore[arg-type]
    assert event_count(store) == 0


def test_bad_context_and_source_are_refused(store: ProfileStore) -> None:
    with pytest.raises(StoreError, match="context"):
        store.like("ann", 1, context={"when": object()})
    with pytest.raises(StoreError, match="context"):
        store.like("ann", 1, context="mood")  # type: ignore[arg-type]
    with pytest.raises(StoreError, match="source"):
        store.like("ann", 1, source="")
    assert event_count(store) == 0


# -- opening files ----------------------------------------------------------------------------


def test_a_second_store_on_the_same_file_sees_the_profile(new_location: Locations) -> None:
    path = new_location()
    first = ProfileStore(path)
    first.like("ann", 1)
    first.dislike("ann", 2)
    second = ProfileStore(str(path))
    assert second.profile("ann") == Profile("ann", [1], [2])
    second.like("ann", 3)
    assert first.profile("ann").liked == [1, 3]


def test_random_bytes_are_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "profiles.db"
    content = random.Random(1).randbytes(4096)
    path.write_bytes(content)
    with pytest.raises(StoreError, match="not a SQLite database") as caught:
        ProfileStore(path)
    assert str(path) in str(caught.value)
    assert path.read_bytes() == content


def test_a_text_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("these are my favourite films\n" * 10)
    with pytest.raises(StoreError, match="corrupted or is not a SQLite database"):
        ProfileStore(path)


def test_a_foreign_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO customers (name) VALUES ('alice')")
    conn.close()
    content, mtime = path.read_bytes(), path.stat().st_mtime_ns
    with pytest.raises(StoreError, match="not a movierec profile database") as caught:
        ProfileStore(path)
    assert "tables customers" in str(caught.value)
    assert str(path) in str(caught.value)
    assert path.read_bytes() == content
    assert path.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shop.db"]


def test_a_foreign_meta_table_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        conn.execute("INSERT INTO meta VALUES ('application', 'someone-else')")
    conn.close()
    with pytest.raises(StoreError, match="not a movierec profile database"):
        ProfileStore(path)


def test_a_newer_schema_version_asks_for_an_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "profiles.db"
    ProfileStore(path).like("ann", 1)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.close()
    with pytest.raises(StoreError, match="upgrade movierec") as caught:
        ProfileStore(path)
    assert "99" in str(caught.value)


def test_store_errors_are_value_errors_for_the_cli() -> None:
    assert issubclass(StoreError, ValueError)


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="directory"):
        ProfileStore(tmp_path)


def test_default_store_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("MOVIEREC_STORE", raising=False)
    monkeypatch.setenv("MOVIEREC_HOME", str(tmp_path / "home"))
    assert default_store_path() == tmp_path / "home" / "profiles.db"
    monkeypatch.setenv("MOVIEREC_STORE", str(tmp_path / "elsewhere.db"))
    assert default_store_path() == tmp_path / "elsewhere.db"


# -- concurrency ------------------------------------------------------------------------------


def run_in_threads(work: Callable[[int], None], count: int) -> None:
    """Run work(0), …, work(count - 1) in threads at once; fail on any error they raised."""
    errors: list[BaseException] = []

    def guarded(worker: int) -> None:
        try:
            work(worker)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=guarded, args=(w,)) for w in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_threads_writing_at_once_lose_nothing(store: ProfileStore) -> None:
    def work(worker: int) -> None:
        for i in range(50):
            store.like("ann", worker * 1000 + i)

    run_in_threads(work, 8)
    liked = store.profile("ann").liked
    assert len(liked) == 400
    assert set(liked) == {w * 1000 + i for w in range(8) for i in range(50)}
    assert event_count(store) == 400


def test_threads_opening_a_new_file_at_once_agree(new_location: Locations) -> None:
    path = new_location("fresh/profiles.db")

    def work(worker: int) -> None:
        ProfileStore(path).like(f"user{worker}", worker)

    run_in_threads(work, 8)
    assert ProfileStore(path).users() == [f"user{w}" for w in range(8)]


def test_processes_writing_at_once_lose_nothing(new_location: Locations) -> None:
    path = new_location()
    ProfileStore(path)
    # Separate interpreters (not multiprocessing.spawn, which re-imports whatever __main__ the
    # test runner has at the time) writing to one file, like several CLI calls at once.
    starts = [w * 1000 for w in range(4)]
    processes = [
        subprocess.Popen([sys.executable, "-c", LIKE_MANY, str(path), "ann", str(s), str(s + 50)])
        for s in starts
    ]
    try:
        codes = [process.wait(timeout=120) for process in processes]
    finally:
        for process in processes:
            process.kill()
    assert codes == [0, 0, 0, 0]
    liked = ProfileStore(path).profile("ann").liked
    assert len(liked) == 200
    assert set(liked) == {i for s in starts for i in range(s, s + 50)}


@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="needs the fork start method"
)
def test_a_forked_child_opens_its_own_connection(new_location: Locations) -> None:
    store = ProfileStore(new_location())
    store.like("ann", 1)  # the parent's thread now holds a connection
    child = multiprocessing.get_context("fork").Process(target=store.like, args=("ann", 2))
    child.start()
    child.join(timeout=60)
    assert child.exitcode == 0
    store.like("ann", 3)  # the parent's connection still works after the fork
    assert store.profile("ann").liked == [1, 2, 3]


def test_close_then_use_again(store: ProfileStore) -> None:
    store.like("ann", 1)
    store.close()
    store.close()  # twice is harmless
    store.like("ann", 2)
    assert store.profile("ann").liked == [1, 2]


# -- replay -----------------------------------------------------------------------------------


def test_replaying_the_log_reproduces_every_profile(store: ProfileStore) -> None:
    rng = random.Random(20240601)
    users = ["ann", "bob", "cy"]
    actions = [store.like, store.dislike, store.remove]
    for _ in range(300):
        rng.choice(actions)(rng.choice(users), rng.randint(1, 25))
    replayed = derive_profiles(store.events())
    assert sorted(replayed) == store.users() == users
    assert replayed == {user: store.profile(user) for user in store.users()}
    assert any(p.liked for p in replayed.values())
    assert any(p.disliked for p in replayed.values())
    # Order of the input does not matter: events are folded by seq.
    assert derive_profiles(reversed(store.events())) == replayed


def test_derive_profiles_of_nothing_is_empty() -> None:
    assert derive_profiles([]) == {}


def test_undo_steps_back_through_changes(new_location: Locations) -> None:
    store = ProfileStore(new_location("undo.db"))
    assert store.undo("eve") is None
    store.like("eve", 1)
    store.like("eve", 2)
    store.dislike("eve", 1)  # 1 moves from liked to disliked
    undone = store.undo("eve")
    assert undone is not None and (undone.movie_id, undone.action) == (1, "dislike")
    assert store.profile("eve") == Profile("eve", [2, 1], [])
    store.undo("eve")  # takes back "like 2"
    assert store.profile("eve") == Profile("eve", [1], [])
    store.undo("eve")  # takes back "like 1"
    assert store.profile("eve") == Profile("eve", [], [])
    assert store.undo("eve") is None
    assert derive_profiles(store.events())["eve"] == store.profile("eve")


# -- bulk import and all profiles ---------------------------------------------------------------


def test_import_events_is_idempotent(store: ProfileStore) -> None:
    rows = [
        ("ml:1", 10, "like"),
        ("ml:1", 20, "like"),
        ("ml:1", 30, "dislike"),
        ("ml:2", 10, "dislike"),
    ]
    assert store.import_events(rows, source="movielens") == (4, 0)
    assert store.profile("ml:1") == Profile("ml:1", [10, 20], [30])
    assert store.profile("ml:2") == Profile("ml:2", [], [10])
    assert {e.source for e in store.events()} == {"movielens"}
    assert store.import_events(iter(rows), source="movielens") == (0, 4)
    assert event_count(store) == 4
    assert store.import_events(rows[:1]) == (0, 1)


def test_import_events_writes_only_what_changes_the_current_state(store: ProfileStore) -> None:
    store.like("ann", 1)
    store.dislike("ann", 2)
    store.like("ann", 3)
    store.remove("ann", 3)
    before = event_count(store)
    rows = [("ann", 1, "like"), ("ann", 2, "like"), ("ann", 3, "like"), ("bob", 1, "dislike")]
    assert store.import_events(rows) == (3, 1)
    assert store.profile("ann") == Profile("ann", [1, 2, 3], [])
    assert store.profile("bob") == Profile("bob", [], [1])
    added = store.events()[before:]
    assert [(e.user, e.movie_id, e.action, e.source) for e in added] == [
        ("ann", 2, "like", "import"),
        ("ann", 3, "like", "import"),
        ("bob", 1, "dislike", "import"),
    ]


def test_import_events_last_row_for_a_film_wins(store: ProfileStore) -> None:
    rows = [(" ann ", 1, "like"), ("ann", 2, "like"), ("ann", 1, "dislike"), ("ann", 2, "like")]
    assert store.import_events(rows) == (2, 2)
    assert store.profile("ann") == Profile("ann", [2], [1])
    assert store.import_events(rows) == (0, 4)
    assert store.import_events([]) == (0, 0)


def test_import_events_remove_takes_out_only_what_is_in(store: ProfileStore) -> None:
    store.import_events([("ml:1", 1, "like"), ("ml:1", 2, "dislike")])
    rows = [("ml:1", 1, "remove"), ("ml:1", 2, "remove"), ("ml:1", 3, "remove")]
    assert store.import_events(rows) == (2, 1)  # film 3 was never in: nothing to write
    assert store.profile("ml:1") == Profile("ml:1", [], [])
    assert store.import_events(rows) == (0, 3)
    assert store.import_events([("ml:2", 5, "remove")]) == (0, 1)
    assert store.users() == ["ml:1"]
    assert derive_profiles(store.events()) == store.all_profiles()


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (("", 1, "like"), "1–64"),
        (("x" * 65, 1, "like"), "1–64"),
        ((None, 1, "like"), "1–64"),
        (("ann\nbob", 1, "like"), "1–64"),
        (("ann", "862", "like"), "movie id"),
        (("ann", True, "like"), "movie id"),
        (("ann", 2**63, "like"), "movie id"),
        (("ann", 1, "clear"), "'like', 'dislike' or 'remove'"),
        (("ann", 1, "love"), "'like', 'dislike' or 'remove'"),
        (("ann", 1, None), "'like', 'dislike' or 'remove'"),
        (("ann", 1), "expected (user, movie id"),
        (None, "expected (user, movie id"),
    ],
)
def test_import_events_validates_every_row_before_writing(
    store: ProfileStore, bad: object, message: str
) -> None:
    store.like("ann", 7)
    rows = [("ann", 1, "like"), ("bob", 2, "dislike"), bad, ("cy", 3, "like")]
    with pytest.raises(StoreError, match="import row 3") as caught:
        store.import_events(rows)  # type: ignore[arg-type]
    assert message in str(caught.value)
    assert event_count(store) == 1
    assert store.users() == ["ann"]


def test_import_events_refuses_a_bad_source(store: ProfileStore) -> None:
    with pytest.raises(StoreError, match="source"):
        store.import_events([("ann", 1, "like")], source="")
    assert event_count(store) == 0


def test_all_profiles_matches_profile_of_each_user_on_a_random_log(store: ProfileStore) -> None:
    rng = random.Random(20240602)
    users = ["ann", "bob", "ml:1", "ml:2", "ml:10", "mlx", "zoë"]
    for _ in range(600):
        user = rng.choice(users)
        roll = rng.random()
        if roll < 0.02:
            store.clear(user)
        elif roll < 0.08:
            store.undo(user)
        elif roll < 0.12:
            rows = [
                (rng.choice(users), rng.randint(1, 30), rng.choice(["like", "dislike"]))
                for _ in range(rng.randint(1, 20))
            ]
            store.import_events(rows, source=rng.choice(["import", "movielens"]))
        else:
            action = rng.choice([store.like, store.like, store.dislike, store.remove])
            action(user, rng.randint(1, 30))
    store.remove("only-removes", 5)
    expected = {user: store.profile(user) for user in store.users()}
    assert store.all_profiles() == expected
    assert list(store.all_profiles()) == store.users()
    assert store.all_profiles()["only-removes"] == Profile("only-removes", [], [])
    assert derive_profiles(store.events()) == expected
    assert {e.action for e in store.events()} == {"like", "dislike", "remove"}
    assert any(e.context and "undoes" in e.context for e in store.events())
    ml = store.all_profiles(prefix="ml:")
    assert ml == {u: p for u, p in expected.items() if u.startswith("ml:")}
    assert sorted(ml) == ["ml:1", "ml:10", "ml:2"]
    assert store.all_profiles(prefix="") == expected
    assert store.all_profiles(prefix="nobody") == {}


def test_all_profiles_of_an_empty_store_is_empty(store: ProfileStore) -> None:
    assert store.all_profiles() == {}


# -- locations: SQLite paths and PostgreSQL URLs -------------------------------------------------


def test_default_store_path_passes_a_postgres_url_through(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = "postgresql://app:s3cret@db-host:5432/movierec"
    monkeypatch.setenv("MOVIEREC_STORE", f"  {url} ")
    assert default_store_path() == url
    monkeypatch.setenv("MOVIEREC_STORE", "postgres://db-host/movierec")
    assert default_store_path() == "postgres://db-host/movierec"


def test_open_store_takes_paths_urls_and_the_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MOVIEREC_STORE", str(tmp_path / "env.db"))
    assert open_store(None).path == tmp_path / "env.db"
    assert open_store(str(tmp_path / "arg.db")).path == tmp_path / "arg.db"
    assert open_store(tmp_path / "p.db").path == tmp_path / "p.db"
    with pytest.raises(StoreError, match="cannot connect") as caught:
        open_store("postgresql://app:s3cret@127.0.0.1:1/movierec")
    assert "s3cret" not in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://app:s3cret@127.0.0.1:1/movierec",  # nothing listens on port 1
        "postgres://app:s3cret@127.0.0.1:1/movierec?connect_timeout=5",
        "postgresql://app:s3cret@127.0.0.1:notaport/movierec",
        "postgresql://app:s3cret@no-such-host.invalid/movierec",
        "postgresql://app@127.0.0.1:1/movierec?password=s3cret",
        "postgresql://app:s3cret@127.0.0.1:1/movierec?sslmode=bogus",
    ],
)
def test_a_bad_url_or_unreachable_server_is_a_helpful_store_error(url: str) -> None:
    with pytest.raises(StoreError) as caught:
        ProfileStore(url)
    message = str(caught.value)
    assert "s3cret" not in message
    assert "***" in message  # the URL is shown, its password masked
    assert "check the URL" in message
    assert "server is running" in message
    assert "\n" not in message


def test_an_unparseable_url_says_how_to_write_one() -> None:
    with pytest.raises(StoreError, match="URL is invalid") as caught:
        ProfileStore("postgresql://app:s3cret@[::1/movierec")  # unbalanced IPv6 bracket
    message = str(caught.value)
    assert "s3cret" not in message and "\n" not in message
    assert "postgresql://user:password@host:5432/database" in message


# -- PostgreSQL specifics -------------------------------------------------------------------------


def test_a_new_postgres_store_creates_its_schema(pg_location: Locations) -> None:
    store = ProfileStore(pg_location())
    assert store.url is not None and store.path == store.url  # no password to mask here
    assert repr(store) == f"ProfileStore({store.url!r})"
    store.like("ann", 1)
    import psycopg

    with psycopg.connect(store.url) as conn:
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        columns = [
            name
            for (name,) in conn.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = 'events' "
                "ORDER BY ordinal_position"
            )
        ]
    assert meta == {"application": "movierec", "schema_version": str(SCHEMA_VERSION)}
    assert columns == ["seq", "user", "movie_id", "action", "source", "context", "created_at"]
    # Opening it again finds it as it is.
    assert ProfileStore(store.url).profile("ann") == Profile("ann", [1], [])


def test_a_postgres_password_never_shows(pg_location: Locations) -> None:
    url = str(pg_location())
    with_password = url.replace("://postgres@", "://postgres:s3cret@")
    assert with_password != url
    store = ProfileStore(with_password)  # trust auth: the password is ignored
    assert "s3cret" not in str(store.path) and "s3cret" not in repr(store)
    assert "postgres:***@" in str(store.path)
    assert store.url == with_password


def test_a_postgres_url_naming_a_missing_schema_says_so(pg_location: Locations) -> None:
    url = str(pg_location()).replace("search_path%3Dtest_", "search_path%3Dmissing_")
    with pytest.raises(StoreError, match="no existing schema") as caught:
        ProfileStore(url)
    assert "CREATE SCHEMA" in str(caught.value)


def test_a_foreign_postgres_database_is_refused_and_left_alone(pg_location: Locations) -> None:
    url = str(pg_location())
    with admin_connection() as conn:
        schema = pg_location.schemas["profiles.db"]
        conn.execute(f"CREATE TABLE {schema}.customers (id INTEGER PRIMARY KEY, name TEXT)")
    with pytest.raises(StoreError, match="not a movierec profile database") as caught:
        ProfileStore(url)
    assert "tables customers" in str(caught.value)
    with admin_connection() as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (schema,),
        ).fetchall()
    assert tables == [("customers",)]


def test_a_foreign_postgres_meta_table_is_refused(pg_location: Locations) -> None:
    url = str(pg_location())
    with admin_connection() as conn:
        schema = pg_location.schemas["profiles.db"]
        conn.execute(f"CREATE TABLE {schema}.meta (key TEXT PRIMARY KEY, value TEXT)")
        conn.execute(f"INSERT INTO {schema}.meta VALUES ('application', 'someone-else')")
    with pytest.raises(StoreError, match="not a movierec profile database"):
        ProfileStore(url)


def test_a_newer_postgres_schema_version_asks_for_an_upgrade(pg_location: Locations) -> None:
    url = str(pg_location())
    ProfileStore(url).like("ann", 1)
    with admin_connection() as conn:
        schema = pg_location.schemas["profiles.db"]
        conn.execute(f"UPDATE {schema}.meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="upgrade movierec") as caught:
        ProfileStore(url)
    assert "99" in str(caught.value)


def test_a_stopped_connection_is_replaced(pg_location: Locations) -> None:
    store = ProfileStore(pg_location())
    store.like("ann", 1)
    with admin_connection() as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    with pytest.raises(StoreError, match="server is running"):
        store.like("ann", 2)  # the broken connection is dropped ...
    store.like("ann", 3)  # ... and the next call opens a new one
    assert store.profile("ann").liked == [1, 3]


def server_connections(application: str) -> int:
    with admin_connection() as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", (application,)
        ).fetchone()[0]


def test_postgres_threads_share_a_small_pool_of_connections(pg_location: Locations) -> None:
    # The app runs each rerun in a new thread: one connection per thread would pile up.
    application = f"movierec_test_{uuid.uuid4().hex[:8]}"
    store = ProfileStore(f"{pg_location()}&application_name={application}")
    for i in range(25):
        thread = threading.Thread(target=store.like, args=("ann", i))
        thread.start()
        thread.join()
    assert store.profile("ann").liked == list(range(25))
    assert server_connections(application) == 1
    barrier = threading.Barrier(4)

    def hold_two_at_once() -> None:
        barrier.wait()
        store.like("bob", threading.get_ident() % 1000)

    threads = [threading.Thread(target=hold_two_at_once) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert 1 <= server_connections(application) <= 4
    store.close()
    deadline = time.monotonic() + 10  # a closed connection's server process exits shortly after
    while server_connections(application) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server_connections(application) == 0
    store.like("ann", 99)  # reopens after close
    assert store.profile("ann").liked[-1] == 99


# -- concurrency of read-then-write operations, on both backends ----------------------------


def test_threads_liking_and_undoing_at_once_undo_each_change_once(store: ProfileStore) -> None:
    # Each undo must see every earlier change of the user: two undos that read the same history
    # would take back the same change twice and leave a like behind.
    def work(worker: int) -> None:
        for i in range(15):
            store.like("ann", worker * 100 + i)
            assert store.undo("ann") is not None

    run_in_threads(work, 6)
    assert store.profile("ann") == Profile("ann", [], [])
    events = store.events("ann")
    undone = [e.context["undoes"] for e in events if e.context and "undoes" in e.context]
    assert len(undone) == len(set(undone)) == 90
    assert set(undone) == {e.seq for e in events if e.action == "like"}
    assert derive_profiles(events)["ann"] == store.profile("ann")


def test_threads_importing_the_same_rows_at_once_write_them_once(store: ProfileStore) -> None:
    rows = [
        (f"ml:{u}", m, "like" if (u + m) % 3 else "dislike") for u in range(5) for m in range(40)
    ]
    results: list[tuple[int, int]] = []

    def work(_: int) -> None:
        results.append(store.import_events(rows, source="movielens"))

    run_in_threads(work, 4)
    assert sorted(results) == [(0, 200)] * 3 + [(200, 0)]
    assert event_count(store) == 200


def test_replaying_the_log_after_concurrent_writers_reproduces_every_profile(
    store: ProfileStore,
) -> None:
    users = ["ann", "bob", "cy", "ml:1"]

    def work(worker: int) -> None:
        rng = random.Random(worker)
        for _ in range(40):
            user, movie = rng.choice(users), rng.randint(1, 15)
            roll = rng.random()
            if roll < 0.05:
                store.clear(user)
            elif roll < 0.15:
                store.undo(user)
            elif roll < 0.2:
                store.import_events([(user, movie, "like"), (rng.choice(users), movie, "dislike")])
            elif roll < 0.25:
                data = {
                    "format": "movierec-profile",
                    "version": 1,
                    "liked": [movie],
                    "disliked": [],
                }
                store.import_profile(data, user=user, replace=rng.random() < 0.5)
            else:
                rng.choice([store.like, store.dislike, store.remove])(user, movie)

    run_in_threads(work, 6)
    expected = {user: store.profile(user) for user in store.users()}
    assert derive_profiles(store.events()) == expected
    assert store.all_profiles() == expected
    assert sorted(expected) == users


def test_processes_for_several_users_lose_nothing_and_replay(new_location: Locations) -> None:
    path = new_location()
    store = ProfileStore(path)
    jobs = [("ann", 0), ("ann", 1000), ("bob", 0), ("bob", 5000), ("cy", 0), ("ann", 2000)]
    processes = [
        subprocess.Popen([sys.executable, "-c", LIKE_MANY, str(path), user, str(s), str(s + 30)])
        for user, s in jobs
    ]
    try:
        codes = [process.wait(timeout=120) for process in processes]
    finally:
        for process in processes:
            process.kill()
    assert codes == [0] * len(jobs)
    for user in ("ann", "bob", "cy"):
        expected = {i for u, s in jobs if u == user for i in range(s, s + 30)}
        assert set(store.profile(user).liked) == expected
    assert event_count(store) == 30 * len(jobs)
    assert derive_profiles(store.events()) == store.all_profiles()
