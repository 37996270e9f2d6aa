from __future__ import annotations

import json
from pathlib import Path
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
from flaskguard.report.sarif import render_sarif
from flaskguard.rules.base import RuleMeta
from report_samples import sample_finding

SARIF_SCHEMA = json.loads(
    (Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text("utf-8")
)
VALIDATOR = jsonschema.Draft4Validator(SARIF_SCHEMA)
CODES = list(DIAGNOSTIC_CODES)

DOC = """\
## What it does
Checks for `app.run()` calls that run
when a WSGI server imports the module.

It also looks at `socketio.run`.

## Why is this bad?
The **Werkzeug debugger** lets *anyone* run code; read [the docs](https://flask.palletsprojects.com/debugging/).
Keep SECRET_KEY, __main__, *args and snake_case_names intact.

## Example
```python
# a comment, not a heading
app.run(debug=True)
```
"""


def rule(**overrides: Any) -> RuleMeta:
    fields: dict[str, Any] = {
        "id": "FG100",
        "name": "dev-server-at-import",
        "summary": "Development server started at import time",
        "severity": Severity.CRITICAL,
        "confidence": Confidence.HIGH,
        "cwe": (489, 668),
        "owasp": "A05:2021",
        "tags": ("debug", "security"),
        "fixable": True,
        "doc": DOC,
    }
    fields.update(overrides)
    return RuleMeta(**fields)


RULES = [
    rule(),
    rule(
        id="FG301",
        name="sql-injection",
        summary="User input reaches SQL text",
        severity=Severity.HIGH,
        confidence=Confidence.MEDIUM,
        cwe=(89,),
        owasp="A03:2021",
        tags=("taint",),
        fixable=False,
        doc="Flags SQL built from request data.",
    ),
    rule(
        id="FG102",
        name="debug-enabled",
        summary="Debug mode enabled",
        severity=Severity.MEDIUM,
        confidence=Confidence.LOW,
        cwe=(489,),
        tags=(),
        doc="",
    ),
    rule(id="FG103", name="low-rule", summary="Low", severity=Severity.LOW, doc=""),
    rule(id="FG104", name="info-rule", summary="Info", severity=Severity.INFO, doc=""),
]


finding = sample_finding


def sample_result(root: str = "/srv/my project/ünï") -> ScanResult:
    return ScanResult(
        root=root,
        findings=[
            finding(
                rule_id="FG301",
                rule_name="sql-injection",
                severity=Severity.HIGH,
                confidence=Confidence.MEDIUM,
                path="views/user pages/ünïcode#1.py",
                span=Span(30, 5, 31, 6),
                message="request.args['q'] reaches cursor.execute() as SQL text.",
                cwe=(89,),
                owasp="A03:2021",
                fingerprint="a" * 32,
                snippet='    cur.execute(\n        "SELECT " + q)\n',
                trace=(
                    RelatedLocation("views/user pages/ünïcode#1.py", 20, 9, "request.args read"),
                    RelatedLocation("db/helpers.py", 4, 5, "passed to run_query()"),
                ),
                related_locations=(RelatedLocation("db/helpers.py", 1, 1, "defined here"),),
            ),
            finding(
                fix=Fix(
                    applicability="safe",
                    description="Guard the call with a __main__ check.",
                    edits=(Edit(Span(12, 1, 12, 1), 'if __name__ == "__main__":\n    '),),
                )
            ),
            finding(
                rule_id="FG102",
                rule_name="debug-enabled",
                severity=Severity.LOW,
                path="config.py",
                fingerprint="c" * 32,
                snippet="",
                suppressed=True,
                suppression_reason="local development only",
            ),
            finding(
                rule_id="FG103",
                rule_name="low-rule",
                severity=Severity.INFO,
                path="config.py",
                span=Span(2, 1, 2, 4),
                fingerprint="d" * 32,
                suppressed=True,
            ),
            finding(rule_id="FG999", rule_name="not-in-rules", path="z.py", fingerprint="e"),
        ],
        diagnostics=[
            Diagnostic(
                "FG902", "new.py", "match statement", line=3, column=1, requires_python="3.10"
            ),
            Diagnostic("FG903", "broken link.py", "Permission denied.", line=7),
            Diagnostic("FG910", "", "The taint analysis failed."),
        ],
        stats=ScanStats(files_scanned=5, python_files=5, python_files_analysed=3),
    )


def sarif(result: ScanResult, rules: list[RuleMeta] = RULES, version: str = "0.1.0") -> Any:
    log = json.loads(render_sarif(result, rules, tool_version=version))
    VALIDATOR.validate(log)
    return log


def run_of(log: Any) -> Any:
    assert len(log["runs"]) == 1
    return log["runs"][0]


def result_for(log: Any, rule_id: str) -> Any:
    (match,) = [r for r in run_of(log)["results"] if r["ruleId"] == rule_id]
    return match


def test_schema_copy_is_the_oasis_schema() -> None:
    jsonschema.Draft4Validator.check_schema(SARIF_SCHEMA)
    assert SARIF_SCHEMA["id"].endswith("sarif-schema-2.1.0.json")


def test_schema_validation_is_effective() -> None:
    log = sarif(sample_result())
    log["runs"][0]["results"][0]["level"] = "critical"
    with pytest.raises(jsonschema.ValidationError):
        VALIDATOR.validate(log)


def test_log_header_and_run_properties() -> None:
    log = sarif(sample_result())
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    run = run_of(log)
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["originalUriBaseIds"] == {
        "%SRCROOT%": {"uri": "file:///srv/my%20project/%C3%BCn%C3%AF/"}
    }


def test_root_uri_always_ends_with_a_slash() -> None:
    assert run_of(sarif(ScanResult(root="/")))["originalUriBaseIds"]["%SRCROOT%"] == {
        "uri": "file:///"
    }
    relative = run_of(sarif(ScanResult(root=".")))["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert relative == Path.cwd().as_uri().rstrip("/") + "/"


def test_driver() -> None:
    driver = run_of(sarif(sample_result()))["tool"]["driver"]
    assert driver["name"] == "flaskguard"
    assert driver["version"] == "0.1.0"
    assert driver["semanticVersion"] == "0.1.0"
    assert driver["informationUri"] == "https://github.com/flaskguard/flaskguard"
    assert [r["id"] for r in driver["rules"]] == ["FG100", "FG301", "FG102", "FG103", "FG104"]
    assert [n["id"] for n in driver["notifications"]] == list(DIAGNOSTIC_CODES)


def test_semantic_version_only_for_semver_versions() -> None:
    driver = run_of(sarif(ScanResult(root="/r"), version="0.2.0.dev1"))["tool"]["driver"]
    assert driver["version"] == "0.2.0.dev1"
    assert "semanticVersion" not in driver
    driver = run_of(sarif(ScanResult(root="/r"), version="1.0.0-rc.1+g1234"))["tool"]["driver"]
    assert driver["semanticVersion"] == "1.0.0-rc.1+g1234"


def test_rule_descriptor_exactly() -> None:
    descriptor = run_of(sarif(sample_result()))["tool"]["driver"]["rules"][0]
    assert descriptor == {
        "id": "FG100",
        "name": "dev-server-at-import",
        "shortDescription": {"text": "Development server started at import time"},
        "fullDescription": {
            "text": "Checks for app.run() calls that run when a WSGI server imports the module."
        },
        "help": {
            "text": (
                "What it does\n"
                "Checks for app.run() calls that run\n"
                "when a WSGI server imports the module.\n"
                "\n"
                "It also looks at socketio.run.\n"
                "\n"
                "Why is this bad?\n"
                "The Werkzeug debugger lets anyone run code; read the docs "
                "(https://flask.palletsprojects.com/debugging/).\n"
                "Keep SECRET_KEY, __main__, *args and snake_case_names intact.\n"
                "\n"
                "Example\n"
                "    # a comment, not a heading\n"
                "    app.run(debug=True)"
            ),
            "markdown": DOC.strip(),
        },
        "defaultConfiguration": {"level": "error"},
        "properties": {
            "tags": [
                "security",
                "external/cwe/cwe-489",
                "external/cwe/cwe-668",
                "A05:2021",
                "debug",
            ],
            "precision": "high",
            "security-severity": "9.5",
            "problem.severity": "error",
        },
    }


def test_rule_without_sections_falls_back_to_summary() -> None:
    rules = run_of(sarif(sample_result()))["tool"]["driver"]["rules"]
    sql = rules[1]
    assert sql["fullDescription"] == {"text": "User input reaches SQL text"}
    assert sql["help"] == {
        "text": "Flags SQL built from request data.",
        "markdown": "Flags SQL built from request data.",
    }
    undocumented = rules[2]
    assert undocumented["help"] == {"text": "Debug mode enabled", "markdown": "Debug mode enabled"}


@pytest.mark.parametrize(
    ("index", "level", "security_severity", "problem_severity", "precision"),
    [
        (0, "error", "9.5", "error", "high"),
        (1, "error", "8.0", "error", "medium"),
        (2, "warning", "5.5", "warning", "low"),
        (3, "note", "3.0", "recommendation", "high"),
        (4, "note", "1.0", "recommendation", "high"),
    ],
)
def test_rule_severity_mapping(
    index: int, level: str, security_severity: str, problem_severity: str, precision: str
) -> None:
    descriptor = run_of(sarif(sample_result()))["tool"]["driver"]["rules"][index]
    assert descriptor["defaultConfiguration"] == {"level": level}
    assert descriptor["properties"]["security-severity"] == security_severity
    assert descriptor["properties"]["problem.severity"] == problem_severity
    assert descriptor["properties"]["precision"] == precision


def test_results_include_suppressed_findings_in_report_order() -> None:
    results = run_of(sarif(sample_result()))["results"]
    assert [(r["ruleId"], r.get("ruleIndex")) for r in results] == [
        ("FG100", 0),
        ("FG103", 3),
        ("FG102", 2),
        ("FG301", 1),
        ("FG999", None),
    ]
    assert "ruleIndex" not in results[-1]


def test_result_exactly() -> None:
    assert result_for(sarif(sample_result()), "FG100") == {
        "ruleId": "FG100",
        "ruleIndex": 0,
        "level": "error",
        "message": {
            "text": "The development server starts when a WSGI server imports this module."
        },
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": "app.py", "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 12, "startColumn": 1, "endLine": 12, "endColumn": 20},
                    "contextRegion": {
                        "startLine": 12,
                        "endLine": 12,
                        "snippet": {"text": "app.run(debug=True)"},
                    },
                }
            }
        ],
        "partialFingerprints": {"flaskguard/v1": "f" * 32},
        "properties": {
            "severity": "critical",
            "confidence": "high",
            "cwe": [489, 668],
            "owasp": "A05:2021",
        },
        "fixes": [
            {
                "description": {"text": "Guard the call with a __main__ check."},
                "artifactChanges": [
                    {
                        "artifactLocation": {"uri": "app.py", "uriBaseId": "%SRCROOT%"},
                        "replacements": [
                            {
                                "deletedRegion": {
                                    "startLine": 12,
                                    "startColumn": 1,
                                    "endLine": 12,
                                    "endColumn": 1,
                                },
                                "insertedContent": {"text": 'if __name__ == "__main__":\n    '},
                            }
                        ],
                    }
                ],
                "properties": {"applicability": "safe"},
            }
        ],
    }


def test_level_follows_the_findings_own_severity() -> None:
    log = sarif(sample_result())
    assert result_for(log, "FG301")["level"] == "error"
    assert result_for(log, "FG102")["level"] == "note"  # graded down from the rule's medium
    assert result_for(log, "FG102")["properties"]["severity"] == "low"


def test_suppressions() -> None:
    log = sarif(sample_result())
    assert result_for(log, "FG102")["suppressions"] == [
        {"kind": "inSource", "justification": "local development only"}
    ]
    assert result_for(log, "FG103")["suppressions"] == [{"kind": "inSource"}]
    assert "suppressions" not in result_for(log, "FG100")


def test_paths_are_percent_encoded_relative_uris() -> None:
    location = result_for(sarif(sample_result()), "FG301")["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {
        "uri": "views/user%20pages/%C3%BCn%C3%AFcode%231.py",
        "uriBaseId": "%SRCROOT%",
    }
    assert location["region"] == {"startLine": 30, "startColumn": 5, "endLine": 31, "endColumn": 6}
    # A path whose first segment looks like a URI scheme must not read as one.
    colon = sarif(ScanResult(root="/r", findings=[finding(path="c:x.py")]))
    uri = run_of(colon)["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri["uri"] == "c%3Ax.py"


def test_multi_line_snippet_is_a_context_region() -> None:
    location = result_for(sarif(sample_result()), "FG301")["locations"][0]["physicalLocation"]
    assert location["contextRegion"] == {
        "startLine": 30,
        "endLine": 31,
        "snippet": {"text": '    cur.execute(\n        "SELECT " + q)\n'},
    }
    suppressed = result_for(sarif(sample_result()), "FG102")["locations"][0]["physicalLocation"]
    assert "contextRegion" not in suppressed


def test_fingerprints_are_partial_only() -> None:
    for result in run_of(sarif(sample_result()))["results"]:
        assert list(result["partialFingerprints"]) == ["flaskguard/v1"]
        assert "fingerprints" not in result


def test_related_locations_and_code_flows() -> None:
    result = result_for(sarif(sample_result()), "FG301")
    assert result["relatedLocations"] == [
        {
            "id": 0,
            "physicalLocation": {
                "artifactLocation": {"uri": "db/helpers.py", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 1, "startColumn": 1},
            },
            "message": {"text": "defined here"},
        }
    ]
    assert result["codeFlows"] == [
        {
            "threadFlows": [
                {
                    "locations": [
                        {
                            "location": {
                                "physicalLocation": {
                                    "artifactLocation": {
                                        "uri": "views/user%20pages/%C3%BCn%C3%AFcode%231.py",
                                        "uriBaseId": "%SRCROOT%",
                                    },
                                    "region": {"startLine": 20, "startColumn": 9},
                                },
                                "message": {"text": "request.args read"},
                            }
                        },
                        {
                            "location": {
                                "physicalLocation": {
                                    "artifactLocation": {
                                        "uri": "db/helpers.py",
                                        "uriBaseId": "%SRCROOT%",
                                    },
                                    "region": {"startLine": 4, "startColumn": 5},
                                },
                                "message": {"text": "passed to run_query()"},
                            }
                        },
                    ]
                }
            ]
        }
    ]
    plain = result_for(sarif(sample_result()), "FG100")
    assert "codeFlows" not in plain
    assert "relatedLocations" not in plain


def test_fix_without_edits_is_not_emitted() -> None:
    empty = finding(fix=Fix(applicability="safe", description="nothing", edits=()))
    assert "fixes" not in run_of(sarif(ScanResult(root="/r", findings=[empty])))["results"][0]


def test_diagnostics_become_tool_execution_notifications() -> None:
    (invocation,) = run_of(sarif(sample_result()))["invocations"]
    assert invocation["executionSuccessful"] is True
    assert invocation["toolExecutionNotifications"] == [
        {
            "level": "error",
            "message": {"text": "The taint analysis failed."},
            "descriptor": {"id": "FG910", "index": CODES.index("FG910")},
        },
        {
            "level": "warning",
            "message": {"text": "Permission denied."},
            "descriptor": {"id": "FG903", "index": CODES.index("FG903")},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": "broken%20link.py", "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": 7},
                    }
                }
            ],
        },
        {
            "level": "warning",
            "message": {"text": "match statement"},
            "descriptor": {"id": "FG902", "index": CODES.index("FG902")},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": "new.py", "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": 3, "startColumn": 1},
                    }
                }
            ],
            "properties": {"requiresPython": "3.10"},
        },
    ]


def test_notification_without_line_has_no_region() -> None:
    result = ScanResult(root="/r", diagnostics=[Diagnostic("FG905", "blob.py", "binary")])
    (notification,) = run_of(sarif(result))["invocations"][0]["toolExecutionNotifications"]
    assert notification["locations"] == [
        {"physicalLocation": {"artifactLocation": {"uri": "blob.py", "uriBaseId": "%SRCROOT%"}}}
    ]


def test_empty_result_is_a_valid_log() -> None:
    run = run_of(sarif(ScanResult(root="/r"), rules=[]))
    assert run["results"] == []
    assert run["tool"]["driver"]["rules"] == []
    assert run["invocations"][0]["toolExecutionNotifications"] == []


def test_output_is_ascii_with_trailing_newline() -> None:
    text = render_sarif(sample_result(), RULES, tool_version="0.1.0")
    assert text.endswith("}\n")
    assert text.isascii()


def test_render_dispatches_to_sarif() -> None:
    result = sample_result()
    assert render("sarif", result, RULES, tool_version="0.1.0") == render_sarif(
        result, RULES, tool_version="0.1.0"
    )
