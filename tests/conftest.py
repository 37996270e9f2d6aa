"""Test-wide settings: the CLI's cache goes to a temporary folder, never the user's."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import flaskguard.scan


@pytest.fixture(autouse=True, scope="session")
def _private_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("flaskguard-cache")
    previous = os.environ.get("FLASKGUARD_CACHE_DIR")
    os.environ["FLASKGUARD_CACHE_DIR"] = str(folder)
    yield folder
    if previous is None:
        del os.environ["FLASKGUARD_CACHE_DIR"]
    else:
        os.environ["FLASKGUARD_CACHE_DIR"] = previous


@pytest.fixture
def project_builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Grows by one each time a scan runs the project stage (model, analyses, rules)."""
    builds: list[int] = []
    original = flaskguard.scan.build_project

    def counting(*args: Any, **kwargs: Any) -> Any:
        builds.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(flaskguard.scan, "build_project", counting)
    return builds
