"""Whether two versions of a module's facts differ only in where their lines are.

Inserting or deleting comment lines and blank lines above code moves every later statement
down or up, so the facts of an edited file differ in their line numbers and nowhere else. For
such an edit the scan keeps its last result and moves the edited file's line numbers in it
(see ``flaskguard.scan``), which is only right when everything else is equal: same nodes, same
names, same columns, same order.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import Optional

from flaskguard.facts.module import ModuleFacts

# Fields that hold a line number of the module's own file; any other number must be equal.
_LINE_FIELDS = frozenset({"line", "end_line", "first_line"})

LineMap = dict[int, int]

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
