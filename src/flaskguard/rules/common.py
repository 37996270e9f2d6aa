"""Helpers shared by rules to build findings in one consistent shape."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Callable, Optional

from flaskguard.analysis.taint import flows_of_kind
from flaskguard.facts import ir
from flaskguard.findings import Confidence, Finding, Fix, RelatedLocation, Severity, Span
from flaskguard.fixes import FixPlan
from flaskguard.model.apps import Route
from flaskguard.model.project import Project
from flaskguard.rules.base import RuleMeta


def span_of(loc: ir.Loc) -> Span:
    return Span(loc.line, loc.col, loc.end_line, loc.end_col)


def finding(
    meta: RuleMeta,
    *,
    path: str,
    loc: ir.Loc,
    message: str,
    remediation: str,
    severity: Optional[Severity] = None,
    confidence: Optional[Confidence] = None,
    scope: str = "",
    code: str = "",
    anchors: Iterable[tuple[str, int]] = (),
    trace: Iterable[RelatedLocation] = (),
    related: Iterable[RelatedLocation] = (),
    fix: Optional[Fix] = None,
    fix_unavailable_reason: Optional[str] = None,
    redact_snippet: bool = False,
    fix_plan: Optional[FixPlan] = None,
) -> Finding:
    anchor_list = [(path, loc.line), *anchors]
    return Finding(
        rule_id=meta.id,
        rule_name=meta.name,
        severity=severity if severity is not None else meta.severity,
        confidence=confidence if confidence is not None else meta.confidence,
        path=path,
        span=span_of(loc),
        message=message,
        remediation=remediation,
        cwe=meta.cwe,
        owasp=meta.owasp,
        fingerprint="",
        fix=fix,
        fix_unavailable_reason=fix_unavailable_reason,
        related_locations=tuple(related),
        trace=tuple(trace),
        anchors=tuple(dict.fromkeys(anchor_list)),
        scope=scope,
        code=code,
        redact_snippet=redact_snippet,
        fix_plan=fix_plan,
    )


def quote_code(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"`{text}`"


def route_label(route: Route) -> str:
    """``POST /admin/users`` for messages."""
    if not route.rule_known:
        return f"`{'/'.join(route.methods)}` endpoint `{route.endpoint}` (its URL rule is computed)"
    return f"`{'/'.join(route.methods)} {route.rule}`"


def taint_check(
    meta: RuleMeta, *, kind: str, impact: str, remediation: str
) -> Callable[[Project], Iterator[Finding]]:
    """The ``check`` of a FG3xx rule: the taint engine's flows into sinks of ``kind``."""

    def check(project: Project) -> Iterator[Finding]:
        for flow in flows_of_kind(project, kind):
            steps = tuple(
                RelatedLocation(path, line, max(column, 1), message)
                for path, line, column, message in flow.trace
                if line > 0
            )
            yield finding(
                meta,
                path=flow.path,
                loc=flow.loc,
                message=f"{flow.source} reaches {flow.sink}. {impact}",
                remediation=remediation,
                scope=flow.scope,
                code=flow.code,
                trace=steps,
            )

    return check
