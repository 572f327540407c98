"""`tune`: profiles and tags → a new adapter version beside the index, and a report."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from movierec.errors import UsageError
from movierec.tuning.adapter import Adapter
from movierec.tuning.pairs import (
    DEFAULT_PAIRS_PER_USER,
    LikeLists,
    TextPairs,
    colike_pairs,
    like_lists,
    likes_from_profiles,
    neighbour_pairs,
    text_pairs,
)
from movierec.tuning.train import TrainConfig, train_adapter
from movierec.tuning.versions import save_adapter_version
from movierec.tuning.views import FilmViews, views_for

LOG = logging.getLogger(__name__)


class NothingToLearnError(UsageError):
    """There are no co-like pairs and no text pairs to tune on."""


@dataclass(frozen=True)
class TuneReport:
    """What a tuning run did."""

    version: Path | None
    users: int
    colike_pairs: int
    texts: int
    text_pairs: int
    steps: int
    seconds: float
    loss: float
    neighbour_pairs: int = 0  # what the similar map learnt from (0: no similar map)
    views: int = 0  # views of each film the document map read beside its vector


def prepare(
    movie_ids: Sequence[int],
    profiles: Mapping[Any, Any],
    tags: Iterable[tuple[str, int]] = (),
    seed: int = 0,
    per_user: int = DEFAULT_PAIRS_PER_USER,
) -> tuple[dict, np.ndarray, TextPairs]:
    """Likes per user (catalog films only), co-like row pairs and text pairs for a catalog."""
    row_of = {int(m): r for r, m in enumerate(movie_ids)}
    likes = likes_from_profiles(profiles, row_of)
    return likes, colike_pairs(likes, row_of, seed, per_user), text_pairs(tags, row_of)


def liked_films(likes: Mapping[Any, Sequence[int]]) -> dict[str, list[int]]:
    """The films liked in `likes` (as `prepare` gives) as the manifest records them: sorted
    catalog ids (`liked_films`, what the adapter learned from; serve.unseen_rows) and how many
    users liked each (`like_counts`, aligned; serve.like_counts)."""
    counts = Counter(int(m) for films in likes.values() for m in set(films))
    ids = sorted(counts)
    return {"liked_films": ids, "like_counts": [counts[m] for m in ids]}


def fit(
    documents: np.ndarray,
    encoder: Any,
    colikes: np.ndarray,
    texts: TextPairs,
    config: TrainConfig,
    likes: LikeLists | None = None,
    similar: np.ndarray | None = None,
    views: FilmViews | None = None,
) -> Adapter:
    """Encode the texts with the base `encoder` and train an adapter on `documents`
    (`likes` feed the profile-anchor loss when `config.profile_share` > 0). Given `similar`
    pairs, a second run of the same recipe learns from them in place of `colikes`, and its
    document map becomes the adapter's "similar" map, which serves "films like this". With
    `views`, the document map (not the similar map) reads them beside each film's vector."""
    if len(colikes) == 0 and len(texts) == 0:
        raise NothingToLearnError(
            "nothing to learn from: no profile has two liked catalog films and no tag/text "
            "pairs were given; like films in the app or pass a tags file"
        )
    vectors = encoder.encode(texts.texts) if len(texts) else None
    start = time.perf_counter()
    extra = None if views is None else views.vectors
    adapter = train_adapter(
        documents, colikes, texts, vectors, encoder.name, config, likes, views=extra
    )
    if views is not None:
        adapter.info["views"] = [list(fields) for fields in views.fields]
    if similar is None or len(similar) == 0:
        return adapter
    spent = (time.perf_counter() - start) / 60
    left = None if config.max_minutes is None else config.max_minutes - spent
    if left is not None and left <= 0:
        LOG.warning("no similar map: max_minutes was spent on the document map")
        return adapter
    rest = replace(config, max_minutes=left)
    other = train_adapter(
        documents, similar, texts, vectors, encoder.name, rest, likes, label="similar map"
    )
    adapter.weights |= {
        "similar." + name.split(".", 1)[1]: weights
        for name, weights in other.weights.items()
        if name.startswith("document.")
    }
    adapter.info["similar"] = {
        "neighbour_pairs": len(similar),
        "loss": other.info["loss"],
        "seconds": other.info["seconds"],
    }
    adapter.info["seconds"] = round(adapter.info["seconds"] + other.info["seconds"], 1)
    return adapter


def fit_likes(
    documents: np.ndarray,
    encoder: Any,
    movie_ids: Sequence[int],
    likes: Mapping[Any, Sequence[int]],
    colikes: np.ndarray,
    texts: TextPairs,
    config: TrainConfig,
    views: FilmViews | None = None,
) -> Adapter:
    """`fit` on what `prepare` gave, with profile anchors from `likes` and, with
    `config.similar_map`, a similar map learnt from each well-liked film's neighbours by the
    overlap of their likers (`neighbour_pairs`; docs/tuning.md: better for "films like this",
    worse for profiles, so kept apart). `info["data"]` lists the films the likes cover and
    how many users liked each (`liked_films`)."""
    row_of = {int(m): r for r, m in enumerate(movie_ids)}
    similar = (
        neighbour_pairs(likes, movie_ids, config.similar_min_likers) if config.similar_map else None
    )
    adapter = fit(
        documents, encoder, colikes, texts, config, like_lists(likes, row_of), similar, views
    )
    adapter.info["data"] = liked_films(likes)
    return adapter


def tune(
    bundle: Any,
    encoder: Any,
    profiles: Mapping[Any, Any],
    root: str | Path,
    tags: Iterable[tuple[str, int]] = (),
    config: TrainConfig | None = None,
    per_user: int = DEFAULT_PAIRS_PER_USER,
) -> TuneReport:
    """Tune an adapter for the index `bundle` (its base vectors) from `profiles` (e.g.
    `store.all_profiles()`) and optional (text, catalog id) `tags`, and publish it as the new
    current version under `root` (see movierec.tuning.versions.adapter_dir).

    Raises NothingToLearnError, writing nothing, when there is nothing to learn from.
    """
    config = config or TrainConfig()
    if bundle.manifest.get("model") != encoder.name:
        raise ValueError(
            f"the index was built with {bundle.manifest.get('model')!r} but the encoder is "
            f"{encoder.name!r}"
        )
    ids = bundle.catalog["id"].to_numpy()
    likes, colikes, texts = prepare(ids, profiles, tags, config.seed, per_user)
    documents = np.asarray(bundle.embeddings, dtype=np.float32)
    # nothing to learn from: fit says so before anything is encoded or written
    views = views_for(bundle, encoder, config, root) if len(colikes) or len(texts) else None
    adapter = fit_likes(documents, encoder, ids, likes, colikes, texts, config, views)
    adapter.info["data"] |= {
        "users": len(likes),
        "likes": int(sum(len(v) for v in likes.values())),
        "colike_pairs": len(colikes),
        "texts": len(texts.texts),
        "text_pairs": len(texts),
        "catalog": bundle.manifest.get("catalog", {}).get("fingerprint"),
        "per_user": per_user,
    }
    version = save_adapter_version(adapter, root)
    LOG.info("adapter version %s is now current", version.name)
    train = adapter.info["train"]
    return TuneReport(
        version,
        len(likes),
        len(colikes),
        len(texts.texts),
        len(texts),
        int(train["steps_done"]),
        float(adapter.info["seconds"]),
        float(adapter.info["loss"]["last50"]),
        int(adapter.info.get("similar", {}).get("neighbour_pairs", 0)),
        len(adapter.views),
    )


def with_seed(config: TrainConfig, seed: int) -> TrainConfig:
    """The same configuration with another seed."""
    return replace(config, seed=seed)
