from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from flaskguard.findings import (
    Confidence,
    Diagnostic,
    Edit,
    Finding,
    Fix,
    RelatedLocation,
    ScanResult,
    ScanStats,
    Severity,
    Span,
)
from flaskguard.report import FORMATS, render
from flaskguard.report.text import render_text


def finding(**overrides: Any) -> Finding:
    fields: dict[str, Any] = {
        "rule_id": "FG100",
        "rule_name": "dev-server-at-import",
        "severity": Severity.CRITICAL,
        "confidence": Confidence.HIGH,
        "path": "app.py",
        "span": Span(12, 1, 12, 20),
        "message": "The development server starts at import.",
        "remediation": 'Move app.run() under if __name__ == "__main__":.',
        "cwe": (489,),
        "owasp": "A05:2021",
        "fingerprint": "f" * 32,
        "snippet": "app.run(debug=True)",
    }
    fields.update(overrides)
    return Finding(**fields)


def stats(files: int, python: int | None = None, analysed: int | None = None) -> ScanStats:
    python = files if python is None else python
    return ScanStats(
        files_scanned=files,
        python_files=python,
        python_files_analysed=python if analysed is None else analysed,
    )


def sample_result() -> ScanResult:
    return ScanResult(
        root="/srv/project",
        findings=[
            finding(
                rule_id="FG301",
                severity=Severity.HIGH,
                path="views.py",
                span=Span(30, 9, 31, 6),
                message="request.args['q'] reaches cursor.execute() as SQL text.",
                remediation="Pass the value as a query parameter.",
                snippet='        cur.execute(\n    "SELECT " + q)',
                trace=(
                    RelatedLocation("views.py", 20, 9, "request.args['q'] is read here"),
                    RelatedLocation("db.py", 4, 5, "and passed to run_query()"),
                ),
                related_locations=(RelatedLocation("db.py", 1, 1, "run_query is defined here"),),
            ),
            finding(
                fix=Fix(
                    applicability="safe",
                    description="Guard the call with a __main__ check.",
                    edits=(Edit(Span(12, 1, 12, 1), "if __name__ == '__main__':\n    "),),
                )
            ),
            finding(
                rule_id="FG201",
                severity=Severity.HIGH,
                span=Span(4, 14, 4, 24),
                message="SECRET_KEY is a literal string.",
                remediation="Read it from the environment.",
                snippet='SECRET_KEY = "********"',
            ),
            finding(rule_id="FG102", path="config.py", suppressed=True, suppression_reason="ok"),
        ],
        diagnostics=[
            Diagnostic("FG902", "new.py", "Uses a match statement.", requires_python="3.10"),
            Diagnostic("FG901", "broken.py", "invalid syntax", line=7, column=3),
        ],
        stats=stats(12, python=10, analysed=8),
    )


EXPECTED = """\
app.py:4:14: FG201 [high] SECRET_KEY is a literal string.
  4 | SECRET_KEY = "********"
    |              ^^^^^^^^^^
  fix: Read it from the environment.

app.py:12:1: FG100 [critical] The development server starts at import.
  12 | app.run(debug=True)
     | ^^^^^^^^^^^^^^^^^^^
  fix: Move app.run() under if __name__ == "__main__":.
  autofix (safe): Guard the call with a __main__ check.

views.py:30:9: FG301 [high] request.args['q'] reaches cursor.execute() as SQL text.
  30 |         cur.execute(
  31 |     "SELECT " + q)
  fix: Pass the value as a query parameter.
  via views.py:20: request.args['q'] is read here
  via db.py:4: and passed to run_query()
  via db.py:1: run_query is defined here

broken.py:7: FG901 invalid syntax
new.py: FG902 Uses a match statement.

Found 3 findings (1 critical, 2 high) in 12 files; 1 suppressed; 2 files not analysed.
1 file needs a newer Python: run flaskguard under Python 3.10 to analyse it.
"""


def test_full_report() -> None:
    assert render_text(sample_result()) == EXPECTED


def test_no_colour_means_no_escape_codes() -> None:
    assert "\x1b" not in render_text(sample_result(), color=False)


def test_colour_marks_severity_and_carets_only() -> None:
    text = render_text(sample_result(), color=True)
    assert "FG100 \x1b[1;35m[critical]\x1b[0m The development server" in text
    assert "FG201 \x1b[1;31m[high]\x1b[0m SECRET_KEY" in text
    assert "    |              \x1b[1;31m^^^^^^^^^^\x1b[0m\n" in text
    stripped = text
    for code in ("\x1b[1;35m", "\x1b[1;31m", "\x1b[0m"):
        stripped = stripped.replace(code, "")
    assert stripped == EXPECTED


@pytest.mark.parametrize(
    ("severity", "code"),
    [
        (Severity.CRITICAL, "\x1b[1;35m"),
        (Severity.HIGH, "\x1b[1;31m"),
        (Severity.MEDIUM, "\x1b[33m"),
        (Severity.LOW, "\x1b[36m"),
        (Severity.INFO, "\x1b[2m"),
    ],
)
def test_every_severity_has_a_colour(severity: Severity, code: str) -> None:
    text = render_text(ScanResult(root="/r", findings=[finding(severity=severity)]), color=True)
    assert f"{code}[{severity.label}]\x1b[0m" in text


def test_no_findings() -> None:
    assert render_text(ScanResult(root="/r", stats=stats(12))) == "No findings in 12 files.\n"
    assert render_text(ScanResult(root="/r", stats=stats(1))) == "No findings in 1 file.\n"


def test_no_active_findings_but_suppressed_and_unanalysed() -> None:
    result = ScanResult(
        root="/r",
        findings=[finding(suppressed=True)],
        diagnostics=[Diagnostic("FG905", "blob.py", "binary content")],
        stats=stats(3, python=3, analysed=2),
    )
    assert render_text(result) == (
        "blob.py: FG905 binary content\n"
        "\n"
        "No findings in 3 files; 1 suppressed; 1 file not analysed.\n"
    )


def test_singular_summary() -> None:
    result = ScanResult(root="/r", findings=[finding(severity=Severity.LOW)], stats=stats(1))
    assert render_text(result).endswith("\n\nFound 1 finding (1 low) in 1 file.\n")


def test_severity_breakdown_is_ordered_most_severe_first() -> None:
    severities = [Severity.INFO, Severity.MEDIUM, Severity.CRITICAL, Severity.MEDIUM]
    result = ScanResult(
        root="/r",
        findings=[
            finding(severity=s, span=Span(i + 1, 1, i + 1, 2), fingerprint=str(i))
            for i, s in enumerate(severities)
        ],
        stats=stats(2),
    )
    assert render_text(result).endswith(
        "Found 4 findings (1 critical, 2 medium, 1 info) in 2 files.\n"
    )


def test_newer_python_hint_names_the_newest_version_needed() -> None:
    result = ScanResult(
        root="/r",
        diagnostics=[
            Diagnostic("FG902", "a.py", "m", requires_python="3.9"),
            Diagnostic("FG902", "b.py", "m", requires_python="3.12"),
            Diagnostic("FG902", "c.py", "m", requires_python="3.10"),
        ],
        stats=stats(3, analysed=0),
    )
    assert render_text(result).splitlines()[-2:] == [
        "No findings in 3 files; 3 files not analysed.",
        "3 files need a newer Python: run flaskguard under Python 3.12 to analyse them.",
    ]


def test_findings_are_grouped_by_file_and_ordered() -> None:
    result = ScanResult(
        root="/r",
        findings=[
            finding(path="b.py", span=Span(1, 1, 1, 2), fingerprint="1"),
            finding(path="a.py", span=Span(9, 1, 9, 2), fingerprint="2"),
            finding(path="a.py", span=Span(2, 5, 2, 6), rule_id="FG200", fingerprint="3"),
            finding(path="a.py", span=Span(2, 5, 2, 6), rule_id="FG101", fingerprint="4"),
        ],
    )
    headers = [line.split(" [")[0] for line in render_text(result).splitlines() if " [" in line]
    assert headers == ["a.py:2:5: FG101", "a.py:2:5: FG200", "a.py:9:1: FG100", "b.py:1:1: FG100"]


def test_caret_aligns_with_tabs_and_wide_characters() -> None:
    snippet = "\tx = '日本' + eval(s)"
    start = snippet.index("eval") + 1
    result = ScanResult(
        root="/r", findings=[finding(span=Span(5, start, 5, start + 7), snippet=snippet)]
    )
    lines = render_text(result).splitlines()
    assert lines[1] == "  5 | \tx = '日本' + eval(s)"
    # The tab is repeated and each wide character takes two cells.
    assert lines[2] == "    | \t" + " " * 13 + "^^^^^^^"


def test_caret_is_clamped_to_a_redacted_line() -> None:
    result = ScanResult(
        root="/r", findings=[finding(span=Span(1, 14, 1, 60), snippet='KEY = "****"')]
    )
    assert render_text(result).splitlines()[2] == "    | " + " " * 12 + "^"


def test_multi_line_span_has_no_caret() -> None:
    result = ScanResult(root="/r", findings=[finding(span=Span(9, 1, 10, 3), snippet="a(\n)")])
    assert render_text(result).splitlines()[1:3] == ["   9 | a(", "  10 | )"]
    assert "^" not in render_text(result)


def test_finding_without_snippet_or_remediation() -> None:
    result = ScanResult(root="/r", findings=[finding(snippet="", remediation="")])
    assert render_text(result) == (
        "app.py:12:1: FG100 [critical] The development server starts at import.\n"
        "\n"
        "Found 1 finding (1 critical) in 0 files.\n"
    )


def test_snippet_is_printed_as_redacted() -> None:
    result = ScanResult(
        root="/r",
        findings=[finding(snippet='SECRET_KEY = "s3...(redacted)"', span=Span(1, 1, 1, 11))],
    )
    assert '  1 | SECRET_KEY = "s3...(redacted)"' in render_text(result)


def test_terminal_control_characters_are_escaped() -> None:
    evil = finding(
        path="evil\x1b]0;pwned\x07.py",
        message="line one\nline two",
        snippet='x = "\u202e\x1b[2J"',
        span=Span(1, 1, 1, 2),
        trace=(RelatedLocation("a\rb.py", 1, 1, "\x9b31m"),),
    )
    undecodable = b"bad\xffname.py".decode("utf-8", "surrogateescape")
    text = render_text(
        ScanResult(
            root="/r",
            findings=[evil],
            diagnostics=[Diagnostic("FG904", undecodable, "cannot decode")],
        )
    )
    assert "\x1b" not in text
    assert "\x07" not in text
    assert "\u202e" not in text
    assert "\x9b" not in text
    assert "\r" not in text
    assert "evil\\x1b]0;pwned\\x07.py:1:1: FG100" in text
    assert "line one\\x0aline two" in text
    assert '  1 | x = "\\u202e\\x1b[2J"' in text
    assert "  via a\\x0db.py:1: \\x9b31m" in text
    assert "bad\\udcffname.py: FG904 cannot decode" in text
    text.encode("utf-8")


def test_formats() -> None:
    assert FORMATS == ("text", "json", "sarif", "github", "gitlab", "junit")


def test_render_dispatches_to_text() -> None:
    result = sample_result()
    assert render("text", result, [], tool_version="0.1.0", color=True) == render_text(
        result, color=True
    )


def test_unknown_format_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown report format 'xml'"):
        render("xml", sample_result(), [], tool_version="0.1.0")


def test_reporters_are_imported_lazily() -> None:
    code = (
        "import sys, flaskguard.report\n"
        "loaded = [m for m in sys.modules if m.startswith('flaskguard.report.')]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
