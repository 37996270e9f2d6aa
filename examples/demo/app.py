"""Run the inventory app: ``python app.py`` (or ``flask run``, see .flaskenv)."""

from inventory import create_app

app = create_app()

app.run(host="0.0.0.0", port=5000, debug=True)
