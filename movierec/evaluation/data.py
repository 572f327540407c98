"""MovieLens reading lives in `movierec.movielens`; this name stays for older imports."""

from movierec.movielens import DISLIKE_BELOW, LIKE_AT, Interactions, load_movielens

__all__ = ["DISLIKE_BELOW", "LIKE_AT", "Interactions", "load_movielens"]
