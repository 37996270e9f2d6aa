"""A re-scan with the cache reports exactly what a scan without it reports, whatever the edit.

The demo project (every rule family, fixes, templates, manifests, environment files) is scanned
once to fill a cache, edited, and scanned again with that cache and without any cache: the two
reports must be equal, snippets and fix edits included. The edits cover the ones the cache
treats as leaving the facts alone (comments, spacing) and the ones that must not be taken for
them.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

import pytest

from flaskguard.config import load_config
from flaskguard.findings import ScanResult
from flaskguard.scan import run_scan

DEMO = Path(__file__).resolve().parent.parent / "examples" / "demo"


def _append(relpath: str, text: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        path = root / relpath
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")

    return edit


def _replace(relpath: str, old: str, new: str, occurrence: int = 1) -> Callable[[Path], None]:
    """Replace the ``occurrence``-th ``old`` (1 = the first)."""

    def edit(root: Path) -> None:
        path = root / relpath
        text = path.read_text(encoding="utf-8")
        at = -1
        for _ in range(occurrence):
            at = text.index(old, at + 1)
        path.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")

    return edit


def _delete(relpath: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        (root / relpath).unlink()

    return edit


def _crlf(relpath: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        path = root / relpath
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))

    return edit


RUN = 'app.run(host="0.0.0.0", port=5000, debug=True)'

EDITS: dict[str, Callable[[Path], None]] = {
    "comment appended": _append("app.py", "# a note\n"),
    "comment on the flagged line": _replace("app.py", RUN, RUN + "  # local only"),
    "comment line above the flagged line": _replace("app.py", RUN, "# start it\n" + RUN),
    "spacing inside the flagged line": _replace("app.py", RUN, RUN.replace(", ", ",  ")),
    "module docstring reworded": _replace("app.py", "Run the inventory app", "Start the app"),
    "function docstring reworded": _replace(
        "inventory/__init__.py", '"""Application factory.', '"""The application factory.'
    ),
    "CRLF line endings": _crlf("app.py"),
    "comment lines above the views": _replace(
        "inventory/views.py", "import hashlib", "# Views.\n\n# More.\nimport hashlib"
    ),
    "a comment line removed": _replace(
        "inventory/config.py", "    # Shared defaults for every environment.\n", ""
    ),
    "a comment line inside a multi-line call": _replace(
        "inventory/views.py",
        "        env=dict(os.environ),",
        "        # all of it\n        env=dict(os.environ),",
    ),
    "blank lines in a docstring above a fix": _replace(
        "inventory/config.py", "Every profile inherits", "\n\nEvery profile inherits"
    ),
    "a suppression comment line above": _replace(
        "app.py", RUN, "# flaskguard: ignore[FG100]\n" + RUN
    ),
    "a suppression comment": _replace("app.py", RUN, RUN + "  # flaskguard: ignore[FG100]"),
    "the call guarded": _replace("app.py", RUN, 'if __name__ == "__main__":\n    ' + RUN),
    "debug switched off": _replace("app.py", "debug=True", "debug=False"),
    "secret key changed": _replace("inventory/config.py", 'SECRET_KEY = "dev"', "SECRET_KEY = 'x'"),
    "comment in a config class": _replace(
        "inventory/config.py", "    ITEMS_PER_PAGE = 50", "    ITEMS_PER_PAGE = 50  # a page"
    ),
    "template comment": _append("inventory/templates/items.html", "{# a note #}\n"),
    "template made unsafe": _append("inventory/templates/items.html", "{{ query|safe }}\n"),
    "requirement upgraded": _replace("requirements.txt", "Flask==2.2.2", "Flask==3.1.3"),
    "requirements comment": _append("requirements.txt", "# pinned by hand\n"),
    "environment file comment": _append(".flaskenv", "# local settings\n"),
    "debug off in the environment file": _replace(".flaskenv", "FLASK_DEBUG=1", "FLASK_DEBUG=0"),
    "a module added": lambda root: (root / "extra.py").write_text("# empty\n", encoding="utf-8"),
    "a module removed": _delete("realtime.py"),
    "a function added": _append("inventory/sync.py", "\n\ndef later(value):\n    return value\n"),
    "a helper with a call and a variable added": _append(
        "inventory/db.py", "\n\ndef count(rows):\n    total = len(rows) + 1\n    return total\n"
    ),
    "an import added above flagged code": _replace(
        "inventory/views.py", "import hashlib\n", "import hashlib\nimport json\n"
    ),
    "a helper inserted above the views": _replace(
        "inventory/views.py",
        "class User(UserMixin):",
        "def _plural(count, word):\n    text = str(count) + ' ' + word\n"
        "    return text if count == 1 else text + 's'\n\n\nclass User(UserMixin):",
    ),
    "a statement added in a view above flagged code": _replace(
        "inventory/views.py",
        "def load_user(user_id):\n",
        "def load_user(user_id):\n    user_id = int(user_id)\n",
    ),
    "a config write added": _replace(
        "inventory/__init__.py",
        "    db.init_app(app)\n",
        '    app.config["SESSION_COOKIE_SECURE"] = False\n    db.init_app(app)\n',
    ),
    "a function added and one changed": lambda root: (
        _append("inventory/sync.py", "\n\ndef later(value):\n    return value\n")(root),
        _replace("inventory/db.py", "    return g.db\n", "    return g.db or None\n")(root),
    ),
    "a helper's return value changed": _replace(
        "inventory/db.py", "    return g.db\n", "    return g.db or None\n"
    ),
    "a return value no analysis reads changed": _replace(
        "inventory/sync.py", "    return response.json()\n", "    return response.json() or []\n"
    ),
    "a route added": _append(
        "inventory/views.py",
        '\n\n@bp.route("/echo")\ndef echo():\n    return request.args.get("q", "")\n',
    ),
    "a view's return value changed": _replace(
        "inventory/views.py", "items=items, query=None)", 'items=items, query=request.args["q"])'
    ),
    "a method added": _replace(
        "inventory/views.py",
        '        self.is_admin = bool(row["is_admin"])\n',
        '        self.is_admin = bool(row["is_admin"])\n\n    def label(self):\n        return 1\n',
    ),
    "a parameter default changed": _replace(
        "inventory/db.py", "def close_db(exc=None)", "def close_db(exc=0)"
    ),
    "a function renamed": _replace("inventory/sync.py", "def fetch_stock():", "def fetch():"),
    "a decorator removed": _replace(
        "inventory/views.py", "@login_required\ndef logout", "def logout"
    ),
    "a function moved down by code above it": _replace(
        "inventory/sync.py",
        "def fetch_stock():",
        "def first():\n    return 1\n\n\ndef fetch_stock():",
    ),
}


def _report(result: ScanResult) -> list[tuple[object, ...]]:
    return [
        (
            f.rule_id,
            f.path,
            f.span,
            f.message,
            f.snippet,
            f.fix,
            f.fix_unavailable_reason,
            f.fingerprint,
            f.suppressed,
            f.related_locations,
            f.trace,
        )
        for f in result.findings
    ] + [(d.code, d.path, d.message) for d in result.diagnostics]


# The edits after which the stored result is reused (its lines moved where lines moved) rather
# than the analyses run again: the facts are the same, or differ only where no analysis read.
REUSED = {
    "a function added",
    "a function moved down by code above it",
    "an import added above flagged code",
    "a helper inserted above the views",
    "a helper with a call and a variable added",
    "a parameter default changed",
    "comment appended",
    "comment line above the flagged line",
    "comment lines above the views",
    "a comment line removed",
    "a comment line inside a multi-line call",
    "blank lines in a docstring above a fix",
    "comment on the flagged line",
    "module docstring reworded",
    "function docstring reworded",
    "CRLF line endings",
    "comment in a config class",
    "template comment",
    "requirements comment",
    "environment file comment",
}


@pytest.mark.parametrize("edit", list(EDITS), ids=list(EDITS))
def test_a_cached_rescan_after_an_edit_equals_a_fresh_scan(
    tmp_path: Path, edit: str, project_builds: list[int]
) -> None:
    root = tmp_path / "demo"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns("__pycache__"))
    cache = tmp_path / "cache"
    config = load_config(root)
    before = run_scan([root], root=root, config=config, jobs=1, cache_dir=cache)
    assert before.findings
    EDITS[edit](root)
    project_builds.clear()
    cached = run_scan([root], root=root, config=config, jobs=1, cache_dir=cache)
    assert (project_builds == []) == (edit in REUSED), project_builds
    fresh = run_scan([root], root=root, config=config, jobs=1)
    assert _report(cached) == _report(fresh)
    # And the state after the edit is what the next warm scan returns.
    assert _report(run_scan([root], root=root, config=config, jobs=1, cache_dir=cache)) == _report(
        fresh
    )
