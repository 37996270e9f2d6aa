"""JUnit XML, for CI systems that show test reports (GitLab, Jenkins, Azure Pipelines ...).

One test suite, ``flaskguard``: each active finding is a failed test case named after its
rule and location, each diagnostic an erroneous one, and each rule of the run without
findings a passing one, so that the CI's test view lists what was checked.

The document is built with :mod:`xml.etree.ElementTree`, never by string concatenation, and
scanned repositories are untrusted input: characters that XML 1.0 forbids (most control
characters) are removed, lone surrogates (undecodable bytes of a file name) become U+FFFD,
and everything outside ASCII is written as a character reference, so that the output is
well-formed UTF-8 whatever the file names and messages hold and whatever stream it goes to.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from flaskguard.findings import Diagnostic, Finding, RelatedLocation, ScanResult
from flaskguard.report import sorted_diagnostics, sorted_findings
from flaskguard.rules.base import OWASP_2021, RuleMeta

SUITE_NAME = "flaskguard"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
# XML 1.0 allows tab, LF, CR, U+0020-U+D7FF, U+E000-U+FFFD and U+10000-U+10FFFF.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def render_junit(result: ScanResult, rules: Sequence[RuleMeta]) -> str:
    active = sorted_findings(result.active_findings)
    diagnostics = sorted_diagnostics(result.diagnostics)
    failing = {f.rule_id for f in active}
    seen: set[str] = set()
    passing: list[RuleMeta] = []
    for rule in rules:
        if rule.id not in failing and rule.id not in seen:
            seen.add(rule.id)
            passing.append(rule)

    suite = ET.Element(
        "testsuite",
        {
            "name": SUITE_NAME,
            "tests": str(len(active) + len(diagnostics) + len(passing)),
            "failures": str(len(active)),
            "errors": str(len(diagnostics)),
            "skipped": "0",
        },
    )
    for finding in active:
        _finding_case(suite, finding)
    for diagnostic in diagnostics:
        _diagnostic_case(suite, diagnostic)
    for rule in passing:
        ET.SubElement(suite, "testcase", {"classname": _clean(rule.id), "name": _clean(rule.name)})
    ET.indent(suite)
    # Non-ASCII as character references; the declaration says UTF-8, of which ASCII is a part.
    body: bytes = ET.tostring(suite, encoding="us-ascii", xml_declaration=False)
    return _DECLARATION + body.decode("ascii") + "\n"


def _finding_case(suite: ET.Element, finding: Finding) -> None:
    case = ET.SubElement(
        suite,
        "testcase",
        {
            "classname": _clean(finding.rule_id),
            "name": _clean(f"{finding.path}:{finding.span.start_line}"),
        },
    )
    failure = ET.SubElement(
        case,
        "failure",
        {"type": finding.severity.label, "message": _clean(finding.message)},
    )
    failure.text = _clean(_details(finding))


def _details(finding: Finding) -> str:
    span = finding.span
    lines = [
        f"{finding.path}:{span.start_line}:{span.start_column}",
        f"{finding.rule_id} {finding.rule_name} "
        f"(severity {finding.severity.label}, confidence {finding.confidence.label})",
        finding.message,
    ]
    if finding.snippet:
        lines.append("Code:")
        lines.extend(f"  {code}" for code in finding.snippet.splitlines())
    if finding.remediation:
        lines.append(f"Remediation: {finding.remediation}")
    if finding.cwe:
        lines.append("CWE: " + ", ".join(f"CWE-{cwe}" for cwe in finding.cwe))
    if finding.owasp:
        lines.append(f"OWASP: {OWASP_2021.get(finding.owasp, finding.owasp)}")
    if finding.trace:
        lines.append("Trace:")
        lines.extend(_location(loc) for loc in finding.trace)
    if finding.related_locations:
        lines.append("Related:")
        lines.extend(_location(loc) for loc in finding.related_locations)
    lines.append(f"Fingerprint: {finding.fingerprint}")
    return "\n".join(lines)


def _location(loc: RelatedLocation) -> str:
    return f"  {loc.path}:{loc.line}:{loc.column}: {loc.message}"


def _diagnostic_case(suite: ET.Element, diagnostic: Diagnostic) -> None:
    case = ET.SubElement(
        suite, "testcase", {"classname": _clean(diagnostic.code), "name": _clean(diagnostic.path)}
    )
    error = ET.SubElement(case, "error", {"message": _clean(diagnostic.message)})
    where = diagnostic.path
    if diagnostic.line is not None:
        where += f":{diagnostic.line}"
        if diagnostic.column is not None:
            where += f":{diagnostic.column}"
    error.text = _clean(f"{where}: {diagnostic.code} {diagnostic.message}")


def _clean(text: str) -> str:
    return _SURROGATE.sub("\ufffd", _FORBIDDEN.sub("", text))
