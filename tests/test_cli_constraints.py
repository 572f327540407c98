"""`movierec search` and `batch` report the understood constraints (fake encoder, in-process)."""

from __future__ import annotations

import json

from tests import cli_support
from tests.helpers import FIXTURE_CATALOG

cli = cli_support.cli
built = cli_support.built
fake_model = cli_support.fake_model
no_movierec_variables = cli_support.no_movierec_variables


def test_search_prints_the_understood_chips_first(cli, built) -> None:
    result = cli("search", "a 90s comedy under two hours", "--catalog", FIXTURE_CATALOG, "-q")
    assert result.returncode == 0, result.stderr
    first, *rest = result.stdout.splitlines()
    assert first == "understood: 1990–1999 · Comedy · ≤ 120 min"
    assert rest[0].startswith(" 1. ") and "(199" in rest[0]


def test_no_parse_turns_it_off(cli, built) -> None:
    result = cli("search", "90s comedies", "--no-parse", "--catalog", FIXTURE_CATALOG, "-q")
    assert result.returncode == 0, result.stderr
    assert "understood" not in result.stdout and result.stdout.startswith(" 1. ")


def test_a_query_without_constraints_prints_no_chips(cli, built) -> None:
    result = cli("search", "heist with a twist", "--catalog", FIXTURE_CATALOG, "-q")
    assert result.stdout.startswith(" 1. ")


def test_json_reports_understood_and_what_the_flags_overrode(cli, built) -> None:
    args = ("search", "90s comedies", "--year-min", "2000", "--catalog", FIXTURE_CATALOG)
    result = cli(*args, "--json", "-q")
    data = json.loads(result.stdout)
    assert data["understood"] == [{"label": "Comedy", "kind": "genre", "value": "Comedy"}]
    assert data["overridden"] == [{"label": "1990–1999", "kind": "year", "value": [1990, 1999]}]
    assert all(r["year"] >= 2000 and "Comedy" in r["genres"] for r in data["results"])
    text = cli(*args, "-q").stdout.splitlines()[0]
    assert text == "understood: Comedy (your filters win over: 1990–1999)"


def test_batch_reports_understood_per_search(cli, built) -> None:
    lines = [
        {"mode": "search", "text": "a scary movie from the 80s", "k": 3},
        {"mode": "search", "text": "a scary movie from the 80s", "k": 3, "parse": False},
        {"mode": "similar", "id": 155, "k": 2},
        {"mode": "search", "text": "90s comedies", "parse": "no"},
    ]
    stdin = "\n".join(json.dumps(line) for line in lines) + "\n"
    result = cli("batch", "--catalog", FIXTURE_CATALOG, "-q", stdin=stdin)
    parsed, plain, similar, bad = (json.loads(line) for line in result.stdout.splitlines())
    assert [u["label"] for u in parsed["understood"]] == ["Horror", "1980–1989"]
    assert parsed["results"] and all(1980 <= r["year"] <= 1989 for r in parsed["results"])
    assert "understood" not in plain and "understood" not in similar
    assert bad == {"error": "line 4: parse must be true or false, got 'no'"}
