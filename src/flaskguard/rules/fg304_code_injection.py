"""## What it does
Finds request data that reaches `eval`, `exec`, `compile`, `__import__` or
`importlib.import_module`, also through helpers in other modules and `functools.partial`.

Sources are attacker-controlled request data (`request.args`, `form`, `values`,
`json`/`get_json()`, `data`/`get_data()`, `headers`, `cookies`, `files`, URL pieces such as
`path`, `url` and `host`, `environ`, `view_args`, and URL parameters with `string`/`path`
converters) in views, class-based views, error handlers and request hooks, followed through
assignments, string building, containers, helper functions and other modules.

Sanitised for this rule: numbers (`int()`, `float()`, `type=int`, the
`int`/`float`/`uuid`/`any(...)` converters) and values picked from a dict of constants.
String clean-up (`strip`, `replace`, removing letters) is not a sanitiser.

Not reported: `ast.literal_eval` (it only builds literals), dispatch tables that map a
request value to a function, and values that constant evaluation keeps out of the call (a
dead branch, a reassignment to a constant). One finding per call: `exec(compile(x, ...))` is
reported once.

## Why is this bad?
`eval` and `exec` run Python: `__import__('os').system('id')` typed into a "calculator"
field runs a command, and everything the process can reach — `SECRET_KEY`, the database,
files, cloud credentials — is open. Filtering characters does not make it safe; Python has
too many ways to spell the same code. `__import__` and `importlib.import_module` with a
chosen name import any module on `sys.path`, running its top-level code, and let the
attacker decide which code the app calls next.

## Example
```python
@app.route("/calc")
def calc():
    expression = request.args.get("expr", "0")
    return jsonify(result=eval(expression))
```

## Use instead
```python
OPERATIONS = {"add": operator.add, "sub": operator.sub, "mul": operator.mul}

@app.route("/calc")
def calc():
    operation = OPERATIONS.get(request.args.get("op", ""), operator.add)
    return jsonify(result=operation(float(request.args["a"]), float(request.args["b"])))
```
Parse literal data with `ast.literal_eval` or `json.loads`, and choose modules or exporters
from a fixed dict instead of `import_module(name)`.

## References
- Python docs, `eval`, `exec` and `ast.literal_eval`
- OWASP, "Code Injection"
- CWE-94: Improper Control of Generation of Code ('Code Injection')
- CWE-95: Improper Neutralization of Directives in Dynamically Evaluated Code ('Eval
  Injection')
"""

from __future__ import annotations

from flaskguard.findings import Confidence, Severity
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import taint_check

META = RuleMeta(
    id="FG304",
    name="code-injection",
    summary="Request data evaluated or imported as Python code",
    severity=Severity.CRITICAL,
    confidence=Confidence.HIGH,
    cwe=(94, 95),
    owasp="A03:2021",
    tags=("injection", "taint", "code", "rce"),
    fixable=False,
    doc=__doc__ or "",
)

RULE = Rule(
    META,
    taint_check(
        META,
        kind="code",
        impact="An attacker can run Python code inside the app process and take over the server.",
        remediation="Never evaluate or import request data: parse literals with "
        "ast.literal_eval or json.loads, and map names to functions or modules through a "
        "fixed dict.",
    ),
)
