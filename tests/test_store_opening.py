"""Opening a profile store: SQLite files (new, foreign, damaged, newer), the default location,
and PostgreSQL URLs that cannot be used."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from movierec.store import (
    SCHEMA_VERSION,
    Profile,
    ProfileStore,
    StoreError,
    default_store_path,
    open_store,
)
from tests.helpers import FIXTURE_CATALOG
from tests.postgres import Locations

# -- opening files ----------------------------------------------------------------------------


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


def test_store_errors_are_value_errors_the_cli_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Code that takes a ValueError for the user's mistake takes a store problem for one too.
    store = ProfileStore(tmp_path / "profiles.db")
    with pytest.raises(ValueError, match="user name"):
        store.like("", 1)
    from movierec.cli import main

    index = tmp_path / "idx"
    args = ["--catalog", str(FIXTURE_CATALOG), "--index", str(index), "--store", str(tmp_path)]
    assert main(["retrain", *args]) == 2
    captured = capsys.readouterr()
    assert "is a directory, not a profile database" in captured.err
    assert "Traceback" not in captured.err and captured.out == ""
    assert not index.exists()


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="directory"):
        ProfileStore(tmp_path)


def test_default_store_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("MOVIEREC_STORE", raising=False)
    monkeypatch.setenv("MOVIEREC_HOME", str(tmp_path / "home"))
    assert default_store_path() == tmp_path / "home" / "profiles.db"
    monkeypatch.setenv("MOVIEREC_STORE", str(tmp_path / "elsewhere.db"))
    assert default_store_path() == tmp_path / "elsewhere.db"


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


# -- opening only to read -----------------------------------------------------------------------


def test_a_store_opened_to_read_is_never_created(tmp_path: Path) -> None:
    path = tmp_path / "new" / "profiles.db"
    store = open_store(path, create=False)
    assert store.profile("ann") == Profile("ann", [], [])
    assert (store.users(), store.all_profiles(), store.events()) == ([], {}, [])
    assert store.export_profile("ann")["liked"] == []
    with pytest.raises(StoreError, match="read-only"):
        store.like("ann", 1)
    assert not (tmp_path / "new").exists()
    empty = tmp_path / "empty.db"
    empty.touch()
    assert ProfileStore(empty, create=False).users() == []
    assert empty.stat().st_size == 0  # no schema written into it


def test_a_store_opened_to_read_sees_what_was_written(new_location: Locations) -> None:
    location = new_location()
    assert ProfileStore(location, create=False).users() == []
    ProfileStore(location).like("ann", 1)
    assert ProfileStore(location, create=False).profile("ann") == Profile("ann", [1], [])


def test_has_user_is_any_event_of_that_name(new_location: Locations) -> None:
    store = ProfileStore(new_location())
    assert not store.has_user("ann")
    store.like("ann", 1)
    store.remove("ann", 1)
    assert store.has_user(" ann ") and not store.has_user("bob")
