from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

import jsonschema
import pytest

from flaskguard.findings import (
    DIAGNOSTIC_CODES,
    Confidence,
    Diagnostic,
    Edit,
    Fix,
    RelatedLocation,
    ScanResult,
    ScanStats,
    Severity,
    Span,
)
from flaskguard.report import render
from flaskguard.report.json_report import render_json
from report_samples import sample_finding

SCHEMA = json.loads(
    resources.files("flaskguard.report").joinpath("report.schema.json").read_text("utf-8")
)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


finding = sample_finding


def sample_result() -> ScanResult:
    fixed = finding(
        fix=Fix(
            applicability="unsafe",
            description="Guard the call with a __main__ check.",
            edits=(
                Edit(Span(12, 1, 12, 1), 'if __name__ == "__main__":\n    '),
                Edit(Span(12, 20, 12, 20), ""),
            ),
        )
    )
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
        fix_unavailable_reason="The query is built in another function.",
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
        path="app.py",
        span=Span(4, 1, 4, 30),
        message="SECRET_KEY is a literal string.",
        cwe=(798,),
        owasp="A07:2021",
        fingerprint="b" * 32,
        snippet='SECRET_KEY = "********"',
    )
    explained = finding(
        rule_id="FG102",
        rule_name="debug-enabled",
        severity=Severity.LOW,
        path="config.py",
        fingerprint="c" * 32,
        suppressed=True,
        suppression_reason="only for local development",
    )
    bare = finding(
        rule_id="FG103",
        rule_name="dev-server-all-interfaces",
        severity=Severity.INFO,
        path="config.py",
        span=Span(2, 1, 2, 10),
        fingerprint="d" * 32,
        suppressed=True,
    )
    diagnostics = [
        Diagnostic("FG910", "", "The taint analysis failed: RecursionError."),
        Diagnostic("FG902", "new.py", "match statement", line=3, column=1, requires_python="3.10"),
        Diagnostic("FG903", "broken link.py", "Permission denied."),
    ]
    return ScanResult(
        root="/srv/project",
        findings=[tainted, fixed, explained, secret, bare],
        diagnostics=diagnostics,
        stats=ScanStats(
            files_scanned=12,
            python_files=10,
            python_files_analysed=8,
            other_files=2,
            duration_s=1.23456,
            findings=3,
            suppressed=2,
            diagnostics=3,
        ),
    )


def report(result: ScanResult) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render_json(result, tool_version="0.1.0"))
    VALIDATOR.validate(data)
    return data


def test_schema_is_valid_and_shipped_with_the_package() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_top_level_shape() -> None:
    data = report(sample_result())
    assert list(data) == [
        "schema_version",
        "tool",
        "root",
        "findings",
        "suppressed",
        "diagnostics",
        "stats",
    ]
    assert data["schema_version"] == 1
    assert data["tool"] == {"name": "flaskguard", "version": "0.1.0"}
    assert data["root"] == "/srv/project"


def test_findings_are_active_only_and_sorted() -> None:
    data = report(sample_result())
    assert [(f["path"], f["start_line"], f["rule_id"]) for f in data["findings"]] == [
        ("app.py", 4, "FG201"),
        ("app.py", 12, "FG100"),
        ("views/user pages/ünïcode.py", 30, "FG301"),
    ]
    assert all("suppression_reason" not in f for f in data["findings"])


def test_same_position_is_ordered_by_rule_id() -> None:
    result = ScanResult(
        root="/r",
        findings=[
            finding(rule_id="FG110", fingerprint="1"),
            finding(rule_id="FG100", fingerprint="2"),
            finding(rule_id="FG105", span=Span(12, 1, 12, 5), fingerprint="3"),
            finding(rule_id="FG999", span=Span(12, 1, 12, 2), path="a.py", fingerprint="4"),
        ],
    )
    data = report(result)
    assert [f["rule_id"] for f in data["findings"]] == ["FG999", "FG100", "FG105", "FG110"]


def test_finding_fields_exactly() -> None:
    data = report(sample_result())
    assert data["findings"][1] == {
        "rule_id": "FG100",
        "rule_name": "dev-server-at-import",
        "severity": "critical",
        "confidence": "high",
        "path": "app.py",
        "start_line": 12,
        "start_column": 1,
        "end_line": 12,
        "end_column": 20,
        "message": "The development server starts when a WSGI server imports this module.",
        "remediation": 'Move app.run() under if __name__ == "__main__":.',
        "cwe": [489, 668],
        "owasp": "A05:2021",
        "fingerprint": "f" * 32,
        "snippet": "app.run(debug=True)",
        "fix": {
            "applicability": "unsafe",
            "description": "Guard the call with a __main__ check.",
            "edits": [
                {
                    "start_line": 12,
                    "start_column": 1,
                    "end_line": 12,
                    "end_column": 1,
                    "content": 'if __name__ == "__main__":\n    ',
                },
                {
                    "start_line": 12,
                    "start_column": 20,
                    "end_line": 12,
                    "end_column": 20,
                    "content": "",
                },
            ],
        },
        "fix_unavailable_reason": None,
        "related_locations": [],
        "trace": [],
    }


def test_trace_related_locations_and_non_ascii_path() -> None:
    data = report(sample_result())
    tainted = data["findings"][2]
    assert tainted["path"] == "views/user pages/ünïcode.py"
    assert tainted["fix"] is None
    assert tainted["fix_unavailable_reason"] == "The query is built in another function."
    assert tainted["trace"] == [
        {
            "path": "views/user pages/ünïcode.py",
            "line": 20,
            "column": 9,
            "message": "request.args read here",
        },
        {"path": "db/helpers.py", "line": 4, "column": 5, "message": "passed to run_query()"},
    ]
    assert tainted["related_locations"] == [
        {"path": "db/helpers.py", "line": 1, "column": 1, "message": "run_query is defined here"}
    ]
    assert tainted["cwe"] == [89]
    assert tainted["snippet"].startswith("    cur.execute(\n")


def test_suppressed_findings_carry_their_reason() -> None:
    data = report(sample_result())
    assert [(f["rule_id"], f["suppression_reason"]) for f in data["suppressed"]] == [
        ("FG103", None),
        ("FG102", "only for local development"),
    ]
    assert data["suppressed"][1]["severity"] == "low"


def test_diagnostics() -> None:
    data = report(sample_result())
    assert data["diagnostics"] == [
        {
            "code": "FG910",
            "name": "analysis-error",
            "path": "",
            "line": None,
            "column": None,
            "message": "The taint analysis failed: RecursionError.",
            "requires_python": None,
        },
        {
            "code": "FG903",
            "name": "unreadable-file",
            "path": "broken link.py",
            "line": None,
            "column": None,
            "message": "Permission denied.",
            "requires_python": None,
        },
        {
            "code": "FG902",
            "name": "requires-newer-python",
            "path": "new.py",
            "line": 3,
            "column": 1,
            "message": "match statement",
            "requires_python": "3.10",
        },
    ]


@pytest.mark.parametrize("code", sorted(DIAGNOSTIC_CODES))
def test_every_diagnostic_code_is_reportable(code: str) -> None:
    data = report(ScanResult(root="/r", diagnostics=[Diagnostic(code, "x.py", "m", line=1)]))
    assert data["diagnostics"][0]["name"] == DIAGNOSTIC_CODES[code][0]


def test_stats() -> None:
    assert report(sample_result())["stats"] == {
        "files_scanned": 12,
        "python_files": 10,
        "python_files_analysed": 8,
        "duration_s": 1.235,
        "findings": 3,
        "suppressed": 2,
        "diagnostics": 3,
        "by_severity": {"critical": 1, "high": 1, "medium": 1, "low": 0, "info": 0},
    }


def test_empty_result() -> None:
    data = report(ScanResult(root="."))
    assert data["findings"] == data["suppressed"] == data["diagnostics"] == []
    assert data["stats"]["by_severity"] == {
        "critical": 0,
        "high": 0,
        "medium": 0,
        "low": 0,
        "info": 0,
    }


def test_formatting() -> None:
    text = render_json(sample_result(), tool_version="0.1.0")
    assert text.endswith("}\n")
    assert text.splitlines()[1] == '  "schema_version": 1,'
    # Non-ASCII is escaped, so the report can be written to any stream, and round-trips.
    assert text.isascii()
    assert "ünïcode" in json.loads(text)["findings"][2]["path"]


def test_undecodable_path_does_not_break_serialisation() -> None:
    path = b"bad\xffname.py".decode("utf-8", "surrogateescape")
    text = render_json(ScanResult(root="/r", findings=[finding(path=path)]), tool_version="1")
    text.encode("utf-8")
    assert json.loads(text)["findings"][0]["path"] == path


def test_render_dispatches_to_json() -> None:
    result = sample_result()
    assert render("json", result, [], tool_version="0.1.0") == render_json(
        result, tool_version="0.1.0"
    )


@pytest.mark.parametrize(
    ("where", "key", "value"),
    [
        ((), "extra", 1),
        (("findings", 0), "extra", 1),
        (("findings", 0), "severity", "severe"),
        (("findings", 0), "suppression_reason", None),
        (("suppressed", 0), "confidence", "certain"),
        (("findings", 2, "trace", 0), "line", 0),
        (("findings", 1, "fix"), "applicability", "maybe"),
        (("diagnostics", 0), "code", "FG100"),
        (("stats", "by_severity"), "urgent", 0),
        (("tool",), "name", "other"),
    ],
)
def test_schema_rejects_contract_violations(
    where: tuple[str | int, ...], key: str, value: object
) -> None:
    data = report(sample_result())
    broken = copy.deepcopy(data)
    node: Any = broken
    for step in where:
        node = node[step]
    node[key] = value
    with pytest.raises(jsonschema.ValidationError):
        VALIDATOR.validate(broken)


@pytest.mark.parametrize("missing", ["suppression_reason", "fingerprint"])
def test_schema_requires_suppressed_fields(missing: str) -> None:
    broken = copy.deepcopy(report(sample_result()))
    del broken["suppressed"][0][missing]
    with pytest.raises(jsonschema.ValidationError):
        VALIDATOR.validate(broken)
