"""`movierec app`: start the packaged Streamlit app, for a user who installed the wheel."""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path

from movierec.cli.common import add_locations, locations
from movierec.errors import UsageError

APP_MODULE = "movierec.app.main"
FLAG_VARIABLES = {  # flag → the variable the app reads it from
    "catalog": "MOVIEREC_CATALOG",
    "index_dir": "MOVIEREC_INDEX",
    "store": "MOVIEREC_STORE",
    "model": "MOVIEREC_MODEL",
    "backend": "MOVIEREC_BACKEND",
}


def register(sub: argparse._SubParsersAction) -> None:
    app = sub.add_parser("app", help="start the Streamlit app in the browser")
    app.add_argument("--port", type=int, default=8501, help="port to serve on (8501)")
    add_locations(app, store=True)
    app.set_defaults(run=run)


def app_script() -> Path:
    """Path of the app's main script, found without importing it (importing runs the app)."""
    spec = importlib.util.find_spec(APP_MODULE)
    if spec is None or spec.origin is None:
        raise UsageError(
            f"{APP_MODULE} is not installed; reinstall movierec (pip install movierec)"
        )
    return Path(spec.origin)


def command(port: int) -> list[str]:
    """The `streamlit run` command line of the app on `port`."""
    if not 1 <= port <= 65535:
        raise UsageError(f"--port must be between 1 and 65535, got {port}")
    script = str(app_script())
    headless = ["--server.headless", "true", "--server.port", str(port)]
    return [sys.executable, "-m", "streamlit", "run", script, *headless]


def check_locations(args: argparse.Namespace) -> None:
    """Refuse what every other command refuses (a backend, store, catalog or index that cannot
    be used), with their messages: once Streamlit runs, an error shows only in the browser."""
    from movierec.catalog import load_catalog
    from movierec.store import ProfileStore

    where = locations(args)  # an unknown backend, a store URL of another scheme, an index file
    load_catalog(where.catalog)  # missing, unreadable or not a catalog
    ProfileStore(where.store).close()  # a folder, not a file; a folder it cannot create


def run(args: argparse.Namespace) -> int:
    """Serve the app until stopped; flags reach it as MOVIEREC_* variables."""
    argv = command(args.port)
    check_locations(args)
    env = dict(os.environ)
    for flag, variable in FLAG_VARIABLES.items():
        value = getattr(args, flag)
        if value:
            env[variable] = str(value)
    print(f"movierec app on http://localhost:{args.port} (Ctrl+C stops it)", flush=True)
    # Streamlit takes this process's place, so Ctrl+C or a SIGTERM sent to `movierec app`
    # reaches the server itself: stopping the command never leaves a server running.
    os.execve(argv[0], argv, env)
    return 0  # not reached: execve does not return
