"""A real PostgreSQL for the store tests: the server at $MOVIEREC_TEST_POSTGRES (see
scripts/test_postgres.sh), each test in fresh schemas. Without it those tests skip, unless
MOVIEREC_REQUIRE_POSTGRES=1 (as in CI) makes that a failure."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

POSTGRES_URL = os.environ.get("MOVIEREC_TEST_POSTGRES", "").strip()
REQUIRE_POSTGRES = os.environ.get("MOVIEREC_REQUIRE_POSTGRES", "").strip() == "1"


def need_postgres() -> str:
    if POSTGRES_URL:
        return POSTGRES_URL
    if REQUIRE_POSTGRES:
        pytest.fail("MOVIEREC_REQUIRE_POSTGRES=1 but MOVIEREC_TEST_POSTGRES is not set")
    pytest.skip(
        "no PostgreSQL to test against: set MOVIEREC_TEST_POSTGRES=postgresql://… "
        '(eval "$(scripts/test_postgres.sh start)" starts one)'
    )


def admin_connection():
    import psycopg

    try:
        return psycopg.connect(need_postgres(), autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as error:
        pytest.fail(f"cannot reach the test PostgreSQL at MOVIEREC_TEST_POSTGRES: {error}")


def with_search_path(url: str, schema: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


class Locations:
    """Store locations of one backend for one test: files under tmp_path, or new PostgreSQL
    schemas (one per name, dropped after the test)."""

    def __init__(self, backend: str, tmp_path: Path) -> None:
        self.backend = backend
        self.tmp_path = tmp_path
        self.schemas: dict[str, str] = {}

    def __call__(self, name: str = "profiles.db") -> Path | str:
        if self.backend == "sqlite":
            return self.tmp_path / name
        if name not in self.schemas:
            schema = f"test_{uuid.uuid4().hex[:16]}"
            with admin_connection() as conn:
                conn.execute(f"CREATE SCHEMA {schema}")
            self.schemas[name] = schema
        return with_search_path(need_postgres(), self.schemas[name])

    def cleanup(self) -> None:
        if self.schemas:
            with admin_connection() as conn:
                for schema in self.schemas.values():
                    conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def kill_other_connections() -> None:
    """Terminate every other session of the test database (what a failover does to a pool)."""
    with admin_connection() as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
