"""The tags mood protocol: real people's tags (MovieLens tags.csv) as free-text queries.

A normalized tag (movierec.tuning.pairs.normalize_tag) is a query; the catalog films tagged with
it are relevant. Kept as queries are tags that describe a film's mood, theme or kind, so a tag is
dropped when
- it names a person in the catalog (a cast member or director, e.g. "will ferrell"): a name
  query is a keyword lookup, not a mood;
- it is about the tagger's own bookkeeping or a list, not the film (STOP_TAGS, or containing one
  of STOP_WORDS: "netflix", "dvd", "imdb", "seen", …);
- fewer than `min_films` (2) catalog films carry it.
The kept tags are split (seeded) into train and test tags: tuning may read the train tags' pairs
(and every tag that was never a query candidate), never a test tag.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from movierec.evaluation.mood import MoodCase
from movierec.tuning.pairs import normalize_tag

STOP_TAGS = frozenset(
    {"to see", "watched", "owned", "favorite", "favorites", "bad", "good", "great", "seen"}
)
STOP_WORDS = (
    "netflix",
    "dvd",
    "bd-r",
    "clv",
    "imdb",
    "seen it",
    "must see",
    "tivo",
    "library",
    "oscar",
)


@dataclass(frozen=True)
class TagSplit:
    """Test tags as mood cases, and the (tag, film) pairs tuning may learn from."""

    test: list[MoodCase]
    train_pairs: list[tuple[str, int]]
    train_tags: list[str]
    dropped: dict[str, int]


def person_names(catalog: pd.DataFrame) -> set[str]:
    """Normalized names of every cast member and director of the catalog."""
    names = {normalize_tag(d) for d in catalog.get("director", pd.Series([], dtype=str))}
    for cast in catalog.get("cast", pd.Series([], dtype=object)):
        if cast is not None and not isinstance(cast, float):
            names.update(normalize_tag(name) for name in cast)
    return {n for n in names if n}


def is_bookkeeping(tag: str) -> bool:
    """A tag about the tagger's lists or media rather than the film."""
    return tag in STOP_TAGS or any(re.search(rf"\b{re.escape(w)}\b", tag) for w in STOP_WORDS)


def split_tags(
    pairs: Iterable[tuple[str, int]],
    catalog: pd.DataFrame,
    seed: int = 0,
    test_share: float = 0.5,
    min_films: int = 2,
) -> TagSplit:
    """Mood cases of a seeded `test_share` of the eligible tags, and the training pairs."""
    catalog_ids = set(catalog["id"].astype(int))
    films: dict[str, set[int]] = defaultdict(set)
    for tag, movie in pairs:
        tag = normalize_tag(tag)
        if tag and int(movie) in catalog_ids:
            films[tag].add(int(movie))
    people = person_names(catalog)
    dropped = {"person": 0, "bookkeeping": 0, "few_films": 0}
    eligible = []
    for tag in sorted(films):
        reason = (
            "person"
            if tag in people
            else "bookkeeping"
            if is_bookkeeping(tag)
            else "few_films"
            if len(films[tag]) < min_films
            else None
        )
        if reason:
            dropped[reason] += 1
        else:
            eligible.append(tag)
    order = np.random.default_rng(seed).permutation(len(eligible))
    test = {eligible[i] for i in order[: round(test_share * len(eligible))]}
    cases = [MoodCase(f"tag:{t}", t, frozenset(films[t])) for t in sorted(test)]
    train = [(t, m) for t in sorted(films) if t not in test for m in sorted(films[t])]
    return TagSplit(cases, train, sorted(set(films) - test), dropped)


def catalog_text_pairs(catalog: pd.DataFrame, limit: int = 20) -> list[tuple[str, int]]:
    """(keyword or genre, film) pairs from the catalog itself: text supervision without users."""
    pairs = []
    for movie, keywords, genres in zip(
        catalog["id"], catalog["keywords"], catalog["genres"], strict=True
    ):
        for value in [*list(keywords)[:limit], *list(genres)]:
            text = normalize_tag(value)
            if text:
                pairs.append((text, int(movie)))
    return pairs
