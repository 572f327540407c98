"""Benchmark the profile store: SQLite and, given a URL, PostgreSQL, measured in one run.

    python scripts/benchmark_store.py                                  # SQLite only
    python scripts/benchmark_store.py --postgres postgresql://…/db     # both backends
    eval "$(scripts/test_postgres.sh start)"; python scripts/benchmark_store.py \\
        --postgres "$MOVIEREC_TEST_POSTGRES"                           # a throwaway server

Per backend: one like (a write transaction) and one profile read, p50/p95 in ms; likes per
second from 8 threads (500 each) and from 4 processes (2,000 each, interpreter start included)
writing at once (the script checks that nothing was lost); `import_events` of 100,000 rows;
`all_profiles` over 1,000 users (what `movierec retrain` reads). PostgreSQL runs in a fresh
schema that is dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import numpy as np

from movierec.store import ProfileStore

LIKE_MANY = """
import sys
from movierec.store import ProfileStore

store = ProfileStore(sys.argv[1])
for movie_id in range(int(sys.argv[3]), int(sys.argv[4])):
    store.like(sys.argv[2], movie_id, source="cli")
"""


def percentiles(samples_s: list[float]) -> tuple[float, float]:
    ms = np.asarray(samples_s) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95))


def timed(call: Callable[[], object], repeats: int) -> list[float]:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return samples


def measure(location: str | Path, repeats: int) -> dict[str, float]:
    store = ProfileStore(location)
    counter = iter(range(10**9))
    like = percentiles(timed(lambda: store.like("solo", next(counter)), repeats))
    read = percentiles(timed(lambda: store.profile("solo"), repeats))

    per_thread = 500
    threads = [
        threading.Thread(target=lambda w=w: [store.like(f"t{w}", i) for i in range(per_thread)])
        for w in range(8)
    ]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    thread_rate = 8 * per_thread / (time.perf_counter() - start)
    assert all(len(store.profile(f"t{w}").liked) == per_thread for w in range(8)), "lost likes"

    per_process = 2000
    start = time.perf_counter()
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", LIKE_MANY, str(location), f"p{w}", "0", str(per_process)]
        )
        for w in range(4)
    ]
    codes = [process.wait(timeout=600) for process in processes]
    process_rate = 4 * per_process / (time.perf_counter() - start)  # includes interpreter start
    assert codes == [0] * 4, f"writer processes failed: {codes}"
    assert all(len(store.profile(f"p{w}").liked) == per_process for w in range(4)), "lost likes"

    rng = np.random.default_rng(0)
    rows = [
        (f"ml:{u}", int(m), "like" if rng.random() < 0.8 else "dislike")
        for u in range(1000)
        for m in rng.choice(20_000, size=100, replace=False)
    ]
    start = time.perf_counter()
    written, unchanged = store.import_events(rows, source="movielens")
    import_s = time.perf_counter() - start
    assert (written, unchanged) == (len(rows), 0)
    start = time.perf_counter()
    profiles = store.all_profiles(prefix="ml:")
    all_profiles_s = time.perf_counter() - start
    assert len(profiles) == 1000
    store.close()
    return {
        "like_p50_ms": like[0],
        "like_p95_ms": like[1],
        "profile_p50_ms": read[0],
        "profile_p95_ms": read[1],
        "likes_per_s_8_threads": thread_rate,
        "likes_per_s_4_processes": process_rate,
        "import_100k_rows_s": import_s,
        "all_profiles_1000_users_s": all_profiles_s,
    }


def postgres_schema(url: str) -> tuple[str, Callable[[], None]]:
    """A fresh schema on the server at `url`: its URL and a function that drops it."""
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")

    def drop() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")

    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}", drop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", help="a PostgreSQL URL to benchmark too")
    parser.add_argument("--repeats", type=int, default=300, help="single-call samples")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        results["sqlite"] = measure(Path(folder) / "profiles.db", args.repeats)
    if args.postgres:
        url, drop = postgres_schema(args.postgres)
        try:
            results["postgresql"] = measure(url, args.repeats)
        finally:
            drop()

    names = list(results)
    print(f"{'measure':<28}" + "".join(f"{name:>14}" for name in names))
    for key in results["sqlite"]:
        print(f"{key:<28}" + "".join(f"{results[name][key]:>14.2f}" for name in names))
    if len(names) == 2:
        like_ratio = results["postgresql"]["like_p50_ms"] / results["sqlite"]["like_p50_ms"]
        rate_ratio = (
            results["postgresql"]["likes_per_s_8_threads"]
            / results["sqlite"]["likes_per_s_8_threads"]
        )
        print(f"\npostgresql / sqlite: like p50 {like_ratio:.2f}x, 8-thread rate {rate_ratio:.2f}x")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
