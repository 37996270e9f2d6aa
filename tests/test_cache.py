"""The on-disk cache: warm results equal cold ones, edits invalidate, damage is survivable."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Optional

from flaskguard.fixes import apply_edits
from flaskguard.scan import run_scan

APP = "from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n"


def project(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    (root / "app.py").write_text(APP, encoding="utf-8")
    (root / "helper.py").write_text("def f():\n    return 1\n", encoding="utf-8")
    return root


def summary(root: Path, cache: Optional[Path]) -> list[tuple[str, str, int, str]]:
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


def test_an_edit_that_leaves_the_facts_alone_keeps_the_result(
    tmp_path: Path, project_builds: list[int]
) -> None:
    root = project(tmp_path / "p")
    cache = tmp_path / "cache"
    cold = summary(root, cache)
    builds = project_builds
    builds.clear()
    # A comment on the flagged line and one appended: every statement stays where it was.
    (root / "app.py").write_text(
        APP.replace("app.run(debug=True)", "app.run(debug=True)  # local only") + "# end\n",
        encoding="utf-8",
    )
    result = run_scan([root], root=root, cache_dir=cache)
    assert builds == []
    assert [(f.rule_id, f.path, f.span.start_line, f.fingerprint) for f in result.findings] == cold
    (finding,) = result.findings
    assert finding.snippet == "app.run(debug=True)  # local only"
    assert finding.fix is not None
    fixed, _ = apply_edits((root / "app.py").read_text(encoding="utf-8"), finding.fix.edits)
    assert "# local only" in fixed and "# end" in fixed
    assert 'if __name__ == "__main__":' in fixed
    compile(fixed, "app.py", "exec")
    # The reused result is cached for the new state: the next scan is a plain warm one.
    assert summary(root, cache) == cold
    assert builds == []


def test_an_edit_the_analyses_did_not_read_keeps_the_result(
    tmp_path: Path, project_builds: list[int]
) -> None:
    root = project(tmp_path / "p")
    cache = tmp_path / "cache"
    cold = summary(root, cache)
    builds = project_builds
    builds.clear()
    # Nothing looked into ``f``'s return value, nor up the name of a function added below
    # the flagged call.
    (root / "helper.py").write_text("def f():\n    return 2\n", encoding="utf-8")
    assert summary(root, cache) == cold
    (root / "app.py").write_text(APP + "\n\ndef g(value):\n    return value\n", encoding="utf-8")
    assert summary(root, cache) == cold
    # Nor into a new call of a name bound nowhere, or a new local variable.
    (root / "app.py").write_text(
        APP + "\n\ndef g(value):\n    total = len(value) + 1\n    return total\n",
        encoding="utf-8",
    )
    assert summary(root, cache) == cold
    assert builds == []
    # The stored result stands for the new state, and later edits are judged against the
    # same reads: one that the analyses did read runs them.
    (root / "app.py").write_text(
        APP.replace("app.run(debug=True)", 'if __name__ == "__main__":\n    app.run()'),
        encoding="utf-8",
    )
    assert summary(root, cache) == []
    assert builds == [1]


def test_code_added_or_deleted_above_unread_keeps_the_result_with_lines_moved(
    tmp_path: Path, project_builds: list[int]
) -> None:
    helper = "def unused(v):\n    total = len(v)\n    return total\n\n\n"
    root = project(tmp_path / "p")
    (root / "app.py").write_text(helper + APP, encoding="utf-8")
    cache = tmp_path / "cache"
    assert [(r[0], r[2]) for r in summary(root, cache)] == [("FG100", 8)]
    builds = project_builds
    builds.clear()
    # The helper's lines go: the analyses read nothing of it, and the flagged call moves up.
    (root / "app.py").write_text(APP, encoding="utf-8")
    assert [(r[0], r[2]) for r in summary(root, cache)] == [("FG100", 3)]
    # Another helper above, with a call and a variable: the call moves down.
    (root / "app.py").write_text(helper.replace("unused", "other") + APP, encoding="utf-8")
    moved = summary(root, cache)
    assert [(r[0], r[2]) for r in moved] == [("FG100", 8)]
    assert builds == []
    assert moved == summary(root, None)


def test_an_edit_that_changes_the_facts_runs_the_analyses(
    tmp_path: Path, project_builds: list[int]
) -> None:
    root = project(tmp_path / "p")
    cache = tmp_path / "cache"
    summary(root, cache)
    builds = project_builds
    builds.clear()
    # A call the dev-server analysis reads: a method named ``run`` may start a server.
    (root / "helper.py").write_text("def f(x):\n    return x.run()\n", encoding="utf-8")
    assert [r[0] for r in summary(root, cache)] == ["FG100"]
    assert builds == [1]
    # A blank line above moves the flagged call one line down: the finding moves with it,
    # without running the analyses again.
    (root / "app.py").write_text("\n" + APP, encoding="utf-8")
    assert [(r[0], r[2]) for r in summary(root, cache)] == [("FG100", 4)]
    assert builds == [1]
    # A new statement in place of the blank line changes no line, but it binds ``app``, which
    # the analyses looked up: a change they read.
    (root / "app.py").write_text("app = None\n" + APP, encoding="utf-8")
    assert [(r[0], r[2]) for r in summary(root, cache)] == [("FG100", 4)]
    assert builds == [1, 1]


def test_an_added_file_runs_the_analyses(tmp_path: Path, project_builds: list[int]) -> None:
    root = project(tmp_path / "p")
    cache = tmp_path / "cache"
    summary(root, cache)
    builds = project_builds
    builds.clear()
    (root / "other.py").write_text("# nothing here\n", encoding="utf-8")
    summary(root, cache)
    assert builds == [1]


def test_a_suppression_comment_is_an_edit_of_the_facts(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    cache = tmp_path / "cache"
    assert [r[0] for r in summary(root, cache)] == ["FG100"]
    (root / "app.py").write_text(
        APP.replace("app.run(debug=True)", "app.run(debug=True)  # flaskguard: ignore[FG100]"),
        encoding="utf-8",
    )
    result = run_scan([root], root=root, cache_dir=cache)
    assert [f.rule_id for f in result.active_findings] == []
    assert [f.rule_id for f in result.suppressed_findings] == ["FG100"]


def _stored_facts(cache: Path) -> list[tuple[str, str]]:
    (database,) = cache.glob("*.sqlite")
    connection = sqlite3.connect(str(database))
    try:
        return sorted(connection.execute("SELECT relpath, key FROM outcomes").fetchall())
    finally:
        connection.close()


def test_the_cache_keeps_one_version_of_each_file(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    cache = tmp_path / "cache"
    summary(root, cache)
    first = _stored_facts(cache)
    assert [relpath for relpath, _ in first] == ["app.py", "helper.py", "pyproject.toml"]
    for value in range(3):
        (root / "helper.py").write_text(f"def f():\n    return {value}\n", encoding="utf-8")
        summary(root, cache)
        (root / "app.py").write_text(APP + f"# edit {value}\n", encoding="utf-8")
        summary(root, cache)
    assert _stored_facts(cache) == first
    # Scanning one file leaves the other files' facts alone.
    run_scan([root / "helper.py"], root=root, cache_dir=cache)
    assert _stored_facts(cache) == first


def test_a_damaged_stored_result_is_a_miss(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    cache = tmp_path / "cache"
    expected = summary(root, cache)
    (database,) = cache.glob("*.sqlite")
    connection = sqlite3.connect(str(database))
    with connection:
        connection.execute("UPDATE results SET payload = ?", (b"not a pickle",))
    connection.close()
    # A comment-only edit asks for the last result, which cannot be read: a full scan follows.
    (root / "app.py").write_text(APP + "# edited\n", encoding="utf-8")
    result = run_scan([root], root=root, cache_dir=cache)
    assert [
        (f.rule_id, f.path, f.span.start_line, f.fingerprint) for f in result.findings
    ] == expected
    assert any("reading results" in warning for warning in result.warnings)
