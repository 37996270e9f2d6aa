"""## What it does
Finds `LOGIN_DISABLED = True` in configuration that production uses (any profile that is
not a testing or development one, outside test code).

## Why is this bad?
In Flask-Login up to 0.6.3, `LOGIN_DISABLED` makes `login_required` and
`fresh_login_required` let every request through. It exists so that tests can skip the
login step; in a production configuration it turns off authentication for the whole app.

## Example
```python
class Config:
    LOGIN_DISABLED = True
```

## Use instead
Set it only in the testing configuration (`class TestingConfig: LOGIN_DISABLED = True`) or
in test fixtures.

## References
- Flask-Login `login_required` (0.6.3): `if current_app.config.get("LOGIN_DISABLED")`
- CWE-306: Missing Authentication for Critical Function
"""

from __future__ import annotations

from collections.abc import Iterator

from flaskguard.analysis.codecontext import is_production_path
from flaskguard.analysis.devserver import analysis_for
from flaskguard.findings import Confidence, Finding, Severity
from flaskguard.model.project import Project
from flaskguard.model.settings import config_model
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import finding

META = RuleMeta(
    id="FG402",
    name="login-disabled",
    summary="LOGIN_DISABLED turns Flask-Login authentication off",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=(306,),
    owasp="A07:2021",
    tags=("access-control", "configuration", "flask-login"),
    fixable=False,
    doc=__doc__ or "",
)


def check(project: Project) -> Iterator[Finding]:
    evaluator = analysis_for(project).evaluator
    for setting in config_model(project).in_production("LOGIN_DISABLED"):
        if not is_production_path(project, setting.path):
            continue
        if evaluator.evaluate(setting.value, setting.frame).value is not True:
            continue
        profile = f" in {setting.profile}" if setting.profile else ""
        yield finding(
            META,
            path=setting.path,
            loc=setting.loc,
            message=f"LOGIN_DISABLED = True{profile}: Flask-Login's `login_required` lets every "
            "request through, so every protected view is public.",
            remediation="Remove LOGIN_DISABLED from production configuration; set it only in "
            "the testing profile or test fixtures.",
            scope=setting.scope,
            code=f"{setting.via} = True",
        )


RULE = Rule(META, check)
