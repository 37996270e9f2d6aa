"""The CI reports: GitHub workflow annotations, GitLab Code Quality JSON and JUnit XML."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any, Optional

import pytest

from flaskguard.findings import (
    Confidence,
    Diagnostic,
    RelatedLocation,
    ScanResult,
    Severity,
    Span,
)
from flaskguard.report.github import escape_data, escape_property, render_github
from flaskguard.report.gitlab import render_gitlab
from flaskguard.report.junit import render_junit
from flaskguard.rules.base import RuleMeta
from report_samples import sample_finding

HOSTILE = "a<b & \"c\" 'd' %25 50%, x: y\r\nz\x00\x01\x1b[31m\u202e \u00fc\u00f1 \U0001f600"


finding = sample_finding


def rule(**overrides: Any) -> RuleMeta:
    fields: dict[str, Any] = {
        "id": "FG100",
        "name": "dev-server-at-import",
        "summary": "The development server starts at import time",
        "severity": Severity.CRITICAL,
        "confidence": Confidence.HIGH,
        "cwe": (489,),
        "owasp": "A05:2021",
        "tags": (),
        "fixable": True,
        "doc": "",
    }
    fields.update(overrides)
    return RuleMeta(**fields)


RULES = [
    rule(),
    rule(id="FG102", name="debug-enabled", severity=Severity.HIGH),
    rule(id="FG201", name="hardcoded-secret-key", severity=Severity.MEDIUM),
    rule(id="FG301", name="sql-injection", severity=Severity.HIGH),
]


def sample_result() -> ScanResult:
    tainted = finding(
        rule_id="FG301",
        rule_name="sql-injection",
        severity=Severity.HIGH,
        confidence=Confidence.MEDIUM,
        path="views/user pages/ünïcode.py",
        span=Span(30, 5, 31, 6),
        message="request.args['q'] reaches cursor.execute() as SQL text.",
        remediation="Pass the value as a query parameter.",
        cwe=(89,),
        owasp="A03:2021",
        fingerprint="a" * 32,
        snippet='    cur.execute(\n        "SELECT * FROM t WHERE n = \'" + q + "\'")',
        trace=(
            RelatedLocation("views/user pages/ünïcode.py", 20, 9, "request.args read here"),
            RelatedLocation("db/helpers.py", 4, 5, "passed to run_query()"),
        ),
        related_locations=(RelatedLocation("db/helpers.py", 1, 1, "run_query is defined here"),),
    )
    secret = finding(
        rule_id="FG201",
        rule_name="hardcoded-secret-key",
        severity=Severity.MEDIUM,
        span=Span(4, 1, 4, 30),
        message="SECRET_KEY is a literal string.",
        cwe=(798,),
        owasp="A07:2021",
        fingerprint="b" * 32,
    )
    low = finding(
        rule_id="FG500",
        rule_name="low-thing",
        severity=Severity.LOW,
        path="z.py",
        span=Span(1, 1, 1, 2),
        fingerprint="e" * 32,
    )
    suppressed = finding(
        rule_id="FG102",
        rule_name="debug-enabled",
        severity=Severity.HIGH,
        path="config.py",
        fingerprint="c" * 32,
        suppressed=True,
        suppression_reason="only for local development",
    )
    return ScanResult(
        root="/srv/project",
        # Deliberately out of report order.
        findings=[low, tainted, finding(), suppressed, secret],
        diagnostics=[
            Diagnostic("FG903", "broken link.py", "Permission denied."),
            Diagnostic("FG910", "", "The taint analysis failed: RecursionError."),
            Diagnostic("FG902", "new.py", "match statement", line=3, column=1),
        ],
    )


# --- GitHub -------------------------------------------------------------------------------


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    """Parse a workflow command the way the Actions runner does (``ActionCommand``)."""
    assert line.startswith("::")
    end = line.index("::", 2)
    head, data = line[2:end], line[end + 2 :]
    name, _, props = head.partition(" ")
    properties: dict[str, str] = {}
    for pair in filter(None, props.split(",")):
        key, _, value = pair.partition("=")
        properties[key] = _unescape_property(value)
    return name, properties, _unescape_data(data)


def _unescape_data(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def _unescape_property(text: str) -> str:
    text = text.replace("%0D", "\r").replace("%0A", "\n")
    return text.replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


def github_lines(result: ScanResult) -> list[str]:
    output = render_github(result)
    assert output.endswith("\n")
    return output[:-1].split("\n")


def test_github_annotations_exactly() -> None:
    lines = github_lines(sample_result())
    assert lines == [
        "::warning file=app.py,line=4,col=1,endLine=4,endColumn=30,"
        "title=FG201 hardcoded-secret-key::SECRET_KEY is a literal string.",
        "::error file=app.py,line=12,col=1,endLine=12,endColumn=20,"
        "title=FG100 dev-server-at-import"
        "::The development server starts when a WSGI server imports this module.",
        # Columns only for single-line spans: GitHub rejects them across lines.
        "::error file=views/user pages/ünïcode.py,line=30,endLine=31,"
        "title=FG301 sql-injection::request.args['q'] reaches cursor.execute() as SQL text.",
        "::notice file=z.py,line=1,col=1,endLine=1,endColumn=2,title=FG500 low-thing"
        "::The development server starts when a WSGI server imports this module.",
        "::warning::FG910 The taint analysis failed: RecursionError.",
        "::warning file=broken link.py::FG903 Permission denied.",
        "::warning file=new.py,line=3,col=1::FG902 match statement",
        "flaskguard: 4 findings (1 critical, 1 high, 1 medium, 1 low), 1 suppressed, 3 diagnostics",
    ]


@pytest.mark.parametrize(
    ("severity", "level"),
    [
        (Severity.CRITICAL, "error"),
        (Severity.HIGH, "error"),
        (Severity.MEDIUM, "warning"),
        (Severity.LOW, "notice"),
        (Severity.INFO, "notice"),
    ],
)
def test_github_level_follows_severity(severity: Severity, level: str) -> None:
    lines = github_lines(ScanResult(root=".", findings=[finding(severity=severity)]))
    assert parse_command(lines[0])[0] == level


def test_github_escaping_round_trips_through_the_runners_parser() -> None:
    hostile = finding(path=f"dir,x:y/{HOSTILE}.py", rule_name="n:a,m%e", message=HOSTILE)
    lines = github_lines(ScanResult(root=".", findings=[hostile]))
    # A newline in untrusted text can never start a second workflow command.
    assert len(lines) == 2
    assert lines[1].startswith("flaskguard: ")
    name, props, message = parse_command(lines[0])
    assert name == "error"
    assert set(props) == {"file", "line", "col", "endLine", "endColumn", "title"}
    assert props["title"] == "FG100 n:a,m%e"
    assert props["line"] == "12"
    # CR and LF survive; other controls and bidi overrides are shown escaped.
    visible = HOSTILE.replace("\x00", "\\x00").replace("\x01", "\\x01")
    visible = visible.replace("\x1b", "\\x1b").replace("\u202e", "\\u202e")
    assert message == visible
    assert props["file"] == f"dir,x:y/{visible}.py"


def test_github_escape_functions() -> None:
    assert escape_data("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext: a,b"
    assert escape_property("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext%3A a%2Cb"
    assert escape_data("%0A") == "%250A"
    assert escape_data("a\u2028b\x85c") == "a\\u2028b\\x85c"


def test_github_undecodable_path_is_writable() -> None:
    output = render_github(ScanResult(root=".", findings=[finding(path="bad\udcff.py")]))
    output.encode("utf-8")
    assert "file=bad\ufffd.py," in output


def test_github_empty_result() -> None:
    assert render_github(ScanResult(root=".")) == "flaskguard: no findings\n"


def test_github_suppressed_findings_are_not_annotated() -> None:
    result = ScanResult(root=".", findings=[finding(suppressed=True)])
    assert render_github(result) == "flaskguard: no findings, 1 suppressed\n"


def test_github_limit_is_mentioned_only_when_a_level_exceeds_ten() -> None:
    ten = [finding(span=Span(i, 1, i, 2), fingerprint=f"{i:032x}") for i in range(1, 11)]
    summary = github_lines(ScanResult(root=".", findings=ten))[-1]
    assert summary == "flaskguard: 10 findings (10 critical)"
    eleven = [*ten, finding(span=Span(11, 1, 11, 2), fingerprint="b" * 32)]
    warnings = [
        finding(severity=Severity.MEDIUM, span=Span(i, 1, i, 2), fingerprint=f"{i:031x}m")
        for i in range(1, 4)
    ]
    lines = github_lines(ScanResult(root=".", findings=[*eleven, *warnings]))
    assert len(lines) == 15
    assert lines[-1] == (
        "flaskguard: 14 findings (11 critical, 3 medium); GitHub shows at most 10 annotations "
        "of each level per step (11 errors here), see the step log for all of them"
    )


def test_github_diagnostics_count_towards_the_warning_limit() -> None:
    diagnostics = [Diagnostic("FG901", f"f{i:02}.py", "bad syntax", line=1) for i in range(11)]
    summary = github_lines(ScanResult(root=".", diagnostics=diagnostics))[-1]
    assert summary.startswith("flaskguard: no findings, 11 diagnostics; GitHub shows")
    assert "(11 warnings here)" in summary


# --- GitLab -------------------------------------------------------------------------------


ISSUE_KEYS = {"description", "check_name", "fingerprint", "severity", "location", "categories"}
GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def gitlab_issues(result: ScanResult) -> list[dict[str, Any]]:
    output = render_gitlab(result)
    assert output.endswith("\n")
    output.encode("ascii")
    issues = json.loads(output)
    assert isinstance(issues, list)
    for issue in issues:
        validate_code_quality_issue(issue)
    fingerprints = [issue["fingerprint"] for issue in issues]
    assert len(set(fingerprints)) == len(fingerprints), "GitLab needs unique fingerprints"
    return issues


def validate_code_quality_issue(issue: Any) -> None:
    """The parts of the Code Quality format GitLab requires, and their types."""
    assert isinstance(issue, dict)
    assert set(issue) == ISSUE_KEYS
    for key in ("description", "check_name", "fingerprint"):
        assert isinstance(issue[key], str)
        assert issue[key]
    assert issue["severity"] in GITLAB_SEVERITIES
    assert issue["categories"] == ["Security"]
    location = issue["location"]
    assert isinstance(location, dict)
    assert set(location) == {"path", "lines"}
    assert isinstance(location["path"], str)
    assert not location["path"].startswith("/")
    lines = location["lines"]
    assert set(lines) == {"begin", "end"}
    assert all(type(lines[key]) is int and lines[key] >= 1 for key in lines)
    assert lines["begin"] <= lines["end"]


def test_gitlab_issue_exactly() -> None:
    issues = gitlab_issues(sample_result())
    assert issues[2] == {
        "description": "FG301 request.args['q'] reaches cursor.execute() as SQL text.",
        "check_name": "FG301",
        "fingerprint": "a" * 32,
        "severity": "critical",
        "location": {"path": "views/user pages/ünïcode.py", "lines": {"begin": 30, "end": 31}},
        "categories": ["Security"],
    }


def test_gitlab_active_findings_in_report_order() -> None:
    issues = gitlab_issues(sample_result())
    assert [(i["location"]["path"], i["check_name"]) for i in issues] == [
        ("app.py", "FG201"),
        ("app.py", "FG100"),
        ("views/user pages/ünïcode.py", "FG301"),
        ("z.py", "FG500"),
    ]
    assert "c" * 32 not in {i["fingerprint"] for i in issues}  # the suppressed one


@pytest.mark.parametrize(
    ("severity", "expected"),
    [
        (Severity.CRITICAL, "blocker"),
        (Severity.HIGH, "critical"),
        (Severity.MEDIUM, "major"),
        (Severity.LOW, "minor"),
        (Severity.INFO, "info"),
    ],
)
def test_gitlab_severity_mapping(severity: Severity, expected: str) -> None:
    issues = gitlab_issues(ScanResult(root=".", findings=[finding(severity=severity)]))
    assert issues[0]["severity"] == expected


def test_gitlab_empty_result_is_an_empty_array() -> None:
    assert render_gitlab(ScanResult(root=".")) == "[]\n"
    only_suppressed = ScanResult(root=".", findings=[finding(suppressed=True)])
    assert render_gitlab(only_suppressed) == "[]\n"


def test_gitlab_hostile_text() -> None:
    result = ScanResult(root=".", findings=[finding(path="bad\udcff.py", message=HOSTILE)])
    (issue,) = gitlab_issues(result)
    assert issue["description"] == f"FG100 {HOSTILE}"
    assert issue["location"]["path"] == "bad\ufffd.py"


# --- JUnit --------------------------------------------------------------------------------


def junit_tree(result: ScanResult, rules: Optional[list[RuleMeta]] = None) -> ET.Element:
    output = render_junit(result, RULES if rules is None else rules)
    assert output.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    assert output.endswith("\n")
    return ET.fromstring(output.encode("utf-8"))


def cases(suite: ET.Element) -> list[tuple[str, str, str]]:
    """(classname, name, outcome) of each test case."""
    out = []
    for case in suite.findall("testcase"):
        children = [child.tag for child in case]
        assert len(children) <= 1
        out.append((case.get("classname", ""), case.get("name", ""), "".join(children) or "pass"))
    return out


def flat(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ")


def test_junit_suite_and_cases() -> None:
    suite = junit_tree(sample_result())
    assert suite.tag == "testsuite"
    assert suite.get("name") == "flaskguard"
    assert cases(suite) == [
        ("FG201", "app.py:4", "failure"),
        ("FG100", "app.py:12", "failure"),
        ("FG301", "views/user pages/ünïcode.py:30", "failure"),
        ("FG500", "z.py:1", "failure"),
        ("FG910", "", "error"),
        ("FG903", "broken link.py", "error"),
        ("FG902", "new.py", "error"),
        # FG102 has only a suppressed finding: it passes.
        ("FG102", "debug-enabled", "pass"),
    ]
    assert suite.get("tests") == "8"
    assert suite.get("failures") == "4"
    assert suite.get("errors") == "3"
    assert suite.get("skipped") == "0"


def test_junit_failure_details() -> None:
    suite = junit_tree(sample_result())
    failure = suite.find("testcase[@classname='FG301']/failure")
    assert failure is not None
    assert failure.get("type") == "high"
    assert failure.get("message") == "request.args['q'] reaches cursor.execute() as SQL text."
    assert failure.text == (
        "views/user pages/ünïcode.py:30:5\n"
        "FG301 sql-injection (severity high, confidence medium)\n"
        "request.args['q'] reaches cursor.execute() as SQL text.\n"
        "Code:\n"
        "      cur.execute(\n"
        '          "SELECT * FROM t WHERE n = \'" + q + "\'")\n'
        "Remediation: Pass the value as a query parameter.\n"
        "CWE: CWE-89\n"
        "OWASP: A03:2021 Injection\n"
        "Trace:\n"
        "  views/user pages/ünïcode.py:20:9: request.args read here\n"
        "  db/helpers.py:4:5: passed to run_query()\n"
        "Related:\n"
        "  db/helpers.py:1:1: run_query is defined here\n"
        f"Fingerprint: {'a' * 32}"
    )
    error = suite.find("testcase[@classname='FG902']/error")
    assert error is not None
    assert error.get("message") == "match statement"
    assert error.text == "new.py:3:1: FG902 match statement"


def test_junit_failure_type_is_the_severity() -> None:
    for severity in Severity:
        suite = junit_tree(ScanResult(root=".", findings=[finding(severity=severity)]))
        failure = suite.find("testcase/failure")
        assert failure is not None
        assert failure.get("type") == severity.label


def test_junit_hostile_text_is_well_formed() -> None:
    hostile = finding(
        path="dir/<&>\x01\udcff ü.py",
        rule_id="FG100",
        message=HOSTILE,
        remediation="use &amp; and ]]> carefully\x0b",
        snippet="x = '\x00'",
    )
    diagnostic = Diagnostic("FG904", "<&\x02>.py", f"cannot decode: {HOSTILE}")
    output = render_junit(ScanResult(root=".", findings=[hostile], diagnostics=[diagnostic]), [])
    output.encode("ascii")  # non-ASCII only as character references
    suite = ET.fromstring(output)
    case = suite.find("testcase")
    assert case is not None
    assert case.get("name") == "dir/<&>\ufffd ü.py:12"
    failure = case.find("failure")
    assert failure is not None
    # Forbidden controls are removed. Whether CR and LF in attributes come back as such or
    # as spaces depends on how the Python version escapes them, so compare without them.
    stripped = HOSTILE.replace("\x00", "").replace("\x01", "").replace("\x1b", "")
    assert flat(failure.get("message", "")) == flat(stripped)
    assert failure.text is not None
    assert "use &amp; and ]]> carefully\n" in failure.text
    assert "\U0001f600" in failure.text
    error = suite.find("testcase[@classname='FG904']/error")
    assert error is not None
    assert flat(error.get("message", "")) == flat(f"cannot decode: {stripped}")
    assert suite.findall("testcase")[1].get("name") == "<&>.py"


def test_junit_empty_result() -> None:
    suite = junit_tree(ScanResult(root="."), [])
    assert suite.get("tests") == "0"
    assert suite.get("failures") == "0"
    assert suite.get("errors") == "0"
    assert list(suite) == []


def test_junit_all_rules_pass_when_there_are_no_findings() -> None:
    suite = junit_tree(ScanResult(root=".", findings=[finding(suppressed=True)]))
    assert cases(suite) == [(r.id, r.name, "pass") for r in RULES]
    assert suite.get("tests") == str(len(RULES))
    assert suite.get("failures") == "0"


def test_junit_finding_of_a_rule_outside_the_run_still_fails() -> None:
    suite = junit_tree(ScanResult(root=".", findings=[finding(rule_id="FG999")]), [rule()])
    assert cases(suite) == [
        ("FG999", "app.py:12", "failure"),
        ("FG100", "dev-server-at-import", "pass"),
    ]
