"""Where movierec finds its catalog, index and profile store: flags first, then `MOVIEREC_*`.

Every entry point (the CLI, the app, `retrain`, `tune`, the evaluation) resolves its locations here,
so the same environment always means the same catalog, index and store:

- `MOVIEREC_HOME`: folder for indexes, models and the default store (`~/.cache/movierec`);
- `MOVIEREC_CATALOG`: catalog `.csv` / `.parquet` (the packaged catalog);
- `MOVIEREC_INDEX`: index folder (`HOME/indexes/<catalog name>-<catalog content digest>`);
- `MOVIEREC_STORE`: profile store, a SQLite path (also written `sqlite:///abs/path.db` or
  `file:///abs/path.db`) or a `postgresql://` URL (`HOME/profiles.db`);
- `MOVIEREC_MODEL`: sentence-transformers model name or path (the packaged MiniLM);
- `MOVIEREC_BACKEND`: encoder backend, torch, onnx or onnx-int8 (building: torch; querying: the
  one the index was built with).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn
from urllib.parse import unquote, urlsplit

DEFAULT_CATALOG = Path(__file__).parent / "data" / "catalog.parquet"
VARIABLES = (
    "MOVIEREC_HOME",
    "MOVIEREC_CATALOG",
    "MOVIEREC_INDEX",
    "MOVIEREC_STORE",
    "MOVIEREC_MODEL",
    "MOVIEREC_BACKEND",
)
_URL = re.compile(r"^postgres(ql)?://", re.IGNORECASE)
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
STORE_FORMS = (
    "a SQLite file (profiles.db, /abs/path/profiles.db or sqlite:///abs/path/profiles.db) or a "
    "PostgreSQL URL (postgresql://user:password@host:5432/database)"
)


@dataclass(frozen=True)
class Config:
    """Resolved locations; build one with `resolve()`."""

    home: Path
    catalog: Path
    index_dir: Path
    store: Path | str  # a SQLite file, or a PostgreSQL URL
    model: str | None
    backend: str | None = None  # None: torch for a build, the index's own for queries

    @property
    def community_dir(self) -> Path:
        """Where the community models of this index live."""
        return community_dir(self.index_dir)


def _setting(flag: object, name: str, environ: Mapping[str, str]) -> str | None:
    if flag is not None and str(flag).strip():
        return str(flag).strip()
    value = environ.get(name, "").strip()
    return value or None


def home(environ: Mapping[str, str] | None = None) -> Path:
    """`$MOVIEREC_HOME`, or ~/.cache/movierec."""
    configured = _setting(None, "MOVIEREC_HOME", os.environ if environ is None else environ)
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "movierec"


def resolve(
    *,
    catalog: str | Path | None = None,
    index_dir: str | Path | None = None,
    store: str | Path | None = None,
    model: str | None = None,
    backend: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Config:
    """Locations from explicit values (flags), else `MOVIEREC_*` variables, else defaults."""
    env = os.environ if environ is None else environ
    root = home(env)
    catalog_value = _setting(catalog, "MOVIEREC_CATALOG", env)
    catalog_path = Path(catalog_value).expanduser() if catalog_value else DEFAULT_CATALOG
    directory = _index_dir(index_dir, env, catalog_path, root)
    store_value = _setting(store, "MOVIEREC_STORE", env)
    return Config(
        home=root,
        catalog=catalog_path,
        index_dir=directory,
        store=store_location(store_value, root),
        model=_setting(model, "MOVIEREC_MODEL", env),
        backend=_backend(_setting(backend, "MOVIEREC_BACKEND", env)),
    )


def _index_dir(flag: object, env: Mapping[str, str], catalog: Path, root: Path) -> Path:
    """The index folder from the flag, else MOVIEREC_INDEX, else the catalog's default; a
    UsageError when a file is there (never replaced by a build)."""
    value = _setting(flag, "MOVIEREC_INDEX", env)
    directory = Path(value).expanduser() if value else default_index_dir(catalog, root)
    if directory.exists() and not directory.is_dir():
        from movierec.errors import UsageError

        from_flag = flag is not None and str(flag).strip()
        given = "--index" if from_flag else "MOVIEREC_INDEX" if value else "the index"
        raise UsageError(
            f"{given} {directory} is a file, not an index folder (it is left as it is); pass "
            "the path of a folder, which is created if missing"
        )
    return directory


def _backend(value: str | None) -> str | None:
    """A valid encoder backend name, or None; UsageError listing the choices otherwise."""
    from movierec.embed.backends import check_backend

    return None if value is None else check_backend(value)


def store_location(value: str | Path | None, root: Path) -> Path | str:
    """A PostgreSQL URL unchanged, else a SQLite path (default: `root/profiles.db`).

    `sqlite:///abs/path.db` (also `sqlite:////abs/path.db`), `sqlite:relative.db` and `file:`
    URLs name SQLite files; any other `scheme://` is refused with a StoreError.
    """
    if value is None or not str(value).strip():
        return root / "profiles.db"
    if isinstance(value, Path):
        return value.expanduser()
    text = value.strip()
    if _URL.match(text):
        return text
    scheme = _SCHEME.match(text)
    if scheme and scheme.group(1).lower() in ("sqlite", "file"):
        return _sqlite_url_path(text)
    if scheme and text[scheme.end() :].startswith("//"):
        _refuse(text, f"{scheme.group(1)}:// is not a profile store")
    return Path(text).expanduser()


def _sqlite_url_path(url: str) -> Path:
    """The file a `sqlite:` or `file:` URL names."""
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost") or parts.query:
        _refuse(url, "a sqlite:/file: URL names a local file, with no host or options")
    path = unquote(parts.path)
    if not path:
        _refuse(url, "the URL names no file")
    if path.startswith("//"):  # sqlite:////abs/path (the SQLAlchemy spelling)
        path = "/" + path.lstrip("/")
    return Path(path).expanduser()


def _refuse(value: str, why: str) -> NoReturn:
    from movierec.store.base import StoreError  # here: movierec.store imports this module

    shown = re.sub(r"://([^/@:]*):[^/@]*@", r"://\1:***@", value)  # never show a password
    raise StoreError(f"profile store {shown!r}: {why}; use {STORE_FORMS}")


def catalog_digest(catalog_path: Path) -> str:
    """sha256 of the catalog file's bytes: the same catalog gets the same index anywhere."""
    digest = hashlib.sha256()
    try:
        with open(catalog_path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:  # a missing file is reported by the catalog loader, with what to do
        digest.update(os.fsencode(Path(catalog_path).expanduser().resolve()))  # any OS name
    return digest.hexdigest()


def default_index_dir(catalog_path: Path, root: Path | None = None) -> Path:
    """One index folder per catalog content, named after the file: `indexes/<stem>-<digest>`
    (a byte of the name that is not UTF-8 becomes "_": the index writers need UTF-8 paths)."""
    root = home() if root is None else root
    name = re.sub("[\ud800-\udfff]", "_", Path(catalog_path).stem)  # bytes not UTF-8: "_"
    return root / "indexes" / f"{name}-{catalog_digest(Path(catalog_path))[:12]}"


def community_dir(index_dir: Path) -> Path:
    """Where the community model of an index lives: beside it, so a rebuild keeps it."""
    index_dir = Path(index_dir)
    return index_dir.with_name(f"{index_dir.name}.community")
