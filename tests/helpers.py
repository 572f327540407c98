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


PAYLOADS = {  # titles (and overviews) that would be live Markdown or HTML if not escaped
    990001: "![x](http://127.0.0.1:9/track.png)",
    990002: "[go](javascript:alert(1))",
    990003: "<img src=x onerror=alert(1)>",
    990004: "<script>alert(1)</script>",
}


def payload_catalog(directory: Path) -> Path:
    """The fixture catalog plus films whose titles and overviews carry Markdown/HTML payloads;
    every payload film is about zebras, so a search for "zebra" finds them."""
    import csv

    path = directory / "payload_movies.csv"
    rows = list(csv.DictReader(FIXTURE_CATALOG.open(encoding="utf-8")))
    overview = "A zebra herd crosses the plains. " + " ".join(PAYLOADS.values())
    for movie_id, title in PAYLOADS.items():
        extra = {"id": str(movie_id), "title": title, "year": "2001", "overview": overview}
        rows.append({**rows[0], **extra, "keywords": "zebra", "genres": "Drama|<b>Bold</b>"})
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path
