"""## What it does
Finds HTTPS clients told not to verify the server's certificate:

- `verify=False` on `requests.get/post/...`, `requests.Session` methods, `httpx.get/...`,
  `httpx.Client`/`AsyncClient`/transports, `boto3.client`, `hvac.Client`;
  `session.verify = False` on a `requests.Session`;
- aiohttp `ssl=False` / `verify_ssl=False` (session methods, `aiohttp.request`,
  `TCPConnector`);
- urllib3 `PoolManager`/`ProxyManager`/`HTTPSConnectionPool(cert_reqs="CERT_NONE")` or
  `assert_hostname=False`; `Elasticsearch(verify_certs=False)`,
  `MongoClient(tlsAllowInvalidCertificates=True)`;
- `ssl._create_unverified_context()`, `ctx.verify_mode = ssl.CERT_NONE`,
  `ctx.check_hostname = False`, and `ssl._create_default_https_context =
  ssl._create_unverified_context` (which switches verification off for the whole process).

Values are decided by constant evaluation: `verify=VERIFY_SSL` with `VERIFY_SSL = False` in
a settings module, `verify=os.environ.get("VERIFY_SSL", False)` (off unless the variable is
set), and a wrapper's parameter default (`def fetch(url, verify=False)`). Request methods on
an object the analysis cannot identify (a session bound by `with requests.Session() as s`, a
client wrapper) are reported with medium confidence when they pass `verify=False`,
`ssl=False` or `verify_ssl=False`. Not reported: `verify=True`, a CA bundle path
(`verify="/etc/ssl/ca.pem"`), an SSL context, values that cannot be decided, test, example
and migration code.

## Why is this bad?
Without certificate verification TLS still encrypts, but to whoever answers: anyone on the
network path (a proxy, a shared Wi-Fi, a compromised router or DNS resolver) can present
their own certificate, read the traffic, change responses, and collect the credentials and
tokens the app sends to the API. Disabling the host-name check alone lets any valid
certificate — for the attacker's own domain — impersonate the server.

## Example
```python
requests.post(PAYMENT_API, json=payload, headers=auth, verify=False)
```

## Use instead
```python
requests.post(PAYMENT_API, json=payload, headers=auth)  # verifies by default
requests.post(INTERNAL_API, json=payload, verify="/etc/ssl/internal-ca.pem")
```

## References
- requests docs, "SSL Cert Verification"
- Python docs, `ssl` — "Security considerations"
- CWE-295: Improper Certificate Validation
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Optional

from flaskguard.analysis.codecontext import is_production_path
from flaskguard.analysis.constants import NOT_CONSTANT
from flaskguard.analysis.devserver import DevServerAnalysis, analysis_for
from flaskguard.analysis.purpose import is_dead, loc_contains, render, resolved_names
from flaskguard.facts import ir
from flaskguard.facts.module import Assignment, CallSite, ModuleFacts
from flaskguard.findings import Confidence, Finding, Severity
from flaskguard.knowledge import crypto
from flaskguard.model.objects import Instance, canonical
from flaskguard.model.project import Frame, ParameterBinding, Project, site_frame
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import finding

META = RuleMeta(
    id="FG602",
    name="tls-verification-disabled",
    summary="TLS certificate verification disabled",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=(295,),
    owasp="A07:2021",
    tags=("crypto", "tls"),
    fixable=False,
    doc=__doc__ or "",
)

_IMPACT = (
    "anyone on the network path (a proxy, shared Wi-Fi, a compromised router or DNS) can "
    "impersonate the server, read and change the traffic, and collect the credentials and "
    "tokens sent with it."
)
_REMEDIATIONS = {
    "verify": "Remove verify=False: requests and httpx verify against a CA bundle by default; "
    "for a private CA pass verify='/path/to/ca-bundle.pem' (or set REQUESTS_CA_BUNDLE / "
    "SSL_CERT_FILE).",
    "ssl": "Remove ssl=False; for a private CA pass "
    "ssl=ssl.create_default_context(cafile='/path/to/ca.pem').",
    "cert_reqs": "Keep cert_reqs='CERT_REQUIRED' (the default) and point ca_certs at your CA "
    "bundle (e.g. certifi.where()).",
    "context": "Use ssl.create_default_context() (optionally with cafile= for a private CA) "
    "and keep check_hostname=True and verify_mode=ssl.CERT_REQUIRED.",
}
_REMEDIATION_BY_KEYWORD = {
    "verify": "verify",
    "ssl": "ssl",
    "verify_ssl": "ssl",
    "cert_reqs": "cert_reqs",
    "ssl_cert_reqs": "cert_reqs",
    "assert_hostname": "cert_reqs",
}
_KEYWORDS = frozenset(
    o.keyword
    for options in (*crypto.TLS_OPTIONS.values(), crypto.GENERIC_REQUEST_OPTIONS)
    for o in options
)
_ATTRIBUTES = frozenset(
    {"verify", "verify_mode", "check_hostname", crypto.DEFAULT_HTTPS_CONTEXT_HOOK}
)
_FACTORY_NAMES = frozenset(n.rsplit(".", 1)[-1] for n in crypto.UNVERIFIED_CONTEXT_FACTORIES)


@dataclass(frozen=True)
class _Disabled:
    """How a setting was found to switch verification off."""

    source: str  # "" for a literal, else where the value comes from, for the message
    confidence: Confidence


def check(project: Project) -> Iterator[Finding]:
    analysis = analysis_for(project)
    for module in project.modules:
        if not is_production_path(project, module.path):
            continue
        checker = _ModuleChecker(analysis, module)
        for site in project.view(module, _tls_calls):
            frame = site_frame(Frame(module.path, site.scope), site)
            results = list(checker.call(site, frame))
            if results and not is_dead(analysis, site.guards, frame):
                yield from results
        yield from checker.assignments()


class _ModuleChecker:
    def __init__(self, analysis: DevServerAnalysis, module: ModuleFacts) -> None:
        self.analysis = analysis
        self.resolver = analysis.resolver
        self.module = module
        self.path = module.path

    # -- calls ------------------------------------------------------------------------------

    def call(self, site: CallSite, frame: Frame) -> Iterator[Finding]:
        call = site.call
        func = call.func
        last = (
            func.attr if isinstance(func, ir.Attr) else func.id if isinstance(func, ir.Name) else ""
        )
        if last in _FACTORY_NAMES:
            names = resolved_names(self.resolver, func, frame) & crypto.UNVERIFIED_CONTEXT_FACTORIES
            cert_reqs = call.keyword("cert_reqs")
            if names and (cert_reqs is None or self._is_cert_none(cert_reqs, frame)):
                yield self._finding(
                    site,
                    f"{min(names)}() creates an SSL context that checks neither the certificate "
                    f"nor the host name; connections made with it trust any server: {_IMPACT}",
                    "context",
                )
            return
        display, options, confidence = self._tls_options(func, frame)
        for option in options:
            expr = call.keyword(option.keyword)
            if expr is None:
                continue
            disabled = self._disables(option, expr, frame)
            if disabled is None:
                continue
            setting = f"{option.keyword}={render(expr)}"
            yield self._finding(
                site,
                f"{display}({setting}) turns off certificate verification{disabled.source}: "
                + _IMPACT,
                _REMEDIATION_BY_KEYWORD.get(option.keyword, "verify"),
                min(confidence, disabled.confidence),
            )
            return

    def _tls_options(
        self, func: ir.Expr, frame: Frame
    ) -> tuple[str, tuple[crypto.TlsOption, ...], Confidence]:
        """The client a call belongs to, the keywords that control verification there, and how
        sure the identification is."""
        names = sorted(resolved_names(self.resolver, func, frame) & crypto.TLS_OPTIONS.keys())
        if not names and isinstance(func, ir.Attr) and func.attr in crypto.REQUEST_METHODS:
            names = sorted(
                f"{cls}.{func.attr}"
                for cls in self._with_classes(func.value, frame)
                if f"{cls}.{func.attr}" in crypto.TLS_OPTIONS
            )
            if not names:
                shown = ir.dotted_name(func) or f"….{func.attr}"
                return shown, crypto.GENERIC_REQUEST_OPTIONS, Confidence.MEDIUM
        if not names:
            return "", (), Confidence.LOW
        return names[0], crypto.TLS_OPTIONS[names[0]], Confidence.HIGH

    def _disables(
        self, option: crypto.TlsOption, expr: ir.Expr, frame: Frame
    ) -> Optional[_Disabled]:
        evaluation = self.analysis.evaluator.evaluate(expr, frame)
        value: Any = evaluation.value
        source = ""
        confidence = Confidence.HIGH
        if evaluation.env_vars:
            source = f" when environment variable {evaluation.env_vars[0]} is not set"
            confidence = Confidence.MEDIUM
        elif not isinstance(expr, ir.Const) and value is not NOT_CONSTANT:
            source = f" (`{render(expr)}` is {value!r})"
        if value is NOT_CONSTANT and isinstance(expr, ir.Name):
            value = self._parameter_default(expr.id, frame)
            source = f" unless the caller passes `{expr.id}` (its parameter default is {value!r})"
            confidence = Confidence.MEDIUM
        kind = option.disabled_by
        off = (
            (kind == "falsy" and (value is False or (type(value) is int and value == 0)))
            or (kind == "false" and value is False)
            or (kind == "true" and value is True)
            or (kind == "cert_none" and self._is_cert_none(expr, frame, value))
        )
        return _Disabled(source, confidence) if off else None

    def _parameter_default(self, name: str, frame: Frame) -> Any:
        bindings = self.analysis.project.lookup(frame, name)
        if len(bindings) != 1 or not isinstance(bindings[0], ParameterBinding):
            return NOT_CONSTANT
        binding = bindings[0]
        default = binding.parameter.default
        if default is None:
            return NOT_CONSTANT
        return self.analysis.evaluator.evaluate(
            default, Frame(binding.module, binding.function.scope)
        ).value

    def _is_cert_none(self, expr: ir.Expr, frame: Frame, value: Any = NOT_CONSTANT) -> bool:
        if value is NOT_CONSTANT:
            value = self.analysis.evaluator.evaluate(expr, frame).value
        if isinstance(value, str):
            return value.upper().removeprefix("SSL.") in crypto.CERT_NONE_NAMES
        if type(value) is int:
            return value == 0
        return bool(resolved_names(self.resolver, expr, frame) & crypto.CERT_NONE)

    def _with_classes(self, expr: ir.Expr, frame: Frame) -> set[str]:
        """Classes of an object the resolver does not know because ``with ... as`` bound it."""
        if not isinstance(expr, ir.Name):
            return set()
        classes = set()
        bound = (frame.scope, expr.id)
        for site in self.analysis.project.view_entry(self.module, _with_bound_calls, bound) or ():
            for value in self.resolver.infer(site.call, frame):
                if isinstance(value, Instance) and isinstance(value.cls, str):
                    classes.add(crypto.alias(canonical(value.cls)))
        return classes

    def _classes(self, expr: ir.Expr, frame: Frame) -> set[str]:
        classes = {
            crypto.alias(canonical(v.cls))
            for v in self.resolver.infer(expr, frame)
            if isinstance(v, Instance) and isinstance(v.cls, str)
        }
        return classes or self._with_classes(expr, frame)

    # -- attribute assignments ----------------------------------------------------------------

    def assignments(self) -> Iterator[Finding]:
        cert_none_receivers: set[tuple[str, ir.Expr]] = set()
        hostname_off: list[tuple[Assignment, Frame]] = []
        for assignment in self.analysis.project.view(self.module, _tls_attribute_assignments):
            target = assignment.target
            assert isinstance(target, ir.Attr)
            frame = Frame(self.path, assignment.scope)
            attr = target.attr
            if is_dead(self.analysis, assignment.guards, frame):
                continue
            if (
                attr == "verify"
                and self._classes(target.value, frame) & crypto.VERIFY_ATTRIBUTE_CLASSES
            ):
                disabled = self._disables(
                    crypto.TlsOption("verify", "falsy"), assignment.value, frame
                )
                if disabled is not None:
                    yield self._assignment_finding(
                        assignment,
                        f"`{render(target)} = {render(assignment.value)}` turns off certificate "
                        f"verification{disabled.source} for every request this requests session "
                        "sends: " + _IMPACT,
                        "verify",
                        disabled.confidence,
                    )
            elif attr == "verify_mode" and self._is_cert_none(assignment.value, frame):
                cert_none_receivers.add((assignment.scope, target.value))
                yield self._assignment_finding(
                    assignment,
                    f"`{render(target)} = {render(assignment.value)}` makes the SSL context accept "
                    f"any certificate: {_IMPACT}",
                    "context",
                )
            elif (
                attr == "check_hostname"
                and self.analysis.evaluator.evaluate(assignment.value, frame).value is False
            ):
                hostname_off.append((assignment, frame))
            elif attr == crypto.DEFAULT_HTTPS_CONTEXT_HOOK and self._unverified_default(
                assignment, frame
            ):
                yield self._assignment_finding(
                    assignment,
                    "Replacing ssl._create_default_https_context with an unverified context "
                    "turns off certificate verification for every urllib and http.client "
                    f"HTTPS connection in the process: {_IMPACT}",
                    "context",
                )
        for assignment, _ in hostname_off:
            target = assignment.target
            assert isinstance(target, ir.Attr)
            # With verify_mode = CERT_NONE on the same context that finding already says it all.
            if (assignment.scope, target.value) in cert_none_receivers:
                continue
            yield self._assignment_finding(
                assignment,
                f"`{render(target)} = False` turns off the host-name check: any valid certificate, "
                "including one issued for the attacker's own domain, is accepted for this server, "
                f"so {_IMPACT}",
                "context",
            )

    def _unverified_default(self, assignment: Assignment, frame: Frame) -> bool:
        target = assignment.target
        assert isinstance(target, ir.Attr)
        return "ssl" in resolved_names(self.resolver, target.value, frame) and bool(
            resolved_names(self.resolver, assignment.value, frame)
            & crypto.UNVERIFIED_CONTEXT_FACTORIES
        )

    # -- findings ---------------------------------------------------------------------------

    def _finding(
        self,
        site: CallSite,
        message: str,
        remediation: str,
        confidence: Confidence = Confidence.HIGH,
    ) -> Finding:
        return finding(
            META,
            path=self.path,
            loc=site.call.loc,
            message=message,
            remediation=_REMEDIATIONS[remediation],
            confidence=confidence,
            scope=site.scope,
            code=site.statement.code,
            anchors=[(self.path, site.statement.first_line)],
        )

    def _assignment_finding(
        self,
        assignment: Assignment,
        message: str,
        remediation: str,
        confidence: Confidence = Confidence.HIGH,
    ) -> Finding:
        return finding(
            META,
            path=self.path,
            loc=assignment.loc,
            message=message,
            remediation=_REMEDIATIONS[remediation],
            confidence=confidence,
            scope=assignment.scope,
            code=assignment.statement.code,
            anchors=[(self.path, assignment.statement.first_line)],
        )


def _tls_calls(module: ModuleFacts) -> tuple[CallSite, ...]:
    """Calls ``_ModuleChecker.call`` looks into: of an unverified-context factory's name, or
    with a keyword that controls verification somewhere."""
    found = []
    for site in module.calls:
        func = site.call.func
        last = (
            func.attr if isinstance(func, ir.Attr) else func.id if isinstance(func, ir.Name) else ""
        )
        if last in _FACTORY_NAMES or any(keyword in _KEYWORDS for keyword, _ in site.call.kwargs):
            found.append(site)
    return tuple(found)


def _tls_attribute_assignments(module: ModuleFacts) -> tuple[Assignment, ...]:
    """``x.verify = ...`` and the other attributes that control verification."""
    return tuple(
        a
        for a in module.assignments
        if isinstance(a.target, ir.Attr) and a.target.attr in _ATTRIBUTES
    )


def _with_bound_calls(module: ModuleFacts) -> dict[tuple[str, str], list[CallSite]]:
    """``with EXPR as name`` bindings: facts record the name with an unknown value; the call
    that made the object is the only outermost call of that ``with`` statement."""
    calls: dict[tuple[str, ir.Loc], list[CallSite]] = {}
    for site in module.calls:
        if site.statement.code.startswith(("with ", "async with ")):
            calls.setdefault((site.scope, site.statement.loc), []).append(site)
    bound: dict[tuple[str, str], list[CallSite]] = {}
    for assignment in module.assignments:
        if not (isinstance(assignment.target, ir.Name) and assignment.value == ir.UNKNOWN):
            continue
        sites = calls.get((assignment.scope, assignment.statement.loc), [])
        outermost = [
            s
            for s in sites
            if not any(o is not s and loc_contains(o.call.loc, s.call.loc) for o in sites)
        ]
        if len(outermost) == 1:
            bound.setdefault((assignment.scope, assignment.target.id), []).append(outermost[0])
    return bound


RULE = Rule(META, check)
