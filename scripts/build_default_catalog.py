"""Derive movierec's default catalog from the TMDB 5000 movies and credits files.

    python scripts/build_default_catalog.py [--raw DIR] [--out PATH]

Deterministic: the same raw files always give a byte-identical Parquet file.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from movierec.catalog import COLUMNS, load_catalog

LOG = logging.getLogger("build_default_catalog")
ROOT = Path(__file__).resolve().parent.parent
NOTICE = """movierec default catalog (movierec/data/catalog.parquet)
======================================================

This product uses the TMDb API but is not endorsed or certified by TMDb.

Source: the "TMDB 5000 Movie Dataset" (Kaggle tmdb/tmdb-movie-metadata), files
tmdb_5000_movies.csv and tmdb_5000_credits.csv, whose data come from the TMDb API and
fall under TMDb's API Terms of Use (attribution required; no commercial use without
TMDb's permission).

Derived fields: id (TMDB id), title, year (from release_date), genres, overview,
tagline, keywords, director (first crew member with job "Director"), cast (top 5 by
billing order), runtime, original_language, vote_average, vote_count, popularity.
Films with neither an overview nor keywords are left out.

Regenerate with: python scripts/build_default_catalog.py --raw ../shared/data/raw
"""


def _names(cell: str) -> list[str]:
    return [item["name"] for item in json.loads(cell or "[]")]


def _director(crew: str) -> str:
    return next((p["name"] for p in json.loads(crew or "[]") if p.get("job") == "Director"), "")


def _top_cast(cast: str, n: int = 5) -> list[str]:
    people = sorted(json.loads(cast or "[]"), key=lambda p: p.get("order", 0))
    return [p["name"] for p in people[:n]]


def derive(raw: Path) -> pd.DataFrame:
    """The catalog rows, in the movierec schema, sorted by id."""
    movies = pd.read_csv(raw / "tmdb_5000_movies.csv", keep_default_na=False)
    credits = pd.read_csv(raw / "tmdb_5000_credits.csv", keep_default_na=False)
    credits = credits.rename(columns={"movie_id": "id"})[["id", "cast", "crew"]]
    frame = movies.merge(credits, on="id", how="left", validate="one_to_one")
    catalog = pd.DataFrame(
        {
            "id": frame["id"].astype("int64"),
            "title": frame["title"].str.strip(),
            "year": pd.to_datetime(frame["release_date"], errors="coerce").dt.year.astype("Int64"),
            "genres": frame["genres"].map(_names),
            "overview": frame["overview"].str.strip(),
            "tagline": frame["tagline"].str.strip(),
            "keywords": frame["keywords"].map(_names),
            "director": frame["crew"].map(_director),
            "cast": frame["cast"].map(_top_cast),
            "runtime": pd.to_numeric(frame["runtime"], errors="coerce"),
            "original_language": frame["original_language"],
            "vote_average": pd.to_numeric(frame["vote_average"], errors="coerce"),
            "vote_count": pd.to_numeric(frame["vote_count"], errors="coerce").astype("int64"),
            "popularity": pd.to_numeric(frame["popularity"], errors="coerce").round(4),
        }
    )
    describable = (catalog["overview"] != "") | (catalog["keywords"].map(len) > 0)
    keep = describable & (catalog["title"] != "")
    return catalog[keep].sort_values("id").reset_index(drop=True)[list(COLUMNS)]


def write(catalog: pd.DataFrame, out: Path) -> None:
    """Write Parquet without pandas metadata or timestamps, so the bytes are reproducible."""
    table = pa.Table.from_pandas(catalog, preserve_index=False).replace_schema_metadata(None)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    pq.write_table(table, tmp, compression="zstd", compression_level=19, write_statistics=False)
    tmp.replace(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, default=ROOT.parent / "shared" / "data" / "raw")
    parser.add_argument("--out", type=Path, default=ROOT / "movierec" / "data" / "catalog.parquet")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    catalog = derive(args.raw)
    write(catalog, args.out)
    (args.out.parent / "NOTICE").write_text(NOTICE)
    check = load_catalog(args.out)
    LOG.info("wrote %d films to %s (%.2f MB)", len(check), args.out, args.out.stat().st_size / 1e6)


if __name__ == "__main__":
    main()
