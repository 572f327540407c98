"""Watch together: the aggregations on hand-made matrices, the façade on the fixture catalog
(fake encoder), and the `together` command and batch mode in-process."""

from __future__ import annotations

import json

import numpy as np
import pytest

from movierec.errors import UsageError
from movierec.hits import Hit
from movierec.together import (
    Member,
    average,
    greedy,
    least_misery,
    members_from_json,
    min_mean,
    recommend_together,
    satisfaction,
)
from tests import cli_support
from tests.helpers import FIXTURE_CATALOG, fixture_recommender

cli = cli_support.cli
built = cli_support.built
fake_model = cli_support.fake_model
no_movierec_variables = cli_support.no_movierec_variables

HEAT, COLLATERAL, OCEANS, DARK_KNIGHT = 949, 1538, 161, 155
TOY_STORY, NEMO, LION_KING, UP = 862, 12, 8587, 14160


# -- aggregations ---------------------------------------------------------------------------------

# columns: 0 = Alex's favourite, Sam hates it; 1 = fine for both; 2 = Sam's favourite, Alex no
MATRIX = np.array([[1.0, 0.5, 0.0], [0.0, 0.4, 1.0]])


def test_least_misery_puts_the_film_both_accept_first():
    assert least_misery(MATRIX, 3)[0] == 1
    assert average(MATRIX, 3)[0] != 1  # the mean prefers a favourite of one member


def test_min_mean_counts_the_others_joy_among_equally_fair_films():
    matrix = np.array([[0.5, 0.5], [0.5, 1.0]])
    assert least_misery(matrix, 2).tolist() == [1, 0]  # ties broken by the mean
    assert min_mean(matrix, 2).tolist() == [1, 0]
    assert min_mean(MATRIX, 1).tolist() == [1]


def test_greedy_serves_the_least_served_member_next():
    matrix = np.array([[1.0, 0.6, 0.0], [0.5, 0.3, 1.0]])
    assert least_misery(matrix, 3).tolist() == [0, 1, 2]
    # after film 0 (Alex 1.0, Sam 0.5) Sam is the least served, so Sam's favourite comes next
    assert greedy(matrix, 3).tolist() == [0, 2, 1]


def _hits(*ids: int) -> list[Hit]:
    return [Hit(id=i, title=f"film {i}", year=2000, score=1.0 - n / 10) for n, i in enumerate(ids)]


def test_satisfaction_by_rank_or_score_and_zero_when_unlisted():
    ids, matrix = satisfaction([_hits(1, 2, 3), _hits(3, 4)], "rank")
    assert ids.tolist() == [1, 2, 3, 4]
    assert matrix[0].tolist() == pytest.approx([1.0, 2 / 3, 0.5, 0.0])
    assert matrix[1].tolist() == pytest.approx([0.0, 0.0, 1.0, 2 / 3])
    _, scored = satisfaction([_hits(1, 2, 3), _hits(3, 4)], "score")
    assert scored[0].tolist() == pytest.approx([1.0, 0.5, 0.0, 0.0])
    with pytest.raises(UsageError, match="rank, score"):
        satisfaction([_hits(1)], "votes")


class Lists:
    """A stand-in recommender whose lists are written by hand, keyed by the liked films."""

    def __init__(self, lists: dict[tuple[int, ...], list[int]]):
        self.lists = lists

    def recommend(self, liked, disliked=(), k=10, filters=None, exclude=(), **overrides):
        ids = [i for i in self.lists[tuple(sorted(liked))] if i not in set(exclude)]
        return _hits(*ids)[:k]


def test_together_differs_from_the_merged_profile_when_one_member_dominates():
    """Alex rated three crime films, Sam one animation: the merged profile is all Alex's taste,
    the group list gives Sam's favourites and the film both rank well a place at the top."""
    alex, sam = (HEAT, COLLATERAL, OCEANS), (TOY_STORY,)
    stub = Lists(
        {
            tuple(sorted(alex)): [DARK_KNIGHT, 9654, 272, UP, 603, NEMO],
            tuple(sorted(sam)): [NEMO, UP, LION_KING, 129, 10681, DARK_KNIGHT],
            tuple(sorted(alex + sam)): [DARK_KNIGHT, 9654, 272, 603, UP, NEMO],
        }
    )
    merged = [h.id for h in stub.recommend(alex + sam, k=3)]
    assert merged == [DARK_KNIGHT, 9654, 272]
    members = [Member("Alex", alex), Member("Sam", sam)]
    misery = [h.id for h in recommend_together(stub, members, k=3, how="least_misery")]
    assert misery[0] == UP  # 4th for Alex and 2nd for Sam: nobody's misery
    group = recommend_together(stub, members, k=3)  # min + 2 · mean
    assert {h.id for h in group} == {DARK_KNIGHT, NEMO, UP}  # a favourite each, and the middle
    pool, matrix = satisfaction([stub.recommend(alex, k=6), stub.recommend(sam, k=6)])
    worst = dict(zip(pool.tolist(), matrix.min(axis=0), strict=True))
    for ids in (misery, [h.id for h in group]):
        assert min(worst[i] for i in ids) > min(worst[i] for i in merged)  # nobody left out
    assert [p.member for p in group[0].parts] == ["Alex", "Sam"]


# -- the façade on the fixture catalog -------------------------------------------------------------


@pytest.fixture(scope="module")
def recommender():
    from tests.conftest import FakeEncoder

    return fixture_recommender(FakeEncoder())


def test_the_group_list_excludes_every_members_rated_films(recommender):
    members = [
        Member("alex", (HEAT, DARK_KNIGHT), (TOY_STORY,)),
        Member("sam", (NEMO, UP), (LION_KING,)),
        Member("kim", (OCEANS,)),
    ]
    for how in ("min_mean", "least_misery", "greedy", "average"):
        hits = recommender.together(members, k=20, how=how, exclude=[COLLATERAL])
        ids = {h.id for h in hits}
        assert ids, how
        assert not ids & {HEAT, DARK_KNIGHT, TOY_STORY, NEMO, UP, LION_KING, OCEANS, COLLATERAL}
        assert len(ids) == len(hits) <= 20


def test_the_group_list_excludes_every_members_seen_films(recommender, tmp_path):
    from movierec.store import ProfileStore
    from movierec.together import members_from_store

    members = [Member("alex", (HEAT, COLLATERAL)), Member("sam", (TOY_STORY, NEMO))]
    before = [h.id for h in recommender.together(members, k=6)]
    store = ProfileStore(tmp_path / "p.db")
    for member, seen in zip(members, before[:2], strict=True):
        for film in member.liked:
            store.like(member.name, film)
        store.seen(member.name, seen)
    saved = members_from_store(store, recommender.movies, ["alex", "sam"])
    assert saved == [Member("alex", (HEAT, COLLATERAL), (), (before[0],)),
                     Member("sam", (TOY_STORY, NEMO), (), (before[1],))]  # fmt: skip
    for how in ("min_mean", "least_misery", "greedy", "average"):
        ids = {h.id for h in recommender.together(saved, k=20, how=how)}
        assert ids and not ids & {*before[:2], HEAT, COLLATERAL, TOY_STORY, NEMO}, how
    # seen films carry no taste: a member with nothing but seen films has an empty profile
    with pytest.raises(UsageError, match="sam's profile is empty"):
        recommender.together([members[0], Member("sam", seen=(UP,))])
    with pytest.raises(UsageError, match=r"alex: film ids \[949\] are both liked and seen"):
        recommender.together([Member("alex", (HEAT,), (), (HEAT,)), members[1]])
    with pytest.raises(UsageError, match="alex's seen must hold whole-number film ids"):
        recommender.together([Member("alex", (HEAT,), (), ("Up",)), members[1]])


def test_each_card_has_one_part_per_member_and_names_them(recommender):
    members = [Member("Alex", (HEAT, COLLATERAL)), Member("Sam", (TOY_STORY, NEMO))]
    hits = recommender.together(members, k=5)
    assert len(hits) == 5
    for hit in hits:
        assert [p.member for p in hit.parts] == ["Alex", "Sam"]
        assert hit.explain().startswith("Alex: ") and " · Sam: " in hit.explain()
        assert "**Alex**" in hit.explain(markdown=True)
        assert hit.score == pytest.approx(min(p.score for p in hit.parts))
        data = hit.to_dict()
        assert json.loads(json.dumps(data))["parts"][1]["member"] == "Sam"
    assert "because you liked" in " ".join(h.explain() for h in hits)


def test_filters_apply_to_the_group(recommender):
    from movierec.filters import Filters

    members = [Member("a", (HEAT,)), Member("b", (TOY_STORY,))]
    hits = recommender.together(members, k=10, filters=Filters(genres=("Horror",)))
    assert hits and all("Horror" in h.genres for h in hits)


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ([Member("a", (HEAT,))], "at least two"),
        ([Member("a", (HEAT,)), Member("a", (NEMO,))], "repeated: a"),
        ([Member("a", (HEAT,)), Member("b")], "b's profile is empty"),
    ],
)
def test_bad_groups_are_usage_errors(recommender, members, message):
    with pytest.raises(UsageError, match=message):
        recommender.together(members)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"k": "2"}, "k must be a whole number"),
        ({"k": 2.5}, "k must be a whole number"),
        ({"k": True}, "k must be a whole number"),
        ({"k": None}, "k must be a whole number"),
        ({"members": None}, "members must be a list of Member objects"),
        ({"members": "ab"}, "members must be a list of Member objects"),
        ({"members": [{"liked": [HEAT]}, {"liked": [NEMO]}]}, "member 1 must be a Member"),
        ({"members": [Member(None, (HEAT,)), Member("b", (NEMO,))]}, "name must be non-empty"),
        ({"members": [Member(" ", (HEAT,)), Member("b", (NEMO,))]}, "name must be non-empty"),
        ({"members": [Member("a", ("949",)), Member("b", (NEMO,))]}, "a's liked must hold"),
        ({"members": [Member("a", (HEAT,), 862), Member("b", (NEMO,))]}, "a's disliked must be"),
        ({"exclude": None}, "exclude must be a list of film ids"),
        ({"exclude": "862"}, "exclude must be a list of film ids"),
        ({"pool": 0}, "pool must be at least 1, got 0"),
        ({"pool": 2.5}, "pool must be a whole number"),
    ],
)
def test_bad_arguments_name_what_to_give(recommender, arguments, message):
    """Each bad argument is a UsageError that says what to give, never a TypeError from deep
    inside, and k=True is not read as k=1."""
    call = {"members": [Member("a", (HEAT,)), Member("b", (NEMO,))], "k": 2, **arguments}
    with pytest.raises(UsageError, match=message):
        recommender.together(**call)


def test_numpy_ids_still_make_a_group(recommender):
    members = [Member("a", (np.int64(HEAT),)), Member("b", [np.int32(NEMO)])]
    hits = recommender.together(members, k=3, exclude=np.array([COLLATERAL]))
    assert len(hits) == 3 and COLLATERAL not in {h.id for h in hits}


def test_unknown_aggregation_names_the_valid_ones(recommender):
    with pytest.raises(UsageError, match="least_misery"):
        recommender.together([Member("a", (HEAT,)), Member("b", (NEMO,))], how="dictator")


def test_members_from_json_validates_each_member():
    members = members_from_json([{"liked": [155, 27205]}, {"liked": [862], "disliked": [8587]}])
    assert members == [Member("member 1", (155, 27205)), Member("member 2", (862,), (8587,))]
    assert members_from_json([{"name": "Sam", "liked": [1]}])[0].name == "Sam"
    with_seen = members_from_json([{"liked": [1], "seen": [2, 3]}])
    assert with_seen == [Member("member 1", (1,), (), (2, 3))]
    for bad, message in [
        ({"liked": [1]}, "must be a list"),
        ([[1, 2]], "member 1 must be an object"),
        ([{"liked": ["Heat"]}], "liked must be a list of film ids"),
        ([{"liked": [1]}, {"disliked": True}], "member 2: disliked"),
        ([{"likes": [1]}], "unknown key"),
        ([{"liked": [1], "seen": [True]}], "member 1: seen must be a list of film ids"),
        ([{"liked": [1], "watched": [2]}], "use \\['name', 'liked', 'disliked', 'seen'\\]"),
        ([{"name": "", "liked": [1]}], "name must be non-empty"),
    ]:
        with pytest.raises(UsageError, match=message):
            members_from_json(bad)


# -- command line and batch -----------------------------------------------------------------------


def _profiles(cli) -> None:
    for name, likes in (("alex", ["Heat", "Collateral"]), ("sam", ["Toy Story", "Finding Nemo"])):
        result = cli("profile", name, "--catalog", FIXTURE_CATALOG, "--like", *likes, "-q")
        assert result.returncode == 0, result.stderr
    result = cli("profile", "sam", "--catalog", FIXTURE_CATALOG, "--dislike", "Heat", "-q")
    assert result.returncode == 0, result.stderr


def test_together_command_prints_cards_for_both(cli, built):
    _profiles(cli)
    result = cli("together", "alex", "sam", "--catalog", built, "--k", "4", "-q")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Together: alex, sam")
    lines = result.stdout.splitlines()
    assert sum(line[:3].strip().rstrip(".").isdigit() for line in lines) == 4
    assert all(("alex: " in line and " · sam: " in line) for line in lines[2::2])
    listed = " ".join(line for line in lines if line[:3].strip().rstrip(".").isdigit())
    for title in ("Heat", "Collateral", "Toy Story", "Finding Nemo"):
        assert f". {title} (" not in listed
    data = json.loads(cli("together", "alex", "sam", "--catalog", built, "--json").stdout)
    assert data["members"] == ["alex", "sam"] and len(data["results"]) == 10
    assert {p["member"] for p in data["results"][0]["parts"]} == {"alex", "sam"}


def test_together_command_errors_exit_2(cli, built):
    _profiles(cli)
    cli("profile", "empty", "--catalog", built, "--like", "Up", "-q")
    cli("profile", "empty", "--catalog", built, "--remove", "Up", "-q")
    cases = [
        (("alex",), "at least two"),
        (("alex", "nobody"), "no saved profile named 'nobody' (saved: alex, empty, sam)"),
        (("alex", "empty"), "empty's profile is empty"),
        (("alex", "alex"), "repeated: alex"),
    ]
    for names, message in cases:
        result = cli("together", *names, "--catalog", built, "-q")
        assert result.returncode == 2, names
        assert message in result.stderr, result.stderr


def test_batch_together_mode(cli, built):
    lines = [
        {"mode": "together", "members": [{"liked": [155, 27205]}, {"liked": [862, 12],
         "disliked": [8587]}], "k": 5},
        {"mode": "together", "members": [{"liked": [155]}]},
        {"mode": "together", "members": {"liked": [155]}},
        {"mode": "together", "members": [{"liked": [155]}, {"liked": [999999]}]},
    ]  # fmt: skip
    result = cli("batch", "--catalog", built, "-q", stdin="\n".join(map(json.dumps, lines)))
    assert result.returncode == 0, result.stderr
    replies = [json.loads(line) for line in result.stdout.splitlines()]
    results = replies[0]["results"]
    assert len(results) == 5
    assert not {r["id"] for r in results} & {155, 27205, 862, 12, 8587}
    assert [p["member"] for p in results[0]["parts"]] == ["member 1", "member 2"]
    assert all(set(p) == {"member", "score", "reason"} for p in results[0]["parts"])
    assert "at least two" in replies[1]["error"]
    assert "must be a list" in replies[2]["error"]
    assert "999999" in replies[3]["error"]


# -- evaluation ------------------------------------------------------------------------------------


def test_alternate_takes_turns_and_skips_repeats():
    from movierec.evaluation.together import alternate

    assert alternate((), [_hits(1, 2, 3), _hits(2, 4, 5)], 4) == [1, 2, 4, 3]


def test_evaluate_groups_on_a_tiny_rating_table(recommender):
    from movierec.evaluation.together import evaluate_groups, pair_cases
    from movierec.movielens import Interactions

    ids = [int(i) for i in recommender.movies.ids]
    rng = np.random.default_rng(0)
    likes = {user: sorted(rng.choice(ids, 12, replace=False).tolist()) for user in range(5)}
    data = Interactions(likes)
    pairs = pair_cases(data, seed=0, pairings=3)
    assert len(pairs) == 6  # 5 users: two pairs per drawing, one user left out each time
    for drawing in range(3):
        users = [c.user for pair in pairs[2 * drawing : 2 * drawing + 2] for c in pair]
        assert len(set(users)) == 4
    result = evaluate_groups(recommender, data, seed=0, k=5, pairings=3)
    assert result.pairs == 6
    assert {"merged profile", "alternate lists", "together: min_mean, rank"} <= set(
        result.min_recall
    )
    for name, low in result.min_recall.items():
        assert 0.0 <= low <= result.mean_recall[name] <= 1.0


def test_reasons_name_the_liked_film_the_community_or_the_others():
    from movierec.together import GroupHit, MemberPart

    liked = Hit(1, "Heat", 1995, 1.0, because=[{"id": 949, "title": "Collateral (2004)"}])
    community = Hit(1, "Heat", 1995, 1.0, community_score=0.8)
    hit = GroupHit(1, "Heat", 1995, 0.0, parts=[
        MemberPart("Alex", 1.0, liked), MemberPart("Sam", 0.5, community), MemberPart("Kim", 0.0)
    ])  # fmt: skip
    assert hit.lines() == [
        "Alex: because you liked Collateral (2004)",
        "Sam: liked by people with your taste (0.80)",
        "Kim: a pick for Alex and Sam",
    ]
    assert hit.lines(markdown=True)[0] == "**Alex**: because you liked *Collateral (2004)*"
    assert [p["reason"] for p in hit.to_dict()["parts"]] == [
        line.split(": ", 1)[1] for line in hit.lines()
    ]
