"""Train the shipped adapter on all shared MovieLens likes + all tags_dev tags (deterministic).

Writes movierec/data/adapter/{adapter.npz, manifest.json, MODEL_CARD.md}.

    MOVIEREC_HOME=/tmp/taste-home python scripts/train_default_adapter.py \
        --ratings ../shared/data/raw/ml-latest-small/ratings.csv \
        --links ../shared/data/raw/ml-latest-small/links.csv \
        --tags ../shared/data/raw/ml-latest-small/tags_dev.csv \
        --metrics a.json,b.json

`--card-only` (same arguments) keeps the adapter and only puts new metrics into its manifest
and MODEL_CARD.md (the metrics of a re-run evaluation, without changing the shipped weights).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
from pathlib import Path

import numpy as np
import torch
from evaluate_tuning import TextCache, profile_folds, profile_seen

from movierec.evaluation.tags import catalog_text_pairs
from movierec.files import MANIFEST, atomic_write
from movierec.movielens import load_movielens
from movierec.recommender import Recommender
from movierec.tuning import TrainConfig
from movierec.tuning.adapter import Adapter
from movierec.tuning.pairs import DEFAULT_PAIRS_PER_USER, read_tags
from movierec.tuning.shipped import SHIPPED
from movierec.tuning.tune import fit_likes, prepare
from movierec.tuning.views import PACKAGED, save_views, views_for, views_key

REPO = Path(__file__).resolve().parent.parent

CARD = """# Shipped adapter (movierec/data/adapter)

{kind} residual maps (document map, {query}, similar map) on frozen `{model}` vectors
({dimension}-d), trained with in-batch-negative contrastive loss (scale {scale}) by
`scripts/train_default_adapter.py`. {views}

- Data: {users} MovieLens users' likes (rating >= 4, {likes} likes, {colikes} sampled co-like
  pairs, at most {per_user} per user) from `ml-latest-small/ratings.csv`, {tag_pairs} (tag, film)
  pairs from `tags_dev.csv` and the default catalog's own keywords/genres ({texts} texts in all);
  movieId -> TMDB id through `links.csv`; {liked} catalog films had likes (manifest.json
  `data.liked_films`: profiles give the others `unseen_boost`; `data.like_counts`, how many
  users liked each: the prior of tuned profiles).
- Similar map ("films like this"): the same recipe on {neighbours} neighbour pairs (each film
  liked by at least 10 users with its 20 nearest films by the Jaccard overlap of their likers).
- Seed {seed}; {steps} steps a map, batch {batch}, lr {lr}, text_share {text_share}, profile_share
  {profile_share}; {seconds}s on {device}; digest {digest}.
- Command (`make adapter` runs it): `{command}`; the metrics below come from
  `scripts/evaluate_tuning.py` (docs/tuning.md, "Evaluation without leaks") and go into this
  card with `--metrics a.json,b.json` (`--card-only` rewrites only the card and the manifest's
  metrics).
- Reproducing: a rerun reads the same likes and pairs and reaches the same loss, but sums in
  another order (e.g. texts encoded in other batches) can turn the maps by a common rotation,
  which leaves every score within ~0.006 (a rerun on 2026-11-28: query-film cosines within
  0.0057, film-film within 0.0029), so the digest can differ.
- Files: adapter.npz (float32 weights, no pickle) and manifest.json; tuned film vectors are
  the map of the base vectors and of the packaged catalog's views (movierec/data/
  catalog_views.npz, float16) (`movierec tune --shipped` installs it for an index).
- Held-out metrics of the same recipe, k = 10, mean of seeds {seeds} (scripts/evaluate_tuning.py;
  users, tags and films unseen by the adapter that was measured; this shipped one saw all data;
  profiles: {protocol}):

{metrics}
"""


def protocol(folds: int, seen: bool = False) -> str:
    """How the card's profile figures held out each test user's likes, and whether profiles
    held the films their user rated in between as seen."""
    held = (
        f"each test user's likes held out in {folds} parts in turn (--folds {folds})"
        if folds > 1
        else "one 80/20 draw of each test user's likes"
    )
    if seen:
        return held + "; films the user rated in between (2.5-3.5) held as seen, never recommended"
    return held + "; films rated in between not held (--no-seen, the protocol before 2026-11-30)"


def mean_metrics(paths: list[str]) -> tuple[list[int], dict[str, dict[str, float]]]:
    """The seeds of evaluate_tuning.py's result files, and each system's mean over them
    ("warm/tuned content" → {metric: mean}); systems some seed lacks are left out."""
    runs: dict[str, list[dict[str, float]]] = {}
    seeds: set[int] = set()
    for path in paths:
        for key, scores in json.loads(Path(path).read_text()).items():
            seed, _, system = key.removeprefix("seed ").partition(" ")
            if seed.isdigit() and system:
                seeds.add(int(seed))
                runs.setdefault(system, []).append(scores)
    means = {
        system: {m: round(float(np.mean([r[m] for r in rows])), 4) for m in rows[0]}
        for system, rows in runs.items()
        if len(rows) == len(seeds) and all(r.keys() == rows[0].keys() for r in rows)
    }
    return sorted(seeds), means


def shipped_inputs(ratings: str, links: str, tags_path: str, seed: int = 0):
    """The shipped adapter's training data: the base engine, its catalog ids, tags_dev's
    (tag, film) pairs, and what `prepare` makes of every MovieLens like, those tags and the
    catalog's own texts (likes per user, co-like pairs, text pairs)."""
    base = Recommender.open(show_progress=True, tuned=False)
    data = load_movielens(ratings, links, base.movies.ids)
    tags = read_tags(tags_path, links)
    ids = base.bundle.catalog["id"].to_numpy()
    pairs = [*tags, *catalog_text_pairs(base.bundle.catalog)]
    return (base, ids, tags, *prepare(ids, data.likes, pairs, seed))


def views_line(adapter: Adapter) -> str:
    """What the document map reads beside each film's vector, in words."""
    if not adapter.views:
        return "The document map reads each film's vector alone."
    names = "; ".join(" and ".join(view) for view in adapter.views)
    dropout = adapter.info["train"].get("views_dropout", 0.0)
    return (
        f"The document map also reads {len(adapter.views)} views of each film ({names}), "
        f"dropped for {dropout:.0%} of the films of each batch in training; films the adapter "
        "saw no like of are served without them."
    )


def write_card(
    out: Path,
    adapter: Adapter,
    command: str,
    seeds: list[int],
    metrics: dict,
    folds: int = 1,
    seen: bool = False,
) -> None:
    """MODEL_CARD.md of the adapter saved in `out`, from its manifest and the held-out metrics."""
    data, train = adapter.info["data"], adapter.info["train"]
    table = "\n".join(f"  - {k}: {v}" for k, v in metrics.items())
    (out / "MODEL_CARD.md").write_text(
        CARD.format(
            kind=adapter.kind.capitalize(),
            views=views_line(adapter),
            query="separate query map" if adapter.separate_query else "shared by queries",
            model=adapter.base_model,
            dimension=adapter.dimension,
            scale=train["scale"],
            per_user=DEFAULT_PAIRS_PER_USER,
            colikes=data["colike_pairs"],
            liked=len(data["liked_films"]),
            neighbours=adapter.info.get("similar", {}).get("neighbour_pairs", 0),
            **{k: data[k] for k in ("users", "likes", "tag_pairs", "texts")},
            seed=train["seed"],
            steps=train["steps_done"],
            batch=train["batch_size"],
            lr=train["lr"],
            text_share=train["text_share"],
            profile_share=train["profile_share"],
            digest=adapter.digest()[:16],
            seconds=adapter.info["seconds"],
            device=train["device"],
            command=command,
            seeds=", ".join(map(str, seeds)) or "(none)",
            metrics=table or "  (not given)",
            protocol=protocol(folds, seen),
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("--ratings", "--links", "--tags"):
        parser.add_argument(name, required=True)
    parser.add_argument(
        "--metrics", default="", help="results JSONs of evaluate_tuning.py, comma-separated"
    )
    parser.add_argument("--out", default=str(SHIPPED))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--text-cache", default="", help=".npz memo of encoded texts")
    parser.add_argument(
        "--card-only",
        action="store_true",
        help="keep the adapter in --out; only put --metrics into its manifest and model card",
    )
    args = parser.parse_args()
    out = Path(args.out)
    paths = [p for p in args.metrics.split(",") if p]
    seeds, metrics = mean_metrics(paths)
    folds, seen = profile_folds(paths), profile_seen(paths)
    relative = {k: os.path.relpath(getattr(args, k), REPO) for k in ("ratings", "links", "tags")}
    command = "python scripts/train_default_adapter.py " + " ".join(
        f"--{k} {v}" for k, v in relative.items()
    )
    if args.seed:
        command += f" --seed {args.seed}"
    if args.card_only:
        if not metrics:
            parser.error("--card-only needs --metrics (results JSONs of evaluate_tuning.py)")
        adapter = Adapter.load(out)
        adapter.info["metrics"] = {
            "seeds": seeds,
            "profile_folds": folds,
            "profile_seen": seen,
            **metrics,
        }
        manifest = json.loads((out / MANIFEST).read_text()) | {"metrics": adapter.info["metrics"]}
        atomic_write(out / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        write_card(out, adapter, command, seeds, metrics, folds, seen)
        print(f"{out / 'MODEL_CARD.md'}: metrics of seeds {seeds}")
        return
    logging.basicConfig(level=logging.INFO)
    torch.set_num_threads(1)  # one thread: the same sums in the same order on every run
    config = TrainConfig(seed=args.seed, show_progress=True)
    base, ids, tags, likes, colikes, texts = shipped_inputs(
        args.ratings, args.links, args.tags, config.seed
    )
    documents = np.asarray(base.bundle.embeddings, dtype=np.float32)
    encoder = TextCache(base.encoder, args.text_cache)
    views = views_for(base.bundle, base.encoder, config)
    adapter = fit_likes(documents, encoder, ids, likes, colikes, texts, config, views)
    adapter.info["data"] |= {
        "users": len(likes),
        "likes": int(sum(map(len, likes.values()))),
        "colike_pairs": len(colikes),
        "tag_pairs": len(tags),
        "texts": len(texts.texts),
        "text_pairs": len(texts),
        "catalog": base.bundle.manifest["catalog"]["fingerprint"],
    }
    adapter.info["metrics"] = (
        {"seeds": seeds, "profile_folds": folds, "profile_seen": seen, **metrics} if metrics else {}
    )
    shutil.rmtree(out, ignore_errors=True)
    adapter.save(out)
    if views is not None:  # the packaged catalog's views: a fresh install encodes none
        target = PACKAGED if out.resolve() == SHIPPED.resolve() else out.parent / PACKAGED.name
        save_views(target, views_key(base.bundle, base.encoder.name), views.vectors)
    write_card(out, adapter, command, seeds, metrics, folds, seen)
    for path in sorted(out.iterdir()):
        print(f"{path}: {path.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
