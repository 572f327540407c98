"""`movierec import-ratings` and `movierec retrain` in-process, on the fixture catalog, and once
each through a subprocess.

Neither command loads the embedding model or an index, so these tests need neither.
"""

from __future__ import annotations

import errno
from pathlib import Path

import numpy as np
import pytest

from movierec.catalog import load_catalog
from movierec.community import current_name, load_current, version_names
from movierec.config import community_dir, default_index_dir
from movierec.movielens import load_movielens
from movierec.store import Profile, ProfileStore
from tests import cli_support
from tests.cli_support import subprocess_movierec
from tests.helpers import FIXTURE_CATALOG

cli = cli_support.cli
fake_model = cli_support.fake_model
built = cli_support.built
no_movierec_variables = cli_support.no_movierec_variables

HEAT, COLLATERAL, OCEANS, TOY_STORY, NEMO, UP, ALIEN = 949, 1538, 161, 862, 12, 14160, 348
NOT_IN_CATALOG = 999_999_999
CATALOG_IDS = load_catalog(FIXTURE_CATALOG)["id"].tolist()


@pytest.fixture
def movielens(tmp_path: Path) -> tuple[Path, Path]:
    """Tiny MovieLens files: users 1-6 like Heat and Collateral, users 7-10 like family films,
    and two MovieLens movies are outside the catalog (one has no TMDB id at all)."""
    links = {1: HEAT, 2: COLLATERAL, 3: OCEANS, 4: TOY_STORY, 5: NEMO, 6: UP, 7: ALIEN}
    links_csv = tmp_path / "links.csv"
    links_csv.write_text(
        "movieId,imdbId,tmdbId\n"
        + "".join(f"{m},0,{t}\n" for m, t in links.items())
        + f"8,0,{NOT_IN_CATALOG}\n9,0,\n"
    )
    ratings: list[tuple[int, int, float]] = []
    for user in range(1, 7):
        ratings += [(user, 1, 5.0), (user, 2, 4.5), (user, 7, 1.0), (user, 8, 5.0)]
        if user % 2:
            ratings.append((user, 3, 4.0))
    for user in range(7, 11):
        ratings += [(user, 4, 4.0), (user, 5, 5.0), (user, 6, 3.0), (user, 9, 4.0)]
    ratings += [(11, 1, 4.0), (11, 4, 4.0), (11, 7, 2.0)]
    ratings_csv = tmp_path / "ratings.csv"
    ratings_csv.write_text(
        "userId,movieId,rating,timestamp\n" + "".join(f"{u},{m},{r},0\n" for u, m, r in ratings)
    )
    return ratings_csv, links_csv


def test_import_ratings_twice_is_idempotent(cli, tmp_path, movielens) -> None:
    ratings, links = movielens
    store = tmp_path / "profiles.db"
    args = ("import-ratings", str(ratings), "--links", str(links))
    common = ("--catalog", str(FIXTURE_CATALOG), "--store", str(store))
    first = cli(*args, *common)
    assert first.returncode == 0, first.stderr
    # 6 × (2 likes + 1 dislike) + 3 Ocean's likes + 4 × 2 likes + (2 likes + 1 dislike); the
    # 4 ratings of Up at 3.0 are in between: seen
    assert first.stdout == (
        "imported 36 events for 11 users (0 unchanged): 25 likes, 7 dislikes and 4 seen films "
        "(rated in between); 2 MovieLens movies are not in the catalog and were skipped\n"
    )
    second = cli(*args, *common)
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith("imported 0 events for 11 users (36 unchanged): 25 likes")

    saved = ProfileStore(store)
    assert len(saved.events()) == 36
    assert {e.source for e in saved.events()} == {"movielens"}
    assert saved.users() == sorted(f"ml:{u}" for u in range(1, 12))
    assert saved.profile("ml:1") == Profile("ml:1", [OCEANS, HEAT, COLLATERAL], [ALIEN])
    assert saved.profile("ml:7") == Profile("ml:7", [NEMO, TOY_STORY], [], [UP])  # 3.0: seen

    strict = cli(*args, *common, "--min-rating", "5", "--prefix", "strict-")
    assert strict.returncode == 0, strict.stderr
    # 15 ratings of 4.0 or 4.5 are in between now, as is Up at 3.0
    assert strict.stdout.startswith(
        "imported 36 events for 11 users (0 unchanged): 10 likes, 7 dislikes and 19 seen films"
    )
    assert saved.profile("strict-2") == Profile("strict-2", [HEAT], [ALIEN], [COLLATERAL])


def test_import_ratings_never_takes_over_a_persons_profile(cli, tmp_path, movielens) -> None:
    ratings, links = movielens
    store = tmp_path / "profiles.db"
    args = ("import-ratings", str(ratings), "--links", str(links), "--prefix", "x")
    common = ("--catalog", str(FIXTURE_CATALOG), "--store", str(store))
    saved = ProfileStore(store)
    saved.like("x1", UP)  # people's profiles whose names the prefix would give imported users
    saved.like("x10", NEMO)
    before = saved.events()
    result = cli(*args, *common)
    assert result.returncode == 2, result.stderr
    assert "--prefix 'x'" in result.stderr and "2 people's profiles ('x1', 'x10')" in result.stderr
    assert "pass another --prefix" in result.stderr and "nothing was imported" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert saved.events() == before  # not even the other users' ratings
    saved.like("x1", HEAT)  # still the person's own
    assert saved.profile("x1") == Profile("x1", [UP, HEAT], [])
    assert cli(*args[:-1], "ml:", *common).returncode == 0  # another prefix is fine
    assert saved.profile("x1") == Profile("x1", [UP, HEAT], [])


def test_a_stricter_reimport_moves_what_no_longer_counts_to_seen(cli, tmp_path, movielens) -> None:
    ratings, links = movielens
    store = tmp_path / "profiles.db"
    args = ("import-ratings", str(ratings), "--links", str(links))
    common = ("--catalog", str(FIXTURE_CATALOG), "--store", str(store))
    assert cli(*args, *common).returncode == 0
    saved = ProfileStore(store)
    saved.like("ann", HEAT)  # an app user, never touched by imports
    strict = cli(*args, *common, "--min-rating", "5")
    assert strict.returncode == 0, strict.stderr
    # to seen go 6 × Collateral (4.5), 3 × Ocean's (4.0), 4 × Toy Story (4.0), user 11's 2 likes
    assert strict.stdout.startswith("imported 15 events for 11 users (21 unchanged)")
    assert saved.profile("ml:1") == Profile("ml:1", [HEAT], [ALIEN], [OCEANS, COLLATERAL])
    assert saved.profile("ml:7") == Profile("ml:7", [NEMO], [], [UP, TOY_STORY])
    assert saved.profile("ml:11") == Profile("ml:11", [], [ALIEN], [TOY_STORY, HEAT])
    assert saved.profile("ann") == Profile("ann", [HEAT], [])
    again = cli(*args, *common, "--min-rating", "5")
    assert again.stdout.startswith("imported 0 events for 11 users (36 unchanged)")
    # No dislikes either: user 11 is left with ratings in between only, all of them seen
    looser = cli(*args, *common, "--min-rating", "5", "--dislike-below", "1")
    assert looser.stdout.startswith("imported 7 events for 11 users")
    assert saved.profile("ml:11") == Profile("ml:11", [], [], [TOY_STORY, HEAT, ALIEN])
    assert saved.profile("ml:1") == Profile("ml:1", [HEAT], [], [OCEANS, COLLATERAL, ALIEN])
    assert not any(e.action == "remove" for e in saved.events())  # every rated film is kept
    back = cli(*args, *common)  # the original thresholds put all back
    assert back.stdout.startswith("imported 22 events")
    assert saved.profile("ml:11") == Profile("ml:11", [TOY_STORY, HEAT], [ALIEN])
    assert saved.profile("ml:1").liked == [HEAT, OCEANS, COLLATERAL]
    assert saved.profile("ml:7") == Profile("ml:7", [NEMO, TOY_STORY], [], [UP])


def test_import_ratings_stores_as_seen_exactly_the_films_rated_in_between(
    cli, tmp_path, movielens
) -> None:
    """The offline evaluation gives each profile `load_movielens(...).neutral` as seen films:
    the import must store the same ones."""
    ratings, links = movielens
    store = tmp_path / "profiles.db"
    common = ("--catalog", str(FIXTURE_CATALOG), "--store", str(store))
    for thresholds in ((), ("--min-rating", "4.5", "--dislike-below", "1.5")):
        result = cli("import-ratings", str(ratings), "--links", str(links), *common, *thresholds)
        assert result.returncode == 0, result.stderr
        like_at, dislike_below = (float(v) for v in thresholds[1::2]) if thresholds else (4, 2.5)
        data = load_movielens(ratings, links, CATALOG_IDS, like_at, dislike_below)
        profiles = ProfileStore(store).all_profiles()
        assert any(data.neutral.values())
        for user in range(1, 12):
            profile = profiles[f"ml:{user}"]
            assert sorted(profile.seen) == data.neutral.get(user, []), (thresholds, user)
            assert sorted(profile.liked) == data.likes.get(user, [])
            assert sorted(profile.disliked) == data.dislikes.get(user, [])


def test_retrain_reads_likes_only_never_seen_films(cli, tmp_path, movielens) -> None:
    ratings, links = movielens
    store = tmp_path / "profiles.db"
    common = ("--catalog", str(FIXTURE_CATALOG), "--store", str(store))
    args = ("import-ratings", str(ratings), "--links", str(links), *common)
    assert cli(*args, "--min-rating", "5").returncode == 0  # 10 likes, 19 films seen
    result = cli("retrain", *common, "--kind", "item_knn")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("trained item_knn on 10 users, 10 likes, 30 films in ")
    model = load_current(community_dir(default_index_dir(FIXTURE_CATALOG)) / "item_knn")
    assert model is not None and model.n_likes == 10
    # a store whose films are all seen (or disliked) has no likes to train on
    only_seen = tmp_path / "seen.db"
    ProfileStore(only_seen).seen("ann", HEAT)
    ProfileStore(only_seen).like("bob", HEAT)
    ProfileStore(only_seen).seen("bob", HEAT)  # liked, then only seen: no longer a like
    refused = cli("retrain", "--catalog", str(FIXTURE_CATALOG), "--store", str(only_seen))
    assert refused.returncode == 2 and "no liked films" in refused.stderr, refused.stderr
    assert "Traceback" not in refused.stderr and refused.stdout == ""


def test_retrain_writes_a_loadable_version_that_ranks_co_liked_films(
    cli, tmp_path, movielens
) -> None:
    ratings, links = movielens
    store = tmp_path / "profiles.db"
    common = ("--catalog", str(FIXTURE_CATALOG), "--store", str(store))
    imported = cli("import-ratings", str(ratings), "--links", str(links), *common)
    assert imported.returncode == 0, imported.stderr
    ProfileStore(store).like("app-user", UP)  # app users count too

    result = cli("retrain", *common)
    assert result.returncode == 0, result.stderr
    community = community_dir(default_index_dir(FIXTURE_CATALOG))
    root = community / "item_knn"
    note, knn_line, ease_line = result.stdout.splitlines()  # both kinds by default
    assert note.startswith("ease learns from likes only: no up-to-date index")  # none built
    assert "run `movierec build` first" in note
    assert knn_line.startswith("trained item_knn on 12 users, 26 likes, 30 films in ")
    assert knn_line.endswith(f"-> {root} (version {current_name(root)})")
    # no index to read the text from; the metadata comes from the catalog itself
    assert ease_line.startswith(
        "trained ease on 12 users, 26 likes, 30 films and their metadata (weight 10) in "
    )
    ease = load_current(community / "ease")
    assert ease is not None and ease.kind == "ease"
    assert ease.ids[int(np.argmax(ease.score([HEAT])))] == COLLATERAL

    model = load_current(root)
    assert model is not None and model.kind == "item_knn"
    assert model.n_users == 12 and model.n_likes == 26
    assert model.ids.tolist() == load_catalog(FIXTURE_CATALOG)["id"].tolist()  # catalog order
    scores = model.score([HEAT])
    assert model.ids[int(np.argmax(scores))] == COLLATERAL
    assert model.ids[int(np.argmax(model.score([TOY_STORY])))] == NEMO


def test_retrain_ease_into_an_explicit_index_dir(cli, tmp_path, movielens) -> None:
    ratings, links = movielens
    common = ("--catalog", str(FIXTURE_CATALOG), "--store", str(tmp_path / "p.db"))
    cli("import-ratings", str(ratings), "--links", str(links), *common)
    index = tmp_path / "idx"
    args = ("retrain", *common, "--index", str(index), "--kind", "ease", "--l2", "1")
    result = cli(*args)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1].startswith("trained ease on 11 users, 25 likes, 30 films")
    model = load_current(community_dir(index) / "ease")
    assert model is not None and model.kind == "ease"
    assert model.params == {"l2": 1.0, "feature_weight": 10.0}
    assert not (community_dir(index) / "item_knn").exists()  # only the kind asked for
    assert model.ids[int(np.argmax(model.score([HEAT])))] == COLLATERAL
    assert not index.exists()  # only the community folder beside it


def test_retrain_ease_reads_the_films_text_from_the_built_index(
    cli, built, tmp_path, movielens
) -> None:
    ratings, links = movielens
    common = ("--catalog", str(built), "--store", str(tmp_path / "p.db"), "--kind", "ease")
    cli("import-ratings", str(ratings), "--links", str(links), *common[:4])
    result = cli("retrain", *common)
    assert result.returncode == 0, result.stderr
    said = (
        "on 11 users, 25 likes, 30 films and their text (weight 500) and their metadata (weight 10)"
    )
    assert said in result.stdout
    root = community_dir(default_index_dir(built)) / "ease"
    model = load_current(root)
    both = {"l2": 100.0, "content_weight": 500.0, "feature_weight": 10.0}
    assert model is not None and model.params == both
    nobody = [i for i, n in zip(model.ids, model.counts, strict=True) if n == 0]
    assert nobody and np.abs(model.score([HEAT])[np.isin(model.ids, nobody)]).max() > 0
    text_only = cli("retrain", *common, "--feature-weight", "0")
    assert text_only.returncode == 0 and "their metadata" not in text_only.stdout
    assert load_current(root).params == {"l2": 100.0, "content_weight": 500.0}
    plain = cli("retrain", *common, "--content-weight", "0", "--feature-weight", "0")
    assert plain.returncode == 0 and "their text" not in plain.stdout
    model = load_current(root)
    assert model is not None and model.params == {"l2": 100.0}
    assert np.abs(model.score([HEAT])[np.isin(model.ids, nobody)]).max() == 0  # likes only
    for option in ("--content-weight", "--feature-weight"):
        for bad in ("-1", "nan"):
            refused = cli("retrain", *common, option, bad)
            assert refused.returncode == 2 and f"{option} must be >= 0" in refused.stderr
            assert load_current(root) is not None and load_current(root).params == {"l2": 100.0}


def test_retrain_says_when_the_catalog_is_too_large_for_ease(
    cli, tmp_path, movielens, monkeypatch
) -> None:
    monkeypatch.setattr("movierec.community.EASE_MAX_ITEMS", 10)  # the fixture catalog has 30
    ratings, links = movielens
    common = ("--catalog", str(FIXTURE_CATALOG), "--store", str(tmp_path / "p.db"))
    cli("import-ratings", str(ratings), "--links", str(links), *common)
    index = tmp_path / "idx"
    args = ("retrain", *common, "--index", str(index))
    result = cli(*args)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("skipping ease: 30 films is above its limit of 10")
    assert lines[1].startswith("trained item_knn on 11 users")
    assert load_current(community_dir(index) / "item_knn") is not None
    assert not (community_dir(index) / "ease").exists()


def test_retrain_with_no_likes_exits_2_and_writes_nothing(cli, tmp_path) -> None:
    store = tmp_path / "profiles.db"
    ProfileStore(store).dislike("ann", HEAT)
    ProfileStore(store).like("bob", NOT_IN_CATALOG)
    index = tmp_path / "idx"
    common = ("--catalog", str(FIXTURE_CATALOG), "--store", str(store), "--index", str(index))
    result = cli("retrain", *common)
    assert result.returncode == 2, result.stderr
    assert "no liked films" in result.stderr and "movierec import-ratings" in result.stderr
    assert "--like" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""
    assert not community_dir(index).exists()
    ProfileStore(store).like("ann", COLLATERAL)
    result = cli("retrain", *common, "--min-likes", "2")
    assert result.returncode == 2 and "lower --min-likes" in result.stderr
    assert not community_dir(index).exists()


def _imported(cli, tmp_path, movielens) -> tuple[Path, tuple[str, ...]]:
    """The MovieLens fixture imported into a store in `tmp_path`: the index folder to retrain
    into and the options naming catalog, store and index."""
    ratings, links = movielens
    index = tmp_path / "idx"
    common = ("--catalog", str(FIXTURE_CATALOG), "--store", str(tmp_path / "p.db"))
    common += ("--index", str(index))
    assert cli("import-ratings", str(ratings), "--links", str(links), *common).returncode == 0
    return index, common


def test_a_failed_retrain_leaves_the_previous_version_current(
    cli, tmp_path, movielens, monkeypatch
) -> None:
    index, common = _imported(cli, tmp_path, movielens)
    assert cli("retrain", *common, "--kind", "item_knn").returncode == 0
    root = community_dir(index) / "item_knn"
    before = (current_name(root), version_names(root), sorted(p.name for p in root.rglob("*")))

    bad_fit = cli("retrain", *common, "--kind", "ease", "--l2", "-1")
    assert bad_fit.returncode == 2 and "l2 must be > 0" in bad_fit.stderr

    def savez(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("numpy.savez", savez)  # the community model's arrays cannot be written
    bad_save = cli("retrain", *common, "--kind", "item_knn")
    assert bad_save.returncode == 2, bad_save.stderr
    assert "No space left on device" in bad_save.stderr
    assert "previous version stays current" in bad_save.stderr
    assert "Traceback" not in bad_fit.stderr + bad_save.stderr

    after = (current_name(root), version_names(root), sorted(p.name for p in root.rglob("*")))
    assert after == before  # no new version, no temporary leftovers, same CURRENT
    model = load_current(root)
    assert model is not None and model.ids[int(np.argmax(model.score([HEAT])))] == COLLATERAL


def test_retrain_refuses_nan_and_infinite_options_and_publishes_nothing(
    cli, tmp_path, movielens
) -> None:
    index, common = _imported(cli, tmp_path, movielens)
    assert cli("retrain", *common, "--content-weight", "0").returncode == 0
    roots = [community_dir(index) / kind for kind in ("item_knn", "ease")]
    before = [(current_name(root), version_names(root)) for root in roots]
    cases = [
        ("--l2", "nan", "--l2 must be > 0, got nan"),
        ("--l2", "inf", "--l2 must be a finite number, got inf"),
        ("--shrink", "nan", "--shrink must be >= 0, got nan"),
        ("--shrink", "inf", "--shrink must be a finite number, got inf"),
        ("--content-weight", "inf", "--content-weight must be a finite number, got inf"),
        ("--feature-weight", "inf", "--feature-weight must be a finite number, got inf"),
    ]
    for option, value, message in cases:
        result = cli("retrain", *common, option, value)
        assert result.returncode == 2, (option, value, result.stdout)
        assert message in result.stderr and "Traceback" not in result.stderr
        assert result.stdout == ""  # nothing trained
    assert [(current_name(root), version_names(root)) for root in roots] == before
    ease = load_current(roots[1])
    assert ease is not None and np.isfinite(ease.score([HEAT])).all()


def test_bad_files_exit_2_and_import_nothing(cli, tmp_path, movielens) -> None:
    ratings, links = movielens
    store = tmp_path / "profiles.db"
    common = ("--catalog", str(FIXTURE_CATALOG), "--store", str(store))
    garbled = tmp_path / "garbled.csv"
    garbled.write_bytes(b"\x00\xff\xfe binary \x89PNG\r\n" * 20)
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("user,film,stars\n1,2,3\n")
    cases = [
        ((str(tmp_path / "nope.csv"), "--links", str(links)), "nope.csv"),
        ((str(ratings), "--links", str(tmp_path / "missing-links.csv")), "missing-links.csv"),
        ((str(wrong), "--links", str(links)), "missing column"),
        ((str(garbled), "--links", str(links)), "garbled.csv"),
        ((str(tmp_path), "--links", str(links)), f"cannot read {tmp_path} as a MovieLens CSV (it"),
    ]
    for args, message in cases:
        result = cli("import-ratings", *args, *common)
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr
    result = cli(
        "import-ratings", str(ratings), "--links", str(links), "--store", str(store),
        "--catalog", str(tmp_path / "no-catalog.csv"),
    )  # fmt: skip
    assert result.returncode == 2 and "no-catalog.csv" in result.stderr
    result = cli("import-ratings", str(ratings), *common)
    assert result.returncode == 2 and "--links" in result.stderr
    assert ProfileStore(store).events() == []


def test_import_ratings_refuses_nan_and_infinite_thresholds(cli, tmp_path, movielens) -> None:
    ratings, links = movielens
    store = tmp_path / "profiles.db"
    common = ("--catalog", str(FIXTURE_CATALOG), "--store", str(store))
    args = ("import-ratings", str(ratings), "--links", str(links), *common)
    assert cli(*args).returncode == 0
    before = ProfileStore(store).events()
    for option, value in [
        ("--min-rating", "nan"),
        ("--min-rating", "inf"),
        ("--dislike-below", "nan"),
        ("--dislike-below=-inf", None),
    ]:
        given = (option,) if value is None else (option, value)
        result = cli(*args, *given, "--prefix", "new:")
        flag, shown = option.split("=")[0], value or "-inf"
        assert result.returncode == 2, (given, result.stdout)
        assert f"{flag} must be a finite number, got {shown}" in result.stderr
        assert "Traceback" not in result.stderr and result.stdout == ""
    assert ProfileStore(store).events() == before


def test_import_ratings_warns_when_no_rating_reaches_min_rating(cli, tmp_path, movielens) -> None:
    ratings, links = movielens
    common = ("--catalog", str(FIXTURE_CATALOG), "--store", str(tmp_path / "p.db"))
    args = ("import-ratings", str(ratings), "--links", str(links), *common)
    high = cli(*args, "--min-rating", "9")
    assert high.returncode == 0, high.stderr
    assert (
        "warning: no rating in" in high.stderr
        and "reaches --min-rating 9, so no likes" in high.stderr
    )
    assert not any(p.liked for p in ProfileStore(tmp_path / "p.db").all_profiles().values())
    usual = cli(*args, "--prefix", "b:")
    assert usual.returncode == 0 and "warning" not in usual.stderr, usual.stderr


def test_import_ratings_through_a_subprocess(tmp_path, movielens) -> None:
    """The one smoke test of the command as a user runs it: `python -m movierec.cli`."""
    ratings, links = movielens
    store = tmp_path / "profiles.db"
    args = ("import-ratings", str(ratings), "--links", str(links), "--store", str(store))
    imported = subprocess_movierec(*args, "--catalog", str(FIXTURE_CATALOG), home=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.startswith("imported 36 events for 11 users (0 unchanged)")
    assert ProfileStore(store).profile("ml:1") == Profile(
        "ml:1", [OCEANS, HEAT, COLLATERAL], [ALIEN]
    )


def test_retrain_through_a_subprocess(tmp_path) -> None:
    """The one smoke test of the command as a user runs it: `python -m movierec.cli`."""
    store = tmp_path / "profiles.db"
    for user in ("ann", "bob"):
        ProfileStore(store).like(user, HEAT)
        ProfileStore(store).like(user, COLLATERAL)
    common = ("--catalog", str(FIXTURE_CATALOG), "--store", str(store))
    home = tmp_path / "home"
    trained = subprocess_movierec("retrain", *common, "--kind", "item_knn", home=home)
    assert trained.returncode == 0, trained.stderr
    root = community_dir(default_index_dir(FIXTURE_CATALOG, home)) / "item_knn"
    assert trained.stdout.startswith("trained item_knn on 2 users, 4 likes, 30 films in ")
    model = load_current(root)
    assert model is not None and model.ids[int(np.argmax(model.score([HEAT])))] == COLLATERAL
    failed = subprocess_movierec("retrain", *common, "--min-likes", "0", home=home)
    assert failed.returncode == 2 and "--min-likes must be at least 1" in failed.stderr
    assert "Traceback" not in failed.stderr
