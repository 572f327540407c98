"""Shared fixtures: the tiny fixture catalog, a fast fake encoder, the real packaged model, and
store locations on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from tests.postgres import Locations, need_postgres

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_CATALOG = FIXTURES / "movies.csv"


class FakeEncoder:
    """Deterministic bag-of-words hashing encoder: fast, offline, meaning-free.

    For unit tests of the plumbing only; ranking quality is tested with the real model.
    """

    name = "test/fake-hashing-encoder"
    dimension = 128

    def __init__(self) -> None:
        self.encoded: list[str] = []

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dimension, dtype=np.float32)
        for token in re.findall(r"[a-z0-9]+", text.lower()):
            digest = hashlib.md5(token.encode()).digest()
            vector[digest[0] % self.dimension] += 1.0 if digest[1] % 2 else -1.0
        norm = np.linalg.norm(vector)
        return vector / norm if norm else vector

    def encode(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        self.encoded.extend(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._vector(t) for t in texts]).astype(np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode([text])[0]


@pytest.fixture
def fake_encoder() -> FakeEncoder:
    return FakeEncoder()


@pytest.fixture(scope="session")
def real_encoder():
    """The packaged all-MiniLM-L6-v2, loaded once per test session."""
    from movierec.embed import Encoder

    encoder = Encoder()
    _ = encoder.model
    return encoder


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch) -> Path:
    """Indexes go to a temporary MOVIEREC_HOME, never the user's cache."""
    home = tmp_path_factory.mktemp("movierec-home")
    monkeypatch.setenv("MOVIEREC_HOME", str(home))
    return home


@pytest.fixture(params=["sqlite", "postgres"])
def new_location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Locations]:
    """Make fresh store locations, once for SQLite and once for PostgreSQL."""
    if request.param == "postgres":
        need_postgres()
    locations = Locations(request.param, tmp_path)
    yield locations
    locations.cleanup()


@pytest.fixture
def pg_location(tmp_path: Path) -> Iterator[Locations]:
    """Fresh PostgreSQL store locations only."""
    need_postgres()
    locations = Locations("postgres", tmp_path)
    yield locations
    locations.cleanup()
