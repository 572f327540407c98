"""The errors a user can cause, which the CLI and batch report as messages, not tracebacks."""

from __future__ import annotations

from movierec.catalog import CatalogError
from movierec.index.storage import IndexMismatchError
from movierec.movies import UnknownMovieError
from movierec.store import StoreError
from movierec.titles import TitleNotFoundError

USER_ERRORS: tuple[type[Exception], ...] = (
    CatalogError,
    IndexMismatchError,
    TitleNotFoundError,
    UnknownMovieError,
    StoreError,
    FileNotFoundError,
    ValueError,
)
