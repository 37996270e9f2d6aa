"""## What it does
Finds request data in LDAP search filters: ldap3 `Connection.search(base, search_filter)` and
python-ldap `search`/`search_s`/`search_ext`/`search_ext_s` (the `filterstr` argument), with
the filter built by f-strings, `%`, `.format`, `+` or `join`.

Sources are attacker-controlled request data (`request.args`, `form`, `values`,
`json`/`get_json()`, `data`/`get_data()`, `headers`, `cookies`, `files`, URL pieces such as
`path`, `url` and `host`, `environ`, `view_args`, and URL parameters with `string`/`path`
converters) in views, class-based views, error handlers and request hooks, followed through
assignments, string building, containers, generators, helper functions and other modules.

Sanitised for this rule: `escape_filter_chars` from `ldap3.utils.conv` or `ldap.filter` (RFC
4515 escaping of `*`, `(`, `)`, the backslash and NUL), python-ldap's `filter_format` and
`ldap.dn.escape_dn_chars`, and numbers (`int()`, `float()`, `type=int`, the
`int`/`float`/`uuid`/`any(...)` converters). HTML escaping does not clean LDAP filters.

Not reported: constant filters, and values that constant evaluation keeps out of the filter
(a dead branch, a reassignment to a constant).

## Why is this bad?
Filters are built from `(`, `)`, `*`, `&` and `|`. A user name of `*` matches every entry,
and `admin)(|(objectClass=*` rewrites the filter's logic. A "find a colleague" page then
lists the whole directory with the attributes the bind account can read (e-mail addresses,
group memberships, phone numbers), and a login that first looks the user up by a filter can
be made to match an account the attacker does not own.

## Example
```python
@app.route("/people")
def people():
    name = request.args.get("name", "")
    conn.search(PEOPLE_DN, f"(&(objectClass=person)(cn={name}))", attributes=["mail"])
    return jsonify([str(entry.mail) for entry in conn.entries])
```

## Use instead
```python
from ldap3.utils.conv import escape_filter_chars

@app.route("/people")
def people():
    name = escape_filter_chars(request.args.get("name", ""))
    conn.search(PEOPLE_DN, f"(&(objectClass=person)(cn={name}))", attributes=["mail"])
    return jsonify([str(entry.mail) for entry in conn.entries])
```
With python-ldap, build filters with `ldap.filter.filter_format` or
`ldap.filter.escape_filter_chars`.

## References
- RFC 4515, "String Representation of Search Filters", section 3
- ldap3 docs, `ldap3.utils.conv.escape_filter_chars`; python-ldap docs, `ldap.filter`
- OWASP LDAP Injection Prevention Cheat Sheet
- CWE-90: Improper Neutralization of Special Elements used in an LDAP Query ('LDAP Injection')
"""

from __future__ import annotations

from flaskguard.findings import Confidence, Severity
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import taint_check

META = RuleMeta(
    id="FG310",
    name="ldap-injection",
    summary="LDAP search filter built from request data",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=(90,),
    owasp="A03:2021",
    tags=("injection", "taint", "ldap"),
    fixable=False,
    doc=__doc__ or "",
)

RULE = Rule(
    META,
    taint_check(
        META,
        kind="ldap",
        impact="An attacker can rewrite the directory search to list other users' entries or "
        "to match accounts they do not own.",
        remediation="Escape every value put into a filter with "
        "ldap3.utils.conv.escape_filter_chars (python-ldap: ldap.filter.filter_format or "
        "escape_filter_chars).",
    ),
)
