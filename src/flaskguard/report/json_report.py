"""The JSON report: a stable, versioned document for scripts and dashboards.

Its shape is fixed by ``report.schema.json`` next to this module; a change that is not
backwards compatible bumps :data:`SCHEMA_VERSION`.
"""

from __future__ import annotations

import json
from typing import Any

from flaskguard.findings import (
    DIAGNOSTIC_CODES,
    Diagnostic,
    Finding,
    RelatedLocation,
    ScanResult,
    Severity,
)
from flaskguard.report import sorted_diagnostics, sorted_findings

SCHEMA_VERSION = 1


def render_json(result: ScanResult, *, tool_version: str) -> str:
    # ASCII escapes keep the output writable to any stream, even for paths that carry
    # undecodable bytes (lone surrogates from os.fsdecode).
    return json.dumps(_report(result, tool_version), indent=2, ensure_ascii=True) + "\n"


def _report(result: ScanResult, tool_version: str) -> dict[str, Any]:
    active = sorted_findings(result.active_findings)
    suppressed = sorted_findings(result.suppressed_findings)
    diagnostics = sorted_diagnostics(result.diagnostics)
    by_severity = {s.label: 0 for s in sorted(Severity, reverse=True)}
    for finding in active:
        by_severity[finding.severity.label] += 1
    stats = result.stats
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "flaskguard", "version": tool_version},
        "root": result.root,
        "findings": [_finding(f) for f in active],
        "suppressed": [
            {**_finding(f), "suppression_reason": f.suppression_reason} for f in suppressed
        ],
        "diagnostics": [_diagnostic(d) for d in diagnostics],
        "stats": {
            "files_scanned": stats.files_scanned,
            "python_files": stats.python_files,
            "python_files_analysed": stats.python_files_analysed,
            "duration_s": round(stats.duration_s, 3),
            # Counted from the lists rather than copied from the stats, so that the numbers
            # always agree with the report even when findings were filtered after the scan
            # (baseline, --fail-on views).
            "findings": len(active),
            "suppressed": len(suppressed),
            "diagnostics": len(diagnostics),
            "by_severity": by_severity,
        },
    }


def _finding(finding: Finding) -> dict[str, Any]:
    span = finding.span
    fix = finding.fix
    return {
        "rule_id": finding.rule_id,
        "rule_name": finding.rule_name,
        "severity": finding.severity.label,
        "confidence": finding.confidence.label,
        "path": finding.path,
        "start_line": span.start_line,
        "start_column": span.start_column,
        "end_line": span.end_line,
        "end_column": span.end_column,
        "message": finding.message,
        "remediation": finding.remediation,
        "cwe": list(finding.cwe),
        "owasp": finding.owasp,
        "fingerprint": finding.fingerprint,
        "snippet": finding.snippet,
        "fix": None
        if fix is None
        else {
            "applicability": fix.applicability,
            "description": fix.description,
            "edits": [
                {
                    "start_line": edit.span.start_line,
                    "start_column": edit.span.start_column,
                    "end_line": edit.span.end_line,
                    "end_column": edit.span.end_column,
                    "content": edit.content,
                }
                for edit in fix.edits
            ],
        },
        "fix_unavailable_reason": finding.fix_unavailable_reason,
        "related_locations": [_location(loc) for loc in finding.related_locations],
        "trace": [_location(loc) for loc in finding.trace],
    }


def _location(loc: RelatedLocation) -> dict[str, Any]:
    return {"path": loc.path, "line": loc.line, "column": loc.column, "message": loc.message}


def _diagnostic(diagnostic: Diagnostic) -> dict[str, Any]:
    return {
        "code": diagnostic.code,
        "name": DIAGNOSTIC_CODES[diagnostic.code][0],
        "path": diagnostic.path,
        "line": diagnostic.line,
        "column": diagnostic.column,
        "message": diagnostic.message,
        "requires_python": diagnostic.requires_python,
    }
