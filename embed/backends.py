"""Encoder backends (torch, ONNX, ONNX int8) and which of them give interchangeable vectors.

`scripts/benchmark_encoder.py` measures the cosine between the vectors of every pair of backends
on the packaged catalog's documents (docs/benchmarks.md, "Encoder backends"). Two backends are
compatible, so that an index built with one may be queried (or reuse vectors) with the other, when
the lowest cosine measured between their vectors is at least `TOLERANCE`: torch and onnx agree to
float rounding (min cosine 0.9999999), onnx-int8 does not (mean 0.9966, min 0.990 over the 4,801
films), so an int8 index keeps its own backend (its single queries go through the float export,
`embed.encoder`) and its vectors are never mixed with full-precision ones.
"""

from __future__ import annotations

from movierec.errors import UsageError

BACKENDS: tuple[str, ...] = ("torch", "onnx", "onnx-int8")
DEFAULT_BACKEND = "torch"
TOLERANCE = 0.999  # lowest cosine between two backends' vectors for them to be interchangeable
# The lowest cosine measured between two backends' vectors of the packaged catalog's documents.
MEASURED_MIN_COSINE: dict[frozenset[str], float] = {
    frozenset({"torch", "onnx"}): 0.9999999,
    frozenset({"torch", "onnx-int8"}): 0.990,
    frozenset({"onnx", "onnx-int8"}): 0.990,
}


def check_backend(name: str | None) -> str:
    """The backend's name (the default for None); UsageError listing the choices otherwise."""
    if name is None:
        return DEFAULT_BACKEND
    cleaned = str(name).strip().lower()
    if cleaned not in BACKENDS:
        raise UsageError(f"unknown encoder backend {name!r}; choose one of {', '.join(BACKENDS)}")
    return cleaned


def min_cosine(a: str, b: str) -> float:
    """The lowest cosine measured between the vectors of backends `a` and `b` (1.0 if equal)."""
    return 1.0 if a == b else MEASURED_MIN_COSINE[frozenset({a, b})]


def compatible(a: str, b: str) -> bool:
    """Whether vectors of backend `a` and `b` may be mixed (one index, one cache)."""
    return min_cosine(a, b) >= TOLERANCE


def incompatibility(built: str, asked: str, where: object) -> str:
    """The message refusing to query an index built with `built` through `asked`."""
    return (
        f"the index at {where} was built with encoder backend {built!r}, whose vectors differ "
        f"from {asked!r} ones (lowest cosine {min_cosine(built, asked):.3f}, below the "
        f"{TOLERANCE} tolerance); query it with --backend {built} (or MOVIEREC_BACKEND={built}), "
        f"or rebuild it with `movierec build --backend {asked}`"
    )
