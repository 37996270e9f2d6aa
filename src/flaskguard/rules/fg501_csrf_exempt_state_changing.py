"""## What it does
Finds `@csrf.exempt` (or `csrf.exempt(view)`, `csrf.exempt(blueprint)`, `csrf.exempt("endpoint")`)
on views that accept `POST`, `PUT`, `PATCH` or `DELETE` in an application whose users log in
with a cookie (Flask-Login, Flask-Security, or a user id kept in Flask's session).

Views authenticated by a token (Flask-JWT-Extended, HTTP auth, or a token in the URL rule
such as `/sync/<auth_token>/...`) and endpoints that are webhooks or callbacks (their caller
is another server, which sends no cookies) are not reported.

## Why is this bad?
The exemption removes the token check from exactly the requests CSRF is about. The browser
still sends the session cookie with a cross-site form post, so any website can make the
logged-in user's browser perform the action.

## Example
```python
@app.route("/account/email", methods=["POST"])
@login_required
@csrf.exempt
def change_email(): ...
```

## Use instead
Remove the exemption and send the token (`{{ csrf_token() }}` in forms, the `X-CSRFToken`
header in JavaScript), or authenticate the endpoint with a token instead of the cookie.

## References
- Flask-WTF `CSRFProtect.exempt`
- CWE-352: Cross-Site Request Forgery
"""

from __future__ import annotations

from collections.abc import Iterator

from flaskguard.analysis.codecontext import is_production_path
from flaskguard.analysis.purpose import identifier_words
from flaskguard.findings import Confidence, Finding, Severity
from flaskguard.model.apps import Route, flask_model
from flaskguard.model.project import Project
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import finding, route_label

META = RuleMeta(
    id="FG501",
    name="csrf-exempt-state-changing",
    summary="CSRF exemption on a cookie-authenticated state-changing view",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    cwe=(352,),
    owasp="A01:2021",
    tags=("csrf", "flask-wtf"),
    fixable=False,
    doc=__doc__ or "",
)

# Endpoints whose caller is another server (it sends no cookies), and the login and password
# reset flows, which run before there is a session to abuse.
_EXEMPT_BY_NATURE = frozenset(
    {
        "webhook",
        "webhooks",
        "hook",
        "hooks",
        "callback",
        "callbacks",
        "ipn",
        "login",
        "logout",
        "signin",
        "signout",
        "authorize",
        "oauth",
        "oauth2",
        "sso",
        "saml",
        "acs",
        "reset",
        "forgot",
    }
)
_URL_SECRETS = frozenset({"token", "key", "secret", "signature", "sig", "hmac"})
_TOKEN_AUTH = frozenset({"jwt", "token", "httpauth", "api", "key", "bearer", "basic"})


def token_authenticated(route: Route) -> bool:
    """Auth by a token rather than the cookie: a token decorator, or a token in the URL
    (``/kobo/<auth_token>/sync``) that the browser of a victim would not know."""
    if any(set(identifier_words(via)) & _TOKEN_AUTH for via in route.auth_via):
        return True
    return any(set(identifier_words(name)) & _URL_SECRETS for name, _ in route.converters)


def check(project: Project) -> Iterator[Finding]:
    model = flask_model(project)
    seen: set[tuple[str, int, int]] = set()
    for route in model.routes:
        if route.csrf_exempt_at is None or not route.state_changing:
            continue
        path, loc = route.csrf_exempt_at
        if not is_production_path(project, path) or token_authenticated(route):
            continue
        words = set(identifier_words(route.rule)) | set(identifier_words(route.endpoint))
        if words & _EXEMPT_BY_NATURE:
            continue
        cookie_auth = model.uses_cookie_auth(route.apps[0] if route.apps else None)
        if cookie_auth is None:
            continue
        key = (path, loc.line, loc.col)
        if key in seen:
            continue
        seen.add(key)
        yield finding(
            META,
            path=path,
            loc=loc,
            message=f"{route_label(route)} is exempt from CSRF checks while users log in with a "
            f"cookie ({cookie_auth}): any website can make a logged-in user's browser send "
            "this request.",
            remediation="Remove the exemption and send the CSRF token with the request, or "
            "authenticate this endpoint with a token instead of the session cookie.",
            code=f"csrf.exempt {route.endpoint}",
        )


RULE = Rule(META, check)
