"""Diff-aware scans (``--changed-since``): changed lines from real git repositories."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from flaskguard.changed import (
    ChangedLines,
    ChangedSinceError,
    changed_lines,
    filter_changed,
    parse_unified_diff,
)
from flaskguard.config import Config
from flaskguard.findings import RelatedLocation, ScanResult
from flaskguard.scan import run_scan

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

APP = "from flask import Flask\napp = Flask(__name__)\n"
RUN = APP + "app.run()\n"  # FG100 on line 3


@pytest.fixture(autouse=True)
def _git_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No GIT_DIR & co. of an outer hook; an identity for commits; no user configuration."""
    for name in list(os.environ):
        if name.startswith("GIT_"):
            monkeypatch.delenv(name)
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "t")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "t@example.com")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), "-c", "commit.gpgsign=false", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def make_repo(repo: Path, files: dict[str, str]) -> Path:
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q")
    write(repo, files)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    return repo


def scan(root: Path) -> ScanResult:
    return run_scan([root], root=root, config=Config(), jobs=1)


def fg100(result: ScanResult) -> list[str]:
    return sorted(f"{f.path}:{f.span.start_line}" for f in result.findings if f.rule_id == "FG100")


def scan_changed(root: Path, rev: str = "HEAD") -> tuple[ScanResult, int]:
    return filter_changed(scan(root), changed_lines(root, rev))


def test_modified_line_keeps_its_finding_only(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"pyproject.toml": "", "a.py": RUN, "b.py": RUN})
    write(repo, {"a.py": RUN.replace("app.run()", "app.run(port=5001)")})
    result, dropped = scan_changed(repo)
    assert fg100(result) == ["a.py:3"]
    assert dropped == 1
    assert result.stats.findings == len(result.active_findings) == 1


def test_staged_changes_count(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"pyproject.toml": "", "a.py": RUN})
    write(repo, {"a.py": RUN.replace("app.run()", "app.run(port=5001)")})
    git(repo, "add", "a.py")
    assert changed_lines(repo, "HEAD").lines == {"a.py": frozenset({3})}


def test_untracked_file_counts_whole(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"pyproject.toml": "", "a.py": RUN, ".gitignore": "ign.py\n"})
    write(repo, {"new.py": RUN, "ign.py": RUN})
    changed = changed_lines(repo, "HEAD")
    assert changed.whole_files == frozenset({"new.py"})
    assert changed.touches("new.py", 3)
    assert not changed.touches("a.py", 3)
    result, dropped = scan_changed(repo)
    assert fg100(result) == ["new.py:3"]
    assert dropped == 1  # a.py (ign.py is ignored by the scan too)


def test_file_added_since_revision_counts_whole(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"pyproject.toml": "", "a.py": RUN})
    base = git(repo, "rev-parse", "HEAD").strip()
    write(repo, {"added.py": RUN})
    git(repo, "add", "added.py")
    git(repo, "commit", "-q", "-m", "more")
    result, _ = scan_changed(repo, base)
    assert fg100(result) == ["added.py:3"]
    assert "added.py" in changed_lines(repo, base).whole_files


def test_line_moved_by_insertion_above_is_not_changed(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"pyproject.toml": "", "a.py": RUN})
    write(repo, {"a.py": "import os\nimport sys\n" + RUN})
    changed = changed_lines(repo, "HEAD")
    assert changed.lines == {"a.py": frozenset({1, 2})}
    result, dropped = scan_changed(repo)
    assert fg100(result) == []
    assert dropped == 1
    assert result.stats.findings == 0


def test_changed_trace_step_in_another_file_keeps_the_finding(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": "",
        "app.py": APP + "\ndef main():\n    app.run()\n",
        "run.py": "from app import main\n\nmain()\n",
    }
    repo = make_repo(tmp_path, files)
    (finding,) = [f for f in scan(repo).findings if f.rule_id == "FG100"]
    assert ("run.py", 3) in {(t.path, t.line) for t in finding.trace}
    write(repo, {"run.py": "from app import main\n\nmain()  # start\n"})
    result, dropped = scan_changed(repo)
    assert fg100(result) == ["app.py:5"]
    assert dropped == 0


def test_related_location_counts(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"pyproject.toml": "", "a.py": RUN})
    (finding,) = scan(repo).findings
    related = RelatedLocation("other.py", 7, 1, "see")
    result = ScanResult(root=str(repo), findings=[dataclasses.replace(finding, trace=())])
    changed = ChangedLines(lines={"other.py": frozenset({7})})
    assert filter_changed(result, changed)[0].findings == []
    result.findings = [dataclasses.replace(finding, trace=(), related_locations=(related,))]
    assert len(filter_changed(result, changed)[0].findings) == 1


def test_root_in_a_sub_folder_of_the_repository(tmp_path: Path) -> None:
    files = {"svc/pyproject.toml": "", "svc/pkg/a.py": RUN, "svc/b.py": RUN, "other/c.py": RUN}
    repo = make_repo(tmp_path, files)
    edited = RUN.replace("app.run()", "app.run(debug=False)")
    write(repo, {"svc/pkg/a.py": edited, "other/c.py": edited, "svc/new.py": RUN})
    changed = changed_lines(repo / "svc", "HEAD")
    assert changed.lines == {"pkg/a.py": frozenset({3})}
    assert changed.whole_files == frozenset({"new.py"})
    result, dropped = scan_changed(repo / "svc")
    assert fg100(result) == ["new.py:3", "pkg/a.py:3"]
    assert dropped == 1


def test_deletion_point_counts(tmp_path: Path) -> None:
    source = APP + "PORT = 5000\napp.run()\n"
    repo = make_repo(tmp_path, {"pyproject.toml": "", "a.py": source, "b.py": RUN})
    write(repo, {"a.py": APP + "app.run()\n"})
    changed = changed_lines(repo, "HEAD")
    assert changed.lines == {"a.py": frozenset({2, 3})}
    result, _ = scan_changed(repo)
    assert fg100(result) == ["a.py:3"]


def test_renamed_file_uses_the_new_path(tmp_path: Path) -> None:
    body = "".join(f"X{i} = {i}\n" for i in range(20))
    repo = make_repo(tmp_path, {"pyproject.toml": "", "old.py": body + RUN})
    git(repo, "mv", "old.py", "new name.py")
    write(repo, {"new name.py": body + RUN.replace("app.run()", "app.run(port=1)")})
    changed = changed_lines(repo, "HEAD")
    assert changed.lines == {"new name.py": frozenset({23})}
    assert changed.whole_files == frozenset()


def test_deleted_and_binary_files_are_ignored(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"pyproject.toml": "", "gone.py": RUN, "blob.bin": "a\0b"})
    (repo / "gone.py").unlink()
    (repo / "blob.bin").write_bytes(b"c\0d")
    assert changed_lines(repo, "HEAD") == ChangedLines(lines={}, whole_files=frozenset())


def test_bad_revision(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"pyproject.toml": "", "a.py": RUN})
    with pytest.raises(ChangedSinceError, match="no-such-rev"):
        changed_lines(repo, "no-such-rev")
    with pytest.raises(ChangedSinceError):
        changed_lines(repo, "--output=x")


def test_not_a_git_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    with pytest.raises(ChangedSinceError, match=r"(?i)not a git repository"):
        changed_lines(folder, "HEAD")


def test_git_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    with pytest.raises(ChangedSinceError, match="git is not installed"):
        changed_lines(tmp_path, "HEAD")


def test_parse_hunk_lines_that_look_like_headers() -> None:
    diff = (
        b"diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n"
        b"@@ -1,0 +2,2 @@\n+++ b/evil.py\n+@@ -1 +9 @@\n"
        b'diff --git "a/t\\tab.py" "b/t\\tab.py"\n--- "a/t\\tab.py"\n+++ "b/t\\tab.py"\n'
        b"@@ -4 +4 @@\n-old\n+new\n\\ No newline at end of file\n"
    )
    assert parse_unified_diff(diff) == {"x.py": {2, 3}, "t\tab.py": {4}}
