"""SARIF 2.1.0, shaped for GitHub code scanning.

GitHub reads ``security-severity``, ``precision`` and ``tags`` from the rule descriptors
(never from results), tracks alerts across commits by ``partialFingerprints``, shows
``codeFlows`` as the data-flow path and ``help.markdown`` as the rule's documentation.
Paths are relative to ``%SRCROOT%`` so that the log is portable across checkouts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flaskguard.findings import (
    DIAGNOSTIC_CODES,
    Confidence,
    Diagnostic,
    Finding,
    RelatedLocation,
    ScanResult,
    Severity,
    Span,
)
from flaskguard.report import sorted_diagnostics, sorted_findings
from flaskguard.rules.base import RuleMeta

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/flaskguard/flaskguard"
FINGERPRINT_KEY = "flaskguard/v1"
SRCROOT = "%SRCROOT%"

_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
_PROBLEM_SEVERITY = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "recommendation",
    Severity.INFO: "recommendation",
}
# GitHub buckets these scores: >= 9.0 critical, >= 7.0 high, >= 4.0 medium, else low.
_SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}
_PRECISION = {
    Confidence.HIGH: "high",
    Confidence.MEDIUM: "medium",
    Confidence.LOW: "low",
}
# semver.org's own regular expression; PEP 440 versions such as 0.2.0.dev1 do not match.
_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)


def render_sarif(result: ScanResult, rules: Sequence[RuleMeta], *, tool_version: str) -> str:
    # ASCII escapes keep the log writable to any stream, even for messages that carry
    # undecodable bytes (lone surrogates from os.fsdecode).
    return json.dumps(_log(result, rules, tool_version), indent=2, ensure_ascii=True) + "\n"


def _log(result: ScanResult, rules: Sequence[RuleMeta], tool_version: str) -> dict[str, Any]:
    rule_index = {meta.id: i for i, meta in enumerate(rules)}
    notification_index = {code: i for i, code in enumerate(DIAGNOSTIC_CODES)}
    driver: dict[str, Any] = {"name": "flaskguard", "version": tool_version}
    if _SEMVER.match(tool_version):
        driver["semanticVersion"] = tool_version
    driver |= {
        "informationUri": INFORMATION_URI,
        "rules": [_rule(meta) for meta in rules],
        "notifications": [
            {"id": code, "name": name, "shortDescription": {"text": text}}
            for code, (name, text) in DIAGNOSTIC_CODES.items()
        ],
    }
    diagnostics = sorted_diagnostics(result.diagnostics)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": [
                            _notification(d, notification_index) for d in diagnostics
                        ],
                    }
                ],
                "originalUriBaseIds": {SRCROOT: {"uri": _root_uri(result.root)}},
                "columnKind": "unicodeCodePoints",
                "results": [_result(f, rule_index) for f in sorted_findings(result.findings)],
            }
        ],
    }


def _rule(meta: RuleMeta) -> dict[str, Any]:
    tags = ["security", *(f"external/cwe/cwe-{cwe}" for cwe in meta.cwe)]
    if meta.owasp:
        tags.append(meta.owasp)
    tags.extend(meta.tags)
    doc = meta.doc.strip()
    return {
        "id": meta.id,
        "name": meta.name,
        "shortDescription": {"text": meta.summary},
        "fullDescription": {"text": _markdown_to_text(_what_it_does(doc)) or meta.summary},
        "help": {
            "text": _markdown_to_text(doc) if doc else meta.summary,
            "markdown": doc or meta.summary,
        },
        "defaultConfiguration": {"level": _LEVEL[meta.severity]},
        "properties": {
            "tags": list(dict.fromkeys(tags)),
            "precision": _PRECISION[meta.confidence],
            "security-severity": _SECURITY_SEVERITY[meta.severity],
            "problem.severity": _PROBLEM_SEVERITY[meta.severity],
        },
    }


_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")


def _what_it_does(doc: str) -> str:
    """The first paragraph of the doc's *What it does* section, joined into one line."""
    lines = doc.splitlines()
    for i, line in enumerate(lines):
        heading = _HEADING.match(line)
        if heading and heading.group(1).rstrip(":?").strip().lower() == "what it does":
            paragraph: list[str] = []
            for body in lines[i + 1 :]:
                if _HEADING.match(body) or (not body.strip() and paragraph):
                    break
                if body.strip():
                    paragraph.append(body.strip())
            return " ".join(paragraph)
    return ""


_FENCE = re.compile(r"^\s*(```|~~~)")
_CODE_SPAN = re.compile(r"`([^`]+)`")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
# Only *star* emphasis is undone: underscores in Python prose are names (__main__,
# SECRET_KEY), and turning them into emphasis would corrupt the text.
_EMPHASIS = re.compile(r"(?<![\w*])(\*\*?)(?=\S)(.+?)(?<=\S)\1(?![\w*])")


def _markdown_to_text(doc: str) -> str:
    """Plain text for viewers that do not render Markdown: headings become plain lines,
    code blocks are indented, links show their target, markup characters go."""
    out: list[str] = []
    in_code = False
    for line in doc.splitlines():
        if _FENCE.match(line):
            in_code = not in_code
            continue
        if in_code:
            out.append("    " + line if line else "")
            continue
        heading = _HEADING.match(line)
        if heading:
            out.append(heading.group(1))
            continue
        # Split on code spans (odd pieces) so that their content is kept verbatim.
        pieces = _CODE_SPAN.split(line)
        for i in range(0, len(pieces), 2):
            pieces[i] = _EMPHASIS.sub(r"\2", _LINK.sub(r"\1 (\2)", pieces[i]))
        out.append("".join(pieces))
    return "\n".join(out)


def _root_uri(root: str) -> str:
    uri = Path(root).absolute().as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _artifact(path: str) -> dict[str, str]:
    # Relative references must be percent-encoded; quoting ":" too keeps a first segment
    # such as "c:x.py" from reading as a URI scheme.
    return {"uri": quote(path, safe="/"), "uriBaseId": SRCROOT}


def _span_region(span: Span) -> dict[str, int]:
    return {
        "startLine": span.start_line,
        "startColumn": span.start_column,
        "endLine": span.end_line,
        "endColumn": span.end_column,
    }


def _point_location(loc: RelatedLocation) -> dict[str, Any]:
    return {
        "artifactLocation": _artifact(loc.path),
        "region": {"startLine": loc.line, "startColumn": loc.column},
    }


def _result(finding: Finding, rule_index: dict[str, int]) -> dict[str, Any]:
    physical: dict[str, Any] = {
        "artifactLocation": _artifact(finding.path),
        "region": _span_region(finding.span),
    }
    if finding.snippet:
        # A region's snippet must be exactly the region's text; the finding's snippet is
        # the whole flagged lines, which is what a context region is for.
        extra_lines = finding.snippet.rstrip("\n").count("\n")
        physical["contextRegion"] = {
            "startLine": finding.span.start_line,
            "endLine": finding.span.start_line + extra_lines,
            "snippet": {"text": finding.snippet},
        }
    result: dict[str, Any] = {"ruleId": finding.rule_id}
    if finding.rule_id in rule_index:
        result["ruleIndex"] = rule_index[finding.rule_id]
    result.update(
        {
            "level": _LEVEL[finding.severity],
            "message": {"text": finding.message},
            "locations": [{"physicalLocation": physical}],
            "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
            "properties": {
                "severity": finding.severity.label,
                "confidence": finding.confidence.label,
                "cwe": list(finding.cwe),
                "owasp": finding.owasp,
            },
        }
    )
    if finding.related_locations:
        result["relatedLocations"] = [
            {"id": i, "physicalLocation": _point_location(loc), "message": {"text": loc.message}}
            for i, loc in enumerate(finding.related_locations)
        ]
    if finding.trace:
        steps = [
            {
                "location": {
                    "physicalLocation": _point_location(loc),
                    "message": {"text": loc.message},
                }
            }
            for loc in finding.trace
        ]
        result["codeFlows"] = [{"threadFlows": [{"locations": steps}]}]
    if finding.fix is not None and finding.fix.edits:
        result["fixes"] = [
            {
                "description": {"text": finding.fix.description},
                "artifactChanges": [
                    {
                        "artifactLocation": _artifact(finding.path),
                        "replacements": [
                            {
                                "deletedRegion": _span_region(edit.span),
                                "insertedContent": {"text": edit.content},
                            }
                            for edit in finding.fix.edits
                        ],
                    }
                ],
                "properties": {"applicability": finding.fix.applicability},
            }
        ]
    if finding.suppressed:
        suppression: dict[str, str] = {"kind": "inSource"}
        if finding.suppression_reason:
            suppression["justification"] = finding.suppression_reason
        result["suppressions"] = [suppression]
    return result


def _notification(diagnostic: Diagnostic, index: dict[str, int]) -> dict[str, Any]:
    notification: dict[str, Any] = {
        # FG910 is flaskguard failing, not the scanned code: it is the one worth alarm.
        "level": "error" if diagnostic.code == "FG910" else "warning",
        "message": {"text": diagnostic.message},
        "descriptor": {"id": diagnostic.code, "index": index[diagnostic.code]},
    }
    if diagnostic.path:
        physical: dict[str, Any] = {"artifactLocation": _artifact(diagnostic.path)}
        region = _diagnostic_region(diagnostic.line, diagnostic.column)
        if region:
            physical["region"] = region
        notification["locations"] = [{"physicalLocation": physical}]
    if diagnostic.requires_python:
        notification["properties"] = {"requiresPython": diagnostic.requires_python}
    return notification


def _diagnostic_region(line: int | None, column: int | None) -> dict[str, int]:
    if line is None:
        return {}
    if column is None:
        return {"startLine": line}
    return {"startLine": line, "startColumn": column}
