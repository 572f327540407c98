"""Score the free-text constraint parser on movierec/data/constraint_queries.json.

python scripts/evaluate_constraints.py [--catalog PATH] [--misses]
"""

from __future__ import annotations

import argparse

from movierec.catalog import DEFAULT_CATALOG, load_catalog
from movierec.evaluation.constraints import load_queries, score
from movierec.understand import understand
from movierec.vocabulary import Vocabulary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", default=DEFAULT_CATALOG, help="catalog whose names to use")
    parser.add_argument("--misses", action="store_true", help="list the queries that missed")
    args = parser.parse_args()
    vocabulary = Vocabulary.from_catalog(load_catalog(args.catalog))
    queries = load_queries()
    for name in ("main", "holdout", "all"):
        chosen = [q for q in queries if name in ("all", q.get("set", "main"))]
        result = score(lambda text: understand(text, vocabulary), chosen)
        print(
            f"{name:>7}: {result.queries} queries, {result.expected} expected constraints, "
            f"{result.found} found: precision {result.precision:.3f}, recall {result.recall:.3f}"
        )
        for miss in result.misses if args.misses and name != "all" else []:
            print(f"  {miss['text']!r}: missing {miss['missing']}, extra {miss['extra']}")


if __name__ == "__main__":
    main()
