"""## What it does
Finds request data written into an HTML response without escaping:

- a view or error handler that returns a string built from it (Flask sends a `str` as
  `text/html`), including `return json.dumps(...)`;
- `make_response(...)` and `Response(...)` with such a body, unless the mimetype is not HTML
  (`text/plain`, `application/json`, ...);
- `Markup(...)` around it — `Markup(value)`, `Markup(f"...{value}")`, `Markup("..." + value)`,
  `Markup("%s" % value)` — from `markupsafe` or the legacy `flask.Markup`/`jinja2.Markup`,
  reported at the `Markup(` call;
- `render_template(...)` when the variable that carries it is printed with `|safe` or inside
  `{% autoescape false %}`, reported at the `render_template(` call.

Sources are attacker-controlled request data (`request.args`, `form`, `values`,
`json`/`get_json()`, `data`/`get_data()`, `headers`, `cookies`, `files`, URL pieces such as
`path`, `url` and `host`, `environ`, `view_args`, and URL parameters with `string`/`path`
converters) in views, class-based views, error handlers and request hooks, followed through
assignments, string building, containers, helper functions and other modules.

Sanitised for this rule: `html.escape`, `markupsafe.escape`, `Markup("...{}").format(value)`
and `Markup("...%s") % value` (both escape the value), `bleach.clean`, a project helper that
replaces `& < > " '` with entities, and numbers (`int()`, `float()`, `type=int`, the
`int`/`float`/`uuid`/`any(...)` converters).

Not reported: `jsonify(...)` and responses with a non-HTML mimetype; template variables
printed with autoescaping on (a `|safe` on a variable that only receives constants is fine);
`abort(code, description)` (Werkzeug escapes the description); `flash(message)` (templates
escape it); the output of `render_template_string`, whose tainted *source* is FG302's
business; values that constant evaluation keeps out of the response. Contexts where
autoescaping is not enough — a URL in `href="{{ url }}"` (`javascript:`), data inside
`<script>` — are not checked by this rule.

## Why is this bad?
The victim's browser runs any `<script>` or event handler in the reflected value, in the
site's origin: it can read the page, act as the user (submit forms, change the e-mail
address, read CSRF tokens) and steal a session cookie that lacks `HttpOnly`. Flask's
`Response.default_mimetype` is `text/html`, so `return f"Hello {name}"` is HTML although no
template is involved; `Markup`, `|safe` and `{% autoescape false %}` each tell Jinja that a
value is already safe HTML and switch escaping off for it.

## Example
```python
@app.route("/hello")
def hello():
    name = request.args.get("name", "")
    return f"<h1>Hello {name}</h1>"
```

## Use instead
```python
from markupsafe import escape

@app.route("/hello")
def hello():
    name = request.args.get("name", "")
    return f"<h1>Hello {escape(name)}</h1>"
```
Better still, render a template (`render_template("hello.html", name=name)`, autoescaped),
return data with `jsonify`, and build HTML fragments with `Markup("<b>{}</b>").format(name)`.

## References
- Flask docs, "Security Considerations" — Cross-Site Scripting (XSS)
- Jinja docs, "Autoescaping"; MarkupSafe docs, "Formatting"
- OWASP Cross Site Scripting Prevention Cheat Sheet
- CWE-79: Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')
"""

from __future__ import annotations

from flaskguard.findings import Confidence, Severity
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import taint_check

META = RuleMeta(
    id="FG301",
    name="xss",
    summary="Request data written into HTML without escaping (cross-site scripting)",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=(79,),
    owasp="A03:2021",
    tags=("injection", "taint", "xss", "jinja"),
    fixable=False,
    doc=__doc__ or "",
)

RULE = Rule(
    META,
    taint_check(
        META,
        kind="xss",
        impact="An attacker can run JavaScript in a victim's browser on this site, act as the "
        "victim and read what the page shows.",
        remediation="Render HTML with an autoescaped template or escape the value "
        "(markupsafe.escape, Markup('...{}').format(value)); return data with jsonify, and "
        "never wrap request data in Markup or print it with |safe.",
    ),
)
