"""Commands that fail, or only read, leave the user's files and the profile store as they were:
a file given as the index folder is refused, not replaced; reads never create a store.

In-process with the fake encoder (tests/cli_support.py), like tests/test_cli_bad_input.py.
"""

from __future__ import annotations

import pytest

from movierec.files import atomic_directory
from tests import cli_support
from tests.helpers import FIXTURE_CATALOG

cli = cli_support.cli
built = cli_support.built
fake_model = cli_support.fake_model
no_movierec_variables = cli_support.no_movierec_variables
CATALOG = ("--catalog", FIXTURE_CATALOG, "-q")


def _fails(result, *fragments: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


# -- a file where the index folder should be -----------------------------------------------------


@pytest.mark.parametrize("command", [("build",), ("info",), ("search", "heist")])
def test_a_file_given_as_the_index_is_refused_and_kept(cli, tmp_path, command) -> None:
    mine = tmp_path / "notes.txt"
    mine.write_text("my notes\n")
    result = cli(*command, "--index", mine, *CATALOG)
    _fails(result, f"--index {mine} is a file, not an index folder", "pass the path of a folder")
    assert mine.read_text() == "my notes\n"
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]  # no hidden .old/.tmp sibling


def test_a_file_in_movierec_index_is_refused_and_kept(cli, tmp_path, monkeypatch) -> None:
    mine = tmp_path / "notes.txt"
    mine.write_text("my notes\n")
    monkeypatch.setenv("MOVIEREC_INDEX", str(mine))
    _fails(cli("build", *CATALOG), f"MOVIEREC_INDEX {mine} is a file")
    _fails(cli("recommend", "--like", "Heat", *CATALOG), f"MOVIEREC_INDEX {mine} is a file")
    assert mine.read_text() == "my notes\n"
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_atomic_directory_never_replaces_a_file(tmp_path) -> None:
    mine = tmp_path / "notes.txt"
    mine.write_text("my notes\n")
    with pytest.raises(NotADirectoryError, match="a file is there"), atomic_directory(mine) as tmp:
        (tmp / "x").write_text("x")
    assert mine.read_text() == "my notes\n"
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
