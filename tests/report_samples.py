"""A finding with every field set, for the reporter tests to vary one field at a time."""

from __future__ import annotations

from typing import Any

from flaskguard.findings import Confidence, Finding, Severity, Span


def sample_finding(**overrides: Any) -> Finding:
    fields: dict[str, Any] = {
        "rule_id": "FG100",
        "rule_name": "dev-server-at-import",
        "severity": Severity.CRITICAL,
        "confidence": Confidence.HIGH,
        "path": "app.py",
        "span": Span(12, 1, 12, 20),
        "message": "The development server starts when a WSGI server imports this module.",
        "remediation": 'Move app.run() under if __name__ == "__main__":.',
        "cwe": (489, 668),
        "owasp": "A05:2021",
        "fingerprint": "f" * 32,
        "snippet": "app.run(debug=True)",
    }
    fields.update(overrides)
    return Finding(**fields)
