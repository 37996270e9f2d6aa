"""Configuration profiles for the inventory app.

``create_app()`` takes one of these classes; without one it uses the profile named by
``INVENTORY_CONFIG`` ("production" when unset).
Every profile inherits from :class:`Config`.
"""

import os

BASE_DIR = os.path.abspath(os.path.dirname(__file__))


class Config:
    # Shared defaults for every environment.
    DEBUG = True
    SECRET_KEY = "dev"
    DATABASE = os.path.join(BASE_DIR, "..", "instance", "inventory.sqlite3")
    ITEMS_PER_PAGE = 50
    SESSION_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30  # 30 days, in seconds


class DevelopmentConfig(Config):
    DEBUG = True
    TEMPLATES_AUTO_RELOAD = True


class ProductionConfig(Config):
    # Served by gunicorn behind the company proxy (see Procfile / Dockerfile).
    PREFERRED_URL_SCHEME = "https"
    DATABASE = os.environ.get("INVENTORY_DATABASE", "/var/lib/inventory/inventory.sqlite3")


class TestingConfig(Config):
    TESTING = True
    DEBUG = False
    SECRET_KEY = "testing-only-not-a-real-secret"
    WTF_CSRF_ENABLED = False
    DATABASE = ":memory:"


config = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestingConfig,
    "default": ProductionConfig,
}
