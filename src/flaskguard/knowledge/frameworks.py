"""What flaskguard knows about Flask and its sibling frameworks, as data.

Names are canonical dotted paths of the public objects (``flask.Flask``), after resolving the
aliases under which libraries re-export them (:data:`CANONICAL_NAMES`). Facts come from
``shared/FLASK_SECURITY.md`` sections 1 and 2.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

# Re-exports and historic locations of the same object.
CANONICAL_NAMES: dict[str, str] = {
    "flask.app.Flask": "flask.Flask",
    "flask.sansio.app.App": "flask.Flask",
    "werkzeug.run_simple": "werkzeug.serving.run_simple",
    "flask_socketio.SocketIO": "flask_socketio.SocketIO",
    "quart.app.Quart": "quart.Quart",
    "sanic.app.Sanic": "sanic.Sanic",
    "dash.dash.Dash": "dash.Dash",
    "aiohttp.web_app.Application": "aiohttp.web.Application",
    "aiohttp.web.run_app": "aiohttp.web.run_app",
    "bottle.Bottle": "bottle.Bottle",
    "uvicorn.main.run": "uvicorn.run",
    "werkzeug.debug.DebuggedApplication": "werkzeug.debug.DebuggedApplication",
    "jupyter_dash.JupyterDash": "dash.Dash",
    "connexion.apps.flask_app.FlaskApp": "connexion.FlaskApp",
    "connexion.apps.flask.FlaskApp": "connexion.FlaskApp",
}

# Top-level packages (libraries and standard modules) the analyses know by name: a project
# module is never taken for one of them through a loose, suffix-matched import.
KNOWN_LIBRARIES = frozenset(
    {
        "flask",
        "werkzeug",
        "jinja2",
        "markupsafe",
        "itsdangerous",
        "click",
        "quart",
        "sanic",
        "dash",
        "connexion",
        "aiohttp",
        "bottle",
        "uvicorn",
        "gunicorn",
        "requests",
        "httpx",
        "urllib3",
        "yaml",
        "lxml",
        "defusedxml",
        "sqlalchemy",
        "jwt",
        "os",
        "sys",
        "subprocess",
        "hashlib",
        "hmac",
        "random",
        "secrets",
        "ssl",
        "socket",
        "pickle",
        "json",
        "logging",
        "threading",
        "multiprocessing",
        "urllib",
        "xml",
        "sqlite3",
        "shutil",
        "pathlib",
        "typing",
        "functools",
        "importlib",
    }
)

# Classes from other libraries that are Flask applications (subclasses of ``flask.Flask``).
KNOWN_SUBCLASSES: dict[str, str] = {
    "apiflask.APIFlask": "flask.Flask",
    "flask_openapi3.OpenAPI": "flask.Flask",
    "flask_openapi3.openapi.OpenAPI": "flask.Flask",
    "quart.Quart": "quart.Quart",
}

# Attributes of framework objects that are themselves framework objects.
KNOWN_ATTRIBUTES: dict[tuple[str, str], str] = {
    ("dash.Dash", "server"): "flask.Flask",
    ("connexion.App", "app"): "flask.Flask",
    ("connexion.FlaskApp", "app"): "flask.Flask",
}

# Calls that return an instance of a class without being its constructor.
INSTANCE_FACTORIES: dict[str, str] = {
    "bottle.default_app": "bottle.Bottle",
    "bottle.app": "bottle.Bottle",
}

# Objects started in a thread or process: (callable, position of the target, keyword).
THREAD_STARTERS: dict[str, tuple[int, str]] = {
    "threading.Thread": (1, "target"),
    "multiprocessing.Process": (1, "target"),
    "multiprocessing.context.Process": (1, "target"),
    "threading.Timer": (1, "function"),
}

LOOPBACK_HOSTS = frozenset({"localhost", "ip6-localhost", "ip6-loopback", "::1"})


def is_loopback(host: str) -> bool:
    host = host.strip().lower().strip("[]")
    return host in LOOPBACK_HOSTS or host.startswith("127.")


@dataclass(frozen=True)
class Param:
    """Where a setting is passed (keyword, and position counted without ``self``)."""

    name: str
    position: Optional[int] = None


@dataclass(frozen=True)
class DevServer:
    """A development-server entry point and how it defaults its settings."""

    framework: str
    display: str  # how the call is named in messages
    host: Optional[Param]
    # The host used when the argument is absent or None.
    default_host: str
    # Whether an empty host string means "all interfaces" (True) or the default host (False).
    empty_host_is_public: bool
    debug: Optional[Param]
    # Whether debug mode of this server runs Werkzeug's interactive debugger.
    debug_runs_werkzeug_debugger: bool
    use_debugger: Optional[Param] = None
    use_evalex: Optional[Param] = None
    dev_flag: Optional[Param] = None  # Sanic's ``dev=True`` implies debug
    reads_flask_debug: bool = False  # FLASK_DEBUG (and .flaskenv/.env) applies
    production_note: str = ""


_FLASK_NOTE = (
    "Under `flask run` this call is ignored with a warning and its arguments are discarded; "
    "under gunicorn, uWSGI or waitress the import itself starts Werkzeug's development server "
    "inside the worker, which then never serves the production server's port."
)
_BOTTLE_NOTE = (
    "Bottle's own loader ignores this call, but gunicorn or uWSGI importing the module "
    "start Bottle's single-threaded development server inside the worker."
)
_ASGI_NOTE = (
    "Under a production server that imports this module, a second server is started inside "
    "that server's process and the import never returns."
)

# Methods of application objects that start a development server.
DEV_SERVER_METHODS: dict[tuple[str, str], DevServer] = {
    ("flask.Flask", "run"): DevServer(
        framework="Flask",
        display="Flask.run",
        host=Param("host", 0),
        default_host="127.0.0.1",
        empty_host_is_public=False,
        debug=Param("debug", 2),
        debug_runs_werkzeug_debugger=True,
        use_debugger=Param("use_debugger"),
        use_evalex=Param("use_evalex"),
        reads_flask_debug=True,
        production_note=_FLASK_NOTE,
    ),
    ("flask_socketio.SocketIO", "run"): DevServer(
        framework="Flask-SocketIO",
        display="SocketIO.run",
        host=Param("host", 1),
        default_host="127.0.0.1",
        empty_host_is_public=True,
        debug=Param("debug"),
        debug_runs_werkzeug_debugger=True,
        use_debugger=Param("use_debugger"),
        use_evalex=Param("use_evalex"),
        reads_flask_debug=True,
        production_note=(
            "Under gunicorn or uWSGI the import starts Flask-SocketIO's own server inside the "
            "worker (Werkzeug's development server in threading mode), which blocks the import."
        ),
    ),
    ("dash.Dash", "run"): DevServer(
        framework="Dash",
        display="Dash.run",
        host=Param("host", 0),
        default_host="127.0.0.1",
        empty_host_is_public=False,
        debug=Param("debug", 3),
        debug_runs_werkzeug_debugger=True,
        production_note=(
            "Dash runs its Flask server through `Flask.run`: under gunicorn (`module:server`) the "
            "import starts Werkzeug's development server inside the worker."
        ),
    ),
    ("quart.Quart", "run"): DevServer(
        framework="Quart",
        display="Quart.run",
        host=Param("host", 0),
        default_host="127.0.0.1",
        empty_host_is_public=True,
        debug=Param("debug", 2),
        debug_runs_werkzeug_debugger=False,
        production_note=_ASGI_NOTE,
    ),
    ("sanic.Sanic", "run"): DevServer(
        framework="Sanic",
        display="Sanic.run",
        host=Param("host", 0),
        default_host="127.0.0.1",
        empty_host_is_public=True,
        debug=Param("debug"),
        debug_runs_werkzeug_debugger=False,
        dev_flag=Param("dev"),
        production_note=_ASGI_NOTE,
    ),
    ("bottle.Bottle", "run"): DevServer(
        framework="Bottle",
        display="Bottle.run",
        host=Param("host"),
        default_host="127.0.0.1",
        empty_host_is_public=True,
        debug=Param("debug"),
        debug_runs_werkzeug_debugger=False,
        production_note=_BOTTLE_NOTE,
    ),
}
DEV_SERVER_METHODS[("dash.Dash", "run_server")] = DEV_SERVER_METHODS[("dash.Dash", "run")]

# Functions that start a development server.
DEV_SERVER_FUNCTIONS: dict[str, DevServer] = {
    "werkzeug.serving.run_simple": DevServer(
        framework="Werkzeug",
        display="werkzeug.serving.run_simple",
        host=Param("hostname", 0),
        default_host="",
        empty_host_is_public=True,
        debug=None,
        debug_runs_werkzeug_debugger=True,
        use_debugger=Param("use_debugger", 4),
        use_evalex=Param("use_evalex", 5),
        production_note=(
            "Under a production server that imports this module, the import starts Werkzeug's "
            "development server inside the worker and never returns."
        ),
    ),
    "uvicorn.run": DevServer(
        framework="uvicorn",
        display="uvicorn.run",
        host=Param("host"),
        default_host="127.0.0.1",
        empty_host_is_public=True,
        debug=None,
        debug_runs_werkzeug_debugger=False,
        production_note=_ASGI_NOTE,
    ),
    "aiohttp.web.run_app": DevServer(
        framework="aiohttp",
        display="aiohttp.web.run_app",
        host=Param("host"),
        # ``host=None`` makes aiohttp bind every interface.
        default_host="0.0.0.0",
        empty_host_is_public=True,
        debug=None,
        debug_runs_werkzeug_debugger=False,
        production_note=_ASGI_NOTE,
    ),
    "bottle.run": DevServer(
        framework="Bottle",
        display="bottle.run",
        host=Param("host", 2),
        default_host="127.0.0.1",
        empty_host_is_public=True,
        debug=Param("debug"),
        debug_runs_werkzeug_debugger=False,
        production_note=_BOTTLE_NOTE,
    ),
}

# Production servers started from code: a script that calls these is not a dev-server entry.
PRODUCTION_SERVER_FUNCTIONS = frozenset(
    {"waitress.serve", "gevent.pywsgi.WSGIServer", "cheroot.wsgi.Server", "bjoern.run"}
)

DEBUGGED_APPLICATION = "werkzeug.debug.DebuggedApplication"

# Decorators that turn a function into a command-line entry point: calling the decorated
# name does not run the function body with the given arguments.
CLI_DECORATOR_ROOTS = ("click.", "typer.", "flask.cli.")
CLI_DECORATOR_ATTRIBUTES = frozenset({"command", "group", "cli"})

# Config values that mean "development only" when they name a configuration profile.
DEVELOPMENT_PROFILE_WORDS = ("dev", "debug", "local", "test")
