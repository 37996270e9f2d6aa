"""## What it does
Finds request data that reaches a shell or chooses the program to run:

- `os.system`, `os.popen`, `subprocess.getoutput`/`getstatusoutput` and
  `asyncio.create_subprocess_shell`, which all run a shell command line;
- `subprocess.run`/`call`/`check_call`/`check_output`/`Popen` with `shell=True`;
- the program (argv[0]) of a `subprocess` argument list, with or without a shell, and the
  program of `os.exec*`, `os.spawn*`, `os.posix_spawn`, `pty.spawn` and
  `asyncio.create_subprocess_exec`.

Sources are attacker-controlled request data (`request.args`, `form`, `values`,
`json`/`get_json()`, `data`/`get_data()`, `headers`, `cookies`, `files`, URL pieces such as
`path`, `url` and `host`, `environ`, `view_args`, and URL parameters with `string`/`path`
converters) in views, class-based views, error handlers and request hooks, followed through
assignments, string building, containers (dicts, lists, `configparser` stores), helper
functions and other modules.

Sanitised for this rule: `shlex.quote` (and `shlex.join` for a whole argument list), numbers
(`int()`, `float()`, `type=int`, the `int`/`float`/`uuid`/`any(...)` converters) and values
picked from a dict of constants. HTML escaping (`html.escape`, `markupsafe.escape`) does not
clean commands: it leaves `;`, `|` and `$(...)` alone.

Not reported: request data as a later entry of an argument list after a constant program
(`["ping", "-c", "1", host]` without a shell) — injecting options into that program
(a value starting with `-`) is outside this rule; values that constant evaluation keeps out
of the command (a dead branch, a reassignment to a constant).

## Why is this bad?
`os.system`, `os.popen` and `shell=True` hand the string to `/bin/sh`, where `;`, `&&`, `|`,
backticks and `$(...)` start further commands: `host=8.8.8.8;cat /etc/passwd` is enough.
They run as the app's user, with its environment — the secret key, database credentials,
cloud tokens — and its network access. A tainted argv[0] lets the attacker pick the program
itself.

## Example
```python
@app.route("/ping")
def ping():
    host = request.args.get("host", "")
    result = subprocess.run(f"ping -c 1 {host}", shell=True, capture_output=True, text=True)
    return jsonify(output=result.stdout)
```

## Use instead
```python
@app.route("/ping")
def ping():
    host = request.args.get("host", "")
    result = subprocess.run(["ping", "-c", "1", "--", host], capture_output=True, text=True)
    return jsonify(output=result.stdout)
```
If a shell cannot be avoided, quote every value: `f"ping -c 1 {shlex.quote(host)}"`.

## References
- Python docs, `subprocess` — "Security Considerations"; `shlex.quote`
- OWASP OS Command Injection Defense Cheat Sheet
- CWE-78: Improper Neutralization of Special Elements used in an OS Command ('OS Command
  Injection')
"""

from __future__ import annotations

from flaskguard.findings import Confidence, Severity
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import taint_check

META = RuleMeta(
    id="FG303",
    name="command-injection",
    summary="Shell command or program chosen by request data (OS command injection)",
    severity=Severity.CRITICAL,
    confidence=Confidence.HIGH,
    cwe=(78,),
    owasp="A03:2021",
    tags=("injection", "taint", "command", "rce"),
    fixable=False,
    doc=__doc__ or "",
)

RULE = Rule(
    META,
    taint_check(
        META,
        kind="command",
        impact="An attacker can run any command on the server with the app's privileges and "
        "environment.",
        remediation="Run a constant program with an argument list and no shell "
        "(subprocess.run(['ping', '-c', '1', '--', host])); if a shell is unavoidable, quote "
        "each value with shlex.quote.",
    ),
)
