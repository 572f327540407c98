"""Bad input to the `movierec` commands: one clear line on stderr, exit 2, nothing written.

In-process with the fake encoder (tests/cli_support.py), like tests/test_cli.py.
"""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest

from movierec.profile_rules import MAX_PROFILE_FILMS
from movierec.store import COMMUNITY_SOURCE, ProfileStore
from tests import cli_support
from tests.helpers import FIXTURE_CATALOG

cli = cli_support.cli
built = cli_support.built
fake_model = cli_support.fake_model
no_movierec_variables = cli_support.no_movierec_variables
fails = cli_support.fails
CATALOG = ("--catalog", FIXTURE_CATALOG, "-q")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("search", "heist", "--prior-weight", "nan"), "prior_weight must be a finite number"),
        (("search", "heist", "--alpha", "inf"), "alpha must be a finite number"),
        (("search", "heist", "--min-rating", "nan"), "min_rating must be a finite number"),
        (("similar", "Heat", "--min-rating=-inf"), "min_rating must be a finite number"),
        (("recommend", "--like", "862", "--community-weight", "nan"), "community_weight"),
    ],
)
def test_non_finite_numbers_are_refused(cli, built, args, message) -> None:
    fails(cli(*args, *CATALOG), message)


def test_a_film_liked_and_disliked_is_refused_by_recommend_and_profile(
    cli, built, tmp_path
) -> None:
    result = cli("recommend", "--like", "862", "--dislike", "Toy Story", *CATALOG)
    fails(result, "Toy Story (1995) (id 862) is both liked and disliked")
    store = tmp_path / "p.db"
    result = cli("profile", "ana", "--like", "862", "--dislike", "862", "--store", store, *CATALOG)
    fails(result, "Toy Story (1995) (id 862) is both liked and disliked")
    assert ProfileStore(store).events() == []


def test_a_non_ascii_digit_is_a_title_not_an_int_error(cli, built) -> None:
    result = cli("recommend", "--like", "²", *CATALOG)
    fails(result, "--like '²': no film titled '²'")
    assert "invalid literal" not in result.stderr


def test_profile_import_or_export_of_a_folder_is_refused_and_leaves_nothing(
    cli, built, tmp_path
) -> None:
    store = tmp_path / "p.db"
    folder = tmp_path / "folder"
    folder.mkdir()
    args = ("--store", store, *CATALOG)
    fails(cli("profile", "ana", "--import", folder, *args), f"cannot read {folder}", "JSON file")
    fails(cli("profile", "ana", "--like", "Heat", "--export", folder, *args), "is a folder")
    fails(cli("profile", "ana", "--import", tmp_path / "none.json", *args), "cannot read")
    assert list(folder.iterdir()) == []
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert ProfileStore(store).events() == []  # not even the --like before the bad --export


def _profile_file(tmp_path: Path, liked: list, disliked: list | None = None) -> Path:
    path = tmp_path / "import.json"
    data = {"format": "movierec-profile", "version": 1, "user": "x", "liked": liked}
    path.write_text(json.dumps({**data, "disliked": disliked or []}))
    return path


def test_profile_import_skips_ids_not_in_the_catalog_and_says_so(cli, built, tmp_path) -> None:
    store = tmp_path / "p.db"
    path = _profile_file(tmp_path, [862, 999999999, -7], [12])
    result = cli("profile", "ana", "--import", path, "--json", "--store", store, *CATALOG)
    assert result.returncode == 0, result.stderr
    assert "skipped 2 film id(s) not in the catalog: 999999999, -7" in result.stderr
    shown = json.loads(result.stdout)
    assert shown["liked"] == [862] and shown["disliked"] == [12]


def test_profile_import_over_the_cap_is_refused(cli, built, tmp_path) -> None:
    store = tmp_path / "p.db"
    path = _profile_file(tmp_path, list(range(1, 200_001)))
    result = cli("profile", "ana", "--import", path, "--store", store, *CATALOG)
    fails(result, "200,000 films", f"at most {MAX_PROFILE_FILMS:,}")
    assert ProfileStore(store).events() == []
    big = tmp_path / "big.json"
    big.write_text(" " * (9 << 20) + "{}")
    fails(cli("profile", "ana", "--import", big, "--store", store, *CATALOG), "MiB")


def test_community_profiles_are_read_only_from_the_profile_command(cli, built, tmp_path) -> None:
    store = tmp_path / "p.db"
    ProfileStore(store).like("ml:1", 949, source=COMMUNITY_SOURCE)
    args = ("--store", store, *CATALOG)
    for edit in (("--like", "Heat"), ("--dislike", "Alien"), ("--remove", "Heat")):
        fails(cli("profile", "ml:1", *edit, *args), "'ml:1' is a community profile", "read-only")
    path = _profile_file(tmp_path, [862])
    fails(cli("profile", "ml:1", "--import", path, *args), "read-only")
    fails(cli("profile", "ana", "--import", path.parent / "nope", *args), "cannot read")
    shown = cli("profile", "ml:1", *args)  # looking is fine
    assert shown.returncode == 0 and "liked (1): Heat (1995)" in shown.stdout
    assert [e.movie_id for e in ProfileStore(store).events()] == [949]


def test_a_full_disk_during_build_is_one_line_and_keeps_the_old_index(
    cli, built, tmp_path, monkeypatch
) -> None:
    index = tmp_path / "index"
    assert cli("build", "--index", index, *CATALOG).returncode == 0
    before = {p.name: p.read_bytes() for p in index.iterdir()}

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(index) + ".tmp/x.npy")

    monkeypatch.setattr("numpy.save", full)
    result = cli("build", "--index", index, "--kind", "hnsw", *CATALOG)
    fails(result, "the disk is full", str(index), "any previous index is unchanged")
    assert len(result.stderr.strip().splitlines()) == 1
    assert {p.name: p.read_bytes() for p in index.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["index"]  # no temporary folder left
