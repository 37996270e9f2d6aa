"""Developer helper: ``python manage.py`` starts a local development server.

The call is under the ``__main__`` guard, so importing this module (tests, shells, a WSGI
server) never starts a server.
"""

from inventory import create_app
from inventory.config import DevelopmentConfig

app = create_app(DevelopmentConfig)

if __name__ == "__main__":
    app.run(debug=True)
