"""`movierec import-ratings` and `movierec retrain`: the community signal from the command line.

`import-ratings` stores MovieLens ratings in the profile store as likes, dislikes and seen films
(rated in between) of users named `ml:<userId>` (in one transaction, as arrays: 20M ratings fit);
`retrain` streams the event log into a sparse like matrix (likes only) and fits the community
models (item-kNN and EASE, or above EASE's limit item-kNN and low-rank) on every stored profile,
imported and app users alike, and saves each as a new version beside the index of the resolved
catalog. Neither loads the embedding model or the index.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from movierec.cli.common import add_locations, locations, plural
from movierec.errors import UsageError
from movierec.settings import check_number

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from movierec.config import Config
    from movierec.movielens import RatingActions

LOG = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    ratings = sub.add_parser(
        "import-ratings", help="store MovieLens ratings as community likes, dislikes and seen films"
    )
    add_locations(ratings, store=True)
    _import_arguments(ratings)
    ratings.set_defaults(run=run_import)
    retrain = sub.add_parser("retrain", help="fit the community model on every stored profile")
    add_locations(retrain, store=True)
    _retrain_arguments(retrain)
    retrain.set_defaults(run=run_retrain)


def _import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("ratings", help="MovieLens ratings.csv (userId,movieId,rating,...)")
    parser.add_argument("--links", required=True, help="MovieLens links.csv (movieId,tmdbId,...)")
    parser.add_argument(
        "--min-rating", type=float, default=4.0, help="ratings from here up are likes (4.0)"
    )
    parser.add_argument(
        "--dislike-below", type=float, default=2.5, help="ratings below this are dislikes (2.5)"
    )
    parser.add_argument("--prefix", default="ml:", help="user name prefix (default 'ml:')")


def _retrain_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--kind",
        default="both",
        choices=["both", "item_knn", "ease", "low_rank"],
        help="both (default): EASE scores profiles, item-kNN finds films like a film; above "
        "20,000 films a low-rank model replaces EASE",
    )
    # unset tuning options fall back to the defaults of movierec.community's fit functions
    parser.add_argument("--neighbours", type=int, help="item_knn: films kept per film (100)")
    parser.add_argument("--shrink", type=float, help="item_knn: cosine shrinkage (10)")
    parser.add_argument("--l2", type=float, help="ease: L2 regularisation (fit_ease's default)")
    parser.add_argument(
        "--content-weight",
        type=float,
        help="ease: weight of the films' text similarity from the built index (500; 0: likes only)",
    )
    parser.add_argument(
        "--feature-weight",
        type=float,
        help="ease: weight of the films' shared genres, keywords, director and cast (10; 0: off)",
    )
    parser.add_argument("--rank", type=int, help="low_rank: factors per film (64)")
    parser.add_argument(
        "--min-likes", type=int, default=1, help="leave out users with fewer liked films (1)"
    )


def _catalog_ids(catalog: Path) -> list[int]:
    from movierec.catalog import load_catalog

    return [int(i) for i in load_catalog(catalog)["id"]]


def _content_vectors(where: Config, catalog: pd.DataFrame) -> np.ndarray | None:
    """The base film vectors of the built index of `catalog`, in its order, for EASE; None
    (with a note) when the index is missing or out of date."""
    import numpy as np

    from movierec.catalog import catalog_fingerprint
    from movierec.index.storage import IndexMismatchError, load_index

    fingerprint = catalog_fingerprint(catalog)
    try:
        bundle = load_index(where.index_dir, expect_fingerprint=fingerprint)
    except (FileNotFoundError, IndexMismatchError) as error:
        print(
            f"ease learns from likes only: no up-to-date index to read the films' text from "
            f"({error}); run `movierec build` first, or pass --content-weight 0 to silence this"
        )
        return None
    row_of = {int(i): r for r, i in enumerate(bundle.catalog["id"])}
    rows = [row_of[int(i)] for i in catalog["id"]]
    return np.asarray(bundle.embeddings, dtype=np.float32)[rows]


def run_import(args: argparse.Namespace) -> int:
    """Store the ratings of the MovieLens files as likes, dislikes and seen films, in one
    transaction (`ProfileStore.import_arrays`: SQLite `executemany`, PostgreSQL `COPY`)."""
    import numpy as np

    from movierec.movielens import rating_actions
    from movierec.store import ACTIONS, COMMUNITY_SOURCE, PeopleProfilesError, open_store
    from movierec.store.base import people_text

    check_number("--min-rating", args.min_rating, float)
    check_number("--dislike-below", args.dislike_below, float)
    if args.dislike_below > args.min_rating:
        raise UsageError(
            f"--dislike-below {args.dislike_below} is above --min-rating {args.min_rating}; "
            "a rating cannot be both a like and a dislike"
        )
    where = locations(args)
    ids = _catalog_ids(where.catalog)
    try:  # before the store is opened: unreadable files must not leave a new, empty store
        data = rating_actions(
            args.ratings, args.links, ids, like_at=args.min_rating, dislike_below=args.dislike_below
        )
    except (FileNotFoundError, UsageError):  # already say what to pass
        raise
    except (OSError, TypeError, ValueError) as error:
        raise UsageError(
            f"cannot read the MovieLens files {args.ratings} and {args.links} ({error}); pass "
            "ratings.csv with userId,movieId,rating columns and links.csv with movieId,tmdbId"
        ) from None
    if len(data.actions) and not (data.actions == ACTIONS.index("like")).any():
        print(
            f"warning: no rating in {args.ratings} reaches --min-rating {args.min_rating:g}, so no "
            "likes are imported (MovieLens ratings run from 0.5 to 5); lower --min-rating to "
            "import likes",
            file=sys.stderr,
        )
    user_ids, users = np.unique(data.users, return_inverse=True)
    names = [f"{args.prefix}{user}" for user in user_ids.tolist()]
    store = open_store(where.store)
    try:
        written, unchanged = store.import_arrays(
            names, users, data.movies, data.actions, source=COMMUNITY_SOURCE
        )
    except PeopleProfilesError as error:
        raise UsageError(
            f"--prefix {args.prefix!r} would import ratings into {people_text(error.users)}, "
            "not into community profiles; an import would make such a profile read-only; pass "
            "another --prefix; nothing was imported"
        ) from None
    print(_import_line(written, unchanged, data))
    return 0


def _import_line(written: int, unchanged: int, data: RatingActions) -> str:
    """The import's summary: events written and unchanged, the likes, dislikes and seen films
    the ratings give, and what was skipped."""
    from movierec.store import ACTIONS

    codes = [ACTIONS.index(action) for action in ("like", "dislike", "seen")]
    likes, dislikes, seen = (int((data.actions == code).sum()) for code in codes)
    unknown, conflicts = data.unknown_movies, data.conflicts
    line = (
        f"imported {plural(written, 'event')} for {plural(data.n_users, 'user')} "
        f"({unchanged:,} unchanged): {plural(likes, 'like')}, {plural(dislikes, 'dislike')} and "
        f"{plural(seen, 'seen film')} (rated in between); {plural(unknown, 'MovieLens movie')} "
        f"{'is' if unknown == 1 else 'are'} not in the catalog and "
        f"{'was' if unknown == 1 else 'were'} skipped"
    )
    if conflicts:
        line += f"; {plural(conflicts, 'film')} rated both ways by one user skipped"
    return line


def run_retrain(args: argparse.Namespace) -> int:
    """Fit the community model(s) on the stored likes of the resolved catalog's films."""
    from movierec import community
    from movierec.catalog import load_catalog
    from movierec.community_data import like_matrix
    from movierec.store import open_store

    if args.min_likes < 1:
        raise UsageError(f"--min-likes must be at least 1, got {args.min_likes}")
    _check_tuning(args)
    where = locations(args)
    catalog = load_catalog(where.catalog)
    ids = [int(i) for i in catalog["id"]]
    store = open_store(where.store, create=False)  # only read: a missing store is not created
    start = time.perf_counter()
    likes = like_matrix(store, ids, args.min_likes)
    LOG.info(
        "read %s likes of %s users from the log in %.1fs",
        f"{likes.nnz:,}",
        f"{likes.shape[0]:,}",
        time.perf_counter() - start,
    )
    kinds = [args.kind] if args.kind != "both" else ["item_knn", "ease"]
    if args.kind == "both" and len(ids) > community.EASE_MAX_ITEMS:
        kinds = ["item_knn", "low_rank"]
        print(
            f"skipping ease: {len(ids):,} films is above its limit of "
            f"{community.EASE_MAX_ITEMS:,} (a dense films × films matrix); low_rank scores "
            "profiles instead"
        )
    extra: dict[str, dict] = {"ease": {}}
    # what EASE reads beside the likes, read only for a catalog EASE can take (fit_ease says
    # what to do above its limit)
    ease = "ease" in kinds and len(ids) <= community.EASE_MAX_ITEMS
    if ease and (args.content_weight is None or args.content_weight > 0):
        content = _content_vectors(where, catalog)
        if content is not None:
            extra["ease"]["content"] = content
    if ease and (args.feature_weight is None or args.feature_weight > 0):
        from movierec.film_features import metadata_features

        extra["ease"]["features"] = metadata_features(catalog)
    for kind in kinds:
        _retrain_one(kind, likes, ids, where.community_dir, args, extra.get(kind, {}))
    if "low_rank" in kinds and args.kind == "both":
        _retire(where.community_dir / "ease")
    return 0


def _check_tuning(args: argparse.Namespace) -> None:
    """UsageError for a tuning option out of its range or not finite (NaN, inf), before
    anything is read or fitted."""
    ranges = {"shrink": ">= 0", "l2": "> 0", "content_weight": ">= 0", "feature_weight": ">= 0"}
    for option, limit in ranges.items():
        value = getattr(args, option)
        if value is None:
            continue
        flag = "--" + option.replace("_", "-")
        if not (value > 0 if limit == "> 0" else value >= 0):  # NaN is neither
            note = " (0: likes only)" if option.endswith("_weight") else ""
            raise UsageError(f"{flag} must be {limit}{note}, got {value}")
        check_number(flag, value, float)  # inf


def _retire(root: Path) -> None:
    """Stop serving the model under `root` (its CURRENT goes, its versions stay): an EASE model
    from before the catalog outgrew EASE would otherwise keep scoring profiles."""
    from movierec.versions import CURRENT

    current = root / CURRENT
    if current.exists():
        current.unlink()
        print(f"retired the older ease model under {root} (its versions are kept)")


PARAMS = {
    "item_knn": ("neighbours", "shrink"),
    "ease": ("l2", "content_weight", "feature_weight"),
    "low_rank": ("rank",),
}


def _retrain_one(
    kind: str,
    likes: object,
    ids: list[int],
    root: Path,
    args: argparse.Namespace,
    extra: dict | None = None,
) -> None:
    """Fit one kind (with `extra` fit arguments) and save it as a new version under
    `root/kind`."""
    from movierec.community import fit, save_version

    names = PARAMS[kind]
    params = {name: getattr(args, name) for name in names if getattr(args, name) is not None}
    params |= extra or {}
    start = time.perf_counter()
    model = fit(kind, likes, ids, **params)  # type: ignore[arg-type]
    try:
        folder = save_version(model, root / kind)
    except OSError as error:
        raise UsageError(
            f"cannot save the community model under {root / kind} ({error}); "
            "the previous version stays current"
        ) from None
    seconds = time.perf_counter() - start
    text = model.params.get("content_weight")
    metadata = model.params.get("feature_weight")
    reads = [f"their text (weight {text:g})"] if text else []
    reads += [f"their metadata (weight {metadata:g})"] if metadata else []
    print(
        f"trained {model.kind} on {plural(model.n_users, 'user')}, "
        f"{plural(model.n_likes, 'like')}, {plural(model.n_items, 'film')}"
        f"{' and ' + ' and '.join(reads) if reads else ''} in {seconds:.1f}s "
        f"-> {root / kind} (version {folder.name})"
    )
