"""Live stock updates over Socket.IO: ``python realtime.py``."""

from flask_socketio import SocketIO, emit

from inventory import create_app

app = create_app()
socketio = SocketIO(app)


@socketio.on("stock_changed")
def stock_changed(data):
    # Tell every connected browser to refresh the row of this item.
    emit("stock_changed", {"item_id": int(data["item_id"])}, broadcast=True)


if __name__ == "__main__":
    socketio.run(app, allow_unsafe_werkzeug=True)
