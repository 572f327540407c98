"""The profile store under concurrent writers (threads and processes), on both backends:
nothing is lost and replaying the log equals every profile."""

from __future__ import annotations

import multiprocessing
import random

import pytest

from movierec.store import Profile, ProfileStore, derive_profiles
from tests.postgres import Locations
from tests.store_helpers import event_count, run_in_threads, run_writers


@pytest.fixture
def store(new_location: Locations) -> ProfileStore:
    return ProfileStore(new_location())


# -- concurrency ------------------------------------------------------------------------------


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
    starts = [w * 1000 for w in range(4)]
    codes = run_writers(path, [("ann", s, s + 50) for s in starts])
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
    codes = run_writers(path, [(user, s, s + 30) for user, s in jobs])
    assert codes == [0] * len(jobs)
    for user in ("ann", "bob", "cy"):
        expected = {i for u, s in jobs if u == user for i in range(s, s + 30)}
        assert set(store.profile(user).liked) == expected
    assert event_count(store) == 30 * len(jobs)
    assert derive_profiles(store.events()) == store.all_profiles()
