"""## What it does
Finds Flask-CORS configured to accept credentials from any origin: `supports_credentials=True`
(or `CORS_SUPPORTS_CREDENTIALS = True`) together with origins left at the default `*`, set
to `"*"`, to `r".*"`, or to a permissive regular expression — one with `.*`/`.+` in the host
(`https://.*example.com` also matches `https://attacker-example.com`) or without a closing
`$` (`https://app\\.example\\.com` also matches `https://app.example.com.evil.net`).
`CORS(app, ...)`, `cors.init_app(app, ...)`, per-resource options (`resources={...}`) and
`@cross_origin(...)` are all read; values are decided by constant evaluation.

## Why is this bad?
Flask-CORS does not send `Access-Control-Allow-Origin: *` for a wildcard (its
`send_wildcard` default is False): it echoes the request's `Origin`. With credentials
allowed, every website gets `Access-Control-Allow-Origin: <its own origin>` and
`Access-Control-Allow-Credentials: true`, so its scripts can read any authenticated
response of the app — account data, CSRF tokens, API keys — in the victim's browser.

## Example
```python
CORS(app, supports_credentials=True)
```

## Use instead
```python
CORS(app, origins=["https://app.example.com"], supports_credentials=True)
```

## References
- flask-cors `DEFAULT_OPTIONS`, `get_cors_origins`
- CWE-942: Permissive Cross-domain Policy with Untrusted Domains
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Optional

from flaskguard.analysis.codecontext import is_production_path
from flaskguard.facts import ir
from flaskguard.facts.module import CallSite
from flaskguard.findings import Confidence, Finding, Severity
from flaskguard.model.apps import FlaskModel, debug_guarded, flask_model
from flaskguard.model.project import Frame, Project
from flaskguard.model.settings import config_model
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import finding

META = RuleMeta(
    id="FG505",
    name="cors-credentials-any-origin",
    summary="CORS allows credentials from any origin",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=(942,),
    owasp="A05:2021",
    tags=("cors",),
    fixable=False,
    doc=__doc__ or "",
)

_REGEX_CHARS = re.compile(r"[\\*?\[\]()^$+|]")


def permissive_origin(origin: object) -> Optional[str]:
    """Why an origin setting lets any site in, or None when it names sites precisely."""
    if isinstance(origin, (list, tuple, set, frozenset)):
        for item in origin:
            reason = permissive_origin(item)
            if reason:
                return reason
        return None
    if not isinstance(origin, str):
        return None
    if origin.strip() in ("*", ".*", "^.*$", ".+", "^.+$"):
        return f"origins {origin!r} matches every site"
    if not _REGEX_CHARS.search(origin):
        return None  # flask-cors compares plain strings exactly
    host = origin.split("://", 1)[-1]
    if ".*" in host or ".+" in host:
        return f"the pattern {origin!r} matches look-alike hosts (e.g. attacker-{_sample(origin)})"
    if not origin.endswith("$"):
        return f"the pattern {origin!r} has no closing `$`, so any host that starts with it matches"
    return None


def _sample(origin: str) -> str:
    host = origin.split("://", 1)[-1]
    cleaned = re.sub(r"\.\*|\.\+|[\\^$]", "", host)
    return cleaned.lstrip(".") or "example.com"


def check(project: Project) -> Iterator[Finding]:
    model = flask_model(project)
    config = config_model(project)
    credentials_by_config = any(
        model.evaluator.evaluate(s.value, s.frame).value is True
        for s in config.in_production("CORS_SUPPORTS_CREDENTIALS")
    )
    config_origins = [
        model.evaluator.evaluate(s.value, s.frame).value
        for s in config.in_production("CORS_ORIGINS")
    ]
    for extension in model.extensions_of("cors"):
        options = {key: (expr, frame) for key, expr, frame, _, _ in extension.options}
        sites = [(path, site) for _, _, _, path, site in extension.options] or [
            (extension.path, extension.site)
        ]
        path, site = sites[-1]
        if not is_production_path(project, path) or debug_guarded(site.guards):
            continue
        credentials = _value(model, options.get("supports_credentials"))
        if credentials is None and credentials_by_config:
            credentials = True
        if credentials is not True:
            continue
        origins: object = "*"
        if "origins" in options:
            origins = _value(model, options["origins"])
        elif config_origins:
            origins = config_origins[-1]
        resources = _value(model, options.get("resources"))
        if isinstance(resources, dict) and resources:
            # Per-resource options override the app-wide ones for their URLs.
            reason = None
            for resource_options in resources.values():
                scoped = origins
                if isinstance(resource_options, dict) and "origins" in resource_options:
                    scoped = resource_options["origins"]
                reason = permissive_origin(scoped)
                if reason:
                    break
        else:
            reason = permissive_origin(origins)
        if reason is None:
            continue
        yield _finding(path, site, reason)
    for path, site, frame in model.resolver.calls_to({"flask_cors.cross_origin"}):
        if not is_production_path(project, path) or debug_guarded(site.guards):
            continue
        if _value(model, (site.call.keyword("supports_credentials"), frame)) is not True:
            continue
        origins_expr = site.call.argument(0, "origins")
        origins = _value(model, (origins_expr, frame)) if origins_expr is not None else "*"
        reason = permissive_origin(origins)
        if reason:
            yield _finding(path, site, reason)


def _value(model: FlaskModel, option: Optional[tuple[Optional[ir.Expr], Frame]]) -> object:
    if option is None or option[0] is None:
        return None
    return model.constant(option[0], option[1])


def _finding(path: str, site: CallSite, reason: str) -> Finding:
    return finding(
        META,
        path=path,
        loc=site.call.loc,
        message=f"CORS allows credentials and {reason}: Flask-CORS echoes the requesting "
        "origin, so any website can read this app's authenticated responses in a logged-in "
        "user's browser.",
        remediation="List the exact origins that may call the API "
        '(`origins=["https://app.example.com"]`), or drop `supports_credentials`.',
        scope=site.scope,
        code=site.statement.code,
        anchors=[(path, site.statement.first_line)],
    )


RULE = Rule(META, check)
