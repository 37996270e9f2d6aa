"""Labelled fixture corpus: one tiny project per directory, one folder per rule family.

Each family folder ``tests/fixtures/fgNxx/`` (``fg1xx``, ``fg2xx``, ...) holds case directories.
A case directory is scanned on its own (the directory is the project root) and its unsuppressed
findings whose rule id starts with the family prefix (``FG1`` for ``fg1xx``, ``FG2`` for
``fg2xx`` ...) must match the labels exactly: a finding without a label and a label without a
finding both fail. Findings of other families are ignored, so a case may contain code that other
families would report, unlabelled. Labels are written from the rule specifications
(``FLASK_SECURITY.md``, the issue texts), not from the implementation; each family's
``README.md`` lists its cases and the interpretations it took.

Only the families in ``CHECKED_FAMILIES`` are scanned and compared: the rules of the others are
still being written. The labels of *every* family are validated now (syntax, known rule ids,
rule of the case's family, existing files and lines, Python that parses, README lists the case).

Label syntax
------------
* Python files: a trailing comment on the line where the finding is reported::

      app.run(debug=True)  # expect: FG100 high
      socketio.run(app, allow_unsafe_werkzeug=True)  # expect: FG100, FG105

* Other files (``Procfile``, ``Dockerfile``, ``.env``, templates ...): a file ``EXPECTED`` in
  the case directory with one line per finding, ``relpath:line RULE [severity]``::

      Procfile:1 FG104
      .flaskenv:2 FG101 info
      app/templates/page.html:3 FG507

The severity is optional; when given, it must match too. A case without labels expects no
finding of its family at all.
"""

from __future__ import annotations

import ast
import re
import tokenize
from pathlib import Path
from typing import Optional

import pytest

try:
    from flaskguard.scan import run_scan
except ImportError:
    run_scan = None

FIXTURES_ROOT = Path(__file__).parent / "fixtures"

# Families whose rules are implemented: their cases are scanned and compared with the labels.
# Add a family here when its rules land; the labels of all families are validated regardless.
CHECKED_FAMILIES = ("fg1xx", "fg2xx", "fg3xx", "fg4xx", "fg5xx", "fg6xx")


def _rule_range(first: int, last: int) -> set[str]:
    return {f"FG{number}" for number in range(first, last + 1)}


# Every rule id of the specification (issue 2, issue 4, issue 5 and FG700).
KNOWN_RULES = frozenset(
    _rule_range(100, 105)
    | _rule_range(200, 207)
    | _rule_range(300, 314)
    | _rule_range(400, 403)
    | _rule_range(500, 507)
    | _rule_range(600, 602)
    | {"FG700"}
)

Key = tuple[str, int, str]  # (root-relative path, 1-based line, rule id)
Expectations = dict[Key, Optional[str]]  # -> expected severity label or None

_FAMILY_RE = re.compile(r"^fg(?P<digit>\d)xx$")
_SEVERITIES = ("critical", "high", "medium", "low", "info")
_LABEL_RE = re.compile(r"#\s*expect:\s*(?P<body>.*?)\s*$")
_ITEM_RE = re.compile(r"^(?P<rule>FG\d{3})(?:\s+(?P<severity>" + "|".join(_SEVERITIES) + r"))?$")
_EXPECTED_LINE_RE = re.compile(r"^(?P<path>[^\s:]+):(?P<line>\d+)\s+(?P<body>.+?)\s*$")


class LabelError(Exception):
    """A malformed label in the corpus (a bug in the fixture, not in the scanner)."""


def _family_dirs() -> list[Path]:
    return sorted(
        p for p in FIXTURES_ROOT.iterdir() if p.is_dir() and _FAMILY_RE.match(p.name) is not None
    )


def family_prefix(family: str) -> str:
    """``fg2xx`` -> ``FG2``: the rule-id prefix whose findings a family's cases are compared on."""
    match = _FAMILY_RE.match(family)
    if match is None:
        raise ValueError(f"not a family folder name: {family!r}")
    return "FG" + match.group("digit")


def _case_dirs(family_dir: Path) -> list[Path]:
    return sorted(
        p for p in family_dir.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))
    )


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


def _python_files(case_dir: Path) -> list[Path]:
    return [p for p in sorted(case_dir.rglob("*.py")) if "__pycache__" not in p.parts]


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
    for path in _python_files(case_dir):
        _python_labels(case_dir, path, expected)
    _expected_file_labels(case_dir, expected)
    return expected


def check_labels(family: str, case_dir: Path, expected: Expectations) -> None:
    """Raise LabelError for a label naming an unknown rule, a rule of another family, or a line
    that does not exist in its file."""
    prefix = family_prefix(family)
    for (rel, line, rule), _severity in sorted(expected.items()):
        where = f"{family}/{case_dir.name}/{rel}:{line}"
        if rule not in KNOWN_RULES:
            raise LabelError(f"{where}: unknown rule id {rule}")
        if not rule.startswith(prefix):
            raise LabelError(
                f"{where}: {rule} is not a {prefix}xx rule; labels only apply to the case's family"
            )
        lines = (case_dir / rel).read_bytes().splitlines()
        if not 1 <= line <= len(lines):
            raise LabelError(f"{where}: {rel} has {len(lines)} lines")


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


FAMILIES = _family_dirs()
ALL_CASES = [(family.name, case) for family in FAMILIES for case in _case_dirs(family)]
CASES = [(family, case) for family, case in ALL_CASES if family in CHECKED_FAMILIES]


def _case_id(item: tuple[str, Path]) -> str:
    family, case = item
    return f"{family}/{case.name}"


def test_checked_families_exist() -> None:
    names = {family.name for family in FAMILIES}
    missing = [family for family in CHECKED_FAMILIES if family not in names]
    assert not missing, f"CHECKED_FAMILIES names folders that do not exist: {missing}"


@pytest.mark.parametrize(("family", "case_dir"), ALL_CASES, ids=[_case_id(c) for c in ALL_CASES])
def test_fixture_labels(family: str, case_dir: Path) -> None:
    for path in _python_files(case_dir):
        try:
            ast.parse(path.read_bytes(), filename=str(path), feature_version=(3, 9))
        except SyntaxError as error:
            pytest.fail(f"{family}/{case_dir.name}: not valid Python 3.9: {error}", pytrace=False)
    try:
        check_labels(family, case_dir, load_expectations(case_dir))
    except LabelError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.mark.parametrize("family_dir", FAMILIES, ids=[f.name for f in FAMILIES])
def test_family_readme_lists_every_case(family_dir: Path) -> None:
    readme = family_dir / "README.md"
    assert readme.is_file(), f"{family_dir.name} has no README.md"
    text = readme.read_text(encoding="utf-8")
    missing = [case.name for case in _case_dirs(family_dir) if case.name not in text]
    assert not missing, f"{family_dir.name}/README.md does not mention: {missing}"


@pytest.mark.parametrize(("family", "case_dir"), CASES, ids=[_case_id(c) for c in CASES])
def test_fixture_case(family: str, case_dir: Path) -> None:
    prefix = family_prefix(family)
    expected = load_expectations(case_dir)

    result = run_scan([case_dir], root=case_dir)
    findings = [f for f in result.findings if not f.suppressed and f.rule_id.startswith(prefix)]

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

    group = f"{prefix}xx"
    lines = [f"case {family}/{case_dir.name}: findings do not match the labels"]
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
    lines.append(f"all {group} findings of the case:")
    lines += [_describe(f) for f in findings] or ["  (none)"]
    suppressed = [f for f in result.findings if f.suppressed and f.rule_id.startswith(prefix)]
    if suppressed:
        lines.append(f"suppressed {group} findings (ignored by this test):")
        lines += [_describe(f) for f in suppressed]
    diagnostics = list(getattr(result, "diagnostics", None) or [])
    if diagnostics:
        lines.append("diagnostics:")
        lines += [f"  {d}" for d in diagnostics]
    pytest.fail("\n".join(lines), pytrace=False)
