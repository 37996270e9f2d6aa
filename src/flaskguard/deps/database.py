"""Loading the advisory data a scan uses: bundled, an OSV export, and optionally the OSV API."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Callable, Optional

from flaskguard.deps.advisories import (
    Advisory,
    load_advisories,
    online_advisories,
    urllib_fetch,
)
from flaskguard.deps.audit import AdvisoryDatabase
from flaskguard.deps.manifests import DependencyFacts
from flaskguard.findings import Diagnostic


@lru_cache(maxsize=1)
def _bundled() -> tuple[dict[str, list[Advisory]], str]:
    """The bundled data never changes while the process runs: read it once."""
    return load_advisories(None)


def load_advisory_database(
    advisory_db: Optional[Path],
    online: bool,
    dependencies: Sequence[DependencyFacts],
    fetch: Callable[[str, bytes], bytes] = urllib_fetch,
) -> tuple[Optional[AdvisoryDatabase], list[Diagnostic]]:
    problems: list[Diagnostic] = []
    try:
        if advisory_db is None:
            by_package, description = _bundled()
        else:
            by_package, description = load_advisories(advisory_db)
    except OSError as error:
        path = str(advisory_db) if advisory_db is not None else ""
        problems.append(
            Diagnostic(
                "FG911", path, f"Advisory data could not be read: {error.strerror or error}."
            )
        )
        return None, problems
    merged: dict[str, list[Advisory]] = {k: list(v) for k, v in by_package.items()}
    if online:
        pinned = sorted(
            {(d.name, d.version) for f in dependencies for d in f.dependencies if d.version}
        )
        fetched = 0
        for name, version in pinned:
            assert version is not None
            try:
                found = online_advisories(name, version, fetch=fetch)
            except (OSError, ValueError, json.JSONDecodeError) as error:
                problems.append(
                    Diagnostic("FG911", "", f"The OSV API could not be queried: {error}.")
                )
                break
            known = {a.id for a in merged.get(name, [])}
            for advisory in found:
                if advisory.id not in known:
                    merged.setdefault(name, []).append(advisory)
                    fetched += 1
        description += (
            f"; OSV API queried for {len(pinned)} pinned packages (+{fetched} advisories)"
        )
    return AdvisoryDatabase(merged, description), problems
