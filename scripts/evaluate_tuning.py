"""Base vs tuned vectors on unseen MovieLens users, tags and films (see docs in
movierec/evaluation/tuning.py). Prints a table; `--explore` compares adapter designs first.

    MOVIEREC_HOME=/tmp/taste-home python scripts/evaluate_tuning.py \
        --ratings ../shared/data/raw/ml-latest-small/ratings.csv \
        --links ../shared/data/raw/ml-latest-small/links.csv \
        --tags ../shared/data/raw/ml-latest-small/tags_dev.csv
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from movierec.community import fit_ease, fit_item_knn
from movierec.evaluation.community import Community
from movierec.evaluation.metrics import paired_ratio_interval
from movierec.evaluation.mood import load_mood_benchmark
from movierec.evaluation.systems import Engine
from movierec.evaluation.tags import catalog_text_pairs
from movierec.evaluation.tuning import METRICS as METRIC_PARTS
from movierec.evaluation.tuning import TuningSplit, make_split, measure, user_recall
from movierec.film_features import metadata_features
from movierec.movielens import load_movielens
from movierec.recommender import Recommender
from movierec.tuning import TrainConfig, adapt
from movierec.tuning.pairs import DEFAULT_PAIRS_PER_USER
from movierec.tuning.tune import fit_likes, prepare
from movierec.tuning.views import views_for

LOG = logging.getLogger("evaluate_tuning")


class TextCache:
    """The base encoder with a memo of encoded texts (tags and keywords recur across runs)."""

    def __init__(self, encoder, path: str = ""):
        self.encoder, self.name, self.memo, self.path = encoder, encoder.name, {}, path
        if path and os.path.exists(path):
            with np.load(path, allow_pickle=False) as npz:
                self.memo = dict(zip(npz["texts"].tolist(), npz["vectors"], strict=True))

    def encode(self, texts, show_progress=False):
        todo = [t for t in dict.fromkeys(texts) if t not in self.memo]
        if todo:
            self.memo.update(zip(todo, self.encoder.encode(todo, show_progress=True), strict=True))
            if self.path:
                np.savez(
                    self.path,
                    texts=np.array(list(self.memo)),
                    vectors=np.stack(list(self.memo.values())),
                )
        return np.stack([self.memo[t] for t in texts])


@dataclass
class Lab:
    """What the evaluation scripts share: the base engine (content only), the text memo, the
    MovieLens likes, the tags and the catalog's own text pairs."""

    base: Recommender
    texts: TextCache
    data: Any
    tags: list
    catalog_pairs: list


def lab_arguments(parser: argparse.ArgumentParser, seeds: str = "12,13,14") -> None:
    """--ratings, --links, --tags, --seeds and --text-cache."""
    for name in ("--ratings", "--links", "--tags"):
        parser.add_argument(name, required=True)
    parser.add_argument("--seeds", default=seeds)
    parser.add_argument("--text-cache", default="", help=".npz memo of encoded texts")


def open_lab(args: argparse.Namespace) -> Lab:
    """The shared setup, one torch thread (busy CPUs: faster than two fighting)."""
    import torch

    from movierec.tuning.pairs import read_tags

    torch.set_num_threads(1)
    base = Recommender.open(show_progress=True, tuned=False).with_community(None)
    data = load_movielens(args.ratings, args.links, base.movies.ids)
    return Lab(
        base,
        TextCache(base.encoder, args.text_cache),
        data,
        read_tags(args.tags, args.links),
        catalog_text_pairs(base.bundle.catalog),
    )


def print_means(lines: list[dict], seeds: str, what: str) -> None:
    """Mean of each key over the seeds' lines, with the value of each seed."""
    if not lines:
        return
    print(f"\n# {what}, mean of seeds {seeds}")
    for key in lines[0]:
        if key != "seed":
            values = [line[key] for line in lines]
            print(f"{key:<40} {np.mean(values):.4f}  ({' / '.join(f'{v:.3f}' for v in values)})")


def train(base: Recommender, texts: TextCache, split: TuningSplit, config, catalog_pairs):
    ids = base.bundle.catalog["id"].to_numpy()
    tags = [*split.tags.train_pairs, *(catalog_pairs if config_uses_catalog(config) else [])]
    likes, colikes, pairs = prepare(ids, split.train_likes, tags, config.seed, PER_USER["n"])
    documents = np.asarray(base.bundle.embeddings, dtype=np.float32)
    views = views_for(base.bundle, texts, config)
    return fit_likes(documents, texts, ids, likes, colikes, pairs, config, views)


PER_USER = {"n": DEFAULT_PAIRS_PER_USER}
CATALOG_TEXT = {"on": True}
MIN_LIKERS = {"n": 20}
FOLDS = {"n": 1}
SEEN = {"on": True}  # --no-seen: the profile protocol before 2026-11-30


def config_uses_catalog(config) -> bool:
    return CATALOG_TEXT["on"]


def row(name: str, scores: dict) -> str:
    return f"{name:<44}" + "".join(f"{scores.get(m, float('nan')):>10.4f}" for m in METRICS)


METRICS = ("similar_ndcg@10", "profile_recall@10", "mood_ndcg@10", "bench_ndcg@10")
RECALL = "profile_recall@10"
PER_PROFILE = "per profile"  # results key: {"seed S warm/system": [recall of each test user]}
FOLDS_KEY = "profile folds"  # results key: --folds of the run (1: one 80/20 draw a user)
SEEN_KEY = "profile seen"  # results key: whether profiles held their seen films (False: --no-seen)


def profile_folds(paths: list[str]) -> int:
    """The `--folds` of result files (1 for files that predate the key); files of different
    protocols (folds, or with and without --no-seen) are refused, since their means would mix
    two measures."""
    folds = {protocol[0] for protocol in _protocols(paths)}
    if len(folds) > 1:
        raise SystemExit(f"the results files mix profile protocols (--folds {sorted(folds)})")
    profile_seen(paths)
    return folds.pop() if folds else 1


def profile_seen(paths: list[str]) -> bool:
    """Whether the result files' profiles held their seen films (False for files that predate
    the key, or ran with --no-seen); files of both kinds are refused."""
    seen = {protocol[1] for protocol in _protocols(paths)}
    if len(seen) > 1:
        raise SystemExit("the results files mix profile protocols (with and without --no-seen)")
    return seen.pop() if seen else False


def _protocols(paths: list[str]) -> list[tuple[int, bool]]:
    """(folds, seen) of each result file."""
    found = []
    for path in paths:
        with open(path) as handle:
            loaded = json.load(handle)
        found.append((loaded.get(FOLDS_KEY, 1), loaded.get(SEEN_KEY, False)))
    return found


def bench(system, moods, k=10):
    from movierec.evaluation.metrics import ndcg_at_k

    values = [ndcg_at_k(system.search(m.text, k), dict.fromkeys(m.relevant, 1.0), k) for m in moods]
    return {"bench_ndcg@10": round(float(np.mean(values)), 4)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ratings", required=True)
    parser.add_argument("--links", required=True)
    parser.add_argument("--tags", required=True)
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--explore", action="store_true")
    parser.add_argument("--steps", type=int, default=TrainConfig().steps)
    parser.add_argument("--json", default="")
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="NAME=JSON",
        help="explore only these TrainConfig changes, e.g. 'sep={\"separate_query\": true}'",
    )
    parser.add_argument("--config", default="{}", help="JSON TrainConfig changes for the table")
    parser.add_argument("--min-likers", type=int, default=20)
    parser.add_argument("--summary", default="", help="only summarize this results JSON")
    parser.add_argument("--text-cache", default="", help=".npz memo of encoded texts")
    parser.add_argument("--chart", default="", help="write a bar chart of the means (.png)")
    parser.add_argument(
        "--blend-only",
        action="store_true",
        help="per seed, only profile recall of the blends over plain EASE (2 minutes a seed)",
    )
    parser.add_argument(
        "--folds",
        type=int,
        default=1,
        help="profiles: hold out each of N parts of a test user's likes in turn and average "
        "each user's recall over them (default: one 80/20 draw); 5 holds out 20 %% too",
    )
    parser.add_argument(
        "--no-seen",
        action="store_true",
        help="profiles without the films their user rated in between (the protocol before "
        "2026-11-30): a system may then recommend films the user has seen",
    )
    args = parser.parse_args()
    if args.summary:
        results: dict = {}
        profile_folds(args.summary.split(","))
        for path in args.summary.split(","):
            with open(path) as handle:
                loaded = json.load(handle)
            cases = loaded.pop(PER_PROFILE, {})
            loaded.pop(FOLDS_KEY, None)
            loaded.pop(SEEN_KEY, None)
            results |= loaded
            results.setdefault(PER_PROFILE, {}).update(cases)
        return summarize(results, args.chart)
    try:  # checked before the model loads: a bad --config fails at once, saying why
        config = TrainConfig(**{"steps": args.steps, **json.loads(args.config)})
    except (ValueError, TypeError) as error:  # bad JSON, an unknown field or a bad value
        parser.error(f"--config {args.config!r}: {error}")
    logging.basicConfig(level=logging.WARNING)
    lab = open_lab(args)
    base, texts, data, tag_pairs, catalog_pairs = (
        lab.base,
        lab.texts,
        lab.data,
        lab.tags,
        lab.catalog_pairs,
    )
    moods = load_mood_benchmark(catalog_ids=set(base.movies.row_of))
    MIN_LIKERS["n"] = args.min_likers
    FOLDS["n"] = args.folds
    SEEN["on"] = not args.no_seen
    results: dict = {}
    if args.blend_only:
        seeds = [int(s) for s in args.seeds.split(",") if s]
        return blends(base, texts, data, tag_pairs, catalog_pairs, config, seeds, args.folds)
    print(f"{'system':<44}" + "".join(f"{m.split('@')[0][:9]:>10}" for m in METRICS))
    if args.explore:
        explore(base, texts, data, tag_pairs, catalog_pairs, moods, config, results, args.variant)
    for seed in [int(s) for s in args.seeds.split(",") if s]:
        evaluate_seed(base, texts, data, tag_pairs, catalog_pairs, moods, config, seed, results)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({FOLDS_KEY: args.folds, SEEN_KEY: SEEN["on"], **results}, handle, indent=2)
    summarize(results, args.chart)


CHART = (
    ("warm", "similar_ndcg@10", "similar nDCG"),
    ("warm", "profile_recall@10", "profile recall"),
    ("warm", "mood_ndcg@10", "tags mood nDCG"),
    ("cold", "similar_ndcg@10", "similar nDCG,\ncold films"),
    ("cold", "profile_recall@10", "profile recall,\ncold films"),
)
CHART_SYSTEMS = (
    "base content",
    "tuned content",
    "EASE alone",
    "base + community",
    "tuned + community",
)


def chart(mean: dict, seeds: list[str], path: str) -> None:
    """Grouped bars of the means over seeds: base vs tuned, content-only and blended."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = np.arange(len(CHART))
    width = 0.8 / len(CHART_SYSTEMS)
    fig, ax = plt.subplots(figsize=(10, 4.4))
    for i, name in enumerate(CHART_SYSTEMS):
        values = [
            mean.get((side, name), {}).get(metric, np.nan)
            if not (name == "EASE alone" and metric == "mood_ndcg@10")
            else np.nan
            for side, metric, _ in CHART
        ]
        bars = ax.bar(x + (i - (len(CHART_SYSTEMS) - 1) / 2) * width, values, width, label=name)
        ax.bar_label(bars, fmt="%.3f", fontsize=7, rotation=90, padding=2)
    ax.set_xticks(x, [label for *_, label in CHART])
    ax.set_ylabel(f"mean of seeds {', '.join(seeds)} (k = 10)")
    ax.set_title("Unseen MovieLens users, tags and films: base vs tuned vectors")
    ax.legend(fontsize=8, ncols=3)
    ax.margins(y=0.25)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def summarize(results: dict, chart_path: str = "") -> None:
    """Means over seeds, the goal ratios, and blend vs EASE per seed."""
    seeds = sorted({key.split(" ")[1] for key in results if key.startswith("seed ")})
    if not seeds:
        return
    names = sorted({key.split("/", 1)[1] for key in results if key.startswith("seed ")})
    print(f"\n# mean over seeds {','.join(seeds)}")
    mean = {}
    for side in ("warm", "cold"):
        for name in names:
            runs = [results.get(f"seed {s} {side}/{name}") for s in seeds]
            if all(runs):
                mean[side, name] = {m: float(np.mean([r[m] for r in runs])) for m in runs[0]}
                print(row(f"{side}: {name}", mean[side, name]))
    for side, metric, goal in (
        ("warm", "similar_ndcg@10", 1.8),
        ("warm", "profile_recall@10", 1.6),
        ("cold", "similar_ndcg@10", 1.3),
    ):
        ratio = mean[side, "tuned content"][metric] / mean[side, "base content"][metric]
        print(f"{side} {metric}: tuned / base = {ratio:.2f} (goal >= {goal})")
    if chart_path:
        chart(mean, seeds, chart_path)
    tags = mean["warm", "tuned content"]["mood_ndcg@10"]
    print(f"tags_dev mood nDCG@10, tuned: {tags:.4f} (goal >= 0.20)")
    blend_ratios(results, seeds)


SUMMARY_BLENDS = (
    "base + community",
    "tuned + community",
    "tuned + community, sum fusion",
    "tuned + community, EASE without text",
    "tuned + community, sum fusion, EASE without text (before)",
    "EASE + text alone",
    "EASE + text + metadata alone",
)


def blend_ratios(results: dict, seeds: list[str]) -> None:
    """Each blend's profile recall over EASE alone per seed, with its paired bootstrap 95%
    interval where the results keep each profile's recall (and over all seeds' profiles pooled)."""
    cases = results.get(PER_PROFILE, {})
    for name in SUMMARY_BLENDS:
        pooled: tuple[list[float], list[float]] = ([], [])
        with_cases = 0
        for s in seeds:
            key, ease_key = f"seed {s} warm/{name}", f"seed {s} warm/EASE alone"
            if key not in results:
                continue
            ratio = results[key][RECALL] / results[ease_key][RECALL]
            text = f"seed {s}: {name} profile recall / EASE alone = {ratio:.3f}"
            if key in cases and ease_key in cases:
                _, low, high = paired_ratio_interval(cases[key], cases[ease_key], seed=int(s))
                text += f" (95% {low:.3f}-{high:.3f})"
                pooled[0].extend(cases[key])
                pooled[1].extend(cases[ease_key])
                with_cases += 1
            print(f"{text} (goal 1.08)")
        if with_cases > 1:
            ratio, low, high = paired_ratio_interval(*pooled)
            print(
                f"{with_cases} seeds' profiles pooled: {name} / EASE alone = {ratio:.3f} "
                f"(95% {low:.3f}-{high:.3f})"
            )


def explore(base, texts, data, tag_pairs, catalog_pairs, moods, config, results, chosen):
    split = make_split(data, base.bundle.catalog, tag_pairs, seed=0, min_likers=MIN_LIKERS["n"])
    print(
        f"# explore, seed 0: {len(split.films)} films, {len(split.profiles)} profiles, "
        f"{len(split.moods)} tag queries, {len(moods)} bench queries"
    )
    scores = {**measure(Engine(base), split), **bench(Engine(base), moods)}
    print(row("base", scores))
    variants = {
        "linear shared": {},
        "linear separate query": {"separate_query": True},
        "mlp shared": {"kind": "mlp"},
        "mlp separate query": {"kind": "mlp", "separate_query": True},
        "linear text_share 0.25": {"text_share": 0.25},
        "linear text_share 0.75": {"text_share": 0.75},
        "linear co-likes only": {"text_share": 0.0},
        "linear lr 3e-3": {"lr": 3e-3},
        "linear steps x3": {"steps": 3 * config.steps},
        "linear no catalog text": {"catalog": False},
    }
    if chosen:
        variants = {n: json.loads(v) for n, v in (c.split("=", 1) for c in chosen)}
    for name, change in variants.items():
        CATALOG_TEXT["on"] = change.pop("catalog", True)
        PER_USER["n"] = change.pop("per_user", DEFAULT_PAIRS_PER_USER)
        start = time.perf_counter()
        adapter = train(base, texts, split, replace(config, **change), catalog_pairs)
        tuned = Engine(adapt(base, adapter))
        scores = {**measure(tuned, split), **bench(tuned, moods)}
        print(row(name, scores) + f"  ({time.perf_counter() - start:.0f}s)", flush=True)
        results[f"explore/{name}"] = scores
    CATALOG_TEXT["on"] = True


def evaluate_seed(base, texts, data, tag_pairs, catalog_pairs, moods, config, seed, results):
    for cold in (0.0, 0.5):
        split = make_split(
            data,
            base.bundle.catalog,
            tag_pairs,
            seed=seed,
            cold_share=cold,
            min_likers=MIN_LIKERS["n"],
            folds=FOLDS["n"],
            seen=SEEN["on"],
        )
        label = f"seed {seed} {'cold' if cold else 'warm'}"
        print(
            f"# {label}: {len(split.films)} films, {len({c.user for c in split.profiles})} "
            f"users' profiles ({len(split.profiles)} with folds), "
            f"{len(split.moods)} tag queries"
        )
        adapter = train(base, texts, split, replace(config, seed=seed), catalog_pairs)
        tuned = adapt(base, adapter)
        ids = base.movies.ids
        content = np.asarray(base.bundle.embeddings, dtype=np.float32)  # as retrain reads them
        features = metadata_features(base.bundle.catalog)
        models = [
            fit_item_knn(split.train_likes, ids),
            fit_ease(split.train_likes, ids, content=content, features=features),
        ]
        systems = {
            "base content": Engine(base),
            "tuned content": Engine(tuned),
            "EASE alone": Community(fit_ease(split.train_likes, ids), "ease"),
            "EASE + text alone": Community(
                fit_ease(split.train_likes, ids, content=content), "ease"
            ),
            "EASE + text + metadata alone": Community(models[1], "ease"),
            "item-kNN alone": Community(models[0], "item_knn"),
            "base + community": Engine(base.with_community(models)),
            "tuned + community": Engine(tuned.with_community(models)),
        }
        for name, system in systems.items():
            scores = scored(system, split, f"{label}/{name}", results)
            if "content" in name and not cold:
                scores |= bench(system, moods)
            results[f"{label}/{name}"] = scores
            print(row(f"{label}: {name}", scores), flush=True)
        if not cold:
            plain = [models[0], systems["EASE alone"].model]
            grid(tuned, models, split, label, results, plain)


def scored(system, split, key: str, results: dict, parts=METRIC_PARTS) -> dict:
    """`measure`'s means, with each user's profile recall kept under results[PER_PROFILE][key]
    (for the paired intervals of the summary)."""
    scores = measure(system, split, parts=[p for p in parts if p != RECALL])
    if RECALL in parts:
        values = user_recall(system, split)
        results.setdefault(PER_PROFILE, {})[key] = values
        scores[RECALL] = round(float(np.mean(values)), 4) if values else 0.0
    return {p: scores[p] for p in parts}


# The tuned blend as it was before rank fusion (sum of scores, the catalog's prior at 0.3):
# pinned, so a change of the tuned engine's defaults does not change what "before" measures.
SUM_BEFORE = {
    "community_fusion": "sum",
    "community_weight": 1.0,
    "community_prior_weight": 0.3,
    "prior_likes": 0.0,
}


def blends(base, texts, data, tag_pairs, catalog_pairs, config, seeds, folds: int = 1) -> None:
    """Profile recall over plain EASE alone, per seed: the blend as shipped (tuned vectors,
    EASE with text and metadata, rank fusion), the one before (sum, plain EASE) and the parts,
    each with a paired bootstrap 95% interval over the seed's users (and over all users of all
    seeds pooled: a seed's users recur in others, so that one is only indicative). With `folds`
    a user's recall is the mean over the folds of their likes."""
    ids = base.movies.ids
    content = np.asarray(base.bundle.embeddings, dtype=np.float32)
    features = metadata_features(base.bundle.catalog)
    ratios: dict[str, list[float]] = {}
    cases: dict[str, tuple[list[float], list[float]]] = {}
    for seed in seeds:
        split = make_split(
            data, base.bundle.catalog, tag_pairs, seed=seed, folds=folds, seen=SEEN["on"]
        )
        tuned = adapt(base, train(base, texts, split, replace(config, seed=seed), catalog_pairs))
        knn = fit_item_knn(split.train_likes, ids)
        plain = fit_ease(split.train_likes, ids)
        text = fit_ease(split.train_likes, ids, content=content, features=features)
        systems = {
            "EASE + text + metadata alone": Community(text, "ease"),
            "tuned + community (shipped)": Engine(tuned.with_community([knn, text])),
            "tuned, sum fusion, plain EASE (before)": Engine(
                tuned.with_community([knn, plain]), overrides=SUM_BEFORE
            ),
            "tuned, rank fusion, plain EASE": Engine(tuned.with_community([knn, plain])),
            "base + community (shipped)": Engine(base.with_community([knn, text])),
            "base, plain EASE (before)": Engine(base.with_community([knn, plain])),
        }
        ease = user_recall(Community(plain, "ease"), split)
        line: dict[str, Any] = {"seed": seed, "EASE alone": round(float(np.mean(ease)), 4)}
        for name, system in systems.items():
            values = user_recall(system, split)
            ratio, low, high = paired_ratio_interval(values, ease, seed=seed)
            line[name] = round(float(np.mean(values)), 4)
            line[f"{name} / EASE alone"] = [round(ratio, 4), round(low, 4), round(high, 4)]
            ratios.setdefault(name, []).append(ratio)
            cases.setdefault(name, ([], []))
            cases[name][0].extend(values)
            cases[name][1].extend(ease)
        print(json.dumps(line), flush=True)
    for name, values in ratios.items():
        v = np.array(values)
        _, low, high = paired_ratio_interval(*cases[name])
        print(
            f"{name:<40} / EASE alone: mean {v.mean():.3f}, min {v.min():.3f}, max "
            f"{v.max():.3f}, >= 1.08 on {(v >= 1.08).sum()} of {len(v)} seeds; all "
            f"{len(cases[name][0])} users pooled: 95% interval {low:.3f}-{high:.3f}"
        )


def grid(tuned, models, split, label, results, plain) -> None:
    blend = tuned.with_community(models)
    for name, system in (
        ("tuned + community, EASE without text", Engine(tuned.with_community(plain))),
        (
            "tuned + community, sum fusion, EASE without text (before)",
            Engine(tuned.with_community(plain), overrides=SUM_BEFORE),
        ),
    ):
        scores = scored(system, split, f"{label}/{name}", results, parts=(RECALL,))
        results[f"{label}/{name}"] = scores
        print(row(f"{label}: {name}", scores), flush=True)
    for value in (0.0, 0.25, 1.0):
        scores = measure(Engine(tuned, overrides={"prior_weight": value}), split)
        results[f"{label}/tuned prior_weight={value}"] = scores
        print(row(f"{label}: tuned prior_weight={value}", scores), flush=True)
    blends = {
        "sum fusion": {"community_fusion": "sum", "community_weight": 1.0},
        "rank fusion weight 1.6": {"community_weight": 1.6},
        "rank fusion weight 2.5": {"community_weight": 2.5},
    }
    for name, change in blends.items():
        key = f"{label}/tuned + community, {name}"
        scores = scored(Engine(blend, overrides=change), split, key, results, parts=(RECALL,))
        results[key] = scores
        print(row(f"{label}: blend {name}", scores), flush=True)
    for value in (0.4, 0.8, 1.0):
        scores = measure(Engine(tuned, overrides={"alpha": value}), split, parts=("mood_ndcg@10",))
        print(row(f"{label}: tuned alpha={value}", scores), flush=True)


if __name__ == "__main__":
    main()
