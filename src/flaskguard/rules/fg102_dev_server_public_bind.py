"""## What it does
Finds a development-server call that does *not* run at import (it is under a `__main__`
guard, or in a function only called from one) but binds every interface: `host="0.0.0.0"`,
`"::"`, an environment default such as `os.environ.get("HOST", "0.0.0.0")`, or a callee that
binds all interfaces by default (`aiohttp.web.run_app` with no host; `run_simple("", ...)`).
Flask's `run` turns an empty host into `127.0.0.1`, so `app.run(host="")` is not flagged.
The unguarded case is reported by FG100. Test code (a fake SMTP or webhook server under
`tests/`) is not reported.

## Why is this bad?
The development server is single-threaded, unhardened, and often runs with debug on. Bound
to all interfaces, anyone on the same network (a café, a shared office, a cloud VPC) can
reach it — and with debug on, the Werkzeug debugger.

## Example
```python
if __name__ == "__main__":
    app.run(host="0.0.0.0")
```

## Use instead
```python
if __name__ == "__main__":
    app.run()  # 127.0.0.1
```
Use `flask run --host 0.0.0.0` explicitly, for the moment you need it.

## References
- CWE-1327: Binding to an Unrestricted IP Address
"""

from __future__ import annotations

from collections.abc import Iterator

from flaskguard.analysis.codecontext import is_test_path
from flaskguard.analysis.context import Reach
from flaskguard.analysis.devserver import analysis_for, dev_server_uses
from flaskguard.facts import ir
from flaskguard.findings import Confidence, Finding, Severity
from flaskguard.fixes import ReplaceKeywordPlan
from flaskguard.model.project import Project
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import finding

META = RuleMeta(
    id="FG102",
    name="dev-server-public-bind",
    summary="Development server bound to all interfaces",
    severity=Severity.LOW,
    confidence=Confidence.HIGH,
    cwe=(1327, 668),
    owasp="A05:2021",
    tags=("dev-server", "network"),
    fixable=True,
    doc=__doc__ or "",
)


def check(project: Project) -> Iterator[Finding]:
    analysis = analysis_for(project)
    for use in dev_server_uses(project):
        if use.import_reach != Reach.NO or analysis.is_dead(use):
            continue
        # A guarded dev server in test code is a test fixture, not a deployment.
        if is_test_path(project, use.call.module):
            continue
        settings = analysis.settings(use, use.main_frame)
        if settings.public is not True:
            continue
        host = settings.host
        shown = host.value if isinstance(host.value, str) and host.value else "all interfaces"
        message = (
            f"{use.call.spec.display}() binds {shown} ({host.source}): the development server "
            "is reachable from every machine that can reach this one"
            + (", with debug on" if settings.debug.value is True else "")
            + "."
        )
        host_keyword = (
            use.call.call.keyword(use.call.spec.host.name) if use.call.spec.host else None
        )
        literal = (
            isinstance(host_keyword, ir.Const)
            and host_keyword.value in ("0.0.0.0", "::")
            and not use.call.via_thread
        )
        plan = (
            ReplaceKeywordPlan(
                use.call.site.call.loc.line,
                use.call.site.call.loc.col,
                use.call.spec.host.name if use.call.spec.host else "host",
                '"127.0.0.1"',
                'Bind the development server to "127.0.0.1".',
            )
            if literal
            else None
        )
        yield finding(
            META,
            path=use.call.module,
            fix_plan=plan,
            fix_unavailable_reason=None
            if literal
            else "The host is not a literal keyword argument.",
            loc=use.call.site.call.loc,
            message=message,
            remediation="Bind the development server to 127.0.0.1 (the default) and pass "
            "`--host` on the command line only when you need it.",
            scope=use.call.site.scope,
            code=use.call.site.statement.code,
            anchors=[(use.call.module, use.call.site.statement.first_line)],
        )


RULE = Rule(META, check)
