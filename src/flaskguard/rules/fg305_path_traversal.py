"""## What it does
Finds request data in the path of a file operation:

- `open`, `codecs.open`, file functions of `os` and `shutil` such as `os.remove` and
  `shutil.copyfile`, `tarfile.open`, `zipfile.ZipFile`, and `pathlib.Path` methods such as
  `read_text`, `write_bytes` and `open`;
- `flask.send_file(path)` and the *directory* argument of `send_from_directory`;
- `FileStorage.save(path)`, for example with the upload's own `.filename`.

The path is followed through `os.path.join`, `Path(...) / part`, string building, helpers
and other modules; the finding is on the file operation. Sources are attacker-controlled
request data (`request.args`, `form`, `values`, `json`/`get_json()`, `data`/`get_data()`,
`headers`, `cookies`, `files`, URL pieces such as `path`, `url` and `host`, `environ`,
`view_args`, and URL parameters with `string`/`path` converters) in views, class-based views,
error handlers and request hooks.

Sanitised for this rule: `werkzeug.utils.secure_filename`, `werkzeug.security.safe_join`
followed by a `None` check that aborts, `os.path.basename` (only the last component is kept),
and numbers (`int()`, `float()`, `type=int`, the `int`/`float`/`uuid`/`any(...)` converters).
HTML escaping does not clean paths.

Not reported: `send_from_directory(CONSTANT_DIR, name)` with a tainted `name` — it joins with
`safe_join` and answers 404 when the path would leave the directory; a helper that opens its
parameter when every caller passes a constant; values that constant evaluation keeps out of
the path (a dead branch, a reassignment to a constant).

## Why is this bad?
`..` segments walk out of the intended directory, and `os.path.join(base, "/etc/passwd")`
drops `base` altogether because the second part is absolute. The `path` converter accepts
`/`; the default `string` converter still accepts `..`. Reading gives the attacker the app's
source, `.env` files, `/proc/self/environ` and the `SECRET_KEY` (with which session cookies
can be forged); writing (`FileStorage.save`, `open(..., "w")`) overwrites templates (then
SSTI), static JavaScript or other app files; `os.remove` deletes them.

## Example
```python
@app.route("/docs/<path:filename>")
def docs(filename):
    return send_file(os.path.join(DOCS_DIR, filename))
```

## Use instead
```python
@app.route("/docs/<path:filename>")
def docs(filename):
    return send_from_directory(DOCS_DIR, filename)
```
For uploads, store under a configured folder with a cleaned name (and reject an empty one):
```python
name = secure_filename(upload.filename or "")
if not name:
    abort(400)
upload.save(os.path.join(app.config["UPLOAD_FOLDER"], name))
```

## References
- Flask docs, "Uploading Files" (`secure_filename`); `send_from_directory`
- Werkzeug docs, `werkzeug.security.safe_join`
- OWASP, "Path Traversal"
- CWE-22: Improper Limitation of a Pathname to a Restricted Directory ('Path Traversal')
"""

from __future__ import annotations

from flaskguard.findings import Confidence, Severity
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import taint_check

META = RuleMeta(
    id="FG305",
    name="path-traversal",
    summary="File path built from request data (path traversal)",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=(22,),
    owasp="A01:2021",
    tags=("taint", "path-traversal", "files"),
    fixable=False,
    doc=__doc__ or "",
)

RULE = Rule(
    META,
    taint_check(
        META,
        kind="path",
        impact="An attacker can read, overwrite or delete files outside the intended "
        "directory, such as the app's source, .env files and the secret key.",
        remediation="Serve files with send_from_directory(CONSTANT_DIR, name), build other "
        "paths with werkzeug.security.safe_join and abort when it returns None, and pass "
        "upload names through werkzeug.utils.secure_filename.",
    ),
)
