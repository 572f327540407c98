"""`movierec batch`: every non-blank line gets exactly one answer line, in order, whatever it holds.

The request schema (movierec/cli/requests.py) is checked field by field, a line over the size
limit is refused without being read whole, and a hypothesis property test throws random JSON
and junk at the protocol. In-process, with the fake encoder.
"""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from movierec.cli.batch import MAX_LINE_BYTES, read_lines, run_batch
from movierec.cli.requests import FIELDS, MODES
from tests import cli_support
from tests.conftest import FakeEncoder
from tests.helpers import FIXTURE_CATALOG, fixture_recommender

cli = cli_support.cli
built = cli_support.built
fake_model = cli_support.fake_model
no_movierec_variables = cli_support.no_movierec_variables
REC = fixture_recommender(FakeEncoder())


ANSWER_KEYS = {"results", "understood", "overridden"}  # a search also says what it understood


def kind(reply: dict) -> str:
    """ "error" for an error line, "results" for an answer; fails on any other shape."""
    if "error" in reply:
        assert list(reply) == ["error"], reply
        return "error"
    assert "results" in reply and set(reply) <= ANSWER_KEYS, reply
    return "results"


def answers_of(lines: list) -> list[dict]:
    text = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n"
    return list(run_batch(REC, read_lines(io.BytesIO(text.encode()))))


def test_lines_that_used_to_kill_the_stream_get_an_error_each(cli, built) -> None:
    lines = [
        '{"mode": "search", "text": "heist", "k": 1e999}',
        {"mode": "similar", "title": 123},
        {"mode": "similar", "id": 949, "text": 5},
        {"mode": "search", "text": "x", "filters": {"genres": [1]}},
        {"mode": "search", "text": "x", "filters": {"languages": [1]}},
        {"mode": "search", "text": "heist", "k": 2},
    ]
    stdin = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n"
    result = cli("batch", "--catalog", FIXTURE_CATALOG, "-q", stdin=stdin)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [kind(a) for a in answers] == ["error"] * 5 + ["results"]
    assert "line 1: k must be a whole number, got inf" in answers[0]["error"]
    assert "line 2: title must be text, got 123" in answers[1]["error"]
    assert "line 3: text must be text, got 5" in answers[2]["error"]
    assert "line 4: genres must be a list of names" in answers[3]["error"]
    assert "line 5: languages must be a list of names" in answers[4]["error"]
    assert len(answers[5]["results"]) == 2


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        ({"mode": "search", "text": {"a": 1}}, "text must be text, got {'a': 1}"),
        ({"mode": "search", "text": "x", "k": 1.9}, "k must be a whole number, got 1.9"),
        ({"mode": "search", "text": "x", "k": True}, "k must be a whole number, got True"),
        ({"mode": "search", "text": "x", "k": 0}, "k must be at least 1, got 0"),
        ({"mode": "recommend", "liked": [862.9]}, "liked must be a list of whole-number"),
        ({"mode": "recommend", "liked": "862"}, "liked must be a list of whole-number"),
        ({"mode": "recommend", "liked": [862], "disliked": [862]}, "is both liked and disliked"),
        ({"mode": "recommend", "liked": [862], "seen": [862]}, "is both liked and seen"),
        ({"mode": "recommend", "liked": [862], "seen": [862.5]}, "seen must be a list of whole"),
        ({"mode": "similar", "title": "Heat", "seen": [862]}, "unknown field 'seen' for mode"),
        ({"mode": "search", "text": "x", "alpha": "high"}, "alpha must be a finite number"),
        ('{"mode": "search", "text": "x", "alpha": NaN}', "alpha must be a finite number"),
        ({"mode": "search", "text": "x", "rrf_k": 2.5}, "rrf_k must be a whole number"),
        ({"mode": "search", "text": "x", "fusion": 1}, "fusion must be text"),
        ({"mode": "search", "text": "x", "filters": [1]}, "filters must be an object"),
        ({"mode": "search", "text": "x", "filters": {"year_min": "x"}}, "year_min must be a"),
        ({"mode": "search", "text": "x", "filters": {"min_rating": 1e999}}, "min_rating must"),
        ({"mode": "search", "text": "x", "exclude": [True]}, "exclude must be a list"),
        ({"mode": "search", "text": "x", "liked": [862]}, "unknown field 'liked' for mode"),
        ({"mode": "search", "text": "x", "kk": 3}, "unknown field 'kk'"),
        ({"mode": "search"}, "mode 'search' needs 'text'"),
        ({"text": "x"}, "missing 'mode'; use one of search, similar, recommend"),
        ([1, 2], "each line must be a JSON object"),
        ('"' + "9" * 5000 + '"', "each line must be a JSON object"),
        ("9" * 5000, "a number of 5,000 digits is too large"),
        ("[" * 50_000, "nested too deeply"),
    ],
)
def test_each_field_is_checked_against_one_schema(request_, message: str) -> None:
    (reply,) = answers_of([request_])
    assert message in reply.get("error", ""), reply
    assert "ufunc" not in reply["error"] and "numpy" not in reply["error"]


def test_null_means_not_given() -> None:
    (reply,) = answers_of([{"mode": "search", "text": "heist", "k": None, "filters": None}])
    assert len(reply["results"]) == 10


def test_a_huge_line_is_refused_without_reading_it_whole(cli, built) -> None:
    class Stream(io.BytesIO):
        biggest = 0

        def readline(self, size: int | None = -1) -> bytes:
            line = super().readline(size)
            Stream.biggest = max(Stream.biggest, len(line))
            return line

    huge = b'{"mode": "search", "text": "' + b"heist " * 2_000_000 + b'"}\n'  # 12 MB
    good = b'{"mode": "search", "text": "heist", "k": 1}\n'
    replies = list(run_batch(REC, read_lines(Stream(good + huge + b"\n" + good))))
    assert len(replies) == 3 and len(replies[0]["results"]) == 1
    assert replies[1]["error"].startswith(f"line 2: longer than {MAX_LINE_BYTES:,} bytes")
    assert replies[2]["results"] and Stream.biggest <= MAX_LINE_BYTES + 1
    result = cli("batch", "--catalog", FIXTURE_CATALOG, "-q", stdin=(huge + good).decode())
    assert [kind(json.loads(line)) for line in result.stdout.splitlines()] == ["error", "results"]


def test_a_line_that_is_not_utf8_is_answered() -> None:
    stream = io.BytesIO(b'{"mode": "\xff"}\n{"mode": "search", "text": "heist", "k": 1}\n')
    replies = list(run_batch(REC, read_lines(stream)))
    assert replies[0]["error"] == "line 1: not UTF-8 text; send JSON encoded as UTF-8"
    assert len(replies[1]["results"]) == 1


# -- the property: one answer per line, always, in order ------------------------------------------

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats()  # NaN and ±Infinity too: Python's json writes and reads them
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)
GOOD = {
    "text": st.sampled_from(["heist", "space", "", "  "]),
    "title": st.sampled_from(["Heat", "Incepton", "Total Recall"]),
    "id": st.sampled_from([949, 862, 1, -7]),
    "year": st.sampled_from([1990, 2012, 3000]),
    "liked": st.lists(st.sampled_from([862, 12, 949, 999999]), max_size=3),
    "disliked": st.lists(st.sampled_from([862, 348]), max_size=2),
    "k": st.integers(min_value=-1, max_value=40),
    "exclude": st.lists(st.sampled_from([949, 161]), max_size=2),
    "filters": st.fixed_dictionaries(
        {},
        optional={
            "genres": st.sampled_from(["Drama", ["Crime", "Comedy"], ["Westerns"]]),
            "year_min": st.integers(1900, 2030),
            "min_rating": st.floats(0, 10),
            "languages": st.sampled_from([["en"], "fr"]),
        },
    ),
}
FIELD = st.sampled_from([*sorted(FIELDS), "bogus"])
REQUESTS = st.builds(
    lambda mode, fields: {"mode": mode, **fields} if mode is not None else fields,
    st.sampled_from([*MODES, None, "dance", 3]),
    st.dictionaries(FIELD, st.just(None), max_size=5).flatmap(
        lambda keys: st.fixed_dictionaries(
            {key: (GOOD.get(key, JSON_VALUES) | JSON_VALUES) for key in keys}
        )
    ),
)
LINES = st.one_of(
    REQUESTS.map(lambda r: json.dumps(r).encode()),
    JSON_VALUES.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=40),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINES, min_size=1, max_size=6))
def test_every_line_gets_exactly_one_answer_in_order(lines: list[bytes]) -> None:
    data = b"\n".join(lines) + b"\n"
    expected = [n for n, line in enumerate(data.split(b"\n")[:-1], 1) if line.strip()]
    replies = list(run_batch(REC, read_lines(io.BytesIO(data))))
    assert len(replies) == len(expected)
    for number, reply in zip(expected, replies, strict=True):
        json.dumps(reply, allow_nan=False)  # a valid JSON line
        if kind(reply) == "error":
            assert reply["error"].startswith(f"line {number}: "), reply
            assert "internal error" not in reply["error"], reply
        else:
            assert isinstance(reply["results"], list)
