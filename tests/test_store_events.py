"""The profile store's event log on both backends: what each action does, validation, undo,
replay, bulk import and all profiles."""

from __future__ import annotations

import random

import pytest

from movierec.store import PeopleProfilesError, Profile, ProfileStore, StoreError, derive_profiles
from tests.postgres import Locations
from tests.store_helpers import event_count


@pytest.fixture
def store(new_location: Locations) -> ProfileStore:
    return ProfileStore(new_location())


# -- semantics --------------------------------------------------------------------------------


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
        (("ann", 1, "clear"), "'like', 'dislike', 'remove' or 'seen'"),
        (("ann", 1, "love"), "'like', 'dislike', 'remove' or 'seen'"),
        (("ann", 1, None), "'like', 'dislike', 'remove' or 'seen'"),
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
    # ml:1 and ml:2 come from ratings; ml:10 is a person's, which no ratings import takes over
    store.import_events([("ml:1", 1, "like"), ("ml:2", 2, "dislike")], source="movielens")
    store.like("ml:10", 3)
    refused = kept = 0
    for _ in range(600):
        user = rng.choice(users)
        roll = rng.random()
        community = store.is_community_user(user)  # read-only to all but the bulk import
        try:
            if roll < 0.02:
                store.clear(user)
            elif roll < 0.08:
                store.undo(user)
            elif roll < 0.12:
                rows = [
                    (rng.choice(users), rng.randint(1, 30), rng.choice(["like", "dislike", "seen"]))
                    for _ in range(rng.randint(1, 20))
                ]
                source = rng.choice(["import", "movielens"])
                if source == "movielens":  # a ratings import: community profiles, ml: only
                    rows = [row for row in rows if row[0].startswith("ml:")]
                store.import_events(rows, source=source)
            else:
                action = rng.choice(
                    [store.like, store.like, store.dislike, store.seen, store.remove]
                )
                action(user, rng.randint(1, 30))
        except PeopleProfilesError as error:  # a ratings import never takes over a person's
            assert 0.08 <= roll < 0.12 and source == "movielens"
            assert error.users and set(error.users) <= {name for name, _, _ in rows}
            assert all(store.events(u) and not store.is_community_user(u) for u in error.users)
            kept += 1
        except StoreError as error:
            assert community and "community profile" in str(error)
            refused += 1
        else:
            assert not community or 0.08 <= roll < 0.12
    assert refused > 0 and kept > 0
    store.remove("only-removes", 5)
    expected = {user: store.profile(user) for user in store.users()}
    assert store.all_profiles() == expected
    assert list(store.all_profiles()) == store.users()
    assert store.all_profiles()["only-removes"] == Profile("only-removes", [], [])
    assert derive_profiles(store.events()) == expected
    assert {e.action for e in store.events()} == {"like", "dislike", "remove", "seen"}
    assert any(p.seen for p in expected.values())
    assert any(e.context and "undoes" in e.context for e in store.events())
    ml = store.all_profiles(prefix="ml:")
    assert ml == {u: p for u, p in expected.items() if u.startswith("ml:")}
    assert sorted(ml) == ["ml:1", "ml:10", "ml:2"]
    assert store.all_profiles(prefix="") == expected
    assert store.all_profiles(prefix="nobody") == {}


def test_all_profiles_of_an_empty_store_is_empty(store: ProfileStore) -> None:
    assert store.all_profiles() == {}
