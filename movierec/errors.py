"""The errors a user can cause, which the CLI, batch and app report as messages, not tracebacks.

`UsageError` is raised for a mistake in what the user asked for (a bad flag value, conflicting
options, nothing to train on); the other user errors have their own classes beside the code that
raises them. A bare `ValueError` is a bug and keeps its traceback.
"""

from __future__ import annotations

from functools import cache


class UsageError(ValueError):
    """A mistake in the user's request; the message says what to do instead."""


def os_reason(error: OSError) -> str:
    """Why the OS could not open a file, in words for a message (no errno, no repeated path)."""
    if isinstance(error, IsADirectoryError):
        return "it is a folder, not a file"
    if isinstance(error, FileNotFoundError):
        return "no such file"
    return (error.strerror or type(error).__name__).lower()


@cache
def user_errors() -> tuple[type[Exception], ...]:
    """Every exception class that is the user's to fix."""
    # Imported here, not at the top: the modules below raise UsageError themselves.
    from movierec.build import IndexWriteError
    from movierec.catalog import CatalogError
    from movierec.community import CommunityModelError
    from movierec.index.storage import IndexMismatchError
    from movierec.movies import UnknownMovieError
    from movierec.store import StoreError
    from movierec.titles import TitleNotFoundError
    from movierec.tuning.adapter import AdapterError

    return (
        UsageError,
        CatalogError,
        CommunityModelError,
        IndexMismatchError,
        TitleNotFoundError,
        UnknownMovieError,
        StoreError,
        IndexWriteError,
        AdapterError,
        FileNotFoundError,
    )


def __getattr__(name: str) -> tuple[type[Exception], ...]:
    """`USER_ERRORS`, built on first use so that this module imports nothing at load time."""
    if name == "USER_ERRORS":
        return user_errors()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
