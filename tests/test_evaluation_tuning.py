"""The leak-free protocols of the tuning evaluation: tag split, user split, cold films."""

from __future__ import annotations

from movierec.catalog import load_catalog
from movierec.evaluation.tags import catalog_text_pairs, split_tags
from movierec.evaluation.tuning import make_split
from movierec.movielens import Interactions
from tests.helpers import FIXTURE_CATALOG

ALIEN, AMELIE, NOTEBOOK, SHINING, WALL_E, HEAT = 348, 194, 11036, 694, 10681, 949


def test_tag_split_drops_people_bookkeeping_and_rare_tags() -> None:
    catalog = load_catalog(FIXTURE_CATALOG)
    pairs = [
        ("Al Pacino", HEAT),
        ("al pacino", ALIEN),  # a cast member: never a mood query
        ("In Netflix queue", HEAT),
        ("in netflix queue", AMELIE),
        ("robots", WALL_E),  # one film only
        *[(t, m) for t in ("creepy", "tense", "whimsical", "sad") for m in (ALIEN, SHINING)],
    ]
    split = split_tags(pairs, catalog, seed=3)
    queries = {case.text for case in split.test}
    assert split.dropped == {"person": 1, "bookkeeping": 1, "few_films": 1}
    assert len(queries) == 2 and queries <= {"creepy", "tense", "whimsical", "sad"}
    assert not queries & {t for t, _ in split.train_pairs}
    assert split_tags(pairs, catalog, seed=3).test == split.test
    assert ("robots", WALL_E) in split.train_pairs
    assert all(text == text.lower() for text, _ in catalog_text_pairs(catalog))


def test_cold_films_are_withheld_from_training_likes() -> None:
    catalog = load_catalog(FIXTURE_CATALOG)
    ids = catalog["id"].astype(int).tolist()
    likes = {u: ids[u % 5 : u % 5 + 12] for u in range(40)}
    data = Interactions(likes=likes)
    split = make_split(data, catalog, [], seed=0, cold_share=0.5)
    trained = {m for ms in split.train_likes.values() for m in ms}
    assert split.cold and not trained & split.cold
    assert all(set(c.held_out) <= split.cold for c in split.profiles)
    assert all(f.movie in split.cold for f in split.films)
    warm = make_split(data, catalog, [], seed=0)
    assert not set(warm.train_likes) & {c.user for c in warm.profiles}
