"""Time to the first answer on a fresh install: a new MOVIEREC_HOME, a new process, one mood.

Measures what `make run` does before its first answer (import, model load, index build from the
packaged catalog, one query), once with the shipped vectors and, with --baseline, once without
them (every film encoded, as before they were shipped):

    python scripts/benchmark_first_query.py [--baseline] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time

MOOD = "a cozy, feel-good film for a rainy Sunday"
CHILD = """
import sys, time
start = time.perf_counter()
import movierec.build
if sys.argv[1] == "without":
    movierec.build.SHIPPED_VECTORS = movierec.build.SHIPPED_VECTORS.with_name("missing.npz")
from movierec.recommender import Recommender
rec = Recommender.open()
opened = time.perf_counter()
hits = rec.search(sys.argv[2], k=5)
done = time.perf_counter()
print(f"{opened - start:.2f} {done - start:.2f} {hits[0].title}")
"""


def first_answer(variant: str) -> dict[str, float | str]:
    """Seconds from a new process start to an open recommender and to the first answer."""
    with tempfile.TemporaryDirectory() as home:
        start = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", CHILD, variant, MOOD],
            env={"MOVIEREC_HOME": home, "PATH": "/usr/bin:/bin", "HOME": home},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split(maxsplit=2)
        wall = time.perf_counter() - start
    return {
        "open_s": float(out[0]),
        "first_answer_s": float(out[1]),
        "process_s": wall,
        "top": out[2].strip(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--baseline", action="store_true", help="also time it without shipped vectors"
    )
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    results = {"shipped": first_answer("with")}
    if args.baseline:
        results["baseline"] = first_answer("without")
    for name, r in results.items():
        print(
            f"{name:9s} open {r['open_s']:6.1f} s   first answer {r['first_answer_s']:6.1f} s   "
            f"(process {r['process_s']:.1f} s; top: {r['top']})"
        )
    goal = results["shipped"]["process_s"] <= 15
    print(f"goal: first mood answer <= 15 s from a fresh home: {'met' if goal else 'MISSED'}")
    if "baseline" in results:
        ratio = results["baseline"]["process_s"] / results["shipped"]["process_s"]
        print(f"speed-up vs encoding every film: {ratio:.1f}x")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(results, handle, indent=2)


if __name__ == "__main__":
    main()
