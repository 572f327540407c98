"""The PostgreSQL store across server trouble: a dead pooled connection is replaced without an
error, a restart between two likes loses nothing, and a stopped server is a clear StoreError.

The restart tests need the throwaway server of scripts/test_postgres.sh
(MOVIEREC_TEST_POSTGRES_DIR): they restart it, which no shared server should suffer."""

from __future__ import annotations

import glob
import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from movierec.store import Profile, ProfileStore, StoreError
from tests.postgres import Locations, kill_other_connections
from tests.store_helpers import event_count

# They stop and restart the server: `make test` runs them alone, before the parallel run.
pytestmark = pytest.mark.serial


def pg_ctl(action: str) -> None:
    """Run `pg_ctl action` on the throwaway server (as its `postgres` user when we are root)."""
    folder = os.environ.get("MOVIEREC_TEST_POSTGRES_DIR", "").strip()
    if not folder or not (Path(folder) / "data").is_dir():
        pytest.skip("restart tests need the server of scripts/test_postgres.sh (…_POSTGRES_DIR)")
    found = (
        shutil.which("pg_ctl")
        or (sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl")) or [""])[-1]
    )
    if not found:
        pytest.skip("no pg_ctl to restart the server with")
    command = [found, "-D", f"{folder}/data", "-l", f"{folder}/server.log", "-w", "-t", "60"]
    if action == "start":  # the options it last ran with (port, socket folder): as restart does
        options = shlex.split((Path(folder) / "data" / "postmaster.opts").read_text())[1:]
        at = options.index("-D")
        command += ["-o", shlex.join(options[:at] + options[at + 2 :]), "start"]
    else:
        command += ["-m", "fast", action]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_a_dead_pooled_connection_costs_no_error(pg_location: Locations) -> None:
    store = ProfileStore(pg_location())
    store.like("ann", 1)
    kill_other_connections()
    store.like("ann", 2)  # the pooled connection is dead: nothing was written, so it retries
    assert store.profile("ann") == Profile("ann", [1, 2], [])
    assert event_count(store) == 2
    store.like("ann", 3)  # and the pool goes on with healthy connections
    assert store.profile("ann").liked == [1, 2, 3]


def test_a_server_restart_between_two_likes_loses_nothing(pg_location: Locations) -> None:
    store = ProfileStore(pg_location())
    store.like("ann", 1)
    pg_ctl("restart")
    store.like("ann", 2)
    assert store.profile("ann") == Profile("ann", [1, 2], [])
    assert event_count(store) == 2
    assert [e.movie_id for e in store.events("ann")] == [1, 2]


def test_a_stopped_server_is_a_clear_error_and_a_started_one_works(
    pg_location: Locations,
) -> None:
    store = ProfileStore(pg_location())
    store.like("ann", 1)
    pg_ctl("stop")
    try:
        with pytest.raises(StoreError, match="server is running") as caught:
            store.like("ann", 2)
        assert "\n" not in str(caught.value)
    finally:
        pg_ctl("start")
    store.like("ann", 3)
    assert store.profile("ann") == Profile("ann", [1, 3], [])
