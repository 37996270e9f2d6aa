"""Baselines: record the findings a project has today, then report only new ones.

A baseline file lists findings by fingerprint. Fingerprints hash what the flagged code is
(rule, file, normalised statement, enclosing scope, occurrence), not where it is, so they
survive unrelated edits and line moves; the line and message stored next to each fingerprint
are only there to help a human read the file. Matching is by fingerprint alone.

File format (``baseline_version`` 1)::

    {
      "baseline_version": 1,
      "tool": {"name": "flaskguard", "version": "0.1.0"},
      "entries": [
        {"fingerprint": "...", "rule_id": "FG100", "path": "app.py", "line": 3, "message": "..."}
      ]
    }
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flaskguard.findings import ScanResult

BASELINE_VERSION = 1
TOOL_NAME = "flaskguard"


@dataclass(frozen=True)
class BaselineEntry:
    fingerprint: str
    rule_id: str
    path: str
    line: int  # informational; matching is by fingerprint only
    message: str  # informational (findings never carry secret values in messages)


@dataclass(frozen=True)
class Baseline:
    entries: tuple[BaselineEntry, ...]

    @property
    def fingerprints(self) -> frozenset[str]:
        return frozenset(entry.fingerprint for entry in self.entries)


class BaselineError(Exception):
    """A baseline file that cannot be used; the message names the file and what is wrong."""


def _sort_key(entry: BaselineEntry) -> tuple[str, int, str, str]:
    return (entry.path, entry.line, entry.rule_id, entry.fingerprint)


def create_baseline(result: ScanResult) -> Baseline:
    """A baseline of the result's active findings (suppressed ones need no baseline)."""
    entries: dict[str, BaselineEntry] = {}
    for finding in result.active_findings:
        entries.setdefault(
            finding.fingerprint,
            BaselineEntry(
                fingerprint=finding.fingerprint,
                rule_id=finding.rule_id,
                path=finding.path,
                line=finding.span.start_line,
                message=finding.message,
            ),
        )
    return Baseline(tuple(sorted(entries.values(), key=_sort_key)))


def dump_baseline(baseline: Baseline, tool_version: str) -> str:
    """The baseline file's text: deterministic JSON, two-space indent, trailing newline."""
    document = {
        "baseline_version": BASELINE_VERSION,
        "tool": {"name": TOOL_NAME, "version": tool_version},
        "entries": [
            {
                "fingerprint": entry.fingerprint,
                "rule_id": entry.rule_id,
                "path": entry.path,
                "line": entry.line,
                "message": entry.message,
            }
            for entry in sorted(baseline.entries, key=_sort_key)
        ],
    }
    return json.dumps(document, indent=2) + "\n"


_STRING_FIELDS = ("fingerprint", "rule_id", "path", "message")


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__  # pragma: no cover - json produces only the types above


def _parse_entry(raw: Any, where: str) -> BaselineEntry:
    if not isinstance(raw, dict):
        raise BaselineError(f"{where} must be an object, not {_type_name(raw)}")
    for key in (*_STRING_FIELDS, "line"):
        if key not in raw:
            raise BaselineError(f"{where} has no {key!r}")
    for key in _STRING_FIELDS:
        if not isinstance(raw[key], str):
            raise BaselineError(f"{where}: {key!r} must be a string, not {_type_name(raw[key])}")
    if not raw["fingerprint"]:
        raise BaselineError(f"{where}: 'fingerprint' is empty")
    line = raw["line"]
    if isinstance(line, bool) or not isinstance(line, int) or line < 0:
        raise BaselineError(f"{where}: 'line' must be a non-negative integer, not {line!r}")
    return BaselineEntry(
        fingerprint=raw["fingerprint"],
        rule_id=raw["rule_id"],
        path=raw["path"],
        line=line,
        message=raw["message"],
    )


def load_baseline(path: Path) -> Baseline:
    """Read a baseline file; every problem is a ``BaselineError`` naming the file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BaselineError(f"{path}: baseline file not found") from None
    except IsADirectoryError:
        raise BaselineError(f"{path}: is a directory, not a baseline file") from None
    except UnicodeDecodeError:
        raise BaselineError(f"{path}: baseline file is not UTF-8 text") from None
    except OSError as error:
        reason = error.strerror or str(error)
        raise BaselineError(f"{path}: cannot read baseline file: {reason}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise BaselineError(
            f"{path}: baseline file is not valid JSON "
            f"(line {error.lineno}, column {error.colno}: {error.msg})"
        ) from None
    except ValueError as error:  # e.g. an integer longer than Python converts
        raise BaselineError(f"{path}: baseline file is not valid JSON ({error})") from None
    except RecursionError:
        raise BaselineError(f"{path}: baseline file is nested too deeply to read") from None
    if not isinstance(document, dict):
        raise BaselineError(
            f"{path}: a baseline file must hold a JSON object, not {_type_name(document)}"
        )
    if "baseline_version" not in document:
        raise BaselineError(
            f"{path}: no 'baseline_version'; is this a flaskguard baseline? "
            "Create one with `flaskguard baseline create`"
        )
    version = document["baseline_version"]
    is_int = isinstance(version, int) and not isinstance(version, bool)
    if not is_int or version != BASELINE_VERSION:
        if is_int and version > BASELINE_VERSION:
            hint = "it was written by a newer flaskguard; upgrade flaskguard to read it"
        else:
            hint = "recreate it with `flaskguard baseline create`"
        raise BaselineError(
            f"{path}: unsupported baseline_version {version!r} "
            f"(this flaskguard reads version {BASELINE_VERSION}); {hint}"
        )
    tool = document.get("tool")
    if tool is not None and not isinstance(tool, dict):
        raise BaselineError(f"{path}: 'tool' must be an object, not {_type_name(tool)}")
    if "entries" not in document:
        raise BaselineError(f"{path}: no 'entries' list")
    raw_entries = document["entries"]
    if not isinstance(raw_entries, list):
        raise BaselineError(f"{path}: 'entries' must be a list, not {_type_name(raw_entries)}")
    entries = tuple(
        _parse_entry(raw, f"{path}: entry {index}") for index, raw in enumerate(raw_entries)
    )
    return Baseline(entries)


def apply_baseline(result: ScanResult, baseline: Baseline) -> tuple[ScanResult, int]:
    """A copy of ``result`` without the active findings the baseline knows.

    Suppressed findings are kept as they are (they are reported as suppressed, not as
    baselined). Returns the new result and the number of findings hidden by the baseline.
    """
    known = baseline.fingerprints
    kept = [f for f in result.findings if f.suppressed or f.fingerprint not in known]
    hidden = len(result.findings) - len(kept)
    stats = dataclasses.replace(result.stats)
    stats.findings = sum(1 for f in kept if not f.suppressed)
    new_result = dataclasses.replace(
        result,
        findings=kept,
        diagnostics=list(result.diagnostics),
        stats=stats,
        warnings=list(result.warnings),
    )
    return new_result, hidden


def stale_entries(result: ScanResult, baseline: Baseline) -> list[BaselineEntry]:
    """Entries whose fingerprint matches no finding (active or suppressed) of ``result``.

    Pass the result of a scan of the whole project *before* ``apply_baseline``: entries for
    files outside the scanned paths would otherwise look stale.
    """
    present = {f.fingerprint for f in result.findings}
    return [entry for entry in baseline.entries if entry.fingerprint not in present]
