"""Baselines: create, dump, load, apply, and stale entries, on real scans of small projects."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from flaskguard import __version__
from flaskguard.baseline import (
    BASELINE_VERSION,
    Baseline,
    BaselineEntry,
    BaselineError,
    apply_baseline,
    create_baseline,
    dump_baseline,
    load_baseline,
    stale_entries,
)
from flaskguard.config import Config
from flaskguard.findings import ScanResult
from flaskguard.scan import run_scan

APP = "from flask import Flask\napp = Flask(__name__)\n"
PROJECT = {"app.py": APP + "app.run()\n", ".flaskenv": "FLASK_DEBUG=1\n"}


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def scan(root: Path, files: dict[str, str]) -> ScanResult:
    write(root, files)
    return run_scan([root], root=root, config=Config(), jobs=2)


def save(baseline: Baseline, path: Path) -> Path:
    path.write_text(dump_baseline(baseline, __version__), encoding="utf-8")
    return path


# -- create, dump, load -------------------------------------------------------------------------


def test_round_trip(tmp_path: Path) -> None:
    result = scan(tmp_path / "p", PROJECT)
    assert result.active_findings, "the project should have findings to baseline"
    baseline = create_baseline(result)
    assert baseline.fingerprints == {f.fingerprint for f in result.active_findings}
    entry = next(e for e in baseline.entries if e.rule_id == "FG100")
    assert entry.path == "app.py"
    assert entry.line == 3
    assert entry.message

    loaded = load_baseline(save(baseline, tmp_path / "baseline.json"))
    assert loaded == baseline


def test_dump_format_is_deterministic(tmp_path: Path) -> None:
    files = {**PROJECT, "b.py": APP + "app.run()\n", "a.py": APP + "app.run()\n"}
    baseline = create_baseline(scan(tmp_path, files))
    text = dump_baseline(baseline, "9.9.9")
    assert text.endswith("}\n")
    assert text == json.dumps(json.loads(text), indent=2) + "\n"
    document = json.loads(text)
    assert list(document) == ["baseline_version", "tool", "entries"]
    assert document["baseline_version"] == BASELINE_VERSION == 1
    assert document["tool"] == {"name": "flaskguard", "version": "9.9.9"}
    assert set(document["entries"][0]) == {"fingerprint", "rule_id", "path", "line", "message"}
    keys = [(e["path"], e["line"], e["rule_id"]) for e in document["entries"]]
    assert keys == sorted(keys)
    assert [e["path"] for e in document["entries"]][:2] == ["a.py", "app.py"]
    # Entry order in the Baseline object does not matter to the output.
    shuffled = Baseline(tuple(reversed(baseline.entries)))
    assert dump_baseline(shuffled, "9.9.9") == text


def test_suppressed_findings_are_not_baselined(tmp_path: Path) -> None:
    files = {"app.py": APP + "app.run()  # flaskguard: ignore[FG100] -- local\n"}
    result = scan(tmp_path, files)
    assert result.suppressed_findings
    assert create_baseline(result).entries == ()


# -- apply ---------------------------------------------------------------------------------------


def test_apply_hides_all_known_findings_and_counts_them(tmp_path: Path) -> None:
    result = scan(tmp_path, PROJECT)
    baseline = load_baseline(save(create_baseline(result), tmp_path / "baseline.json"))
    filtered, hidden = apply_baseline(result, baseline)
    assert hidden == len(result.active_findings) >= 1
    assert filtered.findings == []
    assert filtered.stats.findings == 0
    # The original result is untouched.
    assert result.stats.findings == hidden
    assert len(result.findings) == hidden
    assert filtered.stats is not result.stats


def test_new_finding_is_reported_while_old_ones_stay_hidden(tmp_path: Path) -> None:
    root = tmp_path / "p"
    baseline = create_baseline(scan(root, PROJECT))
    later = scan(root, {"worker.py": APP + "app.run(port=8000)\n"})
    filtered, hidden = apply_baseline(later, baseline)
    assert hidden == len(baseline.entries)
    assert [f.path for f in filtered.findings] == ["worker.py"]
    assert filtered.stats.findings == 1
    assert filtered.findings[0].fingerprint not in baseline.fingerprints


def test_a_second_identical_call_is_new(tmp_path: Path) -> None:
    root = tmp_path / "p"
    baseline = create_baseline(scan(root, PROJECT))
    later = scan(root, {"app.py": APP + "app.run()\napp.run()\n"})
    filtered, hidden = apply_baseline(later, baseline)
    assert hidden == len(baseline.entries)
    assert [(f.rule_id, f.path) for f in filtered.findings] == [("FG100", "app.py")]


def test_fingerprints_survive_unrelated_edits_and_line_moves(tmp_path: Path) -> None:
    root = tmp_path / "p"
    baseline = create_baseline(scan(root, PROJECT))
    moved = (
        "# a comment\n\nimport os\nimport sys\n\nPORT = 5000\n"
        + APP
        + "\n\ndef helper():\n    return PORT\n\nprint(helper())\napp.run()\n"
    )
    later = scan(root, {"app.py": moved, "README.md": "# docs\n"})
    finding = next(f for f in later.findings if f.rule_id == "FG100")
    entry = next(e for e in baseline.entries if e.rule_id == "FG100")
    assert finding.span.start_line != entry.line
    filtered, hidden = apply_baseline(later, baseline)
    assert filtered.findings == []
    assert hidden == len(baseline.entries)
    assert stale_entries(later, baseline) == []


def test_suppressed_findings_are_kept_as_they_are(tmp_path: Path) -> None:
    root = tmp_path / "p"
    baseline = create_baseline(scan(root, PROJECT))
    later = scan(root, {"app.py": APP + "app.run()  # flaskguard: ignore[FG100] -- local\n"})
    suppressed = [f for f in later.findings if f.suppressed]
    assert suppressed and suppressed[0].fingerprint in baseline.fingerprints
    filtered, hidden = apply_baseline(later, baseline)
    assert filtered.suppressed_findings == suppressed
    assert hidden == len(later.active_findings)
    assert filtered.stats.suppressed == later.stats.suppressed
    # A suppressed finding still counts as present: its entry is not stale.
    assert stale_entries(later, baseline) == []


# -- stale entries -------------------------------------------------------------------------------


def test_fixing_a_finding_makes_its_entry_stale(tmp_path: Path) -> None:
    root = tmp_path / "p"
    files = {**PROJECT, "worker.py": APP + "app.run(port=8000)\n"}
    baseline = create_baseline(scan(root, files))
    assert stale_entries(scan(root, {}), baseline) == []
    fixed = APP + "if __name__ == '__main__':\n    app.run(port=8000)\n"
    later = scan(root, {"worker.py": fixed})
    stale = stale_entries(later, baseline)
    assert [(e.rule_id, e.path) for e in stale] == [("FG100", "worker.py")]
    filtered, _ = apply_baseline(later, baseline)
    assert filtered.findings == []


# -- bad files -----------------------------------------------------------------------------------


def bad(tmp_path: Path, text: str) -> str:
    path = tmp_path / "baseline.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BaselineError) as caught:
        load_baseline(path)
    message = str(caught.value)
    assert str(path) in message
    return message


def valid_document(**changes: object) -> str:
    entry = {"fingerprint": "f" * 32, "rule_id": "FG100", "path": "a.py", "line": 1, "message": "m"}
    document: dict[str, object] = {
        "baseline_version": 1,
        "tool": {"name": "flaskguard", "version": "0"},
        "entries": [entry],
    }
    document.update(changes)
    return json.dumps(document)


def test_valid_document_loads(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(valid_document(), encoding="utf-8")
    assert load_baseline(path) == Baseline((BaselineEntry("f" * 32, "FG100", "a.py", 1, "m"),))


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.json"
    with pytest.raises(BaselineError, match="not found") as caught:
        load_baseline(path)
    assert str(path) in str(caught.value)


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match=r"baseline|director"):
        load_baseline(tmp_path)


def test_not_json(tmp_path: Path) -> None:
    assert "not valid JSON (line 1" in bad(tmp_path, "{not json")
    assert "not valid JSON" in bad(tmp_path, "")
    assert "not valid JSON" in bad(tmp_path, valid_document(entries=[]).replace("[]", "9" * 5000))


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    path.write_bytes(b'{"baseline_version": 1, "x": "\xff"}')
    with pytest.raises(BaselineError, match="not UTF-8"):
        load_baseline(path)


def test_not_an_object(tmp_path: Path) -> None:
    assert "must hold a JSON object, not a list" in bad(tmp_path, "[]")


def test_wrong_version(tmp_path: Path) -> None:
    assert "unsupported baseline_version 2" in bad(tmp_path, valid_document(baseline_version=2))
    assert "newer flaskguard" in bad(tmp_path, valid_document(baseline_version=2))
    assert "unsupported baseline_version '1'" in bad(tmp_path, valid_document(baseline_version="1"))
    assert "unsupported baseline_version True" in bad(
        tmp_path, valid_document(baseline_version=True)
    )
    assert "no 'baseline_version'" in bad(tmp_path, json.dumps({"entries": []}))


def test_entries_not_a_list(tmp_path: Path) -> None:
    assert "'entries' must be a list, not an object" in bad(tmp_path, valid_document(entries={}))
    assert "no 'entries'" in bad(tmp_path, json.dumps({"baseline_version": 1}))


def test_bad_entries(tmp_path: Path) -> None:
    assert "entry 0 must be an object, not a string" in bad(tmp_path, valid_document(entries=["x"]))
    good = json.loads(valid_document())["entries"][0]
    no_fingerprint = {k: v for k, v in good.items() if k != "fingerprint"}
    message = bad(tmp_path, valid_document(entries=[good, no_fingerprint]))
    assert "entry 1 has no 'fingerprint'" in message
    message = bad(tmp_path, valid_document(entries=[{**good, "line": "3"}]))
    assert "entry 0: 'line' must be a non-negative integer" in message
    message = bad(tmp_path, valid_document(entries=[{**good, "path": None}]))
    assert "'path' must be a string, not null" in message
    assert "'fingerprint' is empty" in bad(
        tmp_path, valid_document(entries=[{**good, "fingerprint": ""}])
    )
    assert "'tool' must be an object" in bad(tmp_path, valid_document(tool="flaskguard"))


def test_deeply_nested_json_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    message = bad(tmp_path, "[" * 100_000 + "]" * 100_000)
    assert "nested too deeply" in message
