"""Helpers shared by rules to build findings in one consistent shape."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Optional

from flaskguard.facts import ir
from flaskguard.findings import Confidence, Finding, Fix, RelatedLocation, Severity, Span
from flaskguard.fixes import FixPlan
from flaskguard.model.apps import Route
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
