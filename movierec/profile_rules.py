"""Rules every front end (CLI, batch, app) applies to a profile before the store sees it.

An imported profile holds at most `MAX_PROFILE_FILMS` films, all of them in the catalog.
(Community profiles are read-only: the store decides, `ProfileStore.check_writable`.)
"""

from __future__ import annotations

from collections.abc import Container
from typing import Any

from movierec.errors import UsageError

MAX_PROFILE_FILMS = 10_000  # liked + disliked + seen, per imported profile
MAX_PROFILE_BYTES = 8 << 20  # 8 MiB; an exported profile of MAX_PROFILE_FILMS ids is ~120 KiB


def check_size(count: int, what: str = "the profile") -> None:
    """UsageError when `count` films are more than a profile may hold."""
    if count > MAX_PROFILE_FILMS:
        raise UsageError(
            f"{what} has {count:,} films; a profile holds at most {MAX_PROFILE_FILMS:,} "
            "liked, disliked and seen films together; keep the ones that matter most"
        )


def catalog_import(
    data: Any, user: str | None, known: Container[int]
) -> tuple[dict[str, Any], list[int]]:
    """An exported profile checked for import into `user`: (the data to import, holding only the
    films in `known`, and the ids skipped because the catalog lacks them). Raises StoreError or
    UsageError for a file that is not a profile or is too large."""
    from movierec.store.transfer import LISTS, read_import

    if isinstance(data, dict):
        lists = [data.get(key) for key in LISTS]
        check_size(sum(len(v) for v in lists if isinstance(v, list)), "the imported profile")
    checked = read_import(data, user)
    films = {key: getattr(checked, key) for key in LISTS}
    skipped = [i for ids in films.values() for i in ids if i not in known]
    kept = {key: [i for i in ids if i in known] for key, ids in films.items()}
    return {**data, **kept}, skipped


def skipped_note(skipped: list[int]) -> str:
    """What to tell the user about ids an import skipped."""
    shown = ", ".join(map(str, skipped[:10])) + (" …" if len(skipped) > 10 else "")
    return f"skipped {len(skipped):,} film id(s) not in the catalog: {shown}"
