"""`movierec` command line: one module per command group, sharing `movierec.cli.common`.

- `search`: build, search, similar, recommend, info
- `profile`: profile
- `community`: import-ratings, retrain
- `batch`: batch
- `evaluate`: eval
- `app`: app
- `together`: together
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from movierec.cli import app, batch, community, evaluate, profile, search, together, tune
from movierec.errors import user_errors

COMMAND_GROUPS = (search, profile, evaluate, batch, community, tune, app, together)


def parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    root = argparse.ArgumentParser(
        prog="movierec", description="Offline movie recommender: search, similar, recommend."
    )
    sub = root.add_subparsers(dest="command", required=True)
    for group in COMMAND_GROUPS:
        group.register(sub)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `movierec` console script; user errors exit with code 2."""
    try:
        args = parser().parse_args(argv)
    except SystemExit as stop:  # --help (0) or a bad flag (2): argparse has printed why
        return stop.code if isinstance(stop.code, int) else 2
    level = logging.INFO if args.verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.run(args)
    except user_errors() as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
