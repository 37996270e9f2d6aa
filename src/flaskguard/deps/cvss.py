"""CVSS v3.0 / v3.1 base scores, computed from a vector string.

Advisories often carry only a CVSS vector (``CVSS:3.1/AV:N/AC:L/...``) and no qualitative
severity. The base score is a fixed formula over the eight base metrics (FIRST, *CVSS v3.1
Specification*, section 7.1 and appendix A); this module implements it exactly, including
the specification's ``Roundup`` function, so the score matches the published calculators.

Only the base metric group is used: temporal and environmental metrics in a vector are
accepted and ignored. CVSS v4 uses a different, table-driven algorithm (macro vectors) that
is not implemented here; callers treat v4-only advisories as having an unknown severity.
"""

from __future__ import annotations

import math
from typing import Optional

__all__ = ["cvss3_base_score", "cvss3_severity", "qualitative_rating"]

_ATTACK_VECTOR = {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2}
_ATTACK_COMPLEXITY = {"L": 0.77, "H": 0.44}
# Privileges Required weighs more when the scope changes.
_PRIVILEGES_UNCHANGED = {"N": 0.85, "L": 0.62, "H": 0.27}
_PRIVILEGES_CHANGED = {"N": 0.85, "L": 0.68, "H": 0.5}
_USER_INTERACTION = {"N": 0.85, "R": 0.62}
_IMPACT = {"H": 0.56, "L": 0.22, "N": 0.0}
_BASE_METRICS = ("AV", "AC", "PR", "UI", "S", "C", "I", "A")


def _roundup_v31(value: float) -> float:
    """CVSS v3.1 ``Roundup``: the smallest number with one decimal that is >= ``value``.

    Works on an integer of five decimals to avoid floating-point artefacts such as
    ``Roundup(4.000000000001) == 4.1`` (specification, appendix A).
    """
    int_input = round(value * 100000)
    if int_input % 10000 == 0:
        return int_input / 100000.0
    return (math.floor(int_input / 10000) + 1) / 10.0


def _roundup_v30(value: float) -> float:
    """CVSS v3.0 ``Roundup``: ceiling to one decimal, as the 3.0 specification defines it."""
    return math.ceil(value * 10) / 10.0


def _parse_vector(vector: str) -> Optional[tuple[str, dict[str, str]]]:
    parts = vector.strip().split("/")
    if not parts or parts[0] not in ("CVSS:3.0", "CVSS:3.1"):
        return None
    metrics: dict[str, str] = {}
    for part in parts[1:]:
        key, sep, value = part.partition(":")
        if not sep or not key or not value or key in metrics:
            return None
        metrics[key] = value
    if any(name not in metrics for name in _BASE_METRICS):
        return None
    return parts[0][5:], metrics


def cvss3_base_score(vector: str) -> Optional[float]:
    """The base score (0.0-10.0) of a CVSS v3.0/v3.1 vector, or None when it is not valid."""
    parsed = _parse_vector(vector)
    if parsed is None:
        return None
    version, m = parsed
    scope = m["S"]
    if scope not in ("U", "C"):
        return None
    changed = scope == "C"
    privileges = _PRIVILEGES_CHANGED if changed else _PRIVILEGES_UNCHANGED
    try:
        av = _ATTACK_VECTOR[m["AV"]]
        ac = _ATTACK_COMPLEXITY[m["AC"]]
        pr = privileges[m["PR"]]
        ui = _USER_INTERACTION[m["UI"]]
        c, i, a = _IMPACT[m["C"]], _IMPACT[m["I"]], _IMPACT[m["A"]]
    except KeyError:
        return None
    roundup = _roundup_v31 if version == "3.1" else _roundup_v30

    iss = 1 - ((1 - c) * (1 - i) * (1 - a))
    impact = 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15 if changed else 6.42 * iss
    exploitability = 8.22 * av * ac * pr * ui
    if impact <= 0:
        return 0.0
    if changed:
        return roundup(min(1.08 * (impact + exploitability), 10))
    return roundup(min(impact + exploitability, 10))


def qualitative_rating(score: float) -> Optional[str]:
    """The CVSS qualitative rating in flaskguard's vocabulary; None for 0.0 ("None")."""
    if score >= 9.0:
        return "critical"
    if score >= 7.0:
        return "high"
    if score >= 4.0:
        return "medium"
    if score >= 0.1:
        return "low"
    return None


def cvss3_severity(vector: str) -> Optional[str]:
    """``critical``/``high``/``medium``/``low`` for a v3 vector; None when invalid or 0.0."""
    score = cvss3_base_score(vector)
    return None if score is None else qualitative_rating(score)
