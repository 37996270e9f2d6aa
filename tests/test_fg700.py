"""FG700 vulnerable-dependency: manifests, locks, ranges, reachability, fixes, the deps command."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from flaskguard.config import Config
from flaskguard.deps.database import load_advisory_database
from flaskguard.deps.manifests import extract_dependency_facts
from flaskguard.findings import Finding, Severity
from flaskguard.fix_command import run_fix
from flaskguard.scan import run_scan

APP = """\
from flask import Flask
app = Flask(__name__)
"""


def project(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def fg700(root: Path) -> list[Finding]:
    result = run_scan([root], root=root)
    return [f for f in result.findings if f.rule_id == "FG700" and not f.suppressed]


def by_alias(findings: list[Finding], alias: str) -> list[Finding]:
    return [f for f in findings if alias in f.message]


def test_pinned_version_affected_by_an_advisory(tmp_path: Path) -> None:
    project(tmp_path, {"app.py": APP, "requirements.txt": "Flask==2.2.2\n"})
    findings = fg700(tmp_path)
    hits = by_alias(findings, "CVE-2023-30861")
    assert len(hits) == 1
    finding = hits[0]
    assert finding.path == "requirements.txt"
    assert finding.span.start_line == 1
    assert finding.cwe[0] == 1395
    assert finding.owasp == "A06:2021"
    assert "2.2.5" in finding.message
    assert finding.fix is not None and finding.fix.applicability == "unsafe"
    assert finding.fix.edits[0].content == "2.2.5"


def test_fixed_version_is_not_reported(tmp_path: Path) -> None:
    project(tmp_path, {"app.py": APP, "requirements.txt": "flask==2.3.2\n"})
    assert not by_alias(fg700(tmp_path), "CVE-2023-30861")


def test_lock_version_wins_over_the_manifest_range(tmp_path: Path) -> None:
    lock = """\
    [[package]]
    name = "flask"
    version = "2.2.2"
    description = ""
    optional = false
    python-versions = ">=3.7"
    """
    project(tmp_path, {"app.py": APP, "requirements.txt": "flask>=2.0\n", "poetry.lock": lock})
    hits = by_alias(fg700(tmp_path), "CVE-2023-30861")
    assert len(hits) == 1
    assert hits[0].path == "requirements.txt"
    assert "2.2.2" in hits[0].message and "poetry.lock" in hits[0].message
    assert hits[0].severity != Severity.INFO


def test_range_that_merely_admits_an_affected_version_is_info(tmp_path: Path) -> None:
    project(tmp_path, {"app.py": APP, "requirements.txt": "flask>=2.0\n"})
    hits = by_alias(fg700(tmp_path), "CVE-2023-30861")
    assert len(hits) == 1
    assert hits[0].severity == Severity.INFO
    assert "may resolve" in hits[0].message
    assert hits[0].fix is None


def test_range_whose_every_version_is_affected_is_reported(tmp_path: Path) -> None:
    project(tmp_path, {"app.py": APP, "requirements.txt": "flask>=2.0,<2.2.5\n"})
    hits = by_alias(fg700(tmp_path), "CVE-2023-30861")
    assert len(hits) == 1
    assert hits[0].severity != Severity.INFO
    assert "every version" in hits[0].message


def test_debugger_advisory_graded_by_reachability(tmp_path: Path) -> None:
    quiet = project(
        tmp_path / "quiet", {"app.py": APP, "requirements.txt": "werkzeug==2.2.2\nflask==2.2.5\n"}
    )
    hits = by_alias(fg700(quiet), "CVE-2024-34069")
    assert len(hits) == 1
    assert "Not used" in hits[0].message
    assert hits[0].severity <= Severity.LOW

    debug = project(
        tmp_path / "debug",
        {
            "app.py": APP + "app.run(debug=True)\n",
            "requirements.txt": "werkzeug==2.2.2\nflask==2.2.5\n",
        },
    )
    hits = by_alias(fg700(debug), "CVE-2024-34069")
    assert len(hits) == 1
    assert "Used" in hits[0].message
    assert hits[0].severity > Severity.LOW


def test_library_not_imported_is_graded_not_used(tmp_path: Path) -> None:
    project(tmp_path, {"app.py": APP, "requirements.txt": "flask-cors==3.0.8\n"})
    findings = fg700(tmp_path)
    assert findings
    assert all("Not used" in f.message for f in findings)


def test_cors_per_resource_rules_make_path_advisories_used(tmp_path: Path) -> None:
    app = APP + 'from flask_cors import CORS\nCORS(app, resources={r"/api/*": {"origins": "*"}})\n'
    project(tmp_path, {"app.py": app, "requirements.txt": "flask-cors==3.0.8\n"})
    hits = by_alias(fg700(tmp_path), "CVE-2020-25032")
    assert len(hits) == 1
    assert "Used" in hits[0].message


def test_one_finding_per_advisory_with_distinct_fingerprints(tmp_path: Path) -> None:
    project(tmp_path, {"app.py": APP, "requirements.txt": "werkzeug==0.11\n"})
    findings = fg700(tmp_path)
    keys = [(f.path, f.code) for f in findings]
    assert len(keys) == len(set(keys))
    assert len({f.fingerprint for f in findings}) == len(findings) > 1


def test_no_fix_on_hashed_requirements(tmp_path: Path) -> None:
    requirements = "flask==2.2.2 \\\n    --hash=sha256:" + "a" * 64 + "\n"
    project(tmp_path, {"app.py": APP, "requirements.txt": requirements})
    hits = by_alias(fg700(tmp_path), "CVE-2023-30861")
    assert len(hits) == 1
    assert hits[0].fix is None
    assert "--hash" in (hits[0].fix_unavailable_reason or "")


def test_unsafe_fix_raises_the_pin(tmp_path: Path) -> None:
    project(tmp_path, {"app.py": APP, "requirements.txt": "# pinned\nFlask==2.2.2  # web\n"})
    outcome = run_fix([tmp_path], config=Config(), root=tmp_path, unsafe=True, write=True)
    text = (tmp_path / "requirements.txt").read_text("utf-8")
    assert text.startswith("# pinned\nFlask==")
    assert "2.2.2" not in text
    assert "requirements.txt" in outcome.changed
    again = run_fix([tmp_path], config=Config(), root=tmp_path, unsafe=True, write=True)
    assert "requirements.txt" not in again.changed


def test_no_deps_option_and_deps_command(tmp_path: Path) -> None:
    project(tmp_path, {"app.py": APP, "requirements.txt": "Flask==2.2.2\n"})
    run = subprocess.run(
        [sys.executable, "-m", "flaskguard", "scan", ".", "--no-deps", "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert not [f for f in json.loads(run.stdout)["findings"] if f["rule_id"] == "FG700"]
    listing = subprocess.run(
        [sys.executable, "-m", "flaskguard", "deps", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listing.returncode == 0, listing.stderr
    assert "2024-10-10" in listing.stdout
    assert "flask 2.2.2" in listing.stdout
    assert "CVE-2023-30861" in listing.stdout or "PYSEC-2023-62" in listing.stdout
    as_json = subprocess.run(
        [sys.executable, "-m", "flaskguard", "deps", ".", "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    document = json.loads(as_json.stdout)
    assert document["packages"][0]["name"] == "flask"
    assert document["packages"][0]["advisories"]


def test_online_query_uses_the_injected_fetch(tmp_path: Path) -> None:
    facts = extract_dependency_facts("requirements.txt", "flask==2.2.2\n")
    record = {
        "id": "GHSA-test-0000-0000",
        "aliases": ["CVE-2099-0001"],
        "summary": "test advisory",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "flask"},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "9.0"}]}
                ],
            }
        ],
    }
    calls: list[str] = []

    def fetch(url: str, body: bytes) -> bytes:
        calls.append(url)
        return json.dumps({"vulns": [record]}).encode()

    database, problems = load_advisory_database(None, True, [facts], fetch=fetch)
    assert not problems
    assert database is not None
    assert calls
    assert any(a.id == "GHSA-test-0000-0000" for a in database.by_package["flask"])

    def failing(url: str, body: bytes) -> bytes:
        raise OSError("network unreachable")

    database, problems = load_advisory_database(None, True, [facts], fetch=failing)
    assert database is not None
    assert [p.code for p in problems] == ["FG911"]


def test_included_and_suffix_named_requirements_are_read(tmp_path: Path) -> None:
    project(
        tmp_path,
        {
            "app.py": APP,
            "dev-requirements.txt": "-r base.txt\n",
            "base.txt": "flask==2.2.2\n",
        },
    )
    hits = by_alias(fg700(tmp_path), "CVE-2023-30861")
    assert [(f.path, f.span.start_line) for f in hits] == [("base.txt", 1)]
    assert "affected: <2.2.5, >=2.3.0,<2.3.2" in hits[0].message
