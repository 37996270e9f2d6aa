"""Convert an OSV export into flaskguard's bundled advisory form.

Reads a zip (for example OSV's PyPI export, https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip)
or a folder of OSV records (``.json``/``.yaml``/``.yml``, searched recursively), keeps the
records with a PyPI entry for one of the selected packages, and writes each as YAML to
``<out>/<package>/<id>.yaml`` (package names normalized as in PEP 503). Records are written
unchanged apart from the format; existing files of the same name are overwritten, nothing
else in ``--out`` is touched (so the LICENSE/README attribution stays).

Usage:
    python scripts/convert_osv.py all.zip --out src/flaskguard/deps/data/osv
    python scripts/convert_osv.py vulns/ --packages flask,werkzeug --out /tmp/osv

Standard library + PyYAML only.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Optional

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "src" / "flaskguard" / "deps" / "data" / "osv"

# The packages bundled today (the PyPA snapshot's folders).
DEFAULT_PACKAGES = (
    "aiohttp",
    "bottle",
    "cryptography",
    "dash",
    "fastapi",
    "flask",
    "flask-admin",
    "flask-appbuilder",
    "flask-caching",
    "flask-cors",
    "flask-security-too",
    "gunicorn",
    "jinja2",
    "lxml",
    "pyjwt",
    "python-engineio",
    "pyyaml",
    "requests",
    "sanic",
    "sqlalchemy",
    "starlette",
    "urllib3",
    "uvicorn",
    "waitress",
    "werkzeug",
)
SUFFIXES = (".json", ".yaml", ".yml")
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def canonical(name: str) -> str:
    """PEP 503 normalization (the same as ``packaging.utils.canonicalize_name``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def iter_sources(source: Path) -> Iterator[tuple[str, bytes]]:
    if source.is_dir():
        for path in sorted(source.rglob("*")):
            if path.is_file() and path.suffix.lower() in SUFFIXES:
                yield str(path), path.read_bytes()
    elif zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as archive:
            for info in archive.infolist():
                if not info.is_dir() and info.filename.lower().endswith(SUFFIXES):
                    yield info.filename, archive.read(info)
    else:
        raise SystemExit(f"convert_osv: {source} is neither a folder nor a zip file")


def decode(name: str, data: bytes) -> object:
    text = data.decode("utf-8")
    if name.lower().endswith(".json"):
        return json.loads(text)
    return yaml.load(text, Loader=_Loader)


def selected_packages(record: object, wanted: set[str]) -> list[str]:
    if not isinstance(record, dict) or not isinstance(record.get("affected"), list):
        return []
    found: list[str] = []
    for entry in record["affected"]:
        package = entry.get("package") if isinstance(entry, dict) else None
        if not isinstance(package, dict) or package.get("ecosystem") != "PyPI":
            continue
        name = package.get("name")
        if isinstance(name, str) and canonical(name) in wanted and canonical(name) not in found:
            found.append(canonical(name))
    return found


def convert(source: Path, out: Path, packages: Sequence[str]) -> dict[str, int]:
    """Write the selected records; returns counts (written, skipped, malformed)."""
    wanted = {canonical(p) for p in packages}
    counts = {"written": 0, "skipped": 0, "malformed": 0}
    for name, data in iter_sources(source):
        try:
            record = decode(name, data)
        except (ValueError, yaml.YAMLError):
            counts["malformed"] += 1
            continue
        ident = record.get("id") if isinstance(record, dict) else None
        if not isinstance(ident, str) or not _SAFE_ID.match(ident):
            counts["malformed"] += 1
            continue
        targets = selected_packages(record, wanted)
        if not targets:
            counts["skipped"] += 1
            continue
        text = yaml.safe_dump(record, sort_keys=False, allow_unicode=True, width=100)
        for package in targets:
            folder = out / package
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{ident}.yaml").write_text(text, encoding="utf-8")
            counts["written"] += 1
    return counts


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="OSV export: a .zip or a folder of records")
    parser.add_argument(
        "--packages",
        default=",".join(DEFAULT_PACKAGES),
        help="comma-separated PyPI package names (default: the packages bundled now)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args(argv)
    packages = [p.strip() for p in args.packages.split(",") if p.strip()]
    counts = convert(args.source, args.out, packages)
    print(
        f"wrote {counts['written']} record file(s) to {args.out}; "
        f"{counts['skipped']} record(s) for other packages, {counts['malformed']} malformed"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
