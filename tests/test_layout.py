"""One installed top-level name: embed/, index/ and app/ install as movierec.embed,
movierec.index and movierec.app, so code that imports them by their folder names works in a
checkout and fails once installed (a wheel, or a script run from another folder)."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FOLDERS = ("embed", "index", "app")


def test_code_imports_the_folders_as_movierec_subpackages() -> None:
    wrong = []
    for folder in ("movierec", *FOLDERS, "scripts"):
        for path in sorted((REPO / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = (
                    [node.module or ""]
                    if isinstance(node, ast.ImportFrom) and node.level == 0
                    else [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else []
                )
                wrong += [
                    f"{path.relative_to(REPO)}:{node.lineno} imports {name}"
                    for name in names
                    if name.split(".")[0] in FOLDERS
                ]
    assert not wrong, "import movierec.<folder> instead:\n" + "\n".join(wrong)
