"""## What it does
Finds request data in XPath expressions: lxml `element.xpath(expression)` and
`etree.XPath(expression)`, and the path expressions of ElementTree's `find`, `findall`,
`findtext` and `iterfind`, with the expression built by f-strings, `%`, `.format`, `+` or
`join`.

Sources are attacker-controlled request data (`request.args`, `form`, `values`,
`json`/`get_json()`, `data`/`get_data()`, `headers`, `cookies`, `files`, URL pieces such as
`path`, `url` and `host`, `environ`, `view_args`, and URL parameters with `string`/`path`
converters) in views, class-based views, error handlers and request hooks, followed through
assignments, string building, containers, helper functions and other modules.

Sanitised for this rule: values passed as XPath variables
(`root.xpath("//book[author=$author]", author=name)`), and numbers (`int()`, `float()`,
`type=int`, the `int`/`float`/`uuid`/`any(...)` converters).

Not reported: constant expressions, and values that constant evaluation keeps out of the
expression (a dead branch, a reassignment to a constant).

## Why is this bad?
XPath 1.0 has no way to escape a quote inside a string literal, so a value like
`' or '1'='1` closes the literal and makes the predicate true for every node: a lookup returns
all records, and a check against an XML user store passes without the right password. With
`|` and other paths the query reads nodes the page was never meant to show. ElementTree's
smaller path language has no `or`, but a quote and `]` still move the query to other
elements.

## Example
```python
@app.route("/books/<author>")
def books(author):
    titles = CATALOG.xpath(f"//book[author='{author}']/title/text()")
    return jsonify(titles=[str(t) for t in titles])
```

## Use instead
```python
@app.route("/books/<author>")
def books(author):
    titles = CATALOG.xpath("//book[author=$author]/title/text()", author=author)
    return jsonify(titles=[str(t) for t in titles])
```
With ElementTree, select with a constant path and compare values in Python
(`[b for b in root.iter("book") if b.get("sku") == sku]`).

## References
- lxml docs, "XPath and XSLT with lxml" (XPath variables)
- OWASP, "XPATH Injection"
- CWE-643: Improper Neutralization of Data within XPath Expressions ('XPath Injection')
"""

from __future__ import annotations

from flaskguard.findings import Confidence, Severity
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import taint_check

META = RuleMeta(
    id="FG311",
    name="xpath-injection",
    summary="XPath expression built from request data",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    cwe=(643,),
    owasp="A03:2021",
    tags=("injection", "taint", "xpath", "xml"),
    fixable=False,
    doc=__doc__ or "",
)

RULE = Rule(
    META,
    taint_check(
        META,
        kind="xpath",
        impact="An attacker can change the query to return XML nodes they should not see or "
        "to make checks against the XML data succeed.",
        remediation="Pass values as XPath variables (root.xpath('//book[author=$author]', "
        "author=value)); with ElementTree, use a constant path and compare values in Python.",
    ),
)
