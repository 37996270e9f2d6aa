"""## What it does
Finds signing keys read from the environment with a literal fallback:
`os.environ.get("SECRET_KEY", "dev")`, `os.getenv("SECRET_KEY", "x")`,
`os.environ.get("SECRET_KEY") or "dev"`, and `os.environ.setdefault("SECRET_KEY", "...")`
(which plants the literal for every later `os.environ["SECRET_KEY"]`), under any alias
(`from os import environ, getenv`). Both the settings of `SECRET_KEY`, `JWT_SECRET_KEY`,
`WTF_CSRF_SECRET_KEY`, `SECRET_KEY_FALLBACKS` and `SECURITY_PASSWORD_SALT` (whatever variable
they read) and lookups of those variables anywhere are checked. The finding points at the
lookup; FG200 and FG201 do not report the same value again.

Development and testing profiles, code under a development or testing condition, code
that only runs as a script, and test, example and migration files are not reported.

## Why is this bad?
The fallback is what runs whenever the variable is missing: a new deployment, a container
started without its secrets, a worker with a different environment. Nothing fails, so nobody
notices, and the app signs sessions with a key that is in the repository: anyone who reads it
can forge a session for any user.

## Example
```python
SECRET_KEY = os.environ.get("SECRET_KEY") or "hard to guess string"
```

## Use instead
```python
SECRET_KEY = os.environ["SECRET_KEY"]  # fails at startup when it is missing
```

## References
- Flask docs, "Configuration Handling: Configuring from Environment Variables"
- CWE-1188: Initialization of a Resource with an Insecure Default
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Optional

from flaskguard.analysis.codecontext import code_kind
from flaskguard.analysis.purpose import statements_at, walk
from flaskguard.analysis.secrets import (
    ENV_GETTERS,
    EnvFallback,
    SecretsAnalysis,
    Written,
    secrets_analysis,
)
from flaskguard.facts import ir
from flaskguard.facts.module import Assignment, Guard, ModuleFacts
from flaskguard.findings import Confidence, Finding, Severity
from flaskguard.knowledge.secrets import SECRET_KEY_ENV_NAMES, SECRET_KEY_SETTINGS
from flaskguard.model.project import Frame, Project
from flaskguard.model.settings import profile_kind
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import finding

META = RuleMeta(
    id="FG202",
    name="secret-key-insecure-default",
    summary="Secret key falls back to a literal",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=(1188,),
    owasp="A05:2021",
    tags=("secrets", "session", "configuration"),
    fixable=False,
    doc=__doc__ or "",
)

REMEDIATION = (
    'Read the key with `os.environ["SECRET_KEY"]` so that a deployment without it fails at '
    "startup instead of running with a key everyone can read."
)


def check(project: Project) -> Iterator[Finding]:
    analysis = secrets_analysis(project)
    found: dict[tuple[str, int, int], tuple[EnvFallback, str]] = {}
    for key, fallback in (*_from_settings(analysis), *_from_lookups(project, analysis)):
        loc = fallback.call.loc
        found.setdefault((fallback.path, loc.line, loc.col), (fallback, key))
    for marker in sorted(found):
        fallback, key = found[marker]
        variable = fallback.variable or "the variable"
        yield finding(
            META,
            path=fallback.path,
            loc=fallback.call.loc,
            message=f"`{fallback.how}`: when {variable} is not set, the app runs with a "
            f"{key} written in the code. Anyone who reads this repository "
            f"{SECRET_KEY_SETTINGS[key]}",
            remediation=REMEDIATION,
            scope=fallback.scope,
            code=f"{fallback.how} {variable}",
            redact_snippet=True,
        )


def _from_settings(analysis: SecretsAnalysis) -> Iterator[tuple[str, EnvFallback]]:
    """Settings of a signing key whose value is an environment lookup with a fallback."""
    for setting in analysis.production_settings(frozenset(SECRET_KEY_SETTINGS)):
        start = Written(
            setting.value, setting.frame, setting.path, setting.value_site, setting.scope
        )
        for fallback in analysis.env_fallbacks(start):
            if code_kind(analysis.project, fallback.path) is None:
                yield setting.key, fallback


def _from_lookups(project: Project, analysis: SecretsAnalysis) -> Iterator[tuple[str, EnvFallback]]:
    """Lookups of a secret-key variable anywhere: ``setdefault`` plants the value for later
    reads, and module constants reach settings in ways the config model cannot follow."""
    # Settings of development and testing profiles are where such lookups belong.
    other_profiles = {
        (s.path, s.loc.line) for s in analysis.model.settings if not analysis.is_production(s)
    }
    for path, site, frame in analysis.resolver.calls_to(ENV_GETTERS):
        if (path, site.statement.loc.line) in other_profiles:
            continue
        if not _production_site(analysis, path, site.guards, frame, site.class_qualname):
            continue
        described = analysis.getter_fallback(site.call, frame)
        if described is None or described[0] not in SECRET_KEY_ENV_NAMES:
            continue
        variable, how = described
        yield _key_of(variable), EnvFallback(path, site.call, site.scope, variable, how)
    for path, assignment in _assignments_reaching_lookups(project, analysis):
        frame = Frame(path, assignment.scope)
        if (path, assignment.loc.line) in other_profiles:
            continue
        start = Written(assignment.value, frame, path, assignment.loc, assignment.scope)
        fallbacks = list(analysis.env_fallbacks(start, SECRET_KEY_ENV_NAMES))
        # Deciding whether code runs in production costs more than finding the lookups.
        if fallbacks and _production_site(analysis, path, assignment.guards, frame, None):
            for fallback in fallbacks:
                yield _key_of(fallback.variable), fallback


def _assignments_reaching_lookups(
    project: Project, analysis: SecretsAnalysis
) -> list[tuple[str, Assignment]]:
    """The assignments whose value may reach a lookup of a secret-key variable, in it or
    through the names ``env_fallbacks`` follows (a variable, a module constant, an imported
    name), in module and line order: the statements that hold such a lookup, then, until
    nothing is added, the assignments that mention a name one of them binds. Asking for
    these instead of running ``env_fallbacks`` on every assignment keeps an edit that adds
    unrelated assignments from being a change this rule read."""
    found: dict[tuple[str, int], tuple[str, Assignment]] = {}
    names: set[str] = set()
    for path, site, frame in analysis.resolver.calls_to(ENV_GETTERS):
        if analysis.getter_variable(site.call, frame) not in SECRET_KEY_ENV_NAMES:
            continue
        module = project.module(path)
        at = (site.scope, site.statement.loc)
        for assignment in (project.view_entry(module, statements_at, at) or ((), ()))[0]:
            found[(path, id(assignment))] = (path, assignment)
            if isinstance(assignment.target, ir.Name):
                names.add(assignment.target.id)
    new = set(names)
    while new:
        added: set[str] = set()
        for module in project.modules:
            for name in sorted(new):
                for assignment in project.view_entry(module, _assignments_mentioning, name) or ():
                    found[(module.path, id(assignment))] = (module.path, assignment)
                    if isinstance(assignment.target, ir.Name):
                        added.add(assignment.target.id)
                added.update(project.view_entry(module, _names_imported_as, name) or ())
        new = added - names
        names |= added
    return sorted(found.values(), key=lambda f: (f[0], f[1].loc.line, f[1].loc.col))


def _assignments_mentioning(module: ModuleFacts) -> dict[str, tuple[Assignment, ...]]:
    """A module's assignments by the names (and attribute names) their values mention."""
    found: dict[str, list[Assignment]] = {}
    for assignment in module.assignments:
        mentioned = set()
        for node in walk(assignment.value):
            if isinstance(node, ir.Name):
                mentioned.add(node.id)
            elif isinstance(node, ir.Attr):
                mentioned.add(node.attr)
        for name in mentioned:
            found.setdefault(name, []).append(assignment)
    return {name: tuple(assignments) for name, assignments in found.items()}


def _names_imported_as(module: ModuleFacts) -> dict[str, tuple[str, ...]]:
    """The names a module binds by ``from m import attr as name``, by ``attr``."""
    found: dict[str, list[str]] = {}
    for binding in module.imports:
        if binding.attr is not None and binding.attr != "*":
            found.setdefault(binding.attr, []).append(binding.name)
    return {attr: tuple(names) for attr, names in found.items()}


def _production_site(
    analysis: SecretsAnalysis,
    path: str,
    guards: tuple[Guard, ...],
    frame: Frame,
    class_qualname: Optional[str],
) -> bool:
    if code_kind(analysis.project, path) is not None:
        return False
    if class_qualname is not None and profile_kind(class_qualname.rsplit(".", 1)[-1]) in (
        "testing",
        "development",
    ):
        return False
    if re.search(r"test", frame.scope, re.IGNORECASE):
        return False
    return analysis.runs_at_import(guards, frame)


def _key_of(variable: Optional[str]) -> str:
    name = (variable or "").removeprefix("FLASK_")
    return name if name in SECRET_KEY_SETTINGS else "SECRET_KEY"


RULE = Rule(META, check)
