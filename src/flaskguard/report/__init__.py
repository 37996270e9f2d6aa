"""Reporters: turn a scan result into text, JSON, SARIF, GitHub annotations, GitLab Code
Quality, JUnit XML or one self-contained HTML file.

Reporters only read the :class:`~flaskguard.findings.ScanResult`; everything they print is
already in it. Each reporter is imported only when asked for, because most runs use one
format and start-up time matters for pre-commit hooks and editors.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flaskguard.findings import Diagnostic, Finding, ScanResult
    from flaskguard.rules.base import RuleMeta

FORMATS = ("text", "json", "sarif", "github", "gitlab", "junit", "html")


def render(
    fmt: str,
    result: ScanResult,
    rules: Sequence[RuleMeta],
    *,
    color: bool = False,
    tool_version: str,
    verbosity: int = 0,
    statistics: bool = False,
) -> str:
    """Render ``result`` in format ``fmt`` (one of :data:`FORMATS`).

    ``rules`` are the rules of the run, in the order SARIF lists them; ``color`` only
    affects the text format.
    """
    if fmt == "text":
        from flaskguard.report.text import render_text

        return render_text(result, color=color, verbosity=verbosity, statistics=statistics)
    if fmt == "json":
        from flaskguard.report.json_report import render_json

        return render_json(result, tool_version=tool_version)
    if fmt == "sarif":
        from flaskguard.report.sarif import render_sarif

        return render_sarif(result, rules, tool_version=tool_version)
    if fmt == "github":
        from flaskguard.report.github import render_github

        return render_github(result)
    if fmt == "gitlab":
        from flaskguard.report.gitlab import render_gitlab

        return render_gitlab(result)
    if fmt == "junit":
        from flaskguard.report.junit import render_junit

        return render_junit(result, rules)
    if fmt == "html":
        from flaskguard.report.html import render_html

        return render_html(result, rules, tool_version=tool_version)
    raise ValueError(f"unknown report format {fmt!r} (choose from {', '.join(FORMATS)})")


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in report order: path, position, rule id.

    The end position and the fingerprint only break ties, so that two runs over the same
    tree always print the same report.
    """
    return sorted(
        findings,
        key=lambda f: (
            f.path,
            f.span.start_line,
            f.span.start_column,
            f.rule_id,
            f.span.end_line,
            f.span.end_column,
            f.fingerprint,
        ),
    )


def sorted_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Diagnostics in report order: path, position, code; unknown positions first."""
    return sorted(diagnostics, key=lambda d: (d.path, d.line or 0, d.column or 0, d.code))
