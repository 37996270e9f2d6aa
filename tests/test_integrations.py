"""The CI integrations: the composite GitHub Action (``action.yml``) and the pre-commit hook.

The action's shell steps run for real in a temporary project, with the inputs substituted
the way GitHub would (the ``uses:`` steps, setup-python and the SARIF upload, are stubbed by
skipping them). The pre-commit hook is exercised with ``pre-commit try-repo`` in a temporary
git repository, offline, against a wheelhouse (``FLASKGUARD_WHEELHOUSE``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Optional

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
ACTION = ROOT / "action.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
SARIF_SCHEMA = json.loads(
    (Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text("utf-8")
)
# Where the running interpreter's console scripts (``flaskguard``) live.
VENV_BIN = Path(sys.executable).parent

CRITICAL_APP = textwrap.dedent(
    """\
    from flask import Flask

    app = Flask(__name__)
    app.run(debug=True, host="0.0.0.0")
    """
)
MEDIUM_APP = textwrap.dedent(
    """\
    from flask import Flask

    app = Flask(__name__)
    app.config["DEBUG"] = True
    """
)

needs_bash = pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


# --------------------------------------------------------------------------- GitHub Action


def load_action() -> dict[str, Any]:
    action = yaml.safe_load(ACTION.read_text("utf-8"))
    assert isinstance(action, dict)
    return action


def steps() -> list[dict[str, Any]]:
    found = load_action()["runs"]["steps"]
    assert isinstance(found, list)
    return found


def step_index(predicate: Any) -> int:
    matches = [i for i, step in enumerate(steps()) if predicate(step)]
    assert len(matches) == 1, f"expected exactly one matching step, found {matches}"
    return matches[0]


def scan_index() -> int:
    return step_index(lambda s: "--format sarif" in s.get("run", ""))


def enforce_index() -> int:
    return step_index(lambda s: "--fail-on" in s.get("run", ""))


def upload_index() -> int:
    return step_index(
        lambda s: str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif")
    )


def defaults() -> dict[str, str]:
    return {name: str(spec.get("default", "")) for name, spec in load_action()["inputs"].items()}


EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


def substitute(text: str, inputs: dict[str, str]) -> str:
    """Expand ``${{ inputs.X }}`` and ``${{ github.action_path }}`` as GitHub would."""

    def expand(match: re.Match[str]) -> str:
        expression = match.group(1)
        if expression == "github.action_path":
            return str(ROOT)
        if expression.startswith("inputs."):
            name = expression[len("inputs.") :]
            assert name in inputs, f"step uses undeclared input {name!r}"
            return inputs[name]
        raise AssertionError(f"unexpected expression in a run step: {match.group(0)}")

    return EXPRESSION.sub(expand, text)


def run_step(
    step: dict[str, Any],
    project: Path,
    overrides: Optional[dict[str, str]] = None,
    path_prefix: Optional[Path] = None,
) -> subprocess.CompletedProcess[str]:
    """Run one ``run:`` step with ``bash -e -c`` in ``project``, as the runner would."""
    assert step.get("shell") == "bash", step
    inputs = {**defaults(), **(overrides or {})}
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join(
        [*([str(path_prefix)] if path_prefix else []), str(VENV_BIN), env.get("PATH", "")]
    )
    for name, value in (step.get("env") or {}).items():
        env[name] = substitute(str(value), inputs)
    return subprocess.run(
        ["bash", "-e", "-c", substitute(step["run"], inputs)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def make_project(folder: Path, source: str) -> Path:
    folder.mkdir()
    (folder / "app.py").write_text(source, encoding="utf-8")
    (folder / "pyproject.toml").write_text("", encoding="utf-8")
    return folder


def run_action(
    project: Path, overrides: Optional[dict[str, str]] = None
) -> list[tuple[str, subprocess.CompletedProcess[str]]]:
    """Every shell step after the install, in order, stopping at the first failure."""
    results = []
    for step in steps():
        if "run" not in step or "pip install" in step["run"]:
            continue  # `uses:` steps are stubbed; flaskguard is already installed here
        result = run_step(step, project, overrides)
        results.append((step.get("name", ""), result))
        if result.returncode != 0:
            break
    return results


def test_action_is_composite_with_documented_inputs() -> None:
    action = load_action()
    assert action["runs"]["using"] == "composite"
    assert action["name"] and action["description"]
    assert defaults() == {
        "path": ".",
        "fail-on": "high",
        "sarif-file": "flaskguard.sarif",
        "version": "",
        "upload": "true",
        "python-version": "3.12",
    }
    for name, spec in action["inputs"].items():
        assert spec.get("description"), f"input {name} has no description"
    # The upload needs this permission; the file tells users so.
    assert "security-events: write" in ACTION.read_text("utf-8")


def test_action_steps_scan_upload_then_enforce() -> None:
    all_steps = steps()
    setup = step_index(lambda s: str(s.get("uses", "")).startswith("actions/setup-python@"))
    assert all_steps[setup]["uses"] == "actions/setup-python@v5"
    assert all_steps[setup]["with"]["python-version"] == "${{ inputs.python-version }}"

    scan, upload, enforce = scan_index(), upload_index(), enforce_index()
    assert setup < scan < upload < enforce

    scan_run = all_steps[scan]["run"]
    assert "flaskguard scan" in scan_run
    assert "--exit-zero" in scan_run  # so the upload always happens
    assert "--format sarif" in scan_run

    upload_step = all_steps[upload]
    assert upload_step["uses"] == "github/codeql-action/upload-sarif@v3"
    assert upload_step["with"]["sarif_file"] == "${{ inputs.sarif-file }}"
    assert upload_step["with"]["category"] == "flaskguard"
    assert "inputs.upload == 'true'" in upload_step["if"]

    enforce_run = all_steps[enforce]["run"]
    assert "flaskguard scan" in enforce_run
    assert "--exit-zero" not in enforce_run
    assert "--format github" in enforce_run


def test_action_run_steps_take_inputs_from_the_environment_only() -> None:
    # `${{ inputs.X }}` expanded inside a script is a shell-injection hole; inputs go
    # through `env:` instead.
    for step in steps():
        if "run" in step:
            assert "${{" not in step["run"], step["name"]


@needs_bash
def test_action_install_step_defaults_to_the_action_folder(tmp_path: Path) -> None:
    install = steps()[step_index(lambda s: "pip install" in s.get("run", ""))]
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    log = tmp_path / "pip-args"
    fake_python = fake_bin / "python"
    fake_python.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{log}"\n', encoding="utf-8")
    fake_python.chmod(0o755)

    result = run_step(install, tmp_path, path_prefix=fake_bin)
    assert result.returncode == 0, result.stderr
    args = log.read_text("utf-8").splitlines()
    assert args[:3] == ["-m", "pip", "install"]
    assert args[-1] == str(ROOT)

    result = run_step(install, tmp_path, {"version": "flaskguard==0.1.0"}, path_prefix=fake_bin)
    assert result.returncode == 0, result.stderr
    assert log.read_text("utf-8").splitlines()[-1] == "flaskguard==0.1.0"


@needs_bash
def test_action_writes_sarif_then_fails_the_job_on_a_critical_finding(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", CRITICAL_APP)
    results = run_action(project)
    names = [name for name, _ in results]
    assert len(results) == 2, names  # the scan and the enforcing step; the upload is stubbed

    (_, scan), (_, enforce) = results
    assert scan.returncode == 0, scan.stderr  # --exit-zero despite the finding
    sarif = json.loads((project / "flaskguard.sarif").read_text("utf-8"))
    jsonschema.validate(sarif, SARIF_SCHEMA)
    rule_ids = [r["ruleId"] for run in sarif["runs"] for r in run["results"]]
    assert "FG100" in rule_ids

    assert enforce.returncode == 1, enforce.stdout + enforce.stderr
    assert "::error file=app.py,line=4" in enforce.stdout
    assert "FG100" in enforce.stdout


@needs_bash
def test_action_passes_when_findings_stay_below_fail_on(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", MEDIUM_APP)
    results = run_action(project, {"fail-on": "critical", "sarif-file": "report.sarif"})
    assert [r.returncode for _, r in results] == [0, 0], [r.stderr for _, r in results]
    sarif = json.loads((project / "report.sarif").read_text("utf-8"))
    assert [r["ruleId"] for run in sarif["runs"] for r in run["results"]] == ["FG101"]
    # The enforcing step still shows the finding as an annotation.
    assert "FG101" in results[1][1].stdout

    # At `fail-on: medium` the same finding fails the job.
    results = run_action(project, {"fail-on": "medium"})
    assert [r.returncode for _, r in results] == [0, 1]


# --------------------------------------------------------------------------- pre-commit


def test_pre_commit_hook_definition() -> None:
    hooks = yaml.safe_load(HOOKS.read_text("utf-8"))
    assert isinstance(hooks, list) and len(hooks) == 1
    hook = hooks[0]
    assert hook["id"] == "flaskguard"
    assert hook["name"] == "flaskguard"
    assert hook["entry"] == "flaskguard scan"
    assert hook["language"] == "python"
    # The analysis needs the whole project, and Dockerfile or .env changes matter too.
    assert hook["pass_filenames"] is False
    assert hook["always_run"] is True
    assert hook["require_serial"] is True
    assert hook.get("description")


def git(*args: str, cwd: Path) -> str:
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME="flaskguard tests",
        GIT_AUTHOR_EMAIL="tests@flaskguard.invalid",
        GIT_COMMITTER_NAME="flaskguard tests",
        GIT_COMMITTER_EMAIL="tests@flaskguard.invalid",
        GIT_CONFIG_NOSYSTEM="1",
    )
    result = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout


def snapshot_repo(destination: Path) -> Path:
    """The working tree (tracked and untracked, minus ignored files) as a fresh git repo.

    ``try-repo`` on the real checkout would only see committed files plus changes to
    tracked ones, so new, uncommitted hook files would be missed.
    """
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    git("init", "-q", cwd=destination)
    git("add", "-A", cwd=destination)
    git("commit", "-q", "-m", "snapshot", cwd=destination)
    return destination


@needs_git
def test_pre_commit_try_repo_reports_findings_offline(tmp_path: Path) -> None:
    if importlib.util.find_spec("pre_commit") is None:
        pytest.skip("pre-commit is not installed (it is in the `test` extras)")
    wheelhouse = os.environ.get("FLASKGUARD_WHEELHOUSE")
    if not wheelhouse or not Path(wheelhouse).is_dir():
        pytest.skip("no offline wheelhouse (set FLASKGUARD_WHEELHOUSE; .ci/run builds one)")
    if not (ROOT / ".git").exists():
        pytest.skip("the flaskguard sources are not a git checkout")

    hook_repo = snapshot_repo(tmp_path / "flaskguard-repo")
    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").write_text(CRITICAL_APP, encoding="utf-8")
    git("init", "-q", cwd=project)
    git("add", "app.py", cwd=project)
    git("commit", "-q", "-m", "app", cwd=project)

    env = dict(
        os.environ,
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(Path(wheelhouse).resolve()),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
        VIRTUALENV_NO_PERIODIC_UPDATE="1",
        GIT_AUTHOR_NAME="flaskguard tests",
        GIT_AUTHOR_EMAIL="tests@flaskguard.invalid",
        GIT_COMMITTER_NAME="flaskguard tests",
        GIT_COMMITTER_EMAIL="tests@flaskguard.invalid",
    )
    env.pop("PIP_INDEX_URL", None)
    env.pop("PIP_EXTRA_INDEX_URL", None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "try-repo",
            str(hook_repo),
            "flaskguard",
            "--all-files",
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "FG100" in output, output
    assert "An unexpected error has occurred" not in output, output
