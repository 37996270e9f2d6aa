"""Autofix round trips: exact output text over many layouts, idempotency, and the primitives.

Every round trip writes the files byte for byte, runs ``run_fix`` in-process with
``write=True``, compares the exact bytes on disk with the expected text, and runs the fix
a second time to check that it changes nothing.
"""

from __future__ import annotations

import ast
import os
import stat
import textwrap
from pathlib import Path
from typing import Optional, Union

import pytest

from flaskguard.config import Config
from flaskguard.findings import Edit, Finding, Span
from flaskguard.fix_command import FixOutcome, run_fix
from flaskguard.fixes import apply_edits, is_main_guard, write_atomically
from flaskguard.scan import run_scan

HEADER = "from flask import Flask\n\napp = Flask(__name__)\n"
GUARD = 'if __name__ == "__main__":'
BOM = b"\xef\xbb\xbf"


def src(text: str) -> str:
    return textwrap.dedent(text)


def project(root: Path, files: dict[str, Union[str, bytes]], encoding: str = "utf-8") -> Path:
    """Write ``files`` exactly as given (no newline translation) plus an empty pyproject."""
    (root / "pyproject.toml").write_bytes(b"")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode(encoding))
    return root


def fix(
    root: Path,
    *,
    unsafe: bool = False,
    config: Optional[Config] = None,
    paths: Optional[list[Path]] = None,
) -> FixOutcome:
    return run_fix(paths or [root], config=config or Config(), root=root, unsafe=unsafe, write=True)


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def round_trip(
    root: Path,
    before: Union[str, bytes],
    after: Union[str, bytes],
    *,
    unsafe: bool = False,
    encoding: str = "utf-8",
) -> FixOutcome:
    """Fix app.py; assert its exact bytes afterwards and that a second fix is a no-op."""
    project(root, {"app.py": before}, encoding)
    expected = after if isinstance(after, bytes) else after.encode(encoding)
    outcome = fix(root, unsafe=unsafe)
    assert outcome.failures == []
    assert (root / "app.py").read_bytes() == expected
    assert set(outcome.changed) == {"app.py"}
    assert outcome.fixed
    state = snapshot(root)
    again = fix(root, unsafe=unsafe)
    assert again.changed == {}
    assert again.fixed == []
    assert again.failures == []
    assert snapshot(root) == state
    return outcome


def findings_for(root: Path, rule_id: str, path: str = "app.py") -> list[Finding]:
    result = run_scan([root], config=Config(), root=root)
    return [f for f in result.findings if f.rule_id == rule_id and f.path == path]


def assert_no_fix(
    root: Path, files: dict[str, str], *, path: str = "app.py", rule_id: str = "FG100"
) -> str:
    """The finding carries no fix but says why; fixing (even unsafely) changes no file."""
    project(root, files)
    state = snapshot(root)
    [finding] = findings_for(root, rule_id, path)
    assert finding.fix is None
    reason = finding.fix_unavailable_reason
    assert isinstance(reason, str) and reason.strip()
    outcome = fix(root, unsafe=True)
    assert outcome.changed == {}
    assert outcome.fixed == []
    assert snapshot(root) == state
    return reason


# -- FG100: guard the statement where it stands ---------------------------------------------

WRAPPED_IN_PLACE = {
    "plain-call-at-end": (
        src(
            """\
            from flask import Flask

            app = Flask(__name__)


            @app.route("/")
            def index():
                return "hi"


            app.run()
            """
        ),
        src(
            """\
            from flask import Flask

            app = Flask(__name__)


            @app.route("/")
            def index():
                return "hi"


            if __name__ == "__main__":
                app.run()
            """
        ),
    ),
    "tab-indented-file": (
        HEADER + "\n\ndef helper():\n\treturn 1\n\n\napp.run()\n",
        HEADER + '\n\ndef helper():\n\treturn 1\n\n\nif __name__ == "__main__":\n\tapp.run()\n',
    ),
    "two-space-file": (
        HEADER + "\n\ndef helper():\n  return 1\n\n\napp.run()\n",
        HEADER + '\n\ndef helper():\n  return 1\n\n\nif __name__ == "__main__":\n  app.run()\n',
    ),
    "comments-and-blank-lines": (
        HEADER + "\n\n# start the dev server\napp.run()  # local only\n\n\n# end of file\n",
        HEADER
        + "\n\n# start the dev server\n"
        + GUARD
        + "\n    app.run()  # local only\n\n\n# end of file\n",
    ),
    "trailing-code-after-the-call": (
        src(
            """\
            from flask import Flask

            app = Flask(__name__)

            app.run()


            @app.route("/later")
            def later():
                return "later"
            """
        ),
        src(
            """\
            from flask import Flask

            app = Flask(__name__)

            if __name__ == "__main__":
                app.run()


            @app.route("/later")
            def later():
                return "later"
            """
        ),
    ),
    "existing-guard-at-top-before-app-exists": (
        src(
            """\
            from flask import Flask

            if __name__ == "__main__":
                print("script")

            app = Flask(__name__)

            app.run()
            """
        ),
        src(
            """\
            from flask import Flask

            if __name__ == "__main__":
                print("script")

            app = Flask(__name__)

            if __name__ == "__main__":
                app.run()
            """
        ),
    ),
    "multi-line-call-with-comment": (
        HEADER + '\napp.run(\n    host="127.0.0.1",  # loopback only\n    port=5000,\n)\n',
        HEADER
        + "\n"
        + GUARD
        + '\n    app.run(\n        host="127.0.0.1",  # loopback only\n        port=5000,\n    )\n',
    ),
    "function-called-at-import": (
        src(
            """\
            from flask import Flask

            app = Flask(__name__)


            def main():
                app.run()


            main()
            """
        ),
        src(
            """\
            from flask import Flask

            app = Flask(__name__)


            def main():
                app.run()


            if __name__ == "__main__":
                main()
            """
        ),
    ),
    "else-of-a-guard": (
        src(
            """\
            from flask import Flask

            app = Flask(__name__)

            if __name__ == "__main__":
                print("script")
            else:
                app.run()
            """
        ),
        src(
            """\
            from flask import Flask

            app = Flask(__name__)

            if __name__ == "__main__":
                if __name__ == "__main__":
                    print("script")
                else:
                    app.run()
            """
        ),
    ),
    "top-level-try": (
        src(
            """\
            from flask import Flask

            app = Flask(__name__)

            try:
                app.run()
            except KeyboardInterrupt:
                pass
            """
        ),
        src(
            """\
            from flask import Flask

            app = Flask(__name__)

            if __name__ == "__main__":
                try:
                    app.run()
                except KeyboardInterrupt:
                    pass
            """
        ),
    ),
    "decorated-view-before-the-call": (
        src(
            """\
            from flask import Flask

            app = Flask(__name__)


            @app.route("/")
            @app.route("/index")
            def index():
                return "hi"


            app.run()
            """
        ),
        src(
            """\
            from flask import Flask

            app = Flask(__name__)


            @app.route("/")
            @app.route("/index")
            def index():
                return "hi"


            if __name__ == "__main__":
                app.run()
            """
        ),
    ),
    "no-newline-at-end-of-file": (
        HEADER + "\napp.run()",
        HEADER + "\n" + GUARD + "\n    app.run()",
    ),
    "existing-guard-with-body-on-its-line": (
        HEADER + '\napp.run()\n\nif __name__ == "__main__": print("starting")\n',
        HEADER + "\n" + GUARD + '\n    app.run()\n\nif __name__ == "__main__": print("starting")\n',
    ),
}


@pytest.mark.parametrize(("before", "after"), WRAPPED_IN_PLACE.values(), ids=list(WRAPPED_IN_PLACE))
def test_guard_wraps_the_statement_where_it_stands(tmp_path: Path, before: str, after: str) -> None:
    outcome = round_trip(tmp_path, before, after)
    assert {f.rule_id for f in outcome.fixed} == {"FG100"}
    ast.parse(after)


def test_guard_keeps_crlf_line_endings(tmp_path: Path) -> None:
    before = (HEADER + "\napp.run()\n").replace("\n", "\r\n")
    after = (HEADER + "\n" + GUARD + "\n    app.run()\n").replace("\n", "\r\n")
    round_trip(tmp_path, before, after)
    assert b"\n" not in (tmp_path / "app.py").read_bytes().replace(b"\r\n", b"")


def test_guard_keeps_the_utf8_byte_order_mark(tmp_path: Path) -> None:
    before = BOM + (HEADER + "\napp.run()\n").encode("utf-8")
    after = BOM + (HEADER + "\n" + GUARD + "\n    app.run()\n").encode("utf-8")
    round_trip(tmp_path, before, after)


def test_guard_keeps_a_declared_latin1_encoding(tmp_path: Path) -> None:
    head = "# -*- coding: latin-1 -*-\n" + HEADER + 'GREETING = "caf\xe9"\n'
    before = head + "\napp.run()\n"
    after = head + "\n" + GUARD + "\n    app.run()\n"
    round_trip(tmp_path, before, after, encoding="latin-1")
    data = (tmp_path / "app.py").read_bytes()
    assert b'"caf\xe9"' in data  # one latin-1 byte, not the UTF-8 pair
    assert b"\xc3" not in data


def test_guard_leaves_a_multi_line_string_argument_unchanged(tmp_path: Path) -> None:
    before = (
        HEADER + '\napp.run(extra_files="""\nsettings.cfg\n  templates/base.html\n""".split())\n'
    )
    after = (
        HEADER
        + "\n"
        + GUARD
        + '\n    app.run(extra_files="""\nsettings.cfg\n  templates/base.html\n""".split())\n'
    )
    round_trip(tmp_path, before, after)
    tree = ast.parse(after)
    guard = tree.body[-1]
    assert isinstance(guard, ast.If) and is_main_guard(guard)
    strings = [n.value for n in ast.walk(guard) if isinstance(n, ast.Constant)]
    assert "\nsettings.cfg\n  templates/base.html\n" in strings


# -- FG100: move into an existing guard -----------------------------------------------------


def test_call_moves_into_an_existing_guard_at_the_bottom(tmp_path: Path) -> None:
    before = src(
        """\
        from flask import Flask

        app = Flask(__name__)

        app.run()


        if __name__ == "__main__":
            print("starting")
        """
    )
    after = src(
        """\
        from flask import Flask

        app = Flask(__name__)



        if __name__ == "__main__":
            app.run()
            print("starting")
        """
    )
    round_trip(tmp_path, before, after)


def test_call_moves_into_an_existing_tab_indented_guard_with_crlf(tmp_path: Path) -> None:
    before = (HEADER + '\napp.run()\n\nif __name__ == "__main__":\n\tprint("starting")\n').replace(
        "\n", "\r\n"
    )
    after = (HEADER + '\n\nif __name__ == "__main__":\n\tapp.run()\n\tprint("starting")\n').replace(
        "\n", "\r\n"
    )
    round_trip(tmp_path, before, after)


def test_call_is_not_moved_past_a_rebinding_of_a_name_it_uses(tmp_path: Path) -> None:
    before = src(
        """\
        from flask import Flask

        app = Flask(__name__)

        app.run()

        app = Flask("other")

        if __name__ == "__main__":
            print("starting")
        """
    )
    after = src(
        """\
        from flask import Flask

        app = Flask(__name__)

        if __name__ == "__main__":
            app.run()

        app = Flask("other")

        if __name__ == "__main__":
            print("starting")
        """
    )
    round_trip(tmp_path, before, after)


def _dev_server_calls(tree: ast.Module) -> list[tuple[str, bool]]:
    """(source of each ``app.run(...)`` call, whether it sits under a __main__ guard)."""
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, guarded: bool) -> None:
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "app.run":
            found.append((ast.unparse(node), guarded))
        inside = guarded or (isinstance(node, ast.stmt) and is_main_guard(node))
        for child in ast.iter_child_nodes(node):
            visit(child, inside)

    visit(tree, False)
    return found


def test_two_calls_moved_into_one_existing_guard_are_both_kept(tmp_path: Path) -> None:
    before = src(
        """\
        from flask import Flask

        app = Flask(__name__)

        app.run()
        app.run(port=5001)

        if __name__ == "__main__":
            print("starting")
        """
    )
    project(tmp_path, {"app.py": before})
    outcome = fix(tmp_path)
    text = (tmp_path / "app.py").read_text("utf-8")
    calls = _dev_server_calls(ast.parse(text))
    assert calls == [("app.run()", True), ("app.run(port=5001)", True)], text
    assert outcome.failures == []
    assert fix(tmp_path).changed == {}


# -- FG100: no fix offered ------------------------------------------------------------------


def test_no_fix_for_a_call_in_a_top_level_loop(tmp_path: Path) -> None:
    reason = assert_no_fix(
        tmp_path,
        {
            "app.py": HEADER
            + '\nfor name in ("a", "b"):\n    print("starting", name)\n    app.run()\n'
        },
    )
    assert "loop" in reason


def test_no_fix_for_a_call_in_a_class_body(tmp_path: Path) -> None:
    reason = assert_no_fix(tmp_path, {"app.py": HEADER + "\n\nclass Server:\n    app.run()\n"})
    assert "class body" in reason


def test_no_fix_for_an_assignment_whose_value_is_imported(tmp_path: Path) -> None:
    source = src(
        """\
        from flask import Flask


        def create_app():
            app = Flask(__name__)
            app.run()
            return app


        app = create_app()
        """
    )
    reason = assert_no_fix(tmp_path, {"app.py": source})
    assert "assignment" in reason


def test_no_fix_for_a_with_block_that_defines_a_name_used_later(tmp_path: Path) -> None:
    source = src(
        """\
        from flask import Flask

        app = Flask(__name__)

        with open("settings.cfg") as handle:
            settings = handle.read()
            app.run()

        print(settings)
        """
    )
    reason = assert_no_fix(tmp_path, {"app.py": source})
    assert "settings" in reason


def test_no_fix_when_the_chain_starts_in_another_module(tmp_path: Path) -> None:
    files = {
        "server.py": HEADER + "\n\ndef serve():\n    app.run()\n",
        "main.py": "import server\n\nserver.serve()\n",
    }
    reason = assert_no_fix(tmp_path, files, path="server.py")
    assert "main.py:3" in reason


# -- unsafe fixes: FG101 debug=True, FG102 host="0.0.0.0" -----------------------------------


def test_debug_true_is_removed_only_with_unsafe(tmp_path: Path) -> None:
    before = HEADER + "\n" + GUARD + "\n    app.run(debug=True)\n"
    project(tmp_path, {"app.py": before})
    safe_only = fix(tmp_path, unsafe=False)
    assert safe_only.changed == {} and safe_only.fixed == []
    assert (tmp_path / "app.py").read_text("utf-8") == before
    outcome = round_trip(tmp_path, before, HEADER + "\n" + GUARD + "\n    app.run()\n", unsafe=True)
    assert [f.rule_id for f in outcome.fixed] == ["FG101"]


def test_public_host_and_debug_fixed_together(tmp_path: Path) -> None:
    before = HEADER + "\n" + GUARD + '\n    app.run(host="0.0.0.0", debug=True, port=8000)\n'
    after = HEADER + "\n" + GUARD + '\n    app.run(host="127.0.0.1", port=8000)\n'
    project(tmp_path, {"app.py": before})
    assert fix(tmp_path, unsafe=False).changed == {}
    assert (tmp_path / "app.py").read_text("utf-8") == before
    outcome = round_trip(tmp_path, before, after, unsafe=True)
    assert sorted(f.rule_id for f in outcome.fixed) == ["FG101", "FG102"]


def test_debug_removed_before_a_public_host_keyword(tmp_path: Path) -> None:
    before = HEADER + "\n" + GUARD + '\n    app.run(debug=True, host="0.0.0.0")\n'
    after = HEADER + "\n" + GUARD + '\n    app.run(host="127.0.0.1")\n'
    round_trip(tmp_path, before, after, unsafe=True)


def test_debug_removed_from_a_multi_line_call(tmp_path: Path) -> None:
    before = (
        HEADER + "\n" + GUARD + "\n    app.run(\n        port=8000,\n        debug=True,\n    )\n"
    )
    after = HEADER + "\n" + GUARD + "\n    app.run(\n        port=8000,\n    )\n"
    round_trip(tmp_path, before, after, unsafe=True)


def test_unsafe_fixes_keep_non_ascii_columns_and_latin1(tmp_path: Path) -> None:
    head = "# -*- coding: latin-1 -*-\n" + HEADER + "\n" + GUARD + "\n"
    before = head + '    app.run(extra_files=["caf\xe9.cfg"], host="0.0.0.0", debug=True)\n'
    after = head + '    app.run(extra_files=["caf\xe9.cfg"], host="127.0.0.1")\n'
    round_trip(tmp_path, before, after, unsafe=True, encoding="latin-1")


def test_unguarded_debug_call_is_guarded_then_cleaned_in_later_passes(tmp_path: Path) -> None:
    before = HEADER + "\napp.run(debug=True)\n"
    outcome = round_trip(tmp_path, before, HEADER + "\n" + GUARD + "\n    app.run()\n", unsafe=True)
    assert [f.rule_id for f in outcome.fixed] == ["FG100", "FG101"]
    assert not [f for f in outcome.result.findings if f.rule_id in ("FG100", "FG101")]


def test_guard_fix_alone_keeps_debug_true(tmp_path: Path) -> None:
    before = HEADER + "\napp.run(debug=True)\n"
    after = HEADER + "\n" + GUARD + "\n    app.run(debug=True)\n"
    outcome = round_trip(tmp_path, before, after, unsafe=False)
    remaining = [f for f in outcome.result.findings if f.rule_id == "FG101"]
    assert len(remaining) == 1 and remaining[0].fix is not None
    assert remaining[0].fix.applicability == "unsafe"


def test_no_debug_fix_when_a_comment_sits_next_to_the_argument(tmp_path: Path) -> None:
    source = (
        HEADER
        + "\n"
        + GUARD
        + "\n    app.run(\n        port=8000,  # dev\n        debug=True,\n    )\n"
    )
    reason = assert_no_fix(tmp_path, {"app.py": source}, rule_id="FG101")
    assert "comment" in reason


@pytest.mark.parametrize(
    "call",
    ["app.run(debug=True,)", "app.run(\n        debug=True,\n    )"],
    ids=["one-line", "black-style"],
)
def test_debug_removed_when_it_is_the_only_argument_with_a_trailing_comma(
    tmp_path: Path, call: str
) -> None:
    project(tmp_path, {"app.py": HEADER + "\n" + GUARD + "\n    " + call + "\n"})
    outcome = fix(tmp_path, unsafe=True)
    assert outcome.failures == []
    text = (tmp_path / "app.py").read_text("utf-8")
    assert "debug" not in text
    assert _dev_server_calls(ast.parse(text)) == [("app.run()", True)]
    assert fix(tmp_path, unsafe=True).changed == {}


# -- what is never touched ------------------------------------------------------------------


def test_generated_file_is_left_alone_and_reported(tmp_path: Path) -> None:
    source = "# @generated by tool\n" + HEADER + "\napp.run()\n"
    project(tmp_path, {"app.py": source})
    [finding] = findings_for(tmp_path, "FG100")
    assert finding.fix is not None
    outcome = fix(tmp_path, unsafe=True)
    assert outcome.changed == {}
    assert [path for path, _ in outcome.failures] == ["app.py"]
    assert "generated" in outcome.failures[0][1]
    assert (tmp_path / "app.py").read_text("utf-8") == source


def test_suppressed_finding_is_not_fixed(tmp_path: Path) -> None:
    source = HEADER + "\napp.run()  # flaskguard: ignore[FG100]\n"
    project(tmp_path, {"app.py": source})
    [finding] = findings_for(tmp_path, "FG100")
    assert finding.suppressed and finding.fix is not None
    outcome = fix(tmp_path, unsafe=True)
    assert outcome.changed == {} and outcome.fixed == [] and outcome.failures == []
    assert (tmp_path / "app.py").read_text("utf-8") == source


def test_suppression_of_another_rule_does_not_stop_the_fix(tmp_path: Path) -> None:
    before = HEADER + "\napp.run()  # flaskguard: ignore[FG101]\n"
    after = HEADER + "\n" + GUARD + "\n    app.run()  # flaskguard: ignore[FG101]\n"
    round_trip(tmp_path, before, after)


def test_only_the_given_paths_are_fixed(tmp_path: Path) -> None:
    source = HEADER + "\napp.run()\n"
    project(tmp_path, {"a.py": source, "b.py": source})
    outcome = fix(tmp_path, paths=[tmp_path / "a.py"])
    assert set(outcome.changed) == {"a.py"}
    assert (tmp_path / "a.py").read_text("utf-8") == HEADER + "\n" + GUARD + "\n    app.run()\n"
    assert (tmp_path / "b.py").read_text("utf-8") == source


def test_excluded_files_are_not_fixed(tmp_path: Path) -> None:
    source = HEADER + "\napp.run()\n"
    project(tmp_path, {"app.py": source, "legacy/old.py": source})
    outcome = fix(tmp_path, config=Config(extend_exclude=("legacy/",)))
    assert set(outcome.changed) == {"app.py"}
    assert (tmp_path / "legacy" / "old.py").read_text("utf-8") == source


def test_symlinked_file_is_written_through(tmp_path: Path) -> None:
    source = HEADER + "\napp.run()\n"
    project(tmp_path, {"real/app.py": source})
    (tmp_path / "link.py").symlink_to(Path("real") / "app.py")
    outcome = fix(tmp_path, paths=[tmp_path / "link.py"])
    assert set(outcome.changed) == {"link.py"}
    assert (tmp_path / "link.py").is_symlink()
    expected = HEADER + "\n" + GUARD + "\n    app.run()\n"
    assert (tmp_path / "real" / "app.py").read_text("utf-8") == expected
    assert sorted(os.listdir(tmp_path / "real")) == ["app.py"]


def test_fix_not_refused_because_an_identical_unfixable_call_remains(tmp_path: Path) -> None:
    before = HEADER + "\nfor attempt in range(3):\n    app.run()\n\napp.run()\n"
    after = HEADER + "\nfor attempt in range(3):\n    app.run()\n\n" + GUARD + "\n    app.run()\n"
    round_trip(tmp_path, before, after)


# -- apply_edits ----------------------------------------------------------------------------


def test_apply_edits_applies_non_overlapping_edits() -> None:
    text = "alpha beta\ngamma delta\n"
    edits = [Edit(Span(2, 7, 2, 12), "DELTA"), Edit(Span(1, 1, 1, 6), "ALPHA")]
    result, applied = apply_edits(text, edits)
    assert result == "ALPHA beta\ngamma DELTA\n"
    assert applied == [edits[1], edits[0]]  # in text order


def test_apply_edits_applies_touching_edits() -> None:
    text = "abcdef"
    edits = [Edit(Span(1, 1, 1, 4), "X"), Edit(Span(1, 4, 1, 7), "Y")]
    assert apply_edits(text, edits) == ("XY", edits)


def test_apply_edits_drops_an_overlapping_later_edit() -> None:
    text = "one two three\n"
    first = Edit(Span(1, 1, 1, 8), "1 2")
    overlapping = Edit(Span(1, 5, 1, 14), "TWO THREE")
    result, applied = apply_edits(text, [first, overlapping])
    assert result == "1 2 three\n"
    assert applied == [first]


def test_apply_edits_keeps_insertions_at_one_point_in_order() -> None:
    text = "a\nb\n"
    first = Edit(Span(2, 1, 2, 1), "first\n")
    second = Edit(Span(2, 1, 2, 1), "second\n")
    result, applied = apply_edits(text, [first, second])
    assert result == "a\nfirst\nsecond\nb\n"
    assert applied == [first, second]


def test_apply_edits_spans_crlf_lines() -> None:
    text = "a\r\nbb\r\nc\r\n"
    result, _ = apply_edits(text, [Edit(Span(2, 1, 3, 1), "")])
    assert result == "a\r\nc\r\n"


# -- write_atomically -----------------------------------------------------------------------


def test_write_atomically_replaces_content_and_keeps_mode(tmp_path: Path) -> None:
    target = tmp_path / "app.py"
    target.write_bytes(b"old\n")
    target.chmod(0o640)
    write_atomically(target, b"new\r\ncontent\n")
    assert target.read_bytes() == b"new\r\ncontent\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(os.listdir(tmp_path)) == ["app.py"]


def test_write_atomically_writes_through_a_symlink(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "app.py"
    target.write_bytes(b"old\n")
    target.chmod(0o640)
    link = tmp_path / "link.py"
    link.symlink_to(Path("real") / "app.py")
    write_atomically(link, b"new\n")
    assert link.is_symlink()
    assert os.readlink(link) == str(Path("real") / "app.py")
    assert target.read_bytes() == b"new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(os.listdir(tmp_path)) == ["link.py", "real"]
    assert sorted(os.listdir(tmp_path / "real")) == ["app.py"]


def test_write_atomically_leaves_no_temporary_file_on_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "app.py"
    target.write_bytes(b"old\n")

    def refuse(source: object, destination: object) -> None:
        raise OSError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError):
        write_atomically(target, b"new\n")
    monkeypatch.undo()
    assert target.read_bytes() == b"old\n"
    assert sorted(os.listdir(tmp_path)) == ["app.py"]


# -- moving a decorator (FG401) -------------------------------------------------------------

MISPLACED = """\
from flask import Flask
from flask_login import login_required

app = Flask(__name__)


@login_required
@app.route(
    "/account",
    methods=["GET", "POST"],
)
@app.route("/profile")
def account():
    return "ok"
"""


def _move(text: str, line: int, column: int, below: tuple[int, int]) -> str:
    from flaskguard.fixes import MoveDecoratorPlan, materialise

    plan = MoveDecoratorPlan(line, column, below[0], below[1], "Move it.")
    fixed, _ = apply_edits(text, materialise(plan, text).edits)
    return fixed


def test_auth_decorator_moves_below_the_last_route_decorator() -> None:
    fixed = _move(MISPLACED, 7, 2, (12, 2))
    assert fixed.splitlines()[6:13] == [
        "@app.route(",
        '    "/account",',
        '    methods=["GET", "POST"],',
        ")",
        '@app.route("/profile")',
        "@login_required",
        "def account():",
    ]
    ast.parse(fixed)


@pytest.mark.parametrize(
    ("text", "moved", "below", "reason"),
    [
        (MISPLACED.replace("@login_required\n", "@login_required\n# why\n"), 7, 13, "comments"),
        (MISPLACED.replace("@login_required\n", "@login_required  # note\n"), 7, 12, "more than"),
        (MISPLACED, 12, 8, "already below"),
    ],
)
def test_decorator_move_refuses_what_it_cannot_do_cleanly(
    text: str, moved: int, below: int, reason: str
) -> None:
    from flaskguard.fixes import MoveDecoratorPlan, NoFix, materialise

    with pytest.raises(NoFix, match=reason):
        materialise(MoveDecoratorPlan(moved, 2, below, 2, "Move it."), text)


def test_fix_command_moves_the_misplaced_decorator(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(MISPLACED, encoding="utf-8")
    outcome = run_fix(
        [tmp_path], config=Config(select=("FG401",)), root=tmp_path, unsafe=True, write=True
    )
    fixed = (tmp_path / "app.py").read_text(encoding="utf-8")
    assert [f.rule_id for f in outcome.fixed] == ["FG401"]
    assert fixed.index("@login_required") > fixed.index('@app.route("/profile")')
    assert not [f for f in run_scan([tmp_path], root=tmp_path).findings if f.rule_id == "FG401"]
