"""PostgreSQL specifics of the profile store, against a real server (see tests/postgres.py)."""

from __future__ import annotations

import threading
import time
import uuid

import pytest

from movierec.store import SCHEMA_VERSION, Profile, ProfileStore, StoreError
from tests.postgres import Locations, admin_connection

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
