"""The `movierec` command in-process, on the fixture catalog with the fake encoder.

The commands' behaviour (output, exit codes, what they write) is checked here without loading
torch; tests/test_cli_smoke.py runs each command once through a subprocess with the real model.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from movierec.cli import common
from movierec.settings import Settings
from movierec.store import ProfileStore
from tests import cli_support
from tests.helpers import FIXTURE_CATALOG

cli = cli_support.cli
built = cli_support.built
fake_model = cli_support.fake_model
no_movierec_variables = cli_support.no_movierec_variables


def run_json(cli, *args: str) -> list[dict]:
    result = cli(*args, "--catalog", FIXTURE_CATALOG, "--json", "-q")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["results"]


def test_build_again_reuses_every_embedding(cli) -> None:
    first = cli("build", "--catalog", FIXTURE_CATALOG, "--quiet")
    assert first.returncode == 0, first.stderr
    assert "Indexed 30 movies" in first.stdout and "30 encoded, 0 reused" in first.stdout
    again = cli("build", "--catalog", FIXTURE_CATALOG, "-q")
    assert again.returncode == 0, again.stderr
    assert "0 encoded, 30 reused" in again.stdout


def test_search_text_and_json(cli, built) -> None:
    results = run_json(cli, "search", "heist with a twist", "--k", "3")
    assert len(results) == 3
    assert {"id", "title", "year", "score", "matched_terms"} <= set(results[0])
    text = cli("search", "heist", "--catalog", FIXTURE_CATALOG, "-q")
    assert text.returncode == 0 and " 1. " in text.stdout and "score" in text.stdout


def test_similar_with_filters_and_recommend(cli, built) -> None:
    results = run_json(cli, "similar", "Heat", "--k", "5", "--genre", "Crime", "--year-min", "2000")
    assert results and all("Crime" in r["genres"] and r["year"] >= 2000 for r in results)
    assert 949 not in [r["id"] for r in results]
    recs = run_json(cli, "recommend", "--like", "Toy Story", "12", "--dislike", "Alien", "--k", "5")
    assert len(recs) == 5 and not {862, 12, 348} & {r["id"] for r in recs}


def test_a_title_several_films_share_says_which_was_taken(cli, built) -> None:
    note = (
        "note: 2 films are titled 'Total Recall'; Total Recall (1990) was taken, the most voted; "
        "for another add its year, e.g. Total Recall (2012)"
    )
    for args in (("similar", "Total Recall"), ("recommend", "--like", "Total Recall", "Heat")):
        result = cli(*args, "--k", "2", "--catalog", FIXTURE_CATALOG, "--json", "-q")
        assert result.returncode == 0 and note in result.stderr, result.stderr
        assert len(json.loads(result.stdout)["results"]) == 2  # stdout stays pure JSON
    for args in (
        ("similar", "Total Recall (2012)"),
        ("similar", "--id", "861"),
        ("similar", "Heat"),
    ):
        result = cli(*args, "--k", "2", "--catalog", FIXTURE_CATALOG, "-q")
        assert result.returncode == 0 and "note:" not in result.stderr, result.stderr


def test_every_ranking_setting_is_an_option_of_every_query(cli, built) -> None:
    names = [name for name, _ in Settings.tunables()]
    assert tuple(names) == common.TUNABLES and "steer_weight" in names
    for command in ("search", "similar", "recommend"):
        help_text = cli(command, "--help").stdout
        options = {name.replace("_", "-") for name in names}
        assert all(f"--{option} " in help_text for option in options), command
    steered = run_json(
        cli, "similar", "Heat", "--but", "funnier", "--steer-weight", "0", "--k", "3"
    )
    assert len(steered) == 3
    bad = cli("search", "x", "--catalog", FIXTURE_CATALOG, "--alpha", "2")
    assert bad.returncode == 2 and "alpha must be between 0 and 1" in bad.stderr


def test_info(cli, built) -> None:
    result = cli("info", "--catalog", FIXTURE_CATALOG, "--json")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["movies"] == 30 and info["dimension"] == 128 and info["index"] == "flat"
    assert info["taste_model"] == "plain sentence vectors"  # fake model: no shipped adapter
    text = cli("info", "--catalog", FIXTURE_CATALOG)
    assert text.returncode == 0 and "movies:     30" in text.stdout
    assert "taste:      plain sentence vectors" in text.stdout


def test_batch_answers_every_line_in_order(cli, built) -> None:
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
        {"mode": "search", "text": "x", "k": "many"},
        {"mode": "similar", "id": 155, "steer_weight": -1},
    ]
    stdin = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n"
    result = cli("batch", "--catalog", FIXTURE_CATALOG, "-q", stdin=stdin)
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(answers) == len(lines)
    assert len(answers[0]["results"]) == 2
    assert "not valid JSON" in answers[1]["error"]
    assert len(answers[2]["results"]) == 2 and 155 not in [r["id"] for r in answers[2]["results"]]
    assert "Did you mean: Inception" in answers[3]["error"]
    assert all("Animation" in r["genres"] for r in answers[4]["results"])
    assert "unknown mode 'dance'" in answers[5]["error"]
    assert "no film with id 1" in answers[6]["error"]
    assert "valid filters are" in answers[7]["error"]
    assert "k must be a whole number" in answers[8]["error"]
    assert "must be >= 0" in answers[9]["error"]  # steer_weight reaches the settings


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("id,title,overview\n1,A,x\n1,B,y\n", "duplicate"),
        ("id,title,overview\n1,,x\n", "row 1"),
        ("id,overview\n1,x\n", "title"),
    ],
)
def test_bad_catalog_exits_2_and_writes_nothing(tmp_path, monkeypatch, cli, content, message):
    monkeypatch.setenv("MOVIEREC_HOME", str(tmp_path))
    bad = tmp_path / "bad.csv"
    bad.write_text(content)
    index = tmp_path / "idx"
    result = cli("build", "--catalog", bad, "--index", index)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not index.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad.csv"]


def test_unknown_title_and_missing_file_exit_2(cli, built, tmp_path) -> None:
    result = cli("similar", "Incepton", "--catalog", FIXTURE_CATALOG)
    assert result.returncode == 2 and "Did you mean: Inception" in result.stderr
    result = cli("search", "x", "--catalog", tmp_path / "nope.csv")
    assert result.returncode == 2 and "nope.csv" in result.stderr
    result = cli("build", "--kind", "annoy")
    assert result.returncode == 2 and "invalid choice" in result.stderr
    result = cli("similar", "--catalog", FIXTURE_CATALOG)
    assert result.returncode == 2 and "give a title or an id" in result.stderr
    result = cli("recommend", "--catalog", FIXTURE_CATALOG)
    assert result.returncode == 2 and "the profile is empty" in result.stderr
    result = cli("search", "x", "--catalog", FIXTURE_CATALOG, "--k", "0")
    assert result.returncode == 2 and "k must be at least 1" in result.stderr
    result = cli("search", "x", "--catalog", FIXTURE_CATALOG, "--genre", "Westerns")
    assert result.returncode == 2 and "unknown genre 'Westerns'" in result.stderr


def test_a_bug_is_not_a_user_error(cli, built, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr("movierec.recommender.Recommender.search", broken)
    with pytest.raises(ValueError, match="a bug"):
        cli("search", "x", "--catalog", FIXTURE_CATALOG)


def test_profile_edit_export_import_and_recommend_for_user(cli, built, tmp_path) -> None:
    store = tmp_path / "profiles.db"
    common_args = ("--catalog", FIXTURE_CATALOG, "--store", store, "-q")
    edit = cli(
        "profile", "ana", "--like", "Heat", "Collateral", "--dislike", "Toy Story", *common_args
    )
    assert edit.returncode == 0, edit.stderr
    assert "liked (2): Heat (1995); Collateral (2004)" in edit.stdout
    assert "disliked (1): Toy Story (1995)" in edit.stdout

    exported = tmp_path / "ana.json"
    result = cli("profile", "ana", "--export", exported, *common_args)
    assert result.returncode == 0
    assert json.loads(exported.read_text())["liked"] == [949, 1538]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp left
    folder = cli("profile", "ana", "--export", tmp_path, *common_args)
    assert folder.returncode == 2 and "is a folder" in folder.stderr
    result = cli("profile", "ben", "--import", exported, "--json", *common_args)
    assert json.loads(result.stdout)["disliked"] == [862]

    answer = cli("recommend", "--user", "ben", "--json", "--k", "5", *common_args)
    assert answer.returncode == 0, answer.stderr
    ids = [r["id"] for r in json.loads(answer.stdout)["results"]]
    assert len(ids) == 5 and not {949, 1538, 862} & set(ids)


def test_profile_errors_exit_2_and_write_nothing(cli, built, tmp_path) -> None:
    store = tmp_path / "profiles.db"
    common_args = ("--catalog", FIXTURE_CATALOG, "--store", store, "-q")
    bad = tmp_path / "bad.json"
    bad.write_text("not json")
    result = cli("profile", "ana", "--import", bad, "--like", "Heat", *common_args)
    assert result.returncode == 2 and "is not a JSON profile" in result.stderr
    result = cli("profile", "ana", "--like", "Heat", "Nonexistent Film", *common_args)
    assert result.returncode == 2 and "no film titled 'Nonexistent Film'" in result.stderr
    shown = cli("profile", "ana", "--json", *common_args)
    assert json.loads(shown.stdout)["liked"] == []  # neither failed call wrote a like
    assert ProfileStore(store).events() == []


def _ratings(tmp_path: Path, rows: list[str]) -> tuple[Path, Path]:
    ratings, links = tmp_path / "ratings.csv", tmp_path / "links.csv"
    ids = [949, 1538, 161, 9654, 27205, 155, 862, 12, 14160, 348, 679, 603, 8587, 129]
    links.write_text("movieId,imdbId,tmdbId\n" + "".join(f"{i},0,{t}\n" for i, t in enumerate(ids)))
    ratings.write_text("userId,movieId,rating,timestamp\n" + "".join(rows))
    return ratings, links


def test_eval_command_prints_table_and_writes_results(cli, built, tmp_path) -> None:
    rows = [f"{u},{m},{4.0 if (u + m) % 3 else 2.0},0\n" for u in range(30) for m in range(14)]
    ratings, links = _ratings(tmp_path, rows)
    out = tmp_path / "eval"
    args = ("eval", "--ratings", ratings, "--links", links, "--out", out)
    result = cli(*args, "--catalog", FIXTURE_CATALOG, "-q", "--grid", "dislike_weight=0,1")
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
    bad = cli(*args, "--catalog", FIXTURE_CATALOG, "--set", "nonsense=1")
    assert bad.returncode == 2 and "unknown setting" in bad.stderr
    bad = cli(*args, "--catalog", FIXTURE_CATALOG, "--set", "prior_weight")
    assert bad.returncode == 2 and "expected NAME=VALUE" in bad.stderr


def test_eval_with_a_community_split_compares_content_community_and_blend(
    cli, built, tmp_path
) -> None:
    # two overlapping tastes of 10 films each (a profile case needs 10 likes)
    rows = [f"{u},{m},4.5,0\n" for u in range(20) for m in range(10)]
    rows += [f"{u},{m},4.5,0\n" for u in range(20, 40) for m in range(4, 14)]
    ratings, links = _ratings(tmp_path, rows)
    out = tmp_path / "eval"
    args = ("eval", "--ratings", ratings, "--links", links, "--out", out, "-q")
    result = cli(*args, "--catalog", FIXTURE_CATALOG, "--community-split", "0.5")
    assert result.returncode == 0, result.stderr
    scores = json.loads((out / "results.json").read_text())["scores"]
    expected = {
        "random",
        "popularity",
        "content only",
        "item_knn",
        "ease + text + metadata",
        "engine",
    }
    assert set(scores) == expected | {"ease"}  # retrain's EASE reads the text; plain EASE too
    result_json = json.loads((out / "results.json").read_text())
    assert result_json["profile_users"] == 20  # the test half; the other half trained the models
    assert scores["item_knn"]["profile_recall@10"] > 0.5  # co-likes find the held-out films
    assert "profile recall / ease, 95% paired bootstrap interval over 20 users:" in result.stdout
    assert re.search(r"^engine +\d+\.\d{3}  \(\d+\.\d{3}-\d+\.\d{3}\)$", result.stdout, re.M)
    assert all(0.0 <= v <= 1.0 for system in scores.values() for v in system.values())
    bad = cli(*args, "--catalog", FIXTURE_CATALOG, "--community-split", "1.5")
    assert bad.returncode == 2 and "--community-split must be between 0 and 1" in bad.stderr
    folded = cli(*args, "--catalog", FIXTURE_CATALOG, "--community-split", "0.5", "--folds", "5")
    assert folded.returncode == 0, folded.stderr
    result_json = json.loads((out / "results.json").read_text())
    assert result_json["folds"] == 5 and result_json["profile_users"] == 20
    assert len(result_json["profile_recall"]["engine"]) == 20  # one figure per user
    assert "20 users (5 folds of their likes)" in folded.stdout
    bad = cli(*args, "--catalog", FIXTURE_CATALOG, "--folds", "0")
    assert bad.returncode == 2 and "--folds must be between 1 and 10, got 0" in bad.stderr


def test_eval_tags_tune_and_cold_films_keep_the_evaluated_data_out_of_training(
    cli, built, tmp_path
) -> None:
    rows = [f"{u},{m},4.5,0\n" for u in range(20) for m in range(10)]
    rows += [f"{u},{m},4.5,0\n" for u in range(20, 40) for m in range(4, 14)]
    ratings, links = _ratings(tmp_path, rows)
    tags = tmp_path / "tags.csv"
    films = {"heist": (949, 1538), "space": (348, 603), "toys": (862, 14160), "robots": (12, 679)}
    lines = "".join(f"{t},{m}\n" for t, ms in films.items() for m in ms)
    tags.write_text("text,movie_id\n" + lines)
    out = tmp_path / "eval"
    args = ("eval", "--ratings", ratings, "--links", links, "--out", out, "-q")
    args += ("--catalog", FIXTURE_CATALOG, "--tags", tags)
    result = cli(*args, "--community-split", "0.5", "--tune", "--cold-share", "0.5")
    assert result.returncode == 0, result.stderr
    report = json.loads((out / "results.json").read_text())
    assert {"tuned content", "tuned engine", "content only", "engine"} <= set(report["scores"])
    assert report["tag_queries"] == 2  # half of the four eligible tags are queries
    assert report["cold_films"] > 0 and "cold films only" in result.stdout
    assert "tags_ndcg@10" in report["scores"]["tuned content"]
    assert all(0.0 <= v <= 1.0 for system in report["scores"].values() for v in system.values())
    for extra, message in (
        (("--tune",), "--tune needs --community-split"),
        (("--cold-share", "0.5"), "--cold-share needs --community-split"),
        (("--community-split", "0.5", "--cold-share", "2"), "--cold-share must be between 0"),
    ):
        bad = cli(*args, *extra)
        assert bad.returncode == 2 and message in bad.stderr, bad.stderr


def test_app_runs_the_packaged_streamlit_script_without_importing_it(cli, monkeypatch) -> None:
    import sys

    calls: list[tuple[list[str], dict]] = []
    monkeypatch.setattr("os.execve", lambda path, argv, env: calls.append((argv, env)))
    sys.modules.pop("movierec.app.main", None)
    result = cli("app", "--port", "8765", "--catalog", FIXTURE_CATALOG)
    assert result.returncode == 0, result.stderr
    assert "movierec.app.main" not in sys.modules  # importing it would run the app
    argv, env = calls[0]
    assert argv[:4] == [sys.executable, "-m", "streamlit", "run"]
    assert Path(argv[4]) == Path(__file__).parents[1] / "app" / "main.py"
    assert argv[5:] == ["--server.headless", "true", "--server.port", "8765"]
    assert env["MOVIEREC_CATALOG"] == str(FIXTURE_CATALOG)
    assert "http://localhost:8765" in result.stdout
    bad = cli("app", "--port", "0")
    assert bad.returncode == 2 and "--port must be between 1 and 65535" in bad.stderr


def test_eval_profiles_hold_the_films_rated_in_between_unless_no_seen(cli, built, tmp_path) -> None:
    # each user rates every film: most 4 (liked), a third 3 (seen: watched, in between)
    rows = [f"{u},{m},{3.0 if (u + m) % 3 == 0 else 4.0},0\n" for u in range(30) for m in range(14)]
    ratings, links = _ratings(tmp_path, rows)
    recall = {}
    for flag, out in (("--no-seen", tmp_path / "old"), (None, tmp_path / "new")):
        args = ("eval", "--ratings", ratings, "--links", links, "--out", out, "--moods", "")
        result = cli(*args, *([flag] if flag else []), "--catalog", FIXTURE_CATALOG, "-q")
        assert result.returncode == 0, result.stderr
        saved = json.loads((out / "results.json").read_text())
        assert saved["settings"]["profiles_hold_seen"] is (flag is None)
        recall[flag] = saved["scores"]["popularity"]["profile_recall@10"]
    # a fixed order that skips seen films moves held-out likes up, never down
    assert recall[None] > recall["--no-seen"]
