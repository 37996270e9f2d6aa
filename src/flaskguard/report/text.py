"""The human report: findings grouped by file, each with its code, then a summary.

Scanned repositories are untrusted input, and their file names, messages quoting code and
snippets reach the terminal through this module; control characters and bidirectional
overrides are shown escaped so that they can neither drive the terminal nor disguise code.
"""

from __future__ import annotations

import re
import unicodedata

from flaskguard.findings import Diagnostic, Finding, RelatedLocation, ScanResult, Severity, Span
from flaskguard.report import sorted_diagnostics, sorted_findings

_RESET = "\x1b[0m"
_SEVERITY_COLOR = {
    Severity.CRITICAL: "\x1b[1;35m",
    Severity.HIGH: "\x1b[1;31m",
    Severity.MEDIUM: "\x1b[33m",
    Severity.LOW: "\x1b[36m",
    Severity.INFO: "\x1b[2m",
}
# C0 and C1 controls (tab aside), lone surrogates from undecodable file names, and the
# Unicode bidi controls behind "Trojan Source" (CVE-2021-42574).
_UNSAFE = re.compile(
    r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def render_text(result: ScanResult, *, color: bool = False) -> str:
    lines: list[str] = []
    active = sorted_findings(result.active_findings)
    for i, finding in enumerate(active):
        if i:
            lines.append("")
        lines.extend(_finding_lines(finding, color))
    diagnostics = sorted_diagnostics(result.diagnostics)
    if active and diagnostics:
        lines.append("")
    lines.extend(_diagnostic_line(d) for d in diagnostics)
    if active or diagnostics:
        lines.append("")
    lines.extend(_summary(result, active))
    return "\n".join(lines) + "\n"


def _finding_lines(finding: Finding, color: bool) -> list[str]:
    span = finding.span
    severity = f"[{finding.severity.label}]"
    if color:
        severity = f"{_SEVERITY_COLOR[finding.severity]}{severity}{_RESET}"
    lines = [
        f"{_safe(finding.path)}:{span.start_line}:{span.start_column}: "
        f"{finding.rule_id} {severity} {_safe(finding.message)}"
    ]
    snippet = finding.snippet.splitlines()
    if snippet:
        width = len(str(span.start_line + len(snippet) - 1))
        for number, code in enumerate(snippet, start=span.start_line):
            lines.append(f"  {number:>{width}} | {_safe(code, keep_tab=True)}".rstrip())
        if span.start_line == span.end_line:
            lines.append(f"  {' ' * width} | {_caret(snippet[0], span, finding.severity, color)}")
    if finding.remediation:
        lines.append(f"  fix: {_safe(finding.remediation)}")
    if finding.fix is not None:
        lines.append(
            f"  autofix ({_safe(finding.fix.applicability)}): {_safe(finding.fix.description)}"
        )
    lines.extend(_via(loc) for loc in (*finding.trace, *finding.related_locations))
    return lines


def _caret(code: str, span: Span, severity: Severity, color: bool) -> str:
    """Carets under the flagged columns of ``code`` as the terminal will display it."""
    start = min(span.start_column - 1, len(code))
    end = max(min(span.end_column - 1, len(code)), start)
    # Tabs are copied rather than replaced so that the terminal expands them identically
    # on both lines; wide (CJK) characters take two cells, combining marks none.
    pad = "".join(
        ch if ch == "\t" else " " * _cells(ch) for ch in _safe(code[:start], keep_tab=True)
    )
    carets = "^" * max(1, sum(_cells(ch) for ch in _safe(code[start:end], keep_tab=True)))
    if color:
        carets = f"{_SEVERITY_COLOR[severity]}{carets}{_RESET}"
    return pad + carets


def _cells(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _via(loc: RelatedLocation) -> str:
    return f"  via {_safe(loc.path)}:{loc.line}: {_safe(loc.message)}"


def _diagnostic_line(diagnostic: Diagnostic) -> str:
    where = _safe(diagnostic.path)
    if where and diagnostic.line is not None:
        where += f":{diagnostic.line}"
    prefix = f"{where}: " if where else ""
    return f"{prefix}{diagnostic.code} {_safe(diagnostic.message)}"


def _summary(result: ScanResult, active: list[Finding]) -> list[str]:
    files = _plural(result.stats.files_scanned, "file")
    if active:
        counts = [
            f"{n} {severity.label}"
            for severity in sorted(Severity, reverse=True)
            if (n := sum(f.severity is severity for f in active))
        ]
        head = f"Found {_plural(len(active), 'finding')} ({', '.join(counts)}) in {files}"
    else:
        head = f"No findings in {files}"
    parts = [head]
    suppressed = len(result.suppressed_findings)
    if suppressed:
        parts.append(f"{suppressed} suppressed")
    not_analysed = result.stats.python_files - result.stats.python_files_analysed
    if not_analysed > 0:
        parts.append(f"{_plural(not_analysed, 'file')} not analysed")
    lines = ["; ".join(parts) + "."]
    needs_newer = {d.path: d.requires_python for d in result.diagnostics if d.requires_python}
    if needs_newer:
        version = max(needs_newer.values(), key=_version_key)
        lines.append(
            f"{_plural(len(needs_newer), 'file')} need{'s' if len(needs_newer) == 1 else ''} "
            f"a newer Python: run flaskguard under Python {_safe(version)} to analyse "
            f"{'it' if len(needs_newer) == 1 else 'them'}."
        )
    return lines


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _safe(text: str, *, keep_tab: bool = False) -> str:
    if not keep_tab:
        text = text.replace("\t", " ")
    return _UNSAFE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
