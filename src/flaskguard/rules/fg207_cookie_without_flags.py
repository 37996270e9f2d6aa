"""## What it does
Finds `set_cookie(...)` (and `set_signed_cookie(...)`) calls on Flask/Werkzeug responses
that leave out a protection: `secure=True` missing or false, `httponly=True` missing or
false, `samesite` missing or `None`. One finding per call lists what is missing; flag values
computed from constants are evaluated (`secure=COOKIE_SECURE` with `COOKIE_SECURE = False`
counts as false), while values that cannot be decided statically
(`secure=current_app.config["SESSION_COOKIE_SECURE"]`) are not counted as missing — a call
whose only gaps are undecidable is not reported.

The receiver must be a response: the result of `make_response(...)`, `Response(...)`,
`redirect(...)`, `jsonify(...)`, `send_file(...)`, `app.make_response(...)`, or the response
parameter of an `after_request` / `after_app_request` / `after_this_request` function. A
receiver that cannot be resolved at all but is a local named like a response (`resp`,
`response`, `res`, `rv`, `r`) is accepted with medium confidence; anything that resolves to
another object (a `requests` cookie jar, a test client) is not a response. Test code,
examples and migrations are not reported. A cookie whose constant name says nothing of a
session, token or identity (`theme`, `sort`, `lang`) is reported at low severity. A
double-submit CSRF cookie (`csrf_token`, `XSRF-TOKEN`) is not asked for `httponly`: the page's
JavaScript has to read it.

## Why is this bad?
Flask's `set_cookie` defaults are the unsafe ones: no `Secure` (the cookie also travels over
plain HTTP and can be read on the network), no `HttpOnly` (JavaScript — and any XSS payload —
can read it), no `SameSite` (browsers attach it to requests started by other sites). Cookies
set by hand often carry tokens or identifiers worth stealing.

## Example
```python
resp = make_response("ok")
resp.set_cookie("auth_token", token)
```

## Use instead
```python
resp.set_cookie("auth_token", token, secure=True, httponly=True, samesite="Lax")
```
The unsafe fix adds the missing keywords (and replaces explicit `False`/`None` values).

## References
- Flask docs, "Security Considerations: Set-Cookie options"
- CWE-614: Sensitive Cookie in HTTPS Session Without 'Secure' Attribute
- CWE-1004: Sensitive Cookie Without 'HttpOnly' Flag
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Optional

from flaskguard.analysis.codecontext import code_kind
from flaskguard.analysis.constants import NOT_CONSTANT
from flaskguard.analysis.purpose import identifier_words
from flaskguard.analysis.secrets import SecretsAnalysis, secrets_analysis
from flaskguard.facts import ir
from flaskguard.facts.module import CallSite
from flaskguard.findings import Confidence, Finding, Severity
from flaskguard.fixes import SetKeywordsPlan
from flaskguard.knowledge.secrets import (
    COOKIE_FLAG_POSITIONS,
    COOKIE_METHODS,
    RESPONSE_CLASSES,
    RESPONSE_FACTORIES,
    RESPONSE_HOOKS,
    RESPONSE_METHODS,
    RESPONSE_NAMES,
)
from flaskguard.model.objects import ExtRef, FuncRef, Instance, canonical
from flaskguard.model.project import (
    ExprBinding,
    Frame,
    ParameterBinding,
    Project,
    site_frame,
)
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import finding

META = RuleMeta(
    id="FG207",
    name="cookie-without-flags",
    summary="Cookie set without Secure, HttpOnly or SameSite",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    cwe=(614, 1004),
    owasp="A05:2021",
    tags=("cookies",),
    fixable=True,
    doc=__doc__ or "",
)

REMEDIATION = 'Pass `secure=True, httponly=True, samesite="Lax"` (or "Strict") to `set_cookie`.'
SAFE_VALUES = {"secure": "True", "httponly": "True", "samesite": '"Lax"'}
EFFECTS = {
    "secure": "it also travels over plain HTTP, where anyone on the network path can read it",
    "httponly": "JavaScript on the page, and so any XSS payload, can read it",
    "samesite": "browsers attach it to requests started by other sites",
}


def check(project: Project) -> Iterator[Finding]:
    analysis = secrets_analysis(project)
    hooks = _hook_functions(project, analysis)
    for path, site in project.calls_of_attribute(*COOKIE_METHODS):
        if code_kind(project, path) is not None:
            continue
        func = site.call.func
        assert isinstance(func, ir.Attr)
        frame = site_frame(Frame(path, site.scope), site)
        receiver = _receiver(analysis, func.value, frame, hooks)
        if receiver is None:
            continue
        found = _finding(analysis, path, site, frame, func.attr, receiver)
        if found is not None:
            yield found


SENSITIVE_COOKIE_WORDS = frozenset(
    {
        "session",
        "sess",
        "sid",
        "token",
        "auth",
        "jwt",
        "remember",
        "login",
        "user",
        "uid",
        "id",
        "key",
        "secret",
        "csrf",
        "xsrf",
        "access",
        "refresh",
        "api",
        "identity",
        "account",
    }
)


def _finding(
    analysis: SecretsAnalysis,
    path: str,
    site: CallSite,
    frame: Frame,
    method: str,
    receiver_confidence: Confidence,
) -> Optional[Finding]:
    call = site.call
    problems: list[tuple[str, str]] = []  # (flag, what the call does about it)
    undecided = False
    name_expr = call.argument(0, "key")
    name = analysis.value(name_expr, frame)[0] if name_expr is not None else None
    # A double-submit CSRF cookie must be readable by the page's JavaScript.
    double_submit = isinstance(name, str) and bool(set(identifier_words(name)) & {"csrf", "xsrf"})
    for flag, position in COOKIE_FLAG_POSITIONS.items():
        if flag == "httponly" and double_submit:
            continue
        expr = call.argument(position if method == "set_cookie" else None, flag)
        if expr is None:
            if call.has_star_kwargs:
                undecided = True
            else:
                problems.append((flag, f"no {flag}"))
            continue
        value = analysis.value(expr, frame)[0]
        if value is NOT_CONSTANT:
            undecided = True
        elif not value:
            # The string ``samesite="None"`` is truthy: a deliberate cross-site cookie, unsafe
            # only without Secure, which is reported on its own.
            problems.append((flag, f"{flag}={value!r}"))
    if not problems:
        return None
    cookie = f'the cookie "{name}"' if isinstance(name, str) else "a cookie"
    listed = ", ".join(text for _, text in problems)
    effects = "; ".join(EFFECTS[flag] for flag, _ in problems)
    plan = SetKeywordsPlan(
        call.loc.line,
        call.loc.col,
        tuple(
            (
                flag,
                COOKIE_FLAG_POSITIONS[flag] if method == "set_cookie" else None,
                SAFE_VALUES[flag],
            )
            for flag, _ in problems
        ),
        "Set " + ", ".join(f"{flag}={SAFE_VALUES[flag]}" for flag, _ in problems) + ".",
    )
    confidence = Confidence.MEDIUM if undecided else receiver_confidence
    # A cookie named for a display preference (``theme``, ``sort``) is worth little to an
    # attacker; one named for a session, token or identity is the point of the rule.
    preference = isinstance(name, str) and not set(identifier_words(name)) & SENSITIVE_COOKIE_WORDS
    return finding(
        META,
        path=path,
        loc=call.loc,
        message=f"`{method}` sets {cookie} with {listed}: {effects}.",
        remediation=REMEDIATION,
        severity=Severity.LOW if preference else None,
        confidence=confidence,
        scope=site.scope,
        code=site.statement.code,
        anchors=[(path, site.statement.first_line)],
        fix_plan=plan,
    )


def _receiver(
    analysis: SecretsAnalysis, expr: ir.Expr, frame: Frame, hooks: set[tuple[str, str]]
) -> Optional[Confidence]:
    """How sure it is that ``expr`` is an HTTP response (None: it is not one)."""
    values = analysis.resolver.infer(expr, frame)
    for value in values:
        if isinstance(value, Instance) and _is_response(analysis, value):
            return Confidence.HIGH
    if values:
        return None
    if not isinstance(expr, ir.Name):
        return None
    for binding in analysis.project.lookup(frame, expr.id):
        if isinstance(binding, ParameterBinding):
            if binding.index == 0 and (binding.module, binding.function.qualname) in hooks:
                return Confidence.HIGH
        elif isinstance(binding, ExprBinding):
            value_expr = binding.expr
            if (
                isinstance(value_expr, ir.Call)
                and isinstance(value_expr.func, ir.Attr)
                and value_expr.func.attr in RESPONSE_METHODS
            ):
                return Confidence.HIGH
    return Confidence.MEDIUM if expr.id in RESPONSE_NAMES else None


def _is_response(analysis: SecretsAnalysis, value: Instance) -> bool:
    if isinstance(value.cls, str):
        return canonical(value.cls) in RESPONSE_FACTORIES
    return any(analysis.resolver.class_is(value.cls, name) for name in RESPONSE_CLASSES)


def _hook_functions(project: Project, analysis: SecretsAnalysis) -> set[tuple[str, str]]:
    """(module, qualname) of functions that receive the response: decorated with, or passed
    to, ``after_request``/``after_app_request``/``after_this_request``."""
    hooks: set[tuple[str, str]] = set()
    for module in project.modules:
        for function in project.decorated_functions(module):
            frame = Frame(module.path, function.scope)
            for decorator in function.decorators:
                target = decorator.func if isinstance(decorator, ir.Call) else decorator
                if _is_hook(analysis, target, frame):
                    hooks.add((module.path, function.qualname))
    for path, site in project.calls_named(*RESPONSE_HOOKS):
        func = site.call.func
        if not (site.call.args and _is_hook(analysis, func, Frame(path, site.scope))):
            continue
        frame = site_frame(Frame(path, site.scope), site)
        for value in analysis.resolver.infer(site.call.args[0], frame):
            if isinstance(value, FuncRef):
                hooks.add((value.module, value.qualname))
    return hooks


def _is_hook(analysis: SecretsAnalysis, expr: ir.Expr, frame: Frame) -> bool:
    # Hooks have fixed names (``app.after_request``, ``after_this_request``): checking the
    # name first keeps inference off the project's other calls and decorators.
    if isinstance(expr, ir.Attr):
        return expr.attr in RESPONSE_HOOKS
    if not (isinstance(expr, ir.Name) and expr.id in RESPONSE_HOOKS):
        return False
    return any(
        isinstance(v, ExtRef) and v.name.startswith("flask.")
        for v in analysis.resolver.infer(expr, frame)
    )


RULE = Rule(META, check)
