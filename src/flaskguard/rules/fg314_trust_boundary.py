"""## What it does
Finds request data stored in the Flask session without validation: `session[key] = value`
with Flask's `session`, in views, request hooks and helpers in other modules.

Sources are attacker-controlled request data (`request.args`, `form`, `values`,
`json`/`get_json()`, `data`/`get_data()`, `headers`, `cookies`, `files`, URL pieces such as
`path`, `url` and `host`, `environ`, `view_args`, and URL parameters with `string`/`path`
converters) in views, class-based views, error handlers and request hooks, followed through
assignments, string building, containers, helper functions and other modules.

Sanitised for this rule: numbers (`int()`, `float()`, `type=int`, the
`int`/`float`/`uuid`/`any(...)` converters), constants, and values picked from a dict of
constants (`THEMES.get(choice, "light")`).

Not reported: `flash(message)` (it stores the message in the session internally, but this
rule is about explicit `session[...]` writes), constant entries of a dict that holds request
data elsewhere, and values that constant evaluation keeps out of the session (a dead branch,
a reassignment to a constant).

## Why is this bad?
Code that reads `session[...]` usually treats it as data the server wrote and vetted: the
cookie is signed, so the user cannot change it. Writing raw request data into it carries that
data across the trust boundary. A display name or theme read back on another page is printed
with `|safe`, put into SQL or a file path, or used in an authorisation decision, far from the
view that received it (second-order injection). Flask's default session is also a cookie the
client can read, and values that push it past about 4 KB make browsers drop it. On its own
this is low severity; the harm comes from how the value is used later.

## Example
```python
@app.route("/preferences", methods=["POST"])
def preferences():
    session["theme"] = request.form["theme"]
    return redirect(url_for("index"))
```

## Use instead
```python
THEMES = {"light": "light", "dark": "dark"}

@app.route("/preferences", methods=["POST"])
def preferences():
    session["theme"] = THEMES.get(request.form.get("theme", ""), "light")
    return redirect(url_for("index"))
```
Store numbers with `int(...)`, and keep free text (display names, addresses) in the
database with only the user's id in the session.

## References
- Flask docs, "Sessions"
- OWASP, "Trust Boundary Violation"
- CWE-501: Trust Boundary Violation
"""

from __future__ import annotations

from flaskguard.findings import Confidence, Severity
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import taint_check

META = RuleMeta(
    id="FG314",
    name="trust-boundary",
    summary="Unvalidated request data stored in the session",
    severity=Severity.LOW,
    confidence=Confidence.MEDIUM,
    cwe=(501,),
    owasp="A04:2021",
    tags=("taint", "session"),
    fixable=False,
    doc=__doc__ or "",
)

RULE = Rule(
    META,
    taint_check(
        META,
        kind="trust-boundary",
        impact="Unvalidated client data gains the trust the app gives to session contents and "
        "reaches later code as if the server had produced it.",
        remediation="Validate before storing: convert to int, pick the value from an allowlist "
        "or a dict of constants, or keep free text in the database and store only an id in "
        "the session.",
    ),
)
