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


# A comment, or a string literal (prefixes, triple quotes, escapes; unterminated at the end of
# the line when it continues on the next one).
_STRING_BODIES = (
    r"'''(?:\\.|(?!''').)*(?:'''|$)",
    r'"""(?:\\.|(?!""").)*(?:"""|$)',
    r"'(?:\\.|[^'\\])*(?:'|$)",
    r'"(?:\\.|[^"\\])*(?:"|$)',
)
_PYTHON_TOKEN = re.compile(
    r"(?P<comment>#.*$)"
    r"|(?P<string>(?<![A-Za-z0-9_])[rRbBuUfF]{0,2}(?:" + "|".join(_STRING_BODIES) + "))"
)
_KEY_LITERAL = re.compile(r"""^[rRuU]?(['"])[A-Z][A-Z0-9_]*\1$""")


def redact_assigned_value(line: str) -> str:
    """The secret values on a line of code become ``<redacted>``.

    Every string literal is a possible secret (``SECRET_KEY = "..."``, a default in
    ``os.environ.get("SECRET_KEY", "...")``, a dict value), except configuration key names
    in key position (``config["SECRET_KEY"]``, ``setdefault("SECRET_KEY", ...)``,
    ``{"SECRET_KEY": ...}``), which say what is redacted. Comments are kept. A line without
    string literals (a shell ``KEY=value``) has the value of its assignment redacted.
    """
    found = False

    def replace(match: re.Match[str]) -> str:
        nonlocal found
        literal = match.group("string")
        if literal is None:
            return match.group(0)
        found = True
        before = line[: match.start()].rstrip()
        after = line[match.end() :].lstrip()
        if _KEY_LITERAL.match(literal) and (before.endswith(("[", "(", "{")) or after[:1] == ":"):
            return literal
        return REDACTED

    redacted = _PYTHON_TOKEN.sub(replace, line)
    if found:
        return redacted
    redacted = redact_assignments(line)
    if redacted != line:
        return redacted
    return _PYTHON_ASSIGNMENT.sub(lambda m: f"{m.group('target')} {REDACTED}", line)
