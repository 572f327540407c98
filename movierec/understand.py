"""Read plain-language constraints ("a 90s French comedy under two hours") out of a query.

Rule-based over the catalog's own vocabularies: each rule finds its phrases in what earlier rules
left, takes them, and adds constraints; words no rule takes stay in the text for meaning search.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from itertools import islice, pairwise

from movierec import constraints as c
from movierec.constraints import Constraint, Understood
from movierec.periods import DURATION, TIME, minutes, period
from movierec.vocabulary import (
    COUNTRY_WORDS,
    FILLER,
    GENRE_WORDS,
    LANGUAGE_WORDS,
    WORD,
    Vocabulary,
)

B, E = r"(?<![\w'])", r"(?![\w])"  # word edges that also work before "'90s" and after "-"
TAKEN = "\x00"


class Scanner:
    """The query, with the characters rules have taken blanked out, and what they found."""

    def __init__(self, text: str) -> None:
        self.text = text
        lower = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
        self.view = lower  # the lowercased text, taken characters blanked
        self.found: list[Constraint] = []

    def take(self, start: int, end: int, found: Iterable[Constraint]) -> None:
        self.view = self.view[:start] + TAKEN * (end - start) + self.view[end:]
        self.found.extend(c.at(found, start, end))

    def scan(
        self, pattern: re.Pattern[str], read: Callable[[re.Match[str]], list[Constraint]]
    ) -> None:
        """Take every match of `pattern` that `read` finds constraints in."""
        for match in pattern.finditer(self.view):
            found = read(match)
            if found:
                self.take(match.start(), match.end(), found)


# -- rating and runtime ---------------------------------------------------------------------------

HIDDEN = re.compile(rf"{B}(?:hidden[- ]gems?|underrated|under[- ]the[- ]radar){E}")
RATED = re.compile(
    rf"{B}(?:(?:highly|well|top|best|high)[- ]rated|rated (?:highly|well)|(?:critically[- ])?"
    rf"acclaimed|well[- ]reviewed|(?:great|good) reviews){E}"
)
RATED_ABOVE = re.compile(rf"{B}rated (?:above|over|at least|higher than) (\d+(?:\.\d+)?){E}")
AT_MOST = r"under|less than|shorter than|at most|no (?:longer|more) than|not (?:longer|more) than"
AT_MOST += r"|up to|below|within|max(?:imum)?"
LENGTH = re.compile(
    rf"{B}(?:({AT_MOST})|over|more than|longer than|at least|above) ({DURATION})(?: long)?{E}"
)
SHORT = re.compile(rf"{B}short(?![\w-])(?!\s+(?:stor(?:y|ies)|term|list|of|on|hair|circuit)\b)")
SHORT_MINUTES = 90


def _quality_and_length(scanner: Scanner) -> None:
    scanner.scan(HIDDEN, lambda m: [c.hidden_gem()])
    scanner.scan(RATED, lambda m: [c.rating()])
    scanner.scan(RATED_ABOVE, lambda m: [c.rating(float(m[1]))] if float(m[1]) <= 10 else [])

    def length(match: re.Match[str]) -> list[Constraint]:
        value = minutes(match[2])
        return [c.runtime(None, value) if match[1] else c.runtime(value, None)]

    scanner.scan(LENGTH, length)
    scanner.scan(SHORT, lambda m: [c.runtime(None, SHORT_MINUTES)])


# -- years ----------------------------------------------------------------------------------------

THE = r"(?:the )?"
BEFORE = r"before |pre[- ]?|prior to |earlier than |older than "
AFTER = r"after |post[- ]?|later than |newer than |more recent than "
Bounds = tuple[int | None, int | None]
Rule = Callable[[tuple[int, int]], Bounds]  # the period named → the years allowed; None: a span
YEAR_RULES: list[tuple[str, Rule | None]] = [
    (rf"(?:between|from) {THE}({TIME}) (?:and|to|until|till|through|-|–) {THE}({TIME})", None),
    (rf"({TIME}) ?(?:-|–|to|through|or|and) ?{THE}({TIME})", None),
    (rf"(?:not|no|nothing) (?:newer|later|more recent) than {THE}({TIME})", lambda p: (None, p[1])),
    (rf"(?:not|no|nothing) older than {THE}({TIME})", lambda p: (p[0], None)),
    (rf"(?:until|up to) {THE}({TIME})", lambda p: (None, p[1])),
    (rf"(?:{BEFORE}){THE}({TIME})", lambda p: (None, p[0] - 1)),
    (rf"(?:{AFTER}){THE}({TIME})", lambda p: (p[1] + 1, None)),
    (rf"(?:since|starting (?:in|from)) {THE}({TIME})", lambda p: (p[0], None)),
    (rf"({TIME}) (?:and|or) (?:later|after|newer|up)|({TIME}) onwards?", lambda p: (p[0], None)),
    (rf"(?:from|in) {THE}({TIME}) (?:on|onwards?)", lambda p: (p[0], None)),
    (rf"({TIME}) (?:and|or) (?:earlier|before|older)", lambda p: (None, p[1])),
    (rf"({TIME})", lambda p: p),
]  # fmt: skip
YEAR_PATTERNS = [(re.compile(rf"{B}{pattern}{E}"), rule) for pattern, rule in YEAR_RULES]
# a negation just before a period ("not 90s", "nothing from the 90s", "anything but 1994"):
# Filters cannot leave a span of years out, so such a period sets no year filter at all (its
# words stay in the text) rather than the very years the user did not want
NEGATED = re.compile(
    rf"{B}(?:not|no|nothing|without|except|minus|anything but)\s+(?:(?:from|in|of|the)\s+)*$"
)
NEGATION_WINDOW = 40  # characters before a period searched for a negation


def _years(scanner: Scanner) -> None:
    def read(rule: Rule | None) -> Callable[[re.Match[str]], list[Constraint]]:
        def constraint(match: re.Match[str]) -> list[Constraint]:
            before = max(0, match.start() - NEGATION_WINDOW)
            if NEGATED.search(scanner.view, before, match.start()):
                scanner.take(match.start(), match.end(), [])  # no other rule reads it either
                return []
            groups = [period(g) for g in match.groups() if g]
            if rule is not None:
                return [c.years(*rule(groups[0]))]
            return [c.years(min(g[0] for g in groups), max(g[1] for g in groups))]

        return constraint

    for pattern, rule in YEAR_PATTERNS:
        scanner.scan(pattern, read(rule))


# -- genres, languages, people --------------------------------------------------------------------

GENRES = re.compile(
    "|".join(rf"{B}(?P<g{i}>{words}){E}" for i, (words, _) in enumerate(GENRE_WORDS))
)
LANGUAGE_KEYS = "|".join(sorted(map(re.escape, LANGUAGE_WORDS), key=len, reverse=True))
COUNTRY_KEYS = "|".join(sorted(map(re.escape, COUNTRY_WORDS), key=len, reverse=True))
LANGUAGES = re.compile(
    rf"{B}(?:in )?({LANGUAGE_KEYS})(?:[- ]language)?{E}|{B}from ({COUNTRY_KEYS}){E}"
)
NEGATION = re.compile(
    rf"{B}(?:but not|not|no|without|nothing|except|minus|anything but)\s+"
    r"(?:(?:a|an|any|too|the|more)\s+)?"
)
DIRECTOR_CUE = re.compile(rf"{B}(?:directed by|by|director|filmmaker)\s+$")
CAST_CUE = re.compile(rf"{B}(?:with|starring|featuring|stars?|feat\.?)\s+$")
CUE_WINDOW = 30  # characters before a name searched for "directed by", "starring"…


def _genres_at(match: re.Match[str], vocabulary: Vocabulary) -> list[str]:
    index = int(next(name for name, value in match.groupdict().items() if value)[1:])
    return [g for g in GENRE_WORDS[index][1] if g.lower() in vocabulary.genres]


def _genres(scanner: Scanner, vocabulary: Vocabulary) -> None:
    def read(match: re.Match[str]) -> list[Constraint]:
        found = [c.genre(g) for g in _genres_at(match, vocabulary)]
        if found and match[0] == "anime":
            found.append(c.language("ja"))
        return found

    scanner.scan(GENRES, read)
    scanner.scan(LANGUAGES, lambda m: [c.language(LANGUAGE_WORDS.get(m[1]) or COUNTRY_WORDS[m[2]])])


def _person(scanner: Scanner, vocabulary: Vocabulary, start: int) -> tuple[str, str, int] | None:
    """(role, name, end) of the person named at `start`, if any."""
    words = list(islice(WORD.finditer(scanner.view, start), 4))
    if not words or words[0].start() != start:
        return None
    cue = scanner.view[max(0, start - CUE_WINDOW) : start]
    by, cast = DIRECTOR_CUE.search(cue), CAST_CUE.search(cue)
    for n in range(len(words), 1, -1):
        key = " ".join(re.sub(r"['’]s$", "", w[0]) for w in words[:n])
        if key in vocabulary.people and _adjacent(scanner.view, words[:n]):
            directed, acted = vocabulary.directed[key], vocabulary.acted[key]
            role = "director" if (by and directed) or (not cast and directed > acted) else "cast"
            return role, vocabulary.people[key], words[n - 1].end()
    word = re.sub(r"['’]s$", "", words[0][0])
    capitalized = scanner.text[start : start + 1].isupper() and len(word) >= 4
    if by or capitalized:
        key = vocabulary.director_by_last_name(word, strict=not by)
        if key:
            return "director", vocabulary.people[key], words[0].end()
    return None


def _adjacent(view: str, words: list[re.Match[str]]) -> bool:
    """Whether the words are separated by single spaces only."""
    return all(view[a.end() : b.start()] == " " for a, b in pairwise(words))


def _people(scanner: Scanner, vocabulary: Vocabulary) -> None:
    position = 0
    while match := WORD.search(scanner.view, position):
        found = None if TAKEN in match[0] else _person(scanner, vocabulary, match.start())
        if found is None:
            position = match.end()
            continue
        role, name, end = found
        window = max(0, match.start() - CUE_WINDOW)
        cue = (DIRECTOR_CUE if role == "director" else CAST_CUE).search(
            scanner.view, window, match.start()
        )
        start = cue.start() if cue else match.start()
        scanner.take(start, end, [c.director(name) if role == "director" else c.cast(name)])
        position = end


def _negations(scanner: Scanner, vocabulary: Vocabulary) -> None:
    for match in list(NEGATION.finditer(scanner.view)):
        start, view = match.end(), scanner.view
        genre = GENRES.match(view, start)
        if genre and _genres_at(genre, vocabulary):
            found = [c.not_genre(g) for g in _genres_at(genre, vocabulary)]
            scanner.take(match.start(), genre.end(), found)
            continue
        person = _person(scanner, vocabulary, start)
        if person and person[0] == "cast":
            scanner.take(match.start(), person[2], [c.not_cast(person[1])])
            continue
        words = _title_words(scanner, vocabulary, start)
        if words:
            scanner.take(
                match.start(), words[-1].end(), [c.not_title(" ".join(w[0] for w in words))]
            )


def _title_words(scanner: Scanner, vocabulary: Vocabulary, start: int) -> list[re.Match[str]]:
    """Capitalized words at `start` that occur in the catalog's titles ("Batman", "Star Wars")."""
    words = []
    for word in WORD.finditer(scanner.text, start):
        gap = (
            scanner.text[words[-1].end() : word.start()]
            if words
            else scanner.text[start : word.start()]
        )
        if (
            gap.strip()
            or not word[0][:1].isupper()
            or word[0].lower() not in vocabulary.title_words
        ):
            break
        words.append(word)
    return words


# -- the whole query ------------------------------------------------------------------------------


def understand(text: str, vocabulary: Vocabulary, skip: Iterable[str] = ()) -> Understood:
    """The constraints in `text` (minus those whose label is in `skip`) and the residual text."""
    scanner = Scanner(text)
    _quality_and_length(scanner)
    _years(scanner)
    _negations(scanner, vocabulary)
    _genres(scanner, vocabulary)
    _people(scanner, vocabulary)
    skip = set(skip)
    kept: list[Constraint] = []
    taken = [False] * len(text)
    for constraint in sorted(scanner.found, key=lambda x: x.span):
        if constraint.label in skip:
            continue
        start, end = constraint.span
        taken[start:end] = [True] * (end - start)
        if all((k.kind, k.value) != (constraint.kind, constraint.value) for k in kept):
            kept.append(constraint)
    if not kept:
        return Understood(text, (), text)
    rest = "".join(" " if gone else ch for ch, gone in zip(text, taken, strict=True))
    return Understood(text, tuple(kept), residual(rest))


def residual(rest: str) -> str:
    """What is left for meaning search: filler words at the edges and punctuation dropped."""
    words = rest.replace(",", " ").split()
    words = [w.strip(".;:!?-–") for w in words]
    words = [w for w in words if w]
    while words and words[0].lower() in FILLER:
        words.pop(0)
    while words and words[-1].lower() in FILLER:
        words.pop()
    return " ".join(words)
