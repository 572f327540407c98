"""'Seen it' from the command line: `profile --seen`, `recommend --seen` and `--user`, the batch
"seen" field and watch together, on the fixture catalog with the fake encoder and real SQLite
stores in tmp_path.

A seen film carries no taste and is never recommended to whoever has seen it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from movierec.store import Profile, ProfileStore
from tests import cli_support
from tests.cli_support import fails
from tests.helpers import FIXTURE_CATALOG

cli = cli_support.cli
built = cli_support.built
fake_model = cli_support.fake_model
no_movierec_variables = cli_support.no_movierec_variables

HEAT, COLLATERAL, TOY_STORY, NEMO, UP, ALIEN = 949, 1538, 862, 12, 14160, 348


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "profiles.db"


def options(store: Path) -> tuple:
    return ("--catalog", FIXTURE_CATALOG, "--store", store, "-q")


def ids(result) -> list[int]:
    assert result.returncode == 0, result.stderr
    return [r["id"] for r in json.loads(result.stdout)["results"]]


# -- movierec profile --------------------------------------------------------------------------


def test_profile_seen_is_listed_in_json_exported_and_imported(cli, built, store, tmp_path):
    edit = cli("profile", "ana", "--like", "Heat", "--seen", "Toy Story", "Up", *options(store))
    assert edit.returncode == 0, edit.stderr
    assert edit.stdout.splitlines() == [
        "liked (1): Heat (1995)",
        "disliked (0): -",
        "seen (2): Toy Story (1995); Up (2009)",
    ]
    assert ProfileStore(store).profile("ana") == Profile("ana", [HEAT], [], [TOY_STORY, UP])
    assert {e.source for e in ProfileStore(store).events()} == {"cli"}
    shown = json.loads(cli("profile", "ana", "--json", *options(store)).stdout)
    assert shown["seen"] == [TOY_STORY, UP] and shown["liked"] == [HEAT]

    exported = tmp_path / "ana.json"
    assert cli("profile", "ana", "--export", exported, *options(store)).returncode == 0
    assert json.loads(exported.read_text())["seen"] == [TOY_STORY, UP]
    imported = cli("profile", "ben", "--import", exported, *options(store))
    assert imported.returncode == 0, imported.stderr
    assert "seen (2): Toy Story (1995); Up (2009)" in imported.stdout
    assert ProfileStore(store).profile("ben") == Profile("ben", [HEAT], [], [TOY_STORY, UP])
    # --replace takes the seen films of the file too: ben's own extra seen film goes
    assert cli("profile", "ben", "--seen", "Alien", *options(store)).returncode == 0
    assert cli("profile", "ben", "--import", exported, "--replace", *options(store)).returncode == 0
    assert ProfileStore(store).profile("ben").seen == [TOY_STORY, UP]


def test_profile_seen_moves_a_film_and_remove_takes_it_out(cli, built, store):
    assert cli("profile", "ana", "--like", "Heat", "Collateral", *options(store)).returncode == 0
    moved = cli("profile", "ana", "--seen", "Heat", *options(store))  # a later call moves it
    assert moved.returncode == 0, moved.stderr
    assert (
        "liked (1): Collateral (2004)" in moved.stdout and "seen (1): Heat (1995)" in moved.stdout
    )
    by_id = cli("profile", "ana", "--seen", str(ALIEN), "--remove", "Heat", *options(store))
    assert by_id.returncode == 0, by_id.stderr
    assert by_id.stdout.splitlines()[-1] == "seen (1): Alien (1979)"
    assert ProfileStore(store).profile("ana") == Profile("ana", [COLLATERAL], [], [ALIEN])


@pytest.mark.parametrize(
    ("edits", "message"),
    [
        (("--like", "Heat", "--seen", "Heat"), "Heat (1995) (id 949) is both liked and seen"),
        (("--dislike", "Up", "--seen", "Up"), "Up (2009) (id 14160) is both disliked and seen"),
        (("--seen", "Heat", "--like", str(HEAT)), "is both liked and seen"),
        (("--like", "Heat", "--dislike", "Heat"), "is both liked and disliked"),
        (("--seen", "Up", "Nonexistent Film"), "--seen 'Nonexistent Film': no film titled"),
    ],
)
def test_profile_seen_refusals_exit_2_and_write_nothing(cli, built, store, edits, message):
    result = cli("profile", "ana", *edits, *options(store))
    fails(result, message)
    if "both" in message:
        assert "keep each film in one list" in result.stderr
    assert not store.exists()  # every title is checked before the store is opened
    assert cli("profile", "ana", "--like", "Collateral", *options(store)).returncode == 0
    before = ProfileStore(store).events()
    fails(cli("profile", "ana", *edits, *options(store)), message)
    assert ProfileStore(store).events() == before


# -- movierec recommend ------------------------------------------------------------------------


def test_recommend_for_a_user_never_gives_their_seen_films(cli, built, store):
    assert cli("profile", "ana", "--like", "Heat", "Collateral", *options(store)).returncode == 0
    before = ids(cli("recommend", "--user", "ana", "--k", "8", "--json", *options(store)))
    top, third = before[0], before[2]
    seen = cli("profile", "ana", "--seen", str(top), str(third), *options(store))
    assert seen.returncode == 0, seen.stderr
    after = ids(cli("recommend", "--user", "ana", "--k", "6", "--json", *options(store)))
    # no taste: the others keep their order, the seen films are left out
    assert after == [i for i in before if i not in (top, third)]
    # the same for an unsaved profile given on the command line
    given = ("--like", "Heat", "Collateral", "--seen", str(top), str(third))
    assert ids(cli("recommend", *given, "--k", "6", "--json", *options(store))) == after
    shown = cli("recommend", "--user", "ana", "--k", "6", *options(store))
    assert shown.returncode == 0 and "because you liked Heat" in shown.stdout


def test_recommend_seen_on_the_command_line_wins_over_the_saved_profile(cli, built, store):
    edit = cli("profile", "ana", "--like", "Heat", "Collateral", "--seen", "Up", *options(store))
    assert edit.returncode == 0, edit.stderr
    answer = cli("recommend", "--user", "ana", "--seen", "Heat", "--json", "--k", "10",
                 *options(store))  # fmt: skip
    results = json.loads(answer.stdout)["results"]
    assert not {HEAT, UP, COLLATERAL} & {r["id"] for r in results}
    because = {b["id"] for r in results for b in r["because"]}
    assert because == {COLLATERAL}  # Heat is only seen now: it carries no taste
    liked_again = cli("recommend", "--user", "ana", "--like", "Up", "--json", *options(store))
    assert UP not in ids(liked_again)
    assert UP in {b["id"] for r in json.loads(liked_again.stdout)["results"] for b in r["because"]}
    assert ProfileStore(store).profile("ana").seen == [UP]  # recommend never writes


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (("--like", "Heat", "--seen", "Heat"), "Heat (1995) (id 949) is both liked and seen"),
        (("--dislike", "Up", "--like", "Heat", "--seen", "Up"), "is both disliked and seen"),
        (("--like", "Heat", "--seen", "Nonexistent Film"), "--seen 'Nonexistent Film': no film"),
        (("--seen", "Heat"), "the profile is empty; like at least one film"),
    ],
)
def test_recommend_seen_refusals_exit_2(cli, built, given, message):
    fails(cli("recommend", *given, "--catalog", FIXTURE_CATALOG, "-q"), message)


# -- movierec batch ----------------------------------------------------------------------------


def test_batch_recommend_leaves_out_the_seen_films(cli, built):
    plain = {"mode": "recommend", "liked": [HEAT, COLLATERAL], "k": 6}
    first = cli("batch", "--catalog", built, "-q", stdin=json.dumps(plain))
    before = [r["id"] for r in json.loads(first.stdout)["results"]]
    lines = [
        {**plain, "k": 4, "seen": before[:2]},
        {**plain, "k": 4, "seen": [before[0]], "exclude": [before[1]]},
        {**plain, "seen": [HEAT]},
        {**plain, "seen": "Heat"},
        {"mode": "search", "text": "heist", "seen": [HEAT]},
    ]
    result = cli("batch", "--catalog", built, "-q", stdin="\n".join(map(json.dumps, lines)))
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    replies = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in replies[0]["results"]] == before[2:6]
    assert [r["id"] for r in replies[1]["results"]] == before[2:6]
    assert "line 3: Heat (1995) (id 949) is both liked and seen" in replies[2]["error"]
    assert "line 4: seen must be a list of whole-number film ids" in replies[3]["error"]
    assert "line 5: unknown field 'seen' for mode 'search'" in replies[4]["error"]


# -- movierec together -------------------------------------------------------------------------


def test_together_never_gives_a_film_any_member_has_seen(cli, built, store):
    assert cli("profile", "alex", "--like", "Heat", "Collateral", *options(store)).returncode == 0
    assert (
        cli("profile", "sam", "--like", "Toy Story", "Finding Nemo", *options(store)).returncode
        == 0
    )
    group = ("together", "alex", "sam", "--k", "6", "--json", *options(store))
    before = ids(cli(*group))
    assert cli("profile", "alex", "--seen", str(before[0]), *options(store)).returncode == 0
    assert cli("profile", "sam", "--seen", str(before[1]), *options(store)).returncode == 0
    after = ids(cli(*group))
    assert len(after) == 6 and not {before[0], before[1]} & set(after)
    assert set(before[2:6]) <= set(after)  # seen films carry no taste: the others stay

    members = [{"name": "alex", "liked": [HEAT, COLLATERAL], "seen": [before[0]]},
               {"name": "sam", "liked": [TOY_STORY, NEMO], "seen": [before[1]]}]  # fmt: skip
    lines = [
        {"mode": "together", "members": members, "k": 6},
        {"mode": "together", "members": [{"liked": [HEAT], "seen": [HEAT]}, {"liked": [NEMO]}]},
        {"mode": "together", "members": [{"liked": [HEAT], "seen": ["Up"]}, {"liked": [NEMO]}]},
    ]
    result = cli("batch", "--catalog", built, "-q", stdin="\n".join(map(json.dumps, lines)))
    replies = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in replies[0]["results"]] == after
    assert "member 1: film ids [949] are both liked and seen" in replies[1]["error"]
    assert "member 1: seen must be a list of film ids" in replies[2]["error"]
