"""The words free-text constraints are made of: fixed tables (languages, genre synonyms, numbers)
and what the catalog itself knows (its genres, directors, cast and title words)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import pandas as pd

# nationality or language word → ISO 639-1 code as TMDB's `original_language` writes it
LANGUAGE_WORDS = {
    "english": "en", "british": "en", "american": "en",
    "french": "fr", "japanese": "ja", "korean": "ko", "spanish": "es", "mexican": "es",
    "argentinian": "es", "argentine": "es", "german": "de", "austrian": "de", "italian": "it",
    "chinese": "zh", "mandarin": "zh", "cantonese": "cn", "hong kong": "cn",
    "hindi": "hi", "bollywood": "hi", "indian": "hi", "tamil": "ta", "telugu": "te",
    "russian": "ru", "soviet": "ru", "danish": "da", "swedish": "sv", "norwegian": "no",
    "dutch": "nl", "portuguese": "pt", "brazilian": "pt", "persian": "fa", "iranian": "fa",
    "hebrew": "he", "israeli": "he", "thai": "th", "turkish": "tr", "polish": "pl",
    "greek": "el", "czech": "cs", "hungarian": "hu", "romanian": "ro", "arabic": "ar",
    "icelandic": "is", "vietnamese": "vi", "indonesian": "id",
}  # fmt: skip
COUNTRY_WORDS = {
    "france": "fr", "japan": "ja", "korea": "ko", "south korea": "ko", "spain": "es",
    "mexico": "es", "germany": "de", "italy": "it", "china": "zh", "india": "hi",
    "russia": "ru", "denmark": "da", "sweden": "sv", "norway": "no", "brazil": "pt",
    "iran": "fa", "israel": "he", "thailand": "th",
}  # fmt: skip
LANGUAGE_NAMES = {
    "en": "English", "fr": "French", "ja": "Japanese", "ko": "Korean", "es": "Spanish",
    "de": "German", "it": "Italian", "zh": "Mandarin", "cn": "Cantonese", "hi": "Hindi",
    "ta": "Tamil", "te": "Telugu", "ru": "Russian", "da": "Danish", "sv": "Swedish",
    "no": "Norwegian", "nl": "Dutch", "pt": "Portuguese", "fa": "Persian", "he": "Hebrew",
    "th": "Thai", "tr": "Turkish", "pl": "Polish", "el": "Greek", "cs": "Czech",
    "hu": "Hungarian", "ro": "Romanian", "ar": "Arabic", "is": "Icelandic", "vi": "Vietnamese",
    "id": "Indonesian",
}  # fmt: skip
LANGUAGE_ALIASES = {"no": ("no", "nb")}  # codes TMDB also uses for the same language

# regex (lowercase text) → the catalog genres it names; only unambiguous words
GENRE_WORDS: list[tuple[str, tuple[str, ...]]] = [
    (r"rom-?coms?|romantic[- ]comed(?:y|ies)", ("Romance", "Comedy")),
    (r"sci-?fi|science[- ]fiction", ("Science Fiction",)),
    (r"anime", ("Animation",)),
    (r"horrors?|scary", ("Horror",)),
    (r"comed(?:y|ies)", ("Comedy",)),
    (r"dramas?", ("Drama",)),
    (r"thrillers?|suspense", ("Thriller",)),
    (r"westerns?", ("Western",)),
    (r"war(?!\s+(?:of|on)\b)", ("War",)),
    (r"animated|animation|cartoons?", ("Animation",)),
    (r"documentar(?:y|ies)", ("Documentary",)),
    (r"musicals?", ("Music",)),
    (r"myster(?:y|ies)", ("Mystery",)),
    (r"fantas(?:y|ies)", ("Fantasy",)),
    (  # "adventure" alone is often a topic ("a space adventure"): only next to films or genres
        r"adventures?(?=[- ](?:films?|movies?|flicks?|comed(?:y|ies)|dramas?))|"
        r"(?:(?<=action[- ])|(?<=fantasy[- ])|(?<=family[- ])|(?<=animated[- ]))adventures?",
        ("Adventure",),
    ),
    (r"action", ("Action",)),
    (r"crime(?![- ]fight)", ("Crime",)),
    (r"historical|history(?=[- ](?:films?|movies?|dramas?))", ("History",)),
    (r"romances?|romantic", ("Romance",)),
    (r"tv movies?", ("TV Movie",)),
    (
        r"family(?=[- ](?:films?|movies?|comed(?:y|ies)|adventures?|friendly|fun|night|"
        r"animation|dramas?))|(?<=whole )family|(?<=for the )family|for (?:the )?(?:kids|children|"
        r"little ones)|kids'? (?:movies?|films?|stuff)|children'?s (?:movies?|films?)|kid-friendly",
        ("Family",),
    ),
]
NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "ninety": 90, "hundred": 100,
}  # fmt: skip
DECADE_WORDS = {
    "twenties": 1920, "thirties": 1930, "forties": 1940, "fifties": 1950, "sixties": 1960,
    "seventies": 1970, "eighties": 1980, "nineties": 1990, "noughties": 2000,
}  # fmt: skip
# words that carry no meaning once the constraints around them are taken out
FILLER = frozenset(
    "a an the some something anything film films movie movies flick flicks one ones with from "
    "by and or but in of for to that is are was were made released set starring directed please "
    "me i want to watch any also only just at all whole show give find like".split()
)
STOP_TITLE_WORDS = frozenset("the a an of and in on to for with too much so that this it".split())
WORD = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*")


@dataclass
class Vocabulary:
    """Genres, people and title words of one catalog, lowercased for lookup."""

    genres: dict[str, str] = field(default_factory=dict)  # lower → catalog spelling
    people: dict[str, str] = field(default_factory=dict)  # lower full name → spelling
    directed: Counter = field(default_factory=Counter)  # lower full name → films directed
    acted: Counter = field(default_factory=Counter)  # lower full name → films acted in
    last_names: dict[str, set[str]] = field(default_factory=dict)  # lower last → full names
    title_words: frozenset[str] = frozenset()

    @classmethod
    def from_catalog(cls, catalog: pd.DataFrame) -> Vocabulary:
        vocabulary = cls()
        for names in catalog["genres"]:
            vocabulary.genres.update({str(g).lower(): str(g) for g in names if str(g)})
        for name in catalog["director"].fillna(""):
            vocabulary._add_person(str(name), vocabulary.directed)
        for names in catalog["cast"]:
            for name in names:
                vocabulary._add_person(str(name), vocabulary.acted)
        last: dict[str, set[str]] = defaultdict(set)
        for key in vocabulary.people:
            last[key.split()[-1]].add(key)
        vocabulary.last_names = dict(last)
        titles = " ".join(catalog["title"].fillna("").astype(str)).lower()
        vocabulary.title_words = frozenset(WORD.findall(titles)) - STOP_TITLE_WORDS
        return vocabulary

    def _add_person(self, name: str, counter: Counter) -> None:
        name = " ".join(name.split())
        if len(name.split()) < 2:  # one-word names ("Madonna") are too easy to mistake
            return
        key = name.lower()
        self.people.setdefault(key, name)
        counter[key] += 1

    def director_by_last_name(self, word: str, strict: bool) -> str | None:
        """The one director whose last name this is; `strict`: nobody else has it either."""
        names = self.last_names.get(word.lower(), set())
        directors = {n for n in names if self.directed[n]}
        if len(directors) != 1 or (strict and len(names) != 1):
            return None
        return next(iter(directors))
