"""ConstantEvaluator: the value an expression has whenever it runs, if it can be known."""

from __future__ import annotations

import ast
import textwrap
from typing import Any

import pytest

from flaskguard.analysis.constants import NOT_CONSTANT, Evaluation, ModuleNames
from flaskguard.analysis.devserver import DevServerAnalysis
from flaskguard.facts import ir
from flaskguard.facts.extract import extract_module_facts
from flaskguard.model.project import Frame, Project


def analysis(files: dict[str, str]) -> DevServerAnalysis:
    modules = []
    for relpath, text in files.items():
        source = textwrap.dedent(text)
        modules.append(extract_module_facts(ast.parse(source), source, relpath))
    return DevServerAnalysis(Project("/project", modules, []))


def evaluate(
    files: dict[str, str], name: str, path: str = "app.py", world: str = "import"
) -> Evaluation:
    """The evaluation of module-level ``name`` in ``path``."""
    return analysis(files).evaluator.evaluate(ir.Name(name), Frame(path, "", world))


def value(source: str, name: str = "X", world: str = "import") -> Any:
    return evaluate({"app.py": source}, name, world=world).value


def expression(text: str, context: str = "", **kwargs: Any) -> Any:
    """The value of one expression, evaluated at module level after ``context``."""
    return value(f"{textwrap.dedent(context)}\nX = {text}\n", **kwargs)


def truth(source: str, expr: ir.Expr, *, environment_known: bool = True) -> bool | None:
    result = analysis({"app.py": source}).evaluator.truth(
        expr, Frame("app.py", ""), environment_known=environment_known
    )
    return result


# -- literals and operators ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        ("'debug'", "debug"),
        ("b'x'", b"x"),
        ("None", None),
        ("True", True),
        ("-5", -5),
        ("not 0", True),
        ("(1, 'a')", (1, "a")),
        ("[1, 2]", [1, 2]),
        ("{'a': 1}", {"a": 1}),
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("7 // 2", 3),
        ("7 % 4", 3),
        ("2 ** 10", 1024),
        ("'a' + 'b'", "ab"),
        ("'ab' * 2", "abab"),
        ("'TRUE'.lower()", "true"),
        ("'  x '.strip()", "x"),
        ("'abc'.upper()", "ABC"),
        ("f'{1 + 1}-{\"x\"}'", "2-x"),
        ("int('8000')", 8000),
        ("bool('')", False),
        ("1 == 1", True),
        ("1 != 1", False),
        ("1 < 2 < 3", True),
        ("1 < 3 < 2", False),
        ("3 > 2 >= 2 > 1", True),
        ("'b' in ('a', 'b')", True),
        ("'c' in ('a', 'b')", False),
        ("'c' not in ('a', 'b')", True),
        ("None is None", True),
        ("'y' if 2 > 1 else 'n'", "y"),
        ("'y' if 2 < 1 else 'n'", "n"),
        ("0 or 'fallback'", "fallback"),
        ("1 and 'second'", "second"),
        ("'' and unknown_name", ""),
        ("{'a': 1}['a']", 1),
        ("('x', 'y')[1]", "y"),
    ],
)
def test_expression_values(text: str, expected: Any) -> None:
    result = expression(text)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    "text",
    [
        "unknown_name",
        "1 / 0",
        "'a' + 1",
        "unknown_name + 1",
        "f'{unknown_name}'",
        "unknown_name.lower()",
        "'y' if unknown_name else 'n'",
        "1 < unknown_name < 3",
        "some_function()",
        "'x' * 1_000_000",
        "[*unknown_name]",
    ],
)
def test_expressions_that_are_not_constant(text: str) -> None:
    assert expression(text) is NOT_CONSTANT


def test_chained_comparison_short_circuits_on_a_false_first_pair() -> None:
    # ``3 < 1 < x`` is False whatever x is, as in Python.
    assert expression("3 < 1 < unknown_name") is False


# -- names -------------------------------------------------------------------------------------


def test_module_constant_in_the_same_module() -> None:
    assert value("PORT = 5000\nX = PORT + 1\n") == 5001


def test_module_constant_from_another_module() -> None:
    files = {
        "app.py": "from settings import DEBUG\nX = DEBUG\n",
        "settings.py": "DEBUG = True\n",
    }
    assert evaluate(files, "X").value is True
    assert evaluate(files, "DEBUG").value is True


def test_module_attribute_of_an_imported_project_module() -> None:
    files = {
        "app.py": "import settings\nX = settings.HOST.lower()\n",
        "settings.py": "HOST = '0.0.0.0'.upper()\n",
    }
    assert evaluate(files, "X").value == "0.0.0.0"


def test_constant_through_a_package_relative_import() -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/app.py": "from .config import PORT\nX = PORT * 2\n",
        "pkg/config.py": "PORT = 4000\n",
    }
    assert evaluate(files, "X", path="pkg/app.py").value == 8000


def test_name_assigned_twice_with_different_values_is_not_constant() -> None:
    assert value("X = 1\nX = 2\n") is NOT_CONSTANT


def test_name_assigned_twice_with_the_same_value_is_constant() -> None:
    assert value("X = 'a'\nX = 'a'\n") == "a"


def test_same_value_of_different_types_is_not_constant() -> None:
    assert value("X = 1\nX = True\n") is NOT_CONSTANT


def test_augmented_assignment_is_not_constant() -> None:
    assert value("X = 1\nX += 1\n") is NOT_CONSTANT


def test_self_referencing_name_terminates() -> None:
    assert value("X = X + 1\n") is NOT_CONSTANT
    assert value("X = Y\nY = X\n") is NOT_CONSTANT


def test_unknown_name_is_not_constant() -> None:
    assert value("Y = 1\n", name="NOT_DEFINED") is NOT_CONSTANT


def test_large_literal_table_is_not_constant() -> None:
    elements = ", ".join(str(i) for i in range(300))
    assert value(f"X = [{elements}]\n") is NOT_CONSTANT
    assert value(f"X = ({elements})\n") is NOT_CONSTANT
    entries = ", ".join(f"{i}: {i}" for i in range(300))
    assert value(f"X = {{{entries}}}\n") is NOT_CONSTANT
    small = ", ".join(str(i) for i in range(10))
    assert value(f"X = [{small}]\n") == list(range(10))


def test_typing_type_checking_is_false() -> None:
    source = """\
        import typing
        from typing import TYPE_CHECKING
        X = TYPE_CHECKING
        Y = typing.TYPE_CHECKING
    """
    assert value(source, "X") is False
    assert value(source, "Y") is False


def test_builtin_shadowed_by_a_project_function_is_not_converted() -> None:
    assert value("def int(x):\n    return 0\nX = int('5')\n") is NOT_CONSTANT


# -- environment -------------------------------------------------------------------------------


def test_environ_get_evaluates_to_its_default_and_reports_the_variable() -> None:
    evaluation = evaluate(
        {"app.py": "import os\nX = os.environ.get('FLASK_HOST', '0.0.0.0')\n"}, "X"
    )
    assert evaluation.value == "0.0.0.0"
    assert evaluation.env_vars == ["FLASK_HOST"]
    assert evaluation.known


def test_getenv_without_default_is_none() -> None:
    evaluation = evaluate({"app.py": "import os\nX = os.getenv('DEBUG')\n"}, "X")
    assert evaluation.value is None
    assert evaluation.env_vars == ["DEBUG"]


def test_env_getters_under_other_spellings() -> None:
    source = """\
        from os import environ, getenv
        import os as system
        A = environ.get('A', 'a')
        B = getenv('B', 'b')
        C = system.environ.get('C', default='c')
        D = system.environ.setdefault('D', 'd')
    """
    for name in "ABCD":
        evaluation = evaluate({"app.py": source}, name)
        assert evaluation.value == name.lower()
        assert evaluation.env_vars == [name]


def test_environment_default_flows_through_operations() -> None:
    source = "import os\nX = os.environ.get('FLASK_DEBUG', 'True').lower() == 'true'\n"
    evaluation = evaluate({"app.py": source}, "X")
    assert evaluation.value is True
    assert evaluation.env_vars == ["FLASK_DEBUG"]


def test_env_vars_are_reported_again_for_a_cached_name() -> None:
    files = {"app.py": "import os\nDEBUG = os.environ.get('DBG', '1')\nX = DEBUG\nY = DEBUG\n"}
    evaluator = analysis(files).evaluator
    frame = Frame("app.py", "")
    first = evaluator.evaluate(ir.Name("X"), frame)
    second = evaluator.evaluate(ir.Name("Y"), frame)
    assert (first.value, first.env_vars) == ("1", ["DBG"])
    assert (second.value, second.env_vars) == ("1", ["DBG"])


def test_environ_subscript_is_not_constant_but_reports_the_variable() -> None:
    evaluation = evaluate({"app.py": "import os\nX = os.environ['SECRET_HOST']\n"}, "X")
    assert evaluation.value is NOT_CONSTANT
    assert evaluation.env_vars == ["SECRET_HOST"]


def test_environment_unknown_makes_env_lookups_undecided() -> None:
    source = "import os\nRUN = os.environ.get('RUN_SERVER')\nON = os.environ.get('ON', '1')\n"
    run, on = ir.Name("RUN"), ir.Name("ON")
    assert truth(source, run) is False
    assert truth(source, run, environment_known=False) is None
    assert truth(source, on) is True
    assert truth(source, on, environment_known=False) is None


def test_environment_setting_is_restored_after_truth() -> None:
    source = "import os\nRUN = os.environ.get('RUN_SERVER', 'yes')\n"
    a = analysis({"app.py": source})
    frame = Frame("app.py", "")
    assert a.evaluator.truth(ir.Name("RUN"), frame, environment_known=False) is None
    assert a.evaluator.truth(ir.Name("RUN"), frame) is True
    assert a.evaluator.evaluate(ir.Name("RUN"), frame).value == "yes"


# -- three-valued logic ------------------------------------------------------------------------

_SOURCE = "import os\nUNKNOWN = os.environ.get('X')\n"
_UNKNOWN = ir.Name("UNKNOWN")
_TRUE = ir.Const(True)
_FALSE = ir.Const(False)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        (ir.BoolOp("and", (_FALSE, _UNKNOWN)), False),
        (ir.BoolOp("and", (_UNKNOWN, _FALSE)), False),
        (ir.BoolOp("and", (_UNKNOWN, _TRUE)), None),
        (ir.BoolOp("and", (_TRUE, _TRUE)), True),
        (ir.BoolOp("or", (_UNKNOWN, _TRUE)), True),
        (ir.BoolOp("or", (_TRUE, _UNKNOWN)), True),
        (ir.BoolOp("or", (_UNKNOWN, _FALSE)), None),
        (ir.BoolOp("or", (_FALSE, _FALSE)), False),
        (ir.UnaryOp("not", _UNKNOWN), None),
        (ir.UnaryOp("not", ir.BoolOp("and", (_FALSE, _UNKNOWN))), True),
        (ir.BoolOp("or", (ir.BoolOp("and", (_UNKNOWN, _FALSE)), _UNKNOWN)), None),
        (_UNKNOWN, None),
    ],
)
def test_three_valued_logic(expr: ir.Expr, expected: bool | None) -> None:
    assert truth(_SOURCE, expr, environment_known=False) is expected


def test_truth_of_source_level_boolean_operators() -> None:
    source = """\
        import os
        A = False and os.environ.get('X')
        B = os.environ.get('X') or True
        C = os.environ.get('X') and True
    """
    a = analysis({"app.py": source})
    frame = Frame("app.py", "")
    module = a.project.module("app.py")
    values = {
        assignment.target.id: assignment.value
        for assignment in module.assignments
        if isinstance(assignment.target, ir.Name)
    }
    assert a.evaluator.truth(values["A"], frame, environment_known=False) is False
    assert a.evaluator.truth(values["B"], frame, environment_known=False) is True
    assert a.evaluator.truth(values["C"], frame, environment_known=False) is None


# -- __name__ ----------------------------------------------------------------------------------


def test_dunder_name_in_the_import_world_and_the_main_world() -> None:
    source = "X = __name__\nIS_MAIN = __name__ == '__main__'\nNOT_MAIN = __name__ != '__main__'\n"
    imported = value(source)
    assert isinstance(imported, ModuleNames)
    assert imported.names == frozenset({"app"})
    assert value(source, world="main") == "__main__"
    assert value(source, "IS_MAIN") is False
    assert value(source, "IS_MAIN", world="main") is True
    assert value(source, "NOT_MAIN") is True
    assert value(source, "NOT_MAIN", world="main") is False


def test_dunder_name_in_a_tuple() -> None:
    source = "X = __name__ in ('__main__', 'other')\n"
    assert value(source) is False
    assert value(source, world="main") is True


def test_dunder_name_is_not_a_value_for_arithmetic() -> None:
    assert value("X = __name__ + '.sub'\n") is NOT_CONSTANT
    assert value("X = str(__name__)\n") is NOT_CONSTANT


@pytest.mark.parametrize(
    ("path", "expected"),
    [("main.py", True), ("pkg/main.py", True), ("src/main.py", True), ("server.py", False)],
)
def test_dunder_name_equals_module_name_in_the_import_world(path: str, expected: bool) -> None:
    files = {path: "X = __name__ == 'main'\n"}
    if path.startswith("pkg/"):
        files["pkg/__init__.py"] = ""
    assert evaluate(files, "X", path=path).value is expected
    assert evaluate(files, "X", path=path, world="main").value is False


def test_dunder_name_of_a_package_module_includes_its_dotted_name() -> None:
    files = {"pkg/__init__.py": "", "pkg/main.py": "X = __name__ == 'pkg.main'\nY = __name__\n"}
    assert evaluate(files, "X", path="pkg/main.py").value is True
    names = evaluate(files, "Y", path="pkg/main.py").value
    assert isinstance(names, ModuleNames)
    assert names.names == frozenset({"pkg.main", "main"})


def test_dunder_name_in_an_fstring_is_not_rendered_as_a_placeholder() -> None:
    rendered = value("X = f'{__name__}'\n")
    assert rendered is NOT_CONSTANT or rendered == "app"
    # In the import world app.py's __name__ is "app": this comparison cannot be False.
    assert value("X = f'{__name__}' == 'app'\n") is not False


# -- robustness --------------------------------------------------------------------------------


def test_huge_power_is_refused() -> None:
    assert expression("2 ** 100000") is NOT_CONSTANT
    assert expression("2 ** 64") == 2**64


def test_tower_of_powers_is_refused() -> None:
    # Three levels already make a 250,000-digit integer; no setting or guard is that large.
    assert expression("((9 ** 64) ** 64) ** 64") is NOT_CONSTANT


def test_huge_percent_formatting_is_refused() -> None:
    # Like 'x' * 1_000_000 (refused above), a megabyte-wide field is data, never a setting.
    assert expression("'%01000000d' % 1") is NOT_CONSTANT


def test_deep_alias_chain_terminates() -> None:
    chain = "".join(f"A{i} = A{i + 1}\n" for i in range(60)) + "A60 = 1\n"
    assert value(chain, "A0") is NOT_CONSTANT  # beyond the depth budget: unknown, not wrong
    assert value(chain, "A58") == 1


def test_value_of_a_name_does_not_depend_on_evaluation_order() -> None:
    chain = "".join(f"A{i} = A{i + 1}\n" for i in range(30)) + "A30 = 1\n"
    evaluator = analysis({"app.py": chain}).evaluator
    frame = Frame("app.py", "")
    fresh = analysis({"app.py": chain}).evaluator.evaluate(ir.Name("A20"), frame).value
    assert fresh == 1
    evaluator.evaluate(ir.Name("A0"), frame)
    assert evaluator.evaluate(ir.Name("A20"), frame).value == fresh
