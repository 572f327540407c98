"""`movierec import-ratings` and `movierec retrain`: the community signal from the command line.

`import-ratings` stores MovieLens ratings in the profile store as likes and dislikes of users
named `ml:<userId>`; `retrain` fits the community model (item-kNN or EASE) on every stored
profile, imported and app users alike, and saves it as a new version beside the index. Neither
loads the embedding model or the index.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from movierec import config
from movierec.store import open_store

STORE_HELP = (
    "profile database: a SQLite path or a postgresql:// URL (default: $MOVIEREC_STORE or home)"
)


def add_import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("ratings", help="MovieLens ratings.csv (userId,movieId,rating,...)")
    parser.add_argument("--links", required=True, help="MovieLens links.csv (movieId,tmdbId,...)")
    parser.add_argument(
        "--min-rating", type=float, default=4.0, help="ratings from here up are likes (4.0)"
    )
    parser.add_argument(
        "--dislike-below", type=float, default=2.5, help="ratings below this are dislikes (2.5)"
    )
    parser.add_argument("--prefix", default="ml:", help="user name prefix (default 'ml:')")
    parser.add_argument("--store", help=STORE_HELP)


def add_retrain_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--kind",
        default="both",
        choices=["both", "item_knn", "ease"],
        help="both (default): EASE scores profiles, item-kNN finds films like a film; EASE is "
        "skipped above 20,000 films",
    )
    # unset tuning options fall back to the defaults of movierec.community's fit functions
    parser.add_argument("--neighbours", type=int, help="item_knn: films kept per film (100)")
    parser.add_argument("--shrink", type=float, help="item_knn: cosine shrinkage (10)")
    parser.add_argument("--l2", type=float, help="ease: L2 regularisation (fit_ease's default)")
    parser.add_argument(
        "--min-likes", type=int, default=1, help="leave out users with fewer liked films (1)"
    )
    parser.add_argument("--store", help=STORE_HELP)


def run_community(args: argparse.Namespace) -> int:
    """Run `import-ratings` or `retrain`."""
    return run_import(args) if args.command == "import-ratings" else run_retrain(args)


def _plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else words or word + 's'}"


def run_import(args: argparse.Namespace) -> int:
    from movierec.catalog import load_catalog
    from movierec.evaluation.data import load_movielens

    if args.dislike_below > args.min_rating:
        raise ValueError(
            f"--dislike-below {args.dislike_below} is above --min-rating {args.min_rating}; "
            "a rating cannot be both a like and a dislike"
        )
    where = config.resolve(catalog=args.catalog, store=args.store)
    catalog = load_catalog(where.catalog)
    store = open_store(where.store)
    try:
        data = load_movielens(
            args.ratings,
            args.links,
            catalog["id"].tolist(),
            like_at=args.min_rating,
            dislike_below=args.dislike_below,
        )
    except FileNotFoundError:
        raise
    except (OSError, TypeError, ValueError) as error:
        raise ValueError(
            f"cannot read the MovieLens files {args.ratings} and {args.links} ({error}); pass "
            "ratings.csv with userId,movieId,rating columns and links.csv with movieId,tmdbId"
        ) from None
    rows: list[tuple[str, int, str]] = []
    conflicts = 0
    users = sorted(set(data.likes) | set(data.dislikes) | set(data.neutral))
    for user in users:
        liked, disliked = data.likes.get(user, []), data.dislikes.get(user, [])
        both = set(liked) & set(disliked)  # two MovieLens films linked to one TMDB id
        conflicts += len(both)
        name = f"{args.prefix}{user}"
        rows += [(name, movie, "like") for movie in liked if movie not in both]
        rows += [(name, movie, "dislike") for movie in disliked if movie not in both]
        # Rated in between: out of the profile, so a re-import with other thresholds takes out
        # what an earlier one put in (and a first import writes nothing for them).
        rated = set(liked) | set(disliked)
        rows += [
            (name, movie, "remove") for movie in data.neutral.get(user, []) if movie not in rated
        ]
    written, unchanged = store.import_events(rows, source="movielens")
    unknown = data.unknown_movies
    line = (
        f"imported {_plural(written, 'event')} for {_plural(len(users), 'user')} "
        f"({unchanged:,} unchanged); {_plural(unknown, 'MovieLens movie')} "
        f"{'is' if unknown == 1 else 'are'} not in the catalog and "
        f"{'was' if unknown == 1 else 'were'} skipped"
    )
    if conflicts:
        line += f"; {_plural(conflicts, 'film')} rated both ways by one user skipped"
    print(line)
    return 0


def run_retrain(args: argparse.Namespace) -> int:
    from movierec.catalog import load_catalog
    from movierec.community import EASE_MAX_ITEMS

    if args.min_likes < 1:
        raise ValueError(f"--min-likes must be at least 1, got {args.min_likes}")
    where = config.resolve(catalog=args.catalog, index_dir=args.index_dir, store=args.store)
    ids = [int(i) for i in load_catalog(where.catalog)["id"]]
    store = open_store(where.store)
    known = set(ids)
    likes: dict[str, list[int]] = {}
    for user, profile in store.all_profiles().items():
        liked = [movie for movie in profile.liked if movie in known]
        if liked:
            likes[user] = liked
    if not likes:
        raise ValueError(
            f"no liked films of this catalog in {store.path} to train on; import ratings first "
            "(`movierec import-ratings ratings.csv --links links.csv`) or like films in the app "
            "or with `movierec profile USER --like TITLE`"
        )
    likes = {user: liked for user, liked in likes.items() if len(liked) >= args.min_likes}
    if not likes:
        raise ValueError(
            f"no user in {store.path} has {args.min_likes} or more liked films of this catalog; "
            "lower --min-likes"
        )
    root = where.community_dir
    kinds = [args.kind] if args.kind != "both" else ["item_knn", "ease"]
    if args.kind == "both" and len(ids) > EASE_MAX_ITEMS:
        kinds = ["item_knn"]
        print(
            f"skipping ease: {len(ids):,} films is above its limit of {EASE_MAX_ITEMS:,} "
            "(a dense films × films matrix); item_knn serves profiles too"
        )
    for kind in kinds:
        _retrain_one(kind, likes, ids, root, args)
    return 0


def _retrain_one(
    kind: str, likes: dict[str, list[int]], ids: list[int], root: Path, args: argparse.Namespace
) -> None:
    """Fit one kind and save it as a new version under `root/kind`."""
    from movierec.community import fit, save_version

    names = ("neighbours", "shrink") if kind == "item_knn" else ("l2",)
    params = {name: getattr(args, name) for name in names if getattr(args, name) is not None}
    start = time.perf_counter()
    model = fit(kind, likes, ids, **params)
    try:
        folder = save_version(model, root / kind)
    except OSError as error:
        raise ValueError(
            f"cannot save the community model under {root / kind} ({error}); "
            "the previous version stays current"
        ) from None
    seconds = time.perf_counter() - start
    print(
        f"trained {model.kind} on {_plural(model.n_users, 'user')}, "
        f"{_plural(model.n_likes, 'like')}, {_plural(model.n_items, 'film')} in {seconds:.1f}s "
        f"-> {root / kind} (version {folder.name})"
    )
