"""## What it does
Finds dependencies — in `requirements*.txt` (with `-r` includes), `pyproject.toml` (PEP 621 and
Poetry), `setup.cfg`, and the lock files `poetry.lock`, `Pipfile.lock`, `uv.lock`,
`pylock.toml`, `pdm.lock` — whose version is affected by a published advisory. A lock file's
exact version wins over a manifest's range; a range without a lock is reported when every
version it admits is affected, and at **info** when it merely admits an affected one.

Each finding says whether the advisory matters for *this* code: the Werkzeug debugger
advisories only where the debugger can run, the Jinja2 sandbox escapes only where a sandbox is
used, the Flask-CORS path-matching bugs only where CORS has per-resource rules, libraries only
where the code imports them. "Not used" lowers the severity to low; "unknown" keeps the
advisory's own severity.

Advisory data: the PyPA advisory database subset for the Flask ecosystem bundled with
flaskguard (its date is printed by `flaskguard deps`), `--advisory-db PATH` for a full OSV
export, or `--online` to ask the OSV API.

## Why is this bad?
A known-vulnerable version ships the bug with a public write-up: request smuggling in the
server, a debugger that a crafted page can drive, a sandbox escape, a session cookie that a
cache serves to the wrong user.

## Example
```
Flask==2.2.2
```

## Use instead
```
Flask==2.2.5
```
(the lowest fixed version is offered as an unsafe fix; never applied to a line with `--hash`,
whose hashes must be regenerated with the new version).

## References
- PyPA advisory database (CC-BY-4.0)
- OSV: https://osv.dev
- CWE-1395: Dependency on Vulnerable Third-Party Component
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Optional

from flaskguard.deps.advisories import Advisory
from flaskguard.deps.audit import Exposure, exposures
from flaskguard.facts import ir
from flaskguard.findings import Confidence, Finding, RelatedLocation, Severity
from flaskguard.fixes import ReplacePinPlan
from flaskguard.model.project import Project
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import finding

META = RuleMeta(
    id="FG700",
    name="vulnerable-dependency",
    summary="Dependency version affected by a known advisory",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=(1395, 1104),
    owasp="A06:2021",
    tags=("dependencies", "supply-chain"),
    fixable=True,
    doc=__doc__ or "",
)

_SEVERITY = {
    "critical": Severity.CRITICAL,
    "high": Severity.HIGH,
    "medium": Severity.MEDIUM,
    "low": Severity.LOW,
}


def check(project: Project) -> Iterator[Finding]:
    for exposure in exposures(project):
        yield _finding(exposure)


def affected_ranges(advisory: Advisory) -> str:
    """``<2.2.5, >=2.3.0,<2.3.2`` from the advisory's OSV events."""
    parts = []
    for events in advisory.ranges:
        low: Optional[str] = None
        for kind, version in events:
            if kind == "introduced":
                low = version
            elif kind in ("fixed", "last_affected", "limit"):
                upper = f"<{version}" if kind != "last_affected" else f"<={version}"
                parts.append(upper if low in (None, "0") else f">={low},{upper}")
                low = None
        if low is not None:
            parts.append("all versions" if low == "0" else f">={low}")
    return ", ".join(parts)


def _finding(exposure: Exposure) -> Finding:
    dependency = exposure.dependency
    advisory = exposure.advisory
    names = ", ".join([advisory.id, *advisory.aliases[:2]])
    advisory_severity = _SEVERITY.get(advisory.severity or "", Severity.MEDIUM)
    severity = advisory_severity
    verdict = exposure.verdict
    confidence = Confidence.HIGH if exposure.certain else Confidence.MEDIUM
    if not exposure.certain:
        severity = Severity.INFO
    elif verdict.state == "not used":
        severity = min(severity, Severity.LOW)
        confidence = Confidence.MEDIUM
    if exposure.version is not None:
        where = f"{dependency.name} {exposure.version}"
        if exposure.locked_in is not None and exposure.locked_in is not dependency:
            where += f" (locked in {exposure.locked_in.path})"
        what = f"{where} is affected by {names}"
    elif exposure.certain:
        what = (
            f"every version {dependency.name}{dependency.specifier} admits is affected by {names}"
        )
    else:
        what = f"{dependency.name}{dependency.specifier or ' (unpinned)'} may resolve to a version affected by {names}"
    summary = f": {advisory.summary.rstrip('.')}" if advisory.summary else ""
    affected = affected_ranges(advisory)
    if affected:
        summary += f" (affected: {affected})"
    severity_note = "" if advisory.severity else " The advisory gives no severity."
    message = (
        f"{what}{summary}. {verdict.state.capitalize()}: {verdict.reason}."
        + (
            f" Fixed in {exposure.fixed_in}."
            if exposure.fixed_in
            else " No fixed version is known."
        )
        + severity_note
    )
    plan = None
    reason = None
    if exposure.fixed_in is None:
        reason = "No fixed version is known."
    elif dependency.locked:
        reason = "The version comes from a lock file; raise it in the manifest and re-lock."
    elif dependency.has_hash:
        reason = "The requirement carries --hash: regenerate the hashes with the new version."
    elif exposure.version is None or not dependency.specifier.startswith("=="):
        reason = "The requirement is not an exact pin."
    else:
        plan = ReplacePinPlan(
            dependency.line,
            dependency.column,
            dependency.end_column,
            exposure.version,
            exposure.fixed_in,
        )
    related = []
    if exposure.locked_in is not None and exposure.locked_in is not dependency:
        lock = exposure.locked_in
        related.append(
            RelatedLocation(lock.path, lock.line, lock.column, f"locked at {lock.version}")
        )
    return finding(
        META,
        path=dependency.path,
        loc=ir.Loc(dependency.line, dependency.column, dependency.line, dependency.end_column),
        message=message,
        remediation=(
            f"Upgrade {dependency.name} to {exposure.fixed_in} or later."
            if exposure.fixed_in
            else f"Follow {advisory.id} for a mitigation; no fixed version is known."
        ),
        severity=severity,
        confidence=confidence,
        code=f"{dependency.name} {advisory.id}",
        related=related,
        fix_plan=plan,
        fix_unavailable_reason=reason,
    )


RULE = Rule(META, check)
