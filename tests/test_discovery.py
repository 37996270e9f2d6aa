from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flaskguard.discovery import (
    DEFAULT_EXCLUDES,
    DiscoveredFile,
    DiscoveryResult,
    discover,
    find_project_root,
)
from flaskguard.findings import Diagnostic

needs_symlinks = pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
running_as_root = hasattr(os, "geteuid") and os.geteuid() == 0


def write(root: Path, *names: str, content: str = "") -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)


def scan(root: Path, *paths: str, **options: Any) -> DiscoveryResult:
    return discover([root / path for path in paths], root, **options)


def relpaths(result: DiscoveryResult) -> list[str]:
    return [file.relpath for file in result.files]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    return project


# -- kinds ---------------------------------------------------------------------------------

KINDS = {
    "templates/index.html": "template",
    "app.py": "python",
    "gui.pyw": "python",
    "gunicorn.conf.py": "python",
    "gunicorn_config.py": "python",
    "deploy/gunicorn.py": "python",
    "Procfile": "deployment",
    "Dockerfile": "deployment",
    "Dockerfile.prod": "deployment",
    "docker/web.Dockerfile": "deployment",
    "docker/dockerfile": "deployment",
    "Containerfile": "deployment",
    "docker-compose.yml": "deployment",
    "docker-compose.prod.yaml": "deployment",
    "compose.yaml": "deployment",
    "deploy/compose.yml": "deployment",
    "uwsgi.ini": "deployment",
    "deploy/uwsgi.yaml": "deployment",
    "app.yaml": "deployment",
    "gae/app.yml": "deployment",
    "requirements.txt": "deployment",
    "requirements-dev.txt": "deployment",
    "requirements/prod.txt": "deployment",
    "requirements/base.in": "deployment",
    "pyproject.toml": "deployment",
    "poetry.lock": "deployment",
    "Pipfile.lock": "deployment",
    "setup.cfg": "deployment",
    "pylock.toml": "deployment",
    ".env": "env",
    ".env.production": "env",
    ".env.example": "env",
    ".flaskenv": "env",
}


def test_kinds(root: Path) -> None:
    write(root, *KINDS, "README.md", "notes.txt", ".envrc")
    result = scan(root)
    assert result.diagnostics == []
    assert {file.relpath: file.kind for file in result.files} == KINDS


def test_files_are_absolute_sorted_and_not_explicit(root: Path) -> None:
    write(root, "b.py", "a/z.py", "a/b.py", "A.py")
    result = scan(root)
    assert relpaths(result) == ["A.py", "a/b.py", "a/z.py", "b.py", "pyproject.toml"]
    first = result.files[0]
    assert first == DiscoveredFile(root / "A.py", "A.py", "python", explicit=False)
    assert first.path.is_absolute()


def test_overlapping_paths_report_each_file_once(root: Path) -> None:
    write(root, "app.py", "pkg/mod.py")
    result = scan(root, ".", "app.py", "pkg", "pkg/mod.py", "app.py")
    assert relpaths(result) == ["app.py", "pkg/mod.py", "pyproject.toml"]
    assert [file.explicit for file in result.files] == [True, True, False]


def test_no_paths_means_the_root(root: Path) -> None:
    write(root, "app.py")
    assert relpaths(discover([], root)) == ["app.py", "pyproject.toml"]


def test_relative_paths_are_taken_from_the_current_directory(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(root, "pkg/app.py")
    monkeypatch.chdir(root / "pkg")
    result = discover([Path("app.py")], root)
    assert [(file.relpath, file.path) for file in result.files] == [
        ("pkg/app.py", root / "pkg" / "app.py")
    ]


# -- excludes ------------------------------------------------------------------------------


def test_default_excludes(root: Path) -> None:
    excluded = [f"{name.replace('*', 'demo')}/mod.py" for name in DEFAULT_EXCLUDES]
    write(root, "src/app.py", "src/build/mod.py", "src/node_modules/x/mod.py", *excluded)
    assert relpaths(scan(root)) == ["pyproject.toml", "src/app.py"]


def test_virtualenv_found_by_pyvenv_cfg_whatever_its_name(root: Path) -> None:
    write(root, "app.py", "env/pyvenv.cfg", "env/lib/python3.12/flask/app.py")
    write(root, "tools/py/pyvenv.cfg", "tools/py/bin/activate.py", "tools/run.py")
    assert relpaths(scan(root)) == ["app.py", "pyproject.toml", "tools/run.py"]


def test_exclude_replaces_the_defaults(root: Path) -> None:
    write(root, "app.py", ".venv/mod.py", "generated/mod.py")
    result = scan(root, exclude=["generated"])
    assert relpaths(result) == [".venv/mod.py", "app.py", "pyproject.toml"]


def test_extend_exclude_adds_to_the_defaults(root: Path) -> None:
    write(root, "migrations/0001.py", "app/migrations/0001.py", "app/api_pb2.py", "app/api.py")
    write(root, "build/x.py")
    result = scan(root, extend_exclude=["/migrations", "*_pb2.py"])
    assert relpaths(result) == ["app/api.py", "app/migrations/0001.py", "pyproject.toml"]


def test_malformed_exclude_pattern_keeps_the_others(root: Path) -> None:
    write(root, "app.py", "skip.py")
    assert relpaths(scan(root, extend_exclude=["!", "skip.py"])) == ["app.py", "pyproject.toml"]


# -- .gitignore ----------------------------------------------------------------------------


def test_gitignore_patterns_negation_and_nesting(root: Path) -> None:
    write(
        root,
        ".gitignore",
        content="*_gen.py\n/local.py\nsecrets/\n/scripts/*.py\n!/scripts/keep.py\n",
    )
    write(root, "api/.gitignore", content="settings_local.py\n!client_gen.py\n")
    write(
        root,
        "app.py",
        "model_gen.py",
        "local.py",
        "secrets/keys.py",
        "scripts/drop.py",
        "scripts/keep.py",
        "api/local.py",
        "api/settings_local.py",
        "api/client_gen.py",
        "api/server_gen.py",
        "web/settings_local.py",
    )
    assert relpaths(scan(root)) == [
        "api/client_gen.py",
        "api/local.py",
        "app.py",
        "pyproject.toml",
        "scripts/keep.py",
        "web/settings_local.py",
    ]


def test_gitignore_whitelist_idiom(root: Path) -> None:
    # Ignore everything, then re-include directories and Python files.
    write(root, ".gitignore", content="*\n!*/\n!*.py\n")
    write(root, "src/app.py", "src/Dockerfile", "app.py")
    assert relpaths(scan(root)) == ["app.py", "src/app.py"]


def test_ignored_directory_is_not_walked(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(root, ".gitignore", content="data/\n")
    write(root, "app.py", "data/deep/mod.py")
    walked: list[str] = []
    real_scandir = os.scandir

    def spy(path: Any) -> Iterator[os.DirEntry[str]]:
        walked.append(os.path.relpath(path, root))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", spy)
    assert relpaths(scan(root)) == ["app.py", "pyproject.toml"]
    assert not any(path.startswith("data") for path in walked)


def test_git_info_exclude(root: Path) -> None:
    write(root, ".git/info/exclude", content="scratch.py\n")
    write(root, "app.py", "scratch.py")
    assert relpaths(scan(root)) == ["app.py", "pyproject.toml"]


def test_gitignore_above_the_root_inside_the_repository(tmp_path: Path) -> None:
    write(tmp_path, ".git/HEAD", ".gitignore", content="*_local.py\n")
    root = tmp_path / "services" / "api"
    write(root, "pyproject.toml", "app.py", "config_local.py")
    assert relpaths(scan(root)) == ["app.py", "pyproject.toml"]


def test_respect_gitignore_false(root: Path) -> None:
    write(root, ".gitignore", content="*.py\n")
    write(root, "app.py")
    assert relpaths(scan(root, respect_gitignore=False)) == ["app.py", "pyproject.toml"]


def test_env_files_are_found_even_when_gitignored(root: Path) -> None:
    write(root, ".gitignore", content=".env\n.env.*\n*.py\n")
    write(root, ".env", ".env.production", "config/.flaskenv", "app.py")
    assert relpaths(scan(root)) == [".env", ".env.production", "config/.flaskenv", "pyproject.toml"]


def test_env_files_are_not_found_when_excluded(root: Path) -> None:
    write(root, ".env", ".env.production")
    assert relpaths(scan(root, extend_exclude=[".env.*"])) == [".env", "pyproject.toml"]


def test_malformed_gitignore_line_keeps_the_others(root: Path) -> None:
    write(root, ".gitignore", content="!\nskip.py\n")
    write(root, "app.py", "skip.py")
    assert relpaths(scan(root)) == ["app.py", "pyproject.toml"]


# -- paths named on the command line -------------------------------------------------------


def test_named_file_is_scanned_even_when_excluded(root: Path) -> None:
    write(root, "build/gen.py", ".gitignore", content="ignored.py\n")
    write(root, "ignored.py")
    result = scan(root, "build/gen.py", "ignored.py")
    assert [(f.relpath, f.explicit) for f in result.files] == [
        ("build/gen.py", True),
        ("ignored.py", True),
    ]


def test_force_exclude_applies_to_named_files(root: Path) -> None:
    write(root, ".gitignore", content="ignored.py\n.env\n")
    write(root, "build/gen.py", "ignored.py", "app.py", ".env", "venv2/pyvenv.cfg", "venv2/x.py")
    result = scan(
        root, "build/gen.py", "ignored.py", "app.py", ".env", "venv2/x.py", force_exclude=True
    )
    assert relpaths(result) == [".env", "app.py"]


def test_named_file_of_unknown_kind_is_python(root: Path) -> None:
    write(root, "bin/manage")
    assert [(f.relpath, f.kind) for f in scan(root, "bin/manage").files] == [
        ("bin/manage", "python")
    ]


def test_named_excluded_directory_is_walked_with_excludes_below(root: Path) -> None:
    write(root, "build/lib/app.py", "build/lib/__pycache__/app.py", "build/node_modules/x.py")
    result = scan(root, "build")
    assert relpaths(result) == ["build/lib/app.py"]
    assert not result.files[0].explicit
    assert relpaths(scan(root, "build", force_exclude=True)) == []


def test_named_directory_inside_an_excluded_one(root: Path) -> None:
    write(root, ".venv/lib/site-packages/flask/app.py", ".venv/pyvenv.cfg")
    result = scan(root, ".venv/lib/site-packages/flask")
    assert relpaths(result) == [".venv/lib/site-packages/flask/app.py"]


def test_named_gitignored_directory_is_walked(root: Path) -> None:
    write(root, ".gitignore", content="generated/\n*.tmp.py\n")
    write(root, "generated/api.py", "generated/__pycache__/api.py")
    assert relpaths(scan(root, "generated")) == ["generated/api.py"]
    assert relpaths(scan(root, "generated", force_exclude=True)) == []


def test_named_directory_keeps_root_relative_excludes(root: Path) -> None:
    write(root, "src/generated/x.py", "src/app.py", "generated/y.py")
    result = scan(root, "src", extend_exclude=["/src/generated"])
    assert relpaths(result) == ["src/app.py"]


def test_file_outside_the_root(tmp_path: Path, root: Path) -> None:
    write(tmp_path, "shared/tool.py")
    result = discover([tmp_path / "shared" / "tool.py"], root)
    assert [(f.relpath, f.explicit) for f in result.files] == [("../shared/tool.py", True)]


def test_directory_outside_the_root(tmp_path: Path, root: Path) -> None:
    write(tmp_path, "shared/lib/tool.py", "shared/node_modules/x.py", "shared/secret.py")
    write(tmp_path, "shared/.gitignore", content="secret.py\n")
    result = discover([tmp_path / "shared"], root)
    assert relpaths(result) == ["../shared/lib/tool.py"]


# -- problems ------------------------------------------------------------------------------


def test_missing_path(root: Path) -> None:
    result = scan(root, "nope.py", "gone")
    assert result.files == []
    assert result.diagnostics == [
        Diagnostic("FG903", "gone", "path does not exist"),
        Diagnostic("FG903", "nope.py", "path does not exist"),
    ]


@needs_symlinks
def test_broken_symlink(root: Path) -> None:
    write(root, "app.py")
    (root / "dangling.py").symlink_to(root / "missing.py")
    (root / "ignored.py").symlink_to(root / "missing.py")
    (root / ".gitignore").write_text("ignored.py\n")
    result = scan(root)
    assert relpaths(result) == ["app.py", "pyproject.toml"]
    assert result.diagnostics == [Diagnostic("FG903", "dangling.py", "broken symbolic link")]
    assert scan(root, "dangling.py").diagnostics == result.diagnostics


@needs_symlinks
def test_self_referencing_symlink(root: Path) -> None:
    (root / "loop").symlink_to(root / "loop")
    result = scan(root)
    assert result.diagnostics == [Diagnostic("FG903", "loop", "symbolic link loop")]


@needs_symlinks
def test_symlink_to_an_ancestor_is_reported_once(root: Path) -> None:
    write(root, "pkg/sub/mod.py")
    (root / "pkg" / "sub" / "up").symlink_to(root / "pkg")
    (root / "pkg" / "root").symlink_to(root)
    result = scan(root)
    assert relpaths(result) == ["pkg/sub/mod.py", "pyproject.toml"]
    assert [(d.code, d.path) for d in result.diagnostics] == [
        ("FG903", "pkg/root"),
        ("FG903", "pkg/sub/up"),
    ]


@needs_symlinks
def test_symlinked_directory_is_followed_once(tmp_path: Path, root: Path) -> None:
    write(tmp_path, "vendor/lib/helpers.py")
    write(root, "pkg/mod.py")
    (root / "lib").symlink_to(tmp_path / "vendor" / "lib")
    (root / "alias").symlink_to(root / "pkg")
    (root / "zz").symlink_to(tmp_path / "vendor" / "lib")
    result = scan(root)
    assert result.diagnostics == []
    assert relpaths(result) == ["lib/helpers.py", "pkg/mod.py", "pyproject.toml"]
    assert result.files[0].path == root / "lib" / "helpers.py"


@needs_symlinks
def test_symlinked_file_to_a_file_already_seen(tmp_path: Path, root: Path) -> None:
    write(root, "app.py")
    write(tmp_path, "elsewhere/wsgi.py")
    (root / "aaa_link.py").symlink_to(root / "app.py")
    (root / "wsgi.py").symlink_to(tmp_path / "elsewhere" / "wsgi.py")
    assert relpaths(scan(root)) == ["app.py", "pyproject.toml", "wsgi.py"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_special_files_are_skipped(root: Path) -> None:
    os.mkfifo(root / "pipe.py")
    assert relpaths(scan(root)) == ["pyproject.toml"]
    assert scan(root, "pipe.py").diagnostics == [
        Diagnostic("FG903", "pipe.py", "not a regular file or directory")
    ]


def test_unreadable_directory(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Works as root too, where chmod cannot make a directory unreadable.
    write(root, "app.py", "private/mod.py")
    real_scandir = os.scandir

    def refuse(path: Any) -> Iterator[os.DirEntry[str]]:
        if os.fspath(path).endswith("private"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refuse)
    result = scan(root)
    assert relpaths(result) == ["app.py", "pyproject.toml"]
    assert result.diagnostics == [
        Diagnostic("FG903", "private", "cannot read directory: permission denied")
    ]


@pytest.mark.skipif(running_as_root, reason="root reads directories whatever their mode")
def test_unreadable_directory_by_mode(root: Path) -> None:
    write(root, "app.py", "private/mod.py")
    (root / "private").chmod(0)
    try:
        result = scan(root)
    finally:
        (root / "private").chmod(0o755)
    assert result.diagnostics == [
        Diagnostic("FG903", "private", "cannot read directory: permission denied")
    ]


def test_unreadable_root(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(path: Any) -> Iterator[os.DirEntry[str]]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "scandir", refuse)
    result = scan(root)
    assert result.diagnostics == [
        Diagnostic("FG903", ".", "cannot read directory: permission denied")
    ]


# -- project root --------------------------------------------------------------------------


def test_root_is_the_nearest_pyproject(tmp_path: Path) -> None:
    write(tmp_path, "repo/.git/HEAD", "repo/pyproject.toml", "repo/svc/pyproject.toml")
    write(tmp_path, "repo/svc/app/views.py")
    svc = tmp_path / "repo" / "svc"
    assert find_project_root([Path("app/views.py")], svc) == svc
    assert find_project_root([svc / "app"], tmp_path) == svc


def test_root_is_the_common_ancestor_of_the_paths(tmp_path: Path) -> None:
    write(tmp_path, "repo/pyproject.toml", "repo/a/x.py", "repo/b/y.py")
    write(tmp_path, "repo/a/pyproject.toml")
    repo = tmp_path / "repo"
    assert find_project_root([repo / "a" / "x.py", repo / "b" / "y.py"], tmp_path) == repo


def test_root_falls_back_to_the_git_top(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "repo/.git/HEAD", "repo/src/app.py")
    repo = tmp_path / "repo"
    # The pyproject.toml above the work tree belongs to something else.
    assert find_project_root([Path("src")], repo) == repo


def test_root_falls_back_to_cwd(tmp_path: Path) -> None:
    write(tmp_path, "a/b/app.py")
    cwd = tmp_path / "a"
    assert find_project_root([cwd / "b" / "app.py"], cwd) == cwd
    assert find_project_root([], cwd) == cwd
