"""End-to-end: the real CLI in a subprocess, on the demo app and on small projects."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "examples" / "demo"
REPORT_SCHEMA = json.loads(
    resources.files("flaskguard.report").joinpath("report.schema.json").read_text("utf-8")
)
SARIF_SCHEMA = json.loads(
    (Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text("utf-8")
)


def flaskguard(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flaskguard", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def json_report(*args: str, cwd: Path = ROOT) -> tuple[int, dict[str, Any]]:
    result = flaskguard("scan", "--format", "json", *args, cwd=cwd)
    assert "Traceback" not in result.stderr, result.stderr
    report = json.loads(result.stdout)
    jsonschema.validate(report, REPORT_SCHEMA)
    return result.returncode, report


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def test_demo_app_reports_the_headline_mistake() -> None:
    code, report = json_report(str(DEMO))
    assert code == 1
    headline = [
        f
        for f in report["findings"]
        if f["rule_id"] == "FG100" and f["path"] == "examples/demo/app.py"
    ]
    assert len(headline) == 1
    finding = headline[0]
    assert finding["severity"] == "critical"
    assert finding["confidence"] == "high"
    assert finding["cwe"][0] == 489
    assert finding["owasp"] == "A05:2021"
    assert "gunicorn" in finding["message"]
    assert finding["start_line"] == 7
    assert finding["snippet"].startswith("app.run(")
    # manage.py's guarded call is not reported as an import-time server.
    assert not [
        f for f in report["findings"] if f["rule_id"] == "FG100" and "manage.py" in f["path"]
    ]
    assert report["stats"]["python_files_analysed"] >= 8


def test_demo_app_sarif_is_valid(tmp_path: Path) -> None:
    out = tmp_path / "out.sarif"
    result = flaskguard("scan", str(DEMO), "--format", "sarif", "-o", str(out))
    assert result.returncode == 1, result.stderr
    log = json.loads(out.read_text("utf-8"))
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    run = log["runs"][0]
    assert any(r["ruleId"] == "FG100" for r in run["results"])
    assert all("flaskguard/v1" in r["partialFingerprints"] for r in run["results"])


def test_env_values_never_printed(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": "",
            "app.py": "from flask import Flask\napp = Flask(__name__)\n",
            ".env": "FLASK_DEBUG=1\nWERKZEUG_DEBUG_PIN=1234-5678-9999\n",
        },
    )
    for fmt in ("text", "json", "sarif"):
        result = flaskguard("scan", ".", "--format", fmt, cwd=tmp_path)
        assert "1234-5678-9999" not in result.stdout
    _, report = json_report(".", cwd=tmp_path)
    rules = {f["rule_id"] for f in report["findings"]}
    assert {"FG101", "FG103"} <= rules


def test_exit_codes(tmp_path: Path) -> None:
    clean = write(
        tmp_path / "clean",
        {
            "pyproject.toml": "",
            "app.py": """\
                from flask import Flask
                app = Flask(__name__)
                if __name__ == "__main__":
                    app.run()
            """,
        },
    )
    assert flaskguard("scan", ".", cwd=clean).returncode == 0
    dirty = write(
        tmp_path / "dirty",
        {
            "pyproject.toml": "",
            "app.py": "from flask import Flask\napp = Flask(__name__)\napp.run()\n",
        },
    )
    assert flaskguard("scan", ".", cwd=dirty).returncode == 1
    assert flaskguard("scan", ".", "--exit-zero", cwd=dirty).returncode == 0
    assert flaskguard("scan", ".", "--fail-on", "high", cwd=dirty).returncode == 0
    assert flaskguard("scan", ".", "--ignore", "FG1", cwd=dirty).returncode == 0
    empty = write(tmp_path / "empty", {"pyproject.toml": "", "README.md": "nothing"})
    assert flaskguard("scan", ".", cwd=empty).returncode == 3
    bad = write(tmp_path / "bad", {"pyproject.toml": "[tool.flaskguard]\nselct = []\n", "a.py": ""})
    result = flaskguard("scan", ".", cwd=bad)
    assert result.returncode == 2
    assert "select" in result.stderr and "Traceback" not in result.stderr
    assert flaskguard("scan", "--format", "xml", cwd=clean).returncode == 2


def test_inline_suppression(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": "",
            "app.py": """\
                from flask import Flask
                app = Flask(__name__)

                def main():
                    app.run()

                main()  # flaskguard: ignore[FG100] -- dev container only
            """,
        },
    )
    code, report = json_report(".", cwd=tmp_path)
    assert code == 0
    assert report["findings"] == []
    assert [s["rule_id"] for s in report["suppressed"]] == ["FG100"]
    assert report["suppressed"][0]["suppression_reason"] == "dev container only"


def test_bad_input_never_tracebacks(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": "",
            "py2.py": "print 'hello'\n",
            "broken.py": "def f(:\n",
            "latin.py": "# -*- coding: latin-1 -*-\nx = 'caf\xe9'\n",
            "app.py": "from flask import Flask\napp = Flask(__name__)\n",
            "deep.py": "x = " + "(" * 300 + "1" + ")" * 300 + "\n",
        },
    )
    (tmp_path / "binary.py").write_bytes(b"\x00\x01\x02\xff" * 100)
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    code, report = json_report(".", cwd=tmp_path)
    codes = {d["path"]: d["code"] for d in report["diagnostics"]}
    assert codes["py2.py"] == "FG908"
    assert codes["broken.py"] == "FG901"
    assert codes["binary.py"] == "FG905"
    assert "latin.py" not in codes
    assert code == 0


def test_rules_and_explain() -> None:
    listing = flaskguard("rules")
    assert listing.returncode == 0
    for rule_id in ("FG100", "FG101", "FG102", "FG103", "FG104", "FG105"):
        assert rule_id in listing.stdout
    explained = flaskguard("explain", "FG100")
    assert explained.returncode == 0
    assert "## What it does" in explained.stdout and "CWE-489" in explained.stdout
    assert flaskguard("explain", "FG999").returncode == 2


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_output_file(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"report.{fmt}"
    result = flaskguard("scan", str(DEMO), "--format", fmt, "-o", str(out))
    assert result.returncode == 1
    assert out.read_text("utf-8")
    assert result.stdout == ""


def test_installed_console_script_scans_the_demo() -> None:
    script = Path(sys.executable).parent / (
        "flaskguard.exe" if sys.platform == "win32" else "flaskguard"
    )
    if not script.exists():
        pytest.skip("the flaskguard console script is not installed next to this interpreter")
    result = subprocess.run(
        [str(script), "scan", str(DEMO), "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    jsonschema.validate(report, REPORT_SCHEMA)
    assert {f["rule_id"] for f in report["findings"]} >= {"FG100", "FG101", "FG103", "FG105"}


def test_baseline_workflow(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": "",
            "app.py": "from flask import Flask\napp = Flask(__name__)\napp.run()\n",
        },
    )
    created = flaskguard("baseline", "create", ".", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    assert (tmp_path / ".flaskguard-baseline.json").exists()
    code, report = json_report(".", "--baseline", ".flaskguard-baseline.json", cwd=tmp_path)
    assert code == 0 and report["findings"] == []
    (tmp_path / "app.py").write_text(
        "from flask import Flask\n\napp = Flask(__name__)\napp.run()\napp.run(port=1)\n",
        encoding="utf-8",
    )
    code, report = json_report(".", "--baseline", ".flaskguard-baseline.json", cwd=tmp_path)
    assert code == 1
    assert [f["start_line"] for f in report["findings"]] == [5]
    assert flaskguard("baseline", "check", ".", cwd=tmp_path).returncode == 0
    (tmp_path / "app.py").write_text(
        "from flask import Flask\napp = Flask(__name__)\n", encoding="utf-8"
    )
    stale = flaskguard("baseline", "check", ".", cwd=tmp_path)
    assert stale.returncode == 1
    assert "FG100 no longer reported" in stale.stdout
    bad = flaskguard("scan", ".", "--baseline", "missing.json", cwd=tmp_path)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


@pytest.mark.parametrize("fmt", ["github", "gitlab", "junit"])
def test_ci_formats_on_the_demo(fmt: str) -> None:
    result = flaskguard("scan", str(DEMO), "--format", fmt)
    assert result.returncode == 1, result.stderr
    if fmt == "github":
        assert "::error file=examples/demo/app.py,line=7" in result.stdout
    elif fmt == "gitlab":
        issues = json.loads(result.stdout)
        assert any(i["check_name"] == "FG100" and i["severity"] == "blocker" for i in issues)
    else:
        import xml.etree.ElementTree as ET

        suite = ET.fromstring(result.stdout)
        assert int(suite.get("failures", "0")) >= 1


def test_changed_since_and_text_modes(tmp_path: Path) -> None:
    import shutil

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    app = "from flask import Flask\napp = Flask(__name__)\napp.run()\n"
    write(tmp_path, {"pyproject.toml": "", "app.py": app, "other.py": app})
    env_git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run([*env_git, "add", "."], cwd=tmp_path, check=True)
    subprocess.run([*env_git, "commit", "-qm", "base"], cwd=tmp_path, check=True)
    (tmp_path / "other.py").write_text(app + "app.run(port=1)\n", encoding="utf-8")
    code, report = json_report(".", "--changed-since", "HEAD", cwd=tmp_path)
    assert code == 1
    assert [(f["path"], f["start_line"]) for f in report["findings"]] == [("other.py", 4)]
    assert flaskguard("scan", ".", "--changed-since", "no-such-rev", cwd=tmp_path).returncode == 2
    quiet = flaskguard("scan", ".", "-q", "--statistics", cwd=tmp_path)
    lines = [line for line in quiet.stdout.splitlines() if "FG100 [" in line]
    assert len(lines) == 3
    assert "count" in quiet.stdout and "total" in quiet.stdout
    html = flaskguard("scan", ".", "--format", "html", "-o", "report.html", cwd=tmp_path)
    assert html.returncode == 1
    page = (tmp_path / "report.html").read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>") or page.lower().startswith("<!doctype html>")
    assert "FG100" in page
