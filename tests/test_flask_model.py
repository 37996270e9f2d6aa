"""The Flask project model: applications, blueprints, routes, authentication, CSRF, config.

Projects are built in memory (as ``tests/test_objects.py`` does) or, when ``pyproject.toml``
matters, in ``tmp_path`` through the scan's own ``project_inputs`` + ``build_project``.

Expected route tables marked "checked against Flask" were produced by importing the same
sources with Flask 3.1 / Flask-RESTful 0.3 / Flask-RESTX 1.3 installed and reading
``app.url_map`` (rule, methods without HEAD/OPTIONS, endpoint).
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path
from typing import Optional

import pytest

from flaskguard.analysis.devserver import analysis_for
from flaskguard.config import load_config
from flaskguard.facts.extract import extract_module_facts
from flaskguard.model.apps import FlaskModel, Route, flask_model
from flaskguard.model.project import Project
from flaskguard.model.settings import ConfigModel, Setting, config_model
from flaskguard.scan import build_project, project_inputs

Files = dict[str, str]
Row = tuple[str, tuple[str, ...], str]


# -- helpers ------------------------------------------------------------------------------------


def make_project(files: Files, extra_auth: tuple[str, ...] = ()) -> Project:
    modules = []
    for relpath, text in files.items():
        source = textwrap.dedent(text)
        modules.append(extract_module_facts(ast.parse(source), source, relpath))
    project = Project("/project", modules, [])
    project.extra_auth_decorators = extra_auth
    return project


def model(files: Files, extra_auth: tuple[str, ...] = ()) -> FlaskModel:
    return flask_model(make_project(files, extra_auth))


def settings(files: Files) -> ConfigModel:
    return config_model(make_project(files))


def served(m: FlaskModel) -> set[Row]:
    """(rule, methods, endpoint) of every route some application serves."""
    return {(r.rule, r.methods, r.endpoint) for r in m.routes if r.apps}


def route(m: FlaskModel, rule: str, endpoint: Optional[str] = None) -> Route:
    found = [r for r in m.routes if r.rule == rule and (endpoint is None or r.endpoint == endpoint)]
    rules = sorted({(r.rule, r.endpoint) for r in m.routes})
    assert len(found) == 1, f"expected one route {rule!r} ({endpoint}), model has {rules}"
    return found[0]


def setting(cm: ConfigModel, key: str, path: str, line: int) -> Setting:
    found = [s for s in cm.for_key(key) if s.path == path and s.loc.line == line]
    where = [(s.path, s.loc.line, s.kind) for s in cm.for_key(key)]
    assert len(found) == 1, f"expected {key} at {path}:{line}; model has {where}"
    return found[0]


def line_of(files: Files, path: str, text: str) -> int:
    """1-based line of the first line of ``path`` (dedented) that contains ``text``."""
    for number, line in enumerate(textwrap.dedent(files[path]).splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


def write(root: Path, files: Files) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def scanned_model(root: Path) -> FlaskModel:
    config = load_config(root)
    inputs = project_inputs([root], config=config, root=root, jobs=1, load_advisories=False)
    return flask_model(build_project(inputs, config))


# -- applications ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "from flask import Flask\napp = Flask(__name__)\n",
        "import flask\napp = flask.Flask(import_name=__name__, static_folder=None)\n",
        "from flask import Flask as F\napp = F(__name__)\n",
        "from flask.app import Flask\napp = Flask(__name__)\n",
        "from flask import Flask\napplication = app = Flask(__name__)\n",
        "from apiflask import APIFlask\napp = APIFlask(__name__)\n",
    ],
)
def test_flask_application_in_any_spelling(source: str) -> None:
    files = {"web.py": source + "\n@app.get('/r')\ndef r():\n    return ''\n"}
    m = model(files)
    assert [(a.path, a.loc.line) for a in m.apps] == [("web.py", 2)]
    r = route(m, "/r")
    assert r.apps == (m.apps[0].instance,)
    assert (r.methods, r.endpoint) == (("GET",), "r")


def test_subclass_of_flask_created_by_a_helper_function() -> None:
    files = {
        "core.py": """\
            import flask

            class Portal(flask.Flask):
                pass

            def build_server():
                return Portal(__name__, instance_relative_config=True)
        """,
        "wsgi.py": """\
            from core import build_server

            server = build_server()

            @server.route("/status")
            def status():
                return "ok"
        """,
    }
    m = model(files)
    assert [(a.path, a.loc.line, a.scope) for a in m.apps] == [("core.py", 7, "build_server")]
    assert served(m) == {("/status", ("GET",), "status")}


def test_factory_is_one_app_whoever_calls_it() -> None:
    files = {
        "portal/__init__.py": """\
            from flask import Flask

            def create_app():
                app = Flask(__name__)
                from portal.views import bp
                app.register_blueprint(bp)
                return app
        """,
        "portal/views.py": """\
            from flask import Blueprint
            bp = Blueprint("main", __name__)

            @bp.route("/")
            def home():
                return ""
        """,
        "wsgi.py": "from portal import create_app\napplication = create_app()\n",
        "manage.py": "import portal\napp = portal.create_app()\n",
    }
    m = model(files)
    assert [(a.path, a.loc.line) for a in m.apps] == [("portal/__init__.py", 4)]
    assert served(m) == {("/", ("GET",), "main.home")}


def test_application_object_created_in_a_class() -> None:
    files = {
        "server.py": """\
            from flask import Flask

            class Server:
                def __init__(self):
                    self.app = Flask(__name__)
                    self.app.add_url_rule("/metrics", view_func=self.metrics)

                def metrics(self):
                    return ""
        """
    }
    m = model(files)
    assert [(a.path, a.scope) for a in m.apps] == [("server.py", "Server.__init__")]
    assert served(m) == {("/metrics", ("GET",), "metrics")}


def test_factory_returning_the_app_in_a_tuple() -> None:
    files = {
        "factory.py": """\
            from flask import Flask

            def make():
                app = Flask(__name__)
                return app, {"db": None}
        """,
        "run.py": """\
            from factory import make

            app, services = make()

            @app.route("/items")
            def items():
                return ""
        """,
    }
    m = model(files)
    assert len(m.apps) == 1
    assert served(m) == {("/items", ("GET",), "items")}, (
        "a factory that returns (app, services) is 'a function returning an app': "
        f"routes on the unpacked app are lost, model serves {served(m)}"
    )


def test_wsgi_app_wrapper_keeps_the_app_and_binds_proxyfix() -> None:
    files = {
        "app.py": """\
            from flask import Flask
            from werkzeug.middleware.proxy_fix import ProxyFix

            app = Flask(__name__)
            app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)

            @app.route("/")
            def index():
                return ""
        """
    }
    m = model(files)
    assert [(a.path, a.loc.line) for a in m.apps] == [("app.py", 4)]
    (fix,) = m.extensions_of("proxyfix")
    assert fix.apps == (m.apps[0].instance,)
    assert [name for name, *_ in fix.options] == ["x_for", "x_proto"]
    assert m.constant(*fix.option("x_for")[:2]) == 1  # type: ignore[index]
    assert served(m) == {("/", ("GET",), "index")}


def test_dash_server_is_the_flask_app() -> None:
    files = {
        "dashboard.py": """\
            import dash

            dash_app = dash.Dash(__name__)
            server = dash_app.server

            @server.route("/health")
            def health():
                return "ok"
        """
    }
    m = model(files)
    assert [(a.path, a.loc.line) for a in m.apps] == [("dashboard.py", 3)]
    assert served(m) == {("/health", ("GET",), "health")}


@pytest.mark.parametrize("constructor", ["connexion.FlaskApp", "connexion.App"])
def test_connexion_wrapper_exposes_its_flask_app(constructor: str) -> None:
    files = {
        "api.py": f"""\
            import connexion
            from flask import Blueprint

            capp = {constructor}(__name__, specification_dir="openapi/")
            flask_app = capp.app
            pages = Blueprint("pages", __name__)

            @flask_app.route("/ping")
            def ping():
                return "pong"

            @pages.route("/about")
            def about():
                return ""

            capp.app.register_blueprint(pages, url_prefix="/p")
        """
    }
    m = model(files)
    assert [(a.path, a.loc.line) for a in m.apps] == [("api.py", 4)]
    assert served(m) == {("/ping", ("GET",), "ping"), ("/p/about", ("GET",), "pages.about")}, (
        f"{constructor}(...).app is the Flask app (WRAPPED_APP_ATTRIBUTES), so routes and "
        f"blueprints registered on it are served; model serves {served(m)}"
    )


def test_two_applications_are_kept_apart() -> None:
    files = {
        "shared.py": """\
            from flask import Blueprint
            bp = Blueprint("shared", __name__)

            @bp.route("/s", methods=["POST"])
            def s():
                return ""
        """,
        "public.py": """\
            from flask import Flask
            from shared import bp
            public = Flask("public")
            public.register_blueprint(bp, url_prefix="/pub")
        """,
        "internal.py": """\
            from flask import Flask
            from shared import bp
            internal = Flask("internal")
            internal.register_blueprint(bp, url_prefix="/int")
        """,
    }
    m = model(files)
    assert len(m.apps) == 2
    public = next(a.instance for a in m.apps if a.path == "public.py")
    internal = next(a.instance for a in m.apps if a.path == "internal.py")
    assert route(m, "/pub/s").apps == (public,)
    assert route(m, "/int/s").apps == (internal,)
    assert [r.rule for r in m.routes_of(public)] == ["/pub/s"]
    assert [r.rule for r in m.routes_of(internal)] == ["/int/s"]


# -- blueprints and the route table ---------------------------------------------------------------

SHOP: Files = {
    "shop/__init__.py": """\
        from flask import Flask
        from shop.extensions import csrf, login_manager
        from shop.views import register_routes
        from shop.admin import admin_bp
        from shop.api import api_bp, v1

        def create_app(config_name="production"):
            app = Flask(__name__)
            csrf.init_app(app)
            login_manager.init_app(app)
            register_routes(app)
            app.register_blueprint(admin_bp)
            api_bp.register_blueprint(v1, url_prefix="/v1")
            app.register_blueprint(api_bp, url_prefix="/api")
            app.register_blueprint(admin_bp, name="staff", url_prefix="/staff/")
            return app
    """,
    "shop/extensions.py": """\
        from flask_wtf.csrf import CSRFProtect
        from flask_login import LoginManager

        csrf = CSRFProtect()
        login_manager = LoginManager()
    """,
    "shop/views.py": """\
        from flask_login import login_required

        def register_routes(app):
            @app.route("/")
            def index():
                return "hi"

            @app.route("/items/<int:item_id>", methods=["get", "POST"])
            @login_required
            def item(item_id):
                return "x"

            @login_required
            @app.post("/orders")
            def orders():
                return "y"

            @app.route("/a", endpoint="ab_outer")
            @login_required
            @app.route("/b")
            def ab():
                return ""

            @app.route("/files/<path:name>", endpoint="download")
            def files(name):
                return ""
    """,
    "shop/admin.py": """\
        from flask import Blueprint, abort
        from flask_login import current_user

        admin_bp = Blueprint("admin", __name__, url_prefix="/admin")

        @admin_bp.before_request
        def require_admin():
            if not current_user.is_authenticated:
                abort(401)

        @admin_bp.route("/users")
        def users():
            return "u"

        @admin_bp.route("/")
        def dashboard():
            return "u"
    """,
    "shop/api.py": """\
        from flask import Blueprint
        from shop.extensions import csrf

        api_bp = Blueprint("api", __name__, url_prefix="/ignored")
        v1 = Blueprint("v1", __name__, url_prefix="/own")

        @v1.route("/things/<string(length=3):code>", methods=("PUT", "delete"))
        def things(code):
            return ""

        @v1.route("")
        def v1_index():
            return ""

        @api_bp.get("/ping")
        def ping():
            return ""

        @csrf.exempt
        @api_bp.post("/hook")
        def hook():
            return ""
    """,
}


def test_route_table_of_a_factory_project_matches_flask() -> None:
    # Checked against Flask: nested blueprint (its own and its parent's url_prefix overridden
    # by the registrations), a second registration under another name, routes declared inside
    # ``register_routes(app)`` called from the factory in another module.
    m = model(SHOP)
    assert served(m) == {
        ("/", ("GET",), "index"),
        ("/a", ("GET",), "ab_outer"),
        ("/admin/", ("GET",), "admin.dashboard"),
        ("/admin/users", ("GET",), "admin.users"),
        ("/api/hook", ("POST",), "api.hook"),
        ("/api/ping", ("GET",), "api.ping"),
        ("/api/v1", ("GET",), "api.v1.v1_index"),
        ("/api/v1/things/<string(length=3):code>", ("DELETE", "PUT"), "api.v1.things"),
        ("/b", ("GET",), "ab"),
        ("/files/<path:name>", ("GET",), "download"),
        ("/items/<int:item_id>", ("GET", "POST"), "item"),
        ("/orders", ("POST",), "orders"),
        ("/staff/", ("GET",), "staff.dashboard"),
        ("/staff/users", ("GET",), "staff.users"),
    }
    (app,) = m.apps
    assert (app.path, app.scope) == ("shop/__init__.py", "create_app")
    assert all(r.apps == (app.instance,) for r in m.routes)
    assert [r.rule for r in m.routes] == sorted(r.rule for r in m.routes)


def test_route_details_view_location_decorators_converters() -> None:
    m = model(SHOP)
    item = route(m, "/items/<int:item_id>")
    assert (item.path, item.line) == ("shop/views.py", line_of(SHOP, "shop/views.py", "def item"))
    assert item.decorators == ("login_required",)
    assert item.converters == (("item_id", "int"),)
    assert item.handlers == ("register_routes.item",)
    things = route(m, "/api/v1/things/<string(length=3):code>")
    assert things.converters == (("code", "string"),)
    assert (things.path, things.line) == ("shop/api.py", line_of(SHOP, "shop/api.py", "def things"))
    assert things.blueprint is not None and things.blueprint.name == "v1"
    assert route(m, "/files/<path:name>").converters == (("name", "path"),)
    assert route(m, "/").converters == ()


def test_registrations_record_prefix_and_name() -> None:
    m = model(SHOP)
    found = {(r.path, r.url_prefix, r.has_prefix, r.name) for r in m.registrations}
    assert found == {
        ("shop/__init__.py", None, False, None),
        ("shop/__init__.py", "/v1", True, None),
        ("shop/__init__.py", "/api", True, None),
        ("shop/__init__.py", "/staff/", True, "staff"),
    }
    names = {(b.name, b.url_prefix, b.path) for b in m.blueprints}
    assert names == {
        ("admin", "/admin", "shop/admin.py"),
        ("api", "/ignored", "shop/api.py"),
        ("v1", "/own", "shop/api.py"),
    }


def test_deeply_nested_blueprints_join_prefixes_and_names() -> None:
    files = {
        "deep.py": """\
            from flask import Flask, Blueprint

            app = Flask(__name__)
            outer = Blueprint("outer", __name__, url_prefix="/o/")
            middle = Blueprint("middle", __name__)
            inner = Blueprint("inner", __name__, url_prefix="/in")

            @inner.route("/leaf/<name>")
            def leaf(name):
                return ""

            @middle.route("mid")
            def mid():
                return ""

            middle.register_blueprint(inner)
            outer.register_blueprint(middle, url_prefix="/m/")
            app.register_blueprint(outer)
        """
    }
    m = model(files)
    assert served(m) == {
        ("/o/m/in/leaf/<name>", ("GET",), "outer.middle.inner.leaf"),
        ("/o/m/mid", ("GET",), "outer.middle.mid"),
    }
    assert route(m, "/o/m/in/leaf/<name>").converters == (("name", "default"),)


def test_blueprint_registered_twice_and_never_registered() -> None:
    files = {
        "bps.py": """\
            from flask import Flask, Blueprint

            app = Flask(__name__)
            docs = Blueprint("docs", __name__, url_prefix="/docs")
            orphan = Blueprint("orphan", __name__, url_prefix="/orphan")

            @docs.route("/x/")
            def page():
                return ""

            @orphan.route("/y")
            def lost():
                return ""

            app.register_blueprint(docs)
            app.register_blueprint(docs, name="docs_v2", url_prefix="/v2/docs")
        """
    }
    m = model(files)
    assert served(m) == {
        ("/docs/x/", ("GET",), "docs.page"),
        ("/v2/docs/x/", ("GET",), "docs_v2.page"),
    }
    lost = route(m, "/orphan/y")
    assert lost.apps == ()
    assert lost.endpoint == "orphan.lost"


def test_large_application_as_a_package_with_circular_imports() -> None:
    # Checked against Flask (the "Large Applications as Packages" layout).
    files = {
        "big/__init__.py": """\
            from flask import Flask
            app = Flask(__name__)
            from . import views
            from .blog import blog as blog_blueprint
            app.register_blueprint(blog_blueprint, url_prefix="/blog")
        """,
        "big/views.py": """\
            from big import app

            @app.route("/")
            def index():
                return ""
        """,
        "big/blog/__init__.py": """\
            from flask import Blueprint
            blog = Blueprint("blog", __name__)
            from . import routes
        """,
        "big/blog/routes.py": """\
            from . import blog

            @blog.route("/<slug>")
            def post(slug):
                return ""

            @blog.route("/", methods=["GET", "POST"])
            def posts():
                return ""
        """,
    }
    assert served(model(files)) == {
        ("/", ("GET",), "index"),
        ("/blog/", ("GET", "POST"), "blog.posts"),
        ("/blog/<slug>", ("GET",), "blog.post"),
    }


MEGA: Files = {
    # The layout of the Flask Mega-Tutorial: every blueprint variable is called ``bp``.
    "app/__init__.py": """\
        from flask import Flask
        from flask_login import LoginManager
        from config import Config

        login = LoginManager()
        login.login_view = "auth.login"

        def create_app(config_class=Config):
            app = Flask(__name__)
            app.config.from_object(config_class)
            login.init_app(app)
            from app.auth import bp as auth_bp
            app.register_blueprint(auth_bp, url_prefix="/auth")
            from app.main import bp as main_bp
            app.register_blueprint(main_bp)
            from app.api import bp as api_bp
            app.register_blueprint(api_bp, url_prefix="/api")
            return app
    """,
    "config.py": """\
        import os

        class Config:
            SECRET_KEY = os.environ.get("SECRET_KEY") or "you-will-never-guess"
    """,
    "app/auth/__init__.py": """\
        from flask import Blueprint
        bp = Blueprint("auth", __name__)
        from app.auth import routes
    """,
    "app/auth/routes.py": """\
        from app.auth import bp

        @bp.route("/login", methods=["GET", "POST"])
        def login():
            return ""
    """,
    "app/main/__init__.py": """\
        from flask import Blueprint
        bp = Blueprint("main", __name__)
        from app.main import routes
    """,
    "app/main/routes.py": """\
        from flask_login import login_required
        from app.main import bp

        @bp.route("/", methods=["GET", "POST"])
        @bp.route("/index", methods=["GET", "POST"])
        @login_required
        def index():
            return ""

        @bp.route("/user/<username>")
        @login_required
        def user(username):
            return ""
    """,
    "app/api/__init__.py": """\
        from flask import Blueprint
        bp = Blueprint("api", __name__)
        from app.api import users
    """,
    "app/api/auth.py": """\
        from flask_httpauth import HTTPTokenAuth
        token_auth = HTTPTokenAuth()
    """,
    "app/api/users.py": """\
        from app.api import bp
        from app.api.auth import token_auth

        @bp.route("/users/<int:id>", methods=["GET"])
        @token_auth.login_required
        def get_user(id):
            return {}

        @bp.route("/users", methods=["POST"])
        def create_user():
            return {}
    """,
}


def test_blueprints_that_share_a_variable_name() -> None:
    m = model(MEGA)
    table = {(r.rule, r.methods, r.endpoint, r.auth, r.auth_via) for r in m.routes if r.apps}
    assert table == {
        ("/auth/login", ("GET", "POST"), "auth.login", False, ()),
        ("/", ("GET", "POST"), "main.index", True, ("login_required",)),
        ("/index", ("GET", "POST"), "main.index", True, ("login_required",)),
        ("/user/<username>", ("GET",), "main.user", True, ("login_required",)),
        ("/api/users/<int:id>", ("GET",), "api.get_user", True, ("token_auth.login_required",)),
        ("/api/users", ("POST",), "api.create_user", False, ()),
    }
    assert route(m, "/index").decorators == ("login_required",)


def test_decorators_of_a_stacked_route_are_what_wraps_the_view() -> None:
    index = route(model(MEGA), "/")
    assert index.decorators == ("login_required",), (
        "the second @bp.route registers the view, it does not wrap it; "
        f"model lists decorators {index.decorators}"
    )


def test_method_shortcuts_and_method_lists() -> None:
    files = {
        "consts.py": 'API_PREFIX = "/api"\nWRITE = ["POST", "PUT"]\n',
        "app.py": """\
            from flask import Flask, Blueprint
            from consts import API_PREFIX, WRITE

            app = Flask(__name__)
            bp = Blueprint("api", __name__, url_prefix=API_PREFIX)

            @bp.get("/g")
            def g():
                return ""

            @bp.post("/po")
            def po():
                return ""

            @bp.put("/pu/<uuid:id>")
            def pu(id):
                return ""

            @bp.delete("/d/<float:v>")
            def d(v):
                return ""

            @bp.patch("/pa")
            def pa():
                return ""

            @bp.route("/w", methods=WRITE)
            def w():
                return ""

            @app.route("/all", methods=["options", "GET", "HEAD", "post", "POST"])
            def everything():
                return ""

            app.register_blueprint(bp)
        """,
    }
    m = model(files)
    assert served(m) == {
        ("/api/g", ("GET",), "api.g"),
        ("/api/po", ("POST",), "api.po"),
        ("/api/pu/<uuid:id>", ("PUT",), "api.pu"),
        ("/api/d/<float:v>", ("DELETE",), "api.d"),
        ("/api/pa", ("PATCH",), "api.pa"),
        ("/api/w", ("POST", "PUT"), "api.w"),
        ("/all", ("GET", "POST"), "everything"),
    }
    assert route(m, "/api/d/<float:v>").converters == (("v", "float"),)


def test_add_url_rule_positional_and_keyword_endpoints() -> None:
    files = {
        "app.py": """\
            from flask import Flask, Blueprint
            from views import hello, ListView

            app = Flask(__name__)
            bp = Blueprint("things", __name__, url_prefix="/things")
            app.add_url_rule("/hello", "say_hello", hello)
            app.add_url_rule("/hi", view_func=hello, methods=["POST"])
            bp.add_url_rule("/", view_func=ListView.as_view("list"))
            app.register_blueprint(bp)
        """,
        "views.py": """\
            from flask.views import MethodView

            def hello():
                return "hi"

            class ListView(MethodView):
                def get(self):
                    return []
        """,
    }
    m = model(files)
    assert served(m) == {
        ("/hello", ("GET",), "say_hello"),
        ("/hi", ("POST",), "hello"),
        ("/things/", ("GET",), "things.list"),
    }
    hello = route(m, "/hello")
    assert (hello.path, hello.line) == ("views.py", 3)
    listing = route(m, "/things/")
    assert (listing.path, listing.line) == ("views.py", 6)
    assert listing.handlers == ("ListView.get",)


# -- class-based views ----------------------------------------------------------------------------


def test_method_view_methods_come_from_its_handlers() -> None:
    files = {
        "views.py": """\
            from flask.views import MethodView

            class ItemAPI(MethodView):
                def get(self, id=None):
                    return ""

                def post(self):
                    return ""

                def delete(self, id):
                    return ""

                def helper(self):
                    return ""

            class Child(ItemAPI):
                def put(self, id):
                    return ""
        """,
        "app.py": """\
            from flask import Flask
            from views import ItemAPI, Child

            app = Flask(__name__)
            item_view = ItemAPI.as_view("item_api")
            app.add_url_rule("/items/", view_func=item_view)
            app.add_url_rule("/items/<int:id>", view_func=ItemAPI.as_view("item"), methods=["GET", "PUT"])
            app.add_url_rule("/child/<int:id>", view_func=Child.as_view("child"))
        """,
    }
    m = model(files)
    assert served(m) == {
        ("/items/", ("DELETE", "GET", "POST"), "item_api"),
        ("/items/<int:id>", ("GET", "PUT"), "item"),
        ("/child/<int:id>", ("DELETE", "GET", "POST", "PUT"), "child"),
    }
    items = route(m, "/items/")
    assert (items.path, items.line) == ("views.py", 3)
    assert set(items.handlers) == {"ItemAPI.get", "ItemAPI.post", "ItemAPI.delete"}


def test_method_view_inherits_handlers_from_a_base_in_another_module() -> None:
    # Checked against Flask: MethodView collects ``methods`` from its bases wherever they are.
    files = {
        "base.py": """\
            from flask.views import MethodView

            class BaseAPI(MethodView):
                def get(self):
                    return ""
        """,
        "app.py": """\
            from flask import Flask
            from base import BaseAPI

            class UserAPI(BaseAPI):
                def post(self):
                    return ""

            app = Flask(__name__)
            app.add_url_rule("/users", view_func=UserAPI.as_view("users"))
        """,
    }
    r = route(model(files), "/users")
    assert r.methods == ("GET", "POST"), (
        f"UserAPI(BaseAPI) serves BaseAPI.get too (base class in base.py); model says {r.methods}"
    )


def test_plain_view_dispatch_request_defaults_to_get() -> None:
    # Checked against Flask: a View without ``methods`` is registered for GET.
    files = {
        "app.py": """\
            from flask import Flask
            from flask.views import View

            class PageView(View):
                def dispatch_request(self):
                    return ""

            class FormView(View):
                methods = ["GET", "POST"]

                def dispatch_request(self):
                    return ""

            app = Flask(__name__)
            app.add_url_rule("/page", view_func=PageView.as_view("page"))
            app.add_url_rule("/form", view_func=FormView.as_view("form"))
        """
    }
    m = model(files)
    assert route(m, "/form").methods == ("GET", "POST")
    page = route(m, "/page")
    assert page.methods == ("GET",), (
        f"View.dispatch_request is not an HTTP method; Flask registers GET, model says "
        f"{page.methods}"
    )


def test_method_view_decorators_give_auth_including_inherited() -> None:
    files = {
        "base.py": """\
            from flask.views import MethodView
            from flask_login import login_required

            class Protected(MethodView):
                decorators = [login_required]
        """,
        "app.py": """\
            from flask import Flask
            from flask.views import MethodView
            from flask_login import login_required
            from base import Protected

            class Secret(MethodView):
                decorators = (login_required,)

                def get(self):
                    return ""

            class Inherits(Protected):
                def post(self):
                    return ""

            class Open(MethodView):
                def get(self):
                    return ""

            app = Flask(__name__)
            app.add_url_rule("/secret", view_func=Secret.as_view("secret"))
            app.add_url_rule("/inherits", view_func=Inherits.as_view("inherits"))
            app.add_url_rule("/open", view_func=Open.as_view("open"))
        """,
    }
    m = model(files)
    assert (route(m, "/secret").auth, route(m, "/secret").auth_via) == (True, ("login_required",))
    assert route(m, "/inherits").auth is True
    assert (route(m, "/open").auth, route(m, "/open").auth_via) == (False, ())


def test_view_wrapped_by_calling_a_decorator_in_add_url_rule() -> None:
    files = {
        "app.py": """\
            from flask import Flask
            from flask_login import login_required

            app = Flask(__name__)

            def report():
                return ""

            app.add_url_rule("/report", view_func=login_required(report), endpoint="report")
            app.add_url_rule("/public-report", view_func=report, endpoint="public_report")
        """
    }
    m = model(files)
    wrapped = route(m, "/report")
    assert (wrapped.auth, wrapped.auth_via, wrapped.endpoint) == (
        True,
        ("login_required",),
        "report",
    )
    assert (wrapped.path, wrapped.line) == ("app.py", 6)
    assert route(m, "/public-report").auth is False


def test_flask_admin_view_with_is_accessible() -> None:
    files = {
        "admin.py": """\
            from flask import Flask
            from flask.views import MethodView
            from flask_login import current_user

            class SecureView(MethodView):
                def is_accessible(self):
                    return current_user.is_authenticated

                def get(self):
                    return ""

            app = Flask(__name__)
            app.add_url_rule("/manage", view_func=SecureView.as_view("manage"))
        """
    }
    r = route(model(files), "/manage")
    assert (r.auth, r.auth_via) == (True, ("is_accessible",))


# -- Flask-RESTful / Flask-RESTX ------------------------------------------------------------------


def test_flask_restful_resources_on_app_blueprint_and_init_app() -> None:
    # Checked against Flask-RESTful 0.3.10.
    files = {
        "rapp/resources.py": """\
            from flask_restful import Resource
            from flask_login import login_required

            class TodoList(Resource):
                method_decorators = [login_required]

                def get(self):
                    return []

                def post(self):
                    return {}

            class Todo(Resource):
                def get(self, todo_id):
                    return {}

                def delete(self, todo_id):
                    return ""

                def put(self, todo_id):
                    return {}
        """,
        "rapp/__init__.py": """\
            from flask import Flask, Blueprint
            from flask_restful import Api
            from rapp.resources import TodoList, Todo

            def create_app():
                app = Flask(__name__)
                api = Api(app)
                api.add_resource(TodoList, "/todos", "/todos/")
                bp = Blueprint("v2", __name__)
                api2 = Api(bp, prefix="/v2")
                api2.add_resource(Todo, "/todos/<int:todo_id>", endpoint="todo")
                app.register_blueprint(bp, url_prefix="/api")
                api3 = Api(prefix="/late")
                api3.add_resource(Todo, "/t/<todo_id>")
                api3.init_app(app)
                return app
        """,
    }
    m = model(files)
    assert served(m) == {
        ("/api/v2/todos/<int:todo_id>", ("DELETE", "GET", "PUT"), "v2.todo"),
        ("/late/t/<todo_id>", ("DELETE", "GET", "PUT"), "todo"),
        ("/todos", ("GET", "POST"), "todolist"),
        ("/todos/", ("GET", "POST"), "todolist"),
    }
    todos = route(m, "/todos")
    assert (todos.path, todos.line) == ("rapp/resources.py", 4)
    assert (todos.auth, todos.auth_via) == (True, ("login_required",))
    assert route(m, "/late/t/<todo_id>").auth is False


def test_flask_restful_add_resource_with_several_urls() -> None:
    files = {
        "api.py": """\
            from flask import Flask
            from flask_restful import Api, Resource

            app = Flask(__name__)

            class Item(Resource):
                def get(self):
                    return {}

                def patch(self):
                    return {}

            Api(app).add_resource(Item, "/a", "/b")
        """
    }
    m = model(files)
    assert served(m) == {("/a", ("GET", "PATCH"), "item"), ("/b", ("GET", "PATCH"), "item")}


def test_flask_restx_namespace_added_to_api() -> None:
    # Checked against Flask-RESTX 1.3.2: /api/items/<int:id> GET,PUT endpoint items_item_list.
    files = {
        "rx.py": """\
            from flask import Flask
            from flask_restx import Api, Namespace, Resource

            app = Flask(__name__)
            api = Api(app, prefix="/api", doc=False)
            ns = Namespace("items", path="/items")
            api.add_namespace(ns)

            @ns.route("/<int:id>")
            class ItemList(Resource):
                def get(self, id):
                    return ""

                def put(self, id):
                    return ""
        """
    }
    m = model(files)
    rules = [(r.rule, r.methods, len(r.apps)) for r in m.routes]
    assert rules == [("/api/items/<int:id>", ("GET", "PUT"), 1)], (
        "a RESTX Namespace added with api.add_namespace(ns) is served by the Api's app under "
        f"the Api prefix + namespace path; model has (rule, methods, #apps) {rules}"
    )


def test_flask_restx_default_endpoint_is_snake_case() -> None:
    # Checked against Flask-RESTX 1.3.2: ``@api.route`` on class HelloWorld -> "hello_world".
    files = {
        "rx.py": """\
            from flask import Flask
            from flask_restx import Api, Resource

            app = Flask(__name__)
            api = Api(app, prefix="/api")

            @api.route("/hello")
            class HelloWorld(Resource):
                def get(self):
                    return {}
        """
    }
    r = route(model(files), "/api/hello")
    assert r.methods == ("GET",)
    assert r.endpoint == "hello_world", (
        f"Flask-RESTX names the endpoint camel_to_dash(class name); model says {r.endpoint!r}"
    )


# -- authentication -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("imports", "decorator", "via"),
    [
        ("from flask_login import login_required", "@login_required", "login_required"),
        (
            "from flask_login import fresh_login_required",
            "@fresh_login_required",
            "fresh_login_required",
        ),
        ("import flask_login", "@flask_login.login_required", "flask_login.login_required"),
        ("from flask_security import auth_required", '@auth_required("session")', "auth_required"),
        ("from flask_security import roles_required", '@roles_required("admin")', "roles_required"),
        (
            "from flask_security import roles_accepted",
            '@roles_accepted("a", "b")',
            "roles_accepted",
        ),
        ("from flask_jwt_extended import jwt_required", "@jwt_required()", "jwt_required"),
        (
            "from flask_httpauth import HTTPBasicAuth\nauth = HTTPBasicAuth()",
            "@auth.login_required",
            "auth.login_required",
        ),
        (
            "from flask_httpauth import HTTPTokenAuth\ntokens = HTTPTokenAuth()",
            "@tokens.login_required(role='admin')",
            "tokens.login_required",
        ),
        (
            "from flask_principal import Permission, RoleNeed\n"
            "admin_permission = Permission(RoleNeed('admin'))",
            "@admin_permission.require(http_exception=403)",
            "admin_permission.require",
        ),
    ],
)
def test_library_auth_decorators(imports: str, decorator: str, via: str) -> None:
    source = (
        "from flask import Flask\n"
        f"{imports}\n"
        "app = Flask(__name__)\n"
        "@app.route('/private')\n"
        f"{decorator}\n"
        "def private():\n"
        "    return ''\n"
        "@app.route('/public')\n"
        "def public():\n"
        "    return ''\n"
    )
    m = model({"app.py": source})
    private = route(m, "/private")
    assert (private.auth, private.auth_via) == (True, (via,))
    assert private.misplaced_auth == ()
    public = route(m, "/public")
    assert (public.auth, public.auth_via) == (False, ())


AUTH_DECORATORS: Files = {
    "secure/auth.py": """\
        from functools import wraps
        from flask import abort, redirect, session, url_for, current_app
        from flask_login import current_user, login_required

        def admin_required(f):
            @wraps(f)
            def wrapper(*args, **kwargs):
                if not current_user.is_authenticated or not current_user.is_admin:
                    abort(403)
                return f(*args, **kwargs)
            return wrapper

        def needs_account(f):
            @wraps(f)
            def wrapper(*args, **kwargs):
                if "user_id" not in session:
                    return redirect(url_for("auth.login"))
                return f(*args, **kwargs)
            return wrapper

        def staff_only(f):
            return login_required(f)

        def log_calls(f):
            @wraps(f)
            def wrapper(*args, **kwargs):
                current_app.logger.info("call %s by %s", f.__name__, current_user)
                return f(*args, **kwargs)
            return wrapper

        def auth_audit(f):
            @wraps(f)
            def wrapper(*args, **kwargs):
                print("audit", f.__name__)
                return f(*args, **kwargs)
            return wrapper

        def members_only(f):
            @wraps(f)
            def wrapper(*args, **kwargs):
                if not current_user.is_authenticated:
                    return {"error": "unauthorized"}, 401
                return f(*args, **kwargs)
            return wrapper
    """,
    "secure/views.py": """\
        from flask import Blueprint
        from flask_caching import Cache
        from corp.security import requires_auth
        from secure import auth
        from secure.auth import admin_required, needs_account, staff_only, log_calls, auth_audit

        cache = Cache()
        bp = Blueprint("views", __name__)

        @bp.route("/admin")
        @admin_required
        def admin():
            return ""

        @bp.route("/account")
        @needs_account
        def account():
            return ""

        @bp.route("/staff")
        @staff_only
        def staff():
            return ""

        @bp.route("/logged")
        @log_calls
        def logged():
            return ""

        @bp.route("/audited")
        @auth_audit
        def audited():
            return ""

        @bp.route("/corp")
        @requires_auth
        def corp():
            return ""

        @bp.route("/cached")
        @cache.cached(timeout=60)
        def cached():
            return ""

        @bp.route("/module-attr")
        @auth.admin_required
        def module_attr():
            return ""

        @bp.route("/api-data")
        @auth.members_only
        def api_data():
            return ""
    """,
    "secure/__init__.py": """\
        from flask import Flask

        def create_app():
            app = Flask(__name__)
            from secure.views import bp
            app.register_blueprint(bp)
            return app
    """,
}


@pytest.mark.parametrize(
    ("rule", "auth", "via"),
    [
        ("/admin", True, ("admin_required",)),
        ("/account", True, ("needs_account",)),
        ("/staff", True, ("staff_only",)),
        ("/module-attr", True, ("auth.admin_required",)),
        ("/corp", True, ("requires_auth",)),  # unknown library: its name says so
        ("/logged", False, ()),  # only logs, though it mentions current_user
        ("/audited", False, ()),  # named like auth, but its code does nothing of the kind
        ("/cached", False, ()),
    ],
)
def test_project_defined_decorators(rule: str, auth: bool, via: tuple[str, ...]) -> None:
    r = route(model(AUTH_DECORATORS), rule)
    assert (r.auth, r.auth_via) == (auth, via), (
        f"{rule}: expected auth={auth} via={via}, model says auth={r.auth} via={r.auth_via} "
        "(a project decorator whose code the model reads is judged by that code, not by its "
        "name: auth_audit only prints)"
    )


def test_project_decorator_returning_401_under_a_user_test_is_auth() -> None:
    r = route(model(AUTH_DECORATORS), "/api-data")
    assert (r.auth, r.auth_via) == (True, ("auth.members_only",)), (
        "members_only returns ({...}, 401) when current_user is not authenticated: that turns "
        f"anonymous users away; model says auth={r.auth} via={r.auth_via}"
    )


def test_auth_decorator_above_the_route_is_misplaced() -> None:
    m = model(SHOP)
    orders = route(m, "/orders")
    assert (orders.auth, orders.auth_via) == (False, ())
    assert [(name, loc.line) for name, loc in orders.misplaced_auth] == [
        ("login_required", line_of(SHOP, "shop/views.py", '@app.post("/orders")') - 1)
    ]
    # ``@app.route("/a") @login_required @app.route("/b")``: /b is public, /a is protected.
    b = route(m, "/b")
    assert (b.auth, [name for name, _ in b.misplaced_auth]) == (False, ["login_required"])
    a = route(m, "/a")
    assert (a.auth, a.auth_via, a.misplaced_auth) == (True, ("login_required",), ())
    item = route(m, "/items/<int:item_id>")
    assert (item.auth, item.misplaced_auth) == (True, ())


def test_misplaced_auth_location_is_the_decorator_line() -> None:
    files = {
        "app.py": """\
            from flask import Flask
            from flask_login import login_required

            app = Flask(__name__)

            @login_required
            @app.route("/settings", methods=["GET", "POST"])
            def settings():
                return ""
        """
    }
    r = route(model(files), "/settings")
    assert r.auth is False
    assert [(name, loc.line) for name, loc in r.misplaced_auth] == [("login_required", 6)]


def test_view_that_cannot_be_resolved_has_undecided_auth() -> None:
    files = {
        "app.py": """\
            from flask import Flask
            from thirdparty.views import external_view

            app = Flask(__name__)
            app.add_url_rule("/ext", view_func=external_view, methods=["POST"])
        """
    }
    r = route(model(files), "/ext")
    assert r.view is None
    assert (r.auth, r.auth_via) == (None, ())
    assert r.methods == ("POST",)


HOOKS: Files = {
    "hooked/__init__.py": """\
        from flask import Flask
        from hooked.a import bp_a
        from hooked.b import bp_b
        from hooked.c import bp_c
        from hooked.nested import parent, child

        def create_app():
            app = Flask(__name__)
            app.register_blueprint(bp_a, url_prefix="/a")
            app.register_blueprint(bp_b, url_prefix="/b")
            app.register_blueprint(bp_c)
            parent.register_blueprint(child, url_prefix="/child")
            app.register_blueprint(parent, url_prefix="/parent")

            @app.route("/root")
            def root():
                return ""

            return app
    """,
    "hooked/a.py": """\
        from flask import Blueprint, session, redirect, url_for

        bp_a = Blueprint("a", __name__)

        @bp_a.before_request
        def check_login():
            if "user_id" not in session:
                return redirect(url_for("auth.login"))

        @bp_a.route("/x", methods=["POST"])
        def x():
            return ""
    """,
    "hooked/b.py": """\
        from flask import Blueprint

        bp_b = Blueprint("b", __name__)

        @bp_b.route("/y")
        def y():
            return ""
    """,
    "hooked/c.py": """\
        from flask import Blueprint, request

        bp_c = Blueprint("c", __name__, url_prefix="/c")

        def audit():
            print(request.path)

        bp_c.before_request(audit)

        @bp_c.route("/z")
        def z():
            return ""
    """,
    "hooked/nested.py": """\
        from flask import Blueprint, abort
        from flask_login import current_user

        parent = Blueprint("parent", __name__)
        child = Blueprint("child", __name__)

        @parent.route("/own")
        def own():
            return ""

        @child.route("/kid")
        def kid():
            return ""

        @child.before_request
        def child_only():
            if not current_user.is_authenticated:
                abort(401)
    """,
}


def test_blueprint_hook_protects_only_its_blueprint() -> None:
    m = model(HOOKS)
    x = route(m, "/a/x")
    assert (x.auth, x.auth_via) == (True, ("before_request:check_login",))
    y = route(m, "/b/y")
    assert (y.auth, y.auth_via) == (False, ()), "the hook on blueprint a must not protect b"
    z = route(m, "/c/z")
    assert (z.auth, z.auth_via) == (False, ()), "a hook that only logs is not auth"
    assert route(m, "/root").auth is False
    hooks = {(h.function.qualname, h.enforces_auth, h.app_wide) for h in m.hooks}
    assert hooks == {
        ("check_login", True, False),
        ("audit", False, False),
        ("child_only", True, False),
    }


def test_child_blueprint_hook_does_not_protect_the_parent() -> None:
    m = model(HOOKS)
    kid = route(m, "/parent/child/kid")
    assert kid.endpoint == "parent.child.kid"
    assert (kid.auth, kid.auth_via) == (True, ("before_request:child_only",))
    own = route(m, "/parent/own")
    assert (own.auth, own.auth_via) == (False, ())


def test_parent_blueprint_hook_protects_nested_children() -> None:
    files = {
        "n.py": """\
            from flask import Flask, Blueprint, abort
            from flask_login import current_user

            app = Flask(__name__)
            parent = Blueprint("parent", __name__)
            child = Blueprint("child", __name__)

            @parent.before_request
            def guard():
                if not current_user.is_authenticated:
                    abort(401)

            @child.route("/kid")
            def kid():
                return ""

            parent.register_blueprint(child, url_prefix="/c")
            app.register_blueprint(parent, url_prefix="/p")
        """
    }
    r = route(model(files), "/p/c/kid")
    assert (r.auth, r.auth_via) == (True, ("before_request:guard",))


def test_app_hook_in_a_factory_protects_every_route() -> None:
    files = {
        "portal/__init__.py": """\
            from flask import Flask
            from portal.guards import require_login

            def create_app():
                app = Flask(__name__)
                app.before_request(require_login)
                from portal.views import bp
                app.register_blueprint(bp, url_prefix="/v")

                @app.get("/home")
                def home():
                    return ""

                return app
        """,
        "portal/guards.py": """\
            from flask import request, redirect
            from flask_login import current_user

            def require_login():
                if request.endpoint == "static":
                    return None
                if not current_user.is_authenticated:
                    return redirect("/login")
        """,
        "portal/views.py": """\
            from flask import Blueprint
            bp = Blueprint("views", __name__)

            @bp.route("/page")
            def page():
                return ""
        """,
    }
    m = model(files)
    for rule in ("/home", "/v/page"):
        r = route(m, rule)
        assert (r.auth, r.auth_via) == (True, ("before_request:require_login",)), rule


def test_before_app_request_on_a_blueprint_protects_the_whole_app() -> None:
    files = {
        "app.py": """\
            from flask import Flask, Blueprint, g, abort
            from other import other

            app = Flask(__name__)
            auth_bp = Blueprint("auth", __name__)

            @auth_bp.before_app_request
            def load_and_require():
                if g.user is None:
                    abort(401)

            @app.route("/direct")
            def direct():
                return ""

            app.register_blueprint(auth_bp)
            app.register_blueprint(other, url_prefix="/o")
        """,
        "other.py": """\
            from flask import Blueprint
            other = Blueprint("other", __name__)

            @other.route("/page")
            def page():
                return ""
        """,
    }
    m = model(files)
    for rule in ("/direct", "/o/page"):
        r = route(m, rule)
        assert (r.auth, r.auth_via) == (True, ("before_request:load_and_require",)), rule


def test_app_hook_does_not_protect_another_app() -> None:
    files = {
        "shared.py": """\
            from flask import Blueprint
            bp = Blueprint("shared", __name__)

            @bp.route("/s")
            def s():
                return ""
        """,
        "internal.py": """\
            from flask import Flask, session, abort
            from shared import bp

            internal = Flask("internal")
            internal.register_blueprint(bp, url_prefix="/int")

            @internal.before_request
            def require_login():
                if not session.get("user_id"):
                    abort(401)
        """,
        "public.py": """\
            from flask import Flask
            from shared import bp

            public = Flask("public")
            public.register_blueprint(bp, url_prefix="/pub")
        """,
    }
    m = model(files)
    assert route(m, "/int/s").auth is True
    assert route(m, "/pub/s").auth is False


def test_decorator_and_hook_auth_are_both_listed() -> None:
    files = {
        "app.py": """\
            from flask import Flask, abort
            from flask_login import login_required, current_user

            app = Flask(__name__)

            @app.before_request
            def guard():
                if not current_user.is_authenticated:
                    abort(401)

            @app.route("/both")
            @login_required
            def both():
                return ""
        """
    }
    r = route(model(files), "/both")
    assert r.auth_via == ("login_required", "before_request:guard")


@pytest.mark.parametrize(
    "hook",
    [
        # the idiom "decorate the hook with login_required"
        """\
        @bp.before_request
        @login_required
        def before():
            pass
        """,
        # a hook that answers 401 itself
        """\
        @bp.before_request
        def before():
            if not current_user.is_authenticated:
                return "Unauthorized", 401
        """,
        """\
        @bp.before_request
        def before():
            if request.endpoint != "secure.login" and not current_user.is_authenticated:
                return {"error": "login required"}, 401
        """,
    ],
    ids=["login_required-on-hook", "return-401-tuple", "return-401-unless-login-endpoint"],
)
def test_hooks_that_enforce_login(hook: str) -> None:
    files = {
        "app.py": "from flask import Flask, Blueprint, request\n"
        "from flask_login import login_required, current_user\n"
        "app = Flask(__name__)\n"
        'bp = Blueprint("secure", __name__)\n'
        + textwrap.dedent(hook)
        + '@bp.route("/data", methods=["PUT"])\n'
        "def data():\n"
        "    return ''\n"
        'app.register_blueprint(bp, url_prefix="/s")\n'
    }
    m = model(files)
    r = route(m, "/s/data")
    hooks = [(h.function.qualname, h.enforces_auth) for h in m.hooks]
    assert (r.auth, r.auth_via) == (True, ("before_request:before",)), (
        f"this before_request hook turns anonymous users away; hooks seen: {hooks}, "
        f"route auth={r.auth} via={r.auth_via}"
    )


def test_hooks_that_do_not_enforce_login() -> None:
    files = {
        "app.py": """\
            from flask import Flask, g, session, request

            app = Flask(__name__)

            @app.before_request
            def load_user():
                g.user = session.get("user_id")

            @app.before_request
            def log_request():
                app.logger.info("%s %s", request.method, request.path)

            @app.route("/p")
            def p():
                return ""
        """
    }
    m = model(files)
    assert (route(m, "/p").auth, route(m, "/p").auth_via) == (False, ())
    assert {(h.function.qualname, h.enforces_auth) for h in m.hooks} == {
        ("load_user", False),
        ("log_request", False),
    }


EXTRA_AUTH: Files = {
    "myapp/__init__.py": "",
    "myapp/perms.py": """\
        def company_admin(f):
            return f

        def sso_protected():
            def decorate(f):
                return f
            return decorate
    """,
    "myapp/app.py": """\
        from flask import Flask
        import corp_sso
        from myapp import perms
        from myapp.perms import company_admin, sso_protected

        app = Flask(__name__)

        @app.route("/a")
        @company_admin
        def a():
            return ""

        @app.route("/b")
        @perms.company_admin
        def b():
            return ""

        @app.route("/c")
        @corp_sso.protected(level=2)
        def c():
            return ""

        @app.route("/d")
        @sso_protected()
        def d():
            return ""

        @app.route("/e")
        def e():
            return ""
    """,
}


def test_extra_auth_decorators_from_pyproject(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            **EXTRA_AUTH,
            "pyproject.toml": """\
                [tool.flaskguard]
                extra-auth-decorators = ["company_admin", "corp_sso.protected"]
            """,
        },
    )
    m = scanned_model(tmp_path)
    assert {(r.rule, r.auth, r.auth_via) for r in m.routes} == {
        ("/a", True, ("company_admin",)),
        ("/b", True, ("perms.company_admin",)),
        ("/c", True, ("corp_sso.protected",)),
        ("/d", False, ()),
        ("/e", False, ()),
    }


def test_without_extra_auth_decorators_project_no_ops_are_not_auth(tmp_path: Path) -> None:
    write(tmp_path, {**EXTRA_AUTH, "pyproject.toml": "[project]\nname = 'x'\n"})
    m = scanned_model(tmp_path)
    assert {(r.rule, r.auth) for r in m.routes} == {
        ("/a", False),
        ("/b", False),
        ("/c", False),
        ("/d", False),
        ("/e", False),
    }


def test_extra_auth_decorators_by_dotted_project_name(tmp_path: Path) -> None:
    # The setting's documentation: "a dotted name like 'myapp.auth.admin_required' or
    # 'admin_required'".
    write(
        tmp_path,
        {
            **EXTRA_AUTH,
            "pyproject.toml": """\
                [tool.flaskguard]
                extra-auth-decorators = ["myapp.perms.company_admin", "myapp.perms.sso_protected"]
            """,
        },
    )
    m = scanned_model(tmp_path)
    found = {(r.rule, r.auth) for r in m.routes}
    assert found == {("/a", True), ("/b", True), ("/c", False), ("/d", True), ("/e", False)}, (
        "extra-auth-decorators = ['myapp.perms.company_admin', 'myapp.perms.sso_protected'] "
        f"names project functions by dotted path; model says {sorted(found)}"
    )


# -- CSRF ---------------------------------------------------------------------------------------


def test_csrf_protect_via_init_app_in_a_factory() -> None:
    m = model(SHOP)
    assert route(m, "/items/<int:item_id>").csrf is True
    assert route(m, "/orders").csrf is True
    assert route(m, "/api/v1/things/<string(length=3):code>").csrf is True
    for safe in ("/", "/api/ping", "/admin/users", "/files/<path:name>"):
        assert route(m, safe).csrf is None, safe
    hook = route(m, "/api/hook")
    assert hook.csrf is False
    assert hook.csrf_exempt_at is not None
    exempt_line = line_of(SHOP, "shop/api.py", "@csrf.exempt")
    assert (hook.csrf_exempt_at[0], hook.csrf_exempt_at[1].line) == ("shop/api.py", exempt_line)
    (csrf,) = m.extensions_of("csrf")
    assert csrf.class_name == "flask_wtf.csrf.CSRFProtect"
    assert csrf.apps == (m.apps[0].instance,)


def test_csrf_exempt_calls_on_views_and_blueprints() -> None:
    files = {
        "app.py": """\
            from flask import Flask, Blueprint
            from flask_wtf.csrf import CSRFProtect

            app = Flask(__name__)
            csrf = CSRFProtect(app)
            api = Blueprint("api", __name__, url_prefix="/api")
            csrf.exempt(api)

            @api.route("/x", methods=["POST"])
            def x():
                return ""

            @app.route("/y", methods=["POST"])
            def y():
                return ""

            @app.route("/z", methods=["DELETE"])
            def z():
                return ""

            csrf.exempt(z)
            app.register_blueprint(api)
        """
    }
    m = model(files)
    x = route(m, "/api/x")
    assert x.csrf is False and x.csrf_exempt_at is not None
    assert x.csrf_exempt_at[1].line == 7
    z = route(m, "/z")
    assert z.csrf is False and z.csrf_exempt_at is not None
    assert z.csrf_exempt_at[1].line == line_of(files, "app.py", "csrf.exempt(z)")
    y = route(m, "/y")
    assert (y.csrf, y.csrf_exempt_at) == (True, None)


FORMS: Files = {
    "site/forms.py": """\
        from flask_wtf import FlaskForm
        from wtforms import StringField

        class CommentForm(FlaskForm):
            body = StringField("body")

        class NoCsrfForm(FlaskForm):
            class Meta:
                csrf = False

            body = StringField("body")
    """,
    "site/views.py": """\
        from flask import Blueprint, request, render_template, redirect
        from site.forms import CommentForm, NoCsrfForm

        bp = Blueprint("views", __name__)

        @bp.route("/comment", methods=["GET", "POST"])
        def comment():
            form = CommentForm()
            if form.validate_on_submit():
                return redirect("/")
            return render_template("c.html", form=form)

        @bp.route("/raw", methods=["POST"])
        def raw():
            return request.form["x"]

        @bp.route("/nocsrf", methods=["POST"])
        def nocsrf():
            form = NoCsrfForm()
            if form.validate_on_submit():
                return ""
            return ""

        @bp.route("/read")
        def read():
            return ""
    """,
    "site/app.py": """\
        from flask import Flask
        from site.views import bp

        app = Flask(__name__)
        app.register_blueprint(bp)
    """,
    "other/app.py": """\
        from flask import Flask
        from flask_wtf.csrf import CSRFProtect

        other = Flask("other")
        CSRFProtect(other)
    """,
}


def test_flask_form_validation_without_csrf_protect() -> None:
    m = model(FORMS)
    assert route(m, "/comment").csrf is True  # validate_on_submit checks the token
    assert route(m, "/nocsrf").csrf is False  # Meta.csrf = False
    assert route(m, "/raw").csrf is False, "CSRFProtect on another app does not protect this one"
    assert route(m, "/read").csrf is None


@pytest.mark.parametrize(
    "protect",
    [
        "from flask_wtf.csrf import CSRFProtect\nCSRFProtect(app)",
        "from flask_wtf import CsrfProtect\nCsrfProtect(app)",
        "from flask_seasurf import SeaSurf\ncsrf = SeaSurf()\ncsrf.init_app(app)",
        "import flask_wtf\ncsrf = flask_wtf.CSRFProtect()\ncsrf.init_app(app=app)",
    ],
)
def test_csrf_protectors(protect: str) -> None:
    source = (
        "from flask import Flask\n"
        "app = Flask(__name__)\n"
        f"{protect}\n"
        "@app.route('/form', methods=['GET', 'POST'])\n"
        "def form():\n"
        "    return ''\n"
        "@app.route('/page')\n"
        "def page():\n"
        "    return ''\n"
    )
    m = model({"app.py": source})
    assert route(m, "/form").csrf is True
    assert route(m, "/page").csrf is None
    (protector,) = m.extensions_of("csrf")
    assert protector.apps == (m.apps[0].instance,)


# -- extensions -----------------------------------------------------------------------------------


def test_extensions_bound_by_constructor_and_init_app_with_settings() -> None:
    files = {
        "ext/extensions.py": """\
            from flask_wtf import CSRFProtect
            from flask_talisman import Talisman
            from flask_cors import CORS
            from flask_login import LoginManager
            from flask_limiter import Limiter
            from flask_limiter.util import get_remote_address
            from flask_session import Session
            from flask_security import Security
            from flask_principal import Principal

            csrf = CSRFProtect()
            talisman = Talisman()
            cors = CORS()
            login_manager = LoginManager()
            limiter = Limiter(key_func=get_remote_address, default_limits=["200 per day"])
            server_session = Session()
            security = Security()
            principal = Principal()
        """,
        "ext/app.py": """\
            from flask import Flask
            from flask_cors import cross_origin
            from ext.extensions import (
                csrf, talisman, cors, login_manager, limiter, server_session, security, principal
            )

            def create_app():
                app = Flask(__name__)
                csrf.init_app(app)
                talisman.init_app(app, force_https=False, content_security_policy=None)
                cors.init_app(app, supports_credentials=True)
                login_manager.init_app(app)
                limiter.init_app(app)
                server_session.init_app(app)
                security.init_app(app)
                principal.init_app(app)

                @app.route("/data", methods=["POST"])
                @cross_origin(origins="*")
                @limiter.limit("5 per minute")
                def data():
                    return ""

                return app
        """,
        "solo.py": """\
            from flask import Flask
            from flask_talisman import Talisman
            from flask_cors import CORS
            from flask_limiter import Limiter
            from flask_limiter.util import get_remote_address

            solo = Flask("solo")
            Talisman(solo, frame_options="SAMEORIGIN")
            CORS(solo, origins=["https://example.com"])
            Limiter(get_remote_address, app=solo)
        """,
    }
    m = model(files)
    factory = next(a.instance for a in m.apps if a.path == "ext/app.py")
    solo = next(a.instance for a in m.apps if a.path == "solo.py")
    kinds = {(e.kind, e.class_name, e.path, e.apps) for e in m.extensions}
    assert kinds == {
        ("csrf", "flask_wtf.CSRFProtect", "ext/extensions.py", (factory,)),
        ("talisman", "flask_talisman.Talisman", "ext/extensions.py", (factory,)),
        ("cors", "flask_cors.CORS", "ext/extensions.py", (factory,)),
        ("login", "flask_login.LoginManager", "ext/extensions.py", (factory,)),
        ("limiter", "flask_limiter.Limiter", "ext/extensions.py", (factory,)),
        ("server_session", "flask_session.Session", "ext/extensions.py", (factory,)),
        ("security", "flask_security.Security", "ext/extensions.py", (factory,)),
        ("principal", "flask_principal.Principal", "ext/extensions.py", (factory,)),
        ("talisman", "flask_talisman.Talisman", "solo.py", (solo,)),
        ("cors", "flask_cors.CORS", "solo.py", (solo,)),
        ("limiter", "flask_limiter.Limiter", "solo.py", (solo,)),
    }
    (talisman,) = m.extensions_of("talisman", factory)
    assert m.constant(*talisman.option("force_https")[:2]) is False  # type: ignore[index]
    assert talisman.option("content_security_policy") is not None
    assert talisman.option("frame_options") is None
    (cors,) = m.extensions_of("cors", factory)
    assert m.constant(*cors.option("supports_credentials")[:2]) is True  # type: ignore[index]
    (limiter,) = m.extensions_of("limiter", factory)
    assert [name for name, *_ in limiter.options] == ["key_func", "default_limits"]
    assert [e.path for e in m.extensions_of("talisman", solo)] == ["solo.py"]
    data = route(m, "/data")
    assert data.decorators == ("cross_origin", "limiter.limit")
    assert (data.auth, data.auth_via) == (False, ()), "CORS and rate limits are not auth"
    assert data.csrf is True


# -- configuration --------------------------------------------------------------------------------

CONFIG_PROJECT: Files = {
    "proj/config.py": """\
        import os

        class Config:
            SECRET_KEY = os.environ.get("SECRET_KEY", "fallback-secret")
            DEBUG = False
            SESSION_COOKIE_SECURE = False
            SQLALCHEMY_ECHO = True

        class ProductionConfig(Config):
            SESSION_COOKIE_SECURE = True
            SQLALCHEMY_ECHO = False

        class DevelopmentConfig(Config):
            DEBUG = True

        class CIConfig(Config):
            TESTING = True
            WTF_CSRF_ENABLED = False

        class ReplicaCIConfig(CIConfig):
            LOGIN_DISABLED = True

        config = {
            "production": ProductionConfig,
            "development": DevelopmentConfig,
            "ci": CIConfig,
        }
    """,
    "proj/__init__.py": """\
        import os
        from flask import Flask
        from proj.config import config

        def create_app(name="production"):
            app = Flask(__name__, instance_relative_config=True)
            app.config.from_object(config[name])
            app.config.from_pyfile("deploy_values.py", silent=True)
            app.config.from_envvar("APP_SETTINGS", silent=True)
            app.config.from_prefixed_env()
            app.config.from_mapping(MAX_CONTENT_LENGTH=1024, DATABASE="app.sqlite")
            app.config.update(MAIL_SERVER="smtp.example.com")
            app.config.update({"MAIL_PORT": 2525})
            app.config["PREFERRED_URL_SCHEME"] = "https"
            app.secret_key = os.getenv("APP_KEY", "abc")
            app.debug = False
            if app.testing:
                app.config["EXPLAIN_TEMPLATE_LOADING"] = True
            if app.debug:
                app.config["TEMPLATES_AUTO_RELOAD"] = True
            return app
    """,
    "proj/deploy_values.py": """\
        SESSION_COOKIE_SAMESITE = "Lax"
    """,
    "tests/conftest.py": """\
        import pytest
        from proj import create_app

        @pytest.fixture
        def app():
            app = create_app("ci")
            app.config["WTF_CSRF_ENABLED"] = False
            app.config.update(SERVER_NAME="localhost")
            return app
    """,
}


def test_config_class_profiles_with_inheritance() -> None:
    cm = settings(CONFIG_PROJECT)
    path = "proj/config.py"
    # The base value of SESSION_COOKIE_SECURE is overridden by ProductionConfig: only the
    # development and testing profiles get it.
    base_secure = setting(cm, "SESSION_COOKIE_SECURE", path, 6)
    assert base_secure.profile == "Config"
    assert base_secure.kind != "production" and not base_secure.in_production
    assert setting(cm, "SESSION_COOKIE_SECURE", path, 10).kind == "production"
    # DEBUG = False in the base is what ProductionConfig inherits.
    assert setting(cm, "DEBUG", path, 5).kind == "production"
    assert setting(cm, "DEBUG", path, 14).kind == "development"
    assert setting(cm, "SECRET_KEY", path, 4).in_production


def test_testing_true_makes_a_class_and_its_subclasses_testing() -> None:
    cm = settings(CONFIG_PROJECT)
    path = "proj/config.py"
    assert setting(cm, "TESTING", path, 17).kind == "testing"
    assert setting(cm, "WTF_CSRF_ENABLED", path, 18).kind == "testing"
    assert (
        setting(cm, "LOGIN_DISABLED", path, 21).kind == "testing"
    )  # ReplicaCIConfig(CIConfig) inherits TESTING


def test_values_written_in_conftest_are_testing() -> None:
    cm = settings(CONFIG_PROJECT)
    assert setting(cm, "WTF_CSRF_ENABLED", "tests/conftest.py", 7).kind == "testing"
    assert setting(cm, "SERVER_NAME", "tests/conftest.py", 8).kind == "testing"
    assert not cm.in_production("SERVER_NAME")


def test_writes_on_the_app_in_a_factory() -> None:
    cm = settings(CONFIG_PROJECT)
    path = "proj/__init__.py"
    found = {
        (s.key, s.loc.line, s.kind)
        for s in cm.settings
        if s.path == path
        and s.key
        in {
            "MAX_CONTENT_LENGTH",
            "DATABASE",
            "MAIL_SERVER",
            "MAIL_PORT",
            "PREFERRED_URL_SCHEME",
            "SECRET_KEY",
            "DEBUG",
            "EXPLAIN_TEMPLATE_LOADING",
            "TEMPLATES_AUTO_RELOAD",
        }
    }
    assert found == {
        ("MAX_CONTENT_LENGTH", 11, "default"),
        ("DATABASE", 11, "default"),
        ("MAIL_SERVER", 12, "default"),
        ("MAIL_PORT", 13, "default"),
        ("PREFERRED_URL_SCHEME", 14, "default"),
        ("SECRET_KEY", 15, "default"),
        ("DEBUG", 16, "default"),
        ("EXPLAIN_TEMPLATE_LOADING", 18, "testing"),
        ("TEMPLATES_AUTO_RELOAD", 20, "development"),
    }


def test_from_pyfile_in_the_project_is_read() -> None:
    cm = settings(CONFIG_PROJECT)
    found = setting(cm, "SESSION_COOKIE_SAMESITE", "proj/deploy_values.py", 1)
    assert found.in_production


def test_env_lookups_evaluate_to_their_defaults() -> None:
    project = make_project(CONFIG_PROJECT)
    cm = config_model(project)
    evaluator = analysis_for(project).evaluator
    secret = setting(cm, "SECRET_KEY", "proj/config.py", 4)
    assert evaluator.evaluate(secret.value, secret.frame).value == "fallback-secret"
    app_key = setting(cm, "SECRET_KEY", "proj/__init__.py", 15)
    assert app_key.via == "app.secret_key"
    assert evaluator.evaluate(app_key.value, app_key.frame).value == "abc"


def test_from_object_by_dotted_string_includes_inherited_base_values() -> None:
    files = {
        "proj/defaults.py": """\
            class Base:
                SECRET_KEY = "base-secret-value"
                LOGIN_DISABLED = False

            class Live(Base):
                PREFERRED_URL_SCHEME = "https"
        """,
        "proj/app.py": """\
            from flask import Flask

            app = Flask(__name__)
            app.config.from_object("proj.defaults.Live")
        """,
    }
    cm = settings(files)
    assert setting(cm, "PREFERRED_URL_SCHEME", "proj/defaults.py", 6).kind == "production"
    keys = sorted((s.key, s.path, s.loc.line) for s in cm.settings)
    assert cm.in_production("SECRET_KEY"), (
        "from_object('proj.defaults.Live') gives the app Base.SECRET_KEY through inheritance; "
        f"the config model only has {keys}"
    )


def test_from_object_name_and_config_modules_by_path() -> None:
    files = {
        "site/app.py": """\
            from flask import Flask
            from site.config import local

            SESSION_COOKIE_HTTPONLY = True
            app = Flask(__name__)
            app.config.from_object(__name__)
            app.config.from_object(local)
            app.config.from_object("site.config.production")
        """,
        "site/config/__init__.py": "",
        "site/config/local.py": "DEBUG = True\n",
        "site/config/production.py": "DEBUG = False\n",
        "site/config/testing.py": "WTF_CSRF_ENABLED = False\n",
    }
    cm = settings(files)
    assert setting(cm, "SESSION_COOKIE_HTTPONLY", "site/app.py", 4).in_production
    assert setting(cm, "DEBUG", "site/config/local.py", 1).kind == "development"
    assert setting(cm, "DEBUG", "site/config/production.py", 1).kind == "production"
    assert setting(cm, "WTF_CSRF_ENABLED", "site/config/testing.py", 1).kind == "testing"


def test_conftest_fixture_config_and_tests_folder_are_testing() -> None:
    files = {
        "app.py": """\
            from flask import Flask
            app = Flask(__name__)
        """,
        "tests/conftest.py": """\
            import pytest
            from app import app as flask_app

            @pytest.fixture
            def client():
                flask_app.config["TESTING"] = True
                flask_app.secret_key = "test"
                return flask_app.test_client()
        """,
        "tests/settings.py": "SECRET_KEY = 'not-used-in-production'\n",
    }
    cm = settings(files)
    assert {(s.key, s.kind) for s in cm.settings} == {
        ("TESTING", "testing"),
        ("SECRET_KEY", "testing"),
    }


def test_factory_test_config_branch_is_testing_and_the_other_is_not() -> None:
    # The Flask tutorial's factory: ``if test_config is None`` is the deployed branch.
    files = {
        "flaskr/__init__.py": """\
            from flask import Flask

            def create_app(test_config=None):
                app = Flask(__name__, instance_relative_config=True)
                if test_config is None:
                    app.config["SESSION_COOKIE_SECURE"] = False
                else:
                    app.config.update(test_config)
                    app.config["WTF_CSRF_ENABLED"] = False
                return app
        """
    }
    cm = settings(files)
    deployed = setting(cm, "SESSION_COOKIE_SECURE", "flaskr/__init__.py", 6)
    testing = setting(cm, "WTF_CSRF_ENABLED", "flaskr/__init__.py", 9)
    assert (deployed.kind, testing.kind) == ("default", "testing"), (
        "under `if test_config is None:` is the deployed configuration and the `else:` branch "
        f"is the test one; model says deployed={deployed.kind!r}, else-branch={testing.kind!r}"
    )


def test_unknown_library_admin_decorator_counts_by_its_name() -> None:
    files = {
        "app.py": """\
            from flask import Flask
            from company_sso import admin_required

            app = Flask(__name__)

            @app.route("/admin/users")
            @admin_required
            def users():
                return ""
        """
    }
    r = route(model(files), "/admin/users")
    assert r.auth is True and r.auth_via == ("admin_required",)


def test_configured_decorator_wins_over_words_that_usually_mean_public() -> None:
    files = {
        "app.py": """\
            from flask import Flask
            from company_sso import allow_staff

            app = Flask(__name__)

            @app.route("/reports")
            @allow_staff
            def reports():
                return ""
        """
    }
    assert route(model(files), "/reports").auth is False
    assert route(model(files, ("allow_staff",)), "/reports").auth is True


def test_project_decorator_whose_check_is_in_a_helper_it_calls() -> None:
    files = {
        "app.py": """\
            from functools import wraps
            from flask import Flask, abort, session

            app = Flask(__name__)

            def ensure_signed_in():
                if "user_id" not in session:
                    abort(401)

            def members_only(view):
                @wraps(view)
                def wrapper(*args, **kwargs):
                    ensure_signed_in()
                    return view(*args, **kwargs)
                return wrapper

            def logged(view):
                @wraps(view)
                def wrapper(*args, **kwargs):
                    print(view.__name__)
                    return view(*args, **kwargs)
                return wrapper

            @app.route("/members")
            @members_only
            def members():
                return ""

            @app.route("/open")
            @logged
            def open_page():
                return ""
        """
    }
    m = model(files)
    assert route(m, "/members").auth is True
    assert route(m, "/open").auth is False


def test_flask_appbuilder_views_and_apis() -> None:
    files = {
        "app.py": """\
            from flask import Flask
            from flask_appbuilder import AppBuilder, BaseView, expose, has_access
            from flask_appbuilder.api import BaseApi
            from flask_appbuilder.api import expose as api_expose
            from flask_appbuilder.security.decorators import protect

            app = Flask(__name__)
            appbuilder = AppBuilder(app)

            class ReportsView(BaseView):
                route_base = "/reports"

                @has_access
                @expose("/list/")
                def list(self):
                    return ""

                @expose("/export/", methods=["POST"])
                def export(self):
                    return ""

            class ItemApi(BaseApi):
                resource_name = "item"

                @api_expose("/<int:pk>", methods=["DELETE"])
                @protect()
                def delete(self, pk):
                    return ""

            class Plain(BaseView):
                @expose("/")
                def index(self):
                    return ""

            appbuilder.add_view_no_menu(ReportsView)
            appbuilder.add_api(ItemApi)
        """
    }
    m = model(files)
    listed = route(m, "/reports/list/")
    assert (listed.endpoint, listed.methods, listed.auth) == ("ReportsView.list", ("GET",), True)
    assert listed.misplaced_auth == ()  # AppBuilder applies decorators above expose too
    export = route(m, "/reports/export/")
    assert (export.methods, export.auth) == (("POST",), False)
    deleted = route(m, "/api/v1/item/<int:pk>")
    assert (deleted.methods, deleted.auth, deleted.auth_via) == (("DELETE",), True, ("protect",))
    assert route(m, "/plain/").endpoint == "Plain.index"


def test_flask_admin_views_are_routes_with_is_accessible_as_auth() -> None:
    files = {
        "app.py": """\
            from flask import Flask
            from flask_admin import Admin
            from flask_admin.contrib.sqla import ModelView

            app = Flask(__name__)
            admin = Admin(app, url="/backoffice")

            class Guarded(ModelView):
                def is_accessible(self):
                    return False

            admin.add_view(ModelView(User, db.session))
            admin.add_view(Guarded(Order, db.session, endpoint="orders"))
            admin.add_view(ModelView(Log, db.session, url="/logs"))
        """
    }
    m = model(files)
    users = route(m, "/backoffice/user")
    assert (users.endpoint, users.auth, users.methods) == (
        "user.index_view",
        False,
        ("GET", "POST"),
    )
    orders = route(m, "/backoffice/orders")
    assert (orders.auth, orders.auth_via) == (True, ("is_accessible",))
    assert route(m, "/logs").auth is False
