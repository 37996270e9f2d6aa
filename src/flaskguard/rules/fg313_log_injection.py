"""## What it does
Finds request data written to logs: `app.logger` methods, loggers from
`logging.getLogger(...)` and the module-level `logging.info/warning/error/...`
functions, whether the value is part of the message (f-string, `%`, `+`, `.format`) or a lazy
`%s` argument — lazy formatting still writes the value as it is.

Sources are attacker-controlled request data (`request.args`, `form`, `values`,
`json`/`get_json()`, `data`/`get_data()`, `headers` (the `User-Agent`, ...), `cookies`,
`files`, URL pieces such as `path`, `full_path`, `url` and `host`, `environ`, `view_args`,
and URL parameters with `string`/`path` converters) in views, class-based views, error
handlers and request hooks (`after_request` logging is a common spot), followed through
assignments, string building, containers, helper functions and other modules.
`request.method` and `request.endpoint` are not attacker data.

Sanitised for this rule: percent-encoding (`urllib.parse.quote`, `quote_plus`,
`urlencode`), `repr()` and messages whose every placeholder is `%r` (both escape CR and LF),
`.replace("\n", ...)`/`.replace("\r", ...)`, `werkzeug.utils.secure_filename`, and numbers
(`int()`, `float()`, `type=int`, the `int`/`float`/`uuid`/`any(...)` converters).

Not reported: `debug` records (production logging configurations drop them: the default
level is WARNING), constant messages, and values that constant evaluation keeps out of the call
(a logging branch switched off by a constant flag, a reassignment to a constant).

## Why is this bad?
Python's logging writes the message as it is. A user name that contains a newline adds a
line of the attacker's choosing — a fake `INFO login succeeded user=admin` entry — which
misleads whoever reads the logs, hides an attack or points at another user. Tools that read
logs line by line (SIEM rules, fail2ban-style blockers, alerting) take the forged lines as
real, and terminal escape sequences in the value can change what an operator sees in a
terminal. The app itself is not compromised, hence the low severity.

## Example
```python
@app.route("/login", methods=["POST"])
def login():
    username = request.form["username"]
    if not check_login(username, request.form["password"]):
        app.logger.warning(f"failed login for {username}")
        abort(401)
```

## Use instead
```python
@app.route("/login", methods=["POST"])
def login():
    username = request.form["username"]
    if not check_login(username, request.form["password"]):
        app.logger.warning("failed login for %r", username)  # repr escapes CR, LF, ESC
        abort(401)
```
Or log through a structured (JSON) formatter, which escapes control characters.

## References
- OWASP Logging Cheat Sheet; OWASP, "Log Injection"
- CVE-2024-1681 (Flask-CORS log injection through CR/LF in the request path)
- CWE-117: Improper Output Neutralization for Logs
"""

from __future__ import annotations

from flaskguard.findings import Confidence, Severity
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import taint_check

META = RuleMeta(
    id="FG313",
    name="log-injection",
    summary="Request data written to logs unescaped",
    severity=Severity.LOW,
    confidence=Confidence.LOW,
    cwe=(117,),
    owasp="A09:2021",
    tags=("injection", "taint", "logging"),
    fixable=False,
    doc=__doc__ or "",
)

RULE = Rule(
    META,
    taint_check(
        META,
        kind="log",
        impact="An attacker can forge or break log lines, misleading audits, alerting and "
        "anyone investigating an incident.",
        remediation="Log request data with %r (repr escapes CR, LF and other control "
        "characters) or through a structured JSON formatter, or strip CR/LF before logging.",
    ),
)
