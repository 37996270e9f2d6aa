"""``flaskguard fix`` and ``flaskguard scan --fix`` through the real CLI, plus the write guard."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema

from flaskguard.config import Config
from flaskguard.fix_command import _write, run_fix
from flaskguard.parsing import read_source

REPORT_SCHEMA = json.loads(
    resources.files("flaskguard.report").joinpath("report.schema.json").read_text("utf-8")
)
HEADER = "from flask import Flask\n\napp = Flask(__name__)\n"
UNGUARDED = HEADER + "\napp.run(debug=True)\n"
GUARDED = HEADER + '\nif __name__ == "__main__":\n    app.run(debug=True)\n'


def flaskguard(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flaskguard", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def project(root: Path, files: dict[str, str]) -> Path:
    files = {"pyproject.toml": "", **files}
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    return root


def test_fix_diff_prints_a_diff_and_writes_nothing(tmp_path: Path) -> None:
    project(tmp_path, {"app.py": UNGUARDED})
    result = flaskguard("fix", "--diff", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == (
        "--- a/app.py\n"
        "+++ b/app.py\n"
        "@@ -2,4 +2,5 @@\n"
        " \n"
        " app = Flask(__name__)\n"
        " \n"
        "-app.run(debug=True)\n"
        '+if __name__ == "__main__":\n'
        "+    app.run(debug=True)\n"
    )
    assert (tmp_path / "app.py").read_text("utf-8") == UNGUARDED


def test_fix_diff_with_unsafe_fixes_shows_the_multi_pass_result(tmp_path: Path) -> None:
    project(tmp_path, {"app.py": UNGUARDED})
    result = flaskguard("fix", "--diff", "--unsafe-fixes", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stdout.endswith(
        '-app.run(debug=True)\n+if __name__ == "__main__":\n+    app.run()\n'
    )
    assert (tmp_path / "app.py").read_text("utf-8") == UNGUARDED


def test_fix_diff_exits_0_when_nothing_to_fix(tmp_path: Path) -> None:
    project(tmp_path, {"app.py": GUARDED})
    result = flaskguard("fix", "--diff", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""


def test_fix_writes_and_exit_code_follows_what_remains(tmp_path: Path) -> None:
    project(tmp_path, {"app.py": UNGUARDED})
    result = flaskguard("fix", cwd=tmp_path)
    # Only FG101 info (the guarded debug=True) remains, below the default --fail-on low.
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "app.py").read_text("utf-8") == GUARDED
    assert "fixed 1 finding in 1 file" in result.stderr
    again = flaskguard("fix", cwd=tmp_path)
    assert again.returncode == 0
    assert "fixed" not in again.stderr
    assert (tmp_path / "app.py").read_text("utf-8") == GUARDED

    (tmp_path / "Dockerfile").write_text("FROM python:3.12\nENV FLASK_DEBUG=1\n", "utf-8")
    remaining = flaskguard("fix", cwd=tmp_path)
    assert remaining.returncode == 1, remaining.stderr
    assert "Dockerfile:2:" in remaining.stdout and "FG101" in remaining.stdout
    assert flaskguard("fix", "--fail-on", "critical", cwd=tmp_path).returncode == 0
    assert (tmp_path / "app.py").read_text("utf-8") == GUARDED


def test_fix_with_a_bad_config_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    project(tmp_path, {"pyproject.toml": "[tool.flaskguard]\nbogus = 1\n", "app.py": UNGUARDED})
    result = flaskguard("fix", cwd=tmp_path)
    assert result.returncode == 2
    assert "bogus" in result.stderr and "Traceback" not in result.stderr
    assert (tmp_path / "app.py").read_text("utf-8") == UNGUARDED


def test_scan_fix_reports_only_what_remains(tmp_path: Path) -> None:
    project(tmp_path, {"app.py": UNGUARDED})
    before = json.loads(flaskguard("scan", "--format", "json", cwd=tmp_path).stdout)
    assert [f["rule_id"] for f in before["findings"]] == ["FG100"]

    result = flaskguard("scan", "--fix", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    jsonschema.validate(report, REPORT_SCHEMA)
    assert [(f["rule_id"], f["severity"]) for f in report["findings"]] == [("FG101", "info")]
    remaining = report["findings"][0]
    assert remaining["path"] == "app.py" and remaining["start_line"] == 6
    assert remaining["fix"]["applicability"] == "unsafe"
    assert (tmp_path / "app.py").read_text("utf-8") == GUARDED


def test_write_refuses_a_file_changed_on_disk_since_it_was_read(tmp_path: Path) -> None:
    project(tmp_path, {"app.py": UNGUARDED})
    source, _ = read_source(tmp_path / "app.py", "app.py")
    assert source is not None
    outcome = run_fix([tmp_path], config=Config(), root=tmp_path, unsafe=False, write=False)
    assert set(outcome.changed) == {"app.py"}
    assert (tmp_path / "app.py").read_text("utf-8") == UNGUARDED  # write=False wrote nothing

    edited = UNGUARDED + "# edited meanwhile\n"
    (tmp_path / "app.py").write_bytes(edited.encode("utf-8"))
    _write(outcome, tmp_path, {"app.py": source})
    assert outcome.changed == {}
    assert len(outcome.failures) == 1
    path, why = outcome.failures[0]
    assert path == "app.py" and "changed on disk" in why
    assert (tmp_path / "app.py").read_text("utf-8") == edited
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.py", "pyproject.toml"]


def test_write_writes_an_unchanged_file(tmp_path: Path) -> None:
    project(tmp_path, {"app.py": UNGUARDED})
    source, _ = read_source(tmp_path / "app.py", "app.py")
    assert source is not None
    outcome = run_fix([tmp_path], config=Config(), root=tmp_path, unsafe=False, write=False)
    _write(outcome, tmp_path, {"app.py": source})
    assert outcome.failures == []
    assert (tmp_path / "app.py").read_text("utf-8") == GUARDED
