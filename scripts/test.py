"""Quick start, command 2: install the test dependencies in .venv and run every check.

Runs ruff and mypy, then the whole pytest suite under the running Python, then the suite
again under the oldest and newest other supported Pythons found on the machine (pyenv's, or
``python3.9``/``python3.13`` on PATH), each in its own virtual environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from _venv import ROOT, ensure_venv

SUPPORTED = ("3.9", "3.10", "3.11", "3.12", "3.13")


def find_python(version: str) -> str | None:
    candidates = sorted((Path.home() / ".pyenv" / "versions").glob(f"{version}.*/bin/python{version}"))
    if candidates:
        return str(candidates[-1])
    return shutil.which(f"python{version}")


def run(command: list[str]) -> int:
    print("+", " ".join(command), flush=True)
    return subprocess.run(command, cwd=ROOT).returncode


def build_wheelhouse(python: str) -> None:
    """Wheels of flaskguard and its dependencies for the offline pre-commit test.

    Best effort: without network the wheelhouse stays incomplete and that test skips.
    """
    wheelhouse = os.environ.setdefault("FLASKGUARD_WHEELHOUSE", str(ROOT / "build" / "wheelhouse"))
    command = [python, "-m", "pip", "wheel", "-q", "--disable-pip-version-check"]
    command += ["--wheel-dir", wheelhouse, str(ROOT), "setuptools>=64", "wheel"]
    if run(command) != 0:
        print("could not build the wheelhouse: the offline pre-commit test will skip", flush=True)


def main() -> int:
    python = str(ensure_venv(ROOT / ".venv", "test"))
    build_wheelhouse(python)
    failures = 0
    failures += run([python, "-m", "ruff", "check", "src", "tests", "scripts", "benchmarks"]) != 0
    failures += run([python, "-m", "mypy"]) != 0
    failures += run([python, "-m", "pytest", *sys.argv[1:]]) != 0
    current = f"{sys.version_info[0]}.{sys.version_info[1]}"
    others = [v for v in (SUPPORTED[0], SUPPORTED[-1]) if v != current]
    for version in others:
        base = find_python(version)
        if base is None:
            print(f"Python {version} not found: skipping the suite under it", flush=True)
            continue
        other = str(ensure_venv(ROOT / f".venv-py{version}", "test", base))
        build_wheelhouse(other)
        failures += run([other, "-m", "pytest", "-p", "no:cacheprovider", *sys.argv[1:]]) != 0
    if failures:
        print(f"{failures} check(s) failed", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
