"""Running `movierec` in-process with the fake encoder, and through a subprocess for smoke tests."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from movierec.cli import main
from movierec.config import VARIABLES
from tests.conftest import FakeEncoder
from tests.helpers import FIXTURE_CATALOG


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


Cli = Callable[..., Result]


@pytest.fixture
def no_movierec_variables(monkeypatch) -> None:
    """No MOVIEREC_* from the caller's shell, except the isolated MOVIEREC_HOME."""
    for name in VARIABLES:
        if name != "MOVIEREC_HOME":
            monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake_model(monkeypatch, no_movierec_variables) -> list[str | None]:
    """Every encoder the CLI makes is a FakeEncoder named after the model asked for; returns the
    model names asked for, in order."""
    requested: list[str | None] = []

    def encoder(name: str | None = None, backend: str | None = None) -> FakeEncoder:
        requested.append(name)
        fake = FakeEncoder()
        fake.name = name or FakeEncoder.name
        fake.backend = backend or "torch"
        return fake

    monkeypatch.setattr("movierec.embed.Encoder", encoder)
    monkeypatch.setattr("movierec.recommender.Encoder", encoder)
    return requested


@pytest.fixture
def cli(capsys, monkeypatch, fake_model) -> Cli:
    """`cli("search", "heist", stdin=...)`: main() in this process, its exit code and output."""

    def run(*args: str, stdin: str | None = None) -> Result:
        capsys.readouterr()  # drop what earlier calls printed
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run


def fails(result, *fragments: str) -> None:
    """A refused command: exit 2, no traceback, and each fragment in its stderr."""
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


@pytest.fixture
def built(cli) -> Path:
    """The fixture catalog indexed with the fake encoder, where the CLI looks for it."""
    result = cli("build", "--catalog", FIXTURE_CATALOG, "-q")
    assert result.returncode == 0, result.stderr
    return FIXTURE_CATALOG


def subprocess_movierec(
    *args: str, home: Path, stdin: str | None = None, code: str | None = None
) -> subprocess.CompletedProcess:
    """The real `movierec` (or `code` ending by calling main) in a child, MOVIEREC_HOME=home."""
    env = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    env["MOVIEREC_HOME"] = str(home)
    command = ["-c", code, *args] if code else ["-m", "movierec.cli", *args]
    return subprocess.run(
        [sys.executable, *command],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
