"""## What it does
Finds request data used as the URL of a request the server makes: `requests` functions and
`Session` methods, `httpx` functions and clients, `urllib.request.urlopen`, `urllib3`
`PoolManager.request`, and `aiohttp.ClientSession` methods, in sync and async views.

Sources are attacker-controlled request data (`request.args`, `form`, `values`,
`json`/`get_json()`, `data`/`get_data()`, `headers`, `cookies`, `files`, URL pieces such as
`path`, `url` and `host`, `environ`, `view_args`, and URL parameters with `string`/`path`
converters) in views, class-based views, error handlers and request hooks, followed through
assignments, string building, containers, object attributes, helper functions and other
modules. `request.host` counts: it comes from the client's `Host` header.

Sanitised for this rule: a host allowlist (`if host not in ALLOWED_HOSTS: abort(400)`), a
`urlparse(url).netloc` comparison that aborts on a mismatch, the same check in an
`is_safe_url`-style helper used as a guard, and numbers (`int()`, `float()`, `type=int`, the
`int`/`float`/`uuid`/`any(...)` converters).

Not reported: request data sent only as `params=` or `json=` of a request to a constant URL;
values that constant evaluation keeps out of the URL (a dead branch, a reassignment, a loop
that rebinds the variable to constants).

## Why is this bad?
The request leaves from the server, inside its network. On cloud hosts that still allow
IMDSv1, `http://169.254.169.254/latest/meta-data/iam/security-credentials/` returns the
instance's credentials; `http://localhost:...` and internal host names reach admin panels,
databases, metrics endpoints and APIs that trust the network; `urlopen` also follows
`file://` URLs and reads local files. When the response is shown, the attacker reads it
directly; when it is not, status codes and timing still map the internal network.

## Example
```python
@app.route("/feeds")
def feed():
    url = request.args["url"]
    return jsonify(requests.get(url, timeout=5).json())
```

## Use instead
```python
ALLOWED_FEEDS = {"status.example.com", "blog.example.com"}

@app.route("/feeds")
def feed():
    host = request.args.get("host", "status.example.com")
    if host not in ALLOWED_FEEDS:
        abort(400)
    return jsonify(requests.get(f"https://{host}/feed.json", timeout=5).json())
```
If arbitrary URLs are a feature (webhooks, previews), resolve the host, refuse private,
loopback and link-local addresses, and turn off redirects or check each hop again.

## References
- OWASP Server-Side Request Forgery Prevention Cheat Sheet
- AWS docs, "Use IMDSv2"
- CWE-918: Server-Side Request Forgery (SSRF)
"""

from __future__ import annotations

from flaskguard.findings import Confidence, Severity
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import taint_check

META = RuleMeta(
    id="FG307",
    name="ssrf",
    summary="Server-side request to a URL taken from request data (SSRF)",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=(918,),
    owasp="A10:2021",
    tags=("taint", "ssrf", "network"),
    fixable=False,
    doc=__doc__ or "",
)

RULE = Rule(
    META,
    taint_check(
        META,
        kind="ssrf",
        impact="An attacker can make the server call internal services or cloud metadata "
        "endpoints and read or act on what they return.",
        remediation="Only request hosts from a fixed allowlist (check urlparse(url).hostname or "
        "netloc and abort otherwise); for user-supplied URLs also block private and "
        "link-local addresses and disable redirects.",
    ),
)
