"""Rule metadata and the registry's building block.

A rule is one module under ``flaskguard.rules``: its module docstring is the rule's
documentation (sections *What it does*, *Why is this bad?*, *Example*, *Use instead*,
*References*), and it defines ``RULE``, a :class:`Rule` whose ``check`` reads the project
model and yields findings.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from flaskguard.findings import Confidence, Finding, Severity

if TYPE_CHECKING:
    from flaskguard.model.project import Project


@dataclass(frozen=True)
class RuleMeta:
    id: str
    name: str
    summary: str
    severity: Severity
    confidence: Confidence
    cwe: tuple[int, ...]
    owasp: str
    tags: tuple[str, ...]
    fixable: bool
    doc: str  # Markdown, from the rule module's docstring

    @property
    def owasp_title(self) -> str:
        return OWASP_2021.get(self.owasp, self.owasp)


@dataclass(frozen=True)
class Rule:
    meta: RuleMeta
    check: Callable[[Project], Iterator[Finding]]


OWASP_2021 = {
    "A01:2021": "A01:2021 Broken Access Control",
    "A02:2021": "A02:2021 Cryptographic Failures",
    "A03:2021": "A03:2021 Injection",
    "A04:2021": "A04:2021 Insecure Design",
    "A05:2021": "A05:2021 Security Misconfiguration",
    "A06:2021": "A06:2021 Vulnerable and Outdated Components",
    "A07:2021": "A07:2021 Identification and Authentication Failures",
    "A08:2021": "A08:2021 Software and Data Integrity Failures",
    "A09:2021": "A09:2021 Security Logging and Monitoring Failures",
    "A10:2021": "A10:2021 Server-Side Request Forgery",
}
