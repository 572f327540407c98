"""A .npy matrix read row by row with pread: vectors that stay on disk (in the page cache).

Memory-mapping a large vector file and reading scattered rows makes every row fault in the
pages around it (64 KB each on Linux), so after a few thousand queries the whole file is
resident. A large index reads the rows it re-ranks, explains or averages with one pread each
(about a microsecond from the page cache) and holds none of them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
from numpy.lib import format as npy_format


class VectorFile:
    """The rows of a C-ordered 2-D .npy file; indexing reads them, `np.asarray` reads all."""

    def __init__(self, path: Path):
        self.path = Path(path)
        with self.path.open("rb") as file:
            major, _ = npy_format.read_magic(file)
            read_header = (
                npy_format.read_array_header_1_0 if major == 1 else npy_format.read_array_header_2_0
            )
            shape, fortran, dtype = read_header(file)
            self._offset = file.tell()
        if fortran or len(shape) != 2:
            raise ValueError(f"{path}: expected a C-ordered 2-D array, found shape {shape}")
        self.shape, self.dtype = tuple(shape), np.dtype(dtype)
        self._row_bytes = self.shape[1] * self.dtype.itemsize
        expected = self._offset + self.shape[0] * self._row_bytes
        if os.path.getsize(self.path) < expected:
            raise ValueError(f"{path}: truncated ({os.path.getsize(self.path)} < {expected} bytes)")
        self._fd = os.open(self.path, os.O_RDONLY)

    def __del__(self) -> None:
        fd = getattr(self, "_fd", None)
        if fd is not None:
            os.close(fd)

    def __len__(self) -> int:
        return self.shape[0]

    @property
    def ndim(self) -> int:
        return 2

    def __getitem__(self, key: Any) -> np.ndarray:
        if isinstance(key, (int, np.integer)):
            return self._rows(np.array([key]))[0]
        if isinstance(key, slice):
            return self._rows(np.arange(len(self))[key])
        return self._rows(np.asarray(key))

    def _rows(self, rows: np.ndarray) -> np.ndarray:
        if rows.dtype == bool:
            rows = np.flatnonzero(rows)
        rows = np.where(rows < 0, rows + len(self), rows).astype(np.int64)
        if len(rows) and (rows.min() < 0 or rows.max() >= len(self)):
            raise IndexError(f"row out of range for {len(self)} vectors")
        out = np.empty((len(rows), self.shape[1]), dtype=self.dtype)
        buffer = out.view(np.uint8)
        for i, row in enumerate(rows.tolist()):
            os.preadv(self._fd, [buffer[i]], self._offset + row * self._row_bytes)
        return out

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        whole = np.load(self.path, allow_pickle=False)
        return whole if dtype is None else whole.astype(dtype, copy=False)

    def __matmul__(self, other: np.ndarray) -> np.ndarray:
        return np.asarray(self) @ other
