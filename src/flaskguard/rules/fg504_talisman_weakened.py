"""## What it does
Finds Flask-Talisman configured with a protection switched off: `force_https=False`,
`strict_transport_security=False`, `session_cookie_secure=False`, `frame_options=None`,
`content_security_policy=None`/`{}`/`""` (no CSP header at all), and — at low severity —
a CSP that allows `'unsafe-inline'`, `'unsafe-eval'` or `*` for scripts or by default.
Options are read from `Talisman(app, ...)` and `talisman.init_app(app, ...)` and decided by
constant evaluation, so a value that depends on the environment (`force_https=not
app.debug`) is not reported.

## Why is this bad?
Talisman's defaults are the protection: HTTPS redirects and HSTS keep cookies off plain
HTTP, frame options stop clickjacking, the CSP stops injected scripts. Each switch removes
one of them for every response.

## Example
```python
Talisman(app, force_https=False, content_security_policy=None)
```

## Use instead
```python
Talisman(app, content_security_policy={"default-src": "'self'"},
         content_security_policy_nonce_in=["script-src"])
```

## References
- Flask-Talisman 1.1.0 options
- CWE-693: Protection Mechanism Failure
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Optional

from flaskguard.analysis.codecontext import is_production_path
from flaskguard.facts import ir
from flaskguard.findings import Confidence, Finding, Severity
from flaskguard.model.apps import debug_guarded, flask_model
from flaskguard.model.project import Project
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import finding

META = RuleMeta(
    id="FG504",
    name="talisman-weakened",
    summary="Flask-Talisman protection switched off",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    cwe=(693,),
    owasp="A05:2021",
    tags=("headers", "talisman"),
    fixable=False,
    doc=__doc__ or "",
)

_SWITCHES: dict[str, tuple[object, str]] = {
    "force_https": (False, "requests over plain HTTP are served instead of redirected"),
    "strict_transport_security": (
        False,
        "no HSTS header, so browsers keep trying HTTP first and a network attacker can downgrade",
    ),
    "session_cookie_secure": (False, "the session cookie is sent over plain HTTP"),
    "frame_options": (None, "no X-Frame-Options header, so pages can be framed (clickjacking)"),
}
_UNSAFE_SOURCES = ("'unsafe-inline'", "'unsafe-eval'", "*")


def _csp_problem(value: object) -> Optional[tuple[Severity, str]]:
    if value is None or value == {} or value == "":
        return Severity.MEDIUM, "no Content-Security-Policy header is sent"
    directives: dict[str, str] = {}
    if isinstance(value, dict):
        for key, sources in value.items():
            if isinstance(sources, (list, tuple)):
                sources = " ".join(str(s) for s in sources)
            directives[str(key)] = str(sources)
    elif isinstance(value, str):
        for part in value.split(";"):
            name, _, rest = part.strip().partition(" ")
            if name:
                directives[name] = rest
    else:
        return None
    for directive in ("script-src", "default-src"):
        sources = directives.get(directive)
        if sources is None:
            continue
        allowed = [s for s in sources.split() if s in _UNSAFE_SOURCES]
        if allowed:
            return (
                Severity.LOW,
                f"the CSP allows {', '.join(allowed)} in {directive}, so injected scripts run",
            )
        if directive == "script-src":
            break
    return None


def check(project: Project) -> Iterator[Finding]:
    model = flask_model(project)
    seen: set[tuple[str, int, str]] = set()
    for extension in model.extensions_of("talisman"):
        for key, expr, frame, path, site in extension.options:
            if not is_production_path(project, path) or debug_guarded(site.guards):
                continue
            value = model.evaluator.evaluate(expr, frame).value
            problem: Optional[tuple[Severity, str]] = None
            if key in _SWITCHES:
                off, effect = _SWITCHES[key]
                if value is off and (off is not None or _is_none(expr)):
                    problem = Severity.MEDIUM, effect
            elif key == "content_security_policy" and (_is_none(expr) or value is not None):
                problem = _csp_problem(None if _is_none(expr) else value)
            if problem is None:
                continue
            loc = site.call.keyword_loc(key) or site.call.loc
            marker = (path, loc.line, key)
            if marker in seen:
                continue
            seen.add(marker)
            severity, effect = problem
            yield finding(
                META,
                path=path,
                loc=loc,
                message=f"Talisman is configured with {key}={_shown(expr)}: {effect}.",
                remediation="Keep Talisman's default for this option; use a nonce-based CSP "
                "(`content_security_policy_nonce_in`) instead of 'unsafe-inline'.",
                severity=severity,
                scope=site.scope,
                code=f"{site.statement.code} [{key}]",
                anchors=[(path, site.statement.first_line)],
            )


def _is_none(expr: ir.Expr) -> bool:
    return isinstance(expr, ir.Const) and expr.value is None


def _shown(expr: ir.Expr) -> str:
    if isinstance(expr, ir.Const):
        return repr(expr.value)
    return "..."


RULE = Rule(META, check)
