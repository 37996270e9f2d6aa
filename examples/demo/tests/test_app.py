"""Tests for the inventory app (run with ``pytest`` from examples/demo)."""

import pytest
from werkzeug.security import generate_password_hash

from inventory import create_app
from inventory.config import TestingConfig
from inventory.db import get_db, init_db


@pytest.fixture
def app(tmp_path):
    app = create_app(TestingConfig)
    app.config.update(
        DATABASE=str(tmp_path / "test.sqlite3"),
        SECRET_KEY="dummy-secret-for-tests",
        WTF_CSRF_ENABLED=False,
    )
    with app.app_context():
        init_db()
        db = get_db()
        db.execute(
            "INSERT INTO users (username, password_hash) VALUES (?, ?)",
            ("alice", generate_password_hash("correct horse")),
        )
        db.execute("INSERT INTO items (name, quantity) VALUES ('HDMI cable', 12)")
        db.commit()
    yield app


@pytest.fixture
def client(app):
    return app.test_client()


def test_list_items(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"HDMI cable" in response.data


def test_item_detail_404(client):
    assert client.get("/items/9999").status_code == 404


def test_login_rejects_wrong_password(client):
    response = client.post("/login", data={"username": "alice", "password": "nope"})
    assert response.status_code == 401


def test_login_then_add_item(client):
    client.post("/login", data={"username": "alice", "password": "correct horse"})
    response = client.post("/items/new", data={"name": "USB-C hub", "quantity": "3"})
    assert response.status_code == 302
    assert b"USB-C hub" in client.get("/").data
