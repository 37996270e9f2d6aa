"""## What it does
Finds credentials written in configuration: uppercase config keys (configuration classes,
`app.config[...]`, `update`/`from_mapping`, configuration modules) that name a password,
secret, token, API key, access key, private key or credentials — `MAIL_PASSWORD`,
`AWS_SECRET_ACCESS_KEY`, `STRIPE_API_KEY`, `DB_PASS` — set to a non-empty literal (also as
the fallback of an environment lookup), and connection URLs of any key with an embedded
password (`postgresql://shop:hunter2@db/shop`, `redis://:pw@cache:6379/0`, amqp, MongoDB).

A key counts as a credential when its words (split on `_`) include `password`, `passwd`,
`pwd`, `pass`, `passphrase`, `secret`, `token`, `apikey`, `credentials` or the pairs
`api key`, `access key`, `private key`, `auth key`, `signing key`, `encryption key`,
`master key` — and no word after it says the key is *about* the credential (`PASSWORD_FIELD`,
`PASSWORD_MIN_LENGTH`, `TOKEN_EXPIRES`, `NEXT_TOKEN_URL`, `API_KEY_HEADER`,
`SECURITY_PASSWORD_HASH`, `AWS_ACCESS_KEY_ID`), and no word names text shown to users
(`..._SUBJECT_PASSWORD_NOTICE`, `..._PASSWORD_TEMPLATE`). Flask's signing keys (`SECRET_KEY*`,
`JWT_SECRET_KEY`...) belong to FG200-FG202.

Not reported: `None`, empty strings, environment lookups without a literal default, URLs
without a password (`sqlite:///app.db`, `postgresql://app@db/app`), and placeholders, which
disclose nothing: template syntax (`${DB_PASSWORD}`, `{{ password }}`, `<password>`,
`%(password)s`), masks (`xxxx`, `****`) and fill-in words (`changeme`, `your-api-key`,
`TODO`). A weak but real-looking value such as `"admin"` *is* reported. Development and
testing profiles, test code, examples and migrations are not reported.

## Why is this bad?
Whoever can read the repository — every clone, fork, CI log, backup, and the next leak of
any of them — can log in to the mail account, the cloud account or the database with the
credential. Credentials in code are also shared by every environment and hard to rotate.

## Example
```python
class ProductionConfig:
    SQLALCHEMY_DATABASE_URI = "postgresql://shop:hunter2@db.internal:5432/shop"
    MAIL_PASSWORD = "Tr0ub4dor&3"
```

## Use instead
```python
class ProductionConfig:
    SQLALCHEMY_DATABASE_URI = os.environ["DATABASE_URL"]
    MAIL_PASSWORD = os.environ["MAIL_PASSWORD"]
```
and rotate the credentials that were committed.

## References
- OWASP Secrets Management Cheat Sheet
- CWE-798: Use of Hard-coded Credentials
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Optional

from flaskguard.analysis.codecontext import code_kind
from flaskguard.analysis.secrets import (
    is_credential_key,
    is_placeholder,
    is_secret_key_setting,
    secrets_analysis,
    setting_label,
    url_with_password,
)
from flaskguard.findings import Confidence, Finding, Severity
from flaskguard.knowledge.secrets import CREDENTIAL_SERVICES
from flaskguard.model.project import Project
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import finding

META = RuleMeta(
    id="FG203",
    name="hardcoded-credentials",
    summary="Credential hardcoded in configuration",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=(798,),
    owasp="A07:2021",
    tags=("secrets", "configuration"),
    fixable=False,
    doc=__doc__ or "",
)

REMEDIATION = (
    "Read the credential from the environment or a secret store (`os.environ[...]`, without "
    "a literal default), and rotate the value that was committed."
)


def check(project: Project) -> Iterator[Finding]:
    analysis = secrets_analysis(project)
    seen: set[tuple[str, int, int]] = set()
    for setting in analysis.production_settings():
        key = setting.key
        if not key.isupper() or is_secret_key_setting(key) or key.startswith("SECRET_KEY"):
            continue
        written = analysis.written(setting)
        if code_kind(project, written.path) is not None:
            continue
        value, env_vars = analysis.value(written.expr, written.frame)
        described = _credential(key, value)
        if described is None:
            continue
        what, consequence = described
        marker = (written.path, written.loc.line, written.loc.col)
        if marker in seen:
            continue
        seen.add(marker)
        where = ""
        if (written.path, written.loc.line) != (setting.path, setting.value_site.line):
            where = f" (used by {setting_label(setting)}, {setting.path}:{setting.value_site.line})"
        fallback = (
            f" as the fallback for when {env_vars[0]} is not set in the environment"
            if env_vars
            else ""
        )
        yield finding(
            META,
            path=written.path,
            loc=written.loc,
            message=f"{setting_label(setting)}{where} {what}{fallback}: anyone who reads this "
            f"repository {consequence}.",
            remediation=REMEDIATION,
            confidence=Confidence.MEDIUM if env_vars else Confidence.HIGH,
            scope=written.scope,
            code=f"{setting.via} credential",
            redact_snippet=True,
        )


def _credential(key: str, value: object) -> Optional[tuple[str, str]]:
    """What the value is and what it gives away, for the message; None for no credential."""
    if is_credential_key(key) and isinstance(value, str) and not is_placeholder(value):
        service = CREDENTIAL_SERVICES.get(key.lower().split("_", 1)[0], "the service it is for")
        kind = _kind(key)
        article = "an" if kind[0] in "aeiouAEIOU" else "a"
        return f"holds {article} {kind} written in the code", f"can use it to get into {service}"
    for text in _strings(value):
        target = url_with_password(text)
        if target is not None:
            return (
                "is a connection URL with an embedded password",
                f"can connect to the {target} with it",
            )
    return None


def _kind(key: str) -> str:
    words = key.lower().split("_")
    if "token" in words:
        return "token"
    if "private" in words:
        return "private key"
    if "key" in words or "apikey" in words:
        return "secret key" if "secret" in words else "API key"
    if "secret" in words:
        return "secret"
    return "password"


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [v for v in value.values() if isinstance(v, str)]
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str)]
    return []


RULE = Rule(META, check)
