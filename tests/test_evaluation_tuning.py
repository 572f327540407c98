"""The leak-free protocols of the tuning evaluation: tag split, user split, cold films."""

from __future__ import annotations

import numpy as np
import pytest

from movierec.catalog import load_catalog
from movierec.evaluation.community import Community
from movierec.evaluation.metrics import paired_ratio_interval
from movierec.evaluation.tags import catalog_text_pairs, split_tags
from movierec.evaluation.tuning import METRICS, case_values, make_split, measure
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
    folded = make_split(data, catalog, [], seed=0, folds=5)
    assert folded.train_likes == warm.train_likes  # folds change what is measured, not learnt
    users = [c.user for c in warm.profiles]
    assert [c.user for c in folded.profiles] == [u for u in users for _ in range(5)]
    for user in users:
        held = [m for c in folded.profiles if c.user == user for m in c.held_out]
        assert sorted(held) == sorted(likes[user])


def test_case_values_are_per_profile_and_measure_is_their_mean() -> None:
    from movierec.community import fit_ease

    catalog = load_catalog(FIXTURE_CATALOG)
    ids = catalog["id"].astype(int).tolist()
    likes = {u: ids[u % 5 : u % 5 + 12] for u in range(40)}
    split = make_split(Interactions(likes=likes), catalog, [], seed=0)
    system = Community(fit_ease(split.train_likes, ids), "ease")
    values = case_values(system, split, "profile_recall@10")
    assert len(values) == len(split.profiles) > 0
    assert all(0.0 <= v <= 1.0 for v in values) and max(values) > 0
    recall = measure(system, split, parts=("profile_recall@10",))
    assert recall == {"profile_recall@10": round(float(np.mean(values)), 4)}
    with pytest.raises(ValueError, match="unknown metric 'recall'; one of " + METRICS[0]):
        case_values(system, split, "recall")


def test_paired_ratio_interval_holds_the_ratio_and_narrows_with_more_cases() -> None:
    rng = np.random.default_rng(1)
    base = rng.random(60)
    better = base * 1.1  # every case 10 % better: no doubt at all
    ratio, low, high = paired_ratio_interval(better, base)
    assert ratio == pytest.approx(1.1) and low == pytest.approx(1.1) and high == pytest.approx(1.1)
    noisy = base + rng.normal(0.05, 0.2, 60)
    ratio, low, high = paired_ratio_interval(noisy, base, seed=3)
    assert low < ratio < high
    assert ratio == pytest.approx(noisy.mean() / base.mean())
    assert paired_ratio_interval(noisy, base, seed=3) == (ratio, low, high)  # seeded
    many = np.tile(noisy, 16), np.tile(base, 16)
    _, many_low, many_high = paired_ratio_interval(*many, seed=3)
    assert many_high - many_low < (high - low) / 2
    _, wide_low, wide_high = paired_ratio_interval(noisy, base, level=0.99, seed=3)
    assert wide_low <= low and wide_high >= high


@pytest.mark.parametrize(
    ("numerator", "denominator", "options", "message"),
    [
        ([1.0, 2.0], [1.0], {}, "equally long"),
        ([], [], {}, "non-empty"),
        ([1.0], [0.0], {}, "sum to 0"),
        ([1.0], [1.0], {"level": 1.0}, "level must be between 0 and 1"),
        ([1.0], [1.0], {"rounds": 0}, "rounds must be >= 1"),
    ],
)
def test_paired_ratio_interval_refuses_what_it_cannot_measure(
    numerator, denominator, options, message
) -> None:
    with pytest.raises(ValueError, match=message):
        paired_ratio_interval(numerator, denominator, **options)
