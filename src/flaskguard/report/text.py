"""The human report: findings grouped by file, each with its code, then a summary.

Three levels of detail (``verbosity``): quiet prints one line per finding and the summary
line; normal adds the flagged code with carets, the fix hint, the autofix and the trace;
verbose adds a header per file, each finding's confidence, CWE, OWASP category,
fingerprint and autofix size, the trace with columns, and a count by severity. With
``statistics`` a table of counts by rule and severity follows the findings.

Scanned repositories are untrusted input, and their file names, messages quoting code and
snippets reach the terminal through this module; control characters and bidirectional
overrides are shown escaped so that they can neither drive the terminal nor disguise code.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from flaskguard.findings import Diagnostic, Finding, RelatedLocation, ScanResult, Severity, Span
from flaskguard.report import sorted_diagnostics, sorted_findings

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
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


QUIET = -1
NORMAL = 0
VERBOSE = 1


def render_text(
    result: ScanResult,
    *,
    color: bool = False,
    verbosity: int = NORMAL,
    statistics: bool = False,
) -> str:
    """Render ``result`` for a terminal.

    ``color`` adds ANSI colours to severities, carets and (verbose) file headers. This
    function never looks at the environment: the caller decides, and the CLI turns colour
    off when stdout is not a terminal or ``NO_COLOR`` is set (https://no-color.org).

    ``verbosity`` is :data:`QUIET` (``-1`` or less): one
    ``path:line:col: RULE [severity] message`` line per finding and the summary line, nothing
    else (no snippets, fix hints, traces or diagnostics); :data:`NORMAL` (``0``); or
    :data:`VERBOSE` (``1`` or more): also a header per file, confidence, CWE, OWASP,
    fingerprint, the autofix's edit count and why an autofix is unavailable, the trace and
    related locations with columns, and a one-line count by severity before the summary.

    ``statistics`` adds a table of finding counts by rule, split by severity, most frequent
    rule first, after the findings (at every verbosity).
    """
    active = sorted_findings(result.active_findings)
    if verbosity <= QUIET:
        lines = [_headline(finding, color) for finding in active]
        if statistics and active:
            lines.extend(["", *_statistics(active)])
        if lines:
            lines.append("")
        lines.append(_summary(result, active)[0])
        return "\n".join(lines) + "\n"

    verbose = verbosity >= VERBOSE
    lines = []
    path: str | None = None
    for i, finding in enumerate(active):
        if i:
            lines.append("")
        if verbose and finding.path != path:
            path = finding.path
            lines.append(_file_header(path, sum(f.path == path for f in active), color))
        lines.extend(_finding_lines(finding, color, verbose))
    if statistics and active:
        lines.extend(["", *_statistics(active)])
    diagnostics = sorted_diagnostics(result.diagnostics)
    if active and diagnostics:
        lines.append("")
    lines.extend(_diagnostic_line(d) for d in diagnostics)
    if active or diagnostics:
        lines.append("")
    if verbose and active:
        lines.append(_severity_line(active, color))
    lines.extend(_summary(result, active))
    return "\n".join(lines) + "\n"


def _headline(finding: Finding, color: bool) -> str:
    span = finding.span
    severity = f"[{finding.severity.label}]"
    if color:
        severity = f"{_SEVERITY_COLOR[finding.severity]}{severity}{_RESET}"
    return (
        f"{_safe(finding.path)}:{span.start_line}:{span.start_column}: "
        f"{finding.rule_id} {severity} {_safe(finding.message)}"
    )


def _file_header(path: str, count: int, color: bool) -> str:
    header = f"{_safe(path)} ({_plural(count, 'finding')})"
    return f"{_BOLD}{header}{_RESET}" if color else header


def _finding_lines(finding: Finding, color: bool, verbose: bool = False) -> list[str]:
    span = finding.span
    lines = [_headline(finding, color)]
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
        autofix = (
            f"  autofix ({_safe(finding.fix.applicability)}): {_safe(finding.fix.description)}"
        )
        if verbose:
            autofix += f" [{_plural(len(finding.fix.edits), 'edit')}]"
        lines.append(autofix)
    elif verbose and finding.fix_unavailable_reason:
        lines.append(f"  no autofix: {_safe(finding.fix_unavailable_reason)}")
    if not verbose:
        lines.extend(_via(loc) for loc in (*finding.trace, *finding.related_locations))
        return lines
    for step, loc in enumerate(finding.trace, start=1):
        lines.append(f"  trace {step}: {_location(loc)}")
    lines.extend(f"  related: {_location(loc)}" for loc in finding.related_locations)
    lines.append(f"  rule: {finding.rule_id} {_safe(finding.rule_name)}")
    lines.append(f"  confidence: {finding.confidence.label}")
    if finding.cwe:
        lines.append(f"  cwe: {', '.join(f'CWE-{n}' for n in finding.cwe)}")
    if finding.owasp:
        lines.append(f"  owasp: {_safe(finding.owasp)}")
    lines.append(f"  fingerprint: {_safe(finding.fingerprint)}")
    return lines


def _location(loc: RelatedLocation) -> str:
    return f"{_safe(loc.path)}:{loc.line}:{loc.column}: {_safe(loc.message)}"


def _severity_line(active: list[Finding], color: bool) -> str:
    counts = Counter(f.severity for f in active)
    cells = []
    for severity in sorted(Severity, reverse=True):
        label = severity.label
        if color and counts[severity]:
            label = f"{_SEVERITY_COLOR[severity]}{label}{_RESET}"
        cells.append(f"{label} {counts[severity]}")
    return " | ".join(cells)


def _statistics(active: list[Finding]) -> list[str]:
    """Counts by rule, like ``ruff --statistics``: most frequent first, then by rule id."""
    names: dict[str, str] = {}
    by_rule: dict[str, Counter[Severity]] = {}
    for finding in active:
        names.setdefault(finding.rule_id, finding.rule_name)
        by_rule.setdefault(finding.rule_id, Counter())[finding.severity] += 1
    severities = sorted(Severity, reverse=True)
    header = ["count", "rule", "name", *(s.label for s in severities)]
    rows = [
        [
            str(sum(counts.values())),
            rule_id,
            _safe(names[rule_id]),
            *(str(counts[s]) if counts[s] else "-" for s in severities),
        ]
        for rule_id, counts in sorted(by_rule.items(), key=lambda i: (-sum(i[1].values()), i[0]))
    ]
    totals = Counter(f.severity for f in active)
    rows.append(
        [str(len(active)), "total", "", *(str(totals[s]) if totals[s] else "-" for s in severities)]
    )
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    text_columns = (1, 2)
    return [
        "  ".join(
            cell.ljust(width) if i in text_columns else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths))
        ).rstrip()
        for row in (header, *rows)
    ]


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
