"""Profile store guards: imports go to the user the caller names, community profiles are read-only
to the app and the profile command, read-only stores still read, store locations written as
`sqlite:` / `file:` URLs are files (and other schemes are refused)."""

from __future__ import annotations

from pathlib import Path

import pytest

from movierec import config
from movierec.store import COMMUNITY_SOURCE, Profile, ProfileStore, StoreError, open_store
from tests.postgres import Locations
from tests.store_helpers import event_count, read_only


@pytest.fixture
def store(new_location: Locations) -> ProfileStore:
    return ProfileStore(new_location())


# -- item 12: imports target the named user; community profiles are read-only --------------------


def test_replacing_import_needs_the_user_it_replaces(store: ProfileStore) -> None:
    store.like("ann", 1)
    store.like("ann", 2)
    data = {"format": "movierec-profile", "version": 1, "user": "ann", "liked": [9], "disliked": []}
    before = event_count(store)
    with pytest.raises(StoreError, match="pass the user") as caught:
        store.import_profile(data, replace=True)
    assert "'ann'" in str(caught.value)  # says which user the file names
    assert event_count(store) == before
    assert store.profile("ann") == Profile("ann", [1, 2], [])
    assert store.import_profile(data, user="bob", replace=True) == Profile("bob", [9], [])
    assert store.profile("ann") == Profile("ann", [1, 2], [])


def test_community_profiles_are_read_only_to_app_and_profile_command(store: ProfileStore) -> None:
    assert store.import_events([("ml:1", 5, "like"), ("ml:1", 6, "dislike")], COMMUNITY_SOURCE)
    store.like("ann", 5)
    assert store.is_community_user("ml:1") and store.is_community_user(" ml:1 ")
    assert not store.is_community_user("ann") and not store.is_community_user("nobody")
    before = event_count(store)
    data = {"format": "movierec-profile", "version": 1, "liked": [7], "disliked": []}
    writes = [
        lambda: store.like("ml:1", 7),
        lambda: store.dislike("ml:1", 7),
        lambda: store.remove("ml:1", 5),
        lambda: store.undo("ml:1"),
        lambda: store.clear("ml:1"),
        lambda: store.import_profile(data, user="ml:1"),
        lambda: store.import_profile({**data, "user": "ml:1"}),
        lambda: store.check_writable("ml:1"),
    ]
    for write in writes:
        with pytest.raises(StoreError, match="community profile imported from ratings") as caught:
            write()
        assert "read-only" in str(caught.value) and "pick another name" in str(caught.value)
    assert event_count(store) == before
    assert store.profile("ml:1") == Profile("ml:1", [5], [6])
    store.check_writable("ann")
    # a re-import of the ratings still writes them
    assert store.import_events([("ml:1", 8, "like")], COMMUNITY_SOURCE) == (1, 0)
    assert store.profile("ml:1") == Profile("ml:1", [5, 8], [6])


# -- item 14: a store on a read-only filesystem reads, and says why it cannot write ---------------


@pytest.mark.parametrize("leave_wal", [False, True])
def test_a_read_only_store_reads_and_refuses_writes(tmp_path: Path, leave_wal: bool) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "profiles.db"
    writer = ProfileStore(path)
    writer.like("ann", 1)
    writer.dislike("ann", 2)
    if not leave_wal:
        writer.close()
    with read_only(folder):
        store = ProfileStore(path)
        assert store.read_only is not None
        assert store.profile("ann") == Profile("ann", [1], [2])
        assert store.users() == ["ann"]
        assert store.all_profiles() == {"ann": Profile("ann", [1], [2])}
        with pytest.raises(StoreError, match="read-only") as caught:
            store.like("ann", 3)
        assert str(path) in str(caught.value) and "reads work" in str(caught.value)
        with pytest.raises(StoreError, match="read-only"):
            store.import_events([("bob", 1, "like")])
        store.close()
    writer.close()
    assert ProfileStore(path).profile("ann") == Profile("ann", [1], [2])


def test_a_new_store_in_a_read_only_folder_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    with read_only(folder), pytest.raises(StoreError, match="read-only") as caught:
        ProfileStore(folder / "profiles.db")
    assert "--store" in str(caught.value)


# -- item 16: sqlite:/file: URLs are files; other schemes are refused ---------------------------


@pytest.mark.parametrize(
    "written",
    ["sqlite:///{abs}", "sqlite:////{abs}", "file:///{abs}", "file:{abs}", "SQLITE:///{abs}"],
)
def test_sqlite_and_file_urls_name_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, written: str
) -> None:
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "data dir" / "profiles.db"
    value = written.format(abs=str(target).lstrip("/"))
    if written.startswith("file:{"):
        value = f"file:{target}"
    assert config.store_location(value, tmp_path) == target
    monkeypatch.setenv("MOVIEREC_STORE", value)
    assert config.resolve().store == target
    assert open_store(None).path == target
    assert ProfileStore(value).path == target
    assert target.is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data dir"]  # no "sqlite:" folder


def test_a_relative_sqlite_url_is_relative(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert config.store_location("sqlite:profiles.db", tmp_path) == Path("profiles.db")


@pytest.mark.parametrize(
    "value", ["mysql://app@db/movierec", "sqlite://db-host/profiles.db", "sqlite://", "http://x/y"]
)
def test_unknown_store_schemes_are_refused_showing_both_forms(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.chdir(tmp_path)
    for attempt in (
        lambda: config.store_location(value, tmp_path),
        lambda: open_store(value),
        lambda: ProfileStore(value),
    ):
        with pytest.raises(StoreError) as caught:
            attempt()
        message = str(caught.value)
        assert "sqlite:///" in message and "postgresql://" in message
    assert list(tmp_path.iterdir()) == []


def test_a_read_only_postgres_server_says_so(pg_location: Locations) -> None:
    url = str(pg_location())
    ProfileStore(url).like("ann", 1)
    standby = ProfileStore(
        url.replace("options=", "options=-cdefault_transaction_read_only%3Don%20")
    )
    assert standby.profile("ann") == Profile("ann", [1], [])
    with pytest.raises(StoreError, match=r"is read-only .*primary"):
        standby.like("ann", 2)
    assert standby.profile("ann") == Profile("ann", [1], [])
