"""Whether two versions of a module's facts differ only in where their lines are.

Inserting or deleting comment lines and blank lines above code moves every later statement
down or up, so the facts of an edited file differ in their line numbers and nowhere else. For
such an edit the scan keeps its last result and moves the edited file's line numbers in it
(see ``flaskguard.scan``), which is only right when everything else is equal: same nodes, same
names, same columns, same order.

An edit of code moves the lines below it too. :func:`matching_lines` lines the two versions'
texts up by line checksums, and :func:`equal_under` tells whether a part of the old facts is
the same part of the new ones with its lines moved that way: the scan asks it of everything
the analyses read of an edited module.
"""

from __future__ import annotations

import difflib
import re
import zlib
from array import array
from dataclasses import fields, is_dataclass
from typing import Optional

from flaskguard.facts.module import ModuleFacts

# Fields that hold a line number of the module's own file; any other number must be equal.
_LINE_FIELDS = frozenset({"line", "end_line", "first_line"})

LineMap = dict[int, int]

# The line breaks Python's tokenizer counts (not form feeds or Unicode separators).
_LINE_BREAKS = re.compile("\r\n|\r|\n")

_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = tuple(f.name for f in fields(cls))
        _FIELD_NAMES[cls] = names
    return names


def line_mapping(old: ModuleFacts, new: ModuleFacts) -> Optional[LineMap]:
    """Old line -> new line, when ``new`` is ``old`` with its lines moved; None otherwise.

    The mapping must keep the lines' order (no statement moved past another), and holds the
    lines the facts mention. Equal facts give the identity on those lines.
    """
    mapping: LineMap = {}
    reverse: dict[int, int] = {}
    stack: list[tuple[object, object]] = [(old, new)]
    while stack:
        a, b = stack.pop()
        if a is b:
            continue
        if type(a) is not type(b):
            return None
        if isinstance(a, (tuple, list)):
            assert isinstance(b, (tuple, list))
            if len(a) != len(b):
                return None
            stack.extend(zip(a, b))
        elif is_dataclass(a) and not isinstance(a, type):
            for name in _field_names(type(a)):
                left, right = getattr(a, name), getattr(b, name)
                if name in _LINE_FIELDS and type(left) is int and type(right) is int:
                    if mapping.setdefault(left, right) != right:
                        return None
                    if reverse.setdefault(right, left) != left:
                        return None
                else:
                    stack.append((left, right))
        elif isinstance(a, (dict, set, frozenset)):
            if a != b:
                return None
        elif a != b:
            return None
    lines = sorted(mapping)
    if any(mapping[x] >= mapping[y] for x, y in zip(lines, lines[1:])):
        return None
    return mapping


def line_digests(text: str) -> bytes:
    """A checksum of each line of a module's text, kept with its facts so that a later
    version of the text can be lined up with it (:func:`matching_lines`)."""
    return array(
        "I",
        [zlib.crc32(line.encode("utf-8", "surrogatepass")) for line in _LINE_BREAKS.split(text)],
    ).tobytes()


def matching_lines(old: bytes, new: bytes) -> LineMap:
    """Old line -> new line, from two texts' :func:`line_digests`: the lines an edit left
    alone, and the lines of a block replaced by as many lines, in place. The mapping keeps
    the lines' order; lines deleted, or replaced by more or fewer, are not in it."""
    a, b = array("I"), array("I")
    a.frombytes(old)
    b.frombytes(new)
    # Most edits change one place: match the unchanged start and end without difflib.
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    mapping = {line: line for line in range(head + 1)}  # line 0: no line
    matcher = difflib.SequenceMatcher(
        None, a[head : len(a) - tail].tolist(), b[head : len(b) - tail].tolist(), autojunk=False
    )
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            for k in range(i2 - i1):
                mapping[head + i1 + k + 1] = head + j1 + k + 1
    shift = len(b) - len(a)
    for line in range(len(a) - tail + 1, len(a) + 1):
        mapping[line] = line + shift
    return mapping


def equal_under(old: object, new: object, lines: LineMap) -> bool:
    """Whether ``new`` is ``old`` with its lines moved by ``lines``: each line number in
    ``old`` is mapped to the one in the same place in ``new``, and all else is equal."""
    stack: list[tuple[object, object]] = [(old, new)]
    while stack:
        a, b = stack.pop()
        if a is b:
            continue
        if type(a) is not type(b):
            return False
        if isinstance(a, (tuple, list)):
            assert isinstance(b, (tuple, list))
            if len(a) != len(b):
                return False
            stack.extend(zip(a, b))
        elif isinstance(a, dict):
            assert isinstance(b, dict)
            if a.keys() != b.keys():
                return False
            stack.extend((a[key], b[key]) for key in a)
        elif is_dataclass(a) and not isinstance(a, type):
            for name in _field_names(type(a)):
                left, right = getattr(a, name), getattr(b, name)
                if name in _LINE_FIELDS and type(left) is int and type(right) is int:
                    if lines.get(left) != right:
                        return False
                else:
                    stack.append((left, right))
        elif a != b:
            return False
    return True
