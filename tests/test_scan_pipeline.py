"""The scan pipeline (``run_scan``): fingerprints, suppressions, configuration and isolation."""

from __future__ import annotations

import gc
import multiprocessing
import os
import textwrap
import weakref
from pathlib import Path
from typing import Any

import pytest

import flaskguard.scan
from flaskguard.config import Config
from flaskguard.discovery import discover
from flaskguard.findings import Confidence, Finding, ScanResult
from flaskguard.scan import FileOutcome, analyse_file, run_scan

APP = "from flask import Flask\napp = Flask(__name__)\n"


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def scan(root: Path, files: dict[str, str], config: Config | None = None) -> ScanResult:
    write(root, files)
    return run_scan([root], root=root, config=config or Config(), jobs=2)


def findings(result: ScanResult, rule_id: str = "FG100") -> list[Finding]:
    return [f for f in result.findings if f.rule_id == rule_id]


def only(result: ScanResult, rule_id: str = "FG100") -> Finding:
    found = findings(result, rule_id)
    assert len(found) == 1, found
    return found[0]


# -- fingerprints ------------------------------------------------------------------------------


def test_fingerprint_survives_lines_inserted_above(tmp_path: Path) -> None:
    before = only(scan(tmp_path / "a", {"app.py": APP + "app.run()\n"}))
    shifted = (
        "# a comment\n\nimport os\nimport sys\n\nPORT = 5000\n"
        + APP
        + "\n\nprint(PORT)\napp.run()\n"
    )
    after = only(scan(tmp_path / "b", {"app.py": shifted}))
    assert after.span.start_line != before.span.start_line
    assert after.fingerprint == before.fingerprint
    assert len(after.fingerprint) == 32


def test_fingerprint_survives_lines_inserted_in_a_function(tmp_path: Path) -> None:
    source = APP + "def main():\n    app.run()\n\nmain()\n"
    before = only(scan(tmp_path / "a", {"app.py": source}))
    moved = source.replace("def main():\n", "def main():\n    x = 1\n    print(x)\n")
    after = only(scan(tmp_path / "b", {"app.py": moved}))
    assert after.span.start_line == before.span.start_line + 2
    assert after.fingerprint == before.fingerprint
    assert before.scope == "main"


def test_identical_statements_in_one_scope_have_different_fingerprints(tmp_path: Path) -> None:
    result = scan(tmp_path, {"app.py": APP + "app.run()\napp.run()\n"})
    first, second = findings(result)
    assert first.code == second.code == "app.run()"
    assert first.fingerprint != second.fingerprint


def test_fingerprints_are_deterministic(tmp_path: Path) -> None:
    files = {"app.py": APP + "app.run()\napp.run()\n", "other.py": APP + "app.run(port=1)\n"}
    first = [f.fingerprint for f in scan(tmp_path / "a", files).findings]
    second = [f.fingerprint for f in scan(tmp_path / "b", files).findings]
    assert first == second
    assert len(set(first)) == len(first) == 3


def test_fingerprint_depends_on_the_path(tmp_path: Path) -> None:
    result = scan(tmp_path, {"a.py": APP + "app.run()\n", "b.py": APP + "app.run()\n"})
    a, b = findings(result)
    assert (a.path, b.path) == ("a.py", "b.py")
    assert a.fingerprint != b.fingerprint


def test_fingerprint_survives_a_trailing_comment(tmp_path: Path) -> None:
    before = only(scan(tmp_path / "a", {"app.py": APP + "app.run()\n"}))
    after = only(scan(tmp_path / "b", {"app.py": APP + "app.run()  # TODO remove\n"}))
    assert after.fingerprint == before.fingerprint
    assert after.code == "app.run()"


def test_fingerprint_survives_reformatting_whitespace(tmp_path: Path) -> None:
    before = only(scan(tmp_path / "a", {"app.py": APP + "app.run(port=1, debug=False)\n"}))
    after = only(scan(tmp_path / "b", {"app.py": APP + "app.run(port=1,  debug=False)\n"}))
    assert after.fingerprint == before.fingerprint


def test_fingerprint_survives_a_trailing_comment_with_an_apostrophe(tmp_path: Path) -> None:
    before = only(scan(tmp_path / "a", {"app.py": APP + "app.run()\n"}))
    after = only(scan(tmp_path / "b", {"app.py": APP + "app.run()  # don't ship this\n"}))
    assert after.code == "app.run()"
    assert after.fingerprint == before.fingerprint


# -- suppressions ------------------------------------------------------------------------------


def test_suppression_on_the_call_line(tmp_path: Path) -> None:
    result = scan(tmp_path, {"app.py": APP + "app.run()  # flaskguard: ignore[FG100] -- local\n"})
    finding = only(result)
    assert finding.suppressed
    assert finding.suppression_reason == "local"
    assert result.active_findings == []
    assert result.stats.suppressed == 1
    assert result.stats.findings == 0


def test_bare_ignore_suppresses_every_rule(tmp_path: Path) -> None:
    result = scan(tmp_path, {"app.py": APP + "app.run()  # flaskguard: ignore\n"})
    finding = only(result)
    assert finding.suppressed
    assert finding.suppression_reason is None


def test_ignore_for_another_rule_does_not_suppress(tmp_path: Path) -> None:
    result = scan(tmp_path, {"app.py": APP + "app.run()  # flaskguard: ignore[FG101]\n"})
    assert not only(result).suppressed
    assert result.stats.suppressed == 0


def test_ignore_with_several_ids_and_a_prefix(tmp_path: Path) -> None:
    several = scan(
        tmp_path / "a", {"app.py": APP + "app.run()  # flaskguard: ignore[FG101, fg100]\n"}
    )
    assert only(several).suppressed
    prefix = scan(tmp_path / "b", {"app.py": APP + "app.run()  # flaskguard: ignore[FG1]\n"})
    assert only(prefix).suppressed


def test_suppression_in_a_string_is_not_a_suppression(tmp_path: Path) -> None:
    result = scan(tmp_path, {"app.py": APP + "app.run(host='# flaskguard: ignore')\n"})
    assert not only(result).suppressed


def test_suppression_on_the_first_line_of_a_multiline_statement(tmp_path: Path) -> None:
    first = APP + "app.run(  # flaskguard: ignore[FG100]\n    port=8000,\n)\n"
    assert only(scan(tmp_path / "a", {"app.py": first})).suppressed
    # Only the statement's first line is an anchor.
    last = APP + "app.run(\n    port=8000,\n)  # flaskguard: ignore[FG100]\n"
    assert not only(scan(tmp_path / "b", {"app.py": last})).suppressed


def test_suppression_on_the_top_level_call_that_starts_a_chain(tmp_path: Path) -> None:
    source = APP + "def main():\n    app.run()\n\nmain()  # flaskguard: ignore[FG100] -- dev box\n"
    finding = only(scan(tmp_path, {"app.py": source}))
    assert finding.span.start_line == 4  # reported at app.run() inside main()
    assert finding.suppressed
    assert finding.suppression_reason == "dev box"


def test_suppression_in_the_function_body_line(tmp_path: Path) -> None:
    source = APP + "def main():\n    app.run()  # flaskguard: ignore[FG100]\n\nmain()\n"
    assert only(scan(tmp_path, {"app.py": source})).suppressed


def test_suppression_on_an_unrelated_line_does_not_apply(tmp_path: Path) -> None:
    source = APP + "x = 1  # flaskguard: ignore\napp.run()\n"
    assert not only(scan(tmp_path, {"app.py": source})).suppressed


def test_suppression_on_the_first_decorator_line_of_a_flagged_def(tmp_path: Path) -> None:
    # The default value runs at import: the flagged statement is the decorated ``def``,
    # whose first line is its first decorator.
    source = (
        APP
        + "@staticmethod  # flaskguard: ignore[FG100]\n"
        + "@staticmethod\n"
        + "def handler(value=app.run()):\n    pass\n"
    )
    finding = only(scan(tmp_path, {"app.py": source}))
    assert finding.span.start_line == 5
    assert finding.suppressed


def test_suppression_on_a_decorator_does_not_cover_the_body(tmp_path: Path) -> None:
    source = (
        APP
        + "import functools\n"
        + "@functools.lru_cache()  # flaskguard: ignore[FG100]\n"
        + "def main():\n    app.run()\n\nmain()\n"
    )
    assert not only(scan(tmp_path, {"app.py": source})).suppressed


# -- configuration -----------------------------------------------------------------------------

BOTH = {"app.py": APP + "app.run()\n", "config.py": "class Config:\n    DEBUG = True\n"}


def test_default_config_runs_every_rule(tmp_path: Path) -> None:
    result = scan(tmp_path, BOTH)
    assert {f.rule_id for f in result.findings} >= {"FG100", "FG101"}


def test_select_runs_only_the_selected_rule(tmp_path: Path) -> None:
    result = scan(tmp_path, BOTH, Config(select=("FG101",)))
    assert {f.rule_id for f in result.findings} == {"FG101"}
    assert only(result, "FG101").path == "config.py"


def test_ignore_drops_a_rule(tmp_path: Path) -> None:
    result = scan(tmp_path, BOTH, Config(ignore=("FG101",)))
    rules = {f.rule_id for f in result.findings}
    assert "FG100" in rules
    assert "FG101" not in rules


def test_min_confidence_filters(tmp_path: Path) -> None:
    files = {
        "app.py": APP + "import os\nif os.environ.get('RUN_SERVER'):\n    app.run()\n",
        "other.py": APP + "app.run()\n",
    }
    everything = scan(tmp_path, files)
    by_path = {f.path: f for f in findings(everything)}
    assert by_path["app.py"].confidence == Confidence.MEDIUM
    assert by_path["other.py"].confidence == Confidence.HIGH
    high = scan(tmp_path, files, Config(min_confidence=Confidence.HIGH))
    assert [f.path for f in findings(high)] == ["other.py"]


def test_guarded_call_is_not_reported_as_import_time_server(tmp_path: Path) -> None:
    result = scan(tmp_path, {"app.py": APP + "if __name__ == '__main__':\n    app.run()\n"})
    assert findings(result) == []


# -- crash isolation ---------------------------------------------------------------------------

_ORIGINAL_ANALYSE_FILE = flaskguard.scan.analyse_file


def _crash_on_bomb(*args: Any, **kwargs: Any) -> FileOutcome:
    """Stands in for ``analyse_file`` in worker processes: the interpreter dies on one file.

    ``analyse_file(path, relpath, kind, max_bytes, ...)``: only ``relpath`` is looked at.
    """
    relpath = args[1] if len(args) > 1 else kwargs["relpath"]
    if relpath == "bomb.py":
        os._exit(1)
    return _ORIGINAL_ANALYSE_FILE(*args, **kwargs)


needs_fork = pytest.mark.skipif(
    multiprocessing.get_start_method(allow_none=False) != "fork",
    reason="the patched analyse_file reaches the workers only when they are forked",
)


@needs_fork
def test_a_crashing_file_costs_only_that_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {name: APP for name in ("a.py", "b.py", "c.py", "d.py")}
    files["bomb.py"] = "x = 1\n"
    write(tmp_path, files)
    discovered = discover([tmp_path], tmp_path).files
    monkeypatch.setattr(flaskguard.scan, "analyse_file", _crash_on_bomb)
    outcomes = [p.unpack() for p in flaskguard.scan.analyse_files(discovered, 2, 10_000_000)]
    by_path = {o.relpath: o for o in outcomes}
    assert [o.relpath for o in outcomes] == [f.relpath for f in discovered]
    bomb = by_path["bomb.py"]
    assert bomb.module is None
    assert bomb.diagnostic is not None
    assert bomb.diagnostic.code == "FG907"
    assert bomb.diagnostic.path == "bomb.py"
    for name in ("a.py", "b.py", "c.py", "d.py"):
        assert by_path[name].module is not None, name
        assert by_path[name].diagnostic is None


@needs_fork
def test_a_crashing_file_does_not_stop_the_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"app.py": APP + "app.run()\n", "bomb.py": "x = 1\n"})
    monkeypatch.setattr(flaskguard.scan, "analyse_file", _crash_on_bomb)
    result = run_scan([tmp_path], root=tmp_path, config=Config(), jobs=2)
    assert [d.code for d in result.diagnostics if d.path == "bomb.py"] == ["FG907"]
    assert only(result).path == "app.py"
    assert result.stats.python_files == 2
    assert result.stats.python_files_analysed == 1


# -- pathological inputs -----------------------------------------------------------------------

PATHOLOGICAL = {
    "parens.py": "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n",
    "sum.py": "x = " + "+".join(["1"] * 100_000) + "\n",
    "attributes.py": "x = " + "a." * 20_000 + "b\n",
    "calls.py": "x = " + "f(" * 150 + "1" + ")" * 150 + "\n",
    "medium_sum.py": "x = " + "+".join(["1"] * 1_000) + "\n",
    "nested_ifs.py": "".join("    " * i + "if x:\n" for i in range(90)) + "    " * 90 + "pass\n",
}


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_pathological_file_gives_a_diagnostic_or_facts(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(PATHOLOGICAL[name], encoding="utf-8")
    outcome = analyse_file(str(path), name, "python", 10_000_000)
    assert (outcome.module is None) != (outcome.diagnostic is None)
    if outcome.diagnostic is not None:
        assert outcome.diagnostic.code == "FG907"


def test_pathological_files_in_a_scan(tmp_path: Path) -> None:
    files = dict(PATHOLOGICAL)
    files["app.py"] = APP + "app.run()\n"
    result = scan(tmp_path, files)
    assert only(result).path == "app.py"
    diagnosed = {d.path for d in result.diagnostics}
    assert {"parens.py", "sum.py"} <= diagnosed
    assert all(d.code == "FG907" for d in result.diagnostics)
    assert result.stats.python_files == len(files)
    assert result.stats.python_files_analysed == len(files) - len(diagnosed)


def test_guarded_public_dev_server_in_test_code_is_not_fg102(tmp_path: Path) -> None:
    server = 'from flask import Flask\napp = Flask(__name__)\nif __name__ == "__main__":\n    app.run(host="0.0.0.0")\n'
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "fake_server.py").write_text(server, encoding="utf-8")
    (tmp_path / "serve.py").write_text(server, encoding="utf-8")
    result = run_scan([tmp_path], root=tmp_path, cache_dir=None)
    assert [f.path for f in result.findings if f.rule_id == "FG102"] == ["serve.py"]


def test_the_collector_is_paused_while_a_scan_runs_and_restored_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"app.py": APP})
    seen: list[bool] = []
    original = flaskguard.scan.build_project

    def recording(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return original(*args, **kwargs)

    monkeypatch.setattr(flaskguard.scan, "build_project", recording)
    assert gc.isenabled()
    run_scan([tmp_path], root=tmp_path, jobs=1)
    assert seen == [False]
    assert gc.isenabled()
    gc.disable()
    try:
        run_scan([tmp_path], root=tmp_path, jobs=1)
        assert not gc.isenabled()  # a host that turned it off keeps it off
    finally:
        gc.enable()


def test_one_job_analyses_in_this_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, {"app.py": APP, "b.py": "x = 1\n"})
    discovered = discover([tmp_path], tmp_path).files

    def no_pool(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("--jobs 1 must not start worker processes")

    monkeypatch.setattr(flaskguard.scan, "ProcessPoolExecutor", no_pool)
    finished: list[int] = []
    packed = flaskguard.scan.analyse_files(discovered, 1, 10_000_000, progress=finished.append)
    assert [p.relpath for p in packed] == [f.relpath for f in discovered]
    assert all(p.unpack().module is not None for p in packed)
    assert finished == [1, 2]
    assert [f.rule_id for f in run_scan([tmp_path], root=tmp_path, jobs=1).findings] == []


def test_the_project_is_freed_when_the_scan_returns_without_the_collector(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Analyses cached on the project refer back to it; left in place, that cycle would keep
    # every fact alive until the collector runs, which costs seconds on a large tree.
    write(tmp_path, {"app.py": APP + "app.run(debug=True)\n"})
    projects: list[weakref.ref[Any]] = []
    original = flaskguard.scan.build_project

    def recording(*args: Any, **kwargs: Any) -> Any:
        project = original(*args, **kwargs)
        projects.append(weakref.ref(project))
        return project

    monkeypatch.setattr(flaskguard.scan, "build_project", recording)
    gc.disable()
    try:
        result = run_scan([tmp_path], root=tmp_path, jobs=1)
        assert [f.rule_id for f in result.findings] == ["FG100"]
        assert len(projects) == 1 and projects[0]() is None
    finally:
        gc.enable()
