"""flaskguard: a static security analyzer for Flask applications."""

__version__ = "0.1.0"
