"""`movierec profile`: the saved profiles the app uses, from the command line."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from movierec.recommender import Recommender
from movierec.store import StoreError, open_store


def run_profile(recommender: Recommender, args: argparse.Namespace) -> int:
    """Apply the requested edits in order (import, like, dislike, remove, export), then show."""
    from movierec.cli import ids_of

    store = open_store(args.store)
    edits = {
        "like": ids_of(recommender, args.like),
        "dislike": ids_of(recommender, args.dislike),
        "remove": ids_of(recommender, args.remove),
    }  # every title is resolved before anything is written
    if args.import_file:
        store.import_profile(
            _read_json(Path(args.import_file)), user=args.user, replace=args.replace
        )
    for movie_id in edits["like"]:
        store.like(args.user, movie_id, source="cli")
    for movie_id in edits["dislike"]:
        store.dislike(args.user, movie_id, source="cli")
    for movie_id in edits["remove"]:
        store.remove(args.user, movie_id, source="cli")
    if args.export_file:
        _write_atomically(Path(args.export_file), store.export_profile(args.user))
    profile = store.profile(args.user)
    if args.json:
        print(json.dumps(store.export_profile(args.user), indent=2))
        return 0
    movies = recommender.movies
    for heading, ids in (("liked", profile.liked), ("disliked", profile.disliked)):
        names = [movies.label(movies.row_of[i]) if i in movies.row_of else f"id {i}" for i in ids]
        print(f"{heading} ({len(ids)}): {'; '.join(names) if names else '-'}")
    return 0


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise StoreError(
            f"{path} is not a JSON profile ({error}); export one with `movierec profile USER "
            "--export FILE` or from the app"
        ) from None


def _write_atomically(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    os.replace(tmp, path)
