"""Create or reuse a project virtual environment; shared by the demo and test commands."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def venv_python(venv_dir: Path) -> Path:
    if os.name == "nt":
        return venv_dir / "Scripts" / "python.exe"
    return venv_dir / "bin" / "python"


def ensure_venv(venv_dir: Path, extras: str = "", base_python: str = sys.executable) -> Path:
    """A venv at ``venv_dir`` with flaskguard installed (editable) with ``extras``."""
    python = venv_python(venv_dir)
    if not python.exists():
        print(f"creating virtual environment {venv_dir.name} ({base_python})", flush=True)
        if base_python == sys.executable:
            venv.EnvBuilder(with_pip=True, clear=True).create(venv_dir)
        else:
            subprocess.run([base_python, "-m", "venv", "--clear", str(venv_dir)], check=True)
    marker = venv_dir / ".flaskguard-installed"
    stamp = (ROOT / "pyproject.toml").read_text(encoding="utf-8") + extras
    if not marker.exists() or marker.read_text(encoding="utf-8") != stamp:
        target = f"{ROOT}[{extras}]" if extras else str(ROOT)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", target],
            check=True,
        )
        marker.write_text(stamp, encoding="utf-8")
    return python
