from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from flaskguard.findings import (
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
from report_samples import sample_finding


def finding(**overrides: Any) -> Finding:
    defaults: dict[str, Any] = {
        "message": "The development server starts at import.",
        "cwe": (489,),
    }
    return sample_finding(**{**defaults, **overrides})


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
    assert FORMATS == ("text", "json", "sarif", "github", "gitlab", "junit", "html")


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


# Verbosity and statistics (issue 7, "Text output polish").

ESCAPE_CODES = ("\x1b[1;35m", "\x1b[1;31m", "\x1b[33m", "\x1b[36m", "\x1b[2m", "\x1b[1m", "\x1b[0m")


def strip_colour(text: str) -> str:
    for code in ESCAPE_CODES:
        text = text.replace(code, "")
    return text


def test_defaults_are_normal_verbosity_without_statistics() -> None:
    result = sample_result()
    assert render_text(result, verbosity=0, statistics=False) == EXPECTED
    assert render_text(result, verbosity=0, color=True) == render_text(result, color=True)


def test_quiet_prints_one_line_per_finding_and_the_summary() -> None:
    assert render_text(sample_result(), verbosity=-1) == (
        "app.py:4:14: FG201 [high] SECRET_KEY is a literal string.\n"
        "app.py:12:1: FG100 [critical] The development server starts at import.\n"
        "views.py:30:9: FG301 [high] request.args['q'] reaches cursor.execute() as SQL text.\n"
        "\n"
        "Found 3 findings (1 critical, 2 high) in 12 files; 1 suppressed; "
        "2 files not analysed.\n"
    )


def test_quiet_below_minus_one_is_still_quiet() -> None:
    assert render_text(sample_result(), verbosity=-3) == render_text(sample_result(), verbosity=-1)


def test_quiet_without_findings_is_the_summary_line_only() -> None:
    result = ScanResult(
        root="/r",
        diagnostics=[Diagnostic("FG902", "a.py", "m", requires_python="3.12")],
        stats=stats(3, analysed=2),
    )
    assert render_text(result, verbosity=-1) == "No findings in 3 files; 1 file not analysed.\n"


def test_quiet_colours_only_the_severity() -> None:
    text = render_text(sample_result(), verbosity=-1, color=True)
    assert "FG100 \x1b[1;35m[critical]\x1b[0m The development" in text
    assert "\x1b" not in render_text(sample_result(), verbosity=-1)
    assert strip_colour(text) == render_text(sample_result(), verbosity=-1)


def test_quiet_escapes_untrusted_text() -> None:
    result = ScanResult(root="/r", findings=[finding(path="a\x1b[2J.py", message="x\ny")])
    assert render_text(result, verbosity=-1).splitlines()[0] == (
        "a\\x1b[2J.py:12:1: FG100 [critical] x\\x0ay"
    )


def test_verbose_adds_headers_metadata_trace_columns_and_severity_line() -> None:
    text = render_text(sample_result(), verbosity=1)
    lines = text.splitlines()
    # Everything normal mode prints is still there in the same order, except the "via" lines,
    # which verbose mode replaces with numbered steps that carry columns, and the autofix
    # line, which gains its edit count.
    remaining = iter(lines)
    for line in EXPECTED.splitlines():
        if line and not line.startswith(("  via ", "  autofix ")):
            assert line in remaining, line
    assert lines[0] == "app.py (2 findings)"
    assert lines[1] == "app.py:4:14: FG201 [high] SECRET_KEY is a literal string."
    assert "\nviews.py (1 finding)\nviews.py:30:9: FG301 [high]" in text
    assert "  rule: FG100 dev-server-at-import" in lines
    assert "  confidence: high" in lines
    assert "  cwe: CWE-489" in lines
    assert "  owasp: A05:2021" in lines
    assert "  fingerprint: " + "f" * 32 in lines
    assert "  autofix (safe): Guard the call with a __main__ check. [1 edit]" in lines
    assert "  trace 1: views.py:20:9: request.args['q'] is read here" in lines
    assert "  trace 2: db.py:4:5: and passed to run_query()" in lines
    assert "  related: db.py:1:1: run_query is defined here" in lines
    assert "  via " not in text
    assert lines[-3:] == [
        "critical 1 | high 2 | medium 0 | low 0 | info 0",
        EXPECTED.splitlines()[-2],
        EXPECTED.splitlines()[-1],
    ]


def test_normal_mode_has_no_verbose_sections() -> None:
    text = render_text(sample_result())
    for marker in ("confidence:", "fingerprint:", "cwe:", "owasp:", "trace 1:", " | high 2 |"):
        assert marker not in text
    assert "app.py (2 findings)" not in text


def test_verbose_multi_cwe_and_unavailable_autofix() -> None:
    result = ScanResult(
        root="/r",
        findings=[
            finding(cwe=(79, 116), owasp="", fix_unavailable_reason="the value is computed"),
        ],
    )
    lines = render_text(result, verbosity=2).splitlines()
    assert "  cwe: CWE-79, CWE-116" in lines
    assert "  no autofix: the value is computed" in lines
    assert not any(line.startswith("  owasp:") for line in lines)


def test_verbose_without_findings_has_no_severity_line() -> None:
    assert render_text(ScanResult(root="/r", stats=stats(2)), verbosity=1) == (
        "No findings in 2 files.\n"
    )


def test_verbose_colour() -> None:
    text = render_text(sample_result(), verbosity=1, color=True)
    assert text.startswith("\x1b[1mapp.py (2 findings)\x1b[0m\n")
    assert "\x1b[1;35mcritical\x1b[0m 1 | \x1b[1;31mhigh\x1b[0m 2 | medium 0 |" in text
    assert strip_colour(text) == render_text(sample_result(), verbosity=1)
    assert "\x1b" not in render_text(sample_result(), verbosity=1)


def statistics_result() -> ScanResult:
    specs = [
        ("FG301", "sql-injection", Severity.HIGH),
        ("FG100", "dev-server-at-import", Severity.CRITICAL),
        ("FG301", "sql-injection", Severity.CRITICAL),
        ("FG201", "hardcoded-secret-key", Severity.HIGH),
        ("FG301", "sql-injection", Severity.HIGH),
        ("FG500", "missing-csrf", Severity.MEDIUM),
        ("FG201", "hardcoded-secret-key", Severity.HIGH),
    ]
    return ScanResult(
        root="/r",
        findings=[
            finding(
                rule_id=rule,
                rule_name=name,
                severity=severity,
                span=Span(i + 1, 1, i + 1, 2),
                fingerprint=str(i),
            )
            for i, (rule, name, severity) in enumerate(specs)
        ]
        + [finding(rule_id="FG999", rule_name="suppressed-rule", suppressed=True)],
        stats=stats(4),
    )


STATISTICS = """\
count  rule   name                  critical  high  medium  low  info
    3  FG301  sql-injection                1     2       -    -     -
    2  FG201  hardcoded-secret-key         -     2       -    -     -
    1  FG100  dev-server-at-import         1     -       -    -     -
    1  FG500  missing-csrf                 -     -       1    -     -
    7  total                               2     4       1    -     -
"""


def test_statistics_table_sorted_by_count_then_rule() -> None:
    text = render_text(statistics_result(), statistics=True)
    assert ("\n\n" + STATISTICS + "\n" + "Found 7 findings") in text
    assert "FG999" not in text


def test_statistics_in_quiet_mode() -> None:
    text = render_text(statistics_result(), verbosity=-1, statistics=True)
    lines = text.splitlines()
    assert len(lines) == 7 + 1 + 6 + 1 + 1
    assert "\n".join(lines[8:14]) + "\n" == STATISTICS
    assert lines[-1] == "Found 7 findings (2 critical, 4 high, 1 medium) in 4 files; 1 suppressed."


def test_statistics_come_before_diagnostics_in_verbose_mode() -> None:
    text = render_text(sample_result(), verbosity=1, statistics=True)
    assert text.index("count  rule") < text.index("broken.py:7: FG901")
    assert text.index("fingerprint:") < text.index("count  rule")


def test_statistics_absent_by_default_and_without_findings() -> None:
    assert "count  rule" not in render_text(statistics_result())
    empty = ScanResult(root="/r", stats=stats(1))
    assert render_text(empty, statistics=True) == "No findings in 1 file.\n"
    assert render_text(empty, statistics=True, verbosity=-1) == "No findings in 1 file.\n"


def test_statistics_have_no_colour_and_escape_rule_names() -> None:
    result = ScanResult(root="/r", findings=[finding(rule_name="bad\x1bname")])
    text = render_text(result, statistics=True, color=True)
    table = text[text.index("count  rule") :]
    assert "\x1b" not in table.split("\n\n")[0]
    assert "bad\\x1bname" in table
