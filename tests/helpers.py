"""Building recommenders over the fixture catalog for tests."""

from __future__ import annotations

from pathlib import Path

from movierec.build import build_bundle
from movierec.catalog import load_catalog
from movierec.recommender import Recommender

FIXTURE_CATALOG = Path(__file__).parent / "fixtures" / "movies.csv"


def fixture_recommender(encoder, kind: str = "flat", **settings) -> Recommender:
    """A Recommender over the fixture catalog, in memory, with the given encoder."""
    from movierec.settings import Settings

    bundle, _ = build_bundle(load_catalog(FIXTURE_CATALOG), encoder, kind=kind)
    return Recommender(bundle, encoder, Settings(**settings))
