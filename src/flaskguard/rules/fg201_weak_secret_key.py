"""## What it does
Finds Flask signing keys (`SECRET_KEY`, `SECRET_KEY_FALLBACKS`, `JWT_SECRET_KEY`,
`WTF_CSRF_SECRET_KEY`, `SECURITY_PASSWORD_SALT`) set to a *weak* literal: shorter than 24
characters (or bytes), a placeholder or tutorial value (`dev`, `secret`, `changeme`,
`super secret key`, `your-secret-key`, `s3cr3t`, `default`, `flask`, `test`, `password`,
anything saying "change", "secret", "your ... key"), or a low-entropy pattern such as
`aaaaaaaaaaaaaaaaaaaaaaaaaaaa`. The same configuration paths, committed deployment files and
context grading as FG200 apply; a weak literal is reported here only, not by FG200 as well.

## Why is this bad?
The key protects every signed session cookie. A tutorial value is the first guess of any
attacker, and a short or patterned key falls to an offline brute force of a single cookie
captured from the app: `flask-unsign --unsign` tries wordlists and short keys in minutes.
With the key, the attacker signs `{"_user_id": "1"}` and is logged in as user 1.

## Example
```python
app = Flask(__name__)
app.config.from_mapping(SECRET_KEY="dev")
```

## Use instead
```python
app = Flask(__name__)
app.config.from_mapping(SECRET_KEY=os.environ["SECRET_KEY"])
```
with a key made by `secrets.token_hex(32)`. The unsafe fix replaces the literal by
`os.environ["<KEY>"]` (and adds `import os`).

## References
- Flask docs, "Sessions" (how to generate good secret keys)
- CWE-1391: Use of Weak Credentials
- CWE-330: Use of Insufficiently Random Values
"""

from __future__ import annotations

from collections.abc import Iterator

from flaskguard.analysis.secrets import (
    ENV_SOURCE_REACH,
    committed_env_secrets,
    describe_secret_site,
    secret_fix,
    secret_weakness,
    secrets_analysis,
)
from flaskguard.facts import ir
from flaskguard.findings import Confidence, Finding, Severity
from flaskguard.knowledge.secrets import SECRET_KEY_SETTINGS
from flaskguard.model.project import Project
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import finding

META = RuleMeta(
    id="FG201",
    name="weak-secret-key",
    summary="Weak secret key",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=(1391, 330),
    owasp="A02:2021",
    tags=("secrets", "session", "configuration"),
    fixable=True,
    doc=__doc__ or "",
)

REMEDIATION = (
    "Generate a random key once (`python -c 'import secrets; print(secrets.token_hex(32))'`), "
    'keep it in the environment or a secret store, and load it with `os.environ["SECRET_KEY"]`.'
)


def check(project: Project) -> Iterator[Finding]:
    for site in secrets_analysis(project).secret_sites():
        reasons = [r for r in (secret_weakness(value) for value in site.values) if r]
        if not reasons:
            continue
        plan, reason = secret_fix(site)
        key = site.setting.key
        yield finding(
            META,
            path=site.written.path,
            loc=site.written.loc,
            message=f"{describe_secret_site(site)}, and a weak one: {reasons[0]}. Anyone who guesses it "
            f"{SECRET_KEY_SETTINGS[key]}",
            remediation=REMEDIATION,
            scope=site.written.scope,
            code=f"{site.setting.via} literal",
            redact_snippet=True,
            fix_plan=plan,
            fix_unavailable_reason=reason,
        )
    for key, setting in committed_env_secrets(project):
        weakness = secret_weakness(setting.value)
        if weakness is None:
            continue
        yield finding(
            META,
            path=setting.path,
            loc=ir.Loc(setting.line, setting.column, setting.line, setting.end_column),
            message=f"{setting.key} is written in {setting.path}, a file that is committed and "
            f"{ENV_SOURCE_REACH[setting.source]}, and it is weak: {weakness}. Anyone who "
            f"guesses it {SECRET_KEY_SETTINGS[key]}",
            remediation=REMEDIATION,
            code=f"{setting.source}:{setting.key}",
            redact_snippet=True,
        )


RULE = Rule(META, check)
