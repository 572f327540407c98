"""`movierec profile`: the saved profiles the app uses, from the command line."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from movierec.cli.common import add_locations, ids_of, locations, open_recommender
from movierec.errors import UsageError


def register(sub: argparse._SubParsersAction) -> None:
    prof = sub.add_parser("profile", help="show, edit, export or import a saved profile")
    prof.add_argument("user", help="profile name, as in the app")
    prof.add_argument("--like", action="extend", nargs="+", default=[], help="titles or ids")
    prof.add_argument("--dislike", action="extend", nargs="+", default=[], help="titles or ids")
    prof.add_argument("--remove", action="extend", nargs="+", default=[], help="titles or ids")
    prof.add_argument("--export", dest="export_file", help="write the profile as JSON here")
    prof.add_argument("--import", dest="import_file", help="add the likes of a JSON profile")
    prof.add_argument("--replace", action="store_true", help="with --import: replace, not add")
    prof.add_argument("--json", action="store_true")
    add_locations(prof, store=True)
    prof.set_defaults(run=run_profile)


def run_profile(args: argparse.Namespace) -> int:
    """Apply the requested edits in order (import, like, dislike, remove, export), then show."""
    from movierec.files import atomic_write
    from movierec.store import open_store

    recommender = open_recommender(args)
    store = open_store(locations(args).store)
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
        text = json.dumps(store.export_profile(args.user), indent=2) + "\n"
        try:
            atomic_write(Path(args.export_file), text)
        except OSError as error:
            raise UsageError(
                f"cannot write {args.export_file} ({error}); give a file path"
            ) from None
    if args.json:
        print(json.dumps(store.export_profile(args.user), indent=2))
        return 0
    profile = store.profile(args.user)
    movies = recommender.movies
    for heading, ids in (("liked", profile.liked), ("disliked", profile.disliked)):
        names = [movies.label(movies.row_of[i]) if i in movies.row_of else f"id {i}" for i in ids]
        print(f"{heading} ({len(ids)}): {'; '.join(names) if names else '-'}")
    return 0


def _read_json(path: Path) -> dict:
    from movierec.store import StoreError

    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise StoreError(
            f"{path} is not a JSON profile ({error}); export one with `movierec profile USER "
            "--export FILE` or from the app"
        ) from None
