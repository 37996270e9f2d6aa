"""## What it does
Finds `PERMANENT_SESSION_LIFETIME` (also `app.permanent_session_lifetime`) and Flask-Login's
`REMEMBER_COOKIE_DURATION` set above 30 days in production (or default) configuration, as a
`timedelta(...)` or a number of seconds (`60 * 60 * 24 * 365`), also through constants. Unset
values are Flask's and Flask-Login's defaults and are not reported. Development and testing
profiles, test code, examples and migrations are not reported.

## Why is this bad?
Flask's sessions live in the cookie itself: the server cannot revoke one, so a stolen or
leaked session cookie can be replayed until it expires (the lifetime is also the `max_age`
checked when *any* session cookie is loaded). A remember cookie logs its holder back in for
its whole duration, and logging out elsewhere does not invalidate it. The longer the
lifetime, the longer a single theft pays off.

## Example
```python
app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(days=365)
```

## Use instead
```python
app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=12)
app.config["REMEMBER_COOKIE_DURATION"] = timedelta(days=14)
```
and keep server-side state (a session version, Flask-Session) when sessions must be revocable.

## References
- Flask docs, "Configuration Handling: PERMANENT_SESSION_LIFETIME"
- CWE-613: Insufficient Session Expiration
"""

from __future__ import annotations

from collections.abc import Iterator

from flaskguard.analysis.secrets import (
    Written,
    duration_seconds,
    secrets_analysis,
    setting_label,
)
from flaskguard.findings import Confidence, Finding, Severity
from flaskguard.knowledge.secrets import LIFETIME_SETTINGS, MAX_COOKIE_LIFETIME_DAYS
from flaskguard.model.project import Project
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import finding

META = RuleMeta(
    id="FG206",
    name="long-session-lifetime",
    summary="Session or remember cookie lives longer than 30 days",
    severity=Severity.LOW,
    confidence=Confidence.HIGH,
    cwe=(613,),
    owasp="A07:2021",
    tags=("session", "cookies", "configuration"),
    fixable=False,
    doc=__doc__ or "",
)

REMEDIATION = (
    f"Keep lifetimes at {MAX_COOKIE_LIFETIME_DAYS} days or less (hours for sensitive apps), "
    "and make sessions revocable server-side when they must last long."
)


def check(project: Project) -> Iterator[Finding]:
    analysis = secrets_analysis(project)
    seen: set[tuple[str, int, int]] = set()
    for setting in analysis.production_settings(frozenset(LIFETIME_SETTINGS)):
        start = Written(
            setting.value, setting.frame, setting.path, setting.value_site, setting.scope
        )
        seconds = duration_seconds(analysis, start)
        if seconds is None or seconds <= MAX_COOKIE_LIFETIME_DAYS * 86400:
            continue
        loc = setting.value_site
        marker = (setting.path, loc.line, loc.col)
        if marker in seen:
            continue
        seen.add(marker)
        days = seconds / 86400
        shown = f"{days:.0f}" if days == int(days) else f"{days:.1f}"
        what = LIFETIME_SETTINGS[setting.key]
        consequence = (
            "the server cannot revoke a cookie session, so a stolen session cookie can be "
            "replayed until it expires"
            if setting.key == "PERMANENT_SESSION_LIFETIME"
            else "a stolen remember cookie logs its holder back in until it expires, and "
            "logging out elsewhere does not revoke it"
        )
        yield finding(
            META,
            path=setting.path,
            loc=loc,
            message=f"{setting_label(setting)} keeps {what} valid for {shown} days (more than "
            f"{MAX_COOKIE_LIFETIME_DAYS}): {consequence}.",
            remediation=REMEDIATION,
            scope=setting.scope,
            code=f"{setting.via} lifetime",
        )


RULE = Rule(META, check)
