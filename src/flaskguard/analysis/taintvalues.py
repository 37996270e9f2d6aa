"""The abstract values of the taint engine.

A :class:`Value` is what the engine knows of a Python value at one point of a function: its
taint (which attacker inputs or parameters it carries, and for which sink kinds each was
cleaned), a constant when known (to decide branches), and structure: dictionary entries by
constant key, list elements by position, object attributes. Structure is what keeps a
constant dictionary entry clean when another entry is tainted.

Taint is a mapping from a :data:`Label` to the trace that brought it here. A label is an
origin — an attacker source (``("src", "request.args")``) or a parameter of the function
being summarised, with an attribute path (``("par", 0, ("url",))``) — and the sink kinds
it has been cleaned for. Values are never mutated once built.
"""

from __future__ import annotations

from typing import Any, Optional, Union

# (path, line, column, message)
Step = tuple[str, int, int, str]
Trace = tuple[Step, ...]
Origin = tuple[Any, ...]  # ("src", description) | ("par", index, attribute path)
Label = tuple[Origin, frozenset[str]]
Taint = dict[Label, Trace]

MAX_TRACE = 12
MAX_ITEMS = 64
MAX_PATH = 2


class _NoConst:
    __slots__ = ()

    def __repr__(self) -> str:
        return "NO_CONST"


NO_CONST: Any = _NoConst()
EMPTY: Taint = {}
NO_KINDS: frozenset[str] = frozenset()


class Value:
    __slots__ = ("attrs", "complete", "const", "ext", "items", "kind", "ref", "seq", "taint")

    def __init__(
        self,
        taint: Taint = EMPTY,
        *,
        const: Any = NO_CONST,
        kind: Optional[str] = None,
        items: Optional[dict[Any, Value]] = None,
        seq: Optional[tuple[Value, ...]] = None,
        attrs: Optional[dict[str, Value]] = None,
        ext: Optional[str] = None,
        ref: Any = None,
        complete: bool = False,
    ) -> None:
        self.taint = taint
        self.const = const
        self.kind = kind
        self.items = items
        self.seq = seq
        self.attrs = attrs
        self.ext = ext
        self.ref = ref
        # ``items`` lists every entry (a dict literal): a read at an unknown key is one of them.
        self.complete = complete

    def __repr__(self) -> str:
        parts = [f"taint={sorted(str(k[0]) for k in self.taint)}"]
        for name in ("const", "kind", "ext"):
            value = getattr(self, name)
            if value is not None and value is not NO_CONST:
                parts.append(f"{name}={value!r}")
        if self.items is not None:
            parts.append(f"items={self.items!r}")
        if self.seq is not None:
            parts.append(f"seq={self.seq!r}")
        if self.attrs:
            parts.append(f"attrs={self.attrs!r}")
        return f"Value({', '.join(parts)})"

    def replace(self, **changes: Any) -> Value:
        fields = {name: getattr(self, name) for name in Value.__slots__}
        fields.update(changes)
        taint = fields.pop("taint")
        return Value(taint, **fields)

    @property
    def has_const(self) -> bool:
        return self.const is not NO_CONST


CLEAN = Value()


def const(value: Any) -> Value:
    return Value(const=value)


def shorter(trace: Trace, than: Trace) -> bool:
    """Whether ``trace`` is the one to keep: the shorter, and between equally long ones the
    first in path and line order, so that what a report shows does not depend on the order
    in which sets of inferred values happened to be walked (string hashes vary by run)."""
    return (len(trace), trace) < (len(than), than)


def merge(*taints: Taint) -> Taint:
    """The union of taints; for each label the shortest trace wins (see :func:`shorter`)."""
    present = [t for t in taints if t]
    if not present:
        return EMPTY
    if len(present) == 1:
        return present[0]
    out = dict(present[0])
    for taint in present[1:]:
        for label, trace in taint.items():
            known = out.get(label)
            if known is None or shorter(trace, known):
                out[label] = trace
    return out


def flat(value: Value, depth: int = 0) -> Taint:
    """Everything the value carries, its parts included."""
    if depth > 4:
        return value.taint
    parts = [value.taint]
    if value.items:
        parts.extend(flat(v, depth + 1) for v in value.items.values())
    if value.seq:
        parts.extend(flat(v, depth + 1) for v in value.seq)
    if value.attrs:
        parts.extend(flat(v, depth + 1) for v in value.attrs.values())
    if isinstance(value.ref, tuple) and value.ref and value.ref[0] == "partial":
        parts.extend(flat(v, depth + 1) for v in value.ref[2])
    return merge(*parts)


def cleaned(taint: Taint, kinds: frozenset[str]) -> Taint:
    if not taint or not kinds:
        return taint
    out: Taint = {}
    for (origin, done), trace in taint.items():
        label = (origin, done | kinds)
        known = out.get(label)
        if known is None or shorter(trace, known):
            out[label] = trace
    return out


def clean_value(value: Value, kinds: frozenset[str]) -> Value:
    if not kinds:
        return value
    return Value(cleaned(flat(value), kinds), kind=value.kind)


def with_step(taint: Taint, step: Step) -> Taint:
    if not taint:
        return taint
    return {label: extend(trace, (step,)) for label, trace in taint.items()}


def extend(trace: Trace, steps: Trace) -> Trace:
    joined = trace + steps
    if len(joined) > MAX_TRACE:
        # Keep where it came from and where it went.
        joined = joined[:4] + joined[-(MAX_TRACE - 4) :]
    return joined


def tainted_for(taint: Taint, kind: str) -> Taint:
    """The part of a taint not cleaned for a sink kind."""
    return {label: trace for label, trace in taint.items() if kind not in label[1]}


def join(a: Optional[Value], b: Optional[Value]) -> Value:
    """What a value may be after two paths meet."""
    if a is None:
        return b if b is not None else CLEAN
    if b is None or a is b:
        return a
    taint = merge(a.taint, b.taint)
    same_const = a.has_const and b.has_const and _same(a.const, b.const)
    items: Optional[dict[Any, Value]] = None
    complete = False
    if a.items is not None and b.items is not None:
        items = {}
        for key in a.items.keys() | b.items.keys():
            items[key] = join(a.items.get(key), b.items.get(key))
        complete = a.complete and b.complete
    elif a.items is not None or b.items is not None:
        taint = merge(taint, flat(a) if a.items is not None else EMPTY)
        taint = merge(taint, flat(b) if b.items is not None else EMPTY)
    seq: Optional[tuple[Value, ...]] = None
    if a.seq is not None and b.seq is not None and len(a.seq) == len(b.seq):
        seq = tuple(join(x, y) for x, y in zip(a.seq, b.seq))
    elif a.seq is not None or b.seq is not None:
        taint = merge(taint, flat(a), flat(b))
    attrs: Optional[dict[str, Value]] = None
    if a.attrs or b.attrs:
        attrs = {}
        a_attrs = a.attrs or {}
        b_attrs = b.attrs or {}
        for key in a_attrs.keys() | b_attrs.keys():
            attrs[key] = join(a_attrs.get(key), b_attrs.get(key))
    return Value(
        taint,
        const=a.const if same_const else NO_CONST,
        kind=a.kind if a.kind == b.kind else (a.kind or b.kind),
        items=items,
        seq=seq,
        attrs=attrs,
        ext=a.ext if a.ext == b.ext else None,
        ref=a.ref if a.ref == b.ref else (a.ref or b.ref),
        complete=complete,
    )


def _same(x: Any, y: Any) -> bool:
    try:
        return type(x) is type(y) and bool(x == y)
    except Exception:
        return False


def element(value: Value) -> Value:
    """One element of an iterable, position unknown."""
    if value.seq is not None:
        out: Optional[Value] = None
        for item in value.seq:
            out = join(out, item)
        taint = merge(value.taint, out.taint if out is not None else EMPTY)
        if out is None:
            return Value(taint, kind=_element_kind(value.kind))
        return out.replace(taint=taint)
    if value.items is not None and value.complete:
        # Iterating a dict yields its keys: constants.
        return Value(value.taint)
    if value.has_const and isinstance(value.const, (tuple, list, frozenset, set, str)):
        return CLEAN
    return Value(flat(value), kind=_element_kind(value.kind))


def _element_kind(kind: Optional[str]) -> Optional[str]:
    return {"files": "filestorage", "filestorages": "filestorage", "json": "json"}.get(kind or "")


Key = Union[str, int, float, bool, None, bytes]
