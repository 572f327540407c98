"""Shared helpers of the profile store tests."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from movierec.store import ProfileStore


def event_count(store: ProfileStore) -> int:
    """The number of events, counted past the store with a connection of our own."""
    if store.url is None:
        with sqlite3.connect(store.path) as conn:
            return conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    import psycopg

    with psycopg.connect(store.url) as conn:
        return conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]


# One writer of `run_writers`: opens the store, says it is ready, waits for the word (its stdin
# closing), then likes films range(start, stop) for the user. Argv: location user start stop.
LIKE_MANY = """
import sys
import pytest

from movierec.store import ProfileStore

store = ProfileStore(sys.argv[1])
store.users()  # connected, ready to write
print("ready", flush=True)
sys.stdin.read()  # returns when the test closes stdin: every writer starts at once
for movie_id in range(int(sys.argv[3]), int(sys.argv[4])):
    store.like(sys.argv[2], movie_id, source="cli")
"""


def run_writers(location: Path | str, jobs: list[tuple[str, int, int]]) -> list[int]:
    """Run one LIKE_MANY process per (user, start, stop) and return their exit codes.

    Separate interpreters (not multiprocessing.spawn, which re-imports whatever __main__ the
    test runner has at the time), like several CLI calls at once. A barrier: no process writes
    until every one has connected and said it is ready.
    """
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", LIKE_MANY, str(location), user, str(start), str(stop)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for user, start, stop in jobs
    ]
    try:
        for process in processes:
            assert process.stdout is not None and process.stdout.readline() == "ready\n"
        for process in processes:
            assert process.stdin is not None
            process.stdin.close()  # go
        return [process.wait(timeout=120) for process in processes]
    finally:
        for process in processes:
            process.kill()
            process.wait()
            if process.stdout is not None:
                process.stdout.close()


def run_in_threads(work: Callable[[int], None], count: int) -> None:
    """Run work(0), …, work(count - 1) in threads that start together at a barrier; fail on
    any error they raised."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def guarded(worker: int) -> None:
        try:
            barrier.wait(timeout=60)
            work(worker)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=guarded, args=(w,)) for w in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """`folder` read-only: a read-only bind mount as root (permissions do not bind root), else
    permissions."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [folder, *folder.iterdir()]}
        for path in modes:
            path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            for path, mode in modes.items():
                path.chmod(mode)
        return
    mounted = subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True)
    if mounted.returncode:
        pytest.skip(f"cannot bind-mount as root: {mounted.stderr.decode().strip()}")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], check=True)
        yield
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)  # lazy: never masks a failure
