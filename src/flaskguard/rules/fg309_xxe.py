"""## What it does
Finds request data parsed as XML by a parser that resolves external entities:

- lxml (`etree.fromstring`, `etree.XML`, `etree.parse`, ...) with a parser created as
  `XMLParser(resolve_entities=True)` or `XMLParser(no_network=False)`, also when the parser
  is a module-level object used from another module;
- lxml's default parser when the project pins or locks lxml older than 5.0 (for example in a
  pip-compile `requirements.txt`): those versions resolve external entities by default;
- an `xml.sax` parser with `feature_external_ges` switched on.

The finding is on the parse call that receives the document, not on the line that
configures the parser. Sources are attacker-controlled request data (`request.args`, `form`,
`values`, `json`/`get_json()`, `data`/`get_data()`, `headers`, `cookies`, `files` (their
`.read()`), URL pieces such as `path`, `url` and `host`, `environ`, `view_args`, and URL
parameters with `string`/`path` converters) in views, class-based views, error handlers and
request hooks, followed through assignments, containers, helper functions and other modules.

Sanitised for this rule: nothing in the document; the parser's configuration decides.

Not reported: the standard library parsers (`xml.etree.ElementTree`, `minidom`, `xml.sax`,
`pulldom`) in their default configuration — they do not fetch external entities (entity
expansion, "billion laughs", is CWE-776 and not this rule); `defusedxml`; lxml with
`resolve_entities=False` and `no_network=True`; lxml's default parser with lxml 5.0 or later.

## Why is this bad?
A document can declare `<!ENTITY x SYSTEM "file:///etc/passwd">` and use `&x;`: a parser that
resolves external entities replaces it with the file's content, which ends up in the parsed
data and often in the response or an error message. The app's source, `.env` files and keys
can be read this way. lxml's `no_network=True` default blocks only network fetches, not local
files; with `no_network=False` the parser also fetches DTDs and entities over the network,
so the same document makes the server request internal URLs (SSRF). Python's own parsers do
not resolve external entities by default (`xml.sax` since 3.7.1), and lxml 5.0 stopped
resolving them by default.

## Example
```python
PARSER = etree.XMLParser(resolve_entities=True)

@app.route("/orders/import", methods=["POST"])
def import_orders():
    root = etree.fromstring(request.get_data(), PARSER)
    return jsonify(count=len(root))
```

## Use instead
```python
PARSER = etree.XMLParser(resolve_entities=False, no_network=True)

@app.route("/orders/import", methods=["POST"])
def import_orders():
    root = etree.fromstring(request.get_data(), PARSER)
    return jsonify(count=len(root))
```
Or parse with `defusedxml.ElementTree.fromstring`, and upgrade lxml to 5.0 or later.

## References
- lxml changelog, 5.0 (external entities no longer resolved by default); lxml FAQ
- Python docs, "XML vulnerabilities"; defusedxml
- OWASP XML External Entity Prevention Cheat Sheet
- CWE-611: Improper Restriction of XML External Entity Reference
"""

from __future__ import annotations

from flaskguard.findings import Confidence, Severity
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import taint_check

META = RuleMeta(
    id="FG309",
    name="xxe",
    summary="Request XML parsed with external entities enabled (XXE)",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=(611,),
    owasp="A05:2021",
    tags=("taint", "xxe", "xml"),
    fixable=False,
    doc=__doc__ or "",
)

RULE = Rule(
    META,
    taint_check(
        META,
        kind="xxe",
        impact="An attacker can make the XML parser read local files such as the app's source, "
        ".env files and keys, or fetch internal URLs.",
        remediation="Parse untrusted XML with defusedxml, or with "
        "lxml.etree.XMLParser(resolve_entities=False, no_network=True); keep SAX's "
        "feature_external_ges off and upgrade lxml to 5.0 or later.",
    ),
)
