"""The evaluation as a table, JSON and a bar chart."""

from __future__ import annotations

import json
import os
from pathlib import Path

from movierec.evaluation.metrics import paired_ratio_interval
from movierec.evaluation.run import EvalResult


def table(result: EvalResult, baseline: str = "popularity") -> str:
    """A text table of every system on every metric, with the ratio to the baseline."""
    metrics = result.metrics()
    width = max(len(name) for name in result.scores) + 2
    header = f"{'system':{width}s}" + "".join(f"{result.label(m):>20s}" for m in metrics)
    tags = f"tags: {result.tag_queries} queries, " if result.tag_queries else ""
    cold = f"cold films only ({result.cold_films} withheld), " if result.cold_films else ""
    folds = f" ({result.folds} folds of their likes)" if result.folds > 1 else ""
    lines = [
        f"{cold}profile: {result.profile_users} users{folds}, "
        f"similar: {result.similar_films} films, mood: {result.mood_queries} queries, "
        f"{tags}k={result.k}, seed={result.seed}",
        header,
        "-" * len(header),
    ]
    for name, scores in result.scores.items():
        cells = ""
        for metric in metrics:
            ratio = ""
            if baseline in result.scores and name != baseline:
                ratio = f" ({result.ratio(name, baseline, metric):.2f}x)"
            cells += f"{scores[metric]:>12.4f}{ratio:>8s}"
        lines.append(f"{name:{width}s}{cells}")
    if baseline in result.scores:
        lines.append(f"(n.nnx) = ratio to {baseline}")
    reference = "ease" if "ease" in result.scores else baseline
    lines.extend(profile_intervals(result, reference))
    return "\n".join(lines)


def profile_intervals(result: EvalResult, reference: str, level: float = 0.95) -> list[str]:
    """Each system's profile recall over `reference`'s, with a paired bootstrap interval over
    the profiles (how much the ratio owes to which users were drawn); [] when not measurable."""
    base = result.profile_recall.get(reference)
    if not base or sum(base) <= 0:
        return []
    lines = [
        f"\nprofile recall / {reference}, {level:.0%} paired bootstrap interval over "
        f"{len(base)} users:"
    ]
    width = max(len(name) for name in result.profile_recall) + 2
    for name, values in result.profile_recall.items():
        if name == reference or len(values) != len(base):
            continue
        ratio, low, high = paired_ratio_interval(values, base, level=level, seed=result.seed)
        lines.append(f"{name:{width}s}{ratio:>8.3f}  ({low:.3f}-{high:.3f})")
    return lines


def write_json(result: EvalResult, path: Path) -> None:
    _atomic_write(path, json.dumps(result.to_dict(), indent=2) + "\n")


def bar_chart(result: EvalResult, path: Path) -> None:
    """Grouped bars: one group per metric, one bar per system."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    metrics = result.metrics()
    names = list(result.scores)
    x = np.arange(len(metrics))
    width = 0.8 / len(names)
    fig, ax = plt.subplots(figsize=(max(7, 1.2 * len(names) + 4), 4.2))
    for i, name in enumerate(names):
        values = [result.scores[name][m] for m in metrics]
        bars = ax.bar(x + (i - (len(names) - 1) / 2) * width, values, width, label=name)
        ax.bar_label(bars, fmt="%.3f", fontsize=7, rotation=90, padding=2)
    ax.set_xticks(x, [result.label(m) for m in metrics])
    ax.set_ylabel("mean over cases")
    ax.set_title(
        f"MovieLens: {result.profile_users} users, {result.similar_films} films (k={result.k})"
    )
    ax.legend(fontsize=8, ncols=2)
    ax.margins(y=0.25)
    fig.tight_layout()
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}.png")
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    os.replace(tmp, path)


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text)
    os.replace(tmp, path)
