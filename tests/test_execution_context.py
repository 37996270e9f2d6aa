"""ExecutionContext: which calls run when a module is imported, and which when it is run."""

from __future__ import annotations

import ast
import textwrap

import pytest

from flaskguard.analysis.context import Reach, ReachedCall
from flaskguard.analysis.devserver import DevServerAnalysis, possible_dev_server_calls
from flaskguard.facts import ir
from flaskguard.facts.extract import extract_module_facts
from flaskguard.model.project import Project


def analysis(files: dict[str, str]) -> DevServerAnalysis:
    modules = []
    for relpath, text in files.items():
        source = textwrap.dedent(text)
        modules.append(extract_module_facts(ast.parse(source), source, relpath))
    return DevServerAnalysis(Project("/project", modules, []))


def reached(files: dict[str, str], world: str, name: str) -> list[ReachedCall]:
    """Every reached call of the function called ``name`` (a plain name call: ``name()``)."""
    return [
        r
        for r in analysis(files).context.reached_calls(world)
        if isinstance(r.site.call.func, ir.Name) and r.site.call.func.id == name
    ]


def reach(files: dict[str, str], world: str, name: str) -> Reach:
    """The best reach of the calls to ``name`` in ``world`` (NO when none is reached)."""
    return max((r.reach for r in reached(files, world, name)), default=Reach.NO)


def one(source: str) -> dict[str, str]:
    return {"app.py": source}


# -- module level ------------------------------------------------------------------------------


def test_top_level_call_is_reached_in_both_worlds() -> None:
    files = one("marker()\n")
    for world in ("import", "main"):
        (call,) = reached(files, world, "marker")
        assert call.reach == Reach.YES
        assert call.chain == ()
        assert call.frame.module == "app.py"
        assert call.frame.world == world


def test_main_guarded_call_runs_only_as_a_script() -> None:
    files = one("if __name__ == '__main__':\n    marker()\n")
    assert reach(files, "import", "marker") == Reach.NO
    assert reach(files, "main", "marker") == Reach.YES


@pytest.mark.parametrize(
    "test",
    [
        '__name__ == "__main__"',
        '"__main__" == __name__',
        "__name__ in ('__main__',)",
        "not __name__ != '__main__'",
        "__name__ == '__main__' and True",
    ],
)
def test_spellings_of_the_main_guard(test: str) -> None:
    files = one(f"if {test}:\n    marker()\n")
    assert reach(files, "import", "marker") == Reach.NO
    assert reach(files, "main", "marker") == Reach.YES


def test_else_of_the_main_guard_runs_at_import() -> None:
    files = one("if __name__ == '__main__':\n    guarded()\nelse:\n    marker()\n")
    assert reach(files, "import", "marker") == Reach.YES
    assert reach(files, "main", "marker") == Reach.NO
    assert reach(files, "import", "guarded") == Reach.NO


def test_negated_main_guard_else_branch_does_not_run_at_import() -> None:
    files = one("if __name__ != '__main__':\n    at_import()\nelse:\n    marker()\n")
    assert reach(files, "import", "marker") == Reach.NO
    assert reach(files, "import", "at_import") == Reach.YES
    assert reach(files, "main", "marker") == Reach.YES
    assert reach(files, "main", "at_import") == Reach.NO


def test_nested_guards() -> None:
    source = """\
        if True:
            if __name__ == '__main__':
                guarded()
            else:
                marker()
    """
    assert reach(one(source), "import", "marker") == Reach.YES
    assert reach(one(source), "import", "guarded") == Reach.NO


def test_constant_false_guard_never_runs() -> None:
    files = one("DEBUG = False\nif DEBUG:\n    marker()\nif 0:\n    other()\n")
    for world in ("import", "main"):
        assert reach(files, world, "marker") == Reach.NO
        assert reach(files, world, "other") == Reach.NO


def test_unknown_condition_is_maybe() -> None:
    source = """\
        import os
        import sys
        if os.environ.get('RUN_SERVER'):
            env_guarded()
        if len(sys.argv) > 1:
            argv_guarded()
    """
    for world in ("import", "main"):
        assert reach(one(source), world, "env_guarded") == Reach.MAYBE
        assert reach(one(source), world, "argv_guarded") == Reach.MAYBE


def test_environment_default_does_not_decide_a_guard() -> None:
    # The default is what runs when the variable is unset, but production may set it.
    files = one("import os\nif os.environ.get('RUN', 'no') == 'yes':\n    marker()\n")
    assert reach(files, "import", "marker") == Reach.MAYBE


def test_main_guard_combined_with_an_unknown() -> None:
    files = one("import os\nif __name__ == '__main__' or os.environ.get('X'):\n    marker()\n")
    assert reach(files, "import", "marker") == Reach.MAYBE
    assert reach(files, "main", "marker") == Reach.YES
    files = one("import os\nif __name__ == '__main__' and os.environ.get('X'):\n    marker()\n")
    assert reach(files, "import", "marker") == Reach.NO
    assert reach(files, "main", "marker") == Reach.MAYBE


def test_calls_in_try_with_for_and_class_bodies_run_at_import() -> None:
    source = """\
        try:
            in_try()
        except Exception:
            in_except()
        with context():
            in_with()
        for item in items():
            in_for()
        class Holder:
            in_class()
    """
    for name in ("in_try", "in_except", "in_with", "in_for", "in_class"):
        assert reach(one(source), "import", name) == Reach.YES, name


# -- through functions -------------------------------------------------------------------------


def test_function_called_at_top_level_is_entered() -> None:
    files = one("def start():\n    marker()\n\nstart()\n")
    (call,) = reached(files, "import", "marker")
    assert call.reach == Reach.YES
    assert len(call.chain) == 1
    step = call.chain[0]
    assert step.callee == "start"
    assert step.module == "app.py"
    assert step.site.call.loc.line == 4
    assert step.site.top_statement.first_line == 4
    assert not step.via_thread
    assert call.frame.scope == "start"


def test_function_not_called_is_not_entered() -> None:
    files = one("def start():\n    marker()\n")
    assert reach(files, "import", "marker") == Reach.NO
    assert reach(files, "main", "marker") == Reach.NO


def test_function_called_only_under_the_main_guard() -> None:
    files = one("def start():\n    marker()\n\nif __name__ == '__main__':\n    start()\n")
    assert reach(files, "import", "marker") == Reach.NO
    (call,) = reached(files, "main", "marker")
    assert call.reach == Reach.YES
    assert [s.callee for s in call.chain] == ["start"]


def test_maybe_propagates_into_the_callee() -> None:
    files = one("import os\ndef start():\n    marker()\n\nif os.getenv('X'):\n    start()\n")
    assert reach(files, "import", "marker") == Reach.MAYBE


def test_nested_function_calls_build_a_chain() -> None:
    source = """\
        def inner():
            marker()
        def outer():
            inner()
        outer()
    """
    (call,) = reached(one(source), "import", "marker")
    assert [s.callee for s in call.chain] == ["outer", "inner"]


def test_parameter_decides_a_guard_in_the_callee() -> None:
    source = """\
        def start(run):
            if run:
                marker()
        start(False)
    """
    assert reach(one(source), "import", "marker") == Reach.NO
    source_true = source.replace("start(False)", "start(True)")
    assert reach(one(source_true), "import", "marker") == Reach.YES


def test_cross_module_chain() -> None:
    files = {
        "a.py": "import b\nb.helper()\n",
        "b.py": "def helper():\n    marker()\n",
    }
    (call,) = reached(files, "import", "marker")
    assert call.frame.module == "b.py"
    assert call.reach == Reach.YES
    (step,) = call.chain
    assert step.module == "a.py"
    assert step.callee == "helper"


def test_cross_module_chain_through_from_import() -> None:
    files = {
        "a.py": "from b import helper\nhelper()\n",
        "b.py": "def helper():\n    marker()\n",
    }
    (call,) = reached(files, "import", "marker")
    assert call.chain[0].module == "a.py"


def test_method_call_through_an_instance() -> None:
    source = """\
        class Server:
            def __init__(self):
                in_init()
            def start(self):
                in_start()
            def unused(self):
                in_unused()

        Server().start()
    """
    (start,) = reached(one(source), "import", "in_start")
    assert [s.callee for s in start.chain] == ["Server.start"]
    (init,) = reached(one(source), "import", "in_init")
    assert [s.callee for s in init.chain] == ["Server.__init__"]
    assert reach(one(source), "import", "in_unused") == Reach.NO


def test_method_call_through_a_variable() -> None:
    source = """\
        class Server:
            def start(self):
                self.serve()
            def serve(self):
                marker()

        server = Server()
        server.start()
    """
    (call,) = reached(one(source), "import", "marker")
    assert [s.callee for s in call.chain] == ["Server.start", "Server.serve"]


def test_thread_started_at_top_level_runs_its_target() -> None:
    source = """\
        import threading
        def work():
            marker()
        t = threading.Thread(target=work)
        t.start()
    """
    (call,) = reached(one(source), "import", "marker")
    assert call.reach == Reach.YES
    (step,) = call.chain
    assert step.callee == "work"
    assert step.via_thread


def test_thread_created_but_started_under_the_main_guard() -> None:
    source = """\
        from threading import Thread
        def work():
            marker()
        t = Thread(target=work)
        if __name__ == '__main__':
            t.start()
    """
    assert reach(one(source), "import", "marker") == Reach.NO
    assert reach(one(source), "main", "marker") == Reach.YES


def test_thread_never_started_does_not_run_its_target() -> None:
    source = "import threading\ndef work():\n    marker()\nt = threading.Thread(target=work)\n"
    assert reach(one(source), "import", "marker") == Reach.NO


def test_recursion_terminates() -> None:
    files = one("def f():\n    f()\n    marker()\n\nf()\n")
    (call,) = reached(files, "import", "marker")
    assert [s.callee for s in call.chain] == ["f"]


def test_mutual_recursion_across_modules_terminates() -> None:
    files = {
        "a.py": "import b\ndef ping():\n    b.pong()\nping()\n",
        "b.py": "import a\ndef pong():\n    a.ping()\n    marker()\n",
    }
    assert reach(files, "import", "marker") == Reach.YES


def test_cli_command_is_not_entered() -> None:
    source = """\
        import click
        @click.command()
        def serve():
            marker()
        serve()
    """
    assert reach(one(source), "import", "marker") == Reach.NO


# -- __main__.py -------------------------------------------------------------------------------


def test_dunder_main_module_does_not_run_at_import() -> None:
    files = {"pkg/__init__.py": "", "pkg/__main__.py": "marker()\n"}
    assert reach(files, "import", "marker") == Reach.NO
    assert reach(files, "main", "marker") == Reach.YES


def test_dunder_main_module_calling_a_package_function() -> None:
    files = {
        "pkg/__init__.py": "def run():\n    marker()\n",
        "pkg/__main__.py": "from pkg import run\nrun()\n",
    }
    assert reach(files, "import", "marker") == Reach.NO
    assert reach(files, "main", "marker") == Reach.YES


def test_reached_calls_are_cached_per_world() -> None:
    a = analysis(one("marker()\n"))
    assert a.context.reached_calls("import") is a.context.reached_calls("import")
    assert a.context.reached_calls("import") is not a.context.reached_calls("main")


def test_main_world_does_not_leak_into_other_modules() -> None:
    # Running manage.py as a script imports server; server's __name__ is "server", so the
    # guarded call never runs, whether server is imported or manage.py is run.
    files = {
        "manage.py": "import server\nserver.serve()\n",
        "server.py": "def serve():\n    if __name__ == '__main__':\n        marker()\n",
    }
    assert reach(files, "import", "marker") == Reach.NO
    assert reach(files, "main", "marker") == Reach.NO


def test_thread_from_a_star_import_started_at_import() -> None:
    files = {
        "workers.py": "import threading\ndef work():\n    marker()\nt = threading.Thread(target=work)\n",
        "app.py": "from workers import *\nt.start()\n",
    }
    assert reach(files, "import", "marker") == Reach.YES


# -- calls never reached ----------------------------------------------------------------------


def test_unreached_dev_servers_are_found_under_any_binding_of_their_name() -> None:
    found = analysis(
        one(
            """
            from flask import Flask
            from werkzeug.serving import run_simple as serve_forever

            app = Flask(__name__)
            start = app.run


            def never_called():
                start(debug=True)
                serve_forever("0.0.0.0", 5000, app)


            def through(runner):
                runner(port=5001)


            def caller():
                through(app.run)
            """
        )
    ).uses()
    assert sorted(use.call.site.call.loc.line for use in found) == [10, 11, 15]


def test_dev_server_candidates_skip_names_that_cannot_be_servers() -> None:
    source = textwrap.dedent(
        """
        import flask
        from tools import launch


        def helper(value):
            return len(value)


        def main(runner):
            helper([])
            launch()
            runner()
            flask.Flask(__name__).run()
            flask.Flask(__name__).jsonify()
            (lambda: None)()
        """
    )
    module = extract_module_facts(ast.parse(source), source, "app.py")
    called = [
        ir.dotted_name(site.call.func) or type(site.call.func).__name__
        for site in possible_dev_server_calls(module)
    ]
    # ``len`` is bound nowhere and ``helper`` only by a def: neither can start a server.
    assert called == ["launch", "runner", "Attr", "Lambda"]
    starred = extract_module_facts(ast.parse("from tools import *\nlen([])\n"), "", "a.py")
    assert len(possible_dev_server_calls(starred)) == 1
