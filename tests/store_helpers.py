"""Shared helpers of the profile store tests."""

from __future__ import annotations

import sqlite3

from movierec.store import ProfileStore


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
