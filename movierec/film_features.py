"""Films' metadata as sparse features (genres, keywords, director, leading cast), for EASE."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
from scipy import sparse

from movierec.catalog_values import as_list, as_text

LIST_COLUMNS = {"genres": "genre", "keywords": "keyword", "cast": "cast"}
TOP_CAST = 5  # the first this-many cast members of a film
MIN_FILMS = 2  # a feature of fewer films says nothing about any pair of films


def film_feature_names(film: pd.Series | dict) -> list[str]:
    """The feature names of one catalog row: `genre:…`, `keyword:…`, `director:…`, `cast:…`."""
    names = []
    for column, prefix in LIST_COLUMNS.items():
        values = as_list(film.get(column))
        names += [f"{prefix}:{v.lower()}" for v in values[: TOP_CAST if column == "cast" else None]]
    director = as_text(film.get("director"))
    if director:
        names.append(f"director:{director.lower()}")
    return list(dict.fromkeys(names))


def metadata_features(catalog: pd.DataFrame) -> sparse.csr_matrix:
    """One unit-length row per film (catalog order): IDF-weighted indicators of its genres,
    keywords, director and first TOP_CAST cast members, each feature shared by at least
    MIN_FILMS films. A film with none gets a zero row; missing columns give no features.

    `fit_ease(..., features=…)` adds the rows' cosines to EASE's Gram matrix, so films with the
    same director, cast or keywords borrow each other's likes (docs/tuning.md)."""
    columns = [c for c in (*LIST_COLUMNS, "director") if c in catalog.columns]
    films = [film_feature_names(row) for row in catalog[columns].to_dict("records")]
    counts = Counter(name for names in films for name in names)
    vocabulary = {
        n: i for i, n in enumerate(sorted(n for n, c in counts.items() if c >= MIN_FILMS))
    }
    idf = np.log(max(len(films), 1) / np.array([counts[n] for n in vocabulary] or [1.0]))
    rows, cols = [], []
    for row, names in enumerate(films):
        for name in names:
            if name in vocabulary:
                rows.append(row)
                cols.append(vocabulary[name])
    cols_array = np.asarray(cols, dtype=np.int64)
    values = idf[cols_array] if len(cols_array) else np.empty(0)
    matrix = sparse.csr_matrix(
        (values, (np.asarray(rows, dtype=np.int64), cols_array)),
        shape=(len(films), len(vocabulary)),
    )
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    return sparse.csr_matrix(sparse.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ matrix)
