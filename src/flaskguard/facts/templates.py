"""Per-template facts: what the rules need to know about one Jinja template.

The tokenizer follows Jinja's lexer for the default delimiters (``{{ }}``, ``{% %}``,
``{# #}``) closely enough to find tags where Jinja finds them: a closing delimiter inside a
string literal or inside open brackets does not end a tag, comments and ``{% raw %}`` blocks
hide everything in them, and ``-``/``+`` whitespace control is allowed on both sides.
jinja2 itself is not imported: it is not a dependency of flaskguard, and the scanned
project's version of it need not be installed.

Where Jinja would reject the template, extraction goes on: a character the lexer does not
know is skipped, and a tag, comment or raw block that is never closed ends the template
(Jinja would not compile it at all; what comes before is still reported). Tokens are
produced lazily, so a huge tag costs time but no memory. Lines and columns are 1-based,
columns count code points, and ``\\r\\n``, ``\\r`` and ``\\n`` each end a line, as in Jinja.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, NamedTuple, Optional

from flaskguard.facts.ir import Compact

TemplateOutput = Literal["html", "text", "sql", "other"]


@dataclass(frozen=True)
class TemplateFacts(Compact):
    path: str  # relative to the project root, forward slashes
    output: TemplateOutput  # what the rendered text is, judged by the file name
    # (line, column, end_column) of each ``{% autoescape false %}`` tag; the end column is
    # exclusive, and for a tag that goes on past its first line it is the end of that line.
    autoescape_off: tuple[tuple[int, int, int], ...]
    # (line, column, text) of each ``{{ ...|safe }}`` output and ``{% filter safe %}`` block:
    # the position of the opening delimiter and the tag's content without delimiters and
    # whitespace control (``"name|e|safe"``, ``"filter safe"``).
    safe_uses: tuple[tuple[int, int, str], ...]
    extends: tuple[str, ...]  # literal names of ``{% extends %}``, in order, no repeats
    includes: tuple[str, ...]  # literal names of ``include``, ``import`` and ``from``, likewise
    variables: tuple[str, ...]  # root identifier of each ``{{ }}`` output, likewise
    # Root identifiers printed without escaping: with ``|safe`` or inside
    # ``{% autoescape false %}``, likewise.
    raw_variables: tuple[str, ...]


_HTML_SUFFIXES = frozenset({"html", "htm", "xhtml", "xml", "svg"})
_JINJA_SUFFIXES = frozenset({"jinja", "jinja2", "j2"})


def output_kind(relpath: str) -> TemplateOutput:
    """What a template renders, from its extension; for ``.j2``-style names the suffix
    before it decides (``mail.txt.j2`` is text, ``page.j2`` and ``page.html.j2`` are HTML)."""
    suffixes = relpath.rpartition("/")[2].lower().split(".")[1:]
    if suffixes and suffixes[-1] in _JINJA_SUFFIXES:
        suffixes.pop()
        if not suffixes:
            return "html"
    if not suffixes:
        return "other"
    last = suffixes[-1]
    if last in _HTML_SUFFIXES:
        return "html"
    if last == "txt":
        return "text"
    if last == "sql":
        return "sql"
    return "other"


def extract_template_facts(relpath: str, text: str) -> TemplateFacts:
    """The facts of one template; never raises, whatever the text."""
    collector = _Collector(text)
    collector.run()
    return TemplateFacts(
        path=relpath,
        output=output_kind(relpath),
        autoescape_off=tuple(collector.autoescape_off),
        safe_uses=tuple(collector.safe_uses),
        extends=tuple(collector.extends),
        includes=tuple(collector.includes),
        variables=tuple(collector.variables),
        raw_variables=tuple(collector.raw_variables),
    )


# -- tokenizer -----------------------------------------------------------------------------

_OPEN = re.compile(r"\{[{%#]")
_RAW_BEGIN = re.compile(r"\{%[-+]?\s*raw\s*[-+]?%\}")
_RAW_END = re.compile(r"\{%[-+]?\s*endraw\s*[-+]?%\}")
_LINE_BREAK = re.compile(r"\r\n?|\n")
_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
    | (?P<string>'[^'\\]*(?:\\.[^'\\]*)*'|"[^"\\]*(?:\\.[^"\\]*)*")
    | (?P<number>\d\w*(?:\.\d\w*)?)
    | (?P<name>[^\W\d]\w*)
    | (?P<op>//|\*\*|==|!=|<=|>=|[-+*/%~<>=.:|,;()\[\]{}])
    """,
    re.VERBOSE | re.DOTALL,
)
# Longest first: ``-}}`` must win over ``}}`` so that the ``-`` is not taken for a minus.
_VARIABLE_END = ("-}}", "}}")
_BLOCK_END = ("+%}", "-%}", "%}")
_OPENING = frozenset("([{")
_CLOSING = frozenset(")]}")
# Only a string or an open bracket can hide a closer; without them no lexing is needed.
_NEEDS_LEXING = re.compile(r"['\"(\[{]")
# Operators and literals that look like names; other spellings (``TRUE``) are variables.
_KEYWORDS = frozenset(
    {"and", "or", "not", "in", "is", "if", "else"}
    | {"true", "false", "none", "True", "False", "None"}
)
# ``false``/``False``/``none``/``None`` are literals, and any other spelling (``FALSE``) is
# an undefined variable to Jinja, which is false as well.
_FALSE_VALUES = frozenset({"false", "none", "0"})
# The words that may follow the template name in each tag that loads another template.
_NAME_FOLLOWERS: dict[str, frozenset[str]] = {
    "extends": frozenset(),
    "include": frozenset({"ignore", "with", "without"}),
    "import": frozenset({"as"}),
    "from": frozenset({"import"}),
}


class _Token(NamedTuple):
    kind: str  # "string" | "number" | "name" | "op"
    value: str
    offset: int


def _lex(text: str, pos: int, end: int) -> Iterator[_Token]:
    while pos < end:
        match = _TOKEN.match(text, pos, end)
        if match is None:
            # Jinja stops with a syntax error here; skipping the character keeps the rest.
            pos += 1
            continue
        kind = match.lastgroup
        if kind is not None and kind != "space":
            yield _Token(kind, match.group(), pos)
        pos = match.end()


def _tag_end(text: str, pos: int, *, variable: bool) -> Optional[tuple[int, int]]:
    """Where the content of the tag that starts at ``pos`` ends, and where the tag ends;
    None when it is never closed. As in Jinja, a closer inside a string literal or inside
    open brackets is not one.
    """
    marker = "}}" if variable else "%}"
    first = text.find(marker, pos)
    if first < 0:
        return None  # every closer contains the marker
    if _NEEDS_LEXING.search(text, pos, first) is None:
        # Without strings and brackets, the first marker closes the tag; the character before
        # it belongs to the closer when it is whitespace control.
        controls = "-" if variable else "-+"
        content_end = first - 1 if first > pos and text[first - 1] in controls else first
        return content_end, first + 2
    closers = _VARIABLE_END if variable else _BLOCK_END
    depth = 0
    for token in _lex(text, pos, len(text)):
        if depth == 0:
            for closer in closers:
                if text.startswith(closer, token.offset):
                    return token.offset, token.offset + len(closer)
        if token.kind == "op":
            if token.value in _OPENING:
                depth += 1
            elif token.value in _CLOSING and depth:
                depth -= 1
    return None


class _Lines:
    """Offsets to 1-based (line, column); the line starts are found on first use."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts: Optional[list[int]] = None

    def position(self, offset: int) -> tuple[int, int]:
        if self.starts is None:
            self.starts = [0, *(m.end() for m in _LINE_BREAK.finditer(self.text))]
        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def end_column(self, start: int, end: int) -> int:
        """Exclusive end column of ``start``..``end``, cut at the end of the first line."""
        line_break = _LINE_BREAK.search(self.text, start, end)
        stop = end if line_break is None else line_break.start()
        return self.position(start)[1] + stop - start


class _Collector:
    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = _Lines(text)
        self.autoescape_off: list[tuple[int, int, int]] = []
        self.safe_uses: list[tuple[int, int, str]] = []
        # Dictionaries as ordered sets: names in order of first appearance.
        self.extends: dict[str, None] = {}
        self.includes: dict[str, None] = {}
        self.variables: dict[str, None] = {}
        self.raw_variables: dict[str, None] = {}
        self.escaping: list[bool] = []  # ``{% autoescape %}`` blocks open at this point

    def run(self) -> None:
        text = self.text
        pos = 0
        while True:
            opening = _OPEN.search(text, pos)
            if opening is None:
                return
            start = opening.start()
            delimiter = text[start + 1]
            if delimiter == "#":
                end = text.find("#}", start + 2)
                if end < 0:
                    return
                pos = end + 2
                continue
            if delimiter == "%":
                raw = _RAW_BEGIN.match(text, start)
                if raw is not None:
                    raw_end = _RAW_END.search(text, raw.end())
                    if raw_end is None:
                        return
                    pos = raw_end.end()
                    continue
            body = start + 2
            if text.startswith(("-", "+"), body):
                body += 1
            found = _tag_end(text, body, variable=delimiter == "{")
            if found is None:
                return
            content_end, pos = found
            if delimiter == "{":
                self.output(start, body, content_end)
            else:
                self.statement(start, pos, body, content_end)

    def output(self, start: int, body: int, content_end: int) -> None:
        # The substring test spares lexing the expression twice in the common case.
        safe = self.text.find("safe", body, content_end) >= 0
        raw = bool(self.escaping) and not self.escaping[-1]
        if safe and _applies_safe(_lex(self.text, body, content_end), chain=False):
            line, column = self.lines.position(start)
            self.safe_uses.append((line, column, self.text[body:content_end].strip()))
            raw = True
        root = _root_name(_lex(self.text, body, content_end))
        if root is not None:
            self.variables.setdefault(root)
            if raw:
                self.raw_variables.setdefault(root)

    def statement(self, start: int, end: int, body: int, content_end: int) -> None:
        tokens = _lex(self.text, body, content_end)
        tag = next(tokens, None)
        if tag is None or tag.kind != "name":
            return
        if tag.value == "autoescape":
            off = _is_false(tokens)
            self.escaping.append(not off)
            if off:
                line, column = self.lines.position(start)
                self.autoescape_off.append((line, column, self.lines.end_column(start, end)))
        elif tag.value == "endautoescape":
            if self.escaping:
                self.escaping.pop()
        elif tag.value == "filter" and _applies_safe(tokens, chain=True):
            line, column = self.lines.position(start)
            self.safe_uses.append((line, column, self.text[body:content_end].strip()))
        elif tag.value in _NAME_FOLLOWERS:
            names = _literal_names(tokens, _NAME_FOLLOWERS[tag.value], tag.value == "include")
            found = self.extends if tag.value == "extends" else self.includes
            for name in names:
                found.setdefault(name)


def _applies_safe(tokens: Iterator[_Token], *, chain: bool) -> bool:
    """Whether a ``safe`` filter is applied anywhere in the expression; ``chain``: the tokens
    start with a filter name (the argument of ``{% filter %}``)."""
    after_bar = chain
    pending = False  # just saw ``|safe``: a ``.`` next would make it a dotted filter name
    for token in tokens:
        if pending and token.value != ".":
            return True
        pending = after_bar and token.kind == "name" and token.value == "safe"
        after_bar = token.kind == "op" and token.value == "|"
    return pending


def _root_name(tokens: Iterator[_Token]) -> Optional[str]:
    """The first variable the expression reads: ``user`` in ``user.name|e``, ``x`` in
    ``not x``, ``name`` in ``"Hello " ~ name``; never a filter, test, attribute or keyword
    argument name (``"a"|format(x=1) is defined`` reads no variable)."""
    candidate: Optional[str] = None
    before = previous = ""  # values of the two tokens before the current one
    for token in tokens:
        if candidate is not None:
            if token.value != "=":
                return candidate
            candidate = None
        if (
            token.kind == "name"
            and token.value not in _KEYWORDS
            and previous not in (".", "|", "is")
            and (before, previous) != ("is", "not")
        ):
            candidate = token.value
        before, previous = previous, token.value
    return candidate


def _is_false(tokens: Iterator[_Token]) -> bool:
    value: Optional[_Token] = None
    for token in tokens:
        if token.kind == "op" and token.value in ("(", ")"):
            continue
        if value is not None:
            return False  # an expression, not a single value
        value = token
    if value is None:
        return False
    if value.kind == "string":
        return len(value.value) == 2
    return value.kind in ("name", "number") and value.value.lower() in _FALSE_VALUES


def _literal_names(tokens: Iterator[_Token], followers: frozenset[str], lists: bool) -> list[str]:
    """The template names of a tag whose argument is a string literal or, with ``lists``,
    a list or tuple of string literals; nothing when a name is computed."""
    first = next(tokens, None)
    if first is None:
        return []
    names: list[str] = []
    if first.kind == "string":
        names.append(first.value[1:-1])
    elif lists and first.kind == "op" and first.value in ("[", "("):
        closing = "]" if first.value == "[" else ")"
        expect_name = True
        for token in tokens:
            if expect_name and token.kind == "string":
                names.append(token.value[1:-1])
                expect_name = False
            elif not expect_name and token.value == ",":
                expect_name = True
            elif token.kind == "op" and token.value == closing:
                break
            else:
                return []
        else:
            return []
    else:
        return []
    after = next(tokens, None)
    if after is not None and not (after.kind == "name" and after.value in followers):
        return []
    return names
