"""Scoring the constraint parser against the written query set (per constraint: kind + value)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any

from movierec.constraints import Understood

QUERIES = "constraint_queries.json"


@dataclass
class ConstraintScore:
    """Micro-averaged precision and recall, and the queries that missed."""

    queries: int
    expected: int
    found: int
    correct: int
    misses: list[dict[str, Any]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.expected if self.expected else 1.0


def load_queries() -> list[dict[str, Any]]:
    """The packaged query set: [{"text": …, "expected": [{"kind": …, "value": …}]}]."""
    return json.loads(files("movierec.data").joinpath(QUERIES).read_text("utf-8"))["queries"]


def _key(item: dict[str, Any]) -> tuple[str, str]:
    return item["kind"], json.dumps(item["value"])


def score(parse: Callable[[str], Understood], queries: list[dict[str, Any]]) -> ConstraintScore:
    """Compare what `parse` understands in each query with what a person expects."""
    result = ConstraintScore(len(queries), 0, 0, 0)
    for query in queries:
        expected = {_key(item) for item in query["expected"]}
        found = {_key(item) for item in parse(query["text"]).to_list()}
        result.expected += len(expected)
        result.found += len(found)
        result.correct += len(expected & found)
        if expected != found:
            missing, extra = sorted(expected - found), sorted(found - expected)
            result.misses.append({"text": query["text"], "missing": missing, "extra": extra})
    return result
