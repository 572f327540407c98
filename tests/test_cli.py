"""The `movierec` command through a subprocess, on the fixture catalog with the real model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import FIXTURE_CATALOG


def movierec(*args: str, stdin: str | None = None, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "MOVIEREC_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "movierec.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    """A MOVIEREC_HOME whose fixture index is built once, through the CLI."""
    home = tmp_path_factory.mktemp("cli-home")
    result = movierec("build", "--catalog", str(FIXTURE_CATALOG), "--quiet", home=home)
    assert result.returncode == 0, result.stderr
    assert "Indexed 30 movies" in result.stdout
    assert "30 encoded, 0 reused" in result.stdout
    return home


def run_json(home: Path, *args: str) -> list[dict]:
    result = movierec(*args, "--catalog", str(FIXTURE_CATALOG), "--json", "-q", home=home)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["results"]


@pytest.mark.model
def test_build_again_reuses_every_embedding(home) -> None:
    result = movierec("build", "--catalog", str(FIXTURE_CATALOG), "-q", home=home)
    assert "0 encoded, 30 reused" in result.stdout


@pytest.mark.model
def test_search_text_and_json(home) -> None:
    results = run_json(home, "search", "heist with a twist", "--k", "3")
    assert len(results) == 3 and results[0]["title"] in ("Ocean's Eleven", "Inception")
    assert {"id", "title", "year", "score", "matched_terms"} <= set(results[0])
    text = movierec("search", "heist", "--catalog", str(FIXTURE_CATALOG), "-q", home=home)
    assert text.returncode == 0 and " 1. " in text.stdout and "score" in text.stdout


def test_similar_with_filters_and_recommend(home) -> None:
    results = run_json(
        home, "similar", "Heat", "--k", "5", "--genre", "Crime", "--year-min", "2000"
    )
    assert results and all("Crime" in r["genres"] and r["year"] >= 2000 for r in results)
    assert 949 not in [r["id"] for r in results]
    recs = run_json(
        home, "recommend", "--like", "Toy Story", "12", "--dislike", "Alien", "--k", "5"
    )
    assert len(recs) == 5 and not {862, 12, 348} & {r["id"] for r in recs}


def test_info(home) -> None:
    result = movierec("info", "--catalog", str(FIXTURE_CATALOG), "--json", home=home)
    info = json.loads(result.stdout)
    assert info["movies"] == 30 and info["dimension"] == 384 and info["index"] == "flat"


@pytest.mark.model
def test_batch_answers_every_line_in_order(home) -> None:
    lines = [
        {"mode": "search", "text": "haunted hotel", "k": 2},
        "this is not json",
        {"mode": "similar", "id": 155, "k": 2},
        {"mode": "similar", "title": "Incepton"},
        {
            "mode": "recommend",
            "liked": [862, 12],
            "disliked": [],
            "k": 2,
            "filters": {"genres": ["Animation"]},
        },
        {"mode": "dance"},
        {"mode": "recommend", "liked": [1]},
        {"mode": "search", "text": "x", "filters": {"genre": "Drama"}},
    ]
    stdin = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n"
    result = movierec("batch", "--catalog", str(FIXTURE_CATALOG), "-q", stdin=stdin, home=home)
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(answers) == len(lines)
    assert answers[0]["results"][0]["title"] == "The Shining"
    assert "not valid JSON" in answers[1]["error"]
    assert answers[2]["results"][0]["title"] == "Batman Begins"
    assert "Did you mean: Inception" in answers[3]["error"]
    assert all("Animation" in r["genres"] for r in answers[4]["results"])
    assert "unknown mode 'dance'" in answers[5]["error"]
    assert "no film with id 1" in answers[6]["error"]
    assert "valid filters are" in answers[7]["error"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("id,title,overview\n1,A,x\n1,B,y\n", "duplicate"),
        ("id,title,overview\n1,,x\n", "row 1"),
        ("id,overview\n1,x\n", "title"),
    ],
)
def test_bad_catalog_exits_2_and_writes_nothing(tmp_path, content, message) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(content)
    index = tmp_path / "idx"
    result = movierec("build", "--catalog", str(bad), "--index", str(index), home=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not index.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad.csv"]


def test_unknown_title_and_missing_file_exit_2(home, tmp_path) -> None:
    result = movierec("similar", "Incepton", "--catalog", str(FIXTURE_CATALOG), home=home)
    assert result.returncode == 2 and "Did you mean: Inception" in result.stderr
    result = movierec("search", "x", "--catalog", str(tmp_path / "nope.csv"), home=home)
    assert result.returncode == 2 and "nope.csv" in result.stderr
    result = movierec("build", "--kind", "annoy", home=home)
    assert result.returncode == 2 and "invalid choice" in result.stderr


@pytest.mark.model
def test_profile_edit_export_import_and_recommend_for_user(home, tmp_path) -> None:
    store = str(tmp_path / "profiles.db")
    common = ("--catalog", str(FIXTURE_CATALOG), "--store", store, "-q")
    edit = movierec(
        "profile", "ana", "--like", "Heat", "Collateral", "--dislike", "Toy Story", *common,
        home=home,
    )  # fmt: skip
    assert edit.returncode == 0, edit.stderr
    assert "liked (2): Heat (1995); Collateral (2004)" in edit.stdout
    assert "disliked (1): Toy Story (1995)" in edit.stdout

    exported = tmp_path / "ana.json"
    result = movierec("profile", "ana", "--export", str(exported), *common, home=home)
    assert result.returncode == 0
    assert json.loads(exported.read_text())["liked"] == [949, 1538]
    result = movierec("profile", "ben", "--import", str(exported), "--json", *common, home=home)
    assert json.loads(result.stdout)["disliked"] == [862]

    answer = movierec("recommend", "--user", "ben", "--json", "--k", "5", *common, home=home)
    assert answer.returncode == 0, answer.stderr
    ids = [r["id"] for r in json.loads(answer.stdout)["results"]]
    assert len(ids) == 5 and not {949, 1538, 862} & set(ids)


def test_profile_errors_exit_2_and_write_nothing(home, tmp_path) -> None:
    store = tmp_path / "profiles.db"
    common = ("--catalog", str(FIXTURE_CATALOG), "--store", str(store), "-q")
    bad = tmp_path / "bad.json"
    bad.write_text("not json")
    result = movierec("profile", "ana", "--import", str(bad), "--like", "Heat", *common, home=home)
    assert result.returncode == 2 and "is not a JSON profile" in result.stderr
    result = movierec("profile", "ana", "--like", "Heat", "Nonexistent Film", *common, home=home)
    assert result.returncode == 2 and "no film titled 'Nonexistent Film'" in result.stderr
    shown = movierec("profile", "ana", "--json", *common, home=home)
    assert json.loads(shown.stdout)["liked"] == []  # neither failed call wrote a like


@pytest.mark.model
def test_eval_command_prints_table_and_writes_results(home, tmp_path) -> None:
    ratings = tmp_path / "ratings.csv"
    links = tmp_path / "links.csv"
    ids = [949, 1538, 161, 9654, 27205, 155, 862, 12, 14160, 348, 679, 603, 8587, 129]
    links.write_text("movieId,imdbId,tmdbId\n" + "".join(f"{i},0,{t}\n" for i, t in enumerate(ids)))
    rows = [
        f"{u},{m},{4.0 if (u + m) % 3 else 2.0},0\n" for u in range(30) for m in range(len(ids))
    ]
    ratings.write_text("userId,movieId,rating,timestamp\n" + "".join(rows))
    out = tmp_path / "eval"
    args = ("eval", "--ratings", str(ratings), "--links", str(links), "--out", str(out))
    result = movierec(
        *args, "--catalog", str(FIXTURE_CATALOG), "-q", "--grid", "dislike_weight=0,1", home=home
    )
    assert result.returncode == 0, result.stderr
    for name in ("random", "popularity", "engine", "engine, dislike_weight=1"):
        assert name in result.stdout
    scores = json.loads((out / "results.json").read_text())["scores"]
    assert set(scores["engine"]) == {
        "profile_recall@10",
        "profile_ndcg@10",
        "similar_ndcg@10",
        "mood_recall@10",
        "mood_ndcg@10",
    }
    assert "mood:" in result.stdout
    assert (out / "chart.png").exists()
    bad = movierec(*args, "--catalog", str(FIXTURE_CATALOG), "--set", "nonsense=1", home=home)
    assert bad.returncode == 2 and "unknown setting" in bad.stderr


@pytest.mark.model
def test_eval_with_a_community_split_compares_content_community_and_blend(
    tmp_path: Path, home: Path
) -> None:
    ratings, links = tmp_path / "ratings.csv", tmp_path / "links.csv"
    ids = [949, 1538, 161, 9654, 27205, 155, 862, 12, 14160, 348, 679, 603, 8587, 129]
    links.write_text("movieId,imdbId,tmdbId\n" + "".join(f"{i},0,{t}\n" for i, t in enumerate(ids)))
    # two overlapping tastes of 10 films each (a profile case needs 10 likes)
    rows = [f"{u},{m},4.5,0\n" for u in range(20) for m in range(10)]
    rows += [f"{u},{m},4.5,0\n" for u in range(20, 40) for m in range(4, 14)]
    ratings.write_text("userId,movieId,rating,timestamp\n" + "".join(rows))
    out = tmp_path / "eval"
    args = ("eval", "--ratings", str(ratings), "--links", str(links), "--out", str(out), "-q")
    result = movierec(
        *args, "--catalog", str(FIXTURE_CATALOG), "--community-split", "0.5", home=home
    )
    assert result.returncode == 0, result.stderr
    scores = json.loads((out / "results.json").read_text())["scores"]
    assert set(scores) == {"random", "popularity", "content only", "item_knn", "ease", "engine"}
    result_json = json.loads((out / "results.json").read_text())
    assert result_json["profile_users"] == 20  # the test half; the other half trained the models
    assert scores["item_knn"]["profile_recall@10"] > 0.5  # co-likes find the held-out films
    assert all(0.0 <= v <= 1.0 for system in scores.values() for v in system.values())
    bad = movierec(*args, "--catalog", str(FIXTURE_CATALOG), "--community-split", "1.5", home=home)
    assert bad.returncode == 2 and "--community-split must be between 0 and 1" in bad.stderr
