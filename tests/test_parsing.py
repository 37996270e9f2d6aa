from __future__ import annotations

import ast
import codecs
import json
import marshal
import os
import random
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Optional

import pytest

from flaskguard import parsing
from flaskguard.findings import DIAGNOSTIC_CODES, Diagnostic
from flaskguard.parsing import (
    SourceText,
    looks_like_python2,
    parse_source,
    read_source,
    required_python_for,
)

SRC = Path(__file__).resolve().parents[1] / "src"
PYTHON39 = Path("/root/.pyenv/versions/3.9.18/bin/python3")
RUNNING = sys.version_info[:2]


def read_bytes(
    tmp_path: Path, data: bytes, **kwargs: int
) -> tuple[Optional[SourceText], Optional[Diagnostic]]:
    path = tmp_path / "mod.py"
    path.write_bytes(data)
    return read_source(path, "mod.py", **kwargs)


def diagnostic_of(result: tuple[object, Optional[Diagnostic]]) -> Diagnostic:
    value, diagnostic = result
    assert value is None
    assert diagnostic is not None
    assert diagnostic.code in DIAGNOSTIC_CODES
    assert diagnostic.path == "mod.py"
    return diagnostic


def parse_error(text: str) -> Diagnostic:
    tree, diagnostic = parse_source(text, "mod.py")
    assert tree is None
    assert diagnostic is not None
    assert diagnostic.code in DIAGNOSTIC_CODES
    return diagnostic


# -- read_source ---------------------------------------------------------------------------


def test_text_is_kept_exactly_including_newlines(tmp_path: Path) -> None:
    data = b"a = 1\r\nb = 2\rc = 3\n\n"
    source, diagnostic = read_bytes(tmp_path, data)
    assert diagnostic is None
    assert source == SourceText("a = 1\r\nb = 2\rc = 3\n\n", "utf-8", had_bom=False)


def test_empty_file_is_empty_text(tmp_path: Path) -> None:
    assert read_bytes(tmp_path, b"") == (SourceText("", "utf-8", had_bom=False), None)


def test_utf8_bom_is_stripped_and_remembered(tmp_path: Path) -> None:
    source, diagnostic = read_bytes(tmp_path, codecs.BOM_UTF8 + "x = 'é'\n".encode())
    assert diagnostic is None
    assert source == SourceText("x = 'é'\n", "utf-8", had_bom=True)


@pytest.mark.parametrize(
    "header",
    [b"# -*- coding: latin-1 -*-\n", b"#!/usr/bin/env python\n# vim: set fileencoding=latin-1 :\n"],
)
def test_latin1_with_coding_cookie_decodes(tmp_path: Path, header: bytes) -> None:
    source, diagnostic = read_bytes(tmp_path, header + "name = 'café'\n".encode("latin-1"))
    assert diagnostic is None
    assert source is not None
    assert source.text.endswith("name = 'café'\n")
    assert codecs.lookup(source.encoding).name == "iso8859-1"
    assert source.text.encode(source.encoding) == header + "name = 'café'\n".encode("latin-1")


def test_latin1_without_cookie_names_the_bad_byte(tmp_path: Path) -> None:
    diagnostic = diagnostic_of(read_bytes(tmp_path, "x = 1\nname = 'café'\n".encode("latin-1")))
    assert diagnostic.code == "FG904"
    assert (diagnostic.line, diagnostic.column) == (2, 12)
    assert "not valid UTF-8" in diagnostic.message
    assert "0xe9" in diagnostic.message
    assert "PEP 263" in diagnostic.message


def test_bad_byte_on_first_line_without_cookie(tmp_path: Path) -> None:
    # tokenize.detect_encoding itself gives up on this one.
    diagnostic = diagnostic_of(read_bytes(tmp_path, "s = 'é'\n".encode("latin-1")))
    assert diagnostic.code == "FG904"
    assert diagnostic.line == 1


def test_bad_bytes_in_declared_encoding(tmp_path: Path) -> None:
    diagnostic = diagnostic_of(read_bytes(tmp_path, b"# coding: utf-8\n\nx = '\xff'\n"))
    assert diagnostic.code == "FG904"
    assert diagnostic.line == 3
    assert "declared encoding" in diagnostic.message


def test_unknown_codec(tmp_path: Path) -> None:
    diagnostic = diagnostic_of(read_bytes(tmp_path, b"# coding: klingon\nx = 1\n"))
    assert diagnostic.code == "FG904"
    assert diagnostic.line == 1
    assert "unknown encoding 'klingon'" in diagnostic.message


def test_codec_that_is_not_a_text_encoding(tmp_path: Path) -> None:
    diagnostic = diagnostic_of(read_bytes(tmp_path, b"# coding: hex\nx = 1\n"))
    assert diagnostic.code == "FG904"


def test_bom_conflicting_with_cookie(tmp_path: Path) -> None:
    data = codecs.BOM_UTF8 + b"# coding: latin-1\nx = 1\n"
    diagnostic = diagnostic_of(read_bytes(tmp_path, data))
    assert diagnostic.code == "FG904"
    assert "byte order mark" in diagnostic.message


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_bom_are_undecodable(tmp_path: Path, codec: str) -> None:
    data = "x = 1\n".encode(codec)
    if codec == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    diagnostic = diagnostic_of(read_bytes(tmp_path, data))
    assert diagnostic.code == "FG904"
    assert "byte order mark" in diagnostic.message


def test_nul_bytes_are_binary(tmp_path: Path) -> None:
    diagnostic = diagnostic_of(read_bytes(tmp_path, b"x = 1\ny = 2\x00\x01\n"))
    assert diagnostic.code == "FG905"
    assert diagnostic.line == 2


def test_control_characters_are_binary(tmp_path: Path) -> None:
    diagnostic = diagnostic_of(read_bytes(tmp_path, bytes(range(1, 32)) * 50))
    assert diagnostic.code == "FG905"


def test_pyc_renamed_to_py_is_binary(tmp_path: Path) -> None:
    code = compile("x = 1", "x", "exec")
    diagnostic = diagnostic_of(
        read_bytes(tmp_path, b"\x61\x0d\x0d\x0a" + bytes(12) + marshal.dumps(code))
    )
    assert diagnostic.code == "FG905"


def test_file_over_the_limit(tmp_path: Path) -> None:
    diagnostic = diagnostic_of(read_bytes(tmp_path, b"x = 1\n" * 1000, max_bytes=2048))
    assert diagnostic.code == "FG906"
    assert "5.9 KiB (6000 bytes)" in diagnostic.message
    assert "2.0 KiB (2048 bytes)" in diagnostic.message


def test_file_at_the_limit_is_read(tmp_path: Path) -> None:
    source, diagnostic = read_bytes(tmp_path, b"x = 1\n", max_bytes=6)
    assert diagnostic is None
    assert source is not None


def test_missing_file(tmp_path: Path) -> None:
    source, diagnostic = read_source(tmp_path / "gone.py", "gone.py")
    assert source is None
    assert diagnostic is not None
    assert diagnostic.code == "FG903"
    assert diagnostic.message == "cannot read file: no such file or directory"


def test_directory_is_not_readable_source(tmp_path: Path) -> None:
    (tmp_path / "pkg.py").mkdir()
    source, diagnostic = read_source(tmp_path / "pkg.py", "pkg.py")
    assert source is None
    assert diagnostic is not None
    assert diagnostic.code == "FG903"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.py")
    source, diagnostic = read_source(tmp_path / "pipe.py", "pipe.py")
    assert source is None
    assert diagnostic == Diagnostic("FG903", "pipe.py", "not a regular file")


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="root reads files whatever their mode",
)
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "mod.py"
    path.write_text("x = 1\n")
    path.chmod(0)
    try:
        diagnostic = diagnostic_of(read_source(path, "mod.py"))
    finally:
        path.chmod(0o644)
    assert diagnostic.code == "FG903"
    assert diagnostic.message == "cannot read file: permission denied"


def test_permission_error_is_a_diagnostic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Works as root too, where chmod cannot make a file unreadable.
    def refuse(*args: object) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "open", refuse)
    diagnostic = diagnostic_of(read_source(tmp_path / "mod.py", "mod.py"))
    assert diagnostic.code == "FG903"
    assert diagnostic.message == "cannot read file: permission denied"


def test_no_bytes_make_read_source_raise(tmp_path: Path) -> None:
    generator = random.Random(1234)
    seeds = [
        b"# coding: latin-1\nx = 1\n",
        b"# coding: utf-8\n",
        codecs.BOM_UTF8 + b"x = 1\n",
        b"\xff\xfe\x00",
        b"\r\r\n\n",
        b"# coding: idna\n\xe9",
    ]
    path = tmp_path / "mod.py"
    for index in range(400):
        if index % 2:
            data = bytearray(generator.randrange(256) for _ in range(generator.randrange(40)))
        else:
            data = bytearray(generator.choice(seeds))
            for _ in range(generator.randrange(4)):
                data.insert(generator.randrange(len(data) + 1), generator.randrange(256))
        path.write_bytes(data)
        source, diagnostic = read_source(path, "mod.py")
        assert (source is None) != (diagnostic is None)


# -- parse_source --------------------------------------------------------------------------


def test_valid_source_parses() -> None:
    tree, diagnostic = parse_source("import flask\napp = flask.Flask(__name__)\n", "app.py")
    assert diagnostic is None
    assert isinstance(tree, ast.Module)


def test_plain_syntax_error_has_position_and_message() -> None:
    diagnostic = parse_error("x = 1\ndef f(:\n    pass\n")
    assert diagnostic.code == "FG901"
    assert diagnostic.line == 2
    assert diagnostic.column is not None
    assert diagnostic.message
    assert diagnostic.requires_python is None


def test_indentation_error_is_a_syntax_error() -> None:
    assert parse_error("if x:\npass\n").code == "FG901"


PYTHON2 = {
    "print statement": "import sys\nprint 'hello'\n",
    "print of names": "print x, y\n",
    "print in a one-line block": "if x: print x\n",
    "exec statement": "exec 'x = 1' in namespace\n",
    "backticks": "x = `y`\n",
    "<> operator": "if a <> b:\n    pass\n",
    "except with name": "try:\n    pass\nexcept ValueError, e:\n    log(e)\n",
    "except tuple with name": "try:\n    pass\nexcept (KeyError, ValueError), err:\n    print(err)\n",
    "except inline handler": "try:\n    pass\nexcept ValueError, e: log(e)\n",
    "old octal": "os.chmod(path, 0755)\n",
    "long suffix": "big = 10L\n",
    "ur prefix": "pattern = ur'\\d+'\n",
    "raise with message": "raise ValueError, 'bad value'\n",
    "raise with traceback": "raise E, (1, 2), tb\n",
    "carriage returns": "x = 1\rprint 'a'\r",
}


@pytest.mark.parametrize("source", PYTHON2.values(), ids=PYTHON2.keys())
def test_python2_code(source: str) -> None:
    diagnostic = parse_error(source)
    assert diagnostic.code == "FG908"
    assert "Python 2" in diagnostic.message


NOT_PYTHON2 = {
    "print in a string": "x = 'print \"hi\" `x` 0777 <> 10L'\ny = = 1\n",
    "print in a comment": "# print 'x'\ny = = 1\n",
    "print as expression": "print (x) +\n",
    "zero floats": "x = 0777.5 + 00\ny = = 1\n",
    "call with commas": "raise f(a, b) +\n",
}


@pytest.mark.parametrize("source", NOT_PYTHON2.values(), ids=NOT_PYTHON2.keys())
def test_python3_errors_are_not_python2(source: str) -> None:
    assert parse_error(source).code == "FG901"


# source, line of the construct, version that reads it
NEWER: dict[str, tuple[str, int, tuple[int, int]]] = {
    "match": ("match command:\n    case 'go':\n        pass\n", 1, (3, 10)),
    "match in function": (
        "def f(x):\n    match (x):\n\n        # c\n        case [a]:\n            pass\n",
        2,
        (3, 10),
    ),
    "except star": ("try:\n    pass\nexcept* ValueError:\n    pass\n", 3, (3, 11)),
    "starred subscript": ("x: tuple[int, *Ts]\n", 1, (3, 11)),
    "starred annotation": ("def f(*args: *Ts): pass\n", 1, (3, 11)),
    "type alias": ("type Vector = list[float]\n", 1, (3, 12)),
    "generic type alias": ("type Pair[T] = tuple[T, T]\n", 1, (3, 12)),
    "generic function": ("def first[T](items: list[T]) -> T:\n    return items[0]\n", 1, (3, 12)),
    "generic class": ("class Box[T]:\n    pass\n", 1, (3, 12)),
    "f-string nested quotes": ('x = f"{d["key"]}"\n', 1, (3, 12)),
    "f-string backslash": ("x = f\"{'\\n'.join(lines)}\"\n", 1, (3, 12)),
    "f-string comment": ("x = f'''{a # why\n}'''\n", 2, (3, 12)),
    "f-string multi-line field": ('x = f"{\n    a\n}"\n', 1, (3, 12)),
    "f-string deeply nested": ('x = f"{f"{f"{x}"}"}"\n', 1, (3, 12)),
    "type parameter default": ("def f[T = int](x: T) -> T:\n    return x\n", 1, (3, 13)),
    "class parameter default": ("class C[T=int]:\n    pass\n", 1, (3, 13)),
    "t-string": ('greeting = t"hello {name}"\n', 1, (3, 14)),
    "except without parentheses": (
        "try:\n    pass\nexcept ValueError, TypeError:\n    pass\n",
        3,
        (3, 14),
    ),
    "except with unused lower-case name": (
        "try:\n    pass\nexcept ValueError, error:\n    pass\n",
        3,
        (3, 14),
    ),
}


@pytest.mark.parametrize(("source", "line", "version"), NEWER.values(), ids=NEWER.keys())
def test_newer_syntax(source: str, line: int, version: tuple[int, int]) -> None:
    tree, diagnostic = parse_source(source, "mod.py")
    if version <= RUNNING:
        assert diagnostic is None
        assert isinstance(tree, ast.Module)
        return
    label = f"{version[0]}.{version[1]}"
    assert diagnostic is not None
    assert diagnostic.code == "FG902"
    assert diagnostic.requires_python == label
    expected = f"needs Python {label} or newer; run flaskguard under Python {label}+ to analyse it"
    assert expected in diagnostic.message
    assert diagnostic.line == line


def syntax_error_at(line: int) -> SyntaxError:
    return SyntaxError("invalid syntax", ("mod.py", line, 1, None))


@pytest.mark.parametrize(("source", "line", "version"), NEWER.values(), ids=NEWER.keys())
def test_required_python_whatever_the_running_version(
    source: str, line: int, version: tuple[int, int]
) -> None:
    assert required_python_for(source, syntax_error_at(line)) == version


@pytest.mark.parametrize(
    "source",
    [
        "match = re.match(pattern, text)\n",
        "type(x)\n",
        "type = 3\n",
        "def f(x):\n    return x\n",
        "x = [*a, *b]\n",
        "y = x in [*a, *b]\n",
        "y = f'{a}' + 'b'\n",
        "except ValueError as e:\n",
        "match x:\n    pass\n",
    ],
)
def test_ordinary_python3_is_not_newer_syntax(source: str) -> None:
    assert required_python_for(source, syntax_error_at(1)) is None


def test_broken_f_string_is_not_newer_syntax() -> None:
    assert parse_error('x = f"{a"\n').code == "FG901"


def test_unparsable_at_other_line_is_a_plain_error() -> None:
    source = 'x = f"{a}"\ntype(x)\ny = = 2\n'
    assert parse_error(source).code == "FG901"


def test_looks_like_python2_only_at_the_error() -> None:
    source = "print 'x'\ny = 1\n"
    assert looks_like_python2(source, syntax_error_at(1))
    assert not looks_like_python2(source, syntax_error_at(2))


def test_nesting_too_deep_for_the_parser() -> None:
    diagnostic = parse_error("x = " + "(" * 300 + ")" * 300 + "\n")
    assert diagnostic.code == "FG907"


def test_indentation_too_deep() -> None:
    source = "".join("    " * depth + "if x:\n" for depth in range(110)) + "    " * 110 + "pass\n"
    assert parse_error(source).code == "FG907"


def test_chain_too_long_for_the_parser() -> None:
    # RecursionError on 3.11+, refused before parsing on 3.9/3.10 (which would crash).
    assert parse_error("x = a" + " + a" * 200_000 + "\n").code == "FG907"


def test_chain_guard_lets_wide_data_through(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsing, "_UNCHECKED_AST_DEPTH", True)
    data = "DATA = [" + ", ".join(f"P({i}, -{i}.5, 'a-b.c')" for i in range(20_000)) + "]\n"
    tree, diagnostic = parse_source(data, "data.py")
    assert diagnostic is None
    assert tree is not None
    long_chain = "x = a" + ".b" * 60_000 + "\n"
    assert parse_error(long_chain).code == "FG907"


def test_nul_in_text_is_binary() -> None:
    diagnostic = parse_error("x = 1\n\x00\n")
    assert diagnostic.code == "FG905"
    assert diagnostic.line == 2


def test_lone_surrogate_is_undecodable() -> None:
    assert parse_error("x = '\udcff'\n").code == "FG904"


def test_parse_warnings_are_silenced() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tree, diagnostic = parse_source("pattern = '\\d+'\n", "mod.py")
    assert diagnostic is None
    assert tree is not None


def test_no_text_makes_the_parser_helpers_raise() -> None:
    generator = random.Random(4321)
    alphabet = [
        *"abcdefxyz_ \t\n\r:()[]{}'\"\\#=,.*!@fFtTrRuUbB0123456789<>`;",
        *("match ", "case ", "type ", "except", "print ", '"""', "'''", 'f"{', "t'{"),
    ]
    sources = [*PYTHON2.values(), *(source for source, _, _ in NEWER.values())]
    for _ in range(1500):
        if generator.random() < 0.5:
            text = "".join(generator.choice(alphabet) for _ in range(generator.randrange(60)))
        else:
            chars = list(generator.choice(sources))
            for _ in range(generator.randrange(1, 5)):
                chars.insert(generator.randrange(len(chars) + 1), generator.choice(alphabet))
            text = "".join(chars)
        tree, diagnostic = parse_source(text, "mod.py")
        assert (tree is None) != (diagnostic is None)
        error = SyntaxError("invalid syntax", ("mod.py", generator.randrange(-1, 8), 1, None))
        required_python_for(text, error)
        looks_like_python2(text, error)


@pytest.mark.skipif(not os.access(PYTHON39, os.X_OK), reason="needs the pyenv Python 3.9")
def test_under_python39_newer_syntax_asks_for_a_newer_python() -> None:
    script = (
        "import json, sys\n"
        "from flaskguard.parsing import parse_source\n"
        "sources = json.loads(sys.stdin.read())\n"
        "out = []\n"
        "for source in sources:\n"
        "    tree, d = parse_source(source, 'mod.py')\n"
        "    out.append(None if d is None else [d.code, d.requires_python])\n"
        "print(json.dumps(out))\n"
    )
    sources = [
        'name = f"{user["name"]}"\n',
        "type UserId = int\n",
        "match command:\n    case 'go':\n        pass\n",
        "print 'hello'\n",
    ]
    completed = subprocess.run(
        [str(PYTHON39), "-c", script],
        input=json.dumps(sources),
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SRC)},
        timeout=60,
        check=True,
    )
    assert json.loads(completed.stdout) == [
        ["FG902", "3.12"],
        ["FG902", "3.12"],
        ["FG902", "3.10"],
        ["FG908", None],
    ]
