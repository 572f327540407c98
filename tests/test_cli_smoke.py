"""Each `movierec` command once, as a user runs it: a subprocess with the real packaged model.

The behaviour of every command is tested in-process in tests/test_cli.py; these check that the
console entry point, the real model and the answers of a real model hold together.
import-ratings and retrain have theirs in tests/test_community_cli.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from movierec.build import build_index
from movierec.config import default_index_dir
from tests.cli_support import subprocess_movierec
from tests.helpers import FIXTURE_CATALOG

CATALOG = ("--catalog", str(FIXTURE_CATALOG))


@pytest.fixture(scope="module")
def home(tmp_path_factory, real_encoder) -> Path:
    """A MOVIEREC_HOME whose fixture index is built once with the real model, in this process
    (the model is loaded once per session); `build` itself runs as a subprocess below."""
    home = tmp_path_factory.mktemp("cli-home")
    _, report = build_index(FIXTURE_CATALOG, default_index_dir(FIXTURE_CATALOG, home), real_encoder)
    assert (report.movies, report.encoded, report.reused) == (30, 30, 0)
    return home


def run_json(home: Path, *args: str) -> list[dict]:
    result = subprocess_movierec(*args, *CATALOG, "--json", "-q", home=home)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["results"]


@pytest.mark.model
def test_build_again_reuses_every_embedding(home) -> None:
    result = subprocess_movierec("build", *CATALOG, "-q", home=home)
    assert result.returncode == 0, result.stderr
    assert "Indexed 30 movies" in result.stdout and "0 encoded, 30 reused" in result.stdout


@pytest.mark.model
def test_search_finds_a_heist(home) -> None:
    results = run_json(home, "search", "heist with a twist", "--k", "3")
    assert len(results) == 3 and results[0]["title"] in ("Ocean's Eleven", "Inception")


@pytest.mark.model
def test_similar_with_filters(home) -> None:
    results = run_json(
        home, "similar", "Heat", "--k", "5", "--genre", "Crime", "--year-min", "2000"
    )
    assert results and all("Crime" in r["genres"] and r["year"] >= 2000 for r in results)
    assert 949 not in [r["id"] for r in results]


@pytest.mark.model
def test_recommend(home) -> None:
    recs = run_json(
        home, "recommend", "--like", "Toy Story", "12", "--dislike", "Alien", "--k", "5"
    )
    assert len(recs) == 5 and not {862, 12, 348} & {r["id"] for r in recs}


@pytest.mark.model
def test_info(home) -> None:
    result = subprocess_movierec("info", *CATALOG, "--json", home=home)
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["movies"] == 30 and info["dimension"] == 384 and info["index"] == "flat"


@pytest.mark.model
def test_profile(home, tmp_path) -> None:
    store = str(tmp_path / "profiles.db")
    result = subprocess_movierec(
        "profile", "ana", "--like", "Heat", "Incepton", *CATALOG, "--store", store, home=home
    )
    assert result.returncode == 2 and "Did you mean: Inception" in result.stderr
    assert "Traceback" not in result.stderr
    result = subprocess_movierec(
        "profile", "ana", "--like", "Heat", *CATALOG, "--store", store, "--json", home=home
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["liked"] == [949]


@pytest.mark.model
def test_batch_answers_with_the_real_model(home) -> None:
    lines = [
        {"mode": "search", "text": "haunted hotel", "k": 2},
        "this is not json",
        {"mode": "similar", "id": 155, "k": 2},
    ]
    stdin = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n"
    result = subprocess_movierec("batch", *CATALOG, "-q", stdin=stdin, home=home)
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert answers[0]["results"][0]["title"] == "The Shining"
    assert "not valid JSON" in answers[1]["error"]
    assert answers[2]["results"][0]["title"] == "Batman Begins"


@pytest.mark.model
def test_eval(home, tmp_path) -> None:
    ratings, links = tmp_path / "ratings.csv", tmp_path / "links.csv"
    ids = [949, 1538, 161, 9654, 27205, 155, 862, 12, 14160, 348, 679, 603, 8587, 129]
    links.write_text("movieId,imdbId,tmdbId\n" + "".join(f"{i},0,{t}\n" for i, t in enumerate(ids)))
    rows = [f"{u},{m},{4.0 if (u + m) % 3 else 2.0},0\n" for u in range(30) for m in range(14)]
    ratings.write_text("userId,movieId,rating,timestamp\n" + "".join(rows))
    out = tmp_path / "eval"
    args = ("eval", "--ratings", str(ratings), "--links", str(links), "--out", str(out))
    result = subprocess_movierec(*args, *CATALOG, "-q", home=home)
    assert result.returncode == 0, result.stderr
    assert "engine" in result.stdout and "mood:" in result.stdout
    assert (out / "results.json").exists() and (out / "chart.png").exists()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_app(port: int, home: Path) -> subprocess.Popen:
    """`movierec app` on `port` in a session of its own (so a test can always clean it up),
    stdout and stderr together as text."""
    return subprocess.Popen(
        [sys.executable, "-m", "movierec.cli", "app", "--port", str(port)],
        env={**os.environ, "MOVIEREC_HOME": str(home)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def test_app_serves_the_packaged_app(tmp_path) -> None:
    """`movierec app` starts Streamlit headless; its health check answers (no page is opened,
    so the model is not loaded)."""
    port = _free_port()
    child = _start_app(port, tmp_path)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health") as reply:
                    assert reply.read() == b"ok"
                break
            except OSError:
                assert child.poll() is None, child.stdout.read()
                assert time.monotonic() < deadline, "the app did not start in 60 s"
                time.sleep(0.5)
    finally:
        os.killpg(child.pid, signal.SIGTERM)
        child.wait(timeout=30)
    assert f"movierec app on http://localhost:{port}" in child.stdout.read()


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
            return True
    except OSError:
        return False


def test_stopping_the_app_command_stops_its_server(tmp_path) -> None:
    """A SIGTERM to `movierec app` alone (as a supervisor or a script sends it) stops the
    server too, instead of leaving Streamlit running without its parent."""
    port = _free_port()
    child = _start_app(port, tmp_path)
    try:
        deadline = time.monotonic() + 60
        while not _answers(port):
            assert child.poll() is None and time.monotonic() < deadline, "the app did not start"
            time.sleep(0.5)
        child.terminate()  # this process only, not its group
        child.wait(timeout=30)
        deadline = time.monotonic() + 15
        while _answers(port) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not _answers(port), "the server kept running after `movierec app` was stopped"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)


@pytest.mark.model
def test_eval_measures_the_base_vectors_where_the_shipped_adapter_is_served(tmp_path) -> None:
    """The packaged catalog serves the shipped adapter, which learnt from MovieLens: `eval`
    on the packaged catalog says so and measures the base vectors instead of leaking."""
    ids = [949, 1538, 161, 9654, 27205, 155, 862, 12, 14160, 348, 679, 603, 8587, 129]
    ratings, links = tmp_path / "ratings.csv", tmp_path / "links.csv"
    links.write_text("movieId,imdbId,tmdbId\n" + "".join(f"{i},0,{t}\n" for i, t in enumerate(ids)))
    rows = [f"{u},{m},{4.0 if (u + m) % 3 else 2.0},0\n" for u in range(30) for m in range(14)]
    ratings.write_text("userId,movieId,rating,timestamp\n" + "".join(rows))
    out = tmp_path / "eval"
    args = ("eval", "--ratings", str(ratings), "--links", str(links), "--out", str(out), "-q")
    result = subprocess_movierec(*args, home=tmp_path / "home")
    assert result.returncode == 0, result.stderr
    assert "the shipped adapter learnt from MovieLens" in result.stderr
    assert "engine" in json.loads((out / "results.json").read_text())["scores"]


def _readme_block(after: str) -> list[str]:
    """The lines of README.md after the line `after`, up to the next prompt or fence."""
    lines = (Path(__file__).resolve().parent.parent / "README.md").read_text().splitlines()
    start = lines.index(after) + 1
    end = next(i for i in range(start, len(lines)) if lines[i].startswith(("$ ", "```")))
    return lines[start:end]


def _alike(shown, got) -> bool:
    """The same JSON, numbers within the 4 decimals the CLI prints (a last-digit wobble allowed)."""
    if isinstance(shown, dict):
        return (
            isinstance(got, dict)
            and shown.keys() == got.keys()
            and all(_alike(shown[k], got[k]) for k in shown)
        )
    if isinstance(shown, list):
        return isinstance(got, list) and len(shown) == len(got) and all(map(_alike, shown, got))
    if isinstance(shown, float) and isinstance(got, int | float):
        return abs(shown - got) <= 2e-4
    return shown == got


@pytest.mark.model
def test_the_readme_batch_example_prints_what_the_readme_shows(home) -> None:
    requests = _readme_block("$ cat requests.jsonl")
    shown = _readme_block("$ movierec batch --catalog tests/fixtures/movies.csv < requests.jsonl")
    assert len(requests) == len(shown) == 4
    stdin = "\n".join(requests) + "\n"
    result = subprocess_movierec("batch", *CATALOG, "-q", stdin=stdin, home=home)
    assert result.returncode == 0, result.stderr
    got = result.stdout.splitlines()
    assert len(got) == len(shown)
    for line, answer in zip(shown, got, strict=True):
        assert _alike(json.loads(line), json.loads(answer)), (line, answer)
