"""The on-disk cache: per-file outcomes by content, and whole-scan results by project state.

One SQLite database per project root, in the user's cache directory (never in the project).
A file's content digest is recomputed only when its size, mtime or inode changed, so a
re-scan of an unchanged tree reads nothing but directory entries and the database. Entries
are keyed by flaskguard's version and the running Python's, so upgrades never reuse stale
facts. A cache that cannot be opened, is corrupt or locked is set aside with a warning; the
scan then runs without it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sqlite3
import sys
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

from flaskguard import __version__
from flaskguard.model.reads import ReadLog

SCHEMA = 1
_TIMEOUT_S = 10.0
# Up to this many files are looked up one by one (a re-scan after an edit); more are read in
# one pass over the table.
_FEW = 64


def default_cache_dir() -> Path:
    """The platform's per-user cache folder for flaskguard."""
    override = os.environ.get("FLASKGUARD_CACHE_DIR")
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / "flaskguard" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "flaskguard"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "flaskguard"


@lru_cache(maxsize=1)
def _code_signature() -> str:
    """flaskguard's own files (code and data): an edited checkout must not reuse old results."""
    package = Path(__file__).resolve().parent
    entries = []
    for path in sorted(
        p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    ):
        stat = path.stat()
        entries.append(f"{path.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(entries).encode()).hexdigest()


def environment_key(*parts: object) -> str:
    """What every entry depends on besides the file: tool, Python, and the given settings."""
    material = repr((SCHEMA, __version__, _code_signature(), sys.version_info[:3], *parts))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:24]


class Cache:
    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.connection = connection
        self.path = path
        self.warnings: list[str] = []

    @classmethod
    def open(cls, directory: Path, root: Path) -> tuple[Optional[Cache], list[str]]:
        """The cache of project ``root`` in ``directory``; None (and why) when unusable."""
        name = hashlib.sha256(str(root.resolve()).encode("utf-8")).hexdigest()[:16] + ".sqlite"
        path = directory / name
        try:
            directory.mkdir(parents=True, exist_ok=True)
            return cls._connect(path), []
        except (OSError, sqlite3.Error) as error:
            first = f"cache {path} is unusable ({error}); rebuilding it"
        try:
            path.unlink(missing_ok=True)
            return cls._connect(path), [first]
        except (OSError, sqlite3.Error) as error:
            return None, [f"cache {path} is unusable ({error}); scanning without a cache"]

    @classmethod
    def _connect(cls, path: Path) -> Cache:
        connection = sqlite3.connect(str(path), timeout=_TIMEOUT_S)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.executescript(
            """
            CREATE TABLE IF NOT EXISTS files (
                relpath TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, inode INTEGER,
                digest TEXT);
            CREATE TABLE IF NOT EXISTS outcomes (
                key TEXT, relpath TEXT, digest TEXT, payload BLOB,
                PRIMARY KEY (key, relpath, digest));
            CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, payload BLOB);
            DROP TABLE IF EXISTS module_reads;
            CREATE TABLE IF NOT EXISTS read_log (relpath TEXT PRIMARY KEY, payload BLOB);
            CREATE TABLE IF NOT EXISTS read_log_result (key TEXT);
            """
        )
        connection.execute("SELECT count(*) FROM files").fetchone()
        return cls(connection, path)

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.connection.close()

    def warn(self, what: str, error: Exception) -> None:
        self.warnings.append(f"cache {self.path}: {what} failed ({error}); continuing without it")

    # -- file digests ----------------------------------------------------------------------

    def digests(self, files: Iterable[tuple[str, Path]]) -> dict[str, Optional[str]]:
        """Content digest of each (relpath, path); None when the file cannot be read."""
        try:
            known = {
                row[0]: row[1:]
                for row in self.connection.execute(
                    "SELECT relpath, size, mtime_ns, inode, digest FROM files"
                )
            }
        except sqlite3.Error as error:
            self.warn("reading file digests", error)
            known = {}
        result: dict[str, Optional[str]] = {}
        updates = []
        for relpath, path in files:
            try:
                stat = path.stat()
            except OSError:
                result[relpath] = None
                continue
            signature = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
            entry = known.get(relpath)
            if entry is not None and tuple(entry[:3]) == signature:
                result[relpath] = entry[3]
                continue
            digest = file_digest(path)
            result[relpath] = digest
            if digest is not None:
                updates.append((relpath, *signature, digest))
        if updates:
            try:
                with self.connection:
                    self.connection.executemany(
                        "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)", updates
                    )
            except sqlite3.Error as error:
                self.warn("storing file digests", error)
        return result

    # -- per-file outcomes -----------------------------------------------------------------

    def load_payloads(self, key: str, wanted: Mapping[str, str]) -> dict[str, bytes]:
        """Pickled outcomes for relpath -> content digest (the caller unpickles them)."""
        try:
            if len(wanted) <= _FEW:
                rows = [
                    row
                    for relpath, digest in wanted.items()
                    for row in self.connection.execute(
                        "SELECT relpath, digest, payload FROM outcomes "
                        "WHERE key = ? AND relpath = ? AND digest = ?",
                        (key, relpath, digest),
                    )
                ]
            else:
                rows = self.connection.execute(
                    "SELECT relpath, digest, payload FROM outcomes WHERE key = ?", (key,)
                ).fetchall()
        except sqlite3.Error as error:
            self.warn("reading facts", error)
            return {}
        return {
            relpath: bytes(payload)
            for relpath, digest, payload in rows
            if wanted.get(relpath) == digest
        }

    def store_payloads(self, key: str, payloads: Sequence[tuple[str, str, bytes]]) -> None:
        """Store (relpath, content digest, pickled outcome) rows."""
        rows = [(key, relpath, digest, payload) for relpath, digest, payload in payloads]
        try:
            with self.connection:
                self.connection.executemany(
                    "INSERT OR REPLACE INTO outcomes VALUES (?, ?, ?, ?)", rows
                )
        except sqlite3.Error as error:
            self.warn("storing facts", error)

    def prune_payloads(self, key: str, current: Mapping[str, Optional[str]]) -> None:
        """Forget outcomes that can no longer be asked for: those of other tool versions or
        settings, and earlier contents of the files in ``current`` (relpath -> digest). Files
        that were not scanned this time keep theirs, so a scan of one folder does not cost the
        next scan of the whole project its cache."""
        try:
            with self.connection:
                self.connection.execute("DELETE FROM outcomes WHERE key != ?", (key,))
                self.connection.executemany(
                    "DELETE FROM outcomes WHERE key = ? AND relpath = ? AND digest != ?",
                    [(key, relpath, digest) for relpath, digest in current.items() if digest],
                )
        except sqlite3.Error as error:
            self.warn("pruning facts", error)

    # -- whole-scan results ----------------------------------------------------------------

    def load_result(self, key: str) -> Optional[Any]:
        try:
            row = self.connection.execute(
                "SELECT payload FROM results WHERE key = ?", (key,)
            ).fetchone()
            return pickle.loads(row[0]) if row else None
        except Exception as error:  # a damaged entry is a miss, never a crash
            self.warn("reading results", error)
            return None

    def latest_result(self) -> Optional[Any]:
        """The result of the last scan of this project, whatever state it was for."""
        try:
            row = self.connection.execute("SELECT payload FROM results").fetchone()
            return pickle.loads(row[0]) if row else None
        except Exception as error:  # a damaged entry is a miss, never a crash
            self.warn("reading results", error)
            return None

    def latest_reads(self, paths: Iterable[str]) -> Optional[ReadLog]:
        """What the project stage read to make the last result (see :meth:`store_result`), of
        the modules at ``paths`` and of the project's call index; None when it is not known."""
        try:
            owner = self.connection.execute(
                "SELECT 1 FROM read_log_result JOIN results USING (key)"
            ).fetchone()
            calls = self.connection.execute(
                "SELECT payload FROM read_log WHERE relpath = ''"
            ).fetchone()
            if owner is None or calls is None:
                return None
            log = ReadLog(calls=pickle.loads(calls[0]))
            for path in set(paths):
                row = self.connection.execute(
                    "SELECT payload FROM read_log WHERE relpath = ?", (path,)
                ).fetchone()
                if row is None:  # every module of a project has its row: not known
                    return None
                log.fields[path], log.keys[path] = pickle.loads(row[0])
            return log
        except Exception as error:  # a damaged entry is a miss, never a crash
            self.warn("reading results", error)
            return None

    def store_result(
        self, key: str, result: Any, reads: Optional[ReadLog] = None, *, keep_reads: bool = False
    ) -> None:
        """Keep ``result`` as the project's latest, with ``reads``, what the analyses read to
        make it, or (``keep_reads``) with the reads of the result it replaces, those of the
        modules in ``reads`` replaced. Reads are kept by module, apart from the result: a warm
        scan needs the result only, and a re-scan the reads of the changed modules. One row
        names the result they belong to, so that keeping them rewrites that row only."""
        try:
            with self.connection:
                # Only the latest state of a project is worth keeping.
                self.connection.execute("DELETE FROM results")
                self.connection.execute(
                    "INSERT INTO results VALUES (?, ?)", (key, pickle.dumps(result, 5))
                )
                if keep_reads:
                    self.connection.execute("UPDATE read_log_result SET key = ?", (key,))
                else:
                    self.connection.execute("DELETE FROM read_log")
                    self.connection.execute("DELETE FROM read_log_result")
                    if reads is not None:
                        self.connection.execute("INSERT INTO read_log_result VALUES (?)", (key,))
                if reads is not None:
                    rows = [
                        (path, pickle.dumps((fields, reads.keys.get(path, set())), 5))
                        for path, fields in reads.fields.items()
                    ]
                    if not keep_reads:
                        rows.append(("", pickle.dumps(reads.calls, 5)))
                    self.connection.executemany(
                        "INSERT OR REPLACE INTO read_log VALUES (?, ?)", rows
                    )
        except sqlite3.Error as error:
            self.warn("storing results", error)


def file_digest(path: Path) -> Optional[str]:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()[:32]


def state_key(
    environment: str, digests: Mapping[str, Optional[str]], kinds: Mapping[str, str]
) -> str:
    material = "\n".join(f"{p}\t{kinds.get(p, '')}\t{d}" for p, d in sorted(digests.items()))
    return hashlib.sha256(f"{environment}\n{material}".encode()).hexdigest()
