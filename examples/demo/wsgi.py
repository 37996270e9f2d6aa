"""WSGI entry point for gunicorn (``gunicorn wsgi:app``, see Procfile and Dockerfile)."""

from app import app  # noqa: F401
