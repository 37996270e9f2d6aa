"""## What it does
Finds SQL text built from request data and handed to the database:

- DB-API `execute`, `executemany` and `executescript` on a cursor or connection (`sqlite3`,
  psycopg, PyMySQL, a `get_db()` helper, ...);
- SQLAlchemy `text(...)` and `literal_column(...)`, a raw SQL string given to
  `session.execute`, `engine.execute`, `connection.execute` or `exec_driver_sql`, and a
  string built from request data in `filter`, `where`, `order_by`, `group_by` or `having`;
- `pandas.read_sql` and `pandas.read_sql_query`.

Sources are attacker-controlled request data (`request.args`, `form`, `values`,
`json`/`get_json()`, `data`/`get_data()`, `headers`, `cookies`, `files`, URL pieces such as
`path`, `url` and `host`, `environ`, `view_args`, and URL parameters with `string`/`path`
converters) in views, class-based views, error handlers and request hooks, followed through
assignments, string building (f-strings, `%`, `.format`, `+`, `join`), containers, helper
functions and other modules. The finding is on the call that runs the query.

Sanitised for this rule: values sent as bound parameters (`?`, `%s` or `:name` placeholders
with a separate tuple or dict, `text(...).bindparams(...)`,
`session.execute(text(...), {...})`), numbers (`int()`, `float()`, `type=int`, the
`int`/`float`/`uuid`/`any(...)` converters), and identifiers picked from a dict of constants
(`SORT_COLUMNS.get(sort, "created_at")`). HTML escaping (`html.escape`, `markupsafe.escape`)
does not clean SQL.

Not reported: parameterised queries and ORM expressions, and values that constant
evaluation keeps out of the query (a dead branch, a reassignment to a constant).

## Why is this bad?
The database runs whatever the string says. `' OR '1'='1` turns a lookup into "every row",
`UNION SELECT` reads other tables (password hashes, API keys, session tokens), and where the
driver accepts several statements (`executescript`, psycopg2) `'; DROP TABLE users; --`
runs a second one. A login query built this way is passed without a password. `ORDER BY`
columns cannot be bound as parameters, so they are the spot most often left raw; boolean
and time-based payloads there still extract the database one bit at a time.

## Example
```python
@app.route("/users")
def users():
    name = request.args.get("name", "")
    rows = get_db().execute(f"SELECT id, email FROM users WHERE name = '{name}'").fetchall()
    return jsonify([dict(row) for row in rows])
```

## Use instead
```python
@app.route("/users")
def users():
    name = request.args.get("name", "")
    rows = get_db().execute("SELECT id, email FROM users WHERE name = ?", (name,)).fetchall()
    return jsonify([dict(row) for row in rows])
```
For SQLAlchemy use `text("... WHERE name = :name").bindparams(name=name)` or ORM
expressions, and choose `ORDER BY` columns from a fixed mapping:
```python
SORT_COLUMNS = {"new": "created_at DESC", "title": "title"}
posts = Post.query.order_by(text(SORT_COLUMNS.get(sort, "created_at DESC"))).all()
```

## References
- OWASP SQL Injection Prevention Cheat Sheet
- Python docs, `sqlite3` — "How to use placeholders to bind values in SQL queries"
- SQLAlchemy docs, "Using Textual SQL" (`text()` and bound parameters)
- CWE-89: Improper Neutralization of Special Elements used in an SQL Command ('SQL Injection')
"""

from __future__ import annotations

from flaskguard.findings import Confidence, Severity
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import taint_check

META = RuleMeta(
    id="FG300",
    name="sql-injection",
    summary="SQL query built from request data",
    severity=Severity.CRITICAL,
    confidence=Confidence.HIGH,
    cwe=(89,),
    owasp="A03:2021",
    tags=("injection", "taint", "sql"),
    fixable=False,
    doc=__doc__ or "",
)

RULE = Rule(
    META,
    taint_check(
        META,
        kind="sql",
        impact="An attacker can read or change any data the app's database account can reach "
        "and get past logins that rely on the query.",
        remediation="Pass values as bound parameters (cursor.execute('... WHERE id = ?', "
        "(value,)), text('... :id').bindparams(id=value)) and pick identifiers such as "
        "ORDER BY columns from a fixed mapping.",
    ),
)
