"""FG200-FG207: secrets, credentials, session and cookie settings.

Each test writes a small project (often several modules: a factory, a ``config.py`` with
profile classes, tests and conftest files), scans it in-process and compares the FG2xx
findings as ``(rule, path, line)``. Fix tests apply the unsafe fixes with ``run_fix`` and
check the exact result, that it parses, and that the finding is gone.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Optional

import pytest

from flaskguard.analysis.secrets import (
    is_credential_key,
    is_placeholder,
    secret_weakness,
    secrets_analysis,
    url_with_password,
)
from flaskguard.config import Config
from flaskguard.facts import ir
from flaskguard.facts.extract import extract_module_facts
from flaskguard.findings import Confidence, Finding, Severity
from flaskguard.fix_command import run_fix
from flaskguard.model.project import Project
from flaskguard.model.settings import Setting, config_model
from flaskguard.redaction import redact_assigned_value
from flaskguard.rules import fg202_secret_key_insecure_default as fg202
from flaskguard.rules import find_rule
from flaskguard.scan import run_scan

ROOT = Path(__file__).resolve().parent.parent
STRONG = "u8Kq2Zr5Xw9Lm3Tn7Pv1Bc6Yd4Hs0Jf8Ga2Ee5Rt"  # 42 random-looking characters
OTHER_STRONG = "Hq3Vz8Lt1Xr6Kw9Pb4Nd7Yc2Mf5Gs0Ja8Ue3Ro6Ti1"

Key = tuple[str, str, int]


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def scan(root: Path, files: dict[str, str], prefix: str = "FG2") -> list[Finding]:
    write(root, files)
    result = run_scan([root], root=root, config=Config(), jobs=1)
    return [f for f in result.findings if f.rule_id.startswith(prefix) and not f.suppressed]


def keys(findings: list[Finding]) -> set[Key]:
    return {(f.rule_id, f.path, f.span.start_line) for f in findings}


def only(findings: list[Finding], rule_id: Optional[str] = None) -> Finding:
    found = [f for f in findings if rule_id is None or f.rule_id == rule_id]
    assert len(found) == 1, [(f.rule_id, f.path, f.span.start_line, f.message) for f in found]
    return found[0]


APP_FROM_CONFIG = """
    import os

    from flask import Flask

    from config import config


    def create_app(name=None):
        app = Flask(__name__)
        app.config.from_object(config[name or os.getenv("APP_ENV", "production")])
        return app
"""


# -- rule metadata ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule_id", "name", "severity"),
    [
        ("FG200", "hardcoded-secret-key", Severity.HIGH),
        ("FG201", "weak-secret-key", Severity.HIGH),
        ("FG202", "secret-key-insecure-default", Severity.HIGH),
        ("FG203", "hardcoded-credentials", Severity.HIGH),
        ("FG204", "session-cookie-insecure", Severity.MEDIUM),
        ("FG205", "remember-cookie-insecure", Severity.MEDIUM),
        ("FG206", "long-session-lifetime", Severity.LOW),
        ("FG207", "cookie-without-flags", Severity.MEDIUM),
    ],
)
def test_rules_are_registered_with_docs(rule_id: str, name: str, severity: Severity) -> None:
    rule = find_rule(rule_id)
    assert rule is not None
    assert rule.meta.name == name
    assert rule.meta.severity == severity
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
        assert section in rule.meta.doc
    assert "## References" in rule.meta.doc


# -- values -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "dev",
        "secret",
        "changeme",
        "change-me",
        "super secret key",
        "your-secret-key",
        "s3cr3t",
        "Default",
        "flask",
        "key",
        "TEST",
        "password",
        "replace_me",
        "xxx",
        "hard to guess string",
        "change-me-before-deploying-to-production",
        "your-csrf-key-goes-here-please-fill-in",
        "a" * 40,
        "abababababababababababababab",
        "short-but-random-Zq9",
        b'_5#y2L"F4Q8z\n\xec]/',
    ],
)
def test_weak_secrets(value: str | bytes) -> None:
    assert secret_weakness(value) is not None


@pytest.mark.parametrize(
    "value",
    [STRONG, OTHER_STRONG, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],
)
def test_strong_secrets(value: str) -> None:
    assert secret_weakness(value) is None


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("MAIL_PASSWORD", True),
        ("DB_PASS", True),
        ("AWS_SECRET_ACCESS_KEY", True),
        ("STRIPE_API_KEY", True),
        ("GITHUB_TOKEN", True),
        ("OAUTH_CLIENT_SECRET", True),
        ("RECAPTCHA_PRIVATE_KEY", True),
        ("STORAGE_ACCESS_KEY", True),
        ("SENDGRID_APIKEY", True),
        ("PASSWORD_FIELD", False),
        ("PASSWORD_MIN_LENGTH", False),
        ("NEXT_TOKEN_URL", False),
        ("TOKEN_EXPIRES", False),
        ("JWT_TOKEN_LOCATION", False),
        ("JWT_ACCESS_TOKEN_EXPIRES", False),
        ("SECURITY_PASSWORD_HASH", False),
        ("API_KEY_HEADER", False),
        ("AWS_ACCESS_KEY_ID", False),
        ("RECAPTCHA_PUBLIC_KEY", False),
        ("MAIL_USERNAME", False),
        ("SECRET_KEY", False),
        ("SECRET_KEY_FALLBACKS", False),
        ("JWT_SECRET_KEY", False),
        ("SECURITY_PASSWORD_SALT", False),
        ("db_password", False),
        ("SECURITY_RESET_PASSWORD_WITHIN", False),
        ("SECURITY_TOKEN_AUTHENTICATION_KEY", False),
        ("SECURITY_EMAIL_SUBJECT_PASSWORD_NOTICE", False),
        ("JWT_TOKEN_ISSUER", False),
        ("EMAIL_HOST_PASSWORD", True),
    ],
)
def test_credential_keys(key: str, expected: bool) -> None:
    assert is_credential_key(key) is expected


@pytest.mark.parametrize(
    ("url", "target"),
    [
        ("postgresql://shop:hunter2@db.internal:5432/shop", "PostgreSQL database"),
        ("postgresql+psycopg2://u:p%40ss@db/app", "PostgreSQL database"),
        ("redis://:R3d1s@redis:6379/1", "Redis server"),
        ("amqp://worker:pw@rabbit//", "message broker"),
        ("mongodb+srv://admin:admin123@cluster0/app", "MongoDB database"),
        ("sqlite:///app.db", None),
        ("postgresql://localhost/app", None),
        ("postgresql://app@db.internal/app", None),
        ("postgresql://analytics:${DB_PASSWORD}@warehouse/analytics", None),
        ("mysql://root:<password>@db/app", None),
        ("https://example.com/path?x=1", None),
        ("not a url", None),
        ("http://[::1:80/", None),
    ],
)
def test_urls_with_passwords(url: str, target: Optional[str]) -> None:
    assert url_with_password(url) == target


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("${MAIL_PASSWORD}", True),
        ("{{ mail_password }}", True),
        ("<your password>", True),
        ("%(password)s", True),
        ("xxxxxxxx", True),
        ("********", True),
        ("changeme", True),
        ("your-api-key", True),
        ("  ", True),
        ("Tr0ub4dor&3", False),
        ("admin", False),
        ("password", False),
    ],
)
def test_placeholders(value: str, expected: bool) -> None:
    assert is_placeholder(value) is expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('SECRET_KEY = "abc"', "SECRET_KEY = <redacted>"),
        (
            'app.config["JWT_SECRET_KEY"] = os.environ.get("JWT_SECRET_KEY", "jwt")  # expect: x',
            'app.config["JWT_SECRET_KEY"] = os.environ.get("JWT_SECRET_KEY", <redacted>)'
            "  # expect: x",
        ),
        (
            'SECRET_KEY = os.environ.get("SECRET_KEY") or "hard to guess"',
            'SECRET_KEY = os.environ.get("SECRET_KEY") or <redacted>',
        ),
        (
            'os.environ.setdefault("SECRET_KEY", "CHANGE_ME")',
            'os.environ.setdefault("SECRET_KEY", <redacted>)',
        ),
        (
            'app.config.update({"SECRET_KEY": "k#1"})',
            'app.config.update({"SECRET_KEY": <redacted>})',
        ),
        ("app.secret_key = b'_5#y2L\"F4Q8z\\n\\xec]/'", "app.secret_key = <redacted>"),
        ('    SECRET_KEY="dev",  # don\'t', "    SECRET_KEY=<redacted>,  # don't"),
        ('SECRET_KEY = """starts here', "SECRET_KEY = <redacted>"),
        ("SECRET=x flask run", "SECRET=<redacted> flask run"),
    ],
)
def test_redaction_of_code_lines(line: str, expected: str) -> None:
    assert redact_assigned_value(line) == expected


# -- config model: keyword locations and ``dict(...)`` mappings --------------------------------


def test_config_model_records_where_keywords_are_written() -> None:
    source = textwrap.dedent(
        """
        from flask import Flask

        app = Flask(__name__)
        app.config.update(
            dict(
                SECRET_KEY="development key",
            ),
            DEBUG=False,
        )
        app.config["TESTING"] = False
        """
    )
    module = extract_module_facts(ast.parse(source), source, "app.py")
    model = config_model(Project("/project", [module], []))
    secret = only_setting(model.for_key("SECRET_KEY"))
    assert (secret.loc.line, secret.value_site.line) == (5, 7)
    assert only_setting(model.for_key("DEBUG")).value_site.line == 9
    testing = only_setting(model.for_key("TESTING"))
    assert testing.value_loc is None and testing.value_site == testing.loc


def only_setting(settings: list[Setting]) -> Setting:
    assert len(settings) == 1, settings
    return settings[0]


# -- FG200 / FG201 ------------------------------------------------------------------------------


def test_base_class_literal_inherited_by_production(tmp_path: Path) -> None:
    found = scan(
        tmp_path,
        {
            "app/__init__.py": APP_FROM_CONFIG,
            "config.py": f"""
                class Config:
                    SECRET_KEY = "{STRONG}"


                class DevelopmentConfig(Config):
                    DEBUG = True


                class ProductionConfig(Config):
                    PREFERRED_URL_SCHEME = "https"


                config = {{"development": DevelopmentConfig, "production": ProductionConfig}}
            """,
        },
    )
    finding = only(found)
    assert (finding.rule_id, finding.path, finding.span.start_line) == ("FG200", "config.py", 3)
    assert finding.severity == Severity.HIGH
    assert STRONG not in finding.message
    assert STRONG not in finding.snippet
    assert "<redacted>" in finding.snippet
    assert "_user_id" in finding.message


def test_base_class_literal_overridden_in_production(tmp_path: Path) -> None:
    found = scan(
        tmp_path,
        {
            "app/__init__.py": APP_FROM_CONFIG,
            "config.py": f"""
                import os


                class Config:
                    SECRET_KEY = "{STRONG}"


                class DevelopmentConfig(Config):
                    DEBUG = True


                class ProductionConfig(Config):
                    SECRET_KEY = os.environ["SECRET_KEY"]


                config = {{"development": DevelopmentConfig, "production": ProductionConfig}}
            """,
        },
    )
    assert found == []


def test_development_and_testing_profiles_are_not_reported(tmp_path: Path) -> None:
    found = scan(
        tmp_path,
        {
            "app/__init__.py": APP_FROM_CONFIG,
            "config.py": f"""
                import os


                class DevConfig:
                    SECRET_KEY = "dev"
                    SESSION_COOKIE_SECURE = False
                    PERMANENT_SESSION_LIFETIME = 10**9


                class LocalSettings:
                    SECRET_KEY = "{STRONG}"
                    MAIL_PASSWORD = "hunter2hunter2"


                class CIConfig:
                    TESTING = True
                    SECRET_KEY = os.environ.get("SECRET_KEY", "ci")
                    SQLALCHEMY_DATABASE_URI = "postgresql://ci:ci@localhost/ci"


                class ProductionConfig:
                    SECRET_KEY = os.environ["SECRET_KEY"]
                    SESSION_COOKIE_SECURE = True


                config = {{"dev": DevConfig, "local": LocalSettings, "ci": CIConfig,
                          "production": ProductionConfig}}
            """,
        },
    )
    assert found == []


def test_test_code_conftest_examples_and_migrations_are_not_reported(tmp_path: Path) -> None:
    leaky = f"""
        from flask import Flask, make_response

        app = Flask(__name__)
        app.secret_key = "{STRONG}"
        app.config["MAIL_PASSWORD"] = "hunter2hunter2"
        app.config["SESSION_COOKIE_SECURE"] = False


        @app.route("/")
        def index():
            resp = make_response("x")
            resp.set_cookie("a", "b")
            return resp
    """
    found = scan(
        tmp_path,
        {
            "service.py": """
                import os

                from flask import Flask

                app = Flask(__name__)
                app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
                app.config["SESSION_COOKIE_SECURE"] = True
            """,
            "conftest.py": leaky,
            "tests/test_app.py": leaky,
            "test_settings.py": f'SECRET_KEY = "{STRONG}"\n',
            "app_test.py": leaky,
            "examples/minimal/app.py": leaky,
            "migrations/env.py": 'SQLALCHEMY_DATABASE_URI = "postgresql://m:m1gr4te@db/app"\n',
        },
    )
    assert found == []


@pytest.mark.parametrize(
    "value",
    [
        'os.environ["SECRET_KEY"]',
        'os.environ.get("SECRET_KEY")',
        'os.getenv("SECRET_KEY", None)',
        "None",
        '""',
        "os.urandom(32)",
        "secrets.token_hex(32)",
        'open("/run/secrets/key").read().strip()',
        'os.environ.get("SECRET_KEY") or os.urandom(24)',
    ],
)
def test_secret_values_that_are_not_literals(tmp_path: Path, value: str) -> None:
    found = scan(
        tmp_path,
        {
            "app.py": f"""
                import os
                import secrets

                from flask import Flask

                app = Flask(__name__)
                app.config["SESSION_COOKIE_SECURE"] = True
                app.config["SECRET_KEY"] = {value}
            """
        },
    )
    assert found == []


def test_literal_reached_through_a_constant_of_another_module(tmp_path: Path) -> None:
    found = scan(
        tmp_path,
        {
            "app/keys.py": f'SIGNING_KEY = "{STRONG}"\n',
            "app/__init__.py": """
                from flask import Flask

                from .keys import SIGNING_KEY

                app = Flask(__name__)
                app.secret_key = SIGNING_KEY
                app.config["SESSION_COOKIE_SECURE"] = True
            """,
        },
    )
    finding = only(found)
    assert (finding.rule_id, finding.path, finding.span.start_line) == ("FG200", "app/keys.py", 1)
    assert "app/__init__.py:7" in finding.message


def test_weak_literal_is_fg201_only_and_one_finding_per_location(tmp_path: Path) -> None:
    found = scan(
        tmp_path,
        {
            "app.py": """
                from flask import Flask

                app = Flask(__name__)
                app.config.update(
                    SECRET_KEY="dev",
                    JWT_SECRET_KEY="super secret key",
                    SESSION_COOKIE_SECURE=True,
                )
            """
        },
    )
    assert keys(found) == {("FG201", "app.py", 6), ("FG201", "app.py", 7)}
    assert all("dev" not in f.snippet and "super" not in f.snippet for f in found)


def test_old_tutorial_update_with_dict_call(tmp_path: Path) -> None:
    found = scan(
        tmp_path,
        {
            "flaskr.py": """
                import os

                from flask import Flask

                app = Flask(__name__)
                app.config.update(
                    dict(
                        DATABASE=os.path.join(app.root_path, "flaskr.db"),
                        SECRET_KEY="development key",
                        USERNAME="admin",
                        PASSWORD="default",
                    )
                )
            """
        },
    )
    assert keys(found) == {("FG201", "flaskr.py", 10), ("FG203", "flaskr.py", 12)}


def test_dict_literal_in_update_is_reported_at_the_call(tmp_path: Path) -> None:
    found = scan(
        tmp_path,
        {
            "app.py": f"""
                from flask import Flask

                app = Flask(__name__)
                app.config.update({{"SECRET_KEY": "{STRONG}", "SESSION_COOKIE_SECURE": True}})
            """
        },
    )
    assert keys(found) == {("FG200", "app.py", 5)}
    assert STRONG not in found[0].snippet


def test_secret_set_only_when_run_as_a_script(tmp_path: Path) -> None:
    found = scan(
        tmp_path,
        {
            "app.py": """
                from flask import Flask

                app = Flask(__name__)
                app.config["SESSION_COOKIE_SECURE"] = True

                if __name__ == "__main__":
                    app.secret_key = "dev"
                    app.run()
            """
        },
    )
    assert found == []


def test_fallback_keys_and_from_pyfile_module(tmp_path: Path) -> None:
    found = scan(
        tmp_path,
        {
            "app.py": """
                from flask import Flask

                app = Flask(__name__)
                app.config.from_pyfile("settings.py")
            """,
            "settings.py": f"""
                import os

                SECRET_KEY = os.environ["SECRET_KEY"]
                SECRET_KEY_FALLBACKS = [os.environ["OLD_KEY"], "{STRONG}"]
                SESSION_COOKIE_SECURE = True
            """,
        },
    )
    finding = only(found)
    assert (finding.rule_id, finding.path, finding.span.start_line) == ("FG200", "settings.py", 5)
    assert finding.fix is None
    assert finding.fix_unavailable_reason


# -- FG202 --------------------------------------------------------------------------------------


def test_env_defaults_and_aliases(tmp_path: Path) -> None:
    found = scan(
        tmp_path,
        {
            "app/__init__.py": """
                from flask import Flask


                def create_app():
                    app = Flask(__name__)
                    app.config.from_object("config.ProductionConfig")
                    return app
            """,
            "config.py": f"""
                from os import environ, getenv


                class Config:
                    SECRET_KEY = environ.get("SECRET_KEY") or "hard to guess string"
                    JWT_SECRET_KEY = getenv("JWT_SECRET_KEY", "{STRONG}")
                    WTF_CSRF_SECRET_KEY = environ.get("CSRF_KEY")
                    SESSION_COOKIE_SECURE = True


                class ProductionConfig(Config):
                    pass
            """,
        },
    )
    assert keys(found) == {("FG202", "config.py", 6), ("FG202", "config.py", 7)}
    assert all(f.rule_id == "FG202" for f in found)
    assert all(STRONG not in f.snippet and "hard to guess" not in f.snippet for f in found)


def test_setdefault_plants_the_key(tmp_path: Path) -> None:
    found = scan(
        tmp_path,
        {
            "app.py": """
                import os

                from flask import Flask

                os.environ.setdefault("FLASK_SECRET_KEY", "local-only-key")

                app = Flask(__name__)
                app.config.from_prefixed_env()
                app.config["SESSION_COOKIE_SECURE"] = True
            """
        },
    )
    finding = only(found)
    assert (finding.rule_id, finding.span.start_line) == ("FG202", 6)
    assert "local-only-key" not in finding.snippet


def test_module_constant_with_env_default_used_for_the_secret(tmp_path: Path) -> None:
    found = scan(
        tmp_path,
        {
            "settings.py": 'import os\n\nAPP_KEY = os.environ.get("APP_KEY", "dev-key")\n',
            "app.py": """
                from flask import Flask

                import settings

                app = Flask(__name__)
                app.secret_key = settings.APP_KEY
                app.config["SESSION_COOKIE_SECURE"] = True
            """,
        },
    )
    assert keys(found) == {("FG202", "settings.py", 3)}


def test_env_default_in_development_code_is_not_reported(tmp_path: Path) -> None:
    found = scan(
        tmp_path,
        {
            "app.py": """
                import os

                from flask import Flask

                app = Flask(__name__)
                app.secret_key = os.environ["SECRET_KEY"]
                app.config["SESSION_COOKIE_SECURE"] = True

                if __name__ == "__main__":
                    os.environ.setdefault("SECRET_KEY", "dev")
                    app.run(debug=True)
            """,
            "config.py": """
                import os


                class DevelopmentConfig:
                    SECRET_KEY = os.environ.get("SECRET_KEY", "dev")
            """,
        },
    )
    assert found == []


def test_the_assignments_searched_are_those_names_lead_from_to_a_lookup() -> None:
    sources = {
        "keys.py": """
            import os

            _KEY = os.environ.get("SECRET_KEY", "dev")
            PORT = os.environ.get("PORT", "80")
            OTHER = 1
        """,
        "settings.py": """
            from keys import _KEY as K

            SECRET = K
            unrelated = len([])
        """,
        "app.py": """
            import settings

            VALUE = settings.SECRET
            TIMEOUT = 3
        """,
    }
    modules = [
        extract_module_facts(ast.parse(textwrap.dedent(text)), textwrap.dedent(text), path)
        for path, text in sources.items()
    ]
    project = Project("/p", modules)
    searched = fg202._assignments_reaching_lookups(project, secrets_analysis(project))
    # The lookup, then through the import alias and the module attribute; not the lookup of
    # another variable, nor assignments no name of theirs leads from.
    assert [(path, a.target) for path, a in searched] == [
        ("app.py", ir.Name("VALUE")),
        ("keys.py", ir.Name("_KEY")),
        ("settings.py", ir.Name("SECRET")),
    ]


# -- FG203 --------------------------------------------------------------------------------------


def test_credentials_in_production_config(tmp_path: Path) -> None:
    found = scan(
        tmp_path,
        {
            "app/__init__.py": APP_FROM_CONFIG,
            "config.py": """
                import os


                class Config:
                    SECRET_KEY = os.environ["SECRET_KEY"]
                    SESSION_COOKIE_SECURE = True


                class ProductionConfig(Config):
                    SQLALCHEMY_DATABASE_URI = "postgresql://shop:hunter2@db.internal:5432/shop"
                    MAIL_PASSWORD = "Tr0ub4dor&3"
                    STRIPE_API_KEY = "rk_fake_4eC39HqLyjWDarjtT1zdp7dc"
                    BROKER_URL = os.environ.get("BROKER_URL", "amqp://guest:guest@localhost//")
                    SQLALCHEMY_BINDS = {"reports": "mysql://r:r3ports@db/reports"}


                class DevelopmentConfig(Config):
                    MAIL_PASSWORD = "devpassword"


                config = {"development": DevelopmentConfig, "production": ProductionConfig}
            """,
        },
    )
    assert keys(found) == {
        ("FG203", "config.py", 11),
        ("FG203", "config.py", 12),
        ("FG203", "config.py", 13),
        ("FG203", "config.py", 14),
        ("FG203", "config.py", 15),
    }
    by_line = {f.span.start_line: f for f in found}
    assert by_line[14].confidence == Confidence.MEDIUM
    assert "BROKER_URL" in by_line[14].message
    assert "PostgreSQL database" in by_line[11].message
    assert "mail account" in by_line[12].message
    for f in found:
        assert "hunter2" not in f.message + f.snippet
        assert "Tr0ub4dor" not in f.message + f.snippet


def test_credential_lookalikes_are_not_reported(tmp_path: Path) -> None:
    found = scan(
        tmp_path,
        {
            "app/__init__.py": """
                from flask import Flask, request


                def create_app():
                    app = Flask(__name__)
                    app.config.from_object("config.ProductionConfig")
                    password = "local-variable-not-config"
                    app.config["db_password"] = "lowercase-key"
                    return app
            """,
            "config.py": """
                import os
                from datetime import timedelta


                class ProductionConfig:
                    SECRET_KEY = os.environ["SECRET_KEY"]
                    SESSION_COOKIE_SECURE = True
                    PASSWORD_FIELD = "password"
                    PASSWORD_MIN_LENGTH = 12
                    NEXT_TOKEN_URL = "https://auth.example.com/oauth/token"
                    TOKEN_EXPIRES = 3600
                    JWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=15)
                    SECURITY_PASSWORD_HASH = "argon2"
                    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
                    STRIPE_API_KEY = ""
                    SENTRY_API_KEY = None
                    GITHUB_TOKEN = "${GITHUB_TOKEN}"
                    SMTP_PASSWORD = "changeme"
                    SQLALCHEMY_DATABASE_URI = "postgresql://app@db.internal/app"
                    REDIS_URL = "redis://redis:6379/0"
                    CACHE_URL = "sqlite:///cache.db"
                    WAREHOUSE_URI = "postgresql://w:${WAREHOUSE_PASSWORD}@warehouse/w"
            """,
        },
    )
    assert found == []


# -- FG204 --------------------------------------------------------------------------------------


def test_session_cookie_flags_in_production_profile(tmp_path: Path) -> None:
    found = scan(
        tmp_path,
        {
            "app/__init__.py": APP_FROM_CONFIG,
            "config.py": """
                import os


                class Config:
                    SECRET_KEY = os.environ.get("SECRET_KEY")


                class DevelopmentConfig(Config):
                    SESSION_COOKIE_SECURE = False
                    SESSION_COOKIE_HTTPONLY = False


                class ProductionConfig(Config):
                    SESSION_COOKIE_SECURE = False
                    SESSION_COOKIE_HTTPONLY = False
                    SESSION_COOKIE_SAMESITE = "None"
                    SESSION_COOKIE_DOMAIN = ".example.com"


                config = {"development": DevelopmentConfig, "production": ProductionConfig}
            """,
        },
    )
    assert keys(found) == {
        ("FG204", "config.py", 15),
        ("FG204", "config.py", 16),
        ("FG204", "config.py", 17),
        ("FG204", "config.py", 18),
    }
    severities = {f.span.start_line: f.severity for f in found}
    assert severities == {
        15: Severity.MEDIUM,
        16: Severity.MEDIUM,
        17: Severity.LOW,
        18: Severity.LOW,
    }


def test_samesite_none_with_secure_and_host_only_domain_are_fine(tmp_path: Path) -> None:
    found = scan(
        tmp_path,
        {
            "app.py": """
                from flask import Flask

                app = Flask(__name__)
                app.config.update(
                    SESSION_COOKIE_SECURE=True,
                    SESSION_COOKIE_SAMESITE="None",
                    SESSION_COOKIE_DOMAIN="app.example.com",
                    SESSION_COOKIE_HTTPONLY=True,
                )
            """
        },
    )
    assert found == []


LOGIN_APP = """
    import os

    from flask import Flask
    from flask_login import LoginManager

    app = Flask(__name__)
    app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    login_manager = LoginManager(app)
"""


def test_never_set_with_flask_login(tmp_path: Path) -> None:
    finding = only(scan(tmp_path, {"app.py": LOGIN_APP}))
    assert (finding.rule_id, finding.span.start_line) == ("FG204", 7)
    assert (finding.severity, finding.confidence) == (Severity.LOW, Confidence.LOW)


def test_never_set_with_session_writes_in_a_blueprint(tmp_path: Path) -> None:
    found = scan(
        tmp_path,
        {
            "notes/__init__.py": """
                import os

                from flask import Flask


                def create_app():
                    app = Flask(__name__)
                    app.config.from_mapping(SECRET_KEY=os.environ["SECRET_KEY"])
                    from .auth import bp

                    app.register_blueprint(bp)
                    return app
            """,
            "notes/auth.py": """
                from flask import Blueprint, session

                bp = Blueprint("auth", __name__)


                @bp.post("/login")
                def login():
                    session["user_id"] = 1
                    return "ok"
            """,
        },
    )
    finding = only(found)
    assert (finding.rule_id, finding.path, finding.span.start_line) == (
        "FG204",
        "notes/__init__.py",
        8,
    )
    assert "notes/auth.py:9" in finding.message


@pytest.mark.parametrize(
    "extra",
    [
        "from flask_talisman import Talisman\nTalisman(app)\n",
        "from flask_talisman import Talisman\nTalisman(app, force_https=False)\n",
        "app.config.from_prefixed_env()\n",
        'app.config.from_envvar("APP_SETTINGS")\n',
        'app.config["SESSION_COOKIE_SECURE"] = os.environ["COOKIE_SECURE"] == "1"\n',
        'class TestingConfig:\n    SESSION_COOKIE_SECURE = False\napp.config["SESSION_COOKIE_SECURE"] = True\n',
    ],
)
def test_never_set_is_not_reported_when_something_sets_it(tmp_path: Path, extra: str) -> None:
    assert scan(tmp_path, {"app.py": textwrap.dedent(LOGIN_APP) + extra}) == []


def test_talisman_that_disables_secure_does_not_count(tmp_path: Path) -> None:
    extra = "from flask_talisman import Talisman\nTalisman(app, session_cookie_secure=False)\n"
    found = scan(tmp_path, {"app.py": textwrap.dedent(LOGIN_APP) + extra}, prefix="FG204")
    assert keys(found) == {("FG204", "app.py", 7)}


def test_never_set_without_session_use_is_not_reported(tmp_path: Path) -> None:
    found = scan(
        tmp_path,
        {
            "app.py": """
                import os

                from flask import Flask, jsonify, session

                app = Flask(__name__)
                app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]


                @app.route("/")
                def index():
                    return jsonify(locale=session.get("locale", "en"))
            """
        },
    )
    assert found == []


# -- FG205 --------------------------------------------------------------------------------------


def test_remember_cookie_flags(tmp_path: Path) -> None:
    found = scan(
        tmp_path,
        {
            "app.py": """
                import os

                from flask import Flask
                from flask_login import LoginManager

                app = Flask(__name__)
                app.config.update(
                    SECRET_KEY=os.environ["SECRET_KEY"],
                    SESSION_COOKIE_SECURE=True,
                    REMEMBER_COOKIE_SECURE=False,
                    REMEMBER_COOKIE_HTTPONLY=0,
                    REMEMBER_COOKIE_SAMESITE="none",
                    REMEMBER_COOKIE_DOMAIN=".example.com",
                )
                login_manager = LoginManager(app)
            """
        },
    )
    assert keys(found) == {
        ("FG205", "app.py", 11),
        ("FG205", "app.py", 12),
        ("FG205", "app.py", 13),
        ("FG205", "app.py", 14),
    }


def test_remember_cookie_defaults_and_secure_samesite_none(tmp_path: Path) -> None:
    found = scan(
        tmp_path,
        {
            "app.py": """
                import os

                from flask import Flask
                from flask_login import LoginManager

                app = Flask(__name__)
                app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
                app.config["SESSION_COOKIE_SECURE"] = True
                app.config["REMEMBER_COOKIE_SECURE"] = True
                app.config["REMEMBER_COOKIE_SAMESITE"] = "None"
                login_manager = LoginManager(app)
            """
        },
    )
    assert found == []


# -- FG206 --------------------------------------------------------------------------------------


def test_long_lifetimes(tmp_path: Path) -> None:
    found = scan(
        tmp_path,
        {
            "app.py": """
                import datetime
                import os
                from datetime import timedelta as td

                from flask import Flask

                ONE_DAY = td(days=1)
                app = Flask(__name__)
                app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
                app.config["SESSION_COOKIE_SECURE"] = True
                app.permanent_session_lifetime = datetime.timedelta(weeks=5)
                app.config["REMEMBER_COOKIE_DURATION"] = ONE_DAY * 45
            """,
            "settings.py": "PERMANENT_SESSION_LIFETIME = 60 * 60 * 24 * 31\n",
        },
    )
    assert keys(found) == {
        ("FG206", "app.py", 12),
        ("FG206", "app.py", 13),
        ("FG206", "settings.py", 1),
    }
    assert all(f.severity == Severity.LOW for f in found)
    assert "45 days" in {f.span.start_line: f for f in found if f.path == "app.py"}[13].message


def test_lifetimes_within_limit(tmp_path: Path) -> None:
    found = scan(
        tmp_path,
        {
            "app.py": """
                import os
                from datetime import timedelta

                from flask import Flask

                app = Flask(__name__)
                app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
                app.config["SESSION_COOKIE_SECURE"] = True
                app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(days=30)
                app.config["REMEMBER_COOKIE_DURATION"] = 86400 * 7
                app.permanent_session_lifetime = timedelta(hours=12, minutes=30)
                TOKEN_MAX_AGE = timedelta(days=400)
            """
        },
    )
    assert found == []


# -- FG207 --------------------------------------------------------------------------------------


COOKIE_APP = """
    import secrets

    from flask import (
        Flask, Response, after_this_request, current_app, jsonify, make_response, redirect,
    )

    app = Flask(__name__)
    app.config["SESSION_COOKIE_SECURE"] = True
    SECURE = False
    STRICT = "Strict"
"""


def test_cookie_calls_on_responses(tmp_path: Path) -> None:
    found = scan(
        tmp_path,
        {
            "app.py": textwrap.dedent(COOKIE_APP)
            + textwrap.dedent(
                """
                @app.route("/a")
                def a():
                    resp = make_response("ok")
                    resp.set_cookie("theme", "dark")
                    return resp


                @app.route("/b")
                def b():
                    response = Response("ok")
                    response.set_cookie("t", secrets.token_hex(), secure=SECURE, httponly=True, samesite=STRICT)
                    return response


                @app.route("/c")
                def c():
                    rv = redirect("/")
                    rv.set_cookie("x", "1", 3600, None, "/", None, True, False, "Lax")
                    return rv


                @app.route("/d")
                def d():
                    r = jsonify(ok=True)
                    r.set_cookie("y", "1", secure=True, httponly=True, samesite=None)
                    return r


                @app.after_request
                def stamp(resp_obj):
                    resp_obj.set_cookie("seen", "1", secure=True, httponly=True)
                    return resp_obj


                @app.route("/e")
                def e():
                    @after_this_request
                    def later(out):
                        out.set_cookie("later", "1")
                        return out

                    res = current_app.make_response("x")
                    res.set_cookie("made", "1", httponly=True, samesite="Lax")
                    return res


                def helper(resp):
                    resp.set_cookie("guess", "1", secure=True, samesite="Lax")
                """
            )
        },
    )
    assert keys(found) == {
        ("FG207", "app.py", 16),
        ("FG207", "app.py", 23),
        ("FG207", "app.py", 30),
        ("FG207", "app.py", 37),
        ("FG207", "app.py", 43),
        ("FG207", "app.py", 51),
        ("FG207", "app.py", 55),
        ("FG207", "app.py", 60),
    }
    by_line = {f.span.start_line: f for f in found}
    assert "no secure, no httponly, no samesite" in by_line[16].message
    assert "secure=False" in by_line[23].message
    assert "httponly=False" in by_line[30].message
    assert "samesite=None" in by_line[37].message
    assert by_line[60].confidence == Confidence.MEDIUM
    assert by_line[16].confidence == Confidence.HIGH


def test_cookie_calls_that_are_fine_or_not_on_responses(tmp_path: Path) -> None:
    found = scan(
        tmp_path,
        {
            "app.py": textwrap.dedent(COOKIE_APP)
            + textwrap.dedent(
                """
                import requests
                from requests.cookies import create_cookie

                SECURE_ON = True


                @app.route("/a")
                def a():
                    resp = make_response("ok")
                    resp.set_cookie("sid", "1", secure=True, httponly=True, samesite="Lax")
                    resp.set_cookie("p", "1", secure=SECURE_ON, httponly=True, samesite=STRICT)
                    resp.set_cookie(
                        "c",
                        "1",
                        secure=current_app.config["SESSION_COOKIE_SECURE"],
                        httponly=True,
                        samesite="Lax",
                    )
                    resp.set_cookie("x", "1", secure=True, samesite="None", httponly=True)
                    resp.delete_cookie("old")
                    options = {"secure": True}
                    resp.set_cookie("k", "1", **options)
                    return resp


                def partner():
                    http = requests.Session()
                    http.cookies.set_cookie(create_cookie("partner", "acme"))
                    client = app.test_client()
                    client.set_cookie("k", "v")
                    jar = object()
                    jar.set_cookie("z")
                """
            )
        },
    )
    assert found == []


# -- fixes --------------------------------------------------------------------------------------


def fix_project(root: Path, files: dict[str, str]) -> dict[str, str]:
    write(root, files)
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    outcome = run_fix([root], config=Config(), root=root, unsafe=True, write=True)
    assert outcome.failures == []
    texts = {name: (root / name).read_text(encoding="utf-8") for name in files}
    for text in texts.values():
        ast.parse(text)
    return texts


def test_fix_replaces_literals_and_adds_one_import(tmp_path: Path) -> None:
    texts = fix_project(
        tmp_path,
        {
            "config.py": f'''
                """Settings."""
                from __future__ import annotations


                class ProductionConfig:
                    SECRET_KEY = "{STRONG}"  # keep this comment
                    JWT_SECRET_KEY = ("dev")
                    SESSION_COOKIE_SECURE = True
            ''',
            "app.py": """
                from flask import Flask

                app = Flask(__name__)
                app.config.from_object("config.ProductionConfig")
            """,
        },
    )
    assert texts["config.py"] == textwrap.dedent(
        '''
        """Settings."""
        from __future__ import annotations


        import os
        class ProductionConfig:
            SECRET_KEY = os.environ["SECRET_KEY"]  # keep this comment
            JWT_SECRET_KEY = (os.environ["JWT_SECRET_KEY"])
            SESSION_COOKIE_SECURE = True
        '''
    )
    result = run_scan([tmp_path], root=tmp_path, config=Config(), jobs=1)
    assert not [f for f in result.findings if f.rule_id in ("FG200", "FG201")]


def test_fix_in_a_keyword_and_a_bytes_literal_with_os_imported(tmp_path: Path) -> None:
    texts = fix_project(
        tmp_path,
        {
            "app.py": """
                import os

                from flask import Flask

                app = Flask(__name__)
                app.secret_key = b'_5#y2L"F4Q8z\\n\\xec]/'
                app.config.from_mapping(
                    JWT_SECRET_KEY="dev",
                    SESSION_COOKIE_SECURE=True,
                )
            """
        },
    )
    assert texts["app.py"] == textwrap.dedent(
        """
        import os

        from flask import Flask

        app = Flask(__name__)
        app.secret_key = os.environ["SECRET_KEY"]
        app.config.from_mapping(
            JWT_SECRET_KEY=os.environ["JWT_SECRET_KEY"],
            SESSION_COOKIE_SECURE=True,
        )
        """
    )


def test_fix_of_a_constant_in_another_module(tmp_path: Path) -> None:
    texts = fix_project(
        tmp_path,
        {
            "keys.py": f'KEY = "{STRONG}"\n',
            "app.py": """
                from flask import Flask

                from keys import KEY

                app = Flask(__name__)
                app.config["SECRET_KEY"] = KEY
                app.config["SESSION_COOKIE_SECURE"] = True
            """,
        },
    )
    assert texts["keys.py"] == 'import os\nKEY = os.environ["SECRET_KEY"]\n'
    assert "from keys import KEY" in texts["app.py"]


def test_fix_adds_cookie_flags(tmp_path: Path) -> None:
    texts = fix_project(
        tmp_path,
        {
            "app.py": """
                from flask import Flask, make_response

                app = Flask(__name__)
                app.config["SESSION_COOKIE_SECURE"] = True
                SECURE = False


                @app.route("/")
                def index():
                    resp = make_response("ok")
                    resp.set_cookie("a", "1")
                    resp.set_cookie(
                        "b",
                        "2",
                        secure=SECURE,  # from settings
                        httponly=True,
                    )
                    resp.set_cookie("c", "3", 60, None, "/", None, False)
                    return resp
            """
        },
    )
    assert texts["app.py"] == textwrap.dedent(
        """
        from flask import Flask, make_response

        app = Flask(__name__)
        app.config["SESSION_COOKIE_SECURE"] = True
        SECURE = False


        @app.route("/")
        def index():
            resp = make_response("ok")
            resp.set_cookie("a", "1", secure=True, httponly=True, samesite="Lax")
            resp.set_cookie(
                "b",
                "2",
                secure=True,  # from settings
                httponly=True, samesite="Lax",
            )
            resp.set_cookie("c", "3", 60, None, "/", None, True, httponly=True, samesite="Lax")
            return resp
        """
    )


def test_no_cookie_fix_for_a_parenthesised_last_argument(tmp_path: Path) -> None:
    found = scan(
        tmp_path,
        {
            "app.py": """
                from flask import Flask, make_response

                app = Flask(__name__)


                @app.route("/")
                def index():
                    resp = make_response("ok")
                    resp.set_cookie("a", ("1"))
                    return resp
            """
        },
        prefix="FG207",
    )
    finding = only(found)
    assert finding.fix is None
    assert finding.fix_unavailable_reason and "unexpected shape" in finding.fix_unavailable_reason


# -- end to end ---------------------------------------------------------------------------------


def test_cli_scan_reports_and_never_prints_secrets(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app/__init__.py": APP_FROM_CONFIG,
            "config.py": f"""
                import os


                class ProductionConfig:
                    SECRET_KEY = "{STRONG}"
                    MAIL_PASSWORD = "Tr0ub4dor&3"
                    JWT_SECRET_KEY = os.environ.get("JWT_SECRET_KEY", "{OTHER_STRONG}")


                config = {{"production": ProductionConfig}}
            """,
        },
    )
    result = subprocess.run(
        [sys.executable, "-m", "flaskguard", "scan", ".", "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1
    for secret in (STRONG, "Tr0ub4dor", OTHER_STRONG):
        assert secret not in result.stdout
    report = json.loads(result.stdout)
    found = {
        (f["rule_id"], f["path"], f["start_line"])
        for f in report["findings"]
        if f["rule_id"].startswith("FG2")
    }
    assert found == {
        ("FG200", "config.py", 6),
        ("FG203", "config.py", 7),
        ("FG202", "config.py", 8),
    }


def test_secrets_in_committed_deployment_files(tmp_path: Path) -> None:
    found = scan(
        tmp_path,
        {
            "app.py": "from flask import Flask\napp = Flask(__name__)\napp.config.from_prefixed_env()\n",
            ".flaskenv": "FLASK_APP=app.py\nFLASK_SECRET_KEY=dev\n",
            "Dockerfile": "FROM python:3.12\nENV SECRET_KEY=9f8a7d6c5b4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a\n"
            "ENV JWT_SECRET_KEY=${JWT_SECRET}\n",
            # A .env file holds local secrets and is kept out of version control.
            ".env": "SECRET_KEY=local-only-value-kept-out-of-git\n",
            ".flaskenv.example": "FLASK_SECRET_KEY=change-me\n",
        },
    )
    assert keys(found) == {("FG201", ".flaskenv", 2), ("FG200", "Dockerfile", 2)}
    assert all(f.redact_snippet for f in found)
