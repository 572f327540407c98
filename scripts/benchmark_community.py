"""Benchmark the community at scale on a synthetic MovieLens-shaped community.

    python scripts/benchmark_community.py                      # 200k users × 50k films × 20M likes
    python scripts/benchmark_community.py --scale 0.1          # 20k × 5k × 2M, a quick run
    eval "$(scripts/test_postgres.sh start)"; python scripts/benchmark_community.py \\
        --postgres "$MOVIEREC_TEST_POSTGRES" --json community.json

Generates (once, cached under --data) the ratings, links and catalog files
(`movierec.evaluation.synthetic_community`), then measures:

1. import: `movierec import-ratings`' two steps, reading the files into actions and
   `ProfileStore.import_arrays`, into a fresh SQLite file and (given --postgres) a fresh
   PostgreSQL schema; likes per second of the write and of both steps;
2. retrain: `movierec retrain` on the SQLite store in a subprocess: wall time, the peak RSS of
   its largest process (ru_maxrss) and the peak PSS of its process tree (workers included);
3. profile query: `CommunitySignal.for_profile` with the model that scores profiles (low_rank
   above EASE's limit), p50 / p95 over users' likes;
4. held-out likes: a user split (10% of the users out of training; 20% of each test user's likes
   hidden, the rest given), recall@10 and nDCG@10 of the profile model against item-kNN alone.
Goals (issue 13): SQLite import ≥ 200k likes/s, PostgreSQL ≥ 100k likes/s, retrain ≤ 180 s and
≤ 6 GiB, profile p50 ≤ 10 ms, the profile model above item-kNN on held-out likes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from scipy import sparse

from movierec import community
from movierec.community_data import latest_likes
from movierec.community_signal import CommunitySignal
from movierec.evaluation.synthetic_community import generate, write_movielens
from movierec.movielens import rating_actions
from movierec.store import COMMUNITY_SOURCE, ProfileStore

FULL = (200_000, 50_000, 20_000_000)
GOALS = {"sqlite_likes_per_s": 200_000, "postgres_likes_per_s": 100_000, "retrain_s": 180.0}
GiB = 1024**3


def dataset(folder: Path, scale: float, seed: int) -> tuple[Path, dict[str, int]]:
    """The cached synthetic files for this scale and seed (generated when missing)."""
    users, films, likes = (max(10, int(n * scale)) for n in FULL)
    films = max(films, 200)
    where = folder / f"{users}x{films}x{likes}-seed{seed}"
    if not (where / "catalog.csv").exists():
        start = time.perf_counter()
        data = generate(users, films, likes, seed=seed)
        write_movielens(data, where, seed=seed)
        print(f"generated {data.n_likes:,} likes in {time.perf_counter() - start:.0f}s -> {where}")
    return where, {"users": users, "films": films, "likes": likes}


def import_into(location: str | Path, files: Path, ids: np.ndarray) -> dict[str, float]:
    """Read the files into actions, write them with import_arrays; seconds and likes/s."""
    start = time.perf_counter()
    data = rating_actions(files / "ratings.csv", files / "links.csv", ids)
    user_ids, users = np.unique(data.users, return_inverse=True)
    names = [f"ml:{user}" for user in user_ids.tolist()]
    read_s = time.perf_counter() - start
    store = ProfileStore(location)
    start, cpu = time.perf_counter(), time.process_time()
    written, _ = store.import_arrays(names, users, data.movies, data.actions, COMMUNITY_SOURCE)
    write_s, write_cpu_s = time.perf_counter() - start, time.process_time() - cpu
    store.close()
    return {
        "likes": written,
        "read_s": round(read_s, 2),
        "write_s": round(write_s, 2),
        "write_cpu_s": round(write_cpu_s, 2),  # this process only (PostgreSQL: not the server)
        "write_likes_per_s": round(written / write_s),
        "total_likes_per_s": round(written / (read_s + write_s)),
    }


def tree_pss(pid: int) -> int:
    """Bytes of PSS of `pid` and its descendants (0 for a process that is gone)."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            total += 1024 * int(
                next(ln for ln in rollup.splitlines() if ln.startswith("Pss:")).split()[1]
            )
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (OSError, StopIteration, ValueError):
            continue
        pending.extend(int(c) for c in children)
    return total


def retrain(files: Path, store: Path, index: Path) -> dict[str, float]:
    """`movierec retrain` in a subprocess: wall time, peak RSS (largest process), peak tree PSS."""
    catalog = str(files / "catalog.csv")
    command = [sys.executable, "-m", "movierec.cli", "retrain", "--catalog", catalog]
    command += ["--index", str(index), "--store", str(store), "--quiet"]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    peak = [0]

    def sample() -> None:
        while process.poll() is None:
            peak[0] = max(peak[0], tree_pss(process.pid))
            time.sleep(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    output = process.stdout.read() if process.stdout else ""
    sampler.join()
    print(output.strip())
    if process.returncode:
        raise SystemExit(f"retrain failed with exit code {process.returncode}")
    own = usage.ru_maxrss * 1024
    children = 0
    try:
        import resource

        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    except (ImportError, OSError):
        pass
    return {
        "wall_s": round(wall, 1),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),  # its workers included
        "peak_rss_gib": round(max(own, children) / GiB, 2),
        "peak_tree_pss_gib": round(peak[0] / GiB, 2),
    }


def split(matrix: sparse.csr_matrix, seed: int, test_users: int = 5000):
    """(training matrix, [(given columns, hidden columns)]): 10% of users out of training (at most
    `test_users` of them evaluated), 20% of each one's likes hidden."""
    rng = np.random.default_rng(seed)
    n = matrix.shape[0]
    test = rng.permutation(n)[: n // 10]
    mask = np.ones(n, dtype=bool)
    mask[test] = False
    cases = []
    for user in test[:test_users]:
        liked = rng.permutation(matrix.indices[matrix.indptr[user] : matrix.indptr[user + 1]])
        hidden = max(1, len(liked) // 5)
        if len(liked) > hidden:
            cases.append((np.sort(liked[hidden:]), set(liked[:hidden].tolist())))
    return matrix[mask], cases


def held_out(model: community.CommunityModel, cases, k: int = 10) -> dict[str, float]:
    """recall@k and nDCG@k of `model` on the cases (given films excluded from the ranking)."""
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    recall, ndcg = [], []
    for given, hidden in cases:
        scores = model.score(model.ids[given].tolist())
        scores[given] = -np.inf
        top = np.argpartition(-scores, k)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        hits = np.array([column in hidden for column in top.tolist()], dtype=float)
        best = min(len(hidden), k)
        recall.append(hits.sum() / best)
        ndcg.append(float(hits @ discounts) / discounts[:best].sum())
    return {
        "recall@10": round(float(np.mean(recall)), 4),
        "ndcg@10": round(float(np.mean(ndcg)), 4),
    }


def profile_queries(signal: CommunitySignal, cases, repeats: int = 300) -> dict[str, float]:
    """p50 / p95 ms of scoring a profile (a test user's given likes)."""
    samples = []
    for given, _ in cases[:repeats]:
        liked = signal.profile_model.ids[given].tolist()
        start = time.perf_counter()
        signal.for_profile(liked, [])
        samples.append(time.perf_counter() - start)
    ms = np.asarray(samples) * 1000
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="of 200k × 50k × 20M (1.0)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", default=str(Path.home() / ".cache/movierec/community-bench"))
    parser.add_argument("--no-held-out", action="store_true", help="skip step 4 (two more fits)")
    parser.add_argument("--postgres", help="a PostgreSQL URL to import into (a fresh schema)")
    parser.add_argument("--json", help="write the figures here")
    parser.add_argument("--work", help="keep the store and models in this folder (else temporary)")
    parser.add_argument(
        "--reuse-store", help="a store already holding this dataset: no SQLite import measured"
    )
    args = parser.parse_args()
    files, shape = dataset(Path(args.data), args.scale, args.seed)
    ids = np.loadtxt(files / "links.csv", delimiter=",", skiprows=1, usecols=1, dtype=np.int64)
    report: dict[str, object] = {"shape": shape, "cores": os.cpu_count()}
    with _work_folder(args.work) as tmp:
        store = Path(args.reuse_store) if args.reuse_store else Path(tmp) / "profiles.db"
        if not args.reuse_store:
            report["sqlite_import"] = import_into(store, files, ids)
            print("sqlite import", report["sqlite_import"], flush=True)
        if args.postgres:
            report["postgres_import"] = postgres_import(args.postgres, files, ids)
            print("postgres import", report["postgres_import"], flush=True)
        report["retrain"] = retrain(files, store, Path(tmp) / "index")
        print("retrain", report["retrain"], flush=True)
        models = [
            community.load_current(Path(tmp) / "index.community" / kind) for kind in community.KINDS
        ]
        _, users, movies, actions = ProfileStore(store).log_arrays()  # for the held-out split
    likes = latest_likes(users, movies, actions, ids)
    catalog_movies = _movie_table(ids)
    signal = CommunitySignal([m for m in models if m is not None], catalog_movies)
    train, cases = split(likes, args.seed)
    report["profile_model"] = signal.profile_model.kind
    report["profile_query"] = profile_queries(signal, cases)
    print("profile query", signal.profile_model.kind, report["profile_query"], flush=True)
    if not args.no_held_out:
        report["held_out"] = compare(train, ids, cases, signal.profile_model.kind)
        print("held-out", report["held_out"], flush=True)
    report["goals"] = goals(report)
    print(json.dumps(report["goals"], indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1) + "\n")


def postgres_import(url: str, files: Path, ids: np.ndarray) -> dict[str, float]:
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        joiner = "&" if "?" in url else "?"
        return import_into(f"{url}{joiner}options=-csearch_path%3D{schema}", files, ids)
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def compare(train: sparse.csr_matrix, ids: np.ndarray, cases, kind: str) -> dict[str, object]:
    """The profile model's kind against item-kNN (and low_rank), trained on the training users."""
    figures: dict[str, object] = {}
    for name in dict.fromkeys([kind, "low_rank", "item_knn"]):
        start = time.perf_counter()
        model = community.fit(name, train, ids)
        figures[name] = held_out(model, cases) | {"fit_s": round(time.perf_counter() - start, 1)}
    if kind != "item_knn":
        figures["ratio_recall"] = round(
            figures[kind]["recall@10"] / figures["item_knn"]["recall@10"], 2
        )
        figures["ratio_ndcg"] = round(figures[kind]["ndcg@10"] / figures["item_knn"]["ndcg@10"], 2)
    figures["test_users"] = len(cases)
    return figures


def goals(report: dict) -> dict[str, str]:
    """Each goal with the measured figure and whether it is met."""
    out = {}
    checks = [
        ("retrain ≤ 180 s", report["retrain"]["wall_s"], 180.0, "<="),
        ("retrain peak ≤ 6 GiB (tree PSS)", report["retrain"]["peak_tree_pss_gib"], 6.0, "<="),
        ("profile query p50 ≤ 10 ms", report["profile_query"]["p50_ms"], 10.0, "<="),
    ]
    if "sqlite_import" in report:
        rate = report["sqlite_import"]["write_likes_per_s"]
        checks.append(("sqlite import ≥ 200k likes/s", rate, 200_000, ">="))
    if "postgres_import" in report:
        checks.append(
            (
                "postgres import ≥ 100k likes/s",
                report["postgres_import"]["write_likes_per_s"],
                100_000,
                ">=",
            )
        )
    held = report.get("held_out", {})
    if "ratio_ndcg" in held:
        checks.append(("profile model / item-kNN nDCG@10 > 1", held["ratio_ndcg"], 1.0, ">"))
    for name, value, goal, how in checks:
        met = {">=": value >= goal, "<=": value <= goal, ">": value > goal}[how]
        out[name] = f"{value} ({'met' if met else 'NOT met'})"
    return out


@contextlib.contextmanager
def _work_folder(work: str | None) -> Iterator[str]:
    """`work` (created, kept: --reuse-store can point into it later), else a temporary folder."""
    if work:
        Path(work).mkdir(parents=True, exist_ok=True)
        yield work
        return
    with tempfile.TemporaryDirectory() as tmp:
        yield tmp


def _movie_table(ids: np.ndarray):
    """A MovieTable stand-in: what CommunitySignal reads (ids and row_of)."""
    table = argparse.Namespace(ids=ids, row_of={int(i): r for r, i in enumerate(ids)})
    return table


if __name__ == "__main__":
    main()
