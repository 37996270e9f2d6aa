"""Quick start, command 1: install flaskguard in .venv and scan the bundled demo app."""

from __future__ import annotations

import subprocess
import sys

from _venv import ROOT, ensure_venv


def main() -> int:
    python = ensure_venv(ROOT / ".venv")
    demo = ROOT / "examples" / "demo"
    command = [str(python), "-m", "flaskguard", "scan", str(demo), *sys.argv[1:]]
    return subprocess.run(command, cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main())
