"""## What it does
Finds Flask signing keys written as string or bytes literals in the code: `SECRET_KEY`, the
old keys in `SECRET_KEY_FALLBACKS`, `JWT_SECRET_KEY`, `WTF_CSRF_SECRET_KEY` and
`SECURITY_PASSWORD_SALT`, set through any configuration path — `app.secret_key = "..."`,
`app.config["SECRET_KEY"] = "..."`, `config.update(...)` / `from_mapping(...)`, a
configuration class or module loaded with `from_object` / `from_pyfile` — including values
that reach the setting through a constant of another module.

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
    SecretSite,
    secret_fix,
    secret_weakness,
    secrets_analysis,
    setting_is,
    setting_label,
)
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


def describe(site: SecretSite) -> str:
    """How the setting gets the literal: ``Config.SECRET_KEY``, or via a constant."""
    setting = site.setting
    written = site.written
    label = setting_label(setting)
    if (written.path, written.loc.line) != (setting.path, setting.value_site.line):
        return (
            f"{label} ({setting.path}:{setting.value_site.line}) takes {setting.key} "
            "from this literal"
        )
    if setting.key == "SECRET_KEY_FALLBACKS":
        count = len(site.values)
        keys = "an old key as a literal" if count == 1 else f"{count} old keys as literals"
        return f"{label} lists {keys}"
    return setting_is(setting, "a literal in the code")


def site_finding(site: SecretSite) -> Finding:
    plan, reason = secret_fix(site)
    key = site.setting.key
    return finding(
        META,
        path=site.written.path,
        loc=site.written.loc,
        message=f"{describe(site)}. Anyone who reads this repository {SECRET_KEY_SETTINGS[key]}",
        remediation=REMEDIATION,
        scope=site.written.scope,
        code=f"{site.setting.via} literal",
        redact_snippet=True,
        fix_plan=plan,
        fix_unavailable_reason=reason,
    )


RULE = Rule(META, check)
