"""The on-disk cache: warm results equal cold ones, edits invalidate, damage is survivable."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from flaskguard.scan import run_scan

APP = "from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n"


def project(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    (root / "app.py").write_text(APP, encoding="utf-8")
    (root / "helper.py").write_text("def f():\n    return 1\n", encoding="utf-8")
    return root


def summary(root: Path, cache: Path) -> list[tuple[str, str, int, str]]:
    result = run_scan([root], root=root, cache_dir=cache)
    return [(f.rule_id, f.path, f.span.start_line, f.fingerprint) for f in result.findings]


def test_warm_scan_equals_cold_scan(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    cache = tmp_path / "cache"
    cold = summary(root, cache)
    assert cold and cold == summary(root, cache)
    assert list(cache.glob("*.sqlite"))
    assert not any(p.name.endswith(".sqlite") for p in root.rglob("*"))


def test_an_edit_invalidates_the_cached_result(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    cache = tmp_path / "cache"
    assert [r[0] for r in summary(root, cache)] == ["FG100"]
    (root / "app.py").write_text(
        APP.replace("app.run(debug=True)", 'if __name__ == "__main__":\n    app.run()'),
        encoding="utf-8",
    )
    assert summary(root, cache) == []
    (root / "app.py").write_text(APP, encoding="utf-8")
    assert [r[0] for r in summary(root, cache)] == ["FG100"]


def test_an_included_requirements_file_invalidates_too(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    (root / "requirements.txt").write_text("-r base.txt\n", encoding="utf-8")
    (root / "base.txt").write_text("flask==3.1.3\n", encoding="utf-8")
    cache = tmp_path / "cache"
    assert not [r for r in summary(root, cache) if r[0] == "FG700"]
    (root / "base.txt").write_text("flask==2.2.2\n", encoding="utf-8")
    assert [r for r in summary(root, cache) if r[0] == "FG700"]


def test_a_corrupt_cache_is_rebuilt_with_a_warning(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    cache = tmp_path / "cache"
    expected = summary(root, cache)
    for database in cache.glob("*.sqlite"):
        database.write_bytes(b"this is not a database" * 100)
    result = run_scan([root], root=root, cache_dir=cache)
    assert [
        (f.rule_id, f.path, f.span.start_line, f.fingerprint) for f in result.findings
    ] == expected
    assert any("unusable" in w for w in result.warnings)
    assert summary(root, cache) == expected


def test_no_cache_writes_nothing(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    cache = tmp_path / "cache"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "flaskguard",
            "scan",
            ".",
            "--no-cache",
            "--cache-dir",
            str(cache),
            "--format",
            "json",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert json.loads(run.stdout)["findings"]
    assert not cache.exists()
    cached = subprocess.run(
        [
            sys.executable,
            "-m",
            "flaskguard",
            "scan",
            ".",
            "--cache-dir",
            str(cache),
            "--format",
            "json",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert json.loads(cached.stdout)["findings"] == json.loads(run.stdout)["findings"]
    assert list(cache.glob("*.sqlite"))
