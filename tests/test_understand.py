"""The free-text constraint parser, rule by rule, with the default catalog's vocabulary."""

from __future__ import annotations

import pytest

from movierec.catalog import DEFAULT_CATALOG, load_catalog
from movierec.constraints import ConflictingConstraints, Understood, combine
from movierec.errors import UsageError
from movierec.evaluation.constraints import load_queries
from movierec.filters import Filters
from movierec.understand import understand
from movierec.vocabulary import Vocabulary


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return Vocabulary.from_catalog(load_catalog(DEFAULT_CATALOG))


def found(text: str, vocabulary: Vocabulary, kind: str | None = None) -> list:
    """(kind, value) of each constraint, or just the values of one kind."""
    items = [(c.kind, c.value) for c in understand(text, vocabulary).constraints]
    return [value for k, value in items if k == kind] if kind else items


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s thrillers", (1990, 1999)),
        ("a film from the 1990s", (1990, 1999)),
        ("'80s action", (1980, 1989)),
        ("the eighties", (1980, 1989)),
        ("early 2000s", (2000, 2004)),
        ("late 70s horror", (1976, 1979)),
        ("a movie from 1994", (1994, 1994)),
        ("between 1980 and 1990", (1980, 1990)),
        ("1980-1990", (1980, 1990)),
        ("between 1990 and 1980", (1980, 1990)),
        ("70s or 80s", (1970, 1989)),
        ("before 1980", (None, 1979)),
        ("pre-2000", (None, 1999)),
        ("after 2010", (2011, None)),
        ("post-2010", (2011, None)),
        ("since 2005", (2005, None)),
        ("nothing older than 2010", (2010, None)),
        ("after the 80s", (1990, None)),
    ],
)
def test_years_decades_ranges(vocabulary, text, expected) -> None:
    assert found(text, vocabulary, "year") == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("under two hours", (None, 120)),
        ("less than 100 minutes", (None, 100)),
        ("shorter than an hour and a half", (None, 90)),
        ("no longer than 2 hours", (None, 120)),
        ("over three hours", (180, None)),
        ("at least 150 minutes long", (150, None)),
        ("a short comedy", (None, 90)),
    ],
)
def test_runtime(vocabulary, text, expected) -> None:
    assert found(text, vocabulary, "runtime") == [expected]


def test_runtime_needs_a_comparison_and_short_is_not_a_short_story(vocabulary) -> None:
    assert found("two hours of fun", vocabulary) == []
    assert found("a short story about a lighthouse", vocabulary) == []


@pytest.mark.parametrize(
    ("text", "code"),
    [("a French comedy", "fr"), ("Japanese horror", "ja"), ("Bollywood", "hi"),
     ("Hindi action", "hi"), ("a film from Korea", "ko"), ("Spanish-language", "es")],
)  # fmt: skip
def test_languages_and_nationalities(vocabulary, text, code) -> None:
    assert found(text, vocabulary, "language") == [code]


def test_a_language_with_two_codes_filters_on_both(vocabulary) -> None:
    norwegian, _ = understand("a Norwegian thriller", vocabulary).constraints
    assert norwegian.filters.languages == ("no", "nb") and norwegian.label == "Norwegian"


@pytest.mark.parametrize(
    ("text", "genres"),
    [
        ("highly rated war dramas", ["War", "Drama"]),
        ("something scary", ["Horror"]),
        ("sci-fi", ["Science Fiction"]),
        ("a romcom", ["Romance", "Comedy"]),
        ("a cartoon", ["Animation"]),
        ("animated films for kids", ["Animation", "Family"]),
        ("family movies", ["Family"]),
        ("films about space exploration", []),  # a topic, not a genre
        ("a tearjerker about family", []),
        ("Star Wars", []),
    ],
)
def test_genres_and_synonyms(vocabulary, text, genres) -> None:
    assert found(text, vocabulary, "genre") == genres


def test_anime_is_japanese_animation(vocabulary) -> None:
    assert found("anime", vocabulary) == [("genre", "Animation"), ("language", "ja")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("something with Bill Murray", [("cast", "Bill Murray")]),
        ("something with bill murray", [("cast", "Bill Murray")]),
        ("starring Tom Hanks", [("cast", "Tom Hanks")]),
        ("directed by Nolan", [("director", "Christopher Nolan")]),
        ("by Christopher Nolan", [("director", "Christopher Nolan")]),
        ("a Tarantino film", [("director", "Quentin Tarantino")]),
        ("Tom Hanks dramas", [("cast", "Tom Hanks"), ("genre", "Drama")]),  # acts more
        ("starring Clint Eastwood", [("cast", "Clint Eastwood")]),
        ("directed by Clint Eastwood", [("director", "Clint Eastwood")]),
        ("something to watch with my grandmother", []),
    ],
)
def test_people_from_the_catalog(vocabulary, text, expected) -> None:
    assert sorted(found(text, vocabulary)) == sorted(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no horror please", [("not_genre", "Horror")]),
        ("nothing scary", [("not_genre", "Horror")]),
        ("directed by Nolan but not Batman", [("director", "Christopher Nolan"),
                                              ("not_title", "Batman")]),
        ("fantasy but not Harry Potter", [("genre", "Fantasy"), ("not_title", "Harry Potter")]),
        ("comedies without Adam Sandler", [("genre", "Comedy"), ("not_cast", "Adam Sandler")]),
        ("not too long", []),
    ],
)  # fmt: skip
def test_negation(vocabulary, text, expected) -> None:
    assert sorted(found(text, vocabulary)) == sorted(expected)


@pytest.mark.parametrize(
    "text",
    [
        "not 90s",
        "a comedy, not 90s",
        "no 90s films",
        "nothing from the 90s",
        "anything but the 1990s",
        "heist films, not from 1994",
        "not before 1980",
        "no earlier than 2000",
        "not between 1980 and 1990",
    ],
)
def test_a_negated_period_sets_no_year_filter(vocabulary, text) -> None:
    """Filters cannot leave a span of years out: the period is not read (never as the very
    years the user did not want) and its words stay in the text."""
    understood = understand(text, vocabulary)
    assert found(text, vocabulary, "year") == []
    assert understood.filters.year_min is None and understood.filters.year_max is None
    assert any(ch.isdigit() for ch in understood.residual)


def test_a_negation_elsewhere_leaves_the_period(vocabulary) -> None:
    assert found("90s but no horror", vocabulary) == [("year", (1990, 1999)),
                                                      ("not_genre", "Horror")]  # fmt: skip
    assert found("nothing newer than 1990", vocabulary, "year") == [(None, 1990)]


def test_rating_and_hidden_gems(vocabulary) -> None:
    assert found("critically acclaimed", vocabulary) == [("rating", 7.0)]
    assert found("rated above 8", vocabulary) == [("rating", 8.0)]
    (gem,) = understand("a hidden gem", vocabulary).constraints
    assert gem.label == "hidden gem" and gem.filters.max_votes and gem.filters.min_rating


def test_labels_filters_and_residual(vocabulary) -> None:
    understood = understand("a 90s French comedy under two hours", vocabulary)
    assert understood.labels == ["1990–1999", "French", "Comedy", "≤ 120 min"]
    assert understood.residual == ""
    assert understood.filters == Filters(
        year_min=1990, year_max=1999, languages=("fr",), all_genres=("Comedy",), runtime_max=120
    )
    assert understand("space horror from the 70s", vocabulary).residual == "space"
    assert understood.to_list()[0] == {"label": "1990–1999", "kind": "year", "value": [1990, 1999]}


def test_unknown_words_stay_and_no_constraint_leaves_the_text_alone(vocabulary) -> None:
    text = "a cozy, feel-good film for a rainy Sunday"
    assert understand(text, vocabulary) == Understood(text, (), text)


def test_no_constraint_queries_parse_to_none(vocabulary) -> None:
    plain = [q["text"] for q in load_queries() if not q["expected"]]
    assert len(plain) >= 20
    assert {text: found(text, vocabulary) for text in plain} == {text: [] for text in plain}


def test_skipped_labels_go_back_to_the_text(vocabulary) -> None:
    understood = understand("90s French comedies", vocabulary, skip=["French"])
    assert understood.labels == ["1990–1999", "Comedy"] and understood.residual == "French"


def test_the_callers_filters_win_on_conflict(vocabulary) -> None:
    understood = understand("90s comedies, no horror", vocabulary)
    caller = Filters(year_min=2000, genres=("Horror",))
    against = understood.against(caller)
    assert [c.label for c in against.overridden] == ["1990–1999", "not Horror"]
    assert against.labels == ["Comedy"]
    merged = understood.merged(caller)
    assert merged == Filters(genres=("Horror",), year_min=2000, all_genres=("Comedy",))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2000s before 1990", "'2000s' and 'before 1990' cannot both hold; remove one"),
        ("a heist film after 2010 from the 90s", "'after 2010' and '90s' cannot both hold"),
        ("under 90 minutes, over two hours", "'under 90 minutes' and 'over two hours'"),
    ],
)
def test_constraints_that_cannot_both_hold_are_named_in_the_users_words(
    vocabulary, text, message
) -> None:
    understood = understand(text, vocabulary)
    with pytest.raises(ConflictingConstraints, match=message) as error:
        understood.merged(None)
    assert "year_min" not in str(error.value) and "runtime_m" not in str(error.value)
    assert isinstance(error.value, UsageError)
    assert error.value.understood.labels == understood.labels and len(understood.labels) == 2


def test_the_callers_filter_settles_a_conflict(vocabulary) -> None:
    understood = understand("2000s before 1990", vocabulary)
    assert understood.merged(Filters(year_min=1950)) == Filters(year_min=1950, year_max=1989)


def test_combine_keeps_the_tightest_bounds() -> None:
    a = Filters(year_min=1990, year_max=2005, languages=("fr",), max_votes=500)
    b = Filters(year_min=1995, year_max=2010, languages=("fr", "it"), max_votes=100)
    assert combine(a, b) == Filters(
        year_min=1995, year_max=2005, languages=("fr", "it"), max_votes=100
    )
