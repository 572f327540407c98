"""The first-visit grid, simulated on MovieLens users.

A simulated new user sees a grid and likes the films of it they liked in the data; a user who
knows none of them clicks "show others" and sees the next grid (up to `max_tries` grids). After
one grid, and after one more "show others", `Recommender.recommend` gets what was liked (the
films shown are excluded from its answer) and Recall@k is measured on the user's likes that were
not shown ("remaining"). A user with no like at all gets `Recommender.popular` instead.

Grids do not depend on the user, only on what was shown before, so each way of drawing grids is
one fixed chain of grids (`grid_chain`), and a user sees a prefix of it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from movierec.evaluation.metrics import recall_at_k
from movierec.movielens import Interactions
from movierec.onboarding import GRID, PickerOptions, candidate_pool
from movierec.recommender import Recommender

Grid = Callable[[Sequence[int], int], list[int]]  # (films shown so far, seed) -> the next grid


def picker(recommender: Recommender, n: int = GRID, options: PickerOptions | None = None) -> Grid:
    """The façade's picker (`Recommender.picker_grid`)."""
    return lambda shown, seed: recommender.picker_grid(shown, n, seed, options=options)


def popular(recommender: Recommender, n: int = GRID) -> Grid:
    """The starter picks the app showed an empty profile before: `Recommender.popular`."""
    return lambda shown, seed: [h.id for h in recommender.popular(n, exclude=shown)]


def most_voted(recommender: Recommender, n: int = GRID) -> Grid:
    """The `n` most voted films not shown yet."""

    def grid(shown: Sequence[int], seed: int) -> list[int]:
        rows = [recommender.movies.row(i) for i in shown]
        allowed = recommender.filter_index.mask(None, rows)
        pool = candidate_pool(recommender.filter_index.votes, n, allowed)
        return [int(recommender.movies.ids[r]) for r in pool]

    return grid


def grid_chain(grid: Grid, length: int, seed: int = 0) -> list[list[int]]:
    """The first `length` grids a user sees by clicking "show others" again and again."""
    chain: list[list[int]] = []
    shown: list[int] = []
    for _ in range(length):
        chain.append(grid(shown, seed))
        shown += chain[-1]
    return chain


@dataclass
class OnboardingScores:
    """Per grid step: mean Recall@k, mean likes given, and the share of users without a like."""

    recall: list[float]
    likes: list[float]
    no_like: list[float]
    users: int


def eligible_users(data: Interactions, min_likes: int = 10) -> list[int]:
    """The simulated users: those with at least `min_likes` likes in the catalog."""
    return [u for u in data.users if len(data.likes[u]) >= min_likes]


def simulate(
    recommender: Recommender,
    chain: Sequence[Sequence[int]],
    data: Interactions,
    steps: int = 2,
    k: int = 10,
    min_likes: int = 10,
    max_tries: int = 3,
) -> OnboardingScores:
    """Recall@k of the remaining likes after 1..`steps` grids (see the module docstring)."""
    users = eligible_users(data, min_likes)
    recall, likes = np.zeros((len(users), steps)), np.zeros((len(users), steps))
    for i, user in enumerate(users):
        liked_data = set(data.likes[user])
        for step, (shown, liked) in enumerate(_sessions(chain, liked_data, steps, max_tries)):
            ranked = _recommend(recommender, liked, shown, k)
            recall[i, step] = recall_at_k(ranked, liked_data - set(shown), k)
            likes[i, step] = len(liked)
    return OnboardingScores(
        recall=_means(recall, 4),
        likes=_means(likes, 2),
        no_like=_means(likes == 0, 3),
        users=len(users),
    )


def shared_target(
    recommender: Recommender,
    chain: Sequence[Sequence[int]],
    other: Sequence[Sequence[int]],
    data: Interactions,
    steps: int = 2,
    k: int = 10,
    min_likes: int = 10,
    max_tries: int = 3,
) -> tuple[list[float], list[float]]:
    """A stricter comparison of two chains: both are judged on the likes that neither showed,
    and both recommendation lists leave out the films of both grids. Mean Recall@k per step,
    for `chain` and for `other`."""
    users = eligible_users(data, min_likes)
    mine, theirs = np.zeros((len(users), steps)), np.zeros((len(users), steps))
    for i, user in enumerate(users):
        liked_data = set(data.likes[user])
        a = _sessions(chain, liked_data, steps, max_tries)
        b = _sessions(other, liked_data, steps, max_tries)
        for step, ((shown_a, liked_a), (shown_b, liked_b)) in enumerate(zip(a, b, strict=True)):
            both = sorted(set(shown_a) | set(shown_b))
            target = liked_data - set(both)
            mine[i, step] = recall_at_k(_recommend(recommender, liked_a, both, k), target, k)
            theirs[i, step] = recall_at_k(_recommend(recommender, liked_b, both, k), target, k)
    return _means(mine, 4), _means(theirs, 4)


def _recommend(recommender: Recommender, liked: list[int], shown: list[int], k: int) -> list[int]:
    if liked:
        return [h.id for h in recommender.recommend(liked, k=k, exclude=shown)]
    return [h.id for h in recommender.popular(k, exclude=shown)]


def _means(values: np.ndarray, digits: int) -> list[float]:
    return [round(float(v), digits) for v in np.asarray(values, dtype=np.float64).mean(axis=0)]


def _sessions(
    chain: Sequence[Sequence[int]], liked_data: set[int], steps: int, max_tries: int
) -> list[tuple[list[int], list[int]]]:
    """(films shown, films liked) after each step; a step shows one grid, or more while the
    user has liked nothing yet (at most `max_tries` in a row)."""
    shown: list[int] = []
    liked: list[int] = []
    position = 0
    out = []
    for _ in range(steps):
        for _ in range(max_tries):
            if position >= len(chain):
                break
            grid = list(chain[position])
            position += 1
            shown += grid
            liked += [m for m in grid if m in liked_data]
            if liked:
                break
        out.append((list(shown), list(liked)))
    return out


def chain_length(steps: int, max_tries: int) -> int:
    """Grids a chain needs so that no simulated user runs out of them."""
    return steps * max_tries


def onboarding_table(
    recommender: Recommender,
    data: Interactions,
    seeds: Sequence[int] = (0, 1, 2),
    n: int = GRID,
    options: PickerOptions | None = None,
    steps: int = 2,
    max_tries: int = 3,
) -> str:
    """The picker (one row per seed) against the popular and most voted grids, as text:
    likes given after one grid, Recall@10 of the remaining likes after each step with the ratio
    to popular, and the stricter same-target recall of picker vs popular (`shared_target`)."""
    length = chain_length(steps, max_tries)
    base = grid_chain(popular(recommender, n), length)
    runs = {
        "popular": simulate(recommender, base, data, steps, max_tries=max_tries),
        "most voted": simulate(
            recommender,
            grid_chain(most_voted(recommender, n), length),
            data,
            steps,
            max_tries=max_tries,
        ),
    }
    plural = ["1 grid"] + [f"{s + 1} grids" for s in range(1, steps)]
    lines = [
        f"{runs['popular'].users} users with >= 10 likes, grids of {n}, Recall@10 of the likes "
        "not shown; (x) = ratio to popular; same target = likes neither grid showed",
        f"{'seed':6s}{'grid':12s}{'likes':>7s}{'no like':>9s}"
        + "".join(f"{'R@10 ' + p:>18s}" for p in plural)
        + "".join(f"{'same target, ' + p:>26s}" for p in plural),
    ]
    for name, run in runs.items():
        lines.append(_row("-", name, run, [f"{r:.4f}" for r in run.recall]))
    ratios = []
    for seed in seeds:
        chain = grid_chain(picker(recommender, n, options), length, seed)
        run = simulate(recommender, chain, data, steps, max_tries=max_tries)
        ratios.append(list(map(_ratio, run.recall, runs["popular"].recall)))
        cells = [f"{r:.4f} ({q:.2f}x)" for r, q in zip(run.recall, ratios[-1], strict=True)]
        mine, theirs = shared_target(recommender, chain, base, data, steps, max_tries=max_tries)
        strict = [f"{a:.4f} vs {b:.4f}" for a, b in zip(mine, theirs, strict=True)]
        lines.append(_row(str(seed), "picker", run, cells, strict))
    mean = [f"({q:.2f}x)" for q in np.mean(ratios, axis=0)]
    lines.append(f"{'mean':6s}{'picker':12s}{'':16s}" + "".join(f"{c:>18s}" for c in mean))
    return "\n".join(lines)


def _ratio(value: float, base: float) -> float:
    return value / base if base > 0 else float("inf")


def _row(
    seed: str, name: str, run: OnboardingScores, cells: list[str], strict: Sequence[str] = ()
) -> str:
    head = f"{seed:6s}{name:12s}{run.likes[0]:>7.2f}{run.no_like[0]:>9.3f}"
    return head + "".join(f"{c:>18s}" for c in cells) + "".join(f"{c:>26s}" for c in strict)
