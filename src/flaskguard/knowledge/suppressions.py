"""Which suppression comments of other tools flaskguard honours, and for which of its rules.

A `# noqa: S105` or `# nosec B105` says that a reviewer looked at the line and accepted the
same weakness another tool reported; flaskguard honours it for the rules that detect that
weakness, and only for those. A bare `# noqa` or `# nosec` (no code) never suppresses a
flaskguard finding: it silences everything for its own tool, which says nothing about a
security review. Ruff's `S` rules are flake8-bandit ports of Bandit's `B` checks with the
same numbers, so both spellings map alike.
"""

from __future__ import annotations

# Ruff S / Bandit B number -> flaskguard rule ids.
EQUIVALENT_RULES: dict[str, tuple[str, ...]] = {
    "104": ("FG102",),  # hardcoded bind to all interfaces
    "105": ("FG200", "FG201", "FG203"),  # hardcoded password string
    "106": ("FG200", "FG201", "FG203"),  # hardcoded password function argument
    "107": ("FG200", "FG201", "FG203"),  # hardcoded password default
    "201": ("FG100", "FG101"),  # flask app run with debug=True
    "303": ("FG600",),  # insecure hash function (md5/sha1)
    "311": ("FG601",),  # standard pseudo-random generator
    "323": ("FG602",),  # unverified SSL context
    "324": ("FG600",),  # hashlib insecure hash function
    "501": ("FG602",),  # request with verify=False
    "701": ("FG507",),  # jinja2 autoescape false
}


def equivalent_rules(code: str) -> tuple[str, ...]:
    """flaskguard rules that a Ruff (``S105``) or Bandit (``B105``) code stands for."""
    code = code.strip().upper()
    if len(code) != 4 or code[0] not in "SB" or not code[1:].isdigit():
        return ()
    return EQUIVALENT_RULES.get(code[1:], ())
