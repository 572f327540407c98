"""`movierec eval`: the offline evaluation on MovieLens ratings, from the command line."""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from movierec.checks import check_k
from movierec.cli.common import add_locations, locations, open_recommender
from movierec.errors import UsageError, os_reason
from movierec.settings import Settings

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from movierec.community import CommunityModel
    from movierec.evaluation.systems import System
    from movierec.movielens import Interactions
    from movierec.recommender import Recommender


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("eval", help="offline evaluation on MovieLens ratings")
    add_locations(parser)
    parser.add_argument("--ratings", required=True, help="MovieLens ratings.csv")
    parser.add_argument("--links", required=True, help="MovieLens links.csv (movieId → tmdbId)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the 80/20 split")
    parser.add_argument(
        "--folds",
        type=int,
        default=1,
        metavar="N",
        help="profiles: hold out each of N parts of a user's likes in turn and average the "
        "user's figures over them (every like is looked for once; 5 holds out 20 %% each "
        "time, like the default single 80/20 draw, with less noise)",
    )
    parser.add_argument(
        "--no-seen",
        action="store_true",
        help="profiles without the films their user rated in between (the protocol before "
        "2026-11-30): then a system may recommend films the user has seen, and they count as "
        "misses; by default a profile holds them as seen, as import-ratings stores them",
    )
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--out", default="movierec-eval", help="folder for results.json, chart.png")
    parser.add_argument(
        "--moods", help="mood benchmark JSON (default: the packaged one; '' to skip)"
    )
    parser.add_argument(
        "--community-split",
        type=float,
        metavar="SHARE",
        help="train the community models (item-kNN, EASE) on 1-SHARE of the users and evaluate "
        "on the other SHARE, next to the content-only engine, e.g. 0.5",
    )
    parser.add_argument(
        "--tags",
        metavar="CSV",
        help="people's tags as mood queries (MovieLens tags.csv, read with --links, or a CSV "
        "text,movie_id): a seeded half of the tags are queries, the films tagged with one are "
        "its matches; names of cast/directors, bookkeeping tags and tags on < 2 films dropped",
    )
    parser.add_argument(
        "--tune",
        action="store_true",
        help="with --community-split: also tune an adapter on the training users' likes and the "
        "other half of --tags (never the evaluated ones) and compare it with the base vectors",
    )
    parser.add_argument(
        "--cold-share",
        type=float,
        metavar="SHARE",
        help="with --community-split: withhold the likes of this share of the films from the "
        "community models and tuning, and measure similar films and profiles on those films only",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a ranking setting of the engine, e.g. --set prior_weight=0.5",
    )
    parser.add_argument(
        "--grid",
        action="append",
        default=[],
        metavar="NAME=V1,V2",
        help="also evaluate the engine with each value, e.g. --grid dislike_weight=0,0.5,1",
    )
    parser.set_defaults(run=run_eval)


def _value(text: str) -> Any:
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            continue
    return text


def _pair(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise UsageError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value.strip()


def systems_for(
    recommender: Recommender, args: argparse.Namespace, community: Sequence[CommunityModel] = ()
) -> list[System]:
    """Baselines, the engine as shipped (with --set), content-only, and the --grid variants;
    with community models, also each model alone and the engine blending them."""
    from movierec.evaluation.community import Community
    from movierec.evaluation.systems import Engine, baselines

    overrides = {name: _value(value) for name, value in map(_pair, args.set)}
    Settings().with_overrides(**overrides)  # unknown names fail here, before any work
    content = recommender.with_community(None)  # never a model trained on the test users
    engine = recommender.with_community(list(community)) if community else content
    systems: list[System] = [*baselines(recommender, args.seed)]
    if community:
        systems.append(Engine(content, "content only", overrides))
        systems.extend(Community(model, _model_name(model)) for model in community)
        systems.append(Engine(engine, "engine", overrides))
    else:
        systems.append(Engine(content, "engine", overrides))
        systems.append(Engine(content, "engine, no prior", {**overrides, "prior_weight": 0.0}))
    for name, values in map(_pair, args.grid):
        for value in values.split(","):
            variant = {**overrides, name: _value(value)}
            Settings().with_overrides(**variant)
            systems.append(Engine(engine, f"engine, {name}={value}", variant))
    return systems


def _model_name(model: CommunityModel) -> str:
    reads = [("content_weight", "text"), ("feature_weight", "metadata")]
    return " + ".join([model.kind] + [name for key, name in reads if model.params.get(key)])


def community_models(
    train: Interactions,
    ids: Sequence[int],
    content: np.ndarray | None = None,
    catalog: pd.DataFrame | None = None,
) -> list[CommunityModel]:
    """The models `movierec retrain` fits (EASE reading the films' base vectors `content` and
    the metadata of `catalog`, both in `ids` order, when given), on the training users only."""
    from movierec.community import EASE_MAX_ITEMS, fit_ease, fit_item_knn
    from movierec.film_features import metadata_features

    models = [fit_item_knn(train.likes, ids)]
    if len(ids) <= EASE_MAX_ITEMS:  # features only for the catalogs EASE can take
        features = None if catalog is None else metadata_features(catalog)
        models.append(fit_ease(train.likes, ids, content=content, features=features))
    return models


def check_protocol(args: argparse.Namespace) -> None:
    """UsageError for option values and combinations the protocols cannot honour."""
    check_k(args.k)
    if not 1 <= args.folds <= 10:
        raise UsageError(
            f"--folds must be between 1 and 10, got {args.folds}: profiles are users with at "
            "least 10 likes, and each fold needs one (5 is the usual choice)"
        )
    if args.community_split is not None and not 0.0 < args.community_split < 1.0:
        raise UsageError(f"--community-split must be between 0 and 1, got {args.community_split}")
    if args.cold_share is not None and not 0.0 < args.cold_share < 1.0:
        raise UsageError(f"--cold-share must be between 0 and 1, got {args.cold_share}")
    for flag, given in (("--tune", args.tune), ("--cold-share", args.cold_share is not None)):
        if given and args.community_split is None:
            raise UsageError(
                f"{flag} needs --community-split (e.g. 0.5): the evaluated users' likes must "
                "stay out of what is trained"
            )


def check_out(out: Path) -> None:
    """UsageError unless `out` is a folder, or can be made one, that this user can write in:
    checked before the evaluation runs, not after."""
    what = "give --out a folder you can write in, for results.json and chart.png (made if missing)"
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file, not a folder; {what}")
    existing = next(p for p in (out.absolute(), *out.absolute().parents) if p.exists())
    if not existing.is_dir():
        raise UsageError(f"--out {out}: {existing} is a file, not a folder; {what}")
    try:  # a real write (a nameless file, gone when closed): os.access cannot tell for root
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as error:
        reason = os_reason(error)
        raise UsageError(f"--out {out}: cannot write in {existing} ({reason}); {what}") from None


def tuned_systems(
    recommender: Recommender,
    train_likes: dict[int, list[int]],
    tags: Any,
    models: Sequence[CommunityModel],
    args: argparse.Namespace,
) -> list[System]:
    """'tuned content' (and 'tuned engine' with the community models): an adapter trained on
    the training users' likes, the training half of the tags and the catalog's keywords."""
    import numpy as np

    from movierec.evaluation.systems import Engine
    from movierec.evaluation.tags import catalog_text_pairs
    from movierec.tuning import TrainConfig, adapt
    from movierec.tuning.tune import fit_likes, prepare
    from movierec.tuning.views import views_for

    content = recommender.with_community(None)
    movie_ids = content.bundle.catalog["id"].to_numpy()
    texts = [*(tags.train_pairs if tags else []), *catalog_text_pairs(content.bundle.catalog)]
    likes, colikes, pairs = prepare(movie_ids, train_likes, texts, args.seed)
    documents = np.asarray(content.bundle.embeddings, dtype=np.float32)
    config = TrainConfig(seed=args.seed, show_progress=not args.quiet)
    views = views_for(content.bundle, content.encoder, config)
    adapter = fit_likes(documents, content.encoder, movie_ids, likes, colikes, pairs, config, views)
    tuned = adapt(content, adapter)
    overrides = {name: _value(value) for name, value in map(_pair, args.set)}
    systems: list[System] = [Engine(tuned, "tuned content", overrides)]
    if models:
        systems.append(Engine(tuned.with_community(list(models)), "tuned engine", overrides))
    return systems


def run_eval(args: argparse.Namespace) -> int:
    from movierec.evaluation.community import split_users
    from movierec.evaluation.mood import MOOD_BENCHMARK, load_mood_benchmark
    from movierec.evaluation.report import bar_chart, table, write_json
    from movierec.evaluation.run import evaluate
    from movierec.evaluation.tags import split_tags
    from movierec.evaluation.tuning import cold_films, without
    from movierec.movielens import Interactions, load_movielens
    from movierec.tuning.pairs import read_tags
    from movierec.tuning.shipped import is_shipped

    check_protocol(args)
    out = Path(args.out)
    check_out(out)
    # with --tune the base vectors: an installed adapter may have seen the evaluated users
    base = recommender = open_recommender(args, tuned=False)
    if not args.tune:
        served = base.serving(locations(args).index_dir).current()
        if is_shipped(served.bundle.manifest):
            print(
                "note: the shipped adapter learnt from MovieLens ml-latest-small and its tags, so "
                "it is not measured here; the base vectors are (--tune measures a tuned engine "
                "without leaks)",
                file=sys.stderr,
            )
        else:
            recommender = served
    path = MOOD_BENCHMARK if args.moods is None else args.moods
    moods = load_mood_benchmark(path, set(recommender.movies.row_of)) if path else []
    data = load_movielens(args.ratings, args.links, recommender.movies.ids)
    catalog = recommender.bundle.catalog
    tags = split_tags(read_tags(args.tags, args.links), catalog, args.seed) if args.tags else None
    cold = cold_films(data, args.cold_share, args.seed) if args.cold_share else None
    models: list[CommunityModel] = []
    train_likes: dict[int, list[int]] = {}
    if args.community_split is not None:
        train, data = split_users(data, test_share=args.community_split, seed=args.seed)
        train_likes = without(train.likes, cold or set())
        import numpy as np

        # EASE reads the base vectors, as retrain does
        content = np.asarray(base.bundle.embeddings, dtype=np.float32)
        models = community_models(
            Interactions(likes=train_likes), recommender.movies.ids, content, base.bundle.catalog
        )
    systems = systems_for(recommender, args, models)
    if any(model.params.get(k) for model in models for k in ("content_weight", "feature_weight")):
        from movierec.community import fit_ease
        from movierec.evaluation.community import Community

        plain = fit_ease(train_likes, recommender.movies.ids)  # the reference: likes only
        systems.append(Community(plain, "ease"))
    if args.tune:
        systems.extend(tuned_systems(recommender, train_likes, tags, models, args))
    result = evaluate(
        systems,
        data,
        seed=args.seed,
        k=args.k,
        show_progress=not args.quiet,
        moods=moods,
        tags=tags.test if tags else (),
        cold=cold,
        folds=args.folds,
        seen=not args.no_seen,
    )
    result.settings = {
        **recommender.settings.__dict__,
        "unknown_movies": data.unknown_movies,
        "profiles_hold_seen": not args.no_seen,
    }
    print(table(result))  # first: the figures are shown even if they cannot be saved
    try:
        out.mkdir(parents=True, exist_ok=True)
        write_json(result, out / "results.json")
        bar_chart(result, out / "chart.png")
    except OSError as error:  # e.g. the disk filled up while the evaluation ran
        raise UsageError(
            f"cannot write the results to {out} ({os_reason(error)}); the table above holds "
            "the figures; free some space or give --out another folder and run again"
        ) from None
    print(f"\nwrote {out / 'results.json'} and {out / 'chart.png'}")
    return 0
