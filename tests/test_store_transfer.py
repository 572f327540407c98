"""Profile export and import (the movierec-profile format) on both backends."""

from __future__ import annotations

import json

import pytest

from movierec.store import Profile, ProfileStore, StoreError
from tests.postgres import Locations
from tests.store_helpers import event_count


@pytest.fixture
def store(new_location: Locations) -> ProfileStore:
    return ProfileStore(new_location())


# -- export and import ------------------------------------------------------------------------


def test_export_format(store: ProfileStore) -> None:
    store.like("ann", 1)
    store.dislike("ann", 2)
    exported = store.export_profile("ann")
    assert exported == {
        "format": "movierec-profile",
        "version": 2,
        "user": "ann",
        "liked": [1],
        "disliked": [2],
        "seen": [],
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
        ({"version": 3}, "version"),
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
