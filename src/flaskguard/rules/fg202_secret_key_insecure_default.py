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
from flaskguard.analysis.secrets import (
    ENV_GETTERS,
    EnvFallback,
    SecretsAnalysis,
    Written,
    secrets_analysis,
)
from flaskguard.facts.module import Guard
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
    for module in project.modules:
        for assignment in module.assignments:
            frame = Frame(module.path, assignment.scope)
            if (module.path, assignment.loc.line) in other_profiles:
                continue
            start = Written(assignment.value, frame, module.path, assignment.loc, assignment.scope)
            fallbacks = list(analysis.env_fallbacks(start, SECRET_KEY_ENV_NAMES))
            # Deciding whether code runs in production costs more than finding the lookups.
            if fallbacks and _production_site(
                analysis, module.path, assignment.guards, frame, None
            ):
                for fallback in fallbacks:
                    yield _key_of(fallback.variable), fallback


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
