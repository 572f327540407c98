"""Long catalog text (overview, tagline, keywords) left on disk for large catalogs.

Serving reads these columns only for the films it shows, so an index of more than
`LAZY_ABOVE` films loads the rest of its catalog and reads them one row group at a time.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

LONG_COLUMNS = ("overview", "tagline", "keywords")
LAZY_ABOVE = 200_000  # films
ROW_GROUP = 4_096  # rows per Parquet row group: one film's text costs reading one group


class LongText:
    """The long text columns of a catalog file, read per film."""

    def __init__(self, path: Path, columns: list[str]):
        self.path, self.columns = Path(path), columns
        self._metadata = pq.read_metadata(self.path)
        sizes = [self._metadata.row_group(i).num_rows for i in range(self._metadata.num_row_groups)]
        self._starts = np.concatenate([[0], np.cumsum(sizes)])
        self._group = lru_cache(maxsize=8)(self._read_group)

    def _read_group(self, group: int) -> pa.Table:
        file = pq.ParquetFile(self.path, metadata=self._metadata)
        return file.read_row_group(group, columns=self.columns)

    def row(self, row: int) -> dict[str, Any]:
        """The long text fields of one film."""
        group = int(np.searchsorted(self._starts, row, side="right")) - 1
        table = self._group(group)
        offset = row - int(self._starts[group])
        return {column: table.column(column)[offset].as_py() for column in self.columns}


def read_catalog(path: Path) -> tuple[pd.DataFrame, LongText | None]:
    """A catalog written by `save_index`: whole when small; when large, without its long text
    (returned as a LongText), list columns as Arrow lists and languages as categories."""
    names = pq.read_schema(path).names
    if pq.read_metadata(path).num_rows <= LAZY_ABOVE:
        return pd.read_parquet(path), None
    long_columns = [c for c in LONG_COLUMNS if c in names]
    table = pq.read_table(path, columns=[c for c in names if c not in long_columns])
    catalog = table.to_pandas(types_mapper=_arrow_lists, self_destruct=True)
    del table
    if "original_language" in catalog:
        catalog["original_language"] = catalog["original_language"].astype("category")
    pa.default_memory_pool().release_unused()
    return catalog, LongText(path, long_columns)


def _arrow_lists(arrow_type: pa.DataType) -> pd.ArrowDtype | None:
    return pd.ArrowDtype(arrow_type) if pa.types.is_list(arrow_type) else None
