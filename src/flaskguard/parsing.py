"""Source bytes -> text -> ``ast.Module``, or the one diagnostic that says why not.

Neither ``read_source`` nor ``parse_source`` raises, whatever the input: a file that cannot be
read, decoded or parsed becomes an FG9xx diagnostic and the scan goes on. When parsing fails,
the text at the error is examined to tell Python 2 code (FG908) and syntax that a newer Python
accepts (FG902) from a plain syntax error (FG901). That examination works on a masked copy of
the text in which string contents and comments are blanked out, so that a keyword inside a
string never counts as code.
"""

from __future__ import annotations

import ast
import codecs
import functools
import io
import keyword
import os
import re
import stat
import sys
import tokenize
import warnings
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Union

from flaskguard.findings import Diagnostic

MAX_FILE_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class SourceText:
    """A file's text exactly as written (newlines included), minus a UTF-8 byte order mark.

    Fix edits index into this text; to write it back, encode it with ``encoding`` and put the
    BOM back first when ``had_bom``.
    """

    text: str
    encoding: str  # a codec name; "utf-8", not "utf-8-sig", when the file had a BOM
    had_bom: bool


# -- reading -------------------------------------------------------------------------------

_SNIFF_BYTES = 8192
# Control characters that do occur in text: bell, backspace, tab, newlines, form feed, escape.
_TEXT_CONTROLS = b"\a\b\t\n\v\f\r\x1b"
_CONTROL_BYTES = bytes(b for b in range(32) if b not in _TEXT_CONTROLS) + b"\x7f"
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
# PEP 263; only the first two lines may declare the encoding.
_CODING_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


def read_source(
    path: Path, relpath: str, *, max_bytes: int = MAX_FILE_BYTES
) -> tuple[Optional[SourceText], Optional[Diagnostic]]:
    """Read and decode a Python source file as the interpreter would (PEP 263, BOM)."""
    data = _read_bytes(path, relpath, max_bytes)
    if isinstance(data, Diagnostic):
        return None, data
    problem = _binary_content(data, relpath)
    if problem is not None:
        return None, problem
    return _decode(data, relpath)


def _reason(exc: OSError) -> str:
    text = exc.strerror or str(exc) or type(exc).__name__
    return text[:1].lower() + text[1:]


def _size(count: int) -> str:
    if count < 1024:
        return f"{count} bytes"
    if count < 1024 * 1024:
        return f"{count / 1024:.1f} KiB ({count} bytes)"
    return f"{count / (1024 * 1024):.1f} MiB ({count} bytes)"


def _read_bytes(path: Path, relpath: str, max_bytes: int) -> Union[bytes, Diagnostic]:
    too_large = "file is {}, over the size limit of {}"
    try:
        # O_NONBLOCK: opening a FIFO that has no writer would otherwise hang the scan.
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        with os.fdopen(os.open(path, flags), "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                return Diagnostic("FG903", relpath, "not a regular file")
            if info.st_size > max_bytes:
                message = too_large.format(_size(info.st_size), _size(max_bytes))
                return Diagnostic("FG906", relpath, message)
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        return Diagnostic("FG903", relpath, f"cannot read file: {_reason(exc)}")
    if len(data) > max_bytes:  # the file grew after fstat
        message = too_large.format("more than " + _size(max_bytes), _size(max_bytes))
        return Diagnostic("FG906", relpath, message)
    return data


def _line_of(data: bytes, offset: int) -> int:
    head = data[:offset]
    return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1


def _binary_content(data: bytes, relpath: str) -> Optional[Diagnostic]:
    for bom, name in _WIDE_BOMS:
        if data.startswith(bom):
            message = (
                f"the file is {name} encoded (it starts with a {name} byte order mark); Python "
                "only reads source in ASCII-compatible encodings such as UTF-8"
            )
            return Diagnostic("FG904", relpath, message, line=1)
    # CPython refuses a NUL byte anywhere in source, so there is no point looking further.
    nul = data.find(b"\0")
    if nul >= 0:
        line = _line_of(data, nul)
        return Diagnostic("FG905", relpath, f"binary content: NUL byte at line {line}", line=line)
    sample = data[:_SNIFF_BYTES]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls * 10 > len(sample):
        message = (
            f"binary content: {controls} of the first {len(sample)} bytes are control characters"
        )
        return Diagnostic("FG905", relpath, message)
    return None


def _declared_encoding(data: bytes) -> Optional[tuple[str, int]]:
    for number, line in enumerate(data.splitlines()[:2], start=1):
        match = _CODING_COOKIE.match(line)
        if match:
            return match.group(1).decode("ascii"), number
    return None


def _decode(data: bytes, relpath: str) -> tuple[Optional[SourceText], Optional[Diagnostic]]:
    had_bom = data.startswith(codecs.BOM_UTF8)
    body = data[len(codecs.BOM_UTF8) :] if had_bom else data
    declared = _declared_encoding(body)
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        if declared is None:
            # detect_encoding also gives up when line 1 is not UTF-8 and declares nothing;
            # decoding as UTF-8 below then names the bad byte.
            encoding = "utf-8"
        else:
            name, line = declared
            try:
                codecs.lookup(name)
            except LookupError:
                message = f"unknown encoding {name!r} declared at line {line}"
            else:
                message = f"invalid encoding declaration {name!r} at line {line}: {exc.msg}"
                if had_bom:
                    message = (
                        f"the file starts with a UTF-8 byte order mark but declares {name!r} "
                        f"at line {line}"
                    )
            return None, Diagnostic("FG904", relpath, message, line=line)
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        return None, _undecodable(body, exc, codec, relpath, declared is not None)
    except (UnicodeError, LookupError) as exc:
        message = f"cannot decode the file as {codec!r}: {exc}"
        return None, Diagnostic("FG904", relpath, message)
    return SourceText(text, codec, had_bom), None


def _undecodable(
    body: bytes, exc: UnicodeDecodeError, codec: str, relpath: str, declared: bool
) -> Diagnostic:
    line = _line_of(body, exc.start)
    line_start = max(body.rfind(b"\n", 0, exc.start), body.rfind(b"\r", 0, exc.start)) + 1
    column = len(body[line_start : exc.start].decode(codec, errors="replace")) + 1
    where = f"at line {line}, column {column} (byte {body[exc.start]:#04x})"
    if declared:
        message = f"not valid {codec} (the declared encoding) {where}"
    else:
        message = (
            f"not valid UTF-8 (the default source encoding) {where}; if the file uses another "
            "encoding, declare it with a coding comment (PEP 263)"
        )
    return Diagnostic("FG904", relpath, message, line=line, column=column)


# -- parsing -------------------------------------------------------------------------------

# Python 3.9 and 3.10 convert the C syntax tree to ast objects recursively without a depth
# check and crash (segfault, not an exception) on a chain of about 150 000 operators or
# trailers; 3.11 raises RecursionError instead. Longer chains are refused before parsing.
_UNCHECKED_AST_DEPTH = sys.version_info < (3, 11)
_MAX_CHAIN = 50_000
_CHAIN_TOKEN = re.compile(r"[,;()\[\]{}\n]|\.(?!\d)|[-+*/%@&|^<>]")
_TOO_DEEP_MESSAGES = re.compile(r"too many (nested|levels|statically)|too complex", re.IGNORECASE)


def parse_source(text: str, relpath: str) -> tuple[Optional[ast.Module], Optional[Diagnostic]]:
    """Parse Python source; on failure, say why in one diagnostic."""
    nul = text.find("\0")
    if nul >= 0:
        line = _lines_before(text, nul) + 1
        return None, Diagnostic("FG905", relpath, f"binary content: NUL at line {line}", line=line)
    if _UNCHECKED_AST_DEPTH and len(text) > 2 * _MAX_CHAIN:
        chain = _longest_chain(_Masked.of(text).text)
        if chain > _MAX_CHAIN:
            version = f"{sys.version_info[0]}.{sys.version_info[1]}"
            message = (
                f"an expression chains {chain} operations; Python {version} can crash parsing "
                "that deep a tree, run flaskguard under Python 3.11+ to analyse it"
            )
            return None, Diagnostic("FG907", relpath, message)
    try:
        # Invalid escape sequences warn while parsing: noise for a scanner, and an error
        # under -W error.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text, filename=relpath, type_comments=False)
    except SyntaxError as exc:
        return None, _syntax_diagnostic(text, relpath, exc)
    except (RecursionError, MemoryError) as exc:
        detail = str(exc) or type(exc).__name__
        message = f"too deeply nested for the Python parser ({detail})"
        return None, Diagnostic("FG907", relpath, message)
    except UnicodeError as exc:  # lone surrogates cannot be handed to the parser
        return None, Diagnostic("FG904", relpath, f"text cannot be encoded as UTF-8: {exc}")
    except ValueError as exc:
        return None, Diagnostic("FG901", relpath, str(exc))
    return tree, None


def required_python_for(text: str, error: SyntaxError) -> Optional[tuple[int, int]]:
    """The Python version that accepts the syntax at ``error``, when it is newer syntax.

    Does not look at the running interpreter: callers compare with ``sys.version_info``.
    """
    newer = _newer_syntax(_Masked.of(text), error)
    return None if newer is None else newer[0]


def looks_like_python2(text: str, error: SyntaxError) -> bool:
    """Whether the statement at ``error`` is unmistakably Python 2."""
    return _python2_cue(_Masked.of(text), error) is not None


def _lines_before(text: str, offset: int) -> int:
    head = text[:offset]
    return head.count("\n") + head.count("\r") - head.count("\r\n")


def _longest_chain(masked: str) -> int:
    """How many operators and trailers follow each other in one part of an expression, which
    bounds the depth of the syntax tree they make; commas and statement ends start a new part,
    brackets a nested one.
    """
    longest = 0
    counts = [0]
    for match in _CHAIN_TOKEN.finditer(masked):
        token = match.group()
        if token in "([{":
            counts[-1] += 1
            longest = max(longest, counts[-1])
            counts.append(0)
        elif token in ")]}":
            if len(counts) > 1:
                counts.pop()
        elif token in ",;" or (token == "\n" and len(counts) == 1):
            counts[-1] = 0
        elif token != "\n":
            counts[-1] += 1
            longest = max(longest, counts[-1])
    return longest


def _syntax_diagnostic(text: str, relpath: str, error: SyntaxError) -> Diagnostic:
    line, column = error.lineno, error.offset
    message = error.msg or "invalid syntax"
    if _TOO_DEEP_MESSAGES.search(message):
        return Diagnostic("FG907", relpath, f"too deeply nested: {message}", line, column)
    masked = _Masked.of(text)
    cue = _python2_cue(masked, error)
    if cue is not None:
        message = f"Python 2 code ({cue}); flaskguard analyses Python 3 only"
        return Diagnostic("FG908", relpath, message, line, column)
    newer = _newer_syntax(masked, error)
    if newer is not None and newer[0] > sys.version_info[:2]:
        (major, minor), feature = newer
        needed = f"{major}.{minor}"
        running = f"{sys.version_info[0]}.{sys.version_info[1]}"
        message = (
            f"this file uses {feature}, which needs Python {needed} or newer; run flaskguard "
            f"under Python {needed}+ to analyse it (this is Python {running})"
        )
        return Diagnostic("FG902", relpath, message, line, column, requires_python=needed)
    return Diagnostic("FG901", relpath, message, line, column)


# -- the masked text -----------------------------------------------------------------------

_CODE_STOPS = re.compile(r"[#'\"\\]")
_FIELD_STOPS = re.compile(r"[#'\"\\\n()\[\]{}:]")
_NOT_NEWLINE = re.compile(r"[^\n]")
_PREFIX_LETTERS = frozenset("rRbBuUfFtT")
# "ur" is Python 2 only; Python 3 reads it as a name followed by a string.
_PREFIXES = frozenset({"r", "u", "b", "f", "t", "br", "rb", "fr", "rf", "tr", "rt", "ur"})
# Replacement fields nest one level per nested f-string; deeper than this is not real code.
_MAX_FIELD_NESTING = 32


@functools.cache
def _literal_stops(quote: str, triple: bool, interpolated: bool) -> re.Pattern[str]:
    chars = "\\\\" + quote + ("" if triple else "\\n") + ("{}" if interpolated else "")
    return re.compile(f"[{chars}]")


@functools.cache
def _spec_stops(quote: str, triple: bool) -> re.Pattern[str]:
    chars = "\\\\{}" + quote + ("" if triple else "\\n")
    return re.compile(f"[{chars}]")


@dataclass
class _Masked:
    """The text with string contents and comments blanked (newlines kept, so lines and
    columns still match), and what its string literals revealed, by 1-based line."""

    text: str
    pep701: list[tuple[int, int]] = field(default_factory=list)  # spans of 3.12-only f-strings
    tstrings: list[int] = field(default_factory=list)
    ur_prefixes: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, text: str) -> _Masked:
        # One newline character, so that offsets map to the lines the parser counts.
        return _Lexer(text.replace("\r\n", "\n").replace("\r", "\n")).run()

    @functools.cached_property
    def lines(self) -> list[str]:
        return self.text.split("\n")


class _Lexer:
    """Finds string literals and comments with Python 3.12's rules for f-strings (PEP 701),
    noting the f-strings that older Pythons cannot read."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.newlines = [match.start() for match in re.finditer("\n", text)]

    def line(self, offset: int) -> int:
        return bisect_right(self.newlines, offset - 1) + 1

    def run(self) -> _Masked:
        text = self.text
        pieces: list[str] = []
        result = _Masked("")
        position = 0
        while True:
            match = _CODE_STOPS.search(text, position)
            if match is None:
                pieces.append(text[position:])
                break
            at = match.start()
            pieces.append(text[position:at])
            char = match.group()
            if char == "#":
                end = text.find("\n", at)
                end = len(text) if end < 0 else end
                pieces.append(_NOT_NEWLINE.sub(" ", text[at:end]))
                position = end
            elif char == "\\":
                pieces.append(text[at : at + 2])
                position = at + 2
            else:
                prefix = self.prefix_before(at)
                end, well_formed, needs_312 = self.string(at, prefix, 0)
                pieces.append(self.masked_literal(at, end, well_formed))
                if well_formed and needs_312:
                    result.pep701.append((self.line(at), self.line(end - 1)))
                if well_formed and "t" in prefix:
                    result.tstrings.append(self.line(at))
                if prefix == "ur":
                    result.ur_prefixes.append(self.line(at))
                position = end
        result.text = "".join(pieces)
        return result

    def masked_literal(self, start: int, end: int, well_formed: bool) -> str:
        text = self.text
        quote = text[start] * 3 if text.startswith(text[start] * 3, start) else text[start]
        inner_end = end - len(quote) if well_formed else end
        inner_end = max(inner_end, start + len(quote))
        return (
            quote
            + _NOT_NEWLINE.sub(" ", text[start + len(quote) : inner_end])
            + text[inner_end:end]
        )

    def prefix_before(self, at: int) -> str:
        text = self.text
        start = at
        while start > 0 and at - start < 2 and text[start - 1] in _PREFIX_LETTERS:
            start -= 1
        if start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
            return ""
        prefix = text[start:at].lower()
        return prefix if prefix in _PREFIXES else ""

    def string(self, start: int, prefix: str, depth: int) -> tuple[int, bool, bool]:
        """Scan the literal whose opening quote is at ``start``.

        Returns where it ends, whether it is well formed (closed, and so are its replacement
        fields) and whether it is an f-string only Python 3.12+ reads.
        """
        text = self.text
        char = text[start]
        triple = text.startswith(char * 3, start)
        quote = char * 3 if triple else char
        interpolated = "f" in prefix or "t" in prefix
        raw = "r" in prefix
        stops = _literal_stops(char, triple, interpolated)
        position = start + len(quote)
        needs_312 = False
        while True:
            match = stops.search(text, position)
            if match is None:
                return len(text), False, needs_312
            at = match.start()
            found = match.group()
            if found == "\\":
                following = text[at + 1 : at + 2]
                if interpolated and following in ("{", "}"):
                    position = at + 1  # a backslash does not escape a brace
                elif interpolated and not raw and text.startswith("N{", at + 1):
                    close = text.find("}", at)
                    position = len(text) if close < 0 else close + 1
                else:
                    position = at + 2
            elif found == "\n":
                return at, False, needs_312
            elif found == char:
                if text.startswith(quote, at):
                    return at + len(quote), True, needs_312
                position = at + 1
            elif found == "{":
                if text.startswith("{{", at):
                    position = at + 2
                    continue
                position, well_formed, inner = self.field(at + 1, quote, depth)
                needs_312 = needs_312 or inner
                if not well_formed:
                    return position, False, needs_312
            else:  # "}": "}}", or a stray brace the parser rejects
                position = at + 2 if text.startswith("}}", at) else at + 1

    def field(self, start: int, quote: str, depth: int) -> tuple[int, bool, bool]:
        """Scan a replacement field from after its ``{`` to after its ``}``."""
        text = self.text
        if depth >= _MAX_FIELD_NESTING:
            return len(text), False, False
        needs_312 = False
        brackets = 0
        position = start
        while True:
            match = _FIELD_STOPS.search(text, position)
            if match is None:
                return len(text), False, needs_312
            at = match.start()
            found = match.group()
            position = at + 1
            if found in "'\"":
                # Before 3.12 the enclosing string ended at its own quote, and a field could
                # hold no backslash at all.
                if found == quote[0] and text.startswith(quote, at):
                    needs_312 = True
                end, well_formed, inner = self.string(at, self.prefix_before(at), depth + 1)
                if not well_formed:
                    return end, False, needs_312
                needs_312 = needs_312 or inner or "\\" in text[at:end]
                position = end
            elif found == "\\":
                needs_312 = True
                position = at + 2
            elif found == "#":  # a comment, allowed in multi-line fields from 3.12 on
                needs_312 = True
                end = text.find("\n", at)
                position = len(text) if end < 0 else end
            elif found == "\n":
                needs_312 = needs_312 or len(quote) == 1
            elif found in "([{":
                brackets += 1
            elif found in ")]":
                brackets = max(brackets - 1, 0)
            elif found == "}":
                if brackets == 0:
                    return position, True, needs_312
                brackets -= 1
            elif brackets == 0:  # ":" starts the format spec
                end, well_formed, inner = self.format_spec(position, quote, depth)
                return end, well_formed, needs_312 or inner

    def format_spec(self, start: int, quote: str, depth: int) -> tuple[int, bool, bool]:
        text = self.text
        stops = _spec_stops(quote[0], len(quote) == 3)
        needs_312 = False
        position = start
        while True:
            match = stops.search(text, position)
            if match is None:
                return len(text), False, needs_312
            at = match.start()
            found = match.group()
            if found == "{":
                position, well_formed, inner = self.field(at + 1, quote, depth + 1)
                needs_312 = needs_312 or inner
                if not well_formed:
                    return position, False, needs_312
            elif found == "}":
                return at + 1, True, needs_312
            elif found == "\\":
                position = at + 2
            elif found == "\n" or text.startswith(quote, at):
                return at, False, needs_312
            else:
                position = at + 1


# -- reading the statement at the error ----------------------------------------------------

_MAX_STATEMENT_LINES = 50
_IDENTIFIER = r"[^\W\d]\w*"
_OPENERS = "([{"
_CLOSERS = ")]}"


@dataclass(frozen=True)
class _Statement:
    """The masked logical line at a syntax error."""

    masked: _Masked
    index: int  # 0-based index of its first line
    text: str  # its lines joined with "\n"

    @classmethod
    def at(cls, masked: _Masked, error: SyntaxError) -> Optional[_Statement]:
        lines = masked.lines
        if not error.lineno or error.lineno < 1:
            return None
        index = min(error.lineno, len(lines)) - 1
        parts: list[str] = []
        depth = 0
        for line in lines[index : index + _MAX_STATEMENT_LINES]:
            parts.append(line)
            depth += sum(map(line.count, _OPENERS)) - sum(map(line.count, _CLOSERS))
            if depth <= 0 and not line.rstrip().endswith("\\"):
                break
        return cls(masked, index, "\n".join(parts))

    @property
    def first_line(self) -> str:
        return self.masked.lines[self.index]

    @property
    def line_numbers(self) -> range:
        return range(self.index + 1, self.index + 2 + self.text.count("\n"))

    def block_after(self, limit: int = 200) -> str:
        """The first ``limit`` non-blank lines indented under the statement (its body)."""
        indent = _indent(self.first_line)
        body: list[str] = []
        for line in self.masked.lines[self.index + 1 + self.text.count("\n") :]:
            if len(body) == limit:
                break
            if line.strip():
                if _indent(line) <= indent:
                    break
                body.append(line)
        return "\n".join(body)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _split_top_level(text: str, separator: str) -> list[str]:
    """Split at ``separator`` where no bracket is open."""
    parts = []
    depth = 0
    start = 0
    for position, char in enumerate(text):
        if char in _OPENERS:
            depth += 1
        elif char in _CLOSERS:
            depth = max(depth - 1, 0)
        elif char == separator and depth == 0:
            parts.append(text[start:position])
            start = position + 1
    parts.append(text[start:])
    return parts


def _bracket_content(text: str, open_at: int) -> Optional[str]:
    """The text inside the bracket opened at ``open_at``, if it closes."""
    depth = 0
    for position in range(open_at, len(text)):
        char = text[position]
        if char in _OPENERS:
            depth += 1
        elif char in _CLOSERS:
            depth -= 1
            if depth == 0:
                return text[open_at + 1 : position]
    return None


# -- newer syntax --------------------------------------------------------------------------

_MATCH_LINE = re.compile(r"[ \t]*match\b[ \t]*[^\s=.,:;)\]}].*:[ \t]*$")
_CASE_LINE = re.compile(r"[ \t]*case\b[ \t]*[^\s=.,:;)\]}]")
_EXCEPT_STAR = re.compile(r"[ \t]*except[ \t]*\*")
_TYPE_ALIAS = re.compile(rf"[ \t]*type[ \t]+{_IDENTIFIER}[ \t]*(?=[\[=])")
_GENERIC_DEF = re.compile(rf"[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+{_IDENTIFIER}[ \t]*(?=\[)")
_SUBSCRIPT_OPEN = re.compile(rf"({_IDENTIFIER}|[)\]])[ \t]*\[")
_STARRED_ANNOTATION = re.compile(rf"\*[ \t]*{_IDENTIFIER}[ \t]*:[ \t]*\*[ \t]*[^\W\d]")
_EXCEPT_CLAUSE = re.compile(r"[ \t]*except\b(?![ \t]*\*)")


def _newer_syntax(masked: _Masked, error: SyntaxError) -> Optional[tuple[tuple[int, int], str]]:
    """The newest-Python construct in the statement at ``error``, with a short description.

    Parenthesised context managers (3.10) are not looked for: the 3.9 parser accepts them
    already, so they never cause a syntax error under a Python flaskguard runs on.
    """
    statement = _Statement.at(masked, error)
    if statement is None:
        return None
    found: list[tuple[tuple[int, int], str]] = []
    lines = statement.line_numbers
    if any(line in lines for line in masked.tstrings):
        found.append(((3, 14), "a t-string (PEP 750)"))
    # Before 3.12 an f-string's field is parsed apart and its errors may point elsewhere.
    if any(first <= line <= last for first, last in masked.pep701 for line in lines) or (
        error.msg and error.msg.startswith("f-string") and masked.pep701
    ):
        found.append(((3, 12), "an f-string with nested quotes, backslashes or comments (PEP 701)"))
    first = statement.first_line
    text = statement.text
    if _EXCEPT_STAR.match(first):
        found.append(((3, 11), "an except* clause"))
    header = _TYPE_ALIAS.match(text) or _GENERIC_DEF.match(text)
    if header:
        params = _bracket_content(text, header.end()) if text[header.end()] == "[" else ""
        if params is not None:
            if header.re is _TYPE_ALIAS:
                found.append(((3, 12), "a type alias statement"))
            else:
                found.append(((3, 12), "type parameters (PEP 695)"))
            if any(len(_split_top_level(p, "=")) > 1 for p in _split_top_level(params, ",")):
                found.append(((3, 13), "a type parameter default (PEP 696)"))
    if _MATCH_LINE.match(first) and _CASE_LINE.match(statement.block_after(limit=1)):
        found.append(((3, 10), "a match statement"))
    if _starred_subscript(text):
        found.append(((3, 11), "a starred expression in a subscript or annotation (PEP 646)"))
    if _EXCEPT_CLAUSE.match(first):
        types = _except_types(text)
        if types is not None and len(types) > 1 and _python2_except_name(statement, types) is None:
            found.append(
                ((3, 14), "an except clause listing exception types without parentheses (PEP 758)")
            )
    return max(found, default=None)


def _starred_subscript(text: str) -> bool:
    if _STARRED_ANNOTATION.search(text):
        return True
    for match in _SUBSCRIPT_OPEN.finditer(text):
        if keyword.iskeyword(match.group(1)):
            continue  # "in [*a, *b]" is a list display
        content = _bracket_content(text, match.end() - 1)
        if content is None:
            continue
        for element in _split_top_level(content, ","):
            stripped = element.lstrip()
            if stripped.startswith("*") and not stripped.startswith("**"):
                return True
    return False


def _except_types(text: str) -> Optional[list[str]]:
    """The comma-separated parts between ``except`` and the clause's colon."""
    header = _split_top_level(_EXCEPT_CLAUSE.sub("", text, count=1), ":")
    if len(header) < 2:
        return None
    if re.search(r"\bas\b", header[0]):
        return None
    return [part.strip() for part in _split_top_level(header[0], ",")]


# -- Python 2 ------------------------------------------------------------------------------

_STATEMENT_START = r"(?:^|[;:])[ \t]*"
_NOT_AN_OPERATOR = r"(?!(?:and|or|if|else|in|is|for)\b)"
_PRINT_STATEMENT = re.compile(rf"{_STATEMENT_START}print[ \t]+{_NOT_AN_OPERATOR}[\"'\w]", re.M)
_EXEC_STATEMENT = re.compile(rf"{_STATEMENT_START}exec[ \t]+{_NOT_AN_OPERATOR}[\"'\w]", re.M)
_OLD_OCTAL = re.compile(r"(?<![\w.])0+[1-7][0-7]*[lL]?(?![\w.])")
_LONG_SUFFIX = re.compile(r"(?<![\w.])(?:0[xX][0-9a-fA-F]+|\d+)[lL](?![\w.])")
_RAISE = re.compile(r"[ \t]*raise[ \t]+(.*)", re.S)
_PYTHON2_MESSAGES = {
    "Missing parentheses in call to 'print'": "print statement",
    "Missing parentheses in call to 'exec'": "exec statement",
}


def _python2_cue(masked: _Masked, error: SyntaxError) -> Optional[str]:
    """What makes the statement at ``error`` Python 2 code, if anything does."""
    statement = _Statement.at(masked, error)
    if statement is None:
        return None
    line = statement.index + 1
    for start, cue in _PYTHON2_MESSAGES.items():
        if error.msg and error.msg.startswith(start):
            return f"{cue} at line {line}"
    text = statement.text
    checks = (
        (_PRINT_STATEMENT.search(text), "print statement"),
        (_EXEC_STATEMENT.search(text), "exec statement"),
        ("`" in text, "backtick repr"),
        ("<>" in text, "<> operator"),
        (_OLD_OCTAL.search(text), "octal literal without 0o"),
        (_LONG_SUFFIX.search(text), "long integer suffix"),
        (any(number in statement.line_numbers for number in masked.ur_prefixes), "ur'' string"),
    )
    for matched, cue in checks:
        if matched:
            return f"{cue} at line {line}"
    raised = _RAISE.match(text)
    if raised and len(_split_top_level(raised.group(1), ",")) > 1:
        return f"raise E, value at line {line}"
    if _EXCEPT_CLAUSE.match(statement.first_line):
        types = _except_types(text)
        name = None if types is None else _python2_except_name(statement, types)
        if name is not None:
            return f"except E, {name}: at line {line}"
    return None


def _python2_except_name(statement: _Statement, types: list[str]) -> Optional[str]:
    """The variable of a Python 2 ``except E, name:``, told from Python 3.14's unparenthesised
    ``except A, B:`` by its lower-case name being used in the handler."""
    if len(types) != 2 or not re.fullmatch(r"[a-z_][a-z0-9_]*", types[1]):
        return None
    name = types[1]
    inline = _split_top_level(statement.text, ":")[1:]
    handler = ":".join(inline) + "\n" + statement.block_after()
    return name if re.search(rf"\b{name}\b", handler) else None
