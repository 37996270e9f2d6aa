"""Diff-aware scans: keep the findings that touch lines changed since a git revision.

The analysis always sees the whole project (a change in one file can create a finding in
another); only the report is narrowed. A finding counts as changed when its primary location
or any step of its trace (or a related location) lies on a line that differs from the
revision: the working tree (staged and unstaged edits) against ``REV``, plus untracked files.
"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Optional

from flaskguard.findings import Finding, ScanResult

GIT_TIMEOUT_S = 60.0

_HUNK = re.compile(rb"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_ESCAPES = {
    "a": 7,
    "b": 8,
    "t": 9,
    "n": 10,
    "v": 11,
    "f": 12,
    "r": 13,
    '"': 34,
    "\\": 92,
}


class ChangedSinceError(Exception):
    """``--changed-since`` cannot be honoured: no git, not a repository, unknown revision."""


@dataclass(frozen=True)
class ChangedLines:
    """Lines changed since a revision, by root-relative posix path (new side of the diff)."""

    lines: Mapping[str, frozenset[int]] = field(default_factory=dict)
    whole_files: frozenset[str] = frozenset()  # untracked or added files: every line counts

    def touches(self, path: str, line: int) -> bool:
        if path in self.whole_files:
            return True
        changed = self.lines.get(path)
        return changed is not None and line in changed

    def touches_range(self, path: str, first: int, last: int) -> bool:
        if path in self.whole_files:
            return True
        changed = self.lines.get(path)
        if not changed:
            return False
        if last - first + 1 > len(changed):
            return any(first <= line <= last for line in changed)
        return any(line in changed for line in range(first, last + 1))


def _git(args: Sequence[str], cwd: Path) -> bytes:
    command = ["git", "-C", str(cwd), *args]
    try:
        completed = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=GIT_TIMEOUT_S,
            check=False,
        )
    except FileNotFoundError:
        raise ChangedSinceError("git is not installed (or not on PATH)") from None
    except subprocess.TimeoutExpired:
        raise ChangedSinceError(
            f"git did not answer within {GIT_TIMEOUT_S:g} seconds: {' '.join(args[:2])}"
        ) from None
    except OSError as error:
        raise ChangedSinceError(f"could not run git: {error}") from None
    if completed.returncode != 0:
        message = completed.stderr.decode("utf-8", "replace").strip()
        raise ChangedSinceError(message or f"git {args[0]} failed ({completed.returncode})")
    return completed.stdout


def _unquote(raw: bytes) -> str:
    """A path as git prints it: C-quoted (``"a\\tb"``, octal bytes) when unusual."""
    if not (len(raw) >= 2 and raw.startswith(b'"') and raw.endswith(b'"')):
        return os.fsdecode(raw)
    body = raw[1:-1].decode("latin-1")
    out = bytearray()
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body):
            following = body[index + 1]
            octal = body[index + 1 : index + 4]
            if len(octal) == 3 and all(c in "01234567" for c in octal):
                out.append(int(octal, 8) & 0xFF)
                index += 4
                continue
            if following in _ESCAPES:
                out.append(_ESCAPES[following])
                index += 2
                continue
        out.append(ord(char))
        index += 1
    return os.fsdecode(bytes(out))


def _diff_path(raw: bytes) -> Optional[str]:
    """The path of a ``+++`` line, or None for ``/dev/null``."""
    raw = raw.rstrip(b"\r\n")
    if b"\t" in raw and not raw.startswith(b'"'):  # a trailing timestamp some tools add
        raw = raw.split(b"\t", 1)[0]
    if raw == b"/dev/null":
        return None
    path = _unquote(raw)
    if path.startswith("b/"):
        return path[2:]
    return path


def parse_unified_diff(diff: bytes) -> dict[str, set[int]]:
    """Changed new-side lines per path (relative to the repository top) of a ``-U0`` diff."""
    changed: dict[str, set[int]] = {}
    current: Optional[str] = None
    old_left = new_left = 0
    for line in diff.split(b"\n"):
        if old_left > 0 or new_left > 0:
            # Inside a hunk: its lines can look like headers ("+++ x" is an added "++ x").
            if line.startswith(b"-"):
                old_left -= 1
                continue
            if line.startswith(b"+"):
                new_left -= 1
                continue
            if line.startswith(b"\\"):  # "\ No newline at end of file"
                continue
            old_left = new_left = 0  # malformed: fall through to header parsing
        if line.startswith(b"diff --git "):
            current = None
        elif line.startswith(b"+++ "):
            current = _diff_path(line[4:])
        elif line.startswith(b"@@ "):
            match = _HUNK.match(line)
            if match is None:
                continue
            old_count = int(match.group(2)) if match.group(2) is not None else 1
            start = int(match.group(3))
            new_count = int(match.group(4)) if match.group(4) is not None else 1
            old_left, new_left = old_count, new_count
            if current is None:
                continue
            lines = changed.setdefault(current, set())
            if new_count == 0:
                # A pure deletion after line ``start``: the lines on both sides of the gap.
                lines.update(n for n in (start, start + 1) if n >= 1)
            else:
                lines.update(range(start, start + new_count))
    return changed


def _split_z(output: bytes) -> list[str]:
    return [os.fsdecode(item) for item in output.split(b"\0") if item]


def changed_lines(root: Path, revision: str) -> ChangedLines:
    """What changed under ``root`` between ``revision`` and the working tree (index included).

    Untracked (not ignored) files and files added since the revision count whole. Deleted
    and binary files contribute nothing. Raises :class:`ChangedSinceError` with git's message
    when git is missing, ``root`` is not in a repository or the revision is unknown.
    """
    if not revision or revision.startswith("-"):
        raise ChangedSinceError(f"invalid revision {revision!r}")
    root = Path(root).resolve()
    if not root.is_dir():
        raise ChangedSinceError(f"{root} is not a directory")
    top_text = _git(["rev-parse", "--show-toplevel"], root).decode("utf-8", "surrogateescape")
    top = Path(top_text.strip()).resolve()
    try:
        prefix = root.relative_to(top).as_posix()
    except ValueError:
        raise ChangedSinceError(f"{root} is not inside the git work tree {top}") from None
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], top)
    except ChangedSinceError:
        raise ChangedSinceError(f"unknown git revision {revision!r}") from None
    common = ["-c", "core.quotepath=false"]
    diff = _git(
        [
            *common,
            "diff",
            "--no-color",
            "--unified=0",
            "--no-ext-diff",
            "--no-textconv",
            "--ignore-submodules",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            revision,
            "--",
        ],
        top,
    )
    added = _git(
        [*common, "diff", "--name-only", "-z", "--diff-filter=A", "--no-ext-diff", revision, "--"],
        top,
    )
    untracked = _git([*common, "ls-files", "-z", "--others", "--exclude-standard"], top)
    return _relative_to_root(
        parse_unified_diff(diff), [*_split_z(added), *_split_z(untracked)], prefix
    )


def _relative_to_root(
    changed: Mapping[str, Iterable[int]], whole: Iterable[str], prefix: str
) -> ChangedLines:
    def rebase(path: str) -> Optional[str]:
        if prefix in ("", "."):
            return path
        pure = PurePosixPath(path)
        try:
            return pure.relative_to(prefix).as_posix()
        except ValueError:
            return None

    lines: dict[str, frozenset[int]] = {}
    for path, numbers in changed.items():
        relative = rebase(path)
        if relative is not None:
            lines[relative] = frozenset(numbers)
    whole_files = frozenset(r for r in (rebase(p) for p in whole) if r is not None)
    return ChangedLines(lines=lines, whole_files=whole_files)


def finding_touches(finding: Finding, changed: ChangedLines) -> bool:
    """Whether the finding's own lines, or any line of its trace, changed."""
    span = finding.span
    last = max(span.start_line, span.end_line)
    if changed.touches_range(finding.path, span.start_line, last):
        return True
    return any(
        changed.touches(location.path, location.line)
        for location in (*finding.trace, *finding.related_locations)
    )


def filter_changed(result: ScanResult, changed: ChangedLines) -> tuple[ScanResult, int]:
    """A copy of ``result`` with only the findings that touch changed lines.

    Returns the copy and how many findings were left out (suppressed ones not counted, as
    they are not reported anyway). Diagnostics and warnings are kept whole.
    """
    kept: list[Finding] = []
    dropped = 0
    for finding in result.findings:
        if finding_touches(finding, changed):
            kept.append(finding)
        elif not finding.suppressed:
            dropped += 1
    stats = dataclasses.replace(result.stats)
    filtered = dataclasses.replace(
        result,
        findings=kept,
        diagnostics=list(result.diagnostics),
        warnings=list(result.warnings),
        stats=stats,
    )
    stats.findings = len(filtered.active_findings)
    stats.suppressed = len(filtered.suppressed_findings)
    return filtered, dropped
