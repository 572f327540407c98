"""The first-visit grid simulated on MovieLens users: the picker against popular grids.

    python scripts/evaluate_onboarding.py \\
        --ratings ../shared/data/raw/ml-latest-small/ratings.csv \\
        --links ../shared/data/raw/ml-latest-small/links.csv

Prints the table of docs/evaluation.md ("First visit"); see movierec.evaluation.onboarding.
"""

from __future__ import annotations

import argparse
import time

from movierec.evaluation.onboarding import onboarding_table
from movierec.movielens import load_movielens
from movierec.onboarding import GRID, PickerOptions
from movierec.recommender import Recommender


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ratings", required=True, help="MovieLens ratings.csv")
    parser.add_argument("--links", required=True, help="MovieLens links.csv")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--grid", type=int, default=GRID, help="films per grid")
    parser.add_argument("--pool", type=int, default=PickerOptions.pool, help="pool per film")
    parser.add_argument("--recognition", type=float, default=PickerOptions.recognition, help="0..1")
    args = parser.parse_args()
    start = time.perf_counter()
    # the base vectors: the packaged catalog's shipped adapter learnt from these very users
    recommender = Recommender.open(tuned=False)
    data = load_movielens(args.ratings, args.links, recommender.movies.ids)
    options = PickerOptions(pool=args.pool, recognition=args.recognition)
    print(onboarding_table(recommender, data, args.seeds, args.grid, options))
    print(f"({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
