"""What kind of code a file is, judged from its path below the scan root.

A dummy secret in a test fixture or a migration is not a production leak, and an example
folder shows a pattern rather than deploying it. Rules grade or drop findings in such files
by asking here; the scan root itself never counts, so scanning ``examples/demo`` as the
project does not make every file "example" code.
"""

from __future__ import annotations

import re
from typing import Literal, Optional

CodeKind = Literal["test", "example", "migration"]

_TEST_DIRS = frozenset({"tests", "test", "testing", "testsuite", "test_suite"})
_EXAMPLE_DIRS = frozenset({"examples", "example", "samples", "sample", "demo", "demos", "docs"})
_MIGRATION_DIRS = frozenset({"migrations", "alembic"})
_TEST_FILE = re.compile(r"^(test_.*|.*_tests?|conftest)\.py$")


def code_kind(path: str) -> Optional[CodeKind]:
    """``"test"``, ``"example"`` or ``"migration"`` for such files, else None (production)."""
    parts = path.split("/")
    directories = {part.lower() for part in parts[:-1]}
    if directories & _TEST_DIRS or _TEST_FILE.match(parts[-1]):
        return "test"
    if directories & _MIGRATION_DIRS:
        return "migration"
    if directories & _EXAMPLE_DIRS:
        return "example"
    return None


def is_test_path(path: str) -> bool:
    return code_kind(path) == "test"


def is_production_path(path: str) -> bool:
    return code_kind(path) is None
