"""Labelled corpus for the FG1xx rules (FG100-FG105): one tiny project per directory.

Each directory under ``tests/fixtures/fg1xx/`` is scanned on its own (the directory is the
project root) and the unsuppressed FG1xx findings must match the labels exactly: a finding
without a label and a label without a finding both fail. Labels are written from the rule
specification (issue 2, FLASK_SECURITY.md sections 1, 2, 8), not from the implementation;
see ``tests/fixtures/fg1xx/README.md`` for the syntax and what each group of cases covers.

Label syntax
------------
* Python files: a trailing comment on the line where the finding is reported::

      app.run(debug=True)  # expect: FG100 high
      socketio.run(app, allow_unsafe_werkzeug=True)  # expect: FG100, FG105

* Other files (``Procfile``, ``Dockerfile``, ``.env`` ...): a file ``EXPECTED`` in the case
  directory with one line per finding, ``relpath:line RULE [severity]``::

      Procfile:1 FG104
      .flaskenv:2 FG101 info

The severity is optional; when given, it must match too. A case without labels expects no
FG1xx finding at all.
"""

from __future__ import annotations

import re
import tokenize
from pathlib import Path
from typing import Optional

import pytest

try:
    from flaskguard.scan import run_scan
except ImportError:
    run_scan = None

FIXTURES = Path(__file__).parent / "fixtures" / "fg1xx"
RULE_PREFIX = "FG1"

Key = tuple[str, int, str]  # (root-relative path, 1-based line, rule id)
Expectations = dict[Key, Optional[str]]  # -> expected severity label or None

_SEVERITIES = ("critical", "high", "medium", "low", "info")
_LABEL_RE = re.compile(r"#\s*expect:\s*(?P<body>.*?)\s*$")
_ITEM_RE = re.compile(r"^(?P<rule>FG1\d\d)(?:\s+(?P<severity>" + "|".join(_SEVERITIES) + r"))?$")
_EXPECTED_LINE_RE = re.compile(r"^(?P<path>[^\s:]+):(?P<line>\d+)\s+(?P<body>.+?)\s*$")


class LabelError(Exception):
    """A malformed label in the corpus (a bug in the fixture, not in the scanner)."""


def _case_dirs() -> list[Path]:
    return sorted(p for p in FIXTURES.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def _parse_items(body: str, where: str) -> list[tuple[str, Optional[str]]]:
    items = []
    for raw in body.split(","):
        raw = " ".join(raw.split())
        match = _ITEM_RE.match(raw)
        if not match:
            raise LabelError(f"{where}: malformed label item {raw!r} in {body!r}")
        items.append((match.group("rule"), match.group("severity")))
    return items


def _add(expected: Expectations, key: Key, severity: Optional[str], where: str) -> None:
    if key in expected and expected[key] != severity:
        raise LabelError(f"{where}: conflicting labels for {key}")
    expected[key] = severity


def _python_labels(case_dir: Path, path: Path, expected: Expectations) -> None:
    rel = path.relative_to(case_dir).as_posix()
    with path.open("rb") as handle:
        for token in tokenize.tokenize(handle.readline):
            if token.type != tokenize.COMMENT:
                continue
            match = _LABEL_RE.match(token.string)
            if not match:
                continue
            line = token.start[0]
            where = f"{case_dir.name}/{rel}:{line}"
            for rule, severity in _parse_items(match.group("body"), where):
                _add(expected, (rel, line, rule), severity, where)


def _expected_file_labels(case_dir: Path, expected: Expectations) -> None:
    path = case_dir / "EXPECTED"
    if not path.is_file():
        return
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        text = text.strip()
        if not text or text.startswith("#"):
            continue
        where = f"{case_dir.name}/EXPECTED:{number}"
        match = _EXPECTED_LINE_RE.match(text)
        if not match:
            raise LabelError(f"{where}: expected 'relpath:line RULE [severity]', got {text!r}")
        rel = match.group("path")
        if not (case_dir / rel).is_file():
            raise LabelError(f"{where}: {rel} does not exist in the case")
        for rule, severity in _parse_items(match.group("body"), where):
            _add(expected, (rel, int(match.group("line")), rule), severity, where)


def load_expectations(case_dir: Path) -> Expectations:
    expected: Expectations = {}
    for path in sorted(case_dir.rglob("*.py")):
        if "__pycache__" not in path.parts:
            _python_labels(case_dir, path, expected)
    _expected_file_labels(case_dir, expected)
    return expected


def _finding_path(finding) -> str:
    return str(finding.path).replace("\\", "/")


def _describe(finding) -> str:
    confidence = getattr(finding, "confidence", None)
    confidence_label = getattr(confidence, "label", None) or getattr(confidence, "name", confidence)
    return (
        f"  {_finding_path(finding)}:{finding.span.start_line} {finding.rule_id} "
        f"[{finding.severity.label}, confidence {confidence_label}] {finding.message}"
    )


def _fmt_key(key: Key, severity: Optional[str] = None) -> str:
    path, line, rule = key
    return f"  {path}:{line} {rule}" + (f" {severity}" if severity else "")


CASES = _case_dirs()


@pytest.mark.parametrize("case_dir", CASES, ids=[p.name for p in CASES])
def test_fixture_case(case_dir: Path) -> None:
    expected = load_expectations(case_dir)

    result = run_scan([case_dir], root=case_dir)
    findings = [
        f for f in result.findings if not f.suppressed and f.rule_id.startswith(RULE_PREFIX)
    ]

    actual: dict[Key, list[object]] = {}
    for finding in findings:
        key = (_finding_path(finding), finding.span.start_line, finding.rule_id)
        actual.setdefault(key, []).append(finding)

    missing = sorted(set(expected) - set(actual))
    unexpected = sorted(set(actual) - set(expected))
    wrong_severity = sorted(
        key
        for key, severity in expected.items()
        if severity is not None
        and key in actual
        and any(f.severity.label != severity for f in actual[key])
    )

    if not (missing or unexpected or wrong_severity):
        return

    lines = [f"case {case_dir.name}: findings do not match the labels"]
    if missing:
        lines.append("missing (labelled, not reported):")
        lines += [_fmt_key(key, expected[key]) for key in missing]
    if unexpected:
        lines.append("unexpected (reported, not labelled):")
        lines += [_describe(f) for key in unexpected for f in actual[key]]
    if wrong_severity:
        lines.append("wrong severity (expected -> reported):")
        lines += [
            f"{_fmt_key(key, expected[key])} -> "
            + ", ".join(sorted({f.severity.label for f in actual[key]}))
            for key in wrong_severity
        ]
    lines.append("all FG1xx findings of the case:")
    lines += [_describe(f) for f in findings] or ["  (none)"]
    suppressed = [f for f in result.findings if f.suppressed and f.rule_id.startswith(RULE_PREFIX)]
    if suppressed:
        lines.append("suppressed FG1xx findings (ignored by this test):")
        lines += [_describe(f) for f in suppressed]
    diagnostics = list(getattr(result, "diagnostics", None) or [])
    if diagnostics:
        lines.append("diagnostics:")
        lines += [f"  {d}" for d in diagnostics]
    pytest.fail("\n".join(lines), pytrace=False)
