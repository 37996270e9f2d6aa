"""``[tool.flaskguard]`` in ``pyproject.toml`` plus command-line flags -> one validated Config.

Every value is checked here, once, so that the rest of the tool can trust a :class:`Config`.
Any problem becomes a :class:`ConfigError` whose message names the file (or the option), the
key and what is wrong; the CLI prints it and exits with the usage/config error code.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, TypeVar

from pathspec import GitIgnoreSpec

from flaskguard.findings import Confidence, Severity

if sys.version_info >= (3, 11):
    import tomllib
else:
    # The ignore is for type checkers targeting < 3.11 in an environment without tomli.
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

# Matched with ``fullmatch`` against upper-cased text. Prefixes select rule families
# ("FG1" is every FG1xx rule); "ALL" selects every rule.
RULE_ID_PATTERN = re.compile(r"FG[0-9]{0,3}|ALL")

_RULE_ID_HINT = "expected FG followed by up to three digits, such as FG1 or FG100, or ALL"


class ConfigError(Exception):
    """A configuration problem; the message is meant for the user as it is."""


@dataclass(frozen=True)
class Config:
    """Validated settings. Build it with :func:`load_config` and :func:`apply_overrides`,
    which normalise rule ids to upper case; the methods rely on that."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] | None = None
    extend_exclude: tuple[str, ...] = ()
    force_exclude: bool = False
    respect_gitignore: bool = True
    fail_on: Severity = Severity.LOW
    min_confidence: Confidence = Confidence.LOW
    per_path_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    max_file_size: int = 10 * 1024 * 1024
    extra_auth_decorators: tuple[str, ...] = ()
    extra_taint_sources: tuple[str, ...] = ()
    source: str | None = None

    def rule_enabled(self, rule_id: str) -> bool:
        # An empty select acts as ["ALL"], the least specific selector, so that any ignore
        # that matches the rule at all wins over it.
        selected = _specificity(self.select, rule_id) if self.select else 0
        return selected > _specificity(self.ignore, rule_id)

    def rule_ignored_for_path(self, rule_id: str, relpath: str) -> bool:
        return any(
            _specificity(ids, rule_id) >= 0 and _glob_spec(glob).match_file(relpath)
            for glob, ids in self.per_path_ignores
        )


def _specificity(selectors: tuple[str, ...], rule_id: str) -> int:
    """The length of the longest selector that matches ``rule_id``, -1 if none does.

    "ALL" matches every rule but counts as the least specific selector (0).
    """
    return max(
        (
            0 if selector == "ALL" else len(selector)
            for selector in selectors
            if selector == "ALL" or rule_id.startswith(selector)
        ),
        default=-1,
    )


@functools.cache
def _glob_spec(pattern: str) -> GitIgnoreSpec:
    # Per-path ignores are consulted once per finding; compile each pattern only once.
    return GitIgnoreSpec.from_lines([pattern])


def load_config(root: Path) -> Config:
    """Read ``[tool.flaskguard]`` from ``root/pyproject.toml``; defaults if there is none."""
    path = root / "pyproject.toml"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        # A dangling link means the user meant to configure the scan: do not ignore it.
        if path.is_symlink():
            raise ConfigError(f"{path}: cannot read: broken symbolic link") from None
        return Config()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        # Some Windows editors write a byte order mark, which TOML parsers reject.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}: not valid UTF-8 (line {line})") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None

    tool = document.get("tool")
    table = tool.get("flaskguard") if isinstance(tool, dict) else None
    if table is None:
        return Config()
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.flaskguard] must be a table, got {_describe(table)}")
    values: dict[str, Any] = {}
    for key, value in table.items():
        parse = _PARSERS.get(key)
        if parse is None:
            raise ConfigError(_unknown_key_message(path, key))
        values[key.replace("-", "_")] = parse(value, f"{path}: [tool.flaskguard] {key}")
    return Config(source=str(path), **values)


def apply_overrides(config: Config, **overrides: object) -> Config:
    """Return ``config`` with the given fields replaced; a value of None means "not given".

    Values take the same shapes as in ``pyproject.toml`` (lists of strings, a mapping for
    ``per_path_ignores``, severity and confidence names or enum members) and are validated
    the same way; problems raise :class:`ConfigError` naming the command-line option.
    """
    changes: dict[str, Any] = {}
    for name, value in overrides.items():
        if value is None:
            continue
        key = name.replace("_", "-")
        parse = _PARSERS.get(key)
        if parse is None or "-" in name:
            raise TypeError(f"apply_overrides() got an unexpected option {name!r}")
        changes[name] = parse(value, f"command-line option --{key}")
    return dataclasses.replace(config, **changes)


def _unknown_key_message(path: Path, key: str) -> str:
    close = difflib.get_close_matches(key, _PARSERS, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return (
        f"{path}: [tool.flaskguard] unknown key {key!r}.{hint} Valid keys: {', '.join(_PARSERS)}."
    )


_TYPE_NAMES = {
    bool: "a boolean",
    int: "an integer",
    float: "a float",
    str: "a string",
    list: "an array",
    dict: "a table",
}


def _describe(value: object) -> str:
    return _TYPE_NAMES.get(type(value), f"a {type(value).__name__}")


def _parse_strings(value: object, label: str, what: str) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)):
        raise ConfigError(f"{label} must be a list of {what}, got {_describe(value)}")
    for item in value:
        if not isinstance(item, str):
            raise ConfigError(
                f"{label} must be a list of {what}, but contains {_describe(item)}: {item!r}"
            )
    return tuple(value)


def _parse_rule_ids(value: object, label: str) -> tuple[str, ...]:
    ids = []
    for item in _parse_strings(value, label, "rule ids"):
        rule_id = item.strip().upper()
        if not RULE_ID_PATTERN.fullmatch(rule_id):
            raise ConfigError(f"{label}: {item!r} is not a rule id or prefix ({_RULE_ID_HINT})")
        ids.append(rule_id)
    return tuple(ids)


def _compile_glob(pattern: str, label: str) -> GitIgnoreSpec:
    try:
        return _glob_spec(pattern)
    except ValueError:
        raise ConfigError(f"{label}: {pattern!r} is not a valid gitignore-style pattern") from None


def _parse_globs(value: object, label: str) -> tuple[str, ...]:
    patterns = _parse_strings(value, label, "gitignore-style patterns")
    for pattern in patterns:
        _compile_glob(pattern, label)
    return patterns


def _parse_per_path_ignores(value: object, label: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, Mapping):
        raise ConfigError(
            f"{label} must be a table of path patterns to lists of rule ids, got {_describe(value)}"
        )
    entries = []
    for pattern, ids in value.items():
        if not isinstance(pattern, str):
            raise ConfigError(f"{label} keys must be path patterns, got {_describe(pattern)}")
        # Each pattern stands alone, so a negation, a comment or a blank would silently
        # match nothing.
        if [p.include for p in _compile_glob(pattern, label).patterns] != [True]:
            raise ConfigError(
                f"{label}: {pattern!r} matches no path "
                "(a pattern here cannot be empty, a comment or a negation)"
            )
        # JSON string syntax is also TOML basic-string syntax: the label shows the key as
        # the user would write it.
        entry_label = f"{label}.{json.dumps(pattern, ensure_ascii=False)}"
        entries.append((pattern, _parse_rule_ids(ids, entry_label)))
    return tuple(entries)


def _parse_decorator_names(value: object, label: str) -> tuple[str, ...]:
    names = _parse_strings(value, label, "decorator names")
    for name in names:
        if not all(part.isidentifier() for part in name.split(".")):
            raise ConfigError(
                f"{label}: {name!r} is not a decorator name "
                "(a dotted name like 'myapp.auth.admin_required' or 'admin_required')"
            )
    return names


def _parse_source_names(value: object, label: str) -> tuple[str, ...]:
    names = _parse_strings(value, label, "source names")
    for name in names:
        if not all(part.isidentifier() for part in name.split(".")):
            raise ConfigError(
                f"{label}: {name!r} is not a dotted name of a function or attribute whose "
                "value is attacker-controlled (like 'myapp.api.current_payload')"
            )
    return names


def _parse_bool(value: object, label: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{label} must be true or false, got {_describe(value)}")
    return value


def _parse_size(value: object, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{label} must be an integer number of bytes, got {_describe(value)}")
    if value <= 0:
        raise ConfigError(f"{label} must be greater than 0, got {value}")
    return value


_E = TypeVar("_E", Severity, Confidence)


def _parse_level(value: object, label: str, kind: type[_E]) -> _E:
    if isinstance(value, kind):
        return value
    if not isinstance(value, str):
        raise ConfigError(f"{label} must be a string, got {_describe(value)}")
    try:
        return kind.parse(value)
    except ValueError as exc:
        raise ConfigError(f"{label}: {exc}") from None


def _parse_severity(value: object, label: str) -> Severity:
    return _parse_level(value, label, Severity)


def _parse_confidence(value: object, label: str) -> Confidence:
    return _parse_level(value, label, Confidence)


# The TOML keys, in the order the error message lists them; each field of Config is the key
# with "-" replaced by "_".
_PARSERS: dict[str, Callable[[object, str], object]] = {
    "select": _parse_rule_ids,
    "ignore": _parse_rule_ids,
    "exclude": _parse_globs,
    "extend-exclude": _parse_globs,
    "force-exclude": _parse_bool,
    "respect-gitignore": _parse_bool,
    "fail-on": _parse_severity,
    "min-confidence": _parse_confidence,
    "per-path-ignores": _parse_per_path_ignores,
    "max-file-size": _parse_size,
    "extra-auth-decorators": _parse_decorator_names,
    "extra-taint-sources": _parse_source_names,
}
