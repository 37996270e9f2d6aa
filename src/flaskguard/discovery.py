"""Which files a scan reads: Python sources, Jinja templates, and the files that say how the
app is deployed, what it depends on and which environment it runs with.

The walk uses ``os.scandir`` (no stat for ordinary entries), skips default and configured
excludes, virtualenvs whatever their name (a directory holding ``pyvenv.cfg``) and what
``.gitignore`` files and ``.git/info/exclude`` ignore. Discovery never raises: a missing path,
an unreadable directory, a broken link or a symlink loop becomes an FG903 diagnostic.

Every file gets a ``relpath`` relative to the project root, with forward slashes. A file
outside the root (only possible when named on the command line) gets a relative path that
climbs out of the root (``../shared/app.py``), or its absolute POSIX path when no relative path
exists (another drive on Windows): findings then still point at the right file, and the path
stays stable for a fixed checkout layout.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import stat
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Optional

from pathspec import GitIgnoreSpec

from flaskguard.findings import Diagnostic

FileKind = Literal["python", "deployment", "env", "template"]

DEFAULT_EXCLUDES: tuple[str, ...] = (
    ".git",
    ".hg",
    ".svn",
    ".bzr",
    ".tox",
    ".nox",
    ".venv",
    "venv",
    ".eggs",
    "*.egg-info",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    "node_modules",
    "site-packages",
    "__pypackages__",
    "build",
    "dist",
    "_build",
    "buck-out",
    ".ipynb_checkpoints",
    ".direnv",
    ".pyenv",
)


@dataclass(frozen=True)
class DiscoveredFile:
    path: Path  # absolute path as found (not resolved through symlinks)
    relpath: str  # relative to the project root, forward slashes
    kind: FileKind
    explicit: bool  # named on the command line


@dataclass
class DiscoveryResult:
    files: list[DiscoveredFile] = field(default_factory=list)  # sorted by relpath, no duplicates
    diagnostics: list[Diagnostic] = field(default_factory=list)


_DEPLOYMENT_NAMES = frozenset(
    {
        "Procfile",
        "Containerfile",
        "compose.yml",
        "compose.yaml",
        "uwsgi.yml",
        "uwsgi.yaml",
        "app.yml",
        "app.yaml",
        "pyproject.toml",
        # Lock files pin what is actually installed, which the dependency rules need.
        "Pipfile",
        "Pipfile.lock",
        "poetry.lock",
        "pdm.lock",
        "uv.lock",
        "setup.cfg",
    }
)
_ENV_NAMES = frozenset({".env", ".flaskenv"})
_REQUIREMENT_SUFFIXES = (".txt", ".in")
# Flask autoescapes .html, .htm, .xml, .xhtml and .svg; the others are common template names.
_TEMPLATE_SUFFIXES = (
    ".html",
    ".htm",
    ".xhtml",
    ".xml",
    ".svg",
    ".txt",
    ".jinja",
    ".jinja2",
    ".j2",
)


def _classify(name: str, parent_name: str, relpath: str) -> Optional[FileKind]:
    """The kind of the file ``name`` in the folder ``parent_name`` at ``relpath``."""
    if name.endswith((".py", ".pyw")):
        # gunicorn.conf.py and friends land here too: they are Python, and the deployment
        # extractor recognises them by name.
        return "python"
    # Below templates/, a requirements.txt or .env.j2 is rendered by Jinja, not read by pip or
    # the app's environment loader.
    if name.lower().endswith(_TEMPLATE_SUFFIXES) and "templates" in relpath.split("/")[:-1]:
        return "template"
    if name in _ENV_NAMES or name.startswith(".env."):
        return "env"
    if name in _DEPLOYMENT_NAMES or name.endswith(".ini"):
        return "deployment"
    if name.startswith("pylock.") and name.endswith(".toml"):
        return "deployment"
    if name.endswith(_REQUIREMENT_SUFFIXES) and (
        name.startswith("requirements")
        or name.rsplit(".", 1)[0].endswith(("-requirements", "_requirements"))
        or parent_name == "requirements"
    ):
        return "deployment"
    # Docker matches these names case-insensitively on macOS and Windows, and lower-case
    # spellings are common in the wild.
    lower = name.lower()
    if lower == "dockerfile" or lower.startswith("dockerfile.") or lower.endswith(".dockerfile"):
        return "deployment"
    if lower.startswith("docker-compose") and lower.endswith((".yml", ".yaml")):
        return "deployment"
    return None


def find_project_root(paths: Sequence[Path], cwd: Path) -> Path:
    """The folder of the nearest ``pyproject.toml`` at or above the scanned paths' common
    ancestor, else the top of the git work tree, else ``cwd``.

    The search for ``pyproject.toml`` stops at the top of a work tree: one further up belongs
    to some other project (a stray one in the home directory, say).
    """
    base = os.path.abspath(cwd)
    starts = []
    for path in paths:
        full = os.path.normpath(os.path.join(base, os.fspath(path)))
        starts.append(full if os.path.isdir(full) else os.path.dirname(full))
    try:
        common = os.path.commonpath(starts) if starts else base
    except ValueError:  # paths on different drives have no common ancestor
        return Path(base)
    for directory in _self_and_ancestors(common):
        if os.path.isfile(os.path.join(directory, "pyproject.toml")):
            return Path(directory)
        if os.path.exists(os.path.join(directory, ".git")):
            return Path(directory)
    return Path(base)


def discover(
    paths: Sequence[Path],
    root: Path,
    *,
    exclude: Optional[Sequence[str]] = None,
    extend_exclude: Sequence[str] = (),
    force_exclude: bool = False,
    respect_gitignore: bool = True,
) -> DiscoveryResult:
    """Find the files to scan under ``paths`` (the root itself when empty).

    Relative paths are taken relative to the current directory. ``exclude`` replaces
    DEFAULT_EXCLUDES and ``extend_exclude`` adds to them; both are gitignore-style patterns
    matched against root-relative paths (a bare name matches at any depth).

    A file named in ``paths`` is scanned even when excluded or ignored, unless
    ``force_exclude``; a file whose name fits no kind is then taken as Python. A directory
    named in ``paths`` is walked with the excludes applied below it; when the directory itself
    is excluded or ignored, the patterns that exclude it are left out for its contents
    (patterns are then matched relative to it, and ``.gitignore`` files above it are not read).

    Jinja templates are the files with a template suffix (``.html``, ``.txt``, ``.j2``...)
    anywhere below a folder named ``templates``; the path decides, so a template has the same
    kind whether it is walked or named.

    Environment files are reported even when a ``.gitignore`` ignores them (they usually are),
    but not when an exclude pattern matches, nor inside a directory the walk skips.
    """
    patterns = [*(DEFAULT_EXCLUDES if exclude is None else exclude), *extend_exclude]
    walker = _Walker(os.path.abspath(root), _Rules.compile(patterns), respect_gitignore)
    for path in paths or [root]:
        walker.add_explicit(os.path.abspath(path), force_exclude)
    walker.walk()
    return walker.result()


def _self_and_ancestors(directory: str) -> Iterator[str]:
    while True:
        yield directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return
        directory = parent


def _reason(exc: OSError) -> str:
    text = exc.strerror or str(exc) or type(exc).__name__
    return text[:1].lower() + text[1:]


def _access_problem(path: str, exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    if isinstance(exc, (FileNotFoundError, NotADirectoryError)):
        return "broken symbolic link" if os.path.islink(path) else "path does not exist"
    return f"cannot access: {_reason(exc)}"


@dataclass(frozen=True)
class _Rules:
    """A compiled list of gitignore-style patterns."""

    spec: GitIgnoreSpec
    # pathspec answers for files, taking excluded parent directories into account, but a
    # negation may re-include a file below a directory that matches: a directory can only be
    # skipped whole when no negation exists.
    has_negation: bool
    # With neither negations nor slashes, whether an entry the walk reaches matches depends on
    # its name alone (a matching parent directory would have been skipped), so answers can be
    # shared between all entries of the same name.
    by_name: bool
    names: dict[tuple[str, bool], Optional[bool]] = field(default_factory=dict, compare=False)

    @classmethod
    def compile(cls, lines: Iterable[str]) -> _Rules:
        lines = list(lines)
        try:
            spec = GitIgnoreSpec.from_lines(lines)
        except ValueError:
            # Like git, drop a malformed line (a lone "!") rather than every pattern.
            spec = GitIgnoreSpec.from_lines([line for line in lines if _is_valid_pattern(line)])
        active = [pattern for pattern in spec.patterns if pattern.include is not None]
        has_negation = any(pattern.include is False for pattern in active)
        by_name = not has_negation and all(
            "/" not in str(pattern.pattern).strip().removesuffix("/") for pattern in active
        )
        return cls(spec, has_negation, by_name)

    def verdict(self, relpath: str, is_dir: bool) -> Optional[bool]:
        """True when excluded, False when re-included by a negation, None when no pattern matches."""
        return self.spec.check_file(relpath + "/" if is_dir else relpath).include

    def entry_verdict(self, relpath: str, is_dir: bool) -> Optional[bool]:
        """The verdict for an entry whose parent directories the walk entered."""
        if not self.by_name:
            return self.verdict(relpath, is_dir)
        key = (relpath.rpartition("/")[2], is_dir)
        if key not in self.names:
            self.names[key] = self.verdict(key[0], is_dir)
        return self.names[key]

    def prunes(self, relpath: str) -> bool:
        """Whether the walk can skip the directory at ``relpath`` with all it contains."""
        return not self.has_negation and bool(self.entry_verdict(relpath, True))

    @property
    def empty(self) -> bool:
        return not any(pattern.include is not None for pattern in self.spec.patterns)


def _is_valid_pattern(line: str) -> bool:
    try:
        GitIgnoreSpec.from_lines([line])
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class _IgnoreFile:
    base: str  # absolute directory the patterns are relative to
    rules: _Rules


_Key = tuple[int, int]


@dataclass(frozen=True)
class _Dir:
    path: str
    relpath: str  # "" for the project root
    exclude_relpath: str  # relative to the directory exclude patterns are matched from
    real: str  # real path, to recognise a file reached twice
    ignores: tuple[_IgnoreFile, ...]  # from the directories above, outermost first
    ancestors: frozenset[_Key]  # (st_dev, st_ino) of the directories above, to spot loops
    named: bool  # named on the command line: not checked against excludes itself
    via_link: bool


@dataclass(frozen=True)
class _Candidate:
    real: str
    via_link: bool
    file: DiscoveredFile


class _Walker:
    def __init__(self, root: str, excludes: _Rules, respect_gitignore: bool) -> None:
        self.root = root
        self.root_prefix = root if root.endswith(os.sep) else root + os.sep
        self.excludes = excludes
        self.respect_gitignore = respect_gitignore
        self.stack: list[_Dir] = []
        # Directories reached through a symlink wait until the plain tree is walked, so that a
        # file reachable both ways is reported under its real location.
        self.linked: deque[_Dir] = deque()
        self.visited: set[_Key] = set()
        self.candidates: list[_Candidate] = []
        self.diagnostics: dict[tuple[str, str, str], Diagnostic] = {}
        self.ignore_files: dict[str, Optional[_IgnoreFile]] = {}
        self.git_tops: dict[str, Optional[str]] = {}
        self.venv_dirs: dict[str, bool] = {}

    # -- results -------------------------------------------------------------------------

    def report(self, relpath: str, message: str) -> None:
        diagnostic = Diagnostic("FG903", relpath or ".", message)
        self.diagnostics[(diagnostic.path, diagnostic.code, message)] = diagnostic

    def result(self) -> DiscoveryResult:
        explicit = {c.real for c in self.candidates if c.file.explicit}
        chosen: dict[str, _Candidate] = {}
        for candidate in sorted(self.candidates, key=lambda c: (c.via_link, c.file.relpath)):
            chosen.setdefault(candidate.real, candidate)
        # A file named on the command line may also be reached by the walk or through a link.
        files = [
            dataclasses.replace(c.file, explicit=True)
            if c.real in explicit and not c.file.explicit
            else c.file
            for c in chosen.values()
        ]
        files.sort(key=lambda f: f.relpath)
        return DiscoveryResult(files, [self.diagnostics[key] for key in sorted(self.diagnostics)])

    # -- paths named on the command line -----------------------------------------------------

    def relpath(self, path: str) -> str:
        if path == self.root:
            return ""
        if path.startswith(self.root_prefix):
            return path[len(self.root_prefix) :].replace(os.sep, "/")
        try:
            return os.path.relpath(path, self.root).replace(os.sep, "/")
        except ValueError:
            return Path(path).as_posix()

    def inside_root(self, path: str) -> bool:
        return path == self.root or path.startswith(self.root_prefix)

    def add_explicit(self, path: str, force_exclude: bool) -> None:
        relpath = self.relpath(path)
        try:
            info = os.stat(path)
        except OSError as exc:
            self.report(relpath, _access_problem(path, exc))
            return
        if stat.S_ISDIR(info.st_mode):
            self.add_explicit_dir(path, relpath, force_exclude)
        elif stat.S_ISREG(info.st_mode):
            self.add_explicit_file(path, relpath, force_exclude)
        else:
            self.report(relpath, "not a regular file or directory")

    def add_explicit_dir(self, path: str, relpath: str, force_exclude: bool) -> None:
        excluded = (
            self.inside_root(path)
            and bool(relpath)
            and not self.excludes.has_negation
            and bool(self.excludes.verdict(relpath, True))
        )
        ignores, ignored = self.ancestor_ignores(path)
        if force_exclude and (excluded or ignored or self.in_venv(path)):
            return
        if ignored:
            ignores = ()
        inherits_excludes = self.inside_root(path) and not excluded
        self.stack.append(
            _Dir(
                path=path,
                relpath=relpath,
                exclude_relpath=relpath if inherits_excludes else "",
                real=os.path.realpath(path),
                ignores=ignores,
                ancestors=frozenset(),
                named=True,
                via_link=False,
            )
        )

    def add_explicit_file(self, path: str, relpath: str, force_exclude: bool) -> None:
        parent = os.path.dirname(path)
        kind = _classify(os.path.basename(path), os.path.basename(parent), relpath) or "python"
        if force_exclude:
            if self.inside_root(path) and self.excludes.verdict(relpath, False):
                return
            if self.in_venv(parent):
                return
            ignores, ignored = self.ancestor_ignores(parent)
            own = self.gitignore_of(parent)
            if own is not None:
                ignores += (own,)
            if kind != "env" and (ignored or self.ignoring(path, False, ignores) is not None):
                return
        file = DiscoveredFile(Path(path), relpath, kind, explicit=True)
        self.candidates.append(_Candidate(os.path.realpath(path), os.path.islink(path), file))

    def in_venv(self, directory: str) -> bool:
        """Whether ``directory`` or a directory above it, below the root, is a virtualenv."""
        current = directory
        while current != self.root and self.inside_root(current):
            if current not in self.venv_dirs:
                marker = os.path.join(current, "pyvenv.cfg")
                self.venv_dirs[current] = os.path.isfile(marker)
            if self.venv_dirs[current]:
                return True
            current = os.path.dirname(current)
        return False

    # -- ignore files --------------------------------------------------------------------

    def git_top(self, directory: str) -> Optional[str]:
        if directory not in self.git_tops:
            top = None
            for candidate in _self_and_ancestors(directory):
                if os.path.exists(os.path.join(candidate, ".git")):
                    top = candidate
                    break
            self.git_tops[directory] = top
        return self.git_tops[directory]

    def gitignore_of(self, directory: str) -> Optional[_IgnoreFile]:
        return self.load_ignore(os.path.join(directory, ".gitignore"), directory)

    def load_ignore(self, file_path: str, base: str) -> Optional[_IgnoreFile]:
        """The patterns of an ignore file, relative to ``base``; read once."""
        if not self.respect_gitignore:
            return None
        if file_path not in self.ignore_files:
            self.ignore_files[file_path] = self.read_ignore(file_path, base)
        return self.ignore_files[file_path]

    def read_ignore(self, file_path: str, base: str) -> Optional[_IgnoreFile]:
        try:
            with open(file_path, "rb") as handle:
                data = handle.read()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            self.report(self.relpath(file_path), f"cannot read ignore file: {_reason(exc)}")
            return None
        rules = _Rules.compile(data.decode("utf-8", errors="replace").splitlines())
        return None if rules.empty else _IgnoreFile(base, rules)

    def ancestor_ignores(self, directory: str) -> tuple[tuple[_IgnoreFile, ...], bool]:
        """The ignore files above ``directory`` that apply inside it, outermost first, and
        whether the walk from the top of the work tree (or the root) would skip ``directory``.
        """
        if not self.respect_gitignore:
            return (), False
        top = self.git_top(directory)
        ignores: list[_IgnoreFile] = []
        if top is not None:
            # .git/info/exclude has the lowest precedence, below the top-level .gitignore.
            info_exclude = self.load_ignore(os.path.join(top, ".git", "info", "exclude"), top)
            if info_exclude is not None:
                ignores.append(info_exclude)
        elif self.inside_root(directory):
            top = self.root
        else:
            top = directory
        chain = [directory]
        while chain[-1] != top and len(chain[-1]) > len(top):
            chain.append(os.path.dirname(chain[-1]))
        skipped = False
        chain.reverse()
        for above, below in zip(chain, chain[1:]):
            own = self.gitignore_of(above)
            if own is not None:
                ignores.append(own)
            verdict = self.ignoring(below, True, tuple(ignores))
            skipped = skipped or (verdict is not None and not verdict.rules.has_negation)
        return tuple(ignores), skipped

    def ignoring(
        self, path: str, is_dir: bool, ignores: tuple[_IgnoreFile, ...]
    ) -> Optional[_IgnoreFile]:
        """The ignore file that ignores ``path`` (whose directories the walk entered), if any;
        the deepest one with an opinion wins."""
        for ignore in reversed(ignores):
            prefix = ignore.base if ignore.base.endswith(os.sep) else ignore.base + os.sep
            if not path.startswith(prefix):
                continue
            relpath = path[len(prefix) :].replace(os.sep, "/")
            verdict = ignore.rules.entry_verdict(relpath, is_dir)
            if verdict is not None:
                return ignore if verdict else None
        return None

    # -- the walk ------------------------------------------------------------------------

    def walk(self) -> None:
        while self.stack or self.linked:
            directory = self.stack.pop() if self.stack else self.linked.popleft()
            self.scan(directory)

    def scan(self, directory: _Dir) -> None:
        try:
            info = os.stat(directory.path)
            key = (info.st_dev, info.st_ino)
            if key in self.visited:
                return
            self.visited.add(key)
            with os.scandir(directory.path) as iterator:
                entries = sorted(iterator, key=lambda entry: entry.name)
        except OSError as exc:
            if self.ignoring(directory.path, True, directory.ignores) is None:
                self.report(directory.relpath, f"cannot read directory: {_reason(exc)}")
            return
        names = {entry.name for entry in entries}
        if "pyvenv.cfg" in names and not directory.named:
            return
        ignores = directory.ignores
        if ".gitignore" in names:
            own = self.gitignore_of(directory.path)
            if own is not None:
                ignores += (own,)
        ancestors = directory.ancestors | {key}
        for entry in entries:
            self.visit(directory, entry, ignores, ancestors)

    def visit(
        self,
        parent: _Dir,
        entry: os.DirEntry[str],
        ignores: tuple[_IgnoreFile, ...],
        ancestors: frozenset[_Key],
    ) -> None:
        name = entry.name
        relpath = f"{parent.relpath}/{name}" if parent.relpath else name
        exclude_relpath = f"{parent.exclude_relpath}/{name}" if parent.exclude_relpath else name
        try:
            is_link = entry.is_symlink()
            if is_link:
                target = entry.stat()
                is_dir, is_file = stat.S_ISDIR(target.st_mode), stat.S_ISREG(target.st_mode)
            else:
                is_dir, is_file = entry.is_dir(follow_symlinks=False), entry.is_file()
        except OSError as exc:
            if not self.excludes.entry_verdict(exclude_relpath, False) and (
                self.ignoring(entry.path, False, ignores) is None
            ):
                self.report(relpath, _access_problem(entry.path, exc))
            return
        if is_dir:
            if self.excludes.prunes(exclude_relpath):
                return
            verdict = self.ignoring(entry.path, True, ignores)
            if verdict is not None and not verdict.rules.has_negation:
                return
            if is_link and (target.st_dev, target.st_ino) in ancestors:
                self.report(relpath, "symbolic link loop: links to a directory that contains it")
                return
            child = _Dir(
                path=entry.path,
                relpath=relpath,
                exclude_relpath=exclude_relpath,
                real=os.path.realpath(entry.path) if is_link else os.path.join(parent.real, name),
                ignores=ignores,
                ancestors=ancestors,
                named=False,
                via_link=is_link or parent.via_link,
            )
            if is_link:
                self.linked.append(child)
            else:
                self.stack.append(child)
        elif is_file:
            kind = _classify(name, os.path.basename(parent.path), relpath)
            if kind is None or self.excludes.entry_verdict(exclude_relpath, False):
                return
            if kind != "env" and self.ignoring(entry.path, False, ignores) is not None:
                return
            real = os.path.realpath(entry.path) if is_link else os.path.join(parent.real, name)
            file = DiscoveredFile(Path(entry.path), relpath, kind, explicit=False)
            self.candidates.append(_Candidate(real, is_link or parent.via_link, file))
