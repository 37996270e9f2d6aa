"""``flaskguard routes``: the real CLI in a subprocess, on small projects in ``tmp_path``."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

ROW_KEYS = ["rule", "methods", "endpoint", "view", "auth", "auth_via", "csrf"]

# A factory project: routes declared in ``register_routes(app)`` in another module, a
# blueprint whose registration prefix overrides its own, a login-enforcing before_request
# hook on it, a ``csrf.exempt`` view, a MethodView with ``decorators``, a misplaced
# ``@login_required``, a project decorator named in ``extra-auth-decorators``, and a module
# with a syntax error. The rules, methods and endpoints were checked against Flask 3.1.
SHOP = {
    "pyproject.toml": """\
        [project]
        name = "shop"

        [tool.flaskguard]
        extra-auth-decorators = ["company_admin"]
    """,
    "shop/__init__.py": """\
        from flask import Flask

        from shop.admin import admin
        from shop.api import ItemAPI
        from shop.extensions import csrf
        from shop.routes import register_routes


        def create_app():
            app = Flask(__name__)
            csrf.init_app(app)
            register_routes(app)
            app.register_blueprint(admin, url_prefix="/admin")
            app.add_url_rule("/api/items/<int:item_id>", view_func=ItemAPI.as_view("items"))
            return app
    """,
    "shop/extensions.py": """\
        from flask_wtf.csrf import CSRFProtect

        csrf = CSRFProtect()
    """,
    "shop/perms.py": """\
        def company_admin(view):
            return view
    """,
    "shop/routes.py": """\
        from flask_login import login_required

        from shop.perms import company_admin


        def register_routes(app):
            @app.route("/")
            def index():
                return "home"

            @app.route("/contact", methods=["GET", "POST"])
            def contact():
                return "thanks"

            @app.get("/reports")
            @company_admin
            def reports():
                return "reports"

            @login_required
            @app.post("/orders")
            def orders():
                return "created"
    """,
    "shop/admin.py": """\
        from flask import Blueprint, abort
        from flask_login import current_user

        from shop.extensions import csrf

        admin = Blueprint("admin", __name__, url_prefix="/ignored")


        @admin.before_request
        def require_login():
            if not current_user.is_authenticated:
                abort(401)


        @admin.route("/users/<int:uid>", methods=["GET", "DELETE"])
        def user(uid):
            return ""


        @csrf.exempt
        @admin.post("/webhook")
        def webhook():
            return ""
    """,
    "shop/api.py": """\
        from flask.views import MethodView
        from flask_login import login_required


        class ItemAPI(MethodView):
            decorators = [login_required]

            def get(self, item_id):
                return {}

            def put(self, item_id):
                return {}
    """,
    "shop/broken.py": """\
        def broken(:
            pass
    """,
}

SHOP_ROWS: list[dict[str, Any]] = [
    {
        "rule": "/",
        "methods": ["GET"],
        "endpoint": "index",
        "view": "shop/routes.py:8",
        "auth": False,
        "auth_via": [],
        "csrf": None,
    },
    {
        "rule": "/admin/users/<int:uid>",
        "methods": ["DELETE", "GET"],
        "endpoint": "admin.user",
        "view": "shop/admin.py:16",
        "auth": True,
        "auth_via": ["before_request:require_login"],
        "csrf": True,
    },
    {
        "rule": "/admin/webhook",
        "methods": ["POST"],
        "endpoint": "admin.webhook",
        "view": "shop/admin.py:22",
        "auth": True,
        "auth_via": ["before_request:require_login"],
        "csrf": False,
    },
    {
        "rule": "/api/items/<int:item_id>",
        "methods": ["GET", "PUT"],
        "endpoint": "items",
        "view": "shop/api.py:5",
        "auth": True,
        "auth_via": ["login_required"],
        "csrf": True,
    },
    {
        "rule": "/contact",
        "methods": ["GET", "POST"],
        "endpoint": "contact",
        "view": "shop/routes.py:12",
        "auth": False,
        "auth_via": [],
        "csrf": True,
    },
    {
        "rule": "/orders",
        "methods": ["POST"],
        "endpoint": "orders",
        "view": "shop/routes.py:22",
        "auth": False,
        "auth_via": [],
        "csrf": True,
    },
    {
        "rule": "/reports",
        "methods": ["GET"],
        "endpoint": "reports",
        "view": "shop/routes.py:17",
        "auth": True,
        "auth_via": ["company_admin"],
        "csrf": None,
    },
]


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def flaskguard(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flaskguard", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def routes_json(*args: str, cwd: Path) -> list[dict[str, Any]]:
    result = flaskguard("routes", *args, "--format", "json", cwd=cwd)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert isinstance(rows, list)
    return rows


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return write(tmp_path, SHOP)


def test_json_route_table(shop: Path) -> None:
    rows = routes_json(".", cwd=shop)
    assert rows == SHOP_ROWS
    assert all(list(row) == ROW_KEYS for row in rows)


def test_syntax_error_is_skipped_without_traceback(shop: Path) -> None:
    result = flaskguard("routes", ".", "--format", "json", cwd=shop)
    assert result.returncode == 0
    assert "Traceback" not in result.stderr
    assert json.loads(result.stdout) == SHOP_ROWS
    # The broken file alone: nothing to list, still no traceback.
    alone = flaskguard("routes", "shop/broken.py", "--format", "json", cwd=shop)
    assert (alone.returncode, "Traceback" in alone.stderr) == (0, False)
    assert json.loads(alone.stdout) == []


def test_text_route_table(shop: Path) -> None:
    result = flaskguard("routes", ".", cwd=shop)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert result.stdout == textwrap.dedent(
        """\
        RULE                      METHODS     ENDPOINT       VIEW               AUTH                                CSRF
        /                         GET         index          shop/routes.py:8   no                                  -
        /admin/users/<int:uid>    DELETE,GET  admin.user     shop/admin.py:16   yes (before_request:require_login)  yes
        /admin/webhook            POST        admin.webhook  shop/admin.py:22   yes (before_request:require_login)  no
        /api/items/<int:item_id>  GET,PUT     items          shop/api.py:5      yes (login_required)                yes
        /contact                  GET,POST    contact        shop/routes.py:12  no                                  yes
        /orders                   POST        orders         shop/routes.py:22  no                                  yes
        /reports                  GET         reports        shop/routes.py:17  yes (company_admin)                 -

        7 route(s).
        """
    )


def test_paths_are_relative_to_the_project_root_from_any_directory(
    shop: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    assert routes_json(str(shop), cwd=elsewhere) == SHOP_ROWS
    # Scanning a sub-folder or a single file of the project still names paths from its root.
    inside = routes_json("shop", cwd=shop)
    assert inside == SHOP_ROWS
    one_file = routes_json(str(shop / "shop" / "admin.py"), cwd=elsewhere)
    assert [(row["rule"], row["view"]) for row in one_file] == [
        ("/ignored/users/<int:uid>", "shop/admin.py:16"),
        ("/ignored/webhook", "shop/admin.py:22"),
    ]


def test_without_extra_auth_decorators_the_no_op_decorator_is_not_auth(shop: Path) -> None:
    (shop / "pyproject.toml").write_text("[project]\nname = 'shop'\n", encoding="utf-8")
    rows = {row["rule"]: row for row in routes_json(".", cwd=shop)}
    assert (rows["/reports"]["auth"], rows["/reports"]["auth_via"]) == (False, [])


def test_undecidable_auth_is_null_and_rows_are_not_repeated(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": "[project]\nname = 'svc'\n",
            "svc/shared.py": """\
                from flask import Blueprint

                bp = Blueprint("shared", __name__)


                @bp.route("/ping")
                def ping():
                    return "pong"
            """,
            "svc/one.py": """\
                from flask import Flask
                from thirdparty.views import upload

                from svc.shared import bp

                app = Flask("one")
                app.register_blueprint(bp)
                app.add_url_rule("/upload", view_func=upload, methods=["POST"], endpoint="upload")
            """,
            "svc/two.py": """\
                from flask import Flask

                from svc.shared import bp

                app = Flask("two")
                app.register_blueprint(bp)
            """,
        },
    )
    rows = routes_json(".", cwd=tmp_path)
    assert rows == [
        {
            "rule": "/ping",
            "methods": ["GET"],
            "endpoint": "shared.ping",
            "view": "svc/shared.py:7",
            "auth": False,
            "auth_via": [],
            "csrf": None,
        },
        {
            "rule": "/upload",
            "methods": ["POST"],
            "endpoint": "upload",
            "view": "svc/one.py:8",
            "auth": None,
            "auth_via": [],
            "csrf": False,
        },
    ]


def test_empty_project(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": "[project]\nname = 'e'\n", "lib.py": "X = 1\n"})
    assert routes_json(".", cwd=tmp_path) == []
    text = flaskguard("routes", ".", cwd=tmp_path)
    assert (text.returncode, text.stdout) == (0, "No routes found.\n")


def test_undecodable_file_is_skipped_without_traceback(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": "[project]\nname = 'x'\n",
            "app.py": """\
                from flask import Flask

                app = Flask(__name__)


                @app.route("/")
                def index():
                    return ""
            """,
        },
    )
    (tmp_path / "legacy.py").write_bytes(b"# -*- coding: utf-8 -*-\nNAME = '\xff\xfe caf\xe9'\n")
    rows = routes_json(".", cwd=tmp_path)
    assert [(row["rule"], row["view"]) for row in rows] == [("/", "app.py:7")]


def test_nonexistent_path_is_a_usage_error(tmp_path: Path) -> None:
    for fmt in ("text", "json"):
        result = flaskguard("routes", "no/such/dir", "--format", fmt, cwd=tmp_path)
        assert result.returncode == 2
        assert result.stdout == ""
        assert "no/such/dir" in result.stderr
        assert "no such file or directory" in result.stderr
        assert "Traceback" not in result.stderr


def test_invalid_configuration_is_a_usage_error(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": """\
                [tool.flaskguard]
                extra-auth-decorators = ["not a name"]
            """,
            "app.py": "from flask import Flask\napp = Flask(__name__)\n",
        },
    )
    result = flaskguard("routes", ".", "--format", "json", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "extra-auth-decorators" in result.stderr
    assert "Traceback" not in result.stderr
    broken = write(tmp_path / "broken_toml", {"pyproject.toml": "[tool.flaskguard\n"})
    result = flaskguard("routes", ".", cwd=broken)
    assert result.returncode == 2
    assert "invalid TOML" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_options(tmp_path: Path) -> None:
    jobs = flaskguard("routes", ".", "--jobs", "0", cwd=tmp_path)
    assert jobs.returncode == 2
    assert "--jobs must be at least 1" in jobs.stderr
    fmt = flaskguard("routes", ".", "--format", "sarif", cwd=tmp_path)
    assert fmt.returncode == 2
    assert "invalid choice" in fmt.stderr
    assert "Traceback" not in jobs.stderr + fmt.stderr
