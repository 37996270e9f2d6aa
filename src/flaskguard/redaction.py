"""Keeping secret values out of reports.

Environment files, Dockerfile ``ENV`` lines, compose ``environment`` blocks and command lines
(``gunicorn -e SECRET_KEY=...``, ``SECRET=x flask run``) hold secrets next to the settings
flaskguard reports on. Whatever text from them reaches a report goes through here first.
"""

from __future__ import annotations

import re

REDACTED = "<redacted>"
_ASSIGNMENT = re.compile(
    r"(?P<key>\b[A-Za-z_][A-Za-z0-9_.-]*\s*(?:=|:\s))\s*(?P<value>\"[^\"]*\"?|'[^']*'?|[^\s,\]\}]+)"
)


def redact_assignments(text: str) -> str:
    """``KEY=value`` and ``KEY: value`` become ``KEY=<redacted>`` throughout ``text``."""
    return _ASSIGNMENT.sub(lambda m: f"{m.group('key')}{REDACTED}", text)


_PYTHON_ASSIGNMENT = re.compile(r"^(?P<target>[^=]*?[^=!<>]=(?!=))\s*\S.*$")


def redact_assigned_value(line: str) -> str:
    """The value of a (Python or shell) assignment on ``line`` becomes ``<redacted>``."""
    redacted = redact_assignments(line)
    if redacted != line:
        return redacted
    return _PYTHON_ASSIGNMENT.sub(lambda m: f"{m.group('target')} {REDACTED}", line)
