"""The mood benchmark: written queries with judged relevant films (binary relevance)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from movierec.errors import UsageError, os_reason

MOOD_BENCHMARK = Path(__file__).resolve().parent.parent / "data" / "mood_benchmark.json"


@dataclass(frozen=True)
class MoodCase:
    """A query as a user would type it, and the catalog films judged relevant to it."""

    id: str
    text: str
    relevant: frozenset[int]


def load_mood_benchmark(
    path: str | Path = MOOD_BENCHMARK, catalog_ids: set[int] | None = None
) -> list[MoodCase]:
    """Queries of the benchmark file; relevant films outside the catalog are dropped."""
    path = Path(path)
    try:
        data = json.loads(path.read_text())
        cases = [
            MoodCase(
                id=str(q["id"]),
                text=str(q["text"]),
                relevant=frozenset(int(r["id"]) for r in q["relevant"]),
            )
            for q in data["queries"]
        ]
    except OSError as error:  # missing, a folder, no permission
        raise UsageError(
            f"cannot read the mood benchmark {path} ({os_reason(error)}); give --moods a mood "
            "benchmark JSON file, or --moods '' to skip the mood queries"
        ) from None
    except (KeyError, TypeError, ValueError) as error:
        raise UsageError(
            f"{path}: not a mood benchmark ({error}); expected "
            '{"queries": [{"id", "text", "relevant": [{"id": …}]}]}'
        ) from None
    if catalog_ids is not None:
        cases = [MoodCase(c.id, c.text, frozenset(c.relevant & catalog_ids)) for c in cases]
    return [c for c in cases if c.relevant]
