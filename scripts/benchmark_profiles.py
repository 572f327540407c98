"""Profile latency: the default power mean over each like vs the average liked vector
(`profile_power` 1), and every film scored (the default on catalogs up to
`pipeline.EXACT_PROFILE_FILMS`) vs the candidate pool of larger catalogs, interleaved in one
run on the built default index.

    python scripts/benchmark_profiles.py            # profiles of 5, 30 and 200 likes
    python scripts/benchmark_profiles.py --json out.json
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from movierec import pipeline
from movierec.recommender import Recommender


def timed(call) -> float:
    start = time.perf_counter()
    call()
    return 1000 * (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5,30,200", help="likes per profile")
    parser.add_argument("--profiles", type=int, default=100, help="profiles per size")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    rec = Recommender.open(tuned=False)
    ids = rec.movies.ids
    rng = np.random.default_rng(args.seed)
    rec.recommend(ids[:5].tolist(), k=10)  # warm up
    results = {"films": len(ids)}
    exact = pipeline.EXACT_PROFILE_FILMS
    for size in [int(s) for s in args.sizes.split(",")]:
        times: dict[str, list[float]] = {"mean": [], "every": [], "pool": []}
        for _ in range(args.profiles):
            liked = rng.choice(ids, size, replace=False).tolist()
            for name in times:  # interleaved: machine noise hits all alike
                power = 1.0 if name == "mean" else None
                pipeline.EXACT_PROFILE_FILMS = 0 if name == "pool" else exact
                times[name].append(
                    timed(lambda p=power, a=liked: rec.recommend(a, k=10, profile_power=p))
                )
        pipeline.EXACT_PROFILE_FILMS = exact
        p50 = {name: float(np.median(t)) for name, t in times.items()}
        results[f"{size} likes"] = {
            "mean vector p50 ms": round(p50["mean"], 2),
            "power mean p50 ms": round(p50["every"], 2),
            "power mean / mean vector": round(p50["every"] / p50["mean"], 2),
            "power mean, pool p50 ms": round(p50["pool"], 2),
            "every film / pool": round(p50["every"] / p50["pool"], 2),
        }
        print(json.dumps({f"{size} likes": results[f"{size} likes"]}), flush=True)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(results, handle, indent=2)


if __name__ == "__main__":
    main()
