"""The community model: item-item weights learned from who liked what (item-kNN, EASE, or
low-rank above EASE's limit).

A model speaks catalog ids; its rows are the positions of `ids` given at fit time. On disk it is a
directory holding `manifest.json` plus `model.npz` (no pickle), written atomically; versioned
storage keeps the newest versions under `root/versions/` and names the live one in `root/CURRENT`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from scipy.linalg import lapack

from movierec import versions
from movierec.community_knn import co_likes, knn_blocks
from movierec.community_lowrank import Factors, low_rank_factors
from movierec.errors import UsageError
from movierec.files import UNREADABLE_NPZ, file_sha256, save_arrays
from movierec.settings import check_number

FORMAT = "movierec-community"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
ARRAYS = "model.npz"
CURRENT = versions.CURRENT
VERSIONS = versions.VERSIONS
KEEP_VERSIONS = versions.KEEP_VERSIONS
STALE_TEMP_S = versions.STALE_TEMP_S  # a retrain's hidden temporary older than this: killed
KINDS = ("item_knn", "ease", "low_rank")
EASE_MAX_ITEMS = 20_000
# EASE's weight of text similarity (pseudo-users per film pair; fit_ease), chosen on MovieLens
# splits of ~150 users: 150 / 500 / 1500 gave 1.03-1.08 / 1.05-1.11 / 1.06-1.11× plain EASE
CONTENT_WEIGHT = 500.0
FEATURE_WEIGHT = 10.0  # EASE: metadata cosines count as this many pseudo-users (fit_ease)
DISLIKE_WEIGHT = 0.5  # a profile's score: liked films' rows minus this × the disliked films'
BLOCK_PRODUCTS = 1 << 22  # co-like products per block of item rows (bounds its memory)
RETRAIN = "run `movierec retrain`"
Likes = Mapping[int, Sequence[int]] | sparse.spmatrix  # liked ids per user, or users × items


class CommunityModelError(ValueError):
    """A stored community model is missing, corrupt or not a community model."""


@dataclass
class CommunityModel:
    """Item-item weights over `ids`: row i says how much liking `ids[i]` counts for each film."""

    ids: np.ndarray
    weights: sparse.csr_matrix | np.ndarray | Factors
    counts: np.ndarray
    kind: str
    params: dict[str, Any] = field(default_factory=dict)
    n_users: int = 0
    n_likes: int = 0

    def __post_init__(self) -> None:
        self.ids = np.asarray(self.ids, dtype=np.int64)
        self.counts = np.asarray(self.counts, dtype=np.int64)
        self.row_of = {int(i): r for r, i in enumerate(self.ids)}
        n = len(self.ids)
        if len(self.row_of) != n:
            raise ValueError("community model ids must be unique")
        if self.kind not in KINDS:
            raise ValueError(f"unknown community model kind {self.kind!r}; expected one of {KINDS}")
        if self.weights.shape != (n, n) or self.counts.shape != (n,):
            raise ValueError(
                f"community model shapes disagree: {n} ids, weights {self.weights.shape}, "
                f"counts {self.counts.shape}"
            )

    @property
    def n_items(self) -> int:
        return len(self.ids)

    def _rows(self, movie_ids: Sequence[int]) -> list[int]:
        known = (self.row_of.get(int(i)) for i in dict.fromkeys(movie_ids))
        return [r for r in known if r is not None]

    def _sum_rows(self, rows: list[int]) -> np.ndarray:
        if not rows:
            return np.zeros(self.n_items)
        if isinstance(self.weights, Factors):
            return self.weights.sum_rows(rows)
        total = self.weights[rows].sum(axis=0, dtype=np.float64)
        return np.asarray(total, dtype=np.float64).ravel()

    def score(
        self,
        liked: Sequence[int],
        disliked: Sequence[int] = (),
        dislike_weight: float = DISLIKE_WEIGHT,
    ) -> np.ndarray:
        """(n_items,) scores: the rows of the liked films minus `dislike_weight` × the rows of the
        disliked ones; unknown ids are ignored (all zeros when none is known)."""
        scores = self._sum_rows(self._rows(liked))
        if dislike_weight:
            scores -= dislike_weight * self._sum_rows(self._rows(disliked))
        return scores

    def similar(self, movie_id: int) -> np.ndarray:
        """(n_items,) the film's row (its co-like weights); all zeros for an unknown film."""
        return self._sum_rows(self._rows([movie_id]))

    def save(self, directory: str | Path) -> dict[str, Any]:
        """Write `manifest.json` and `model.npz` atomically; returns the manifest."""
        arrays = {"ids": self.ids, "counts": self.counts}
        if isinstance(self.weights, Factors):
            arrays |= {"left": self.weights.left, "right": self.weights.right}
        elif sparse.issparse(self.weights):
            csr = sparse.csr_matrix(self.weights, dtype=np.float32)
            arrays |= {"data": csr.data, "indices": csr.indices, "indptr": csr.indptr}
        else:
            arrays["weights"] = np.asarray(self.weights, dtype=np.float32)
        weights = [arrays[name] for name in ("left", "right", "data", "weights") if name in arrays]
        # float32 summed in float64 cannot overflow: the sum is finite iff every weight is
        if not all(np.isfinite(np.sum(part, dtype=np.float64)) for part in weights):
            raise CommunityModelError(
                f"the fitted {self.kind} model has weights that are not finite numbers (NaN or "
                "infinity); nothing was saved; retrain with finite options"
            )
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "kind": self.kind,
            "params": self.params,
            "n_items": self.n_items,
            "n_users": self.n_users,
            "n_likes": self.n_likes,
            "sparse": sparse.issparse(self.weights),
            "layout": _layout(self.weights),
            "ids_sha256": ids_fingerprint(self.ids),
        }
        return save_arrays(Path(directory), ARRAYS, arrays, manifest)

    @classmethod
    def load(cls, directory: str | Path) -> CommunityModel:
        """Load a saved model; CommunityModelError says what is wrong and what to do."""
        directory = Path(directory)
        manifest = read_manifest(directory)
        path = directory / ARRAYS
        if not path.exists():
            raise CommunityModelError(f"community model at {directory} lacks {ARRAYS}; {RETRAIN}")
        if file_sha256(path) != manifest["files"].get(ARRAYS):
            raise CommunityModelError(
                f"{path} does not match its manifest checksum (corrupt or replaced); {RETRAIN}"
            )
        try:
            with np.load(path, allow_pickle=False) as npz:
                arrays = {name: npz[name] for name in npz.files}
            n = manifest["n_items"]
            if manifest.get("layout") == "factors":
                weights = Factors(arrays["left"], arrays["right"])
            elif manifest["sparse"]:
                weights = sparse.csr_matrix(
                    (arrays["data"], arrays["indices"], arrays["indptr"]), shape=(n, n)
                )
            else:
                weights = arrays["weights"]
            if ids_fingerprint(arrays["ids"]) != manifest["ids_sha256"]:
                raise ValueError("the stored ids do not match the manifest fingerprint")
            return cls(
                ids=arrays["ids"],
                weights=weights,
                counts=arrays["counts"],
                kind=manifest["kind"],
                params=manifest["params"],
                n_users=manifest["n_users"],
                n_likes=manifest["n_likes"],
            )
        except (KeyError, TypeError, *UNREADABLE_NPZ) as error:
            raise CommunityModelError(
                f"community model at {directory} is unreadable ({error}); {RETRAIN}"
            ) from error


def _layout(weights: object) -> str:
    if isinstance(weights, Factors):
        return "factors"
    return "sparse" if sparse.issparse(weights) else "dense"


def ids_fingerprint(ids: np.ndarray) -> str:
    """sha256 hex of the ids as little-endian int64 (order-sensitive)."""
    return hashlib.sha256(np.asarray(ids, dtype="<i8").tobytes()).hexdigest()


def read_manifest(directory: Path) -> dict[str, Any]:
    """The checked manifest of a model directory; CommunityModelError when missing or foreign."""
    path = Path(directory) / MANIFEST
    if not path.exists():
        raise CommunityModelError(
            f"no community model at {directory} (missing {MANIFEST}); {RETRAIN}"
        )
    try:
        manifest = json.loads(path.read_text())
    except (ValueError, OSError) as error:
        raise CommunityModelError(f"{path} is not valid JSON ({error}); {RETRAIN}") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise CommunityModelError(
            f"{path} is not a community model manifest (format {found!r}, expected "
            f"{FORMAT!r}); point to a community model directory or {RETRAIN}"
        )
    if manifest.get("format_version") != FORMAT_VERSION:
        raise CommunityModelError(
            f"community model format {manifest.get('format_version')} at {directory} is not the "
            f"supported format {FORMAT_VERSION}; {RETRAIN}"
        )
    needed = ("kind", "params", "n_items", "n_users", "n_likes", "sparse", "ids_sha256", "files")
    missing = [key for key in needed if key not in manifest]
    if missing or manifest["kind"] not in KINDS or not isinstance(manifest["files"], dict):
        raise CommunityModelError(
            f"{path} is incomplete (missing {missing or 'a valid kind or files entry'}); {RETRAIN}"
        )
    return manifest


# --- fitting -----------------------------------------------------------------------------------


def binary_likes(likes: Likes, ids: Sequence[int]) -> tuple[np.ndarray, sparse.csr_matrix]:
    """The ids as int64 and the binary users × items matrix (users without a known like dropped).

    `likes` is each user's liked catalog ids, or already a users × len(ids) sparse matrix (as
    `movierec.community_data.like_matrix` streams it from the store)."""
    ids = np.asarray(ids, dtype=np.int64)
    if sparse.issparse(likes):
        return ids, _binary(sparse.csr_matrix(likes), len(ids))
    column = {int(i): j for j, i in enumerate(ids)}
    if len(column) != len(ids):
        raise ValueError("catalog ids must be unique")
    rows: list[int] = []
    cols: list[int] = []
    n_users = 0
    for user in sorted(likes):
        known = sorted({column[m] for m in map(int, likes[user]) if m in column})
        if known:
            rows.extend([n_users] * len(known))
            cols.extend(known)
            n_users += 1
    matrix = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float64), (rows, cols)), shape=(n_users, len(ids))
    )
    return ids, matrix


def _binary(matrix: sparse.csr_matrix, n_items: int) -> sparse.csr_matrix:
    """`matrix` with ones for its entries and its empty rows dropped."""
    if matrix.shape[1] != n_items:
        raise ValueError(f"like matrix has {matrix.shape[1]} columns for {n_items} catalog ids")
    matrix = matrix.copy()
    matrix.sum_duplicates()
    matrix.eliminate_zeros()
    matrix.data = np.ones(len(matrix.data), dtype=np.float64)
    return matrix[np.diff(matrix.indptr) > 0]


def fit_item_knn(
    likes: Likes,
    ids: Sequence[int],
    neighbours: int = 100,
    shrink: float = 10.0,
    workers: int | None = None,
) -> CommunityModel:
    """Cosine item-kNN: sim(i, j) = co(i, j) / (sqrt(n_i n_j) + shrink), zero diagonal, the top
    `neighbours` per row kept (ties: lower catalog row first). Sparse, in blocks of rows that
    `workers` processes (default: the usable cores) share; never an n × n matrix."""
    if neighbours < 1:
        raise UsageError(f"neighbours must be at least 1, got {neighbours}")
    if not shrink >= 0:  # NaN too
        raise UsageError(f"shrink must be ≥ 0, got {shrink}")
    check_number("shrink", shrink, float)  # inf
    ids, matrix = binary_likes(likes, ids)
    n = len(ids)
    counts = np.asarray(matrix.sum(axis=0)).ravel()
    blocks = knn_blocks(matrix, np.sqrt(counts), shrink, neighbours, BLOCK_PRODUCTS, workers)
    weights = (
        sparse.vstack(blocks, format="csr")
        if blocks
        else sparse.csr_matrix((n, n), dtype=np.float32)
    )
    return CommunityModel(
        ids=ids,
        weights=weights,
        counts=counts.astype(np.int64),
        kind="item_knn",
        params={"neighbours": int(neighbours), "shrink": float(shrink)},
        n_users=matrix.shape[0],
        n_likes=int(matrix.nnz),
    )


def fit_ease(
    likes: Likes,
    ids: Sequence[int],
    l2: float = 100.0,
    content: np.ndarray | None = None,
    content_weight: float = CONTENT_WEIGHT,
    features: sparse.spmatrix | None = None,
    feature_weight: float = FEATURE_WEIGHT,
) -> CommunityModel:
    """EASE (Steck 2019): G = XᵀX + λI, P = G⁻¹, B = −P / diag(P), diag(B) = 0. Dense, so at
    most 20,000 items.

    With `content` (unit film vectors, one row per id), G also gets `content_weight` × CCᵀ: the
    films' text similarity counts as that many pseudo-users liking both films (collective EASE,
    Jeunen et al. 2020), so films with few or no likes borrow weights from the films they read
    like (profile recall 1.04× plain EASE on average over 10 unseen MovieLens splits, 0.99-1.07;
    docs/tuning.md).

    With `features` (sparse unit rows per id, `movierec.film_features.metadata_features`), G
    also gets `feature_weight` × FFᵀ: films sharing a director, cast or keywords count as
    that many pseudo-users liking both (with the text: 1.06× → 1.10× plain EASE on the
    MovieLens seeds 3-8 it was chosen on, 1.026× → 1.039× on the unseen 12-17; docs/tuning.md)."""
    if len(ids) > EASE_MAX_ITEMS:
        raise UsageError(
            f"EASE needs a dense n × n matrix and {len(ids):,} items is more than "
            f"{EASE_MAX_ITEMS:,}; use item_knn (fit_item_knn) instead"
        )
    if not l2 > 0:  # NaN too
        raise UsageError(f"l2 must be > 0, got {l2}")
    check_number("l2", l2, float)  # inf
    for name, weight in (("content_weight", content_weight), ("feature_weight", feature_weight)):
        if not weight >= 0:
            raise UsageError(f"{name} must be >= 0 (0: likes only), got {weight}")
        check_number(name, weight, float)
    ids, matrix = binary_likes(likes, ids)
    n = len(ids)
    gram = np.zeros((n, n))
    for start, co in co_likes(matrix, BLOCK_PRODUCTS):
        block = co.tocoo()
        gram[block.row + start, block.col] = block.data
    params: dict[str, Any] = {"l2": float(l2)}
    if content is not None and content_weight > 0:
        vectors = np.asarray(content, dtype=np.float64)
        if vectors.shape[0] != n:
            raise ValueError(f"content has {vectors.shape[0]} rows for {n} films")
        if not np.isfinite(vectors).all():
            raise ValueError("content vectors must be finite")
        for start in range(0, n, 2048):  # row blocks: no second n × n temporary
            gram[start : start + 2048] += content_weight * (
                vectors[start : start + 2048] @ vectors.T
            )
        params["content_weight"] = float(content_weight)
    if features is not None and feature_weight > 0:
        table = sparse.csr_matrix(features, dtype=np.float64)
        if table.shape[0] != n:
            raise ValueError(f"features has {table.shape[0]} rows for {n} films")
        if not np.isfinite(table.data).all():
            raise ValueError("features must be finite")
        for start in range(0, n, 2048):
            gram[start : start + 2048] += (
                feature_weight * (table[start : start + 2048] @ table.T).toarray()
            )
        params["feature_weight"] = float(feature_weight)
    return CommunityModel(
        ids=ids,
        weights=ease_weights(gram, l2),
        counts=np.asarray(matrix.sum(axis=0)).ravel().astype(np.int64),
        kind="ease",
        params=params,
        n_users=matrix.shape[0],
        n_likes=int(matrix.nnz),
    )


def ease_weights(gram: np.ndarray, l2: float) -> np.ndarray:
    """EASE's closed form from a Gram matrix (overwritten): P = (G + λI)⁻¹, B = −P / diag(P)
    column-wise, diag(B) = 0; float32."""
    gram[np.diag_indices(len(gram))] += l2
    weights = _spd_inverse(gram)  # P
    weights /= -np.diag(weights).copy()  # column j divided by -P_jj
    np.fill_diagonal(weights, 0.0)
    return weights.astype(np.float32)


def _spd_inverse(matrix: np.ndarray) -> np.ndarray:
    """Inverse of a symmetric positive definite matrix by Cholesky (half the work of LU)."""
    if len(matrix) == 0:
        return matrix.copy()
    # G is symmetric, so its transpose is the same matrix in Fortran order: factored in place
    factor, info = lapack.dpotrf(matrix.T, lower=False, overwrite_a=True)
    if info == 0:
        factor, info = lapack.dpotri(factor, lower=False, overwrite_c=True)
    if info != 0:
        raise ValueError(f"EASE Gram matrix is not positive definite (LAPACK info {info})")
    inverse = np.triu(factor)  # dpotri fills the upper triangle only
    del factor
    inverse += np.triu(inverse, 1).T
    return inverse


def fit_low_rank(
    likes: Likes,
    ids: Sequence[int],
    rank: int = 64,
    damping: float = 0.25,
    l2: float = 0.0,
    seed: int = 0,
) -> CommunityModel:
    """Low-rank EASE-like weights W = L Rᵀ (`movierec.community_lowrank`): for catalogs above
    EASE's limit, n × `rank` floats twice instead of n × n."""
    if rank < 1:
        raise UsageError(f"rank must be at least 1, got {rank}")
    if not (damping >= 0 and l2 >= 0):  # NaN too
        raise UsageError(f"damping and l2 must be ≥ 0, got {damping} and {l2}")
    check_number("damping", damping, float)  # inf
    check_number("l2", l2, float)
    ids, matrix = binary_likes(likes, ids)
    if matrix.shape[0] < 2 or len(ids) < 2:
        raise UsageError("a low-rank model needs at least 2 users and 2 films with likes")
    factors, _ = low_rank_factors(matrix, rank, damping, l2, seed)
    return CommunityModel(
        ids=ids,
        weights=factors,
        counts=np.asarray(matrix.sum(axis=0)).ravel().astype(np.int64),
        kind="low_rank",
        params={"rank": factors.left.shape[1], "damping": float(damping), "l2": float(l2)},
        n_users=matrix.shape[0],
        n_likes=int(matrix.nnz),
    )


def fit(kind: str, likes: Likes, ids: Sequence[int], **params: Any) -> CommunityModel:
    """Fit a model of `kind` (one of KINDS) with its keyword parameters."""
    fitters = {"item_knn": fit_item_knn, "ease": fit_ease, "low_rank": fit_low_rank}
    if kind not in fitters:
        raise ValueError(f"unknown community model kind {kind!r}; expected one of {KINDS}")
    return fitters[kind](likes, ids, **params)


# --- versioned storage -------------------------------------------------------------------------


def _content_hash(model: CommunityModel) -> str:
    digest = hashlib.sha256(ids_fingerprint(model.ids).encode())
    digest.update(json.dumps([model.kind, model.params], sort_keys=True).encode())
    weights = model.weights
    if isinstance(weights, Factors):
        parts: tuple[np.ndarray, ...] = (weights.left, weights.right)
    elif sparse.issparse(weights):
        parts = (weights.data, weights.indices, weights.indptr)
    else:
        parts = (weights,)
    for part in parts:
        digest.update(np.ascontiguousarray(part).tobytes())
    return digest.hexdigest()[:8]


def version_names(root: str | Path) -> list[str]:
    """The complete version folders under `root/versions`, oldest first."""
    return versions.version_names(root)


def current_name(root: str | Path) -> str | None:
    """The version folder `root/CURRENT` names, or None when there is no CURRENT."""
    return versions.current_name(root, CommunityModelError, RETRAIN)


def save_version(model: CommunityModel, root: str | Path, keep: int = KEEP_VERSIONS) -> Path:
    """Save under `root/versions/<UTC time>-<hash>/`, then atomically point `root/CURRENT` at it
    and delete all but the newest `keep` versions (never the current one)."""
    return versions.publish(root, model.save, _content_hash(model), keep)


def remove_stale_temporaries(root: str | Path, older_than_s: float = STALE_TEMP_S) -> list[str]:
    """Delete hidden `.….tmp-…` / `.….old-…` leftovers of killed retrains under `root`; recent
    ones may belong to a retrain still running and are kept. Returns the names removed."""
    return versions.remove_stale_temporaries(root, older_than_s)


def load_current(root: str | Path) -> CommunityModel | None:
    """The model `root/CURRENT` names; None when there is none yet."""
    folder = versions.current_folder(root, CommunityModelError, RETRAIN)
    return None if folder is None else CommunityModel.load(folder)
