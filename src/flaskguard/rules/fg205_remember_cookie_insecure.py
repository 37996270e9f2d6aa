"""## What it does
Finds production (and default) configuration that weakens Flask-Login's remember cookie:
`REMEMBER_COOKIE_SECURE = False` and `REMEMBER_COOKIE_HTTPONLY = False` (medium),
`REMEMBER_COOKIE_SAMESITE = "None"` without `REMEMBER_COOKIE_SECURE = True` and a
parent-domain `REMEMBER_COOKIE_DOMAIN` such as `".example.com"` (low). Only settings written
explicitly are reported: Flask-Login's own defaults (Secure off) are a library choice this
rule does not second-guess. Development and testing profiles, test code, examples and
migrations are not reported.

## Why is this bad?
The remember cookie is a long-lived login: whoever holds it is logged back in as the user,
for up to a year by default, and logging out elsewhere does not revoke it. Sent over plain
HTTP (no `Secure`) it can be read on the network; readable by JavaScript (no `HttpOnly`) one
XSS bug steals it; `SameSite=None` and parent domains hand it to other sites and subdomains.

## Example
```python
class ProductionConfig:
    REMEMBER_COOKIE_SECURE = False
```

## Use instead
```python
class ProductionConfig:
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
```

## References
- Flask-Login docs, "Cookie Settings"
- CWE-614: Sensitive Cookie in HTTPS Session Without 'Secure' Attribute
"""

from __future__ import annotations

from collections.abc import Iterator

from flaskguard.analysis.secrets import cookie_problems, secrets_analysis
from flaskguard.findings import Confidence, Finding, Severity
from flaskguard.model.project import Project
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import finding

META = RuleMeta(
    id="FG205",
    name="remember-cookie-insecure",
    summary="Flask-Login remember cookie without Secure, HttpOnly or a safe scope",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    cwe=(614,),
    owasp="A05:2021",
    tags=("session", "cookies", "flask-login", "configuration"),
    fixable=False,
    doc=__doc__ or "",
)

REMEDIATION = (
    'Set `REMEMBER_COOKIE_SECURE = True`, `REMEMBER_COOKIE_HTTPONLY = True`, `REMEMBER_COOKIE_SAMESITE = "Lax"` '
    "and no `REMEMBER_COOKIE_DOMAIN` in the production configuration."
)


def check(project: Project) -> Iterator[Finding]:
    for problem in cookie_problems(
        secrets_analysis(project),
        "REMEMBER_COOKIE_",
        "remember cookie",
        "log in as the user until the cookie expires",
        False,
    ):
        setting = problem.setting
        yield finding(
            META,
            path=setting.path,
            loc=setting.value_site,
            message=problem.text,
            remediation=REMEDIATION,
            severity=problem.severity,
            confidence=Confidence.MEDIUM if problem.env_vars else Confidence.HIGH,
            scope=setting.scope,
            code=f"{setting.via} cookie flag",
        )


RULE = Rule(META, check)
