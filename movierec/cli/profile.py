"""`movierec profile`: the saved profiles the app uses, from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from movierec.cli.common import add_locations, ids_of, locations, open_recommender
from movierec.errors import UsageError
from movierec.profile_rules import (
    MAX_PROFILE_BYTES,
    catalog_import,
    skipped_note,
)


def register(sub: argparse._SubParsersAction) -> None:
    prof = sub.add_parser("profile", help="show, edit, export or import a saved profile")
    prof.add_argument("user", help="profile name, as in the app")
    prof.add_argument("--like", action="extend", nargs="+", default=[], help="titles or ids")
    prof.add_argument("--dislike", action="extend", nargs="+", default=[], help="titles or ids")
    prof.add_argument(
        "--seen",
        action="extend",
        nargs="+",
        default=[],
        help="titles or ids watched, neither liked nor disliked: never recommended",
    )
    prof.add_argument("--remove", action="extend", nargs="+", default=[], help="titles or ids")
    prof.add_argument("--export", dest="export_file", help="write the profile as JSON here")
    prof.add_argument("--import", dest="import_file", help="add the films of a JSON profile")
    prof.add_argument("--replace", action="store_true", help="with --import: replace, not add")
    prof.add_argument("--json", action="store_true")
    add_locations(prof, store=True)
    prof.set_defaults(run=run_profile)


def run_profile(args: argparse.Namespace) -> int:
    """Apply the requested edits in order (import, like, dislike, seen, remove, export), then
    show.

    The name, every title, the import file and the export's folder are checked before the
    store is opened; a store that is only read (no edits) is never created."""
    from movierec.files import atomic_write, check_writable_file
    from movierec.store import check_user, open_store

    check_user(args.user)
    for flag, value in (("--export", args.export_file), ("--import", args.import_file)):
        if value is not None and not value.strip():
            raise UsageError(f"{flag} needs a file name, got an empty one")
    if args.replace and not args.import_file:
        raise UsageError("--replace only goes with --import FILE (replace the profile by it)")
    recommender = open_recommender(args)
    edits = {
        "like": ids_of(recommender, args.like, "--like"),
        "dislike": ids_of(recommender, args.dislike, "--dislike"),
        "seen": ids_of(recommender, args.seen, "--seen"),
        "remove": ids_of(recommender, args.remove, "--remove"),
    }
    if args.export_file and Path(args.export_file).is_dir():
        raise UsageError(f"--export {args.export_file} is a folder; give a file name to write")
    recommender.check_not_both(edits["like"], edits["dislike"], edits["seen"])
    data, skipped = None, []
    if args.import_file:
        data, skipped = catalog_import(
            _read_json(Path(args.import_file)), args.user, recommender.movies.row_of
        )
    if args.export_file:
        try:
            check_writable_file(Path(args.export_file))
        except OSError as error:
            raise UsageError(_cannot_export(args, error, "nothing was changed")) from None
    writes = data is not None or any(edits.values())
    store = open_store(locations(args).store, create=writes)
    if writes:
        store.check_writable(args.user)
    if data is not None:
        if skipped:
            print(f"warning: {args.import_file}: {skipped_note(skipped)}", file=sys.stderr)
        store.import_profile(data, user=args.user, replace=args.replace)
    for movie_id in edits["like"]:
        store.like(args.user, movie_id, source="cli")
    for movie_id in edits["dislike"]:
        store.dislike(args.user, movie_id, source="cli")
    for movie_id in edits["seen"]:
        store.seen(args.user, movie_id, source="cli")
    for movie_id in edits["remove"]:
        store.remove(args.user, movie_id, source="cli")
    if args.export_file:
        text = json.dumps(store.export_profile(args.user), indent=2) + "\n"
        try:
            atomic_write(Path(args.export_file), text)
        except OSError as error:
            saved = "the edits were saved, only the export failed" if writes else ""
            raise UsageError(_cannot_export(args, error, saved)) from None
    if args.json:
        print(json.dumps(store.export_profile(args.user), indent=2))
        return 0
    profile = store.profile(args.user)
    movies = recommender.movies
    lists = (("liked", profile.liked), ("disliked", profile.disliked), ("seen", profile.seen))
    for heading, ids in lists:
        names = [movies.label(movies.row_of[i]) if i in movies.row_of else f"id {i}" for i in ids]
        print(f"{heading} ({len(ids)}): {'; '.join(names) if names else '-'}")
    return 0


def _cannot_export(args: argparse.Namespace, error: OSError, note: str) -> str:
    """Why --export failed, `note` (what became of the edits), and what to do."""
    reason = error.strerror or str(error)
    where = f" ({error.filename})" if error.filename else ""
    return (
        f"cannot write --export {args.export_file}: {reason}{where}{'; ' + note if note else ''}"
        "; give a file path in a folder you can write"
    )


def _read_json(path: Path) -> Any:
    """The JSON in `path`; UsageError for a folder, a missing or unreadable file, or one over
    MAX_PROFILE_BYTES; StoreError for text that is not JSON."""
    from movierec.json_input import JSONInputError, parse_json
    from movierec.store import StoreError

    try:
        with path.open("rb") as file:
            raw = file.read(MAX_PROFILE_BYTES + 1)
    except OSError as error:
        reason = error.strerror or str(error)
        raise UsageError(
            f"cannot read {path} ({reason}); give the path of a profile JSON file "
            "written by `movierec profile USER --export FILE` or the app"
        ) from None
    if len(raw) > MAX_PROFILE_BYTES:
        raise UsageError(
            f"{path} is over {MAX_PROFILE_BYTES >> 20} MiB, more than any exported profile; "
            "give a profile JSON file"
        )
    try:
        return parse_json(raw)
    except JSONInputError as error:
        raise StoreError(
            f"{path} is not a JSON profile: {error}; export one with `movierec profile USER "
            "--export FILE` or from the app"
        ) from None
