"""The façade: mood search, films like a title, and profile recommendations."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from movierec import config
from movierec.build import build_index
from movierec.catalog import catalog_fingerprint, load_catalog
from movierec.checks import check_filters, check_k, check_text, film_ids, is_blank, texts
from movierec.community import CommunityModel
from movierec.community_signal import CommunitySignal, CommunitySource
from movierec.config import community_dir
from movierec.constraints import Understood
from movierec.embed import Encoder
from movierec.embed.backends import DEFAULT_BACKEND, compatible, incompatibility
from movierec.embed.cache import Progress
from movierec.errors import UsageError
from movierec.filters import FilterIndex, Filters
from movierec.hits import Because, Hit, Results, Scored
from movierec.index.storage import IndexBundle, IndexMismatchError, StaleIndexError, load_index
from movierec.movies import MovieTable
from movierec.onboarding import PickerOptions, picker_grid
from movierec.pipeline import Candidates, Query, rank
from movierec.ranking import likes_prior, quality_prior
from movierec.scoring import top_k
from movierec.settings import Settings, check_number
from movierec.understand import understand
from movierec.vocabulary import Vocabulary

if TYPE_CHECKING:
    from movierec.together import GroupHit, Member
    from movierec.tuning import TunedSource

LOG = logging.getLogger(__name__)


class Recommender:
    """One entry point for the CLI, the app and the evaluation."""

    def __init__(self, bundle: IndexBundle, encoder: Encoder, settings: Settings | None = None):
        self.bundle = bundle
        self.encoder = encoder
        self.settings = settings or Settings()
        # per-mode setting defaults beneath the caller's overrides (e.g. tuned vectors want
        # another prior weight for profiles than for free text; movierec.tuning.serve)
        self.mode_defaults: dict[str, dict[str, Any]] = {}
        self.movies = MovieTable(bundle.catalog, bundle.long_text)
        self.filter_index = FilterIndex(bundle.catalog)
        self._priors: dict[tuple[float, float], np.ndarray] = {}
        self._vocabulary: Vocabulary | None = None
        self.community: CommunitySource | CommunitySignal | None = None
        # True per row whose film the adapter saw no like of (movierec.tuning.serve); profiles
        # add `unseen_boost` (default 0) times it, to lift films a tuning never saw liked
        self.unseen: np.ndarray | None = None
        # how many people a tuning saw like each film (a count per row; None: not tuned on
        # likes): `prior_likes` takes that share of the prior from them
        self.like_counts: np.ndarray | None = None
        self._said: set[str] = set()  # the "… has no effect" warnings, each said once
        # film vectors (and their dense index) for "films like this" without steering text,
        # when a tuning learnt a similar map (movierec.tuning.serve); None: `bundle`'s
        self.similar_bundle: IndexBundle | None = None

    @classmethod
    def open(
        cls,
        catalog: str | Path | None = None,
        index_dir: str | Path | None = None,
        model: str | None = None,
        kind: str = "auto",
        build: bool = True,
        show_progress: bool = False,
        settings: Settings | None = None,
        progress: Progress | None = None,
        tuned: bool = True,
        backend: str | None = None,
    ) -> Recommender:
        """Load the index for a catalog, building it first if it is missing or out of date.

        `progress(done, total)` reports encoding progress when a build is needed. With `tuned`,
        the adapter `movierec tune` published for this index (if any) maps films and queries.
        Queries are encoded with `backend` (else MOVIEREC_BACKEND, else the index's own), which
        must give the same vectors as the index's backend (`embed.backends`).
        """
        where = config.resolve(catalog=catalog, index_dir=index_dir, model=model, backend=backend)
        catalog_path, directory, model = where.catalog, where.index_dir, where.model
        fingerprint = catalog_fingerprint(load_catalog(catalog_path))
        try:
            bundle = load_index(directory, expect_model=model, expect_fingerprint=fingerprint)
            encoder = Encoder(bundle.manifest["model"], backend=query_backend(bundle, where))
        except (FileNotFoundError, IndexMismatchError) as error:
            if not build or not isinstance(error, (StaleIndexError, FileNotFoundError)):
                raise
            LOG.warning("building the index at %s (%s)", directory, error)
            encoder = Encoder(model, backend=where.backend)
            bundle, _ = build_index(
                catalog_path,
                directory,
                encoder,
                kind,
                show_progress=show_progress,
                progress=progress,
            )
        recommender = cls(bundle, encoder, settings)
        recommender.community = CommunitySource(community_dir(directory), recommender.movies)
        return recommender.serving(directory).current() if tuned else recommender

    def serving(self, index_dir: str | Path) -> TunedSource:
        """The source of what to serve for this index: this recommender adapted by the current
        `movierec tune` version, re-read on each `current()` (a running app switches there);
        before the first tuning, the packaged catalog's index serves the shipped adapter."""
        from movierec.tuning import TunedSource, adapter_dir
        from movierec.tuning.shipped import default_adapter

        fallback = default_adapter(self.bundle.manifest, int(self.bundle.embeddings.shape[1]))
        return TunedSource(self, adapter_dir(index_dir), fallback)

    def with_community(
        self, model: CommunityModel | Sequence[CommunityModel] | None, **signal: Any
    ) -> Recommender:
        """This recommender (same indexes and settings) blending an in-memory community model;
        `signal` goes to CommunitySignal (e.g. `half_confidence`)."""
        other = Recommender(self.bundle, self.encoder, self.settings)
        other.mode_defaults = self.mode_defaults
        other.unseen = self.unseen
        other.like_counts = self.like_counts
        other.similar_bundle = self.similar_bundle
        other._priors = self._priors
        other._vocabulary = self._vocabulary
        models = [model] if isinstance(model, CommunityModel) else model
        if model is not None and (
            not isinstance(models, (list, tuple))
            or not all(isinstance(m, CommunityModel) for m in models)
        ):
            raise UsageError(
                "model must be a CommunityModel (movierec.community), a list of them, or None, "
                f"got {model!r}"
            )
        other.community = None if model is None else CommunitySignal(model, self.movies, **signal)
        return other

    def community_signal(self) -> CommunitySignal | None:
        """The community model in use now (after the latest `movierec retrain`), if any."""
        if isinstance(self.community, CommunitySource):
            return self.community.current()
        return self.community

    # -- the three ways to recommend -------------------------------------------------------

    def search(
        self,
        text: str,
        k: int = 10,
        filters: Filters | None = None,
        exclude: Iterable[int] = (),
        parse: bool = True,
        skip: Iterable[str] = (),
        **overrides: Any,
    ) -> Results:
        """Films matching a free-text mood or description (meaning and keywords fused).

        With `parse`, constraints in the text ("90s", "French", "under two hours") become filters
        (the caller's `filters` win on conflict; labels in `skip` are left as text) and the rest
        is searched; `Results.understood` says what was read.
        """
        text = (check_text("text", text) or "").strip()
        if is_blank(text):
            raise UsageError("the search text is empty; describe the film you feel like watching")
        filters = check_filters(filters)
        if not isinstance(parse, (bool, np.bool_)):
            raise UsageError(f"parse must be True or False, got {parse!r}")
        understood = self.understand(text, filters, skip) if parse else None
        if understood is not None:
            text, filters = understood.residual, understood.merged(filters)
        if is_blank(text):  # nothing but constraints: the best films within them
            self.settings.with_overrides(**overrides)  # still refuse a bad setting
            return Results(self.popular(k, filters, exclude), understood)
        query = Query(vector=self._encode(text), tokens=self.bundle.tokenizer(text))
        overrides = self._for_mode("search", overrides)
        return Results(
            self._rank(query, k, filters, self._rows("exclude", exclude), overrides), understood
        )

    def understand(
        self, text: str, filters: Filters | None = None, skip: Iterable[str] = ()
    ) -> Understood:
        """The constraints in `text` (those contradicting `filters` moved to `overridden`)."""
        if text is None:
            raise UsageError("text must be text, got None")
        text = check_text("text", text)
        filters = check_filters(filters)
        skip = texts("skip", skip, "['1990–1999', 'French']")
        if self._vocabulary is None:
            self._vocabulary = Vocabulary.from_catalog(self.bundle.catalog)
        return understand(text, self._vocabulary, skip).against(filters)

    def similar(
        self,
        title: str | None = None,
        id: int | None = None,
        year: int | None = None,
        text: str | None = None,
        k: int = 10,
        filters: Filters | None = None,
        exclude: Iterable[int] = (),
        **overrides: Any,
    ) -> list[Hit]:
        """Films like one title (or id), never the film itself; `text` steers ("but funnier")."""
        title, text = check_text("title", title), check_text("text", text)
        for name, value in (("id", id), ("year", year)):
            if value is not None:
                check_number(name, value, int)
        row = self.movies.find(title=title, id=id, year=year)
        tokens: list[str] = []
        steer = None
        if text and not is_blank(text):
            steer = self._encode(text.strip())
            tokens = self.bundle.tokenizer(text)
        # steering text lives in the query-aligned space of `bundle`, so only plain "films
        # like this" uses the similar map's vectors
        plain = steer is None and self.similar_bundle is not None
        bundle = self.similar_bundle if plain else self.bundle
        vector = np.asarray(bundle.embeddings[row], dtype=np.float32)
        because = (Because(row, 1.0, "seed"),)
        signal = self.community_signal()
        community = None if signal is None else signal.for_film(self.movies.ids[row])
        nobody = None if signal is None else signal.nobody_liked(profile=False)
        query = Query(
            vector,
            tokens,
            np.array([row]),
            because,
            steer=steer,
            community=community,
            nobody_liked=nobody,
        )
        excluded = np.append(self._rows("exclude", exclude), row)
        overrides = self._for_mode("similar", overrides)
        return self._rank(query, k, filters, excluded, overrides, bundle=bundle)

    def recommend(
        self,
        liked: Sequence[int],
        disliked: Sequence[int] = (),
        k: int = 10,
        filters: Filters | None = None,
        exclude: Iterable[int] = (),
        seen: Iterable[int] = (),
        **overrides: Any,
    ) -> list[Hit]:
        """Films for a profile: films close to the liked ones (the power mean of their cosines
        to each like, `Settings.profile_power_for`; power 1 = the cosine to the average liked
        vector), pushed away from disliked ones; a profile of few likes leans more on the prior
        (`Settings.profile_prior_weight`). Never a film the profile holds: liked, disliked or
        `seen` (watched, no taste), nor one of `exclude`; a film in two of those three lists is
        refused."""
        given = {name for name, value in overrides.items() if value is not None}
        overrides = self._for_mode("recommend", overrides)
        settings = self.settings.with_overrides(**overrides)
        liked, disliked = film_ids("liked", liked), film_ids("disliked", disliked)
        seen = film_ids("seen", seen)
        self.check_not_both(liked, disliked, seen)
        liked_rows, disliked_rows = self.movies.rows(liked), self.movies.rows(disliked)
        if len(liked_rows) == 0 and len(disliked_rows) == 0:
            raise UsageError("the profile is empty; like at least one film to get recommendations")
        # A prior_weight the caller gives is used as given, unless profile_prior_likes is too.
        scaled = "prior_weight" not in given or "profile_prior_likes" in given
        prior_weight = settings.profile_prior_weight(len(liked_rows)) if scaled else None
        if prior_weight is not None and prior_weight != settings.prior_weight:
            overrides = {**overrides, "prior_weight": prior_weight}
        if settings.unseen_boost > 0 and self.unseen is None:
            self._no_effect("unseen_boost", "this engine was not tuned on likes")
        vector = self._profile_vector(liked_rows, disliked_rows, settings.dislike_weight)
        signal = self.community_signal()
        community = (
            None
            if signal is None
            else signal.for_profile(liked, disliked, settings.community_dislike_weight)
        )
        query = Query(
            vector=vector,
            tokens=[],
            because_rows=liked_rows,
            community=community,
            likes=liked_rows if len(liked_rows) else None,
            dislike=self._dislike(disliked_rows, settings.dislike_weight),
            nobody_liked=None if signal is None else signal.nobody_liked(),
        )
        rated = np.concatenate(
            [liked_rows, disliked_rows, self.movies.rows(seen), self._rows("exclude", exclude)]
        )
        return self._rank(query, k, filters, rated, overrides)

    def together(
        self,
        members: Sequence[Member],
        k: int = 10,
        filters: Filters | None = None,
        exclude: Iterable[int] = (),
        how: str = "min_mean",
        scale: str = "rank",
        **overrides: Any,
    ) -> list[GroupHit]:
        """Films for two or more people (movierec.together): nothing any member rated or has
        seen, ranked so that the least happy member is as happy as possible, with one part per
        member."""
        from movierec.together import recommend_together

        excluded = film_ids("exclude", exclude)
        return recommend_together(self, members, k, filters, excluded, how, scale, **overrides)

    def popular(
        self, k: int = 10, filters: Filters | None = None, exclude: Iterable[int] = ()
    ) -> list[Hit]:
        """The best-known, best-rated films (the quality prior alone): a start for new users."""
        check_k(k)
        mask = self.filter_index.mask(check_filters(filters), self._rows("exclude", exclude))
        prior = self.prior
        rows = top_k(prior.astype(np.float64), k, mask)
        scored = [Scored(row, float(prior[row]), prior=float(prior[row])) for row in rows.tolist()]
        return [self.movies.hit(s) for s in scored]

    def picker_grid(
        self,
        shown: Iterable[int] = (),
        n: int = 12,
        seed: int = 0,
        filters: Filters | None = None,
        options: PickerOptions | None = None,
    ) -> list[int]:
        """A first-visit grid: ids of `n` well-known films spread over the catalog, none of them
        in `shown` (pass the films shown so far for "show others"). See movierec.onboarding."""
        return picker_grid(self, shown, n, seed, filters, options)

    @property
    def prior(self) -> np.ndarray:
        """The popularity/quality prior of every film under the current settings."""
        return self.prior_for(self.settings)

    def prior_for(self, settings: Settings) -> np.ndarray:
        """The quality prior; with `prior_likes` on an engine that knows its like counts,
        that share of it from how many people liked each film (`likes_prior`)."""
        if settings.prior_likes > 0 and self.like_counts is None:
            self._no_effect("prior_likes", "this engine knows no like counts")
        likes = settings.prior_likes if self.like_counts is not None else 0.0
        key = (settings.prior_popularity, likes)
        if key not in self._priors:
            prior = quality_prior(self.bundle.catalog, popularity_share=key[0])
            if likes > 0:
                liked = likes_prior(self.like_counts, quality=prior)
                prior = ((1 - likes) * prior + likes * liked).astype(np.float32)
            self._priors[key] = prior
        return self._priors[key]

    # -- helpers -----------------------------------------------------------------------------

    def _no_effect(self, setting: str, why: str) -> None:
        """Warn, once per engine and setting, that a tuned-engine setting does nothing here."""
        if setting not in self._said:
            self._said.add(setting)
            LOG.warning(
                f"{setting} has no effect: {why} (run `movierec tune`, or `movierec tune "
                "--shipped`)"
            )

    def _rows(self, name: str, ids: Iterable[int]) -> np.ndarray:
        return self.movies.rows(film_ids(name, ids))

    def check_not_both(
        self, liked: Sequence[int], disliked: Sequence[int], seen: Sequence[int] = ()
    ) -> None:
        """UsageError naming the films in two of liked, disliked and seen."""
        lists = (("liked", liked), ("disliked", disliked), ("seen", seen))
        for number, (first, ids) in enumerate(lists):
            for second, others in lists[number + 1 :]:
                other = set(others)
                both = [i for i in dict.fromkeys(ids) if i in other]
                if both:
                    names = ", ".join(map(self._name, both[:5])) + (" …" if len(both) > 5 else "")
                    verb = "is" if len(both) == 1 else "are"
                    raise UsageError(
                        f"{names} {verb} both {first} and {second}; keep each film in one list"
                    )

    def _name(self, id: int) -> str:
        row = self.movies.row_of.get(id)
        return f"id {id}" if row is None else f"{self.movies.label(row)} (id {id})"

    def _profile_vector(self, liked: np.ndarray, disliked: np.ndarray, weight: float) -> np.ndarray:
        vectors = self.bundle.embeddings
        vector = np.zeros(vectors.shape[1], dtype=np.float32)
        if len(liked):
            vector += np.asarray(vectors[np.sort(liked)], dtype=np.float32).mean(axis=0)
        dislike = self._dislike(disliked, weight)
        if dislike is not None:
            vector -= dislike
        return _unit(vector)

    def _dislike(self, disliked: np.ndarray, weight: float) -> np.ndarray | None:
        """`weight` × the mean vector of the disliked films (None without dislikes)."""
        if len(disliked) == 0:
            return None
        vectors = np.asarray(self.bundle.embeddings[np.sort(disliked)], dtype=np.float32)
        return weight * vectors.mean(axis=0)

    def _encode(self, text: str) -> np.ndarray:
        vector = self.encoder.encode_query(text)
        expected = int(self.bundle.embeddings.shape[1])
        if vector.shape[0] != expected:
            raise IndexMismatchError(
                f"model {self.encoder.name!r} gives {vector.shape[0]}-dimensional vectors but the "
                f"index holds {expected}-dimensional ones; rebuild it with `movierec build`"
            )
        return vector

    def _for_mode(self, mode: str, overrides: dict[str, Any]) -> dict[str, Any]:
        """The caller's overrides (None = not given) over this mode's defaults."""
        given = {name: value for name, value in overrides.items() if value is not None}
        return {**self.mode_defaults.get(mode, {}), **given}

    def _rank(
        self,
        query: Query,
        k: int,
        filters: Filters | None,
        excluded_rows: np.ndarray,
        overrides: dict[str, Any],
        bundle: IndexBundle | None = None,
    ) -> list[Hit]:
        check_k(k)
        settings = self.settings.with_overrides(**overrides)
        mask = self.filter_index.mask(check_filters(filters), excluded_rows)
        vectors = bundle or self.bundle
        candidates = Candidates(vectors, self.prior_for(settings), mask, self.unseen)
        return [self.movies.hit(scored) for scored in rank(query, candidates, k, settings)]

    # -- catalog access ------------------------------------------------------------------------

    def movie(self, id: int) -> dict[str, Any]:
        """All catalog fields of one film, JSON-ready (`id` a whole number, as for `similar`)."""
        check_number("id", id, int)
        return self.movies.record(self.movies.row(id))

    def title_options(self, limit: int | None = None) -> list[tuple[str, int]]:
        """("Title (year)", id) for every film (or the `limit` most voted), most voted first:
        for a type-ahead picker."""
        if limit is not None:
            check_k(limit, "limit")
        order = np.argsort(-self.filter_index.votes, kind="stable")[:limit]
        return [(self.movies.label(int(r)), int(self.movies.ids[r])) for r in order]

    def title_suggestions(self, text: str, limit: int = 10) -> list[tuple[str, int]]:
        """("Title (year)", id) of films whose title, or a word of it, starts with the typed
        text, most voted first: a type-ahead that stays fast at a million titles."""
        check_k(limit, "limit")
        rows = self.movies.titles.complete(check_text("text", text) or "", limit)
        return [(self.movies.label(r), int(self.movies.ids[r])) for r in rows]

    def facets(self) -> dict[str, Any]:
        """What filters can choose from: genres, languages by frequency, year and rating ranges."""
        catalog = self.bundle.catalog
        genres = sorted({str(g) for names in catalog["genres"] for g in names if str(g)})
        languages = catalog["original_language"].replace("", np.nan).dropna().value_counts()
        years = catalog["year"].dropna()
        return {
            "genres": genres,
            "languages": [(str(code), int(n)) for code, n in languages.items()],
            "years": (int(years.min()), int(years.max())) if len(years) else None,
        }

    def taste_map(self) -> pd.DataFrame:
        """Every film at a 2-D position (x, y) where similar films sit close together."""
        from movierec.taste_map import cached_projection

        catalog = self.bundle.catalog
        coords = cached_projection(
            self.bundle.embeddings,
            self.bundle.manifest["catalog"]["fingerprint"],
            self.encoder.name,
        )
        return pd.DataFrame(
            {
                "id": catalog["id"].to_numpy(),
                "title": catalog["title"].to_numpy(),
                "year": catalog["year"],
                "genres": [", ".join(g[:3]) for g in catalog["genres"]],
                "x": coords[:, 0],
                "y": coords[:, 1],
            }
        )

    def info(self) -> dict[str, Any]:
        """What this recommender serves: counts, model, index kind, taste model, genres."""
        from movierec.tuning.shipped import taste_model

        manifest = self.bundle.manifest
        return {
            "movies": len(self.bundle.catalog),
            "model": manifest["model"],
            "backend": getattr(self.encoder, "backend", DEFAULT_BACKEND),
            "dimension": int(self.bundle.embeddings.shape[1]),
            "index": self.bundle.dense.kind,
            "vocabulary": self.bundle.bm25.params()["vocab_size"],
            "catalog": manifest["catalog"],
            "built": manifest.get("created_at", "not saved"),
            "taste_model": taste_model(manifest),
            "genres": self.facets()["genres"],
            "settings": self.settings.__dict__,
        }


def query_backend(bundle: IndexBundle, where: config.Config) -> str:
    """The backend that encodes queries for `bundle`: the asked one if its vectors match the
    index's (IndexMismatchError naming both otherwise), else the index's own."""
    built = str(bundle.manifest.get("backend", DEFAULT_BACKEND))  # older indexes: torch
    if where.backend is None:
        return built
    if not compatible(built, where.backend):
        raise IndexMismatchError(incompatibility(built, where.backend, where.index_dir))
    return where.backend


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return (vector / norm).astype(np.float32) if norm > 0 else vector.astype(np.float32)
