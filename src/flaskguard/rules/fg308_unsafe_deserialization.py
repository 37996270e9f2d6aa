"""## What it does
Finds request data deserialised with a format that can build arbitrary Python objects:
`pickle.loads`/`pickle.load`/`Unpickler` (and `dill`), `marshal.loads`,
`jsonpickle.decode`, `shelve.open`, `pandas.read_pickle`, `joblib.load`, `numpy.load` when
pickles are allowed, `yaml.load` without a safe loader (for example `Loader=yaml.Loader`)
and `yaml.unsafe_load`. The data typically comes from a cookie, the body or an upload,
often base64-decoded first; decoding keeps the taint.

Sources are attacker-controlled request data (`request.args`, `form`, `values`,
`json`/`get_json()`, `data`/`get_data()`, `headers`, `cookies`, `files` (their `.read()`),
URL pieces such as `path`, `url` and `host`, `environ`, `view_args`, and URL parameters with
`string`/`path` converters) in views, class-based views, error handlers and request hooks,
followed through assignments, string and bytes operations, containers, helper functions and
other modules.

Sanitised for this rule: nothing that keeps the bytes — no escaping makes a pickle safe. Only
a value that is no longer the request's data (a number, a constant) is clean.

Not reported: `json.loads`, `yaml.safe_load`, `yaml.load` with `SafeLoader` or `BaseLoader`
(or their C variants); a
pickle the app reads from its own file at a constant path; values that constant evaluation
keeps out of the call (a dead branch, a reassignment to a constant).

## Why is this bad?
Unpickling runs code by design: a pickle names any callable and its arguments (through
`__reduce__`), so `pickle.loads(cookie)` executes the `os.system(...)` that whoever wrote the
cookie chose. `jsonpickle.decode` and `yaml.load` with an unsafe loader rebuild arbitrary
objects the same way. `marshal` is documented as not secure against maliciously constructed
data: crafted input can crash the interpreter. The result is code execution on the server
from a single request.

## Example
```python
@app.route("/cart")
def cart():
    items = pickle.loads(base64.b64decode(request.cookies["cart"]))
    return render_template("cart.html", items=items)
```

## Use instead
```python
from itsdangerous import BadSignature, URLSafeSerializer

serializer = URLSafeSerializer(app.secret_key, salt="cart")

@app.route("/cart")
def cart():
    try:
        items = serializer.loads(request.cookies["cart"])  # JSON, signed
    except (KeyError, BadSignature):
        items = []
    return render_template("cart.html", items=items)
```
Or keep the cart in the session or the database; parse YAML with `yaml.safe_load`.

## References
- Python docs, `pickle` — the warning at the top of the page; `marshal`
- PyYAML docs, "yaml.load(input) Deprecation"
- OWASP Deserialization Cheat Sheet
- CWE-502: Deserialization of Untrusted Data
"""

from __future__ import annotations

from flaskguard.findings import Confidence, Severity
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import taint_check

META = RuleMeta(
    id="FG308",
    name="unsafe-deserialization",
    summary="Request data deserialised with pickle, marshal, jsonpickle or unsafe YAML",
    severity=Severity.CRITICAL,
    confidence=Confidence.HIGH,
    cwe=(502,),
    owasp="A08:2021",
    tags=("taint", "deserialization", "rce"),
    fixable=False,
    doc=__doc__ or "",
)

RULE = Rule(
    META,
    taint_check(
        META,
        kind="deserialization",
        impact="An attacker can run code on the server by sending a crafted serialised object.",
        remediation="Accept data as JSON (request.get_json(), json.loads) or YAML with "
        "yaml.safe_load; if state must round-trip through the client, sign JSON with "
        "itsdangerous or keep it in the session.",
    ),
)
