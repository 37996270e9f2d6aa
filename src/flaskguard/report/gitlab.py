"""GitLab Code Quality report: a JSON array of issues, shown in merge request widgets.

GitLab reads it from a job's ``artifacts:reports:codequality`` file. It compares the
``fingerprint`` of issues between the source and target branches to tell new issues from
fixed ones, so the fingerprint is the finding's own, which survives line moves. Suppressed
findings and diagnostics are not issues of the code and are left out.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flaskguard.findings import Finding, ScanResult, Severity
from flaskguard.report import sorted_findings

_SEVERITY = {
    Severity.CRITICAL: "blocker",
    Severity.HIGH: "critical",
    Severity.MEDIUM: "major",
    Severity.LOW: "minor",
    Severity.INFO: "info",
}
# Lone surrogates (undecodable bytes of a file name) would be escaped as \udcxx, which
# strict JSON parsers reject; one unreadable path must not cost the whole report.
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def render_gitlab(result: ScanResult) -> str:
    issues = [_issue(f) for f in sorted_findings(result.active_findings)]
    # ASCII escapes keep the output writable to any stream.
    return json.dumps(issues, indent=2, ensure_ascii=True) + "\n"


def _issue(finding: Finding) -> dict[str, Any]:
    return {
        "description": _text(f"{finding.rule_id} {finding.message}"),
        "check_name": finding.rule_id,
        "fingerprint": finding.fingerprint,
        "severity": _SEVERITY[finding.severity],
        "location": {
            "path": _text(finding.path),
            "lines": {"begin": finding.span.start_line, "end": finding.span.end_line},
        },
        "categories": ["Security"],
    }


def _text(text: str) -> str:
    return _SURROGATE.sub("\ufffd", text)
