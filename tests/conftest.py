"""Test-wide settings: the CLI's cache goes to a temporary folder, never the user's."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


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
