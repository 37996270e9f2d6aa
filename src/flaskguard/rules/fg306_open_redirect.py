"""## What it does
Finds request data used as the target of a redirect: `redirect(target)` (Flask's or
Werkzeug's) and a `Location` header set on a response (`resp.headers["Location"] = target`,
which FG312 reports too). The usual sources are a `next`/`return_to` parameter and
`request.referrer`; in general, sources are attacker-controlled request data
(`request.args`, `form`, `values`, `json`/`get_json()`, `data`/`get_data()`, `headers`,
`cookies`, `files`, URL pieces such as `path`, `url` and `host`, `environ`, `view_args`, and
URL parameters with `string`/`path` converters) in views, class-based views, error handlers
and request hooks, followed through assignments, string building, containers, helper
functions and other modules.

Sanitised for this rule:

- membership in an allowlist: `if target in ALLOWED: redirect(target)`, or
  `if target not in ALLOWED:` followed by a constant target or `abort(...)`;
- a host check: `urlparse(target).netloc` compared with the app's host, aborting otherwise,
  or the same comparison in an `is_safe_url`-style helper used as a guard;
- `url_for(...)` targets (request data only as its parameters), and numbers.

`target.startswith("/")` is **not** a sanitiser: `//evil.example` starts with `/`.

Not reported: values that constant evaluation keeps out of the redirect (a dead branch, a
reassignment to a constant or to `url_for(...)`).

## Why is this bad?
A link on the app's own domain sends the user wherever the attacker chose:
`https://shop.example.com/login?next=https://shop-example.net/login` survives a glance at the
host name, and after signing in the victim lands on a copy of the login page that asks for
the password again, or on a page serving malware. In OAuth-style flows the redirect can
carry codes or tokens to the attacker's server. Browsers read `//evil.example` as another
host, and since Werkzeug 2.1 the `Location` header is sent as given, not made absolute.

## Example
```python
@app.route("/logout")
def logout():
    logout_user()
    return redirect(request.args.get("next", "/"))
```

## Use instead
```python
ALLOWED_NEXT = {"/", "/account", "/orders"}

@app.route("/logout")
def logout():
    logout_user()
    target = request.args.get("next", "/")
    if target not in ALLOWED_NEXT:
        target = url_for("index")
    return redirect(target)
```
When arbitrary local paths must be accepted, reject every target whose `urlsplit()` has a
scheme or a network location, or that starts with two slashes or a backslash.

## References
- OWASP Unvalidated Redirects and Forwards Cheat Sheet
- Werkzeug changes, version 2.1.0 (`Response.autocorrect_location_header` off by default)
- CWE-601: URL Redirection to Untrusted Site ('Open Redirect')
"""

from __future__ import annotations

from flaskguard.findings import Confidence, Severity
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import taint_check

META = RuleMeta(
    id="FG306",
    name="open-redirect",
    summary="Redirect target taken from request data (open redirect)",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    cwe=(601,),
    owasp="A01:2021",
    tags=("taint", "redirect"),
    fixable=False,
    doc=__doc__ or "",
)

RULE = Rule(
    META,
    taint_check(
        META,
        kind="redirect",
        impact="An attacker can use links on this site to send users to a phishing or malware "
        "page of their choice.",
        remediation="Redirect only to url_for(...) targets or to entries of a fixed allowlist; "
        "if any local path must be accepted, reject targets whose urlsplit() has a scheme or "
        "netloc, or that start with // or a backslash.",
    ),
)
