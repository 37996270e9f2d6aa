"""Team inventory & notes: a small internal Flask app."""

import os

from flask import Flask
from flask_login import LoginManager

from .config import config

login_manager = LoginManager()
login_manager.login_view = "inventory.login"


def create_app(config_class=None):
    """Application factory.

    ``config_class`` is one of the classes in ``inventory.config``; by default the profile
    named by ``INVENTORY_CONFIG`` ("production" when unset).
    """
    if config_class is None:
        config_class = config[os.environ.get("INVENTORY_CONFIG", "production")]

    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config_class)
    # Per-host overrides (not in git), e.g. a different DATABASE path.
    app.config.from_pyfile("local.cfg", silent=True)

    from . import db, sync

    db.init_app(app)
    sync.init_app(app)
    login_manager.init_app(app)

    from .views import bp

    app.register_blueprint(bp)
    return app
