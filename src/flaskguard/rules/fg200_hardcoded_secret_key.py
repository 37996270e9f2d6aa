"""## What it does
Finds Flask signing keys written as string or bytes literals in the code: `SECRET_KEY`, the
old keys in `SECRET_KEY_FALLBACKS`, `JWT_SECRET_KEY`, `WTF_CSRF_SECRET_KEY` and
`SECURITY_PASSWORD_SALT`, set through any configuration path — `app.secret_key = "..."`,
`app.config["SECRET_KEY"] = "..."`, `config.update(...)` / `from_mapping(...)`, a
configuration class or module loaded with `from_object` / `from_pyfile` — including values
that reach the setting through a constant of another module. Keys written as values in
committed deployment files count too: `FLASK_SECRET_KEY=...` in `.flaskenv` (read by
`from_prefixed_env`), Dockerfile `ENV SECRET_KEY=...`, compose `environment:`, `app.yaml`,
uWSGI and gunicorn settings. `.env` files are not reported: they are conventionally kept
out of version control, which is where real keys belong; `${VAR}` references are not values.

The finding points at the line where the literal is written. Values a deployment does not
get are not reported: development and testing profiles, test code, examples, migrations,
and code that only runs as a script. A literal that is also weak is reported by FG201
instead, a literal fallback of an environment lookup by FG202.

## Why is this bad?
Flask signs the session cookie with `SECRET_KEY` (signed, not encrypted). Everyone who can
read the repository — every clone, fork, CI log and backup — knows the key and can sign a
session of their own: `{"_user_id": "1"}` logs them in as user 1 through Flask-Login. The
same holds for remember cookies, password-reset and confirmation tokens, and JWTs signed
with the other keys. Rotating a committed key means rewriting history or accepting that the
old value stays public.

## Example
```python
class ProductionConfig:
    SECRET_KEY = "u8Kq2Zr5Xw9Lm3Tn7Pv1Bc6Yd4Hs0Jf8Ga2Ee5Rt"
```

## Use instead
```python
class ProductionConfig:
    SECRET_KEY = os.environ["SECRET_KEY"]
```
Generate the key once with `python -c "import secrets; print(secrets.token_hex(32))"` and
keep it in the environment or a secret store. Rotate with `SECRET_KEY_FALLBACKS`.

The unsafe fix replaces the literal by `os.environ["<KEY>"]` (and adds `import os`): the app
then refuses to start until the variable is set.

## References
- Flask docs, "Configuration Handling: SECRET_KEY" and "Sessions"
- CWE-798: Use of Hard-coded Credentials
"""

from __future__ import annotations

from collections.abc import Iterator

from flaskguard.analysis.secrets import (
    ENV_SOURCE_REACH,
    SecretSite,
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
    id="FG200",
    name="hardcoded-secret-key",
    summary="Secret key hardcoded in the code",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=(798,),
    owasp="A07:2021",
    tags=("secrets", "session", "configuration"),
    fixable=True,
    doc=__doc__ or "",
)

REMEDIATION = (
    'Load the key from the environment or a secret store (`os.environ["SECRET_KEY"]`), '
    "generate a new one with `secrets.token_hex(32)`, and treat the committed value as leaked."
)


def check(project: Project) -> Iterator[Finding]:
    for site in secrets_analysis(project).secret_sites():
        if any(secret_weakness(value) for value in site.values):
            continue  # FG201
        yield site_finding(site)
    for key, setting in committed_env_secrets(project):
        if secret_weakness(setting.value):
            continue  # FG201
        yield finding(
            META,
            path=setting.path,
            loc=ir.Loc(setting.line, setting.column, setting.line, setting.end_column),
            message=f"{setting.key} is written in {setting.path}, a file that is committed and "
            f"{ENV_SOURCE_REACH[setting.source]}. Anyone who reads this repository "
            f"{SECRET_KEY_SETTINGS[key]}",
            remediation=REMEDIATION,
            code=f"{setting.source}:{setting.key}",
            redact_snippet=True,
        )


def site_finding(site: SecretSite) -> Finding:
    plan, reason = secret_fix(site)
    key = site.setting.key
    return finding(
        META,
        path=site.written.path,
        loc=site.written.loc,
        message=f"{describe_secret_site(site)}. Anyone who reads this repository {SECRET_KEY_SETTINGS[key]}",
        remediation=REMEDIATION,
        scope=site.written.scope,
        code=f"{site.setting.via} literal",
        redact_snippet=True,
        fix_plan=plan,
        fix_unavailable_reason=reason,
    )


RULE = Rule(META, check)
