"""The contract every search index keeps, and the errors a stored index can raise."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol, Self, TypeVar, runtime_checkable

import numpy as np

Query = TypeVar("Query", contravariant=True)


class IndexMismatchError(ValueError):
    """A stored index does not fit the model, dimension or catalog it is asked to serve."""


class StaleIndexError(IndexMismatchError):
    """An index of another version of the catalog, or of an older movierec: safe to rebuild."""


class DamagedIndexError(StaleIndexError):
    """A file of a stored index cannot be read: safe to rebuild (vectors are reused if intact)."""


@runtime_checkable
class SearchIndex(Protocol[Query]):
    """Rows (catalog positions) searchable by a query; one directory entry on disk.

    `build(data, **params)` is a classmethod over the rows' data (vectors, token lists);
    `load(directory, entry)` reads what `save(directory)` wrote and described in `entry`, raising
    FileNotFoundError naming a missing file, DamagedIndexError naming an unreadable one.
    """

    @classmethod
    def build(cls, data: Any, **params: Any) -> Self:
        """Index the rows' data: one item per row."""
        ...

    @classmethod
    def load(cls, directory: Path, entry: dict[str, Any]) -> Self:
        """Read what `save` wrote, described by the entry it returned."""
        ...

    def __len__(self) -> int: ...

    def search(
        self, query: Query, k: int, mask: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k rows and their scores, best first, only rows where mask is True."""
        ...

    def save(self, directory: Path) -> dict[str, Any]:
        """Write the index's files into directory; returns its manifest entry."""
        ...


def require_files(directory: Path, what: str, *names: str) -> list[Path]:
    """Paths of an index's files; FileNotFoundError naming the first that is missing."""
    paths = [Path(directory) / name for name in names]
    for path in paths:
        if not path.exists():
            raise FileNotFoundError(f"{what} not found at {path}; rebuild it with `movierec build`")
    return paths


def damaged(path: Path, error: Exception) -> DamagedIndexError:
    """The error for an index file that exists but cannot be read."""
    return DamagedIndexError(
        f"the index file {path} is damaged ({type(error).__name__}: {error}); "
        "rebuild it with `movierec build`"
    )
