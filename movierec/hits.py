"""A recommended film with the score and the parts that explain it, and the typed record of a
ranked row that the pipeline hands to the façade to build it from."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from movierec.constraints import Understood

from movierec.markdown import escape

MAX_TERMS = 6  # matched terms named in an explanation


@dataclass(frozen=True)
class Because:
    """A film that explains a result: a liked film, or the chosen title (relation "seed")."""

    row: int
    similarity: float
    relation: str | None = None


@dataclass(frozen=True)
class Scored:
    """One ranked catalog row and the parts of its score (rows, not ids: the pipeline's side)."""

    row: int
    score: float
    vector_score: float | None = None
    bm25_score: float | None = None
    prior: float = 0.0
    community_score: float | None = None
    matched_terms: tuple[str, ...] = ()
    because: tuple[Because, ...] = ()
    boost: float = 0.0  # `unseen_boost` added: a film the tuning saw no like of
    nobody_liked: bool = False  # the community model holds no like of it (its score is a reading)


@dataclass
class Hit:
    """One result. `score` orders results; the other numbers say where it came from."""

    id: int
    title: str
    year: int | None
    score: float
    vector_score: float | None = None
    bm25_score: float | None = None
    prior: float = 0.0
    community_score: float | None = None
    matched_terms: list[str] = field(default_factory=list)
    because: list[dict[str, Any]] = field(default_factory=list)
    genres: list[str] = field(default_factory=list)
    boost: float = 0.0  # `unseen_boost` added to its relevance (a film the tuning saw no like of)
    nobody_liked: bool = False  # the community model holds no like of it (its score is a reading)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with rounded scores."""
        data = asdict(self)
        for key in ("score", "vector_score", "bm25_score", "prior", "community_score", "boost"):
            if data[key] is not None:
                data[key] = round(float(data[key]), 4)
        return data

    def explain(self, markdown: bool = False) -> str:
        """A short sentence saying why this film was suggested: plain text joined by "; ", or
        Markdown (titles in italics, matched terms in bold, both escaped) joined by " · " and
        capitalized."""
        title = (lambda t: f"*{escape(t)}*") if markdown else str
        term = (lambda t: f"**{escape(t)}**") if markdown else str
        parts = []
        seeds = [title(b["title"]) for b in self.because if b.get("relation") == "seed"]
        liked = [title(b["title"]) for b in self.because if b.get("relation") != "seed"]
        if seeds:
            parts.append(f"like {' and '.join(seeds)}")
        if liked:
            parts.append(f"because you liked {' and '.join(liked)}")
        if self.matched_terms:
            parts.append("matches " + ", ".join(map(term, self.matched_terms[:MAX_TERMS])))
        if self.community_score:
            parts.append(self.community_reason())
        if self.vector_score is not None:
            parts.append(f"meaning similarity {self.vector_score:.2f}")
        if self.boost:
            parts.append(f"new to the tuned model, lifted by {self.boost:.2f}")
        if not markdown:
            return "; ".join(parts)
        text = " · ".join(parts)
        return text[:1].upper() + text[1:]

    def community_reason(self) -> str:
        """What the community score says: co-likes of the seed film, or of similar people; for
        a film nobody has liked, the community model's reading of it."""
        seeded = any(b.get("relation") == "seed" for b in self.because)
        who = "often liked together" if seeded else "liked by people with your taste"
        if self.nobody_liked:
            who = "nobody has liked it yet; it reads like films " + (
                "often liked with this one" if seeded else "people with your taste liked"
            )
        return f"{who} ({(self.community_score or 0.0):.2f})"


class Results(list[Hit]):
    """Hits best first, and what a parsed query was understood to ask for (None: not parsed)."""

    def __init__(self, hits: Iterable[Hit] = (), understood: Understood | None = None) -> None:
        super().__init__(hits)
        self.understood = understood
