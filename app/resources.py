"""Long-lived objects shared by every session: the recommender and the profile store."""

from __future__ import annotations

import streamlit as st

from movierec import config
from movierec.index.storage import IndexMismatchError
from movierec.recommender import Recommender
from movierec.store import ProfileStore, open_store
from movierec.tuning import TunedSource


def catalog_path() -> str | None:
    """The catalog the CLI would use too (`$MOVIEREC_CATALOG`, else the packaged one)."""
    return str(config.resolve().catalog)


@st.cache_resource(show_spinner="Loading the index…")
def _source(catalog: str) -> TunedSource:
    base = Recommender.open(catalog, build=False, tuned=False)
    return base.serving(config.resolve(catalog=catalog).index_dir)


def _open(catalog: str) -> Recommender:
    """What to serve now: a new `movierec tune` version is picked up on the next rerun."""
    return _source(catalog).current()


def recommender() -> Recommender:
    """The cached recommender; on the very first start, builds the index with a progress bar."""
    catalog = catalog_path()
    try:
        return _open(catalog)
    except (FileNotFoundError, IndexMismatchError):
        pass
    bar = st.progress(0.0, text="Building the movie index for the first time…")

    def progress(done: int, total: int) -> None:
        bar.progress(done / max(total, 1), text=f"Embedding films: {done:,} of {total:,}")

    Recommender.open(catalog, progress=progress, tuned=False)
    bar.empty()
    return _open(catalog)


def store() -> ProfileStore:
    """The profile store: `$MOVIEREC_STORE` (a SQLite path or a PostgreSQL URL), else the
    SQLite file under MOVIEREC_HOME."""
    return _store(str(config.resolve().store))


@st.cache_resource
def _store(location: str) -> ProfileStore:
    return open_store(location)


@st.cache_data(show_spinner="Drawing the taste map (once)…")
def taste_map(catalog: str | None):
    """2-D coordinates of every film, computed once and cached on disk too."""
    return _open(catalog).taste_map()


# The picker lists at most this many titles (most voted first); any other title can still be
# typed and is then found by Recommender.similar (exact, or "did you mean" suggestions).
TITLE_OPTIONS = 20_000


@st.cache_data(show_spinner=False)
def title_options(catalog: str | None) -> list[tuple[str, int]]:
    """("Title (year)", id) for the title picker, most voted first."""
    return _open(catalog).title_options(limit=TITLE_OPTIONS)
