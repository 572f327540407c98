"""The community model as seen by the recommender: scores per catalog row, reloaded on retrain."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

from movierec.community import (
    DISLIKE_WEIGHT,
    KINDS,
    CommunityModel,
    CommunityModelError,
    current_name,
    load_current,
)
from movierec.movies import MovieTable

LOG = logging.getLogger(__name__)


PROFILE_KINDS = ("ease", "low_rank", "item_knn")  # which model scores a profile, best first
FILM_KINDS = ("item_knn", "ease", "low_rank")  # which model finds films like a film, best first


class _Rows(NamedTuple):
    """One model's films on the catalog's rows."""

    model_rows: np.ndarray  # the model's rows of the films the catalog holds ...
    catalog_rows: np.ndarray  # ... and their catalog rows
    confidence: np.ndarray  # (n_catalog,) damping of each film's score by its like count
    nobody_liked: np.ndarray  # (n_catalog,) the model knows the film but holds no like of it


class CommunitySignal:
    """Co-like scores of community models, mapped onto the rows of one catalog.

    A profile is scored by the first model of PROFILE_KINDS present, a film by the first of
    FILM_KINDS (EASE finds held-out likes best, item-kNN co-liked films; docs/evaluation.md).
    Scores are scaled to [0, 1] per query. Films with few likes get small scores from the
    models themselves (item-kNN shrinkage, EASE regularization) and can be damped further with
    `half_confidence` (confidence = (likes + 1) / (likes + 1 + half_confidence)). A film nobody
    liked keeps the score the model gives it: EASE that reads the films' text and metadata
    scores it from the films it reads like (plain EASE and item-kNN give it 0), so a new film
    can still reach a blended profile (docs/tuning.md, "Films nobody liked, in the blend").
    Films a model has never seen, such as titles added after its retrain, score 0 here and
    still rank on content and the prior.
    """

    def __init__(
        self,
        models: CommunityModel | Sequence[CommunityModel],
        movies: MovieTable,
        half_confidence: float = 0.0,
    ):
        models = [models] if isinstance(models, CommunityModel) else list(models)
        if not models:
            raise ValueError("CommunitySignal needs at least one community model")
        by_kind = {m.kind: m for m in models}
        self.models = by_kind
        self.profile_model = next(by_kind[k] for k in (*PROFILE_KINDS, *by_kind) if k in by_kind)
        self.film_model = next(by_kind[k] for k in (*FILM_KINDS, *by_kind) if k in by_kind)
        self._movies = movies
        self._n = len(movies.ids)
        if not half_confidence >= 0:
            raise ValueError(f"half_confidence must be >= 0 (0: no damping), got {half_confidence}")
        self._half_confidence = half_confidence
        self._maps = {id(m): self._map(m) for m in by_kind.values()}

    def _map(self, model: CommunityModel) -> _Rows:
        known = [(r, self._movies.row_of.get(int(i))) for r, i in enumerate(model.ids)]
        pairs = [(m, c) for m, c in known if c is not None]
        model_rows = np.array([m for m, _ in pairs], dtype=np.int64)
        catalog_rows = np.array([c for _, c in pairs], dtype=np.int64)
        counts = np.zeros(self._n)
        counts[catalog_rows] = model.counts[model_rows]
        confidence = (counts + 1.0) / (counts + 1.0 + self._half_confidence)
        nobody = np.zeros(self._n, dtype=bool)
        nobody[catalog_rows] = counts[catalog_rows] == 0
        return _Rows(model_rows, catalog_rows, confidence, nobody)

    def nobody_liked(self, profile: bool = True) -> np.ndarray:
        """(n_catalog,) True for the films the profile (or film) model knows but holds no like
        of: a community score they get is the model's reading of them, not people's likes."""
        return self._maps[id(self.profile_model if profile else self.film_model)].nobody_liked

    def for_profile(
        self, liked: Sequence[int], disliked: Sequence[int], dislike_weight: float = DISLIKE_WEIGHT
    ) -> np.ndarray | None:
        """(n_catalog,) scores in [0, 1] for a profile (the model's rows of the liked films minus
        `dislike_weight` × those of the disliked ones); None when the model knows none of it."""
        model = self.profile_model
        return self._scaled(model, model.score(liked, disliked, dislike_weight=dislike_weight))

    def for_film(self, movie_id: int) -> np.ndarray | None:
        """(n_catalog,) co-like scores in [0, 1] of one film; None when the model lacks it."""
        model = self.film_model
        return self._scaled(model, model.similar(movie_id))

    def _scaled(self, model: CommunityModel, model_scores: np.ndarray) -> np.ndarray | None:
        rows = self._maps[id(model)]
        scores = np.zeros(self._n)
        scores[rows.catalog_rows] = np.clip(model_scores[rows.model_rows], 0.0, None)
        top = float(scores.max()) if self._n else 0.0
        if top <= 0.0:
            return None
        return scores / top * rows.confidence


class CommunitySource:
    """The live community models under `root` (see `movierec retrain`): one versioned folder per
    kind (`root/item_knn`, `root/ease`), each loaded from the version its `CURRENT` names and
    reloaded when that changes, so a running app picks up a retrain on its next call. A version
    that cannot be read leaves the previous one in use."""

    def __init__(self, root: Path, movies: MovieTable):
        self.root = Path(root)
        self.movies = movies
        self._names: dict[str, str | None] = {}
        self._models: dict[str, CommunityModel] = {}
        self._signal: CommunitySignal | None = None

    def current(self) -> CommunitySignal | None:
        """The signal of the current versions (None before the first retrain)."""
        changed = False
        for kind in KINDS:
            folder = self.root / kind
            try:
                name = current_name(folder)
                if name == self._names.get(kind):
                    continue
                model = load_current(folder)
            except (CommunityModelError, OSError) as error:
                LOG.warning("keeping the previous %s community model: %s", kind, error)
                continue
            self._names[kind] = name
            if model is None:
                self._models.pop(kind, None)
            else:
                self._models[kind] = model
                LOG.info("community model %s/%s loaded", kind, name)
            changed = True
        if changed:
            models = list(self._models.values())
            self._signal = CommunitySignal(models, self.movies) if models else None
        return self._signal
