"""Commands that fail, or only read, leave the user's files and the profile store as they were:
a file given as the index folder is refused, not replaced; reads never create a store.

In-process with the fake encoder (tests/cli_support.py), like tests/test_cli_bad_input.py.
"""

from __future__ import annotations

import errno
import json

import pytest

from movierec.config import default_index_dir
from movierec.files import atomic_directory
from movierec.json_input import JSONInputError, parse_json
from movierec.store import ProfileStore
from movierec.tuning import adapter_dir
from movierec.versions import current_name, version_names
from tests import cli_support
from tests.helpers import FIXTURE_CATALOG
from tests.test_store_guards import read_only

cli = cli_support.cli
built = cli_support.built
fake_model = cli_support.fake_model
no_movierec_variables = cli_support.no_movierec_variables
fails = cli_support.fails
CATALOG = ("--catalog", FIXTURE_CATALOG, "-q")
HEAT = 949


# -- a file where the index folder should be -----------------------------------------------------


@pytest.mark.parametrize("command", [("build",), ("info",), ("search", "heist")])
def test_a_file_given_as_the_index_is_refused_and_kept(cli, tmp_path, command) -> None:
    mine = tmp_path / "notes.txt"
    mine.write_text("my notes\n")
    result = cli(*command, "--index", mine, *CATALOG)
    fails(result, f"--index {mine} is a file, not an index folder", "pass the path of a folder")
    assert mine.read_text() == "my notes\n"
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]  # no hidden .old/.tmp sibling


def test_a_file_in_movierec_index_is_refused_and_kept(cli, tmp_path, monkeypatch) -> None:
    mine = tmp_path / "notes.txt"
    mine.write_text("my notes\n")
    monkeypatch.setenv("MOVIEREC_INDEX", str(mine))
    fails(cli("build", *CATALOG), f"MOVIEREC_INDEX {mine} is a file")
    fails(cli("recommend", "--like", "Heat", *CATALOG), f"MOVIEREC_INDEX {mine} is a file")
    assert mine.read_text() == "my notes\n"
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_atomic_directory_never_replaces_a_file(tmp_path) -> None:
    mine = tmp_path / "notes.txt"
    mine.write_text("my notes\n")
    with pytest.raises(NotADirectoryError, match="a file is there"), atomic_directory(mine) as tmp:
        (tmp / "x").write_text("x")
    assert mine.read_text() == "my notes\n"
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


# -- commands that fail, or only read, create no profile store -----------------------------------


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("profile", "zed", "--like", "Zzqxv Nope"), 2, "no film titled 'Zzqxv Nope'"),
        (("profile", " ", "--like", "Heat"), 2, "user name '' is empty"),
        (("recommend", "--user", "nobody"), 2, "no saved profile has that name"),
        (("together", "ann", "bob"), 2, "no saved profile named 'ann' or 'bob'"),
        (("retrain",), 2, "no liked films of this catalog"),
        (("import-ratings", "/nonexistent/r.csv", "--links", "/nonexistent/l.csv"), 2, "r.csv"),
        (
            ("import-ratings", "/", "--links", "/"),
            2,
            "cannot read / as a MovieLens CSV (it is a folder",
        ),
        (("profile", "zed"), 0, ""),
        (("profile", "zed", "--json"), 0, ""),
    ],
)
def test_failed_or_read_only_commands_create_no_store(
    cli, built, isolated_home, args, code, message
) -> None:
    result = cli(*args, *CATALOG)
    assert result.returncode == code, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not (isolated_home / "profiles.db").exists()
    assert [p.name for p in isolated_home.iterdir()] == ["indexes"]


def test_a_bad_import_file_creates_no_store(cli, built, isolated_home, tmp_path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    fails(cli("profile", "zed", "--import", bad, *CATALOG), "is not a JSON profile")
    assert not (isolated_home / "profiles.db").exists()


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (("--replace",), "--replace only goes with --import FILE"),
        (("--like", "Heat", "--replace"), "--replace only goes with --import FILE"),
        (("--like", "Heat", "--export", ""), "--export needs a file name, got an empty one"),
        (("--import", " "), "--import needs a file name, got an empty one"),
    ],
)
def test_profile_flags_that_would_do_nothing_are_refused(
    cli, built, isolated_home, flags, message
) -> None:
    fails(cli("profile", "zed", *flags, *CATALOG), message)
    assert not (isolated_home / "profiles.db").exists()


def test_exporting_a_profile_never_saved_writes_it_empty_and_creates_no_store(
    cli, built, isolated_home, tmp_path
) -> None:
    out = tmp_path / "zed.json"
    result = cli("profile", "zed", "--export", out, *CATALOG)
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_text())["liked"] == []
    assert not (isolated_home / "profiles.db").exists()


def test_reading_a_store_in_a_new_folder_creates_no_folder(cli, built, tmp_path) -> None:
    store = tmp_path / "new" / "dir" / "p.db"
    fails(cli("recommend", "--user", "ann", "--store", store, *CATALOG))
    fails(cli("together", "ann", "bob", "--store", store, *CATALOG), "no saved profile")
    assert not (tmp_path / "new").exists()
    liked = cli("profile", "ann", "--like", "Heat", "--store", store, *CATALOG)  # a write creates
    assert liked.returncode == 0 and ProfileStore(store).profile("ann").liked == [HEAT]


# -- profile --export that cannot be written -----------------------------------------------------


def test_an_export_that_cannot_be_written_leaves_the_profile_unedited(cli, built, tmp_path) -> None:
    store = tmp_path / "p.db"
    ProfileStore(store).like("ann", HEAT)
    before = ProfileStore(store).events()
    mine = tmp_path / "notes.txt"
    mine.write_text("my notes\n")
    args = ("--store", store, *CATALOG)
    for out in (mine / "ann.json", mine / "sub" / "ann.json"):
        result = cli("profile", "ann", "--like", "Alien", "--export", out, *args)
        fails(result, f"cannot write --export {out}: not a folder ({mine})", "nothing was changed")
    folder = tmp_path / "ro"
    folder.mkdir()
    with read_only(folder):
        result = cli("profile", "ann", "--dislike", "Heat", "--export", folder / "a.json", *args)
        fails(result, f"cannot write --export {folder / 'a.json'}", "nothing was changed")
    assert ProfileStore(store).events() == before
    assert mine.read_text() == "my notes\n"
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # no probe left
    assert list(folder.iterdir()) == []


def test_an_export_failing_after_the_edits_says_they_were_saved(
    cli, built, tmp_path, monkeypatch
) -> None:
    store = tmp_path / "p.db"
    out = tmp_path / "ann.json"

    def full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr("movierec.files.atomic_write", full)
    result = cli("profile", "ann", "--like", "Heat", "--export", out, "--store", store, *CATALOG)
    fails(result, "No space left on device", "the edits were saved, only the export failed")
    assert ProfileStore(store).profile("ann").liked == [HEAT]
    assert not out.exists()


# -- JSON that the parser refuses ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[" * 100_000 + "]" * 100_000, "is not a JSON profile: JSON nested too deeply"),
        ('{"liked": [' + "9" * 5000 + "]}", "a number of 5,000 digits is too large"),
        ('{\n  "liked": [862,]\n}', "not valid JSON (Expecting value at line 2 column 17)"),
    ],
)
def test_a_profile_import_the_parser_refuses_is_one_line(
    cli, built, isolated_home, tmp_path, text, message
) -> None:
    path = tmp_path / "profile.json"
    path.write_text(text)
    result = cli("profile", "ann", "--import", path, *CATALOG)
    fails(result, message, "export one with `movierec profile USER --export FILE`")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (isolated_home / "profiles.db").exists()


@pytest.mark.parametrize(
    ("text", "reason", "hint"),
    [
        (b'{"a": "\xff"}', "not UTF-8 text", "send JSON encoded as UTF-8"),
        ("[" * 100_000, "JSON nested too deeply", "send flat requests"),
        ("9" * 5000, "a number of 5,000 digits is too large", "at most 4,300 digits"),
        ("[1,]", "not valid JSON (Expecting value at column 4)", ""),
    ],
)
def test_parse_json_turns_every_refusal_into_one_error(text, reason, hint) -> None:
    with pytest.raises(JSONInputError) as caught:
        parse_json(text)
    assert str(caught.value) == reason and hint in caught.value.hint


# -- tune on a read-only home --------------------------------------------------------------------


def test_tune_base_on_a_read_only_home_is_one_line_and_keeps_the_adapter(
    cli, built, isolated_home
) -> None:
    assert cli("tune", "--base", *CATALOG).returncode == 0
    root = adapter_dir(default_index_dir(FIXTURE_CATALOG, isolated_home))
    served = current_name(root)
    with read_only(isolated_home / "indexes"):
        result = cli("tune", "--base", *CATALOG)
    fails(result, f"cannot save the adapter under {root}", "the version served before stays")
    assert len(result.stderr.strip().splitlines()) == 1
    assert current_name(root) == served and len(version_names(root)) == 1


# -- recommend --user with a name no profile has ------------------------------------------------


def test_recommend_for_a_user_with_no_saved_profile_says_so(cli, built, tmp_path) -> None:
    store = tmp_path / "p.db"
    ProfileStore(store).like("ann", HEAT)
    args = ("--store", store, *CATALOG)
    result = cli("recommend", "--user", "anne", *args)
    fails(result, "--user 'anne': no saved profile has that name")
    assert "`movierec profile anne --like TITLE`" in result.stderr
    fails(cli("recommend", "--user", "", *args), "user name '' is empty")
    fails(cli("recommend", "--user", "anne", "--like", "Alien", *args), "no saved profile")
    assert cli("recommend", "--user", "ann", *args).returncode == 0
    ProfileStore(store).remove("ann", HEAT)  # saved, but emptied since: that is what it says
    fails(cli("recommend", "--user", "ann", *args), "the profile is empty")
