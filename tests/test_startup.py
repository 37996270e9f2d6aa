"""Start-up: quick commands must not import what only other commands or formats need.

pre-commit hooks and editors start flaskguard on every change, so each import is paid
again and again. Each check runs the CLI in a fresh interpreter and looks at sys.modules.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

# Runs the CLI in-process, then prints the names of the loaded modules after a marker.
LOADED_MODULES = textwrap.dedent(
    """
    import sys
    from flaskguard.cli import main

    try:
        main(sys.argv[1:])
    except SystemExit:
        pass
    print("--- modules ---")
    print("\\n".join(sorted(sys.modules)))
    """
)

NEVER_AT_START_UP = (
    "flaskguard.report.sarif",
    "flaskguard.report.html",
    "flaskguard.report.json_report",
    "flaskguard.lsp",
    "pygls",
    "yaml",
)


def loaded_modules(*args: str, cwd: Path) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", LOADED_MODULES, *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return set(done.stdout.split("--- modules ---\n", 1)[1].split())


def test_version_imports_no_reporter_server_or_parser(tmp_path: Path) -> None:
    loaded = loaded_modules("--version", cwd=tmp_path)
    assert "flaskguard.cli" in loaded
    assert loaded.isdisjoint(NEVER_AT_START_UP)
    assert not {name for name in loaded if name.startswith(("flaskguard.rules", "flaskguard.scan"))}


def test_a_one_file_text_scan_imports_only_what_it_uses(tmp_path: Path) -> None:
    (tmp_path / "manage.py").write_text(
        "from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n", encoding="utf-8"
    )
    loaded = loaded_modules("scan", "manage.py", "--format", "text", "--no-cache", cwd=tmp_path)
    assert {"flaskguard.report.text", "flaskguard.rules.fg700_vulnerable_dependency"} <= loaded
    assert loaded.isdisjoint(NEVER_AT_START_UP)
    # Nothing declares a dependency: the advisory data is neither read nor its loader imported.
    assert "flaskguard.deps.database" not in loaded
    assert "zipfile" not in loaded
