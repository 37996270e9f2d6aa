"""What flaskguard knows about Flask applications, blueprints, routes and extensions, as data.

Names are canonical dotted paths (see :mod:`flaskguard.knowledge.frameworks`). Facts come from
``shared/FLASK_SECURITY.md`` section 3 and the extensions' own sources cited there.
"""

from __future__ import annotations

from flaskguard.knowledge.frameworks import KNOWN_ATTRIBUTES, KNOWN_SUBCLASSES

# Flask application classes: ``flask.Flask`` and library subclasses of it.
APP_CLASSES = frozenset(
    {"flask.Flask", *(cls for cls, base in KNOWN_SUBCLASSES.items() if base == "flask.Flask")}
)

# Blueprint classes (``flask.Blueprint`` and wrappers that subclass it).
BLUEPRINT_CLASSES = frozenset(
    {
        "flask.Blueprint",
        "flask.blueprints.Blueprint",
        "flask_smorest.Blueprint",
        "apiflask.APIBlueprint",
        "flask_openapi3.APIBlueprint",
    }
)

# Route decorators and what methods they imply (None: the ``methods`` keyword, default GET).
ROUTE_DECORATORS: dict[str, tuple[str, ...] | None] = {
    "route": None,
    "get": ("GET",),
    "post": ("POST",),
    "put": ("PUT",),
    "delete": ("DELETE",),
    "patch": ("PATCH",),
}

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
STATE_CHANGING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# Class-based views: base classes and how their methods are found.
VIEW_CLASSES = frozenset({"flask.views.View", "flask.View"})
METHOD_VIEW_CLASSES = frozenset(
    {
        "flask.views.MethodView",
        "flask.MethodView",
        "flask_restful.Resource",
        "flask_restx.Resource",
        "flask_restplus.Resource",
        "flask_smorest.MethodView",
    }
)
# REST frameworks whose ``Api.add_resource(Resource, *urls)`` registers routes.
REST_API_CLASSES = frozenset({"flask_restful.Api", "flask_restx.Api", "flask_restplus.Api"})
REST_NAMESPACE_CLASSES = frozenset({"flask_restx.Namespace", "flask_restplus.Namespace"})

# Flask-Admin views that take a model as their first argument (the endpoint is its name).
ADMIN_MODEL_VIEWS = frozenset(
    {
        "flask_admin.contrib.sqla.ModelView",
        "flask_admin.contrib.pymongo.ModelView",
        "flask_admin.contrib.mongoengine.ModelView",
        "flask_admin.contrib.peewee.ModelView",
        "flask_admin.model.BaseModelView",
    }
)

# Flask-AppBuilder: ``@expose`` marks view methods of ``BaseView`` subclasses.
FAB_EXPOSE = frozenset(
    {
        "flask_appbuilder.expose",
        "flask_appbuilder.views.expose",
        "flask_appbuilder.baseviews.expose",
        "flask_appbuilder.api.expose",
        "flask_appbuilder.api.BaseApi.expose",
    }
)
FAB_API_CLASSES = frozenset({"flask_appbuilder.api.BaseApi", "flask_appbuilder.BaseApi"})

# Wrappers that hold a Flask application in an attribute (Dash's ``server``, Connexion's ``app``).
WRAPPED_APP_ATTRIBUTES: dict[tuple[str, str], str] = {
    key: cls for key, cls in KNOWN_ATTRIBUTES.items() if cls == "flask.Flask"
}

# Extensions, by the kind of protection they provide. Constructor ``Ext(app, ...)`` or
# ``ext.init_app(app, ...)`` binds them to an application.
EXTENSION_CLASSES: dict[str, str] = {
    "flask_wtf.CSRFProtect": "csrf",
    "flask_wtf.csrf.CSRFProtect": "csrf",
    "flask_wtf.CsrfProtect": "csrf",
    "flask_seasurf.SeaSurf": "csrf",
    "flask_talisman.Talisman": "talisman",
    "flask_cors.CORS": "cors",
    "flask_login.LoginManager": "login",
    "flask_security.Security": "security",
    "flask_security_too.Security": "security",
    "flask_principal.Principal": "principal",
    "flask_jwt_extended.JWTManager": "jwt",
    "flask_limiter.Limiter": "limiter",
    "flask_session.Session": "server_session",
    "flask_kvsession.KVSessionExtension": "server_session",
    "flask_socketio.SocketIO": "socketio",
    "flask_admin.Admin": "admin",
    "flask_appbuilder.AppBuilder": "appbuilder",
    "flask_appbuilder.base.AppBuilder": "appbuilder",
    "flask_httpauth.HTTPBasicAuth": "httpauth",
    "flask_httpauth.HTTPTokenAuth": "httpauth",
    "flask_httpauth.HTTPDigestAuth": "httpauth",
    "flask_httpauth.MultiAuth": "httpauth",
    "werkzeug.middleware.proxy_fix.ProxyFix": "proxyfix",
    "werkzeug.contrib.fixers.ProxyFix": "proxyfix",
    "flask_secure_headers.core.Secure_Headers": "headers",
    "secure.Secure": "headers",
}

# Decorators that require an authenticated user (by canonical name).
AUTH_DECORATORS = frozenset(
    {
        "flask_login.login_required",
        "flask_login.fresh_login_required",
        "flask_login.utils.login_required",
        "flask_security.login_required",
        "flask_security.auth_required",
        "flask_security.auth_token_required",
        "flask_security.http_auth_required",
        "flask_security.roles_required",
        "flask_security.roles_accepted",
        "flask_security.permissions_required",
        "flask_security.permissions_accepted",
        "flask_security.decorators.auth_required",
        "flask_security.decorators.login_required",
        "flask_user.login_required",
        "flask_user.roles_required",
        "flask_praetorian.auth_required",
        "flask_praetorian.roles_required",
        "flask_praetorian.roles_accepted",
        "flask_jwt_extended.jwt_required",
        "flask_jwt_extended.fresh_jwt_required",
        "flask_jwt.jwt_required",
        "flask_simplelogin.login_required",
        "flask_basicauth.BasicAuth.required",
        "flask_appbuilder.security.decorators.has_access",
        "flask_appbuilder.security.decorators.has_access_api",
        "flask_appbuilder.security.decorators.protect",
        "flask_appbuilder.has_access",
        "flask_appbuilder.has_access_api",
        "flask_appbuilder.api.protect",
        "flask_allows.requires",
    }
)
# Methods of auth objects used as decorators: ``@auth.login_required``, ``@perm.require()``.
AUTH_MEMBER_DECORATORS: dict[str, frozenset[str]] = {
    "flask_httpauth.HTTPBasicAuth": frozenset({"login_required"}),
    "flask_httpauth.HTTPTokenAuth": frozenset({"login_required"}),
    "flask_httpauth.HTTPDigestAuth": frozenset({"login_required"}),
    "flask_httpauth.MultiAuth": frozenset({"login_required"}),
    "flask_principal.Permission": frozenset({"require"}),
    "flask_basicauth.BasicAuth": frozenset({"required"}),
    "flask_oidc.OpenIDConnect": frozenset({"require_login", "accept_token"}),
    "flask_allows.Allows": frozenset({"requires"}),
}
# Calls inside a function that enforce authentication (for project-defined decorators and
# ``before_request`` hooks).
AUTH_CHECK_CALLS = frozenset(
    {
        "flask_jwt_extended.verify_jwt_in_request",
        "flask_jwt_extended.view_decorators.verify_jwt_in_request",
        "flask_login.login_required",
        "flask_security.auth_required",
    }
)
# Identifiers whose test in a guard means "is the user authenticated / authorised".
AUTH_IDENTIFIERS = frozenset(
    {
        "current_user",
        "is_authenticated",
        "is_anonymous",
        "is_active",
        "logged_in",
        "login_fresh",
        "is_logged_in",
        "authorization",
        "is_admin",
        "has_role",
        "has_permission",
        "can",
        "check_auth",
        "authenticate",
        "verify_password",
        "verify_token",
        "user_id",
        "user",
        "api_key",
        "token",
    }
)
# Words in a decorator's name that say it guards access, when the decorator itself cannot be
# resolved to code the model can read (an installed library it does not know).
AUTH_NAME_WORDS = frozenset(
    {
        "login",
        "auth",
        "authenticated",
        "authorize",
        "authorized",
        "permission",
        "permissions",
        "role",
        "roles",
        "admin",
        "staff",
        "superuser",
    }
)
# Decorators known to have nothing to do with authentication.
NON_AUTH_DECORATOR_ROOTS = (
    "functools.",
    "flask_caching.",
    "flask_limiter.",
    "flask_cors.",
    "flask_wtf.",
    "flasgger.",
    "flask_compress.",
    "flask_talisman.",
)

# Form classes that validate a CSRF token unless their ``Meta.csrf`` is False.
CSRF_FORM_CLASSES = frozenset({"flask_wtf.FlaskForm", "flask_wtf.Form", "flask_wtf.form.FlaskForm"})
FORM_VALIDATE_METHODS = frozenset({"validate_on_submit", "validate"})

# Calls that render HTML.
HTML_RENDERERS = frozenset(
    {
        "flask.render_template",
        "flask.render_template_string",
        "flask.templating.render_template",
        "flask.stream_template",
        "flask.stream_template_string",
    }
)
# Response headers that only a security-header policy sets.
SECURITY_HEADERS = frozenset(
    {"content-security-policy", "strict-transport-security", "x-frame-options"}
)

# Route segments that name an administrative, debugging or internal area.
SENSITIVE_SEGMENTS = frozenset(
    {
        "admin",
        "administrator",
        "administration",
        "superuser",
        "debug",
        "_debug",
        "__debug__",
        "debugger",
        "internal",
        "_internal",
        "console",
        "shell",
        "config",
        "configuration",
        "env",
        "environ",
        "metrics",
        "actuator",
        "phpinfo",
        "test",
        "_test",
        "backdoor",
        "eval",
        "exec",
        "heapdump",
    }
)
# Words unambiguous enough to mark a route even as part of a longer segment or endpoint
# name (``/admin-panel``, ``admin_users``); the others must be a whole segment.
SENSITIVE_WORDS = frozenset(
    {"admin", "administrator", "debug", "debugger", "console", "phpinfo", "actuator", "backdoor"}
)
# Endpoints whose job is to be reachable without logging in.
PUBLIC_BY_NATURE_WORDS = frozenset(
    {
        "login",
        "logout",
        "signin",
        "signout",
        "signup",
        "register",
        "registration",
        "password",
        "reset",
        "forgot",
        "recover",
        "verify",
        "validate",
        "confirm",
        "activate",
        "webhook",
        "webhooks",
        "hook",
        "callback",
        "oauth",
        "oauth2",
        "authorize",
        "token",
        "health",
        "healthz",
        "ping",
        "status",
        "auth",
        "sso",
        "saml",
        "csp",
        "report",
        "subscribe",
        "unsubscribe",
        "contact",
        "feedback",
        # Forms that read rather than change: a POST here is a query.
        "search",
        "query",
        "filter",
        "lookup",
        "preview",
    }
)
