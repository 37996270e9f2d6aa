"""GitHub Actions workflow commands: one annotation per finding, then a summary line.

The runner turns each ``::error file=...,line=...::message`` line of a step's output into an
annotation on the pull request diff. Scanned repositories are untrusted input, so every value
is escaped the way the runner unescapes it: a newline in a message or a file name can never
start a second workflow command (``::add-mask::``, ``::stop-commands::`` ...), and a ``:`` or
``,`` in a file name can never end the properties early. Other control characters and the
bidirectional overrides are shown escaped, as in the text report, so that they can neither
drive the log viewer nor disguise code.
"""

from __future__ import annotations

import re

from flaskguard.findings import Diagnostic, Finding, ScanResult, Severity
from flaskguard.report import sorted_diagnostics, sorted_findings

# GitHub shows at most this many annotations of each level (error, warning, notice) per step.
ANNOTATIONS_PER_LEVEL = 10

_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "notice",
    Severity.INFO: "notice",
}
_LEVELS = ("error", "warning", "notice")
# C0 and C1 controls except tab, CR and LF (those are percent-encoded below), the Unicode
# line and paragraph separators, and the bidi controls behind "Trojan Source"
# (CVE-2021-42574).
_UNSAFE = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
# Lone surrogates (undecodable bytes of a file name) cannot be written to a UTF-8 stream.
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def render_github(result: ScanResult) -> str:
    lines: list[str] = []
    counts = dict.fromkeys(_LEVELS, 0)
    active = sorted_findings(result.active_findings)
    for finding in active:
        level = _LEVEL[finding.severity]
        counts[level] += 1
        lines.append(_finding_command(level, finding))
    diagnostics = sorted_diagnostics(result.diagnostics)
    for diagnostic in diagnostics:
        counts["warning"] += 1
        lines.append(_diagnostic_command(diagnostic))
    lines.append(_summary(result, active, len(diagnostics), counts))
    return "\n".join(lines) + "\n"


def _finding_command(level: str, finding: Finding) -> str:
    span = finding.span
    properties = [("file", finding.path), ("line", str(span.start_line))]
    # GitHub accepts columns only for an annotation within one line.
    if span.start_line == span.end_line:
        properties.append(("col", str(span.start_column)))
    properties.append(("endLine", str(span.end_line)))
    if span.start_line == span.end_line:
        properties.append(("endColumn", str(span.end_column)))
    properties.append(("title", f"{finding.rule_id} {finding.rule_name}"))
    return _command(level, properties, finding.message)


def _diagnostic_command(diagnostic: Diagnostic) -> str:
    properties: list[tuple[str, str]] = []
    if diagnostic.path:
        properties.append(("file", diagnostic.path))
        if diagnostic.line is not None:
            properties.append(("line", str(diagnostic.line)))
            if diagnostic.column is not None:
                properties.append(("col", str(diagnostic.column)))
    return _command("warning", properties, f"{diagnostic.code} {diagnostic.message}")


def _command(level: str, properties: list[tuple[str, str]], message: str) -> str:
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    head = f"::{level} {props}" if props else f"::{level}"
    return f"{head}::{escape_data(message)}"


def escape_data(text: str) -> str:
    """Escape the message of a workflow command (after the second ``::``)."""
    text = _SURROGATE.sub("\ufffd", _UNSAFE.sub(_visible, text))
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value of a workflow command (``file=``, ``title=`` ...)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _summary(
    result: ScanResult, active: list[Finding], diagnostics: int, counts: dict[str, int]
) -> str:
    if active:
        by_severity = [
            f"{n} {severity.label}"
            for severity in sorted(Severity, reverse=True)
            if (n := sum(f.severity is severity for f in active))
        ]
        parts = [f"{_plural(len(active), 'finding')} ({', '.join(by_severity)})"]
    else:
        parts = ["no findings"]
    suppressed = len(result.suppressed_findings)
    if suppressed:
        parts.append(f"{suppressed} suppressed")
    if diagnostics:
        parts.append(_plural(diagnostics, "diagnostic"))
    text = "flaskguard: " + ", ".join(parts)
    over = [level for level in _LEVELS if counts[level] > ANNOTATIONS_PER_LEVEL]
    if over:
        text += (
            f"; GitHub shows at most {ANNOTATIONS_PER_LEVEL} annotations of each level per "
            f"step ({', '.join(f'{counts[level]} {level}s' for level in over)} here), "
            "see the step log for all of them"
        )
    return text


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
