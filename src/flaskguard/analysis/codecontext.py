"""What kind of code a file is, judged from its path below the folder that was scanned.

A dummy secret in a test fixture or a migration is not a production leak, and an example
folder shows a pattern rather than deploying it. Rules grade or drop findings in such files
by asking here. Only the part of the path below the scanned folder counts, so
``flaskguard scan examples/demo`` does not make every file of the demo "example" code even
though the project root (and every reported path) is above it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal, Optional

if TYPE_CHECKING:
    from flaskguard.model.project import Project

CodeKind = Literal["test", "example", "migration"]

_TEST_DIRS = frozenset({"tests", "test", "testing", "testsuite", "test_suite"})
_EXAMPLE_DIRS = frozenset({"examples", "example", "samples", "sample", "demo", "demos", "docs"})
_MIGRATION_DIRS = frozenset({"migrations", "alembic"})
_TEST_FILE = re.compile(r"^(test_.*|.*_tests?|conftest)\.py$")


def code_kind(project: Project, path: str) -> Optional[CodeKind]:
    """``"test"``, ``"example"`` or ``"migration"`` for such files, else None (production)."""
    for base in project.scan_bases:
        if base and path.startswith(base + "/"):
            path = path[len(base) + 1 :]
            break
    parts = path.split("/")
    directories = {part.lower() for part in parts[:-1]}
    if directories & _TEST_DIRS or _TEST_FILE.match(parts[-1]):
        return "test"
    if directories & _MIGRATION_DIRS:
        return "migration"
    if directories & _EXAMPLE_DIRS:
        return "example"
    return None


def is_test_path(project: Project, path: str) -> bool:
    return code_kind(project, path) == "test"


def is_production_path(project: Project, path: str) -> bool:
    return code_kind(project, path) is None


_TEMPLATE_SUFFIXES = (".example", ".sample", ".template", ".tmpl", ".dist", ".defaults")


def is_env_template(path: str) -> bool:
    """``.env.example`` and friends document variables; they are not loaded by anything."""
    name = path.rsplit("/", 1)[-1].lower()
    return name.endswith(_TEMPLATE_SUFFIXES)
