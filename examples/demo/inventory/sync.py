"""Nightly stock sync with the warehouse system (run by `flask sync-stock` from cron)."""

import click
import requests
from flask import current_app

from .db import get_db

# The warehouse API sits behind a self-signed certificate on the internal network.
VERIFY_TLS = False


def fetch_stock():
    url = current_app.config.get("WAREHOUSE_URL", "https://warehouse.internal/api/stock")
    response = requests.get(url, timeout=30, verify=VERIFY_TLS)
    response.raise_for_status()
    return response.json()


@click.command("sync-stock")
def sync_stock_command():
    db = get_db()
    for item in fetch_stock():
        db.execute("UPDATE items SET quantity = ? WHERE name = ?", (item["qty"], item["name"]))
    db.commit()
    click.echo("Stock synchronised.")


def init_app(app):
    app.cli.add_command(sync_stock_command)
