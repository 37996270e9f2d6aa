"""## What it does
Finds request data written into response headers: `response.headers[name] = value`,
`response.headers.add(name, value)` and `.set(...)`, and `Response(..., headers={...})`, also
in `after_request` hooks and helpers in other modules. A `Location` header is reported by
FG306 too.

Sources are attacker-controlled request data (`request.args`, `form`, `values`,
`json`/`get_json()`, `data`/`get_data()`, `headers`, `cookies`, `files`, URL pieces such as
`path`, `url` and `host`, `environ`, `view_args`, and URL parameters with `string`/`path`
converters) in views, class-based views, error handlers and request hooks, followed through
assignments, string building, containers, helper functions and other modules.

Sanitised for this rule: `werkzeug.utils.secure_filename`, percent-encoding
(`urllib.parse.quote`, `quote_plus`, `urlencode`), and numbers (`int()`, `float()`,
`type=int`, the `int`/`float`/`uuid`/`any(...)` converters).

Not reported: constant header values (also constant entries of a dict that holds request
data elsewhere), and values that constant evaluation keeps out of the header (a dead branch,
a reassignment to a constant).

## Why is this bad?
Current Werkzeug refuses CR and LF in header values: setting one raises
`ValueError: Header values must not contain newline characters.`, so the request ends in a
500 error rather than a split response. Classic response splitting — an injected
`Set-Cookie` or a second response — needs an old Werkzeug without that check or headers
written outside Werkzeug's `Headers`. What remains on any version is that the attacker
chooses header content: `Content-Disposition: attachment; filename={name}.csv` with
`name=report.bat;` makes the browser save `report.bat` from a trusted site (a reflected file
download), and values in headers such as `Refresh` or `Link` point the browser elsewhere.

## Example
```python
@app.route("/export")
def export_csv():
    name = request.args.get("name", "export")
    resp = make_response(build_csv())
    resp.headers["Content-Disposition"] = f"attachment; filename={name}.csv"
    return resp
```

## Use instead
```python
@app.route("/export")
def export_csv():
    name = secure_filename(request.args.get("name", "")) or "export"
    data = io.BytesIO(build_csv().encode())
    return send_file(data, mimetype="text/csv", as_attachment=True, download_name=f"{name}.csv")
```
`send_file` quotes the download name and encodes non-ASCII names; keep other header values
constant or numeric, or choose them from a fixed set.

## References
- Werkzeug docs, `Headers`; Flask docs, `send_file` (`download_name`)
- OWASP, "HTTP Response Splitting"
- CWE-113: Improper Neutralization of CRLF Sequences in HTTP Headers ('HTTP Request/Response
  Splitting')
"""

from __future__ import annotations

from flaskguard.findings import Confidence, Severity
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import taint_check

META = RuleMeta(
    id="FG312",
    name="header-injection",
    summary="Response header value taken from request data",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    cwe=(113,),
    owasp="A03:2021",
    tags=("injection", "taint", "headers"),
    fixable=False,
    doc=__doc__ or "",
)

RULE = Rule(
    META,
    taint_check(
        META,
        kind="header",
        impact="An attacker can choose what this response header says, for example the name "
        "and extension a download is saved under; an old Werkzeug would also let CR/LF split "
        "the response.",
        remediation="Keep header values constant or numeric, or pick them from a fixed set; "
        "for downloads use send_file(..., download_name=secure_filename(name)), which quotes "
        "the name.",
    ),
)
