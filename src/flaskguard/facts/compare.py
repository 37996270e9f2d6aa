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

import bisect
import re
import zlib
from array import array
from dataclasses import is_dataclass
from typing import Callable, Optional

from flaskguard.facts.ir import field_names
from flaskguard.facts.module import ModuleFacts

# Fields that hold a line number of the module's own file; any other number must be equal.
_LINE_FIELDS = frozenset({"line", "end_line", "first_line"})

LineMap = dict[int, int]

# The line breaks Python's tokenizer counts (not form feeds or Unicode separators).
_LINE_BREAKS = re.compile("\r\n|\r|\n")


def line_mapping(old: ModuleFacts, new: ModuleFacts) -> Optional[LineMap]:
    """Old line -> new line, when ``new`` is ``old`` with its lines moved; None otherwise.

    The mapping must keep the lines' order (no statement moved past another), and holds the
    lines the facts mention. Equal facts give the identity on those lines.
    """
    mapping: LineMap = {}
    reverse: dict[int, int] = {}

    def record(left: int, right: int) -> bool:
        return mapping.setdefault(left, right) == right and reverse.setdefault(right, left) == left

    if not _same_besides_lines(old, new, record):
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
    the lines' order; lines deleted, or replaced by more or fewer, are not in it.

    Lines that occur once in each text anchor the match (as in patience diff), so that the
    cost stays near linear whatever the edit: ``difflib`` took seconds on a 20,000-line file
    reindented throughout."""
    a, b = array("I"), array("I")
    a.frombytes(old)
    b.frombytes(new)
    # Most edits change one place: match the unchanged start and end first.
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    mapping = {line: line for line in range(head + 1)}  # line 0: no line
    old_middle, new_middle = a[head : len(a) - tail], b[head : len(b) - tail]
    anchors = _unique_anchors(old_middle, new_middle)
    previous = (-1, -1)
    for i, j in [*anchors, (len(old_middle), len(new_middle))]:
        i0, j0 = previous
        size = min(i - i0, j - j0) - 1
        if i - i0 == j - j0:
            matched = [(i0 + 1 + k, j0 + 1 + k) for k in range(size)]
        else:
            start = 0
            while start < size and old_middle[i0 + 1 + start] == new_middle[j0 + 1 + start]:
                start += 1
            end = 0
            while end < size - start and old_middle[i - 1 - end] == new_middle[j - 1 - end]:
                end += 1
            matched = [(i0 + 1 + k, j0 + 1 + k) for k in range(start)]
            matched += [(i - 1 - k, j - 1 - k) for k in range(end)]
        if i < len(old_middle):
            matched.append((i, j))
        for x, y in matched:
            mapping[head + x + 1] = head + y + 1
        previous = (i, j)
    shift = len(b) - len(a)
    for line in range(len(a) - tail + 1, len(a) + 1):
        mapping[line] = line + shift
    return mapping


def _unique_anchors(old: array[int], new: array[int]) -> list[tuple[int, int]]:
    """Positions (old, new) of lines that occur exactly once in each, the longest run of them
    in the same order in both (patience sorting)."""
    counts: dict[int, list[int]] = {}
    for position, digest in enumerate(old):
        counts.setdefault(digest, [0, 0, position])[0] += 1
    for position, digest in enumerate(new):
        entry = counts.get(digest)
        if entry is not None:
            entry[1] += 1
            if entry[1] == 1:
                entry.append(position)
    pairs = sorted(
        (entry[2], entry[3]) for entry in counts.values() if entry[0] == 1 and entry[1] == 1
    )
    # Longest increasing run of new positions, with links back to rebuild it.
    tops: list[int] = []  # new position ending the best run of each length
    ends: list[int] = []  # index in pairs of that run's last pair
    back: list[int] = []
    for index, (_, j) in enumerate(pairs):
        length = bisect.bisect_left(tops, j)
        back.append(ends[length - 1] if length else -1)
        if length == len(tops):
            tops.append(j)
            ends.append(index)
        else:
            tops[length] = j
            ends[length] = index
    run: list[tuple[int, int]] = []
    index = ends[-1] if ends else -1
    while index >= 0:
        run.append(pairs[index])
        index = back[index]
    run.reverse()
    return run


def equal_under(old: object, new: object, lines: LineMap) -> bool:
    """Whether ``new`` is ``old`` with its lines moved by ``lines``: each line number in
    ``old`` is mapped to the one in the same place in ``new``, and all else is equal."""
    return _same_besides_lines(old, new, lambda left, right: lines.get(left) == right)


def _same_besides_lines(old: object, new: object, lines_match: Callable[[int, int], bool]) -> bool:
    """Whether ``old`` and ``new`` are equal but for line numbers, and ``lines_match`` accepts
    each pair of line numbers found in the same place of both."""
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
            for name in field_names(a):
                left, right = getattr(a, name), getattr(b, name)
                if name in _LINE_FIELDS and type(left) is int and type(right) is int:
                    if not lines_match(left, right):
                        return False
                else:
                    stack.append((left, right))
        elif a != b:
            return False
    return True
