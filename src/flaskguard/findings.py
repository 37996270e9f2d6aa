"""What a scan produces: findings, diagnostics and the scan result.

These types are the contract between the analysis (rules) and the reporters: rules build
findings, reporters only read them. Everything a reporter prints is already here, including
the redacted code snippet, so that no reporter ever needs to look at source files.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field
from typing import Optional


class Severity(enum.IntEnum):
    """Ordered so that comparisons read naturally: ``Severity.HIGH > Severity.LOW``."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            choices = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {text!r} (choose from {choices})") from None


class Confidence(enum.IntEnum):
    LOW = 0
    MEDIUM = 1
    HIGH = 2

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Confidence:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            choices = ", ".join(c.label for c in cls)
            raise ValueError(f"unknown confidence {text!r} (choose from {choices})") from None


@dataclass(frozen=True)
class Span:
    """A region of a file: 1-based lines, 1-based columns counting code points, end exclusive."""

    start_line: int
    start_column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class RelatedLocation:
    """A location that explains a finding: a step of a trace or a related place."""

    path: str
    line: int
    column: int
    message: str


@dataclass(frozen=True)
class Edit:
    """Replace the text in ``span`` of the finding's file by ``content``."""

    span: Span
    content: str


@dataclass(frozen=True)
class Fix:
    applicability: str  # "safe" or "unsafe"
    description: str
    edits: tuple[Edit, ...]


@dataclass(frozen=True)
class Finding:
    rule_id: str
    rule_name: str
    severity: Severity
    confidence: Confidence
    path: str  # relative to the project root, forward slashes
    span: Span
    # Places in the message and remediation are written ``path:line``: a re-scan that keeps
    # this finding after lines moved in ``path`` rewrites exactly those.
    message: str
    remediation: str
    cwe: tuple[int, ...]
    owasp: str
    fingerprint: str
    snippet: str = ""  # the flagged source line(s), secrets already redacted
    fix: Optional[Fix] = None
    fix_unavailable_reason: Optional[str] = None
    related_locations: tuple[RelatedLocation, ...] = ()
    trace: tuple[RelatedLocation, ...] = ()
    suppressed: bool = False
    suppression_reason: Optional[str] = None
    # Inputs of the scan stage, not reported: where an inline suppression may stand
    # ((path, line) pairs: the statement's first line, the import-time statement of a
    # trace), and the scope and normalised code the fingerprint is made from.
    anchors: tuple[tuple[str, int], ...] = ()
    scope: str = ""
    code: str = ""
    redact_snippet: bool = False  # the flagged line holds a secret value
    fix_plan: Optional[object] = None  # a flaskguard.fixes plan, turned into ``fix`` by the scan


@dataclass(frozen=True)
class Diagnostic:
    """A file the tool could not analyse (or analyse fully); never a security finding."""

    code: str  # FG9xx
    path: str
    message: str
    line: Optional[int] = None
    column: Optional[int] = None
    # Set when the file parses under a newer Python than the one running flaskguard.
    requires_python: Optional[str] = None


@dataclass
class ScanStats:
    files_scanned: int = 0
    python_files: int = 0
    python_files_analysed: int = 0
    other_files: int = 0
    duration_s: float = 0.0
    findings: int = 0
    suppressed: int = 0
    diagnostics: int = 0


@dataclass
class ScanResult:
    root: str
    findings: list[Finding] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    stats: ScanStats = field(default_factory=ScanStats)
    warnings: list[str] = field(default_factory=list)  # about the tool itself (its cache)

    @property
    def active_findings(self) -> list[Finding]:
        return [f for f in self.findings if not f.suppressed]

    @property
    def suppressed_findings(self) -> list[Finding]:
        return [f for f in self.findings if f.suppressed]


def make_fingerprint(rule_id: str, path: str, code: str, scope: str, occurrence: int) -> str:
    """A fingerprint that survives line moves: it hashes what the code is, not where it is.

    ``code`` is the normalised text of the flagged statement, ``scope`` the qualified name of
    the enclosing function or class, ``occurrence`` separates identical statements in one scope.
    """
    normalised = " ".join(code.split())
    material = "\x1f".join((rule_id, path, normalised, scope, str(occurrence)))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]


DIAGNOSTIC_CODES: dict[str, tuple[str, str]] = {
    "FG901": ("syntax-error", "The file is not valid Python 3 and was not analysed."),
    "FG902": (
        "requires-newer-python",
        "The file uses syntax newer than the Python running flaskguard; run flaskguard under "
        "that Python to analyse it.",
    ),
    "FG903": (
        "unreadable-file",
        "The file or directory could not be read (permissions, broken link, symlink loop).",
    ),
    "FG904": ("undecodable-file", "The file's bytes do not decode in its declared encoding."),
    "FG905": ("binary-file", "The file has a Python name but binary content."),
    "FG906": ("file-too-large", "The file is larger than the configured size limit."),
    "FG907": (
        "too-complex",
        "The file is nested too deeply for the parser or the analysis; it was not analysed.",
    ),
    "FG908": ("python2-source", "The file is Python 2 code, which flaskguard does not analyse."),
    "FG909": (
        "unparsable-config-file",
        "A deployment or environment file could not be parsed; what it configures is unknown.",
    ),
    "FG911": (
        "advisory-data-unavailable",
        "Advisory data could not be loaded or fetched; the dependency audit is incomplete.",
    ),
    "FG910": (
        "analysis-error",
        "An internal error stopped one analysis; the rest of the scan went on. Please report it.",
    ),
}
