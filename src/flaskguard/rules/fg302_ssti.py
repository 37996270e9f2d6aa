"""## What it does
Finds request data in the *source* of a Jinja template: `render_template_string(source)`,
`flask.stream_template_string(source)`, `jinja2.Template(source)` and
`Environment.from_string(source)` (also `app.jinja_env.from_string`). The classic pattern
builds the template with an f-string, `%`, `+` or `.format` around user input.

Sources are attacker-controlled request data (`request.args`, `form`, `values`,
`json`/`get_json()`, `data`/`get_data()`, `headers`, `cookies`, `files`, URL pieces such as
`path`, `url` and `host`, `environ`, `view_args`, and URL parameters with `string`/`path`
converters) in views, class-based views, error handlers and request hooks, followed through
assignments, string building, containers, helper functions and other modules.

Sanitised for this rule: numbers only (`int()`, `float()`, `type=int`, the
`int`/`float`/`uuid`/`any(...)` converters). HTML escaping does not help: `{{ 7*7 }}`
contains no character that `html.escape` or `markupsafe.escape` changes.

Not reported: request data passed as *context variables*
(`render_template_string(SOURCE, name=name)`), which Jinja treats as data and Flask
autoescapes; values that constant evaluation keeps out of the source (a dead branch, a
reassignment to a constant, a helper that ignores its argument). The rendered output is not
also reported as FG301.

## Why is this bad?
Jinja compiles the source into Python code and runs it. `{{ 7*7 }}` renders `49`;
`{{ config }}` prints the app's configuration, `SECRET_KEY` included, which lets the
attacker forge session cookies; and attribute traversal from any object in the template
context (`{{ self.__init__.__globals__ }}`-style chains) reaches modules such as `os` and runs
commands on the server. A sandboxed environment narrows this but has had repeated escapes
(CVE-2019-10906, CVE-2024-56326, CVE-2025-27516): templates written by users stay dangerous.

## Example
```python
@app.route("/greet")
def greet():
    name = request.args.get("name", "guest")
    return render_template_string(f"<p>Hello {name}!</p>")
```

## Use instead
```python
@app.route("/greet")
def greet():
    name = request.args.get("name", "guest")
    return render_template_string("<p>Hello {{ name }}!</p>", name=name)
```
Or keep the template in `templates/` and call `render_template("greet.html", name=name)`.

## References
- Flask docs, `render_template_string`; Jinja docs, "Sandbox"
- PortSwigger Web Security Academy, "Server-side template injection"
- CWE-1336: Improper Neutralization of Special Elements Used in a Template Engine
- CWE-94: Improper Control of Generation of Code ('Code Injection')
"""

from __future__ import annotations

from flaskguard.findings import Confidence, Severity
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import taint_check

META = RuleMeta(
    id="FG302",
    name="ssti",
    summary="Template source built from request data (server-side template injection)",
    severity=Severity.CRITICAL,
    confidence=Confidence.HIGH,
    cwe=(1336, 94),
    owasp="A03:2021",
    tags=("injection", "taint", "ssti", "jinja", "rce"),
    fixable=False,
    doc=__doc__ or "",
)

RULE = Rule(
    META,
    taint_check(
        META,
        kind="ssti",
        impact="An attacker can run Python code on the server through the template and read "
        "the app's configuration, SECRET_KEY included.",
        remediation="Keep template sources constant (files under templates/ or string "
        "literals) and pass request data only as context variables: "
        "render_template_string(TEMPLATE, name=name).",
    ),
)
