"""What flaskguard knows about secrets, credentials and cookies, as data.

Facts come from ``shared/FLASK_SECURITY.md`` sections 3.1-3.3 (which keys sign what, the
cookie defaults of Flask and Flask-Login) and from the tutorial and documentation values that
end up in real deployments.
"""

from __future__ import annotations

# Config keys holding a signing key, and what whoever knows the key can do ("Anyone who
# reads this repository ..."; "Anyone who guesses it ...").
SECRET_KEY_SETTINGS: dict[str, str] = {
    "SECRET_KEY": "can sign session cookies for this app: forge `_user_id` and log in as any "
    "user, or set any session value (an `is_admin` flag, a CSRF token). Flask-Login remember "
    "cookies and itsdangerous tokens (password reset, e-mail confirmation) signed with it can "
    "be forged the same way.",
    "SECRET_KEY_FALLBACKS": "can sign session cookies that Flask still accepts through its "
    "fallback keys: forge `_user_id` and log in as any user.",
    "JWT_SECRET_KEY": "can mint JSON Web Tokens that Flask-JWT-Extended accepts, for any "
    "identity and with any claims.",
    "WTF_CSRF_SECRET_KEY": "can compute the signature Flask-WTF puts on CSRF tokens, so CSRF "
    "protection rests on the session alone.",
    "SECURITY_PASSWORD_SALT": "can recompute the HMAC Flask-Security applies to passwords and "
    "account tokens (confirmation, password reset): the value adds no secret to either.",
}

# Environment variables that carry the Flask secret key under other names.
SECRET_KEY_ENV_NAMES = frozenset(
    {
        *SECRET_KEY_SETTINGS,
        *(f"FLASK_{key}" for key in SECRET_KEY_SETTINGS),
        "APP_SECRET_KEY",
        "FLASK_SECRET",
        "SESSION_SECRET",
        "SESSION_SECRET_KEY",
    }
)

# FLASK_SECURITY.md 3.2: a key shorter than this is weak whatever it looks like.
MIN_SECRET_LENGTH = 24
# Fewer distinct characters than this in a key is a repeated pattern, not randomness.
MIN_DISTINCT_CHARACTERS = 8

# Whole values (lowercase, separators removed) copied from tutorials, docs and templates.
PLACEHOLDER_SECRETS = frozenset(
    {
        "dev",
        "development",
        "developmentkey",
        "secret",
        "secretkey",
        "mysecretkey",
        "supersecret",
        "supersecretkey",
        "yoursecretkey",
        "yoursecretkeyhere",
        "changeme",
        "changethis",
        "replaceme",
        "s3cr3t",
        "default",
        "flask",
        "key",
        "test",
        "testing",
        "password",
        "xxx",
        "todo",
        "hardtoguessstring",
        "youwillneverguess",
        "notsosecret",
        "insecure",
    }
)
# Words that make a value a placeholder wherever they appear in it (long enough not to
# occur by chance in a random key).
PLACEHOLDER_SUBSTRINGS = (
    "secret",
    "change",
    "replace",
    "password",
    "placeholder",
    "example",
    "insecure",
    "default",
    "dummy",
    "hardtoguess",
    "neverguess",
    "goeshere",
    "fillin",
    "qwerty",
    "123456",
)
# Pairs of words that together say "put your key here".
PLACEHOLDER_WORD_PAIRS = (("your", "key"), ("your", "secret"), ("my", "key"))
# Short words that make a placeholder when they are a whole word of the value.
PLACEHOLDER_WORDS = frozenset({"dev", "test", "todo", "fixme", "xxx", "tbd", "sample"})

# FG203: a config key is a credential when its words (split on ``_``) include one of these...
CREDENTIAL_WORDS = frozenset(
    {"password", "passwd", "pwd", "pass", "passphrase", "secret", "token", "apikey", "credentials"}
)
# ... or one of these pairs of consecutive words ...
CREDENTIAL_WORD_PAIRS = frozenset(
    {
        ("api", "key"),
        ("access", "key"),
        ("private", "key"),
        ("auth", "key"),
        ("signing", "key"),
        ("encryption", "key"),
        ("master", "key"),
    }
)
# ... and none of these after it, which name something about a credential rather than the
# credential (``PASSWORD_FIELD``, ``TOKEN_EXPIRES``, ``JWT_TOKEN_LOCATION``, ``NEXT_TOKEN_URL``,
# Flask-Security's ``SECURITY_RESET_PASSWORD_WITHIN`` and ``SECURITY_TOKEN_AUTHENTICATION_KEY``)...
NON_CREDENTIAL_WORDS = frozenset(
    {
        "age",
        "algorithm",
        "algorithms",
        "arg",
        "argument",
        "audience",
        "authentication",
        "backend",
        "bits",
        "breached",
        "bytes",
        "change",
        "check",
        "checker",
        "claim",
        "class",
        "complexity",
        "confirm",
        "cookie",
        "count",
        "dir",
        "disabled",
        "duration",
        "enable",
        "enabled",
        "endpoint",
        "expiration",
        "expires",
        "expiry",
        "field",
        "fields",
        "file",
        "form",
        "format",
        "hash",
        "hashes",
        "header",
        "headers",
        "host",
        "id",
        "issuer",
        "kind",
        "label",
        "len",
        "length",
        "lifetime",
        "location",
        "locations",
        "max",
        "method",
        "methods",
        "min",
        "mode",
        "msg",
        "message",
        "name",
        "normalize",
        "notice",
        "options",
        "param",
        "parameter",
        "path",
        "pattern",
        "policy",
        "port",
        "prefix",
        "provider",
        "public",
        "query",
        "region",
        "regex",
        "required",
        "reset",
        "rounds",
        "route",
        "salt",
        "scheme",
        "schemes",
        "scope",
        "server",
        "single",
        "size",
        "source",
        "storage",
        "store",
        "strategy",
        "suffix",
        "template",
        "timeout",
        "ttl",
        "type",
        "types",
        "uri",
        "url",
        "urls",
        "user",
        "username",
        "validator",
        "version",
        "view",
        "within",
    }
)
# ... nor any of these anywhere: the key names text shown to users (e-mail subjects, templates).
NON_CREDENTIAL_CONTEXT_WORDS = frozenset(
    {"subject", "template", "message", "msg", "label", "title"}
)

# What a credential opens, by the first word of its key (``MAIL_PASSWORD`` -> the mail account).
CREDENTIAL_SERVICES: dict[str, str] = {
    "mail": "the mail account",
    "smtp": "the mail account",
    "aws": "the AWS account",
    "s3": "the S3 storage",
    "azure": "the Azure account",
    "gcp": "the Google Cloud project",
    "google": "the Google account",
    "stripe": "the Stripe account",
    "paypal": "the PayPal account",
    "twilio": "the Twilio account",
    "sendgrid": "the SendGrid account",
    "mailgun": "the Mailgun account",
    "github": "the GitHub account",
    "gitlab": "the GitLab account",
    "slack": "the Slack workspace",
    "db": "the database",
    "database": "the database",
    "sql": "the database",
    "postgres": "the database",
    "mysql": "the database",
    "mongo": "the MongoDB database",
    "redis": "the Redis server",
    "ldap": "the directory server",
    "admin": "the admin account",
    "sentry": "the Sentry project",
    "oauth": "the OAuth client",
}

# Connection-string schemes (before any ``+driver``) and what they connect to, for messages.
URL_SCHEMES: dict[str, str] = {
    "postgresql": "PostgreSQL database",
    "postgres": "PostgreSQL database",
    "mysql": "MySQL database",
    "mariadb": "MariaDB database",
    "oracle": "Oracle database",
    "mssql": "SQL Server database",
    "cockroachdb": "CockroachDB database",
    "redis": "Redis server",
    "rediss": "Redis server",
    "amqp": "message broker",
    "amqps": "message broker",
    "pyamqp": "message broker",
    "mongodb": "MongoDB database",
    "mongodb+srv": "MongoDB database",
    "memcached": "cache server",
    "smtp": "mail server",
    "smtps": "mail server",
    "ldap": "directory server",
    "ldaps": "directory server",
    "ftp": "FTP server",
    "sftp": "SFTP server",
    "http": "HTTP service",
    "https": "HTTP service",
    "elasticsearch": "Elasticsearch cluster",
    "sqs": "message queue",
}

# Values that stand for a credential to be filled in, not a credential: template syntax and
# masks are never real passwords, and these words are what templates tell people to replace.
PLACEHOLDER_CREDENTIALS = frozenset(
    {
        "changeme",
        "changethis",
        "replaceme",
        "yourpassword",
        "yourapikey",
        "yourtoken",
        "yoursecret",
        "yourkey",
        "password_here",
        "placeholder",
        "todo",
        "fixme",
        "tbd",
        "dummy",
        "none",
        "null",
        "redacted",
    }
)

# FG204/FG205: the cookie settings Flask and Flask-Login read (FLASK_SECURITY.md 3.1, 3.3).
SESSION_COOKIE_PREFIX = "SESSION_COOKIE_"
REMEMBER_COOKIE_PREFIX = "REMEMBER_COOKIE_"

# FG206: lifetimes above this many days make stolen cookies useful for too long.
MAX_COOKIE_LIFETIME_DAYS = 30
LIFETIME_SETTINGS: dict[str, str] = {
    "PERMANENT_SESSION_LIFETIME": "permanent session cookies",
    "REMEMBER_COOKIE_DURATION": "Flask-Login remember cookies",
}
# ``datetime.timedelta``'s positional parameters, in seconds.
TIMEDELTA_UNITS: tuple[tuple[str, float], ...] = (
    ("days", 86400.0),
    ("seconds", 1.0),
    ("microseconds", 1e-6),
    ("milliseconds", 1e-3),
    ("minutes", 60.0),
    ("hours", 3600.0),
    ("weeks", 604800.0),
)

# FG207: objects whose ``set_cookie`` sets a cookie on an HTTP response.
RESPONSE_CLASSES = (
    "flask.Response",
    "flask.wrappers.Response",
    "werkzeug.Response",
    "werkzeug.wrappers.Response",
    "werkzeug.wrappers.response.Response",
    "werkzeug.sansio.response.Response",
)
# Functions that return such a response.
RESPONSE_FACTORIES = frozenset(
    {
        *RESPONSE_CLASSES,
        "flask.make_response",
        "flask.helpers.make_response",
        "flask.redirect",
        "flask.helpers.redirect",
        "werkzeug.utils.redirect",
        "flask.jsonify",
        "flask.json.jsonify",
        "flask.send_file",
        "flask.send_from_directory",
        "flask.helpers.send_file",
        "flask.helpers.send_from_directory",
        "flask.stream_template",
        "flask.current_app.make_response",
        "flask.current_app.response_class",
    }
)
# Methods of application objects that build a response (``current_app.make_response(...)``).
RESPONSE_METHODS = frozenset({"make_response", "response_class"})
# Decorators whose function receives the response as its first parameter.
RESPONSE_HOOKS = frozenset({"after_request", "after_app_request", "after_this_request"})
# Local names that hold a response by convention, when nothing better is known.
RESPONSE_NAMES = frozenset({"resp", "response", "res", "rv", "r", "rsp"})
# ``Response.set_cookie(key, value, max_age, expires, path, domain, secure, httponly,
# samesite)``: where each flag sits when passed by position.
COOKIE_FLAG_POSITIONS: dict[str, int] = {"secure": 6, "httponly": 7, "samesite": 8}
COOKIE_METHODS = frozenset({"set_cookie", "set_signed_cookie"})
