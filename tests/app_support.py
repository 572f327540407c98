"""What the AppTest modules share: the app pointed at the fixture catalog and a fresh store."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import FIXTURE_CATALOG


@pytest.fixture
def store_path(tmp_path, monkeypatch) -> Path:
    """The profile store the app under test uses (MOVIEREC_STORE), over the fixture catalog."""
    monkeypatch.setenv("MOVIEREC_CATALOG", str(FIXTURE_CATALOG))
    path = tmp_path / "profiles.db"
    monkeypatch.setenv("MOVIEREC_STORE", str(path))
    return path
