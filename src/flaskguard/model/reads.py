"""What the project stage read of each module's facts.

A scan's findings are a function of what the model, the analyses and the rules read of the
module facts. When every read would give the same answer on a module's new facts as on its
old ones, the findings stand, and an edit (a new helper function, a changed loop body nobody
looked into) does not need the whole project analysed again.

Reads are noted at three grains. A whole content field of a module (``classes``…) is noted
when code reads it through the module object; the project hands out :class:`WatchedModule`
objects, which note that on every read. Keys are noted by the project's lookups (a name in a
scope, a function by qualified name, the calls of one attribute across the project), which
read the plain facts underneath. And a module view (``Project.view``) is noted by the view's
name: what a project-wide loop selects from one module, judged by its answer. See
:func:`flaskguard.model.project.changed_read` for how an edit is judged against them, with the
lines below the edit moved.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

from flaskguard.facts import ir
from flaskguard.facts.module import ModuleFacts

# What identifies a module: these cannot change without the file changing its path.
IDENTITY_FIELDS = ("path", "module_name", "is_package", "is_main_module")
CONTENT_FIELDS = ("imports", "functions", "classes", "calls", "assignments", "suppressions")

# ("name", scope, name), ("call-at", line, column), ("view", view, entry)…
ReadKey = tuple[Hashable, ...]


@dataclass
class ReadLog:
    """Everything one project-stage run read of the module facts, by module path."""

    fields: dict[str, set[str]] = field(default_factory=dict)  # whole content fields
    keys: dict[str, set[ReadKey]] = field(default_factory=dict)  # lookups in a module's index
    calls: set[ReadKey] = field(default_factory=set)  # lookups in the project's call index

    def module_keys(self, path: str) -> set[ReadKey]:
        # Asked on every name lookup: no ``setdefault``, which would build a set each time.
        found = self.keys.get(path)
        if found is None:
            found = self.keys[path] = set()
        return found

    def moved(self, path: str, lines: dict[int, int]) -> ReadLog:
        """This log after ``path``'s lines moved (old line → new line): keys naming a line
        name the new one. KeyError for a line ``lines`` does not know."""
        keys = dict(self.keys)
        if path in keys:
            keys[path] = {moved_key(key, lines) for key in keys[path]}
        return ReadLog(self.fields, keys, self.calls)


def moved_key(key: ReadKey, lines: dict[int, int]) -> ReadKey:
    """A key that names a line (a call at a position, a statement's location in a view entry)
    naming the moved line; KeyError for a line ``lines`` does not map."""
    if key[0] == "call-at":
        line = key[1]
        assert isinstance(line, int)
        return (key[0], lines[line], *key[2:])
    if key[0] == "view" and len(key) > 2:
        return (*key[:2], _moved_entry(key[2], lines))
    return key


def _moved_entry(entry: Hashable, lines: dict[int, int]) -> Hashable:
    """A view entry (a tuple that may hold locations) with its lines moved."""
    if isinstance(entry, ir.Loc):
        return ir.Loc(lines[entry.line], entry.col, lines[entry.end_line], entry.end_col)
    if isinstance(entry, tuple):
        return tuple(_moved_entry(part, lines) for part in entry)
    return entry


class WatchedModule(ModuleFacts):
    """A module's facts that note which content fields are read (in ``reads``)."""

    __slots__ = ("reads",)
    reads: set[str]

    @staticmethod
    def of(module: ModuleFacts, reads: set[str]) -> WatchedModule:
        watched = object.__new__(WatchedModule)
        for name in (*IDENTITY_FIELDS, *CONTENT_FIELDS):
            _SLOTS[name].__set__(watched, _SLOTS[name].__get__(module))
        object.__setattr__(watched, "reads", reads)
        return watched


_SLOTS = {name: ModuleFacts.__dict__[name] for name in (*IDENTITY_FIELDS, *CONTENT_FIELDS)}


def _noting(name: str) -> property:
    read = _SLOTS[name].__get__

    def get(self: WatchedModule) -> object:
        self.reads.add(name)
        return read(self)

    return property(get)


for _name in CONTENT_FIELDS:
    setattr(WatchedModule, _name, _noting(_name))
