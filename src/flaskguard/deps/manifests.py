"""Dependency declarations: what a project's manifests and lock files say it installs.

Each file is reduced, from its own text alone, to :class:`Dependency` records with 1-based
positions, the requirements files it includes (``-r``/``-c``, setup.cfg ``file:``) and FG909
diagnostics for what could not be read. Nothing here raises: a malformed line becomes a
diagnostic and the rest of the file is still read; a file that cannot be parsed at all
(broken TOML/JSON, binary junk) becomes one diagnostic and no dependencies. Diagnostic
messages never quote the offending text, which may hold a secret (index URLs carry tokens).

Formats (:func:`manifest_kind` names them):

- ``requirements``: pip requirements files, read the way pip reads them: lines ending in
  ``\\`` are joined first (a comment line is never continued), then comments (``#`` at the
  start of a line or after whitespace) are removed. A requirement line is split like pip's
  ``break_args_options``: the requirement is everything before the first space-separated
  token starting with ``-``; ``--hash`` among the rest sets ``has_hash``. Option lines:
  ``-r``/``--requirement`` and ``-c``/``--constraint`` become ``includes`` (URLs and absolute
  paths are dropped); ``-e``/``--editable`` local paths and VCS URLs are skipped, but a
  ``name @ url`` keeps the name; index/find-links/binary options are ignored; an unknown
  option is a diagnostic. Bare paths, archive and VCS URLs without a name (``./pkg``,
  ``https://.../x.whl``, ``git+https://...#egg=x``) are skipped without a diagnostic.
- ``pyproject.toml``: PEP 621 ``[project] dependencies`` (group ``""``),
  ``[project.optional-dependencies]`` (group = extra), plus PEP 735 ``[dependency-groups]``
  and ``[tool.uv] dev-dependencies`` (group ``"dev"``), all with source ``pyproject-pep621``;
  Poetry ``[tool.poetry.dependencies]`` (``python`` skipped), ``dev-dependencies`` (group
  ``"dev"``) and ``[tool.poetry.group.<g>.dependencies]`` (group ``g``), source
  ``pyproject-poetry``. Poetry constraints are converted to PEP 440: ``^2.0`` ->
  ``>=2.0,<3.0``, ``~2.1`` -> ``>=2.1,<2.2``, ``*`` -> ``""``, a bare ``2.0`` -> ``==2.0``
  (Poetry's meaning), ``=2.0`` -> ``==2.0``; an ``||`` union is not expressible and becomes
  ``""`` (unconstrained). git/path/url Poetry dependencies keep the name, version None.
- ``setup.cfg``: ``[options] install_requires`` and ``[options.extras_require]`` (group =
  extra), read with :mod:`configparser`; ``file:`` values become ``includes``.
- Lock files (``locked=True``, ``specifier`` ``"==X"``, or ``"===X"`` when X is not a PEP 440
  version): ``poetry.lock`` (group from ``category``, ``"main"`` -> ``""``), ``Pipfile.lock``
  (``default`` -> ``""``, ``develop`` -> ``"develop"``), ``uv.lock`` (the project's own
  ``editable``/``virtual`` source skipped), ``pylock.toml`` / ``pylock.<name>.toml``
  (``[[packages]]``), ``pdm.lock`` (group from ``groups`` when ``"default"`` is not among
  them). ``has_hash`` is only ever set for requirements files.

Positions. Requirements files: ``column``/``end_column`` delimit the requirement text
(name, extras, specifier, marker; not the options, not the comment) on the declaration's
first line; when a requirement itself is continued onto the next line the span ends at the
end of its part on the first line. TOML/JSON have no positions after parsing, so the text is
searched, within the right section: PEP 621 / setup.cfg entries by the requirement string as
written (the span covers the string's content, without quotes); Poetry entries by their key
line (``flask = "^2.0"``: from the key to the end of the value, comment excluded); lock
entries by the ``name = "<name>"`` line of the package's own ``[[package]]`` table (from
``name`` to the end of the line, comment excluded), Pipfile.lock by the ``"<name>":`` key
inside ``"default"``/``"develop"``. When the search fails (escapes in strings, inline
tables), the position falls back to the section's header or key line, column 1.

``extract_dependency_facts`` parses files whose name :func:`manifest_kind` does not know as
requirements files: that is what ``-r``/``-c`` targets (``base.txt``) are.
"""

from __future__ import annotations

import configparser
import json
import posixpath
import re
import shlex
import sys
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Optional

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from flaskguard.findings import Diagnostic

if sys.version_info >= (3, 11):
    import tomllib
else:
    # The ignore is for type checkers targeting < 3.11 in an environment without tomli.
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

__all__ = [
    "Dependency",
    "DependencyFacts",
    "extract_dependency_facts",
    "manifest_kind",
]

DIAGNOSTIC_CODE = "FG909"


@dataclass(frozen=True)
class Dependency:
    name: str  # canonicalized (packaging.utils.canonicalize_name)
    version: Optional[str]  # exact pinned/locked version when known, else None
    specifier: str  # as written ("==2.2.2", ">=2.0,<3", ""), Poetry constraints converted
    path: str  # root-relative path of the file (as given)
    line: int  # 1-based line of the declaration
    column: int  # 1-based, start of the requirement text on that line
    end_column: int  # exclusive end of the requirement text on that line
    locked: bool  # from a lock file
    has_hash: bool  # the requirements line carries --hash
    marker: Optional[str]  # environment marker as written, or None
    extras: tuple[str, ...]  # sorted
    source: str  # "requirements" | "pyproject-pep621" | "pyproject-poetry" | "setup.cfg" | lock
    group: str  # "" for main dependencies


@dataclass(frozen=True)
class DependencyFacts:
    path: str
    dependencies: tuple[Dependency, ...]
    includes: tuple[str, ...]  # root-relative, forward slashes; may start with "../"
    diagnostics: tuple[Diagnostic, ...]


_EXACT_NAMES = {
    "pyproject.toml": "pyproject.toml",
    "setup.cfg": "setup.cfg",
    "poetry.lock": "poetry.lock",
    "Pipfile.lock": "Pipfile.lock",
    "uv.lock": "uv.lock",
    "pylock.toml": "pylock.toml",
    "pdm.lock": "pdm.lock",
}
_PYLOCK_NAME = re.compile(r"pylock\.[^/]+\.toml")
_REQUIREMENTS_SUFFIXES = (".txt", ".in")


def manifest_kind(relpath: str) -> Optional[str]:
    """``"requirements"``, ``"pyproject.toml"``, ``"setup.cfg"``, ``"poetry.lock"``,
    ``"Pipfile.lock"``, ``"uv.lock"``, ``"pylock.toml"``, ``"pdm.lock"`` or None."""
    parts = [p for p in relpath.replace("\\", "/").split("/") if p]
    if not parts:
        return None
    base = parts[-1]
    if base in _EXACT_NAMES:
        return _EXACT_NAMES[base]
    if _PYLOCK_NAME.fullmatch(base):
        return "pylock.toml"
    lower = base.lower()
    stem = lower.rsplit(".", 1)[0]
    if lower.endswith(_REQUIREMENTS_SUFFIXES) and (
        lower.startswith("requirements")
        or stem.endswith(("-requirements", "_requirements"))
        or (len(parts) > 1 and parts[-2].lower() == "requirements")
    ):
        return "requirements"
    return None


def extract_dependency_facts(relpath: str, text: str) -> DependencyFacts:
    """Dependencies declared by one file; never raises, unreadable content becomes FG909."""
    kind = manifest_kind(relpath) or "requirements"
    # A byte order mark is not content; a space keeps every offset where it was.
    if text.startswith("\ufeff"):
        text = " " + text[1:]
    collector = _Collector(relpath, text)
    try:
        _READERS[kind](collector)
    except Exception:  # a bug, but the scan must go on
        collector.diagnostic("could not read the dependencies of this file (internal error)")
    return collector.facts()


# -- shared ----------------------------------------------------------------------------------

_NEWLINE = re.compile(r"\r\n|\r|\n")


@dataclass
class _Collector:
    path: str
    text: str
    lines: list[str] = field(init=False)
    dependencies: list[Dependency] = field(default_factory=list)
    includes: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.lines = _NEWLINE.split(self.text)

    def line_text(self, line: int) -> str:
        return self.lines[line - 1] if 1 <= line <= len(self.lines) else ""

    def diagnostic(
        self, message: str, line: Optional[int] = None, column: Optional[int] = None
    ) -> None:
        self.diagnostics.append(Diagnostic(DIAGNOSTIC_CODE, self.path, message, line, column))

    def include(self, target: str) -> None:
        resolved = _resolve_include(self.path, target)
        if resolved is not None and resolved not in self.includes:
            self.includes.append(resolved)

    def facts(self) -> DependencyFacts:
        return DependencyFacts(
            self.path, tuple(self.dependencies), tuple(self.includes), tuple(self.diagnostics)
        )


def _resolve_include(relpath: str, target: str) -> Optional[str]:
    target = target.strip().replace("\\", "/")
    if target.startswith("file:") and not target.startswith("file://"):
        target = target[len("file:") :]
    if (
        not target
        or "://" in target
        or target.startswith(("/", "~"))
        or re.match(r"[A-Za-z]:/", target)
    ):
        return None
    base = posixpath.dirname(relpath.replace("\\", "/"))
    return posixpath.normpath(posixpath.join(base, target))


def _exact_version(specifier: SpecifierSet) -> Optional[str]:
    exact = sorted(
        s.version
        for s in specifier
        if s.operator == "===" or (s.operator == "==" and not s.version.endswith(".*"))
    )
    return exact[0] if exact else None


_NAME_EXTRAS = re.compile(r"\s*[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?\s*(?:\[[^\]]*\])?")
_NAME_AT = re.compile(r"\s*[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?\s*(?:\[[^\]]*\])?\s*@")


def _raw_specifier(raw: str, req: Requirement) -> str:
    if req.url:
        return ""
    m = _NAME_EXTRAS.match(raw)
    rest = raw[m.end() :] if m else ""
    rest = rest.split(";", 1)[0]
    cleaned = re.sub(r"[\s()]", "", rest)
    try:
        SpecifierSet(cleaned)
    except InvalidSpecifier:
        return ",".join(sorted(str(s) for s in req.specifier))
    return cleaned


def _raw_marker(raw: str, req: Requirement) -> Optional[str]:
    if req.marker is None:
        return None
    if req.url:
        m = re.search(r"\s;", raw)
        index = m.end() - 1 if m else -1
    else:
        index = raw.find(";")
    written = raw[index + 1 :].strip() if index >= 0 else ""
    return written or str(req.marker)


def _requirement_dependency(
    raw: str,
    *,
    path: str,
    line: int,
    column: int,
    end_column: int,
    source: str,
    group: str,
    has_hash: bool = False,
) -> Optional[Dependency]:
    """A Dependency for a PEP 508 string; None when it does not parse."""
    try:
        # packaging evaluates marker strings with ast.literal_eval, which warns about
        # escapes (and raises when warnings are errors): silence it, treat any failure as
        # an invalid requirement.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            req = Requirement(raw)
    except (InvalidRequirement, ValueError, SyntaxError, RecursionError):
        return None
    return Dependency(
        name=canonicalize_name(req.name),
        version=None if req.url else _exact_version(req.specifier),
        specifier=_raw_specifier(raw, req),
        path=path,
        line=line,
        column=column,
        end_column=end_column,
        locked=False,
        has_hash=has_hash,
        marker=_raw_marker(raw, req),
        extras=tuple(sorted(req.extras)),
        source=source,
        group=group,
    )


def _lock_dependency(
    collector: _Collector,
    name: str,
    version: Optional[str],
    position: tuple[int, int, int],
    *,
    source: str,
    group: str = "",
    marker: Optional[str] = None,
    extras: tuple[str, ...] = (),
) -> Dependency:
    specifier = ""
    if version:
        try:
            Version(version)
            specifier = f"=={version}"
        except InvalidVersion:
            specifier = f"==={version}"
    line, column, end_column = position
    return Dependency(
        name=canonicalize_name(name),
        version=version or None,
        specifier=specifier,
        path=collector.path,
        line=line,
        column=column,
        end_column=end_column,
        locked=True,
        has_hash=False,
        marker=marker,
        extras=tuple(sorted(extras)),
        source=source,
        group=group,
    )


def _strings(value: object) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str))
    return ()


# -- requirements files ----------------------------------------------------------------------

# pip's COMMENT_RE: "#" at the start of a line or after whitespace.
_COMMENT = re.compile(r"(^|\s+)#.*$")

_ARCHIVE_SUFFIXES = (".whl", ".zip", ".tar.gz", ".tar.bz2", ".tar.xz", ".tgz", ".tar")

_SHORT_WITH_VALUE = {"r": "requirement", "c": "constraint", "e": "editable", "i": "index-url"}
_SHORT_WITH_VALUE["f"] = "find-links"
_LONG_WITH_VALUE = {
    "requirement",
    "constraint",
    "editable",
    "index-url",
    "extra-index-url",
    "find-links",
    "trusted-host",
    "no-binary",
    "only-binary",
    "use-feature",
    "hash",
    "config-settings",
    "global-option",
    "install-option",
}
_LONG_FLAGS = {"no-index", "pre", "prefer-binary", "require-hashes"}


@dataclass
class _LogicalLine:
    text: str
    positions: list[tuple[int, int]]  # (line, 1-based column) of each character


def _logical_lines(lines: list[str]) -> Iterator[_LogicalLine]:
    """pip's join_lines: a trailing backslash continues a line, unless the line is a comment."""
    text: list[str] = []
    positions: list[tuple[int, int]] = []
    for number, line in enumerate(lines, 1):
        comment = _COMMENT.match(line) is not None
        if line.endswith("\\") and not comment:
            stripped = line.strip("\\")
            offset = len(line) - len(line.lstrip("\\"))
            text.append(stripped)
            positions.extend((number, offset + i + 1) for i in range(len(stripped)))
            continue
        if comment and text:
            # pip prefixes a space so that the comment is always recognised after joining.
            text.append(" ")
            positions.append((number, 1))
        text.append(line)
        positions.extend((number, i + 1) for i in range(len(line)))
        yield _LogicalLine("".join(text), positions)
        text, positions = [], []
    if text:
        yield _LogicalLine("".join(text), positions)


def _break_args_options(line: str) -> tuple[str, str]:
    tokens = line.split(" ")
    args: list[str] = []
    for token in tokens:
        if token.startswith("-"):
            break
        args.append(token)
    args_str = " ".join(args)
    return args_str, line[len(args_str) :]


def _looks_like_location(text: str) -> bool:
    head = text.split(";", 1)[0].strip()
    return (
        "://" in head
        or head.startswith((".", "/", "~", "\\", "file:"))
        or re.match(r"[A-Za-z]:[\\/]", head) is not None
        or "/" in head
        or "\\" in head
        or head.lower().endswith(_ARCHIVE_SUFFIXES)
    )


def _read_requirements(collector: _Collector) -> None:
    for logical in _logical_lines(collector.lines):
        _read_logical_line(collector, logical)


def _read_logical_line(collector: _Collector, logical: _LogicalLine) -> None:
    text = logical.text
    m = _COMMENT.search(text)
    if m:
        text = text[: m.start()]
    start = len(text) - len(text.lstrip())
    body = text.strip()
    if not body:
        return
    args, options = _break_args_options(body)
    if not args:
        _read_option_line(collector, logical, start, body)
        return
    requirement = args.rstrip()
    has_hash = any(t == "--hash" or t.startswith("--hash=") for t in options.split())
    _add_requirement(collector, logical, start, requirement, has_hash)


def _add_requirement(
    collector: _Collector, logical: _LogicalLine, start: int, requirement: str, has_hash: bool
) -> None:
    line, column = logical.positions[start]
    if _NAME_AT.match(requirement) is None and _looks_like_location(requirement):
        return  # a path or URL without a name: nothing to audit by name
    end_column = column + 1
    for index in range(start, start + len(requirement)):
        pos_line, pos_column = logical.positions[index]
        if pos_line == line:
            end_column = max(end_column, pos_column + 1)
    dependency = _requirement_dependency(
        requirement,
        path=collector.path,
        line=line,
        column=column,
        end_column=end_column,
        source="requirements",
        group="",
        has_hash=has_hash,
    )
    if dependency is None:
        collector.diagnostic("invalid requirement (not a PEP 508 requirement)", line, column)
    else:
        collector.dependencies.append(dependency)


_EDITABLE = re.compile(r"(?:-e|--editable)(?:\s*=\s*|\s+|(?=[^\s=]))")


def _read_option_line(collector: _Collector, logical: _LogicalLine, start: int, body: str) -> None:
    line, column = logical.positions[start]
    editable = _EDITABLE.match(body)
    if editable:
        target = body[editable.end() :]
        value_start = start + editable.end()
        if _NAME_AT.match(target):
            args, _ = _break_args_options(target)
            _add_requirement(collector, logical, value_start, args.rstrip(), False)
        return  # a local path or VCS URL: skipped
    try:
        tokens = shlex.split(body, comments=False, posix=True)
    except ValueError:
        collector.diagnostic(
            "could not read the options on this line (unbalanced quotes)", line, column
        )
        return
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        option: Optional[str] = None
        value: Optional[str] = None
        if token.startswith("--"):
            option, eq, attached = token[2:].partition("=")
            if eq:
                value = attached
        elif token.startswith("-") and len(token) >= 2 and token[1] in _SHORT_WITH_VALUE:
            option = _SHORT_WITH_VALUE[token[1]]
            value = token[2:].lstrip("=") or None
        if option is None or (option not in _LONG_WITH_VALUE and option not in _LONG_FLAGS):
            name = token if re.fullmatch(r"--?[A-Za-z][A-Za-z0-9-]*", token.split("=")[0]) else ""
            shown = f" {name.split('=')[0]}" if name else ""
            collector.diagnostic(f"unknown pip option{shown} in requirements file", line, column)
            return
        if option in _LONG_FLAGS:
            continue
        if value is None:
            if index >= len(tokens):
                collector.diagnostic(f"option --{option} needs a value", line, column)
                return
            value = tokens[index]
            index += 1
        if option in ("requirement", "constraint"):
            collector.include(value)


# -- TOML positions --------------------------------------------------------------------------

_HEADER = re.compile(r"\s*(\[\[|\[)(.*?)(\]\]|\])\s*(?:#.*)?")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _parse_dotted_key(text: str) -> Optional[tuple[str, ...]]:
    parts: list[str] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in " \t":
            i += 1
        if i >= n:
            return None
        if text[i] in "\"'":
            quote = text[i]
            end = text.find(quote, i + 1)
            if end < 0:
                return None
            parts.append(text[i + 1 : end])
            i = end + 1
        else:
            m = _BARE_KEY.match(text, i)
            if not m:
                return None
            parts.append(m.group())
            i = m.end()
        while i < n and text[i] in " \t":
            i += 1
        if i >= n:
            return tuple(parts)
        if text[i] != ".":
            return None
        i += 1


@dataclass
class _Block:
    key: tuple[str, ...]
    array: bool
    header: int  # line of the header, 0 for the root table
    first: int  # first line of the body
    last: int  # last line of the body (inclusive)


class _TomlIndex:
    """Where the tables of a TOML text are, so that parsed values can be found again."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.blocks: list[_Block] = []
        current = _Block((), False, 0, 1, len(lines))
        for number, line in enumerate(lines, 1):
            m = _HEADER.fullmatch(line)
            if not m or (m.group(1) == "[[") != (m.group(3) == "]]"):
                continue
            key = _parse_dotted_key(m.group(2))
            if key is None:
                continue
            current.last = number - 1
            self.blocks.append(current)
            current = _Block(key, m.group(1) == "[[", number, number + 1, len(lines))
        self.blocks.append(current)
        self.claimed: set[tuple[int, int]] = set()

    def tables(self, key: tuple[str, ...], array: Optional[bool] = None) -> list[_Block]:
        return [b for b in self.blocks if b.key == key and (array is None or b.array == array)]

    def key_line(self, block: _Block, key: str, start: int = 0) -> Optional[int]:
        pattern = re.compile(
            r"\s*(?:"
            + re.escape(key)
            + r"|\""
            + re.escape(key)
            + r"\"|'"
            + re.escape(key)
            + r"')\s*="
        )
        for number in range(max(block.first, start), block.last + 1):
            if pattern.match(self.lines[number - 1]):
                return number
        return None

    def find_string(self, value: str, first: int, last: int) -> Optional[tuple[int, int, int]]:
        """(line, column, end_column) of a quoted string's content in the line range."""
        for number in range(max(first, 1), min(last, len(self.lines)) + 1):
            line = self.lines[number - 1]
            for quote in ('"', "'"):
                needle = quote + value + quote
                index = line.find(needle)
                while index >= 0:
                    spot = (number, index + 2)
                    if spot not in self.claimed:
                        self.claimed.add(spot)
                        return number, index + 2, index + 2 + len(value)
                    index = line.find(needle, index + 1)
        return None

    def span_from(self, line: int, column: int) -> tuple[int, int, int]:
        """From ``column`` to the end of the line's content, a trailing comment excluded."""
        text = self.lines[line - 1] if 1 <= line <= len(self.lines) else ""
        return line, column, _content_end(text, column - 1) + 1

    def fallback(self, line: int) -> tuple[int, int, int]:
        line = min(max(line, 1), len(self.lines))
        text = self.lines[line - 1]
        start = len(text) - len(text.lstrip())
        return line, start + 1, max(_content_end(text, start) + 1, start + 1)


def _content_end(line: str, start: int) -> int:
    """0-based exclusive end of a TOML/JSON line's content from ``start``: no comment, no
    trailing whitespace."""
    quote: Optional[str] = None
    index = start
    end = len(line)
    while index < len(line):
        char = line[index]
        if quote:
            if char == "\\" and quote == '"':
                index += 1
            elif char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "#":
            end = index
            break
        index += 1
    return len(line[:end].rstrip())


def _load_toml(collector: _Collector) -> Optional[dict[str, Any]]:
    try:
        return tomllib.loads(collector.text)
    except (tomllib.TOMLDecodeError, ValueError, RecursionError) as exc:
        message = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)", message)
        if m is None and message.endswith("(at end of document)"):
            reason = message[: -len("(at end of document)")].strip()
            reason = reason if re.fullmatch(r"[A-Za-z0-9 ,.'()_-]+", reason) else ""
            collector.diagnostic(
                "invalid TOML" + (f": {reason}" if reason else "") + " (at the end of the file)",
                max(1, len(collector.text.rstrip().splitlines())),
            )
        elif m:
            reason = message[: m.start()].strip()
            reason = reason if re.fullmatch(r"[A-Za-z0-9 ,.'()_-]+", reason) else ""
            collector.diagnostic(
                "invalid TOML" + (f": {reason}" if reason else ""),
                int(m.group(1)),
                int(m.group(2)),
            )
        else:
            collector.diagnostic("invalid TOML")
        return None


def _table(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


# -- pyproject.toml --------------------------------------------------------------------------


def _read_pyproject(collector: _Collector) -> None:
    data = _load_toml(collector)
    if data is None:
        return
    index = _TomlIndex(collector.lines)
    project = _table(data.get("project"))
    if "dependencies" in project:
        _read_pep508_list(
            collector, index, project["dependencies"], ("project",), "dependencies", ""
        )
    optional = project.get("optional-dependencies")
    if optional is not None:
        if not isinstance(optional, dict):
            collector.diagnostic("[project.optional-dependencies] is not a table")
        else:
            for extra, values in optional.items():
                _read_pep508_list(
                    collector,
                    index,
                    values,
                    ("project", "optional-dependencies"),
                    extra,
                    extra,
                    alternatives=((("project",), "optional-dependencies"),),
                )
    groups = data.get("dependency-groups")
    if isinstance(groups, dict):
        for group, values in groups.items():
            if isinstance(values, list):
                values = [v for v in values if not isinstance(v, dict)]  # include-group
            _read_pep508_list(collector, index, values, ("dependency-groups",), group, group)
    uv = _table(_table(data.get("tool")).get("uv"))
    if "dev-dependencies" in uv:
        _read_pep508_list(
            collector, index, uv["dev-dependencies"], ("tool", "uv"), "dev-dependencies", "dev"
        )
    _read_poetry(collector, index, _table(_table(data.get("tool")).get("poetry")))


def _read_pep508_list(
    collector: _Collector,
    index: _TomlIndex,
    values: object,
    table: tuple[str, ...],
    key: str,
    group: str,
    alternatives: tuple[tuple[tuple[str, ...], str], ...] = (),
) -> None:
    # Where the list is written: the table's block from the key's line on.
    ranges: list[tuple[int, int]] = []
    for block_key, block_item in ((table, key), *alternatives):
        for block in index.tables(block_key, array=False):
            start = index.key_line(block, block_item)
            if start is not None:
                ranges.append((start, block.last))
    anchor = ranges[0][0] if ranges else next((b.header for b in index.tables(table)), 1)
    label = ".".join((*table, key))
    if not isinstance(values, list):
        collector.diagnostic(f"{label} is not a list of requirements", anchor or None)
        return
    for value in values:
        if not isinstance(value, str):
            collector.diagnostic(f"{label}: an entry is not a requirement string", anchor or None)
            continue
        position = None
        for first, last in [*ranges, (1, len(index.lines))]:
            position = index.find_string(value, first, last)
            if position is not None:
                break
        line, column, end_column = position or index.fallback(anchor)
        dependency = _requirement_dependency(
            value,
            path=collector.path,
            line=line,
            column=column,
            end_column=end_column,
            source="pyproject-pep621",
            group=group,
        )
        if dependency is None:
            collector.diagnostic(f"{label}: invalid requirement", line, column)
        else:
            collector.dependencies.append(dependency)


_POETRY_PIECE = re.compile(r"(\^|~=|~|===|==|!=|<=|>=|<|>|=)?\s*(\S+)")


def _bump(release: tuple[int, ...], index: int) -> str:
    parts = [*release[:index], release[index] + 1] + [0] * (len(release) - index - 1)
    return ".".join(str(p) for p in parts)


def _poetry_to_pep440(constraint: str) -> Optional[str]:
    """A Poetry version constraint as a PEP 440 specifier; None when it cannot be read."""
    text = constraint.strip()
    if text in ("", "*"):
        return ""
    if "|" in text:
        return ""  # a union has no PEP 440 form: unconstrained
    out: list[str] = []
    for chunk in text.split(","):
        for piece in re.split(r"\s+(?=[<>=!~^])", chunk.strip()):
            m = _POETRY_PIECE.fullmatch(piece.strip())
            if not m:
                return None
            op, ver = m.group(1) or "", m.group(2)
            try:
                if op in ("^", "~"):
                    version = Version(ver)
                    release = version.release
                    if op == "^":
                        nonzero = [i for i, p in enumerate(release) if p != 0]
                        upper = _bump(release, nonzero[0] if nonzero else len(release) - 1)
                    else:
                        upper = _bump(release, 1 if len(release) > 1 else 0)
                    out.extend((f">={version}", f"<{upper}"))
                elif op in ("", "="):
                    if ver != "*":
                        out.append(f"=={ver}")
                else:
                    out.append(op + ver)
            except (InvalidVersion, IndexError):
                return None
    result = ",".join(out)
    try:
        SpecifierSet(result)
    except InvalidSpecifier:
        return None
    return result


def _read_poetry(collector: _Collector, index: _TomlIndex, poetry: Mapping[str, Any]) -> None:
    sections: list[tuple[tuple[str, ...], str, object]] = [
        (("tool", "poetry", "dependencies"), "", poetry.get("dependencies")),
        (("tool", "poetry", "dev-dependencies"), "dev", poetry.get("dev-dependencies")),
    ]
    for group, settings in _table(poetry.get("group")).items():
        deps = _table(settings).get("dependencies")
        sections.append((("tool", "poetry", "group", group, "dependencies"), group, deps))
    for table, group, deps in sections:
        if deps is None:
            continue
        label = ".".join(table)
        blocks = index.tables(table, array=False)
        anchor = blocks[0].header if blocks else 1
        if not isinstance(deps, dict):
            collector.diagnostic(f"[{label}] is not a table", anchor)
            continue
        for key, value in deps.items():
            if canonicalize_name(key) == "python":
                continue
            position = None
            for block in blocks:
                line = index.key_line(block, key)
                if line is not None:
                    text = index.lines[line - 1]
                    position = index.span_from(line, len(text) - len(text.lstrip()) + 1)
                    break
            if position is None:
                own = index.tables((*table, key), array=False)
                position = index.fallback(own[0].header if own else anchor)
            entries = value if isinstance(value, list) else [value]
            for entry in entries:
                _add_poetry_entry(collector, key, entry, position, group, label)


def _add_poetry_entry(
    collector: _Collector,
    key: str,
    entry: object,
    position: tuple[int, int, int],
    group: str,
    label: str,
) -> None:
    line, column, end_column = position
    constraint = ""
    extras: tuple[str, ...] = ()
    marker: Optional[str] = None
    if isinstance(entry, str):
        constraint = entry
    elif isinstance(entry, dict):
        version = entry.get("version")
        constraint = version if isinstance(version, str) else ""
        extras = _strings(entry.get("extras"))
        markers = entry.get("markers")
        marker = markers if isinstance(markers, str) and markers.strip() else None
    else:
        collector.diagnostic(f"[{label}] {key}: not a version or a table", line, column)
        return
    specifier = _poetry_to_pep440(constraint)
    if specifier is None:
        collector.diagnostic(f"[{label}] {key}: unsupported version constraint", line, column)
        specifier = ""
    collector.dependencies.append(
        Dependency(
            name=canonicalize_name(key),
            version=_exact_version(SpecifierSet(specifier)),
            specifier=specifier,
            path=collector.path,
            line=line,
            column=column,
            end_column=end_column,
            locked=False,
            has_hash=False,
            marker=marker,
            extras=tuple(sorted(extras)),
            source="pyproject-poetry",
            group=group,
        )
    )


# -- setup.cfg -------------------------------------------------------------------------------


def _read_setup_cfg(collector: _Collector) -> None:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(collector.text)
    except configparser.MissingSectionHeaderError as exc:
        collector.diagnostic("invalid setup.cfg: text before the first section", exc.lineno)
        return
    except configparser.ParsingError as exc:
        # The rest of the file was read; report the first bad line.
        line = exc.errors[0][0] if exc.errors else None
        collector.diagnostic("invalid setup.cfg: a line is not an option", line)
    except configparser.Error:
        collector.diagnostic("invalid setup.cfg")
        return
    sections = _ini_sections(collector.lines)
    if parser.has_option("options", "install_requires"):
        _read_cfg_value(collector, sections, "options", "install_requires", parser, "")
    if parser.has_section("options.extras_require"):
        for extra in parser.options("options.extras_require"):
            _read_cfg_value(collector, sections, "options.extras_require", extra, parser, extra)


def _ini_sections(lines: list[str]) -> dict[str, list[tuple[int, int]]]:
    found: dict[str, list[tuple[int, int]]] = {}
    current: Optional[str] = None
    start = 0
    for number, line in enumerate(lines, 1):
        m = re.fullmatch(r"\s*\[([^\]]+)\]\s*", line)
        if m:
            if current is not None:
                found.setdefault(current, []).append((start, number - 1))
            current, start = m.group(1).strip(), number + 1
    if current is not None:
        found.setdefault(current, []).append((start, len(lines)))
    return found


def _read_cfg_value(
    collector: _Collector,
    sections: dict[str, list[tuple[int, int]]],
    section: str,
    option: str,
    parser: configparser.ConfigParser,
    group: str,
) -> None:
    value = parser.get(section, option, fallback="")
    ranges = sections.get(section, [])
    option_line = 0
    for first, last in ranges:
        for number in range(first, last + 1):
            if re.match(r"\s*" + re.escape(option) + r"\s*[=:]", collector.line_text(number), re.I):
                option_line = number
                break
        if option_line:
            break
    if value.strip().startswith("file:"):
        for target in value.strip()[len("file:") :].split(","):
            collector.include(target)
        return
    claimed: set[int] = set()
    for raw in value.splitlines():
        m = _COMMENT.search(raw)
        entry = (raw[: m.start()] if m else raw).strip()
        if not entry:
            continue
        line, column, end_column = option_line or 1, 1, 1
        for number in range(option_line or 1, len(collector.lines) + 1):
            text = collector.line_text(number)
            index = text.find(entry)
            if number in claimed or index < 0:
                continue
            if number != option_line and text[:index].strip():
                continue
            claimed.add(number)
            line, column, end_column = number, index + 1, index + 1 + len(entry)
            break
        dependency = _requirement_dependency(
            entry,
            path=collector.path,
            line=line,
            column=column,
            end_column=end_column,
            source="setup.cfg",
            group=group,
        )
        if dependency is None:
            collector.diagnostic(f"[{section}] {option}: invalid requirement", line, column)
        else:
            collector.dependencies.append(dependency)


# -- lock files ------------------------------------------------------------------------------


def _lock_position(
    index: _TomlIndex, blocks: list[_Block], number: int, name: str
) -> tuple[int, int, int]:
    """The ``name = "<name>"`` line of the ``number``-th package table."""
    pattern = re.compile(r"(\s*)name\s*=\s*([\"'])" + re.escape(name) + r"\2")
    ranges = [(blocks[number].first, blocks[number].last)] if number < len(blocks) else []
    ranges.append((1, len(index.lines)))
    for first, last in ranges:
        for line in range(first, last + 1):
            m = pattern.match(index.lines[line - 1])
            if m and (line, 0) not in index.claimed:
                index.claimed.add((line, 0))
                return index.span_from(line, len(m.group(1)) + 1)
    return index.fallback(blocks[number].header if number < len(blocks) else 1)


def _read_toml_lock(
    collector: _Collector, array: str, source: str, group_of: Any, skip: Any = None
) -> None:
    data = _load_toml(collector)
    if data is None:
        return
    index = _TomlIndex(collector.lines)
    blocks = index.tables((array,), array=True)
    packages = data.get(array, [])
    if not isinstance(packages, list):
        collector.diagnostic(f"{array} is not an array of tables")
        return
    for number, package in enumerate(packages):
        anchor = blocks[number].header if number < len(blocks) else None
        if not isinstance(package, dict):
            collector.diagnostic(f"{array} entry is not a table", anchor)
            continue
        name = package.get("name")
        if not isinstance(name, str) or not name.strip():
            collector.diagnostic(f"{array} entry without a name", anchor)
            continue
        if skip is not None and skip(package):
            continue
        version = package.get("version")
        marker = package.get("marker", package.get("markers"))
        collector.dependencies.append(
            _lock_dependency(
                collector,
                name,
                version if isinstance(version, str) else None,
                _lock_position(index, blocks, number, name),
                source=source,
                group=group_of(package),
                marker=marker if isinstance(marker, str) and marker.strip() else None,
                extras=_strings(package.get("extras")),
            )
        )


def _poetry_group(package: Mapping[str, Any]) -> str:
    category = package.get("category")
    return category if isinstance(category, str) and category != "main" else ""


def _pdm_group(package: Mapping[str, Any]) -> str:
    groups = _strings(package.get("groups"))
    return groups[0] if groups and "default" not in groups else ""


def _no_group(package: Mapping[str, Any]) -> str:
    return ""


def _uv_project_itself(package: Mapping[str, Any]) -> bool:
    source = _table(package.get("source"))
    return "editable" in source or "virtual" in source


def _read_poetry_lock(collector: _Collector) -> None:
    _read_toml_lock(collector, "package", "poetry.lock", _poetry_group)


def _read_uv_lock(collector: _Collector) -> None:
    _read_toml_lock(collector, "package", "uv.lock", _no_group, _uv_project_itself)


def _read_pylock(collector: _Collector) -> None:
    _read_toml_lock(collector, "packages", "pylock.toml", _no_group)


def _read_pdm_lock(collector: _Collector) -> None:
    _read_toml_lock(collector, "package", "pdm.lock", _pdm_group)


def _read_pipfile_lock(collector: _Collector) -> None:
    try:
        data = json.loads(collector.text)
    except json.JSONDecodeError as exc:
        collector.diagnostic(f"invalid JSON: {exc.msg}", exc.lineno, exc.colno)
        return
    except (ValueError, RecursionError):
        collector.diagnostic("invalid JSON")
        return
    if not isinstance(data, dict):
        collector.diagnostic("Pipfile.lock is not a JSON object")
        return
    index = _TomlIndex([])  # only for its claimed set and helpers
    index.lines = collector.lines
    for section, group in (("default", ""), ("develop", "develop")):
        packages = data.get(section)
        if packages is None:
            continue
        section_line = _json_key_line(collector.lines, section, 1) or 1
        if not isinstance(packages, dict):
            collector.diagnostic(f'"{section}" is not an object', section_line)
            continue
        for name, entry in packages.items():
            line = _json_key_line(collector.lines, name, section_line, index.claimed)
            if line is None:
                position = index.fallback(section_line)
            else:
                index.claimed.add((line, 0))
                text = collector.lines[line - 1]
                position = index.span_from(line, len(text) - len(text.lstrip()) + 1)
            if not isinstance(entry, dict):
                collector.diagnostic(f'"{section}": an entry is not an object', position[0])
                continue
            raw = entry.get("version")
            version: Optional[str] = None
            if isinstance(raw, str) and raw.startswith("=="):
                version = raw.lstrip("=").strip() or None
            markers = entry.get("markers")
            collector.dependencies.append(
                _lock_dependency(
                    collector,
                    name,
                    version,
                    position,
                    source="Pipfile.lock",
                    group=group,
                    marker=markers if isinstance(markers, str) and markers.strip() else None,
                    extras=_strings(entry.get("extras")),
                )
            )


def _json_key_line(
    lines: list[str], key: str, start: int, claimed: Optional[set[tuple[int, int]]] = None
) -> Optional[int]:
    pattern = re.compile(r"\s*" + re.escape(json.dumps(key)) + r"\s*:")
    for number in range(max(start, 1), len(lines) + 1):
        if pattern.match(lines[number - 1]) and (claimed is None or (number, 0) not in claimed):
            return number
    return None


_READERS = {
    "requirements": _read_requirements,
    "pyproject.toml": _read_pyproject,
    "setup.cfg": _read_setup_cfg,
    "poetry.lock": _read_poetry_lock,
    "Pipfile.lock": _read_pipfile_lock,
    "uv.lock": _read_uv_lock,
    "pylock.toml": _read_pylock,
    "pdm.lock": _read_pdm_lock,
}
