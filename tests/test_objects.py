"""ObjectResolver: what an expression is, identified by origin rather than by variable name."""

from __future__ import annotations

import ast
import textwrap

import pytest

from flaskguard.analysis.devserver import DevServerAnalysis
from flaskguard.facts import ir
from flaskguard.facts.extract import extract_module_facts
from flaskguard.model.objects import (
    ClassRef,
    ExtRef,
    FuncRef,
    Instance,
    Member,
    ModRef,
    ObjectResolver,
    Value,
)
from flaskguard.model.project import Frame, Project


def analysis(files: dict[str, str]) -> DevServerAnalysis:
    modules = []
    for relpath, text in files.items():
        source = textwrap.dedent(text)
        modules.append(extract_module_facts(ast.parse(source), source, relpath))
    return DevServerAnalysis(Project("/project", modules, []))


def resolver(files: dict[str, str]) -> ObjectResolver:
    return analysis(files).resolver


def infer(files: dict[str, str], path: str, name: str, scope: str = "") -> frozenset[Value]:
    return resolver(files).infer(ir.Name(name), Frame(path, scope))


def infer_expr(files: dict[str, str], path: str, text: str) -> frozenset[Value]:
    """Infer an expression in ``path``'s module scope (lowered as module facts lower it)."""
    source = f"_ = {text}\n"
    (assignment,) = extract_module_facts(ast.parse(source), source, "_probe.py").assignments
    return resolver(files).infer(assignment.value, Frame(path, ""))


FLASK = "flask.Flask"


# -- Flask application objects ------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "from flask import Flask\napp = Flask(__name__)\n",
        "import flask as f\napp = f.Flask(__name__)\n",
        "from flask import Flask as F\napp = F(__name__)\n",
        "import flask\napp = flask.Flask(__name__)\n",
        "import flask.app\napp = flask.app.Flask(__name__)\n",
        "from flask.app import Flask\napp = Flask(__name__)\n",
    ],
)
def test_flask_constructor_spellings(source: str) -> None:
    assert infer({"app.py": source}, "app.py", "app") == {Instance(FLASK, ("app.py", 2, 7))}


def test_constructor_is_an_external_reference() -> None:
    files = {"app.py": "import flask as f\nF = f.Flask\n"}
    assert infer(files, "app.py", "F") == {ExtRef(FLASK)}
    assert infer(files, "app.py", "f") == {ExtRef("flask")}


def test_instances_from_different_calls_have_different_origins() -> None:
    files = {"app.py": "from flask import Flask\na = Flask('a')\nb = Flask('b')\n"}
    (a,) = infer(files, "app.py", "a")
    (b,) = infer(files, "app.py", "b")
    assert isinstance(a, Instance) and isinstance(b, Instance)
    assert a.cls == b.cls == FLASK
    assert a.origin != b.origin


def test_factory_in_another_module() -> None:
    files = {
        "factory.py": """\
            from flask import Flask

            def create_app():
                app = Flask(__name__)
                return app
        """,
        "app.py": "from factory import create_app\napp = create_app()\n",
    }
    assert infer(files, "app.py", "create_app") == {FuncRef("factory.py", "create_app")}
    assert infer(files, "app.py", "app") == {Instance(FLASK, ("factory.py", 4, 11))}


def test_factory_through_a_module_attribute() -> None:
    files = {
        "factory.py": "import flask\ndef create_app():\n    return flask.Flask(__name__)\n",
        "wsgi.py": "import factory\napplication = factory.create_app()\n",
    }
    assert infer(files, "wsgi.py", "factory") == {ModRef("factory.py")}
    assert infer(files, "wsgi.py", "application") == {Instance(FLASK, ("factory.py", 3, 12))}


def test_name_of_the_variable_does_not_matter() -> None:
    files = {
        "wsgi.py": "from flask import Flask\nserver_object = Flask(__name__)\nx = server_object\n"
    }
    assert infer(files, "wsgi.py", "x") == {Instance(FLASK, ("wsgi.py", 2, 17))}


def test_subclass_of_flask() -> None:
    files = {
        "app.py": """\
            from flask import Flask

            class MyApp(Flask):
                pass

            class Deeper(MyApp):
                pass

            app = MyApp(__name__)
            deep = Deeper(__name__)
        """
    }
    r = resolver(files)
    (app,) = r.infer(ir.Name("app"), Frame("app.py", ""))
    assert app == Instance(ClassRef("app.py", "MyApp"), ("app.py", 9, 7))
    assert r.class_is(ClassRef("app.py", "MyApp"), FLASK)
    assert r.class_is(ClassRef("app.py", "Deeper"), FLASK)
    assert r.is_a(app, FLASK)
    (deep,) = r.infer(ir.Name("deep"), Frame("app.py", ""))
    assert r.is_a(deep, FLASK)
    assert not r.class_is(ClassRef("app.py", "MyApp"), "flask_socketio.SocketIO")


def test_subclass_of_flask_in_another_module() -> None:
    files = {
        "base.py": "import flask\nclass Base(flask.Flask):\n    pass\n",
        "app.py": "from base import Base\nclass App(Base):\n    pass\n",
    }
    r = resolver(files)
    assert r.class_is(ClassRef("app.py", "App"), FLASK)


def test_plain_class_is_not_flask() -> None:
    files = {"app.py": "class Plain:\n    pass\nclass Child(Plain):\n    pass\n"}
    r = resolver(files)
    assert not r.class_is(ClassRef("app.py", "Child"), FLASK)


def test_cyclic_class_hierarchy_terminates() -> None:
    files = {"app.py": "class A(B):\n    pass\nclass B(A):\n    pass\n"}
    assert not resolver(files).class_is(ClassRef("app.py", "A"), FLASK)


def test_known_external_subclass() -> None:
    files = {"app.py": "from apiflask import APIFlask\napp = APIFlask(__name__)\n"}
    r = resolver(files)
    (app,) = r.infer(ir.Name("app"), Frame("app.py", ""))
    assert r.is_a(app, FLASK)


# -- packages and relative imports --------------------------------------------------------------


PACKAGE = {
    "pkg/__init__.py": "from .factory import create_app\napp = create_app()\n",
    "pkg/factory.py": "from flask import Flask\ndef create_app():\n    return Flask(__name__)\n",
    "pkg/sub.py": """\
        from .factory import create_app
        from . import factory
        from pkg import app as package_app
        app = create_app()
        other = factory.create_app()
    """,
    "pkg/inner/__init__.py": "",
    "pkg/inner/deep.py": "from ..factory import create_app\napp = create_app()\n",
}
ORIGIN = ("pkg/factory.py", 3, 12)


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("pkg/__init__.py", "app"),
        ("pkg/sub.py", "app"),
        ("pkg/sub.py", "other"),
        ("pkg/sub.py", "package_app"),
        ("pkg/inner/deep.py", "app"),
    ],
)
def test_relative_imports_in_packages(path: str, name: str) -> None:
    assert infer(PACKAGE, path, name) == {Instance(FLASK, ORIGIN)}


def test_from_package_import_submodule() -> None:
    assert infer(PACKAGE, "pkg/sub.py", "factory") == {ModRef("pkg/factory.py")}


def test_src_layout_module_names() -> None:
    files = {
        "src/pkg/__init__.py": "",
        "src/pkg/factory.py": "import flask\ndef make():\n    return flask.Flask('x')\n",
        "src/pkg/wsgi.py": "from pkg.factory import make\napp = make()\n",
    }
    assert infer(files, "src/pkg/wsgi.py", "app") == {
        Instance(FLASK, ("src/pkg/factory.py", 3, 12))
    }


# -- other frameworks ---------------------------------------------------------------------------


def test_socketio_wrapping_an_app() -> None:
    files = {
        "app.py": """\
            from flask import Flask
            from flask_socketio import SocketIO
            app = Flask(__name__)
            socketio = SocketIO(app)
        """
    }
    assert infer(files, "app.py", "socketio") == {
        Instance("flask_socketio.SocketIO", ("app.py", 4, 12))
    }
    (run,) = infer_expr(files, "app.py", "socketio.run")
    assert isinstance(run, Member)
    assert run.name == "run"
    assert run.instance.cls == "flask_socketio.SocketIO"


def test_dash_server_is_a_flask_app() -> None:
    files = {
        "app.py": """\
            import dash
            from dash import Dash
            server = Dash(__name__).server
            d = dash.Dash(__name__)
            server2 = d.server
        """
    }
    assert infer(files, "app.py", "server") == {Instance(FLASK, ("app.py", 3, 10))}
    assert infer(files, "app.py", "server2") == {Instance(FLASK, ("app.py", 4, 5))}
    assert infer(files, "app.py", "d") == {Instance("dash.Dash", ("app.py", 4, 5))}


def test_flask_run_is_a_member_of_the_app() -> None:
    files = {"app.py": "from flask import Flask\napp = Flask(__name__)\n"}
    assert infer_expr(files, "app.py", "app.run") == {
        Member(Instance(FLASK, ("app.py", 2, 7)), "run")
    }


def test_subprocess_run_is_an_external_function_not_a_flask_member() -> None:
    files = {
        "app.py": """\
            import subprocess
            from subprocess import run
            from flask import Flask
            app = Flask(__name__)
            a = subprocess.run
            b = run
        """
    }
    assert infer(files, "app.py", "a") == {ExtRef("subprocess.run")}
    assert infer(files, "app.py", "b") == {ExtRef("subprocess.run")}
    a = analysis(files)
    for value in a.resolver.infer(ir.Name("a"), Frame("app.py", "")):
        assert not isinstance(value, Member)
        assert not a.resolver.is_a(value, FLASK)  # type: ignore[arg-type]


def test_subprocess_run_call_is_not_a_dev_server() -> None:
    files = {"app.py": "import subprocess\nsubprocess.run(['flask', 'run'])\n"}
    a = analysis(files)
    module = a.project.module("app.py")
    (site,) = module.calls
    assert a.identify("app.py", site, Frame("app.py", "")) is None


def test_unknown_names_infer_to_nothing() -> None:
    assert infer({"app.py": "x = undefined_thing\n"}, "app.py", "x") == frozenset()


def test_self_reference_terminates() -> None:
    assert infer({"app.py": "x = x\n"}, "app.py", "x") == frozenset()
    assert (
        infer({"a.py": "from b import x\n", "b.py": "from a import x\n"}, "a.py", "x")
        == frozenset()
    )


# -- instances of project classes ----------------------------------------------------------------


def test_method_and_instance_attribute_of_a_project_class() -> None:
    files = {
        "app.py": """\
            from flask import Flask

            class Holder:
                def __init__(self):
                    self.app = Flask(__name__)
                def serve(self):
                    pass

            holder = Holder()
        """
    }
    (serve,) = infer_expr(files, "app.py", "holder.serve")
    assert isinstance(serve, FuncRef)
    assert serve.qualname == "Holder.serve"
    assert serve.bound_self == Instance(ClassRef("app.py", "Holder"), ("app.py", 9, 10))
    assert infer_expr(files, "app.py", "holder.app") == {Instance(FLASK, ("app.py", 5, 20))}


# -- star imports -------------------------------------------------------------------------------


def test_star_import_of_a_project_module_finds_its_names() -> None:
    files = {
        "factory.py": "from flask import Flask\ndef create_app():\n    return Flask(__name__)\n",
        "app.py": "from factory import *\napp = create_app()\n",
    }
    assert infer(files, "app.py", "create_app") == {FuncRef("factory.py", "create_app")}
    assert infer(files, "app.py", "app") == {Instance(FLASK, ("factory.py", 3, 12))}


def test_star_import_does_not_override_a_local_name() -> None:
    files = {
        "factory.py": "def create_app():\n    pass\n",
        "app.py": "from factory import *\ndef create_app():\n    pass\n",
    }
    assert infer(files, "app.py", "create_app") == {FuncRef("app.py", "create_app")}


def test_star_import_of_a_module_level_instance_keeps_its_origin() -> None:
    files = {
        "core.py": "from flask import Flask\napp = Flask(__name__)\n",
        "app.py": "from core import *\n",
    }
    assert infer(files, "app.py", "app") == {Instance(FLASK, ("core.py", 2, 7))}


def test_star_imported_value_is_resolved_in_its_own_module() -> None:
    files = {
        "core.py": "import flask as fw\napp = fw.Flask(__name__)\n",
        "app.py": "from core import *\nfw = None\n",
    }
    assert infer(files, "app.py", "app") == {Instance(FLASK, ("core.py", 2, 7))}


def test_a_module_inside_a_package_does_not_shadow_a_known_library() -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/util/__init__.py": "",
        "pkg/util/flask.py": "def helper():\n    return 1\n",
        "pkg/server.py": "from flask import Flask\napp = Flask(__name__)\n",
    }
    assert any(
        isinstance(v, Instance) and v.cls == FLASK for v in infer(files, "pkg/server.py", "app")
    )


def test_a_sub_folder_run_as_the_working_directory_resolves_its_own_modules() -> None:
    files = {
        "backend/__init__.py": "",
        "backend/factory.py": "from flask import Flask\ndef make():\n    return Flask(__name__)\n",
        "backend/wsgi.py": "from factory import make\napplication = make()\n",
    }
    assert any(
        isinstance(v, Instance) and v.cls == FLASK
        for v in infer(files, "backend/wsgi.py", "application")
    )
