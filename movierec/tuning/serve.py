"""Serving a tuned recommender: catalog vectors and queries through the adapter, hot-reloaded."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from movierec.index.dense import DenseIndex
from movierec.recommender import Recommender
from movierec.tuning.adapter import Adapter, AdapterError
from movierec.tuning.versions import current_choice
from movierec.tuning.views import film_views
from movierec.versions import current_name

LOG = logging.getLogger(__name__)

# Tuned vectors want less prior for profiles and more for free text than the base ones (means of
# 3 seeds, scripts/evaluate_tuning.py; docs/tuning.md): one prior weight cannot serve both. With
# a community model, profiles fuse ranks: a sum of scores let EASE drown the tuned content (rank
# fusion, weight 2.5, with EASE reading the text: 1.060x plain EASE over 10 unseen seeds; 4.0
# since EASE also reads the films' metadata, seeds 3-8). A sharper rank fusion (k 20, weight
# 2.5) with the community side reading likes only (dislikes still push the content side away
# and are never recommended): 1.100 -> 1.127 on seeds 3-8 in the lab; through the engine on
# the unseen seeds 12-17 1.058 -> 1.075 and 18-27 1.114 -> 1.120 x plain EASE; docs/tuning.md.
# Long profiles want even less prior (0.1) and short ones 0.25-0.3: prior_weight 0.1 scaled by
# sqrt(20 / likes) below 20 likes (whole profiles 0.171 -> 0.182 on seeds 12-17; docs/tuning.md).
# Tuned profiles want a sharper power mean than base ones: the exponent rises to 8 over 40 likes
# (base: 5 over 40), +2.2 % on seeds 3-8 and +2.1 % on the unseen 52-57, up on every seed.
TUNED_MODE_DEFAULTS = {
    "recommend": {
        "prior_weight": 0.1,
        "profile_prior_likes": 20,
        "profile_power": 8.0,
        "profile_power_likes": 40,
        "community_fusion": "rank",
        "community_weight": 2.5,
        "community_rank_k": 20,
        "community_dislike_weight": 0.0,
        "community_prior_weight": 0.0,
    },
    "search": {"prior_weight": 1.0},
}
# An adapter that records how many people liked each film (`data.like_counts`) gives profiles
# a prior from those counts in place of the catalog's quality prior, alone and in the content
# ranks of the blend (chosen on seeds 3-8; on the unseen seeds 12-17, content-only profile
# recall 0.186 -> 0.200 and the blend 1.052 -> 1.058 x plain EASE; docs/tuning.md).
LIKES_PRIOR_DEFAULTS = {
    "recommend": {"prior_weight": 0.07, "prior_likes": 1.0, "community_prior_weight": 0.07},
}


class AdaptedEncoder:
    """An encoder whose query vectors go through the adapter's query map; everything else
    (name, model, dimension) is the base encoder's."""

    def __init__(self, base: Any, adapter: Adapter):
        self.base = base
        self.adapter = adapter
        self.name = base.name

    def __getattr__(self, name: str) -> Any:
        return getattr(self.base, name)

    def encode(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        """Mapped query vectors of `texts`."""
        vectors = self.base.encode(texts, show_progress=show_progress)
        return self.adapter.queries(vectors) if len(texts) else vectors

    def encode_query(self, text: str) -> np.ndarray:
        """One mapped query vector (the base encoder's query cache still applies)."""
        return self.adapter.queries(self.base.encode_query(text)[None, :])[0]


def adapt(
    recommender: Recommender, adapter: Adapter | None, cache_dir: str | Path | None = None
) -> Recommender:
    """A recommender (same catalog, keyword index, settings and community source) whose film
    vectors are the adapter's map of the stored base vectors, in a dense index rebuilt on them,
    and whose query encoding goes through the adapter; with a similar map, "films like this"
    gets its own vectors and dense index (`Recommender.similar_bundle`). An adapter that reads
    the films' views gets them from `film_views` (kept in `cache_dir` when encoded). `None`
    gives the recommender back."""
    if adapter is None:
        return recommender
    bundle = recommender.bundle
    adapter.check(bundle.manifest.get("model"), int(bundle.embeddings.shape[1]))
    base_vectors = np.asarray(bundle.embeddings, dtype=np.float32)
    manifest = {**bundle.manifest, "adapter": {"digest": adapter.digest(), "kind": adapter.kind}}

    def mapped(vectors: np.ndarray):
        dense = DenseIndex.build(vectors, kind=bundle.dense.kind, **bundle.dense.params)
        return dataclasses.replace(bundle, manifest=manifest, embeddings=vectors, dense=dense)

    base_encoder = getattr(recommender.encoder, "base", recommender.encoder)
    ids = bundle.catalog["id"].to_numpy()
    unseen = unseen_rows(adapter, ids)
    views = film_views(bundle, base_encoder, adapter.views, cache_dir) if adapter.views else None
    views = views_of_liked_films(views, unseen)
    tuned = mapped(adapter.documents(base_vectors, views))
    other = Recommender(tuned, AdaptedEncoder(base_encoder, adapter), recommender.settings)
    other.community = recommender.community
    other.unseen = unseen
    other.like_counts = like_counts(adapter, ids)
    other.mode_defaults = tuned_mode_defaults(other.like_counts is not None)
    if adapter.has_similar:
        other.similar_bundle = mapped(adapter.similars(base_vectors, views))
    return other


def views_of_liked_films(views: np.ndarray | None, unseen: np.ndarray | None) -> np.ndarray | None:
    """The views a document map reads when serving: a film the tuning saw no like of is read
    from its own vector alone (its views zeroed, as `TrainConfig.views_dropout` taught the map).
    Read with its views, such a film lands where no profile looks: tuned content profiles found
    0.021 of those films' held-out likes that way, 0.066 this way, 0.052 with the linear map
    (MovieLens seeds 3/4/6/7, half the films' likes withheld; docs/tuning.md)."""
    if views is None or unseen is None or not unseen.any():
        return views
    served = np.array(views, copy=True)
    served[unseen] = 0.0
    return served


def unseen_rows(adapter: Adapter, ids: np.ndarray) -> np.ndarray | None:
    """True for each catalog film the adapter saw no like of (a bool per row); None when
    the adapter does not list its liked films (one tuned on text alone or before they were
    recorded). Tuned vectors pull profiles towards films that had likes in tuning, so films
    nobody had liked yet (new ones) get `unseen_boost` in profiles (docs/tuning.md)."""
    liked = _liked_films(adapter)
    return None if liked is None else ~np.isin(np.asarray(ids, dtype=np.int64), liked[0])


def tuned_mode_defaults(has_like_counts: bool) -> dict[str, dict[str, Any]]:
    """The tuned engine's per-mode settings; with like counts, profiles use the likes prior."""
    if not has_like_counts:
        return TUNED_MODE_DEFAULTS
    return {
        mode: {**values, **LIKES_PRIOR_DEFAULTS.get(mode, {})}
        for mode, values in TUNED_MODE_DEFAULTS.items()
    }


def like_counts(adapter: Adapter, ids: np.ndarray) -> np.ndarray | None:
    """How many of the tuning's people liked each catalog film (a count per row, 0 for films
    it saw no like of); None when the adapter does not record its like counts (one tuned on
    text alone or before they were recorded)."""
    liked = _liked_films(adapter)
    if liked is None or liked[1] is None:
        return None
    known, counts = liked
    order = np.argsort(known)
    ids = np.asarray(ids, dtype=np.int64)
    at = np.clip(np.searchsorted(known[order], ids), 0, len(known) - 1)
    found = known[order][at] == ids
    return np.where(found, counts[order][at], 0).astype(np.int64)


def _liked_films(adapter: Adapter) -> tuple[np.ndarray, np.ndarray | None] | None:
    """The manifest's liked film ids and their like counts (None when not recorded or not
    aligned with the ids, with a warning); None when it lists no liked films or they are not
    film ids (a hand-edited manifest, with a warning)."""
    data = adapter.info.get("data", {})
    liked, counts = data.get("liked_films"), data.get("like_counts")
    if not liked:
        return None
    try:
        known = np.asarray(liked, dtype=np.int64)
    except (TypeError, ValueError, OverflowError):
        LOG.warning("the adapter's liked_films are not film ids; unseen_boost is off for it")
        return None
    if counts is None:
        return known, None
    try:
        values = np.asarray(counts, dtype=np.int64)
        valid = known.ndim == 1 and values.shape == known.shape and not (values < 0).any()
    except (TypeError, ValueError, OverflowError):
        valid = False
    if not valid:
        LOG.warning("the adapter's like_counts do not match its liked_films; ignoring them")
        return known, None
    return known, values


class TunedSource:
    """The recommender to serve now: `base` adapted by the adapter `root/CURRENT` names
    (see `movierec tune`), re-read on each call so a running app switches on its next call.
    An unreadable or mismatched new version leaves the previous one in use. Before the first
    tuning, `fallback` (movierec.tuning.shipped.default_adapter for the packaged catalog) is
    served, if given; a `movierec tune --base` version serves the base vectors."""

    def __init__(self, base: Recommender, root: str | Path, fallback: Adapter | None = None):
        self.base = base
        self.root = Path(root)
        self.fallback = fallback
        self._name: str | None = None
        self._recommender = base
        self._loaded = False

    def current(self) -> Recommender:
        """The tuned recommender of the current version (before any tuning, the fallback's or
        the base one)."""
        try:
            name = current_name(self.root, AdapterError)
            if name == self._name and self._loaded:
                return self._recommender
            chosen, adapter = current_choice(self.root, self.base.bundle.manifest.get("model"))
            self._recommender = adapt(self.base, adapter if chosen else self.fallback, self.root)
        except (AdapterError, OSError) as error:
            LOG.warning("keeping the previous adapter: %s", error)
            return self._recommender
        self._name, self._loaded = name, True
        shipped = "the shipped adapter" if self.fallback is not None else "none"
        LOG.info("adapter in use: %s", name or shipped)
        return self._recommender
