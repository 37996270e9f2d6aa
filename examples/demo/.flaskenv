# Loaded by `flask run` (and by app.run()) through python-dotenv.
FLASK_APP=app.py
FLASK_DEBUG=1
# The debugger PIN prompt got in the way; disable it.
WERKZEUG_DEBUG_PIN=off
