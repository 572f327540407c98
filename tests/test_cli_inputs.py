"""Bad text, paths and numbers given to the commands: one clear line (exit 2, or a batch error
line), never a traceback, and no work done or file written first.

In-process with the fake encoder (tests/cli_support.py), like tests/test_cli_bad_input.py.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pandas as pd
import pytest

from movierec.config import default_index_dir
from movierec.tuning import adapter_dir
from tests import cli_support
from tests.cli_support import subprocess_movierec
from tests.helpers import FIXTURE_CATALOG

cli = cli_support.cli
built = cli_support.built
fake_model = cli_support.fake_model
no_movierec_variables = cli_support.no_movierec_variables
fails = cli_support.fails
CATALOG = ("--catalog", FIXTURE_CATALOG, "-q")
NOT_UTF8 = "heist \udcff"  # how Python hands over the bytes 'heist \xff' given in argv


@pytest.mark.parametrize(
    "args",
    [
        ("search", NOT_UTF8),
        ("search", NOT_UTF8, "--no-parse"),
        ("similar", "Heat", "--but", NOT_UTF8),
    ],
)
def test_text_that_is_not_utf8_is_refused(cli, built, args) -> None:
    result = cli(*args, *CATALOG)
    fails(result, "the text holds bytes that are not valid UTF-8", "re-type it or save it as")
    assert result.stdout == ""


def test_invisible_text_is_refused_like_blank_text(cli, built) -> None:
    fails(cli("search", "   ", *CATALOG), "the search text is empty")
    fails(cli("search", "\u200b\u200b", *CATALOG), "the search text is empty")
    fails(cli("search", "\u200b \ufeff", "--no-parse", *CATALOG), "the search text is empty")


def _batch(cli, *lines: str) -> list[dict]:
    result = cli("batch", *CATALOG, stdin="\n".join(lines) + "\n")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_batch_answers_text_that_is_not_utf8_with_an_error_line(cli, built) -> None:
    answers = _batch(
        cli,
        '{"mode": "search", "text": "\\ud800"}',
        '{"mode": "similar", "title": "Heat", "text": "x \\udcff"}',
        '{"mode": "search", "text": "\\u200b"}',
        '{"mode": "search", "text": "heist", "k": 2}',
    )
    errors = [answer.get("error", "") for answer in answers[:3]]
    assert "line 1: the text holds bytes that are not valid UTF-8" in errors[0]
    assert "line 2: the text holds bytes that are not valid UTF-8" in errors[1]
    assert "line 3: the search text is empty" in errors[2]
    assert len(answers[3]["results"]) == 2  # the stream goes on


def test_batch_answers_a_huge_number_with_a_plain_error_line(cli, built) -> None:
    huge = "9" * 5000
    answers = _batch(
        cli,
        f'{{"mode": "search", "text": "heist", "k": {huge}}}',
        f'{{"mode": "recommend", "liked": [-{huge}]}}',
        '{"mode": "search", "text": "heist", "k": 2}',
    )
    for number, answer in enumerate(answers[:2], start=1):
        error = answer.get("error", "")
        too_large = "a number of 5,000 digits is too large; send numbers of at most 4,300 digits"
        assert f"line {number}: {too_large}" in error, error
        assert "sys.set_int_max_str_digits" not in error
    assert len(answers[2]["results"]) == 2


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_catalog_whose_name_is_not_utf8_is_read(cli, tmp_path, isolated_home, suffix) -> None:
    """The OS accepts any bytes in a file name; Python hands them over as surrogates."""
    catalog = tmp_path / f"films-\udcff{suffix}"
    if suffix == ".csv":
        catalog.write_bytes(FIXTURE_CATALOG.read_bytes())
    else:
        with open(catalog, "wb") as handle:  # pyarrow cannot open such a name itself
            pd.read_csv(FIXTURE_CATALOG).to_parquet(handle)
    result = cli("info", "--catalog", catalog, "-q")
    assert result.returncode == 0, result.stderr
    assert "movies:" in result.stdout and "films-\ufffd" in result.stdout  # printable
    (index,) = (isolated_home / "indexes").iterdir()
    assert index.name.startswith("films-_-")  # a name the index writers can take
    assert cli("search", "heist", "--catalog", catalog, "-q").returncode == 0


def test_a_missing_catalog_whose_name_is_not_utf8_is_reported(tmp_path) -> None:
    """In a child: the real stderr shows such a name escaped (pytest's capture cannot)."""
    missing = tmp_path / "\udcff.csv"
    result = subprocess_movierec("info", "--catalog", str(missing), "-q", home=tmp_path / "home")
    fails(result, f"catalog file not found: {tmp_path}/\\udcff.csv")
    assert list(tmp_path.iterdir()) == []  # no index folder, no home


def _movielens(tmp_path: Path) -> tuple[Path, Path]:
    ratings, links = tmp_path / "ratings.csv", tmp_path / "links.csv"
    links.write_text("movieId,imdbId,tmdbId\n1,0,949\n2,0,862\n")
    ratings.write_text("userId,movieId,rating,timestamp\n1,1,4.5,0\n1,2,2.0,0\n")
    return ratings, links


def test_a_folder_or_missing_file_for_a_csv_option_names_the_option(cli, built, tmp_path) -> None:
    folder, missing, tags = tmp_path / "folder", tmp_path / "missing.csv", tmp_path / "tags.csv"
    folder.mkdir()
    tags.write_text("userId,movieId,tag,timestamp\n1,1,heist,0\n")
    tune = ("tune", "--steps", "2", *CATALOG)
    is_folder = "(it is a folder, not a file)"
    fails(cli(*tune, "--tags", folder), f"cannot read {folder} as a tags CSV {is_folder}")
    fails(cli(*tune, "--tags", missing), f"{missing} as a tags CSV (no such file); give --tags")
    fails(cli(*tune, "--tags", tags / "x.csv"), "(not a directory); give --tags")
    result = cli(*tune, "--tags", tags, "--links", folder)
    fails(result, f"cannot read {folder} as a MovieLens CSV {is_folder}; give --links")
    assert not adapter_dir(default_index_dir(FIXTURE_CATALOG)).exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_a_csv_without_read_permission_is_one_clear_line(cli, built, tmp_path) -> None:
    tags = tmp_path / "tags.csv"
    tags.write_text("text,movie_id\nheist,949\n")
    tags.chmod(0)
    fails(cli("tune", "--tags", tags, *CATALOG), "(permission denied); give --tags")


@pytest.mark.parametrize("option", ["--ratings", "--links", "--tags", "--moods"])
def test_eval_refuses_a_folder_for_a_file_before_writing_anything(
    cli, built, tmp_path, option
) -> None:
    ratings, links = _movielens(tmp_path)
    folder, out = tmp_path / "folder", tmp_path / "eval"
    folder.mkdir()
    files = {"--ratings": ratings, "--links": links, "--moods": ""}
    files[option] = folder
    args = [arg for flag, path in files.items() for arg in (flag, path)]
    result = cli("eval", *args, "--out", out, *CATALOG)
    hint = "give MovieLens ratings.csv" if option == "--ratings" else "give " + option
    fails(result, f"{folder} ", f"(it is a folder, not a file); {hint}")
    assert not out.exists()


def _eval(cli, tmp_path: Path, *args: object):
    ratings, links = _movielens(tmp_path)
    return cli("eval", "--ratings", ratings, "--links", links, "--moods", "", *args, *CATALOG)


def test_eval_refuses_an_out_it_cannot_write_before_any_work(cli, tmp_path, isolated_home) -> None:
    afile = tmp_path / "results"
    afile.write_text("keep me")
    folder = "give --out a folder you can write in"
    fails(_eval(cli, tmp_path, "--out", afile), f"--out {afile} is a file, not a folder", folder)
    fails(_eval(cli, tmp_path, "--out", afile / "sub"), f"{afile} is a file, not a folder")
    if Path("/proc/self").is_dir():  # Linux: nobody, not even root, makes folders in /proc
        fails(_eval(cli, tmp_path, "--out", "/proc/movierec-eval"), "cannot write in /proc")
    assert afile.read_text() == "keep me"
    assert not (isolated_home / "indexes").exists()  # refused before the index was even built


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes in any folder")
def test_eval_refuses_an_out_in_a_read_only_folder(cli, tmp_path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    result = _eval(cli, tmp_path, "--out", locked / "eval")
    fails(result, f"cannot write in {locked} (permission denied)")


@pytest.mark.parametrize("k", ["0", "-5"])
def test_eval_refuses_k_below_1_before_any_work(cli, tmp_path, isolated_home, k) -> None:
    out = tmp_path / "eval"
    fails(_eval(cli, tmp_path, "--k", k, "--out", out), f"k must be at least 1, got {k}")
    assert not out.exists() and not (isolated_home / "indexes").exists()


def test_eval_table_headers_show_the_k_measured(cli, built, tmp_path) -> None:
    result = _eval(cli, tmp_path, "--k", "5", "--out", tmp_path / "eval")
    assert result.returncode == 0, result.stderr
    header = result.stdout.splitlines()[1]
    assert "profile_recall@5" in header and "similar_ndcg@5" in header and "@10" not in header


def test_eval_that_cannot_save_its_results_shows_them_and_says_so(
    cli, built, tmp_path, monkeypatch
) -> None:
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("movierec.evaluation.report._atomic_write", full)
    out = tmp_path / "eval"
    result = _eval(cli, tmp_path, "--out", out)
    fails(result, f"cannot write the results to {out} (no space left on device); the table above")
    assert "profile_recall@10" in result.stdout  # the figures were printed before the write
    assert not (out / "results.json").exists()


@pytest.fixture
def execs(monkeypatch) -> list[list[str]]:
    """The command lines `movierec app` would replace itself with (nothing is started)."""
    calls: list[list[str]] = []
    monkeypatch.setattr("os.execve", lambda path, argv, env: calls.append(argv))
    return calls


def test_app_refuses_what_other_commands_refuse_before_starting_streamlit(
    cli, execs, tmp_path, isolated_home
) -> None:
    afile, folder = tmp_path / "afile", tmp_path / "folder"
    afile.write_text("")
    folder.mkdir()
    cases = [
        (("--backend", "bogus"), ("info", *CATALOG), "unknown encoder backend 'bogus'"),
        (("--catalog", tmp_path / "none.csv"), ("info", "-q"), "catalog file not found"),
        (("--store", "ftp://x/y"), ("profile", "ana", *CATALOG), "ftp:// is not a profile"),
        (("--store", folder), ("profile", "ana", *CATALOG), "is a directory, not a profile"),
        (
            ("--index", afile, *CATALOG),
            ("info",),
            f"--index {afile} is a file, not an index folder",
        ),
    ]
    for bad, other, message in cases:
        refused = cli("app", *bad)
        fails(refused, message)
        assert refused.stderr == cli(*other, *bad).stderr  # the very same message
        assert refused.stdout == ""
    assert execs == []
    assert list(folder.iterdir()) == [] and afile.read_text() == ""
    assert not (isolated_home / "profiles.db").exists()
    started = cli("app", "--port", "8765", *CATALOG, "--store", tmp_path / "p.db")
    assert started.returncode == 0, started.stderr
    assert len(execs) == 1 and execs[0][2:4] == ["streamlit", "run"]
