"""The pipeline: discovery → per-file facts (in worker processes) → model → rules → findings.

Per-file work runs in a process pool. Besides using every core, this keeps the scan alive
when the interpreter itself crashes on a pathological file (``ast.parse`` can overflow the C
stack on extreme inputs): a crashed worker costs one file, reported as FG907, never the scan.
"""

from __future__ import annotations

import copy
import gc
import hashlib
import os
import pickle
import re
import stat
import time
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional, Union

from flaskguard.cache import Cache, environment_key, file_digest, state_key
from flaskguard.config import Config, load_config
from flaskguard.deps.manifests import DependencyFacts, extract_dependency_facts, manifest_kind
from flaskguard.discovery import DiscoveredFile, DiscoveryResult, discover, find_project_root
from flaskguard.facts.compare import (
    LineMap,
    equal_under,
    line_digests,
    line_mapping,
    matching_lines,
)
from flaskguard.facts.deployment import DeploymentFacts, deployment_kind, extract_deployment_facts
from flaskguard.facts.extract import extract_module_facts
from flaskguard.facts.module import ModuleFacts, Suppression
from flaskguard.facts.templates import TemplateFacts, extract_template_facts
from flaskguard.findings import Diagnostic, Finding, RelatedLocation, ScanResult, make_fingerprint
from flaskguard.fixes import FIX_PLAN_TYPES, MoveDecoratorPlan, NoFix, materialise
from flaskguard.model.project import Project, changed_read
from flaskguard.model.reads import ReadLog
from flaskguard.parsing import parse_source, read_source
from flaskguard.redaction import redact_assigned_value, redact_assignments
from flaskguard.rules import all_rules

if TYPE_CHECKING:
    from flaskguard.deps.audit import AdvisoryDatabase

MAX_SNIPPET_LINES = 3

ProgressCallback = Callable[[str, int, int, str], None]
"""Called as ``progress(stage, done, total, item)`` while a scan runs.

``stage`` is ``"files"`` (per-file analysis: files taken from the cache count as done from
the start) or ``"rules"`` (``item`` is the id of the rule about to run). Calls come from the
scanning thread; the callback decides how often to show anything.
"""


@dataclass(frozen=True)
class FileOutcome:
    relpath: str
    module: Optional[ModuleFacts] = None
    deployment: Optional[DeploymentFacts] = None
    dependencies: Optional[DependencyFacts] = None
    diagnostic: Optional[Diagnostic] = None
    template: Optional[TemplateFacts] = None
    lines: bytes = b""  # a module's line checksums (see ``facts.compare.line_digests``)


class PackedOutcome:
    """A file's outcome pickled where it was computed, as the cache stores it.

    The main process unpickles it once to build the project and stores the same bytes, so it
    never pickles facts itself; the bytes' digest tells whether an edit changed the facts.
    """

    __slots__ = ("_outcome", "payload", "relpath")

    def __init__(self, relpath: str, payload: bytes) -> None:
        self.relpath = relpath
        self.payload = payload
        self._outcome: Optional[FileOutcome] = None

    def __reduce__(self) -> tuple[type[PackedOutcome], tuple[str, bytes]]:
        return PackedOutcome, (self.relpath, self.payload)

    @staticmethod
    def pack(outcome: FileOutcome) -> PackedOutcome:
        packed = PackedOutcome(outcome.relpath, pickle.dumps(outcome, 5))
        packed._outcome = outcome  # dropped when sent to another process (see __reduce__)
        return packed

    def unpack(self) -> FileOutcome:
        if self._outcome is None:
            self._outcome = pickle.loads(self.payload)
        return self._outcome

    @property
    def facts_digest(self) -> str:
        return hashlib.sha256(self.payload).hexdigest()[:32]


def analyse_file(
    path: str, relpath: str, kind: str, max_bytes: int, text: Optional[str] = None
) -> FileOutcome:
    """Everything that depends on one file alone. Runs in a worker process.

    ``text`` replaces the file's content on disk (used to check a fix before writing it).
    """
    if kind == "template":
        # Before the name-based extractors: below templates/, a requirements.txt or .env.j2 is
        # a template, not a manifest or an environment file.
        if text is None:
            text = _read_template(Path(path), max_bytes)
            if text is None:
                return FileOutcome(relpath)
        return FileOutcome(relpath, template=extract_template_facts(relpath, text))
    if text is None:
        source, diagnostic = read_source(Path(path), relpath, max_bytes=max_bytes)
        if source is None:
            return FileOutcome(relpath, diagnostic=diagnostic)
        text = source.text
    deployment: Optional[DeploymentFacts] = None
    if deployment_kind(relpath) is not None:
        deployment = extract_deployment_facts(relpath, text)
    if manifest_kind(relpath) is not None:
        dependencies = extract_dependency_facts(relpath, text)
        return FileOutcome(relpath, deployment=deployment, dependencies=dependencies)
    if kind != "python":
        return FileOutcome(relpath, deployment=deployment)
    tree, diagnostic = parse_source(text, relpath)
    if tree is None:
        return FileOutcome(relpath, deployment=deployment, diagnostic=diagnostic)
    try:
        facts = extract_module_facts(tree, text, relpath)
    except RecursionError:
        return FileOutcome(
            relpath,
            deployment=deployment,
            diagnostic=Diagnostic("FG907", relpath, "The file is nested too deeply to analyse."),
        )
    return FileOutcome(relpath, module=facts, deployment=deployment, lines=line_digests(text))


def _read_template(path: Path, max_bytes: int) -> Optional[str]:
    """A template's text as Jinja's loaders read it (UTF-8), or None.

    No diagnostic when a template cannot be read: images, fonts and data files often sit in
    templates/ under a text suffix, and Jinja could not load them either, so whether they
    are binary, not UTF-8, too big or unreadable, they are simply not templates to analyse.
    """
    try:
        # O_NONBLOCK: opening a FIFO that has no writer would otherwise hang the scan.
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        with os.fdopen(os.open(path, flags), "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            data = handle.read(max_bytes + 1)
    except OSError:
        return None
    if len(data) > max_bytes or b"\0" in data:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    # Editors do not count a byte order mark as a column.
    return text[1:] if text.startswith("\ufeff") else text


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a stage that makes millions of objects.

    Facts and the analyses' frames are acyclic and freed by reference counting; the collector
    would only walk them, again and again, as they pile up. On a 1M-line tree that was more
    than half of the time spent loading facts and running the rules (mypy raises its
    thresholds for the same reason). The collector's state is restored afterwards, so a
    long-running host (the language server) collects as usual between scans.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _analyse_batch(
    files: Sequence[DiscoveredFile], max_bytes: int, overrides: Mapping[str, str]
) -> list[PackedOutcome]:
    with collector_paused():
        return [
            PackedOutcome.pack(
                analyse_file(str(f.path), f.relpath, f.kind, max_bytes, overrides.get(f.relpath))
            )
            for f in files
        ]


def _run_isolated(file: DiscoveredFile, max_bytes: int, text: Optional[str]) -> PackedOutcome:
    """Analyse one file in a process of its own, so that a crash is attributed to it."""
    with ProcessPoolExecutor(max_workers=1) as pool:
        try:
            return pool.submit(
                _analyse_batch, [file], max_bytes, {file.relpath: text} if text is not None else {}
            ).result()[0]
        except BrokenProcessPool:
            return PackedOutcome.pack(
                FileOutcome(
                    file.relpath,
                    diagnostic=Diagnostic(
                        "FG907",
                        file.relpath,
                        "The Python parser crashed on this file (it is nested or repeated too deeply); "
                        "it was not analysed.",
                    ),
                )
            )


def analyse_files(
    files: Sequence[DiscoveredFile],
    jobs: int,
    max_bytes: int,
    overrides: Optional[Mapping[str, str]] = None,
    progress: Optional[Callable[[int], None]] = None,
) -> list[PackedOutcome]:
    """Outcomes in the order of ``files``; ``progress`` gets the count of files finished."""
    overrides = overrides or {}
    if not files:
        return []
    if jobs <= 1:
        # In this process: no pool to start, nothing to send back. The parser's known crash
        # (very long chains before Python 3.11) is refused before parsing, but an unknown one
        # would end the scan here, where a worker would have cost one file.
        done: list[PackedOutcome] = []
        for file in files:
            done.extend(_analyse_batch([file], max_bytes, overrides))
            if progress is not None:
                progress(len(done))
        return done
    outcomes: dict[str, PackedOutcome] = {}
    failed: list[DiscoveredFile] = []
    finished = 0
    workers = max(1, min(jobs, len(files)))
    chunk = max(1, min(16, len(files) // (workers * 4) or 1))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        batches = [files[i : i + chunk] for i in range(0, len(files), chunk)]
        futures: dict[Future[list[PackedOutcome]], Sequence[DiscoveredFile]] = {
            pool.submit(
                _analyse_batch,
                batch,
                max_bytes,
                {f.relpath: overrides[f.relpath] for f in batch if f.relpath in overrides},
            ): batch
            for batch in batches
        }
        # In completion order, so that progress moves while a slow batch is still running.
        for future in as_completed(futures):
            try:
                for packed in future.result():
                    # Unpickled while the workers go on: the main process would idle otherwise.
                    packed.unpack()
                    outcomes[packed.relpath] = packed
            except BrokenProcessPool:
                failed.extend(futures[future])
                continue
            finished += len(futures[future])
            if progress is not None:
                progress(finished)
    for file in failed:
        outcomes[file.relpath] = _run_isolated(file, max_bytes, overrides.get(file.relpath))
        finished += 1
        if progress is not None:
            progress(finished)
    return [outcomes[f.relpath] for f in files]


@dataclass
class ProjectInputs:
    """Everything the project model is built from, and what could not be read."""

    root: Path
    files: list[DiscoveredFile]
    modules: list[ModuleFacts]
    deployments: list[DeploymentFacts]
    dependencies: list[DependencyFacts]
    advisories: Optional[AdvisoryDatabase]
    diagnostics: list[Diagnostic]
    templates: list[TemplateFacts]
    scan_bases: tuple[str, ...] = ()  # the scanned folders, root-relative, longest first
    # relpath -> digest of the pickled outcome: equal digests, equal facts.
    facts_digests: dict[str, str] = field(default_factory=dict)


def facts_cache_key(config: Config) -> str:
    """What per-file outcomes depend on besides the file's content."""
    return environment_key("facts", config.max_file_size)


def project_inputs(
    paths: Sequence[Union[str, Path]],
    *,
    config: Config,
    root: Path,
    jobs: Optional[int] = None,
    overrides: Optional[Mapping[str, str]] = None,
    advisory_db: Optional[Path] = None,
    online: bool = False,
    load_advisories: bool = True,
    cache: Optional[Cache] = None,
    discovered: Optional[DiscoveryResult] = None,
    digests: Optional[Mapping[str, Optional[str]]] = None,
    progress: Optional[ProgressCallback] = None,
) -> ProjectInputs:
    overrides = overrides or {}
    if discovered is None:
        discovered = discover_files(paths, config, root)
    diagnostics = list(discovered.diagnostics)
    files = discovered.files
    reused: dict[str, FileOutcome] = {}
    facts_digests: dict[str, str] = {}
    facts_key = facts_cache_key(config)
    if cache is not None:
        if digests is None:
            digests = cache.digests((f.relpath, f.path) for f in files)
        wanted = {
            rel: digest
            for rel, digest in digests.items()
            if digest is not None and rel not in overrides
        }
        for relpath, payload in cache.load_payloads(facts_key, wanted).items():
            packed = PackedOutcome(relpath, payload)
            try:
                reused[relpath] = packed.unpack()
            except Exception as error:  # a damaged entry is a miss, never a crash
                cache.warn(f"loading facts of {relpath}", error)
                continue
            facts_digests[relpath] = packed.facts_digest
    missing = [f for f in files if f.relpath not in reused]
    cached, total = len(files) - len(missing), len(files)
    on_done: Optional[Callable[[int], None]] = None
    if progress is not None:
        progress("files", cached, total, "")

        def on_done(finished: int) -> None:
            progress("files", cached + finished, total, "")

    fresh = analyse_files(
        missing, jobs or os.cpu_count() or 1, config.max_file_size, overrides, on_done
    )
    if cache is not None and digests is not None:
        cache.store_payloads(
            facts_key,
            [
                (packed.relpath, digest, packed.payload)
                for packed in fresh
                for digest in [digests.get(packed.relpath)]
                if digest is not None and packed.relpath not in overrides
            ],
        )
    by_path = dict(reused)
    for packed in fresh:
        by_path[packed.relpath] = packed.unpack()
        facts_digests[packed.relpath] = packed.facts_digest
    outcomes = [by_path[f.relpath] for f in files]
    modules = [o.module for o in outcomes if o.module is not None]
    deployments = [o.deployment for o in outcomes if o.deployment is not None]
    dependencies = [o.dependencies for o in outcomes if o.dependencies is not None]
    templates = [o.template for o in outcomes if o.template is not None]
    dependencies.extend(_included_requirements(root, dependencies, config.max_file_size))
    diagnostics.extend(o.diagnostic for o in outcomes if o.diagnostic is not None)
    for deployment in deployments:
        diagnostics.extend(deployment.diagnostics)
    for facts in dependencies:
        diagnostics.extend(facts.diagnostics)
    advisories = None
    if load_advisories:
        from flaskguard.deps.database import load_advisory_database

        advisories, problems = load_advisory_database(advisory_db, online, dependencies)
        diagnostics.extend(problems)
    return ProjectInputs(
        root,
        list(files),
        modules,
        deployments,
        dependencies,
        advisories,
        diagnostics,
        templates,
        scan_bases(paths, root),
        facts_digests,
    )


def scan_bases(paths: Sequence[Union[str, Path]], root: Path) -> tuple[str, ...]:
    """The scanned folders relative to ``root`` (a file stands for its folder)."""
    bases: set[str] = set()
    for given in paths or [Path(".")]:
        path = Path(given).resolve()
        folder = path if path.is_dir() else path.parent
        try:
            relative = folder.relative_to(root.resolve()).as_posix()
        except ValueError:
            continue
        bases.add("" if relative == "." else relative)
    return tuple(sorted(bases, key=lambda b: (-len(b), b)))


def build_project(inputs: ProjectInputs, config: Config) -> Project:
    project = Project(
        str(inputs.root),
        inputs.modules,
        inputs.deployments,
        inputs.dependencies,
        inputs.advisories,
        templates=inputs.templates,
    )
    project.extra_auth_decorators = config.extra_auth_decorators
    project.extra_taint_sources = config.extra_taint_sources
    project.scan_bases = inputs.scan_bases
    return project


def discover_files(
    paths: Sequence[Union[str, Path]], config: Config, root: Path
) -> DiscoveryResult:
    return discover(
        [Path(p) for p in paths] or [Path(".")],
        root,
        exclude=config.exclude,
        extend_exclude=config.extend_exclude,
        force_exclude=config.force_exclude,
        respect_gitignore=config.respect_gitignore,
    )


def _included_requirements(
    root: Path, found: Sequence[DependencyFacts], max_bytes: int
) -> list[DependencyFacts]:
    """Files pulled in with ``-r``/``-c`` whose names discovery does not know (``base.txt``)."""
    seen = {facts.path for facts in found}
    pending = [include for facts in found for include in facts.includes]
    extra: list[DependencyFacts] = []
    while pending:
        relpath = pending.pop(0)
        if relpath in seen or relpath.startswith(("../", "/")):
            continue
        seen.add(relpath)
        source, _ = read_source(root / relpath, relpath, max_bytes=max_bytes)
        if source is None:
            continue
        facts = extract_dependency_facts(relpath, source.text)
        extra.append(facts)
        pending.extend(facts.includes)
    return extra


@collector_paused()
def run_scan(
    paths: Sequence[Union[str, Path]],
    *,
    config: Optional[Config] = None,
    root: Optional[Union[str, Path]] = None,
    jobs: Optional[int] = None,
    overrides: Optional[Mapping[str, str]] = None,
    advisory_db: Optional[Path] = None,
    online: bool = False,
    cache_dir: Optional[Path] = None,
    progress: Optional[ProgressCallback] = None,
) -> ScanResult:
    """Scan ``paths``. With ``cache_dir``, per-file facts and the last result are cached there.

    ``overrides`` maps root-relative paths to text that replaces the files'
    content on disk (the fix command checks its edits this way before writing).
    ``advisory_db`` is an OSV export to use instead of the bundled advisories; ``online``
    also asks the OSV API about every exactly known dependency version. ``progress``
    hears how far the scan is (see :data:`ProgressCallback`)."""
    overrides = overrides or {}
    started = time.perf_counter()
    given = [Path(p) for p in paths] or [Path(".")]
    root_path = Path(root) if root is not None else find_project_root(given, Path.cwd())
    root_path = root_path.resolve()
    if config is None:
        config = load_config(root_path)
    audit = any(config.rule_enabled(r.meta.id) for r in all_rules() if r.meta.id.startswith("FG7"))
    cache, cache_warnings = Cache.open(cache_dir, root_path) if cache_dir else (None, [])
    discovered = discover_files(given, config, root_path)
    digests: Optional[dict[str, Optional[str]]] = None
    result_key: Optional[str] = None
    result_environment = environment_key("result", config, audit)
    if cache is not None:
        digests = cache.digests((f.relpath, f.path) for f in discovered.files)
        # Results depend on every input: only a scan with the bundled data, no network and no
        # in-memory edits is cached whole.
        if not overrides and not online and advisory_db is None:
            kinds = {f.relpath: f.kind for f in discovered.files}
            result_key = state_key(result_environment, digests, kinds)
            cached = cache.load_result(result_key)
            if cached is not None and _still_valid(cached, root_path):
                cache.close()
                return _from_cache(cached, started, cache_warnings + cache.warnings)
            reused = _reuse_if_facts_unchanged(
                cache,
                cache.latest_result(),
                _Rescan(root_path, config, jobs, result_environment, discovered.files, digests),
                progress,
            )
            if reused is not None:
                kept, reads = reused
                result = _from_cache(kept, started, cache_warnings + cache.warnings)
                cache.store_result(result_key, kept, reads, keep_reads=reads is not None)
                cache.close()
                return result
    try:
        inputs = project_inputs(
            given,
            config=config,
            root=root_path,
            jobs=jobs,
            overrides=overrides,
            advisory_db=advisory_db,
            online=online,
            load_advisories=False,
            cache=cache,
            discovered=discovered,
            digests=digests,
            progress=progress,
        )
    finally:
        if cache is not None and result_key is None:
            cache.close()
    if audit and inputs.dependencies:
        # Only declared dependencies are looked up: a scan without any neither reads the
        # advisory data nor imports its YAML and archive readers.
        from flaskguard.deps.database import load_advisory_database

        inputs.advisories, problems = load_advisory_database(
            advisory_db, online, inputs.dependencies
        )
        inputs.diagnostics.extend(problems)
    result = ScanResult(root=str(root_path))
    result.warnings.extend(cache_warnings)
    result.diagnostics.extend(inputs.diagnostics)
    modules, deployments = inputs.modules, inputs.deployments
    discovered_files = inputs.files
    project = build_project(inputs, config)
    findings: list[Finding] = []
    enabled = [rule for rule in all_rules() if config.rule_enabled(rule.meta.id)]
    for index, rule in enumerate(enabled):
        if progress is not None:
            progress("rules", index, len(enabled), rule.meta.id)
        try:
            findings.extend(rule.check(project))
        except Exception as error:  # one rule's bug must not end the scan
            result.diagnostics.append(
                Diagnostic(
                    "FG910", "", f"Rule {rule.meta.id} stopped with an internal error: {error!r}."
                )
            )
    project.release_analyses()
    findings = [
        f
        for f in findings
        if f.confidence >= config.min_confidence
        and not config.rule_ignored_for_path(f.rule_id, f.path)
    ]
    findings = _deduplicate(findings)
    findings = _apply_suppressions(findings, {m.path: m.suppressions for m in modules})
    findings = _fingerprint(findings)
    env_like = {d.path for d in deployments if d.env}
    texts = _TextCache(root_path, overrides, config.max_file_size)
    findings = _materialise_fixes(findings, texts)
    findings = _attach_snippets(findings, texts, env_like)
    result.findings = sorted(
        findings, key=lambda f: (f.path, f.span.start_line, f.span.start_column, f.rule_id)
    )

    stats = result.stats
    stats.files_scanned = len(discovered_files)
    stats.python_files = sum(1 for f in discovered_files if f.kind == "python")
    stats.python_files_analysed = len(modules)
    stats.other_files = stats.files_scanned - stats.python_files
    stats.findings = len(result.active_findings)
    stats.suppressed = len(result.suppressed_findings)
    stats.diagnostics = len(result.diagnostics)
    stats.duration_s = round(time.perf_counter() - started, 3)
    if cache is not None and result_key is not None:
        scanned = {f.relpath for f in discovered_files}
        included = [
            (facts.path, file_digest(root_path / facts.path))
            for facts in inputs.dependencies
            if facts.path not in scanned
        ]
        result.warnings.extend(cache.warnings)
        files = {
            f.relpath: _CachedFile(
                f.kind, (digests or {}).get(f.relpath), inputs.facts_digests.get(f.relpath)
            )
            for f in discovered_files
        }
        cache.store_result(
            result_key,
            _CachedResult(result, included, result_environment, files, frozenset(env_like)),
            project.reads,
        )
        cache.prune_payloads(facts_cache_key(config), digests or {})
        cache.close()
    return result


@dataclass(frozen=True)
class _CachedFile:
    kind: str
    content_digest: Optional[str]
    facts_digest: Optional[str]  # of the pickled outcome; None when it was not cached


@dataclass(frozen=True)
class _CachedResult:
    result: ScanResult
    included: list[tuple[str, Optional[str]]]  # files read besides the discovered ones
    environment: str  # tool, Python, config and rule selection the result was made with
    files: dict[str, _CachedFile]
    env_like: frozenset[str]  # environment files, whose snippets are redacted


@dataclass(frozen=True)
class _Rescan:
    """What a re-scan needs to decide whether the last result still holds."""

    root: Path
    config: Config
    jobs: Optional[int]
    environment: str
    files: Sequence[DiscoveredFile]
    digests: Mapping[str, Optional[str]]


def _reuse_if_facts_unchanged(
    cache: Cache, previous: object, rescan: _Rescan, progress: Optional[ProgressCallback]
) -> Optional[tuple[_CachedResult, Optional[ReadLog]]]:
    """The last result, brought up to date, when every file changed since has the same facts,
    the same facts on other lines, or other facts where the analyses did not read. With it,
    the reads to store with it: those of the changed modules (the others' stand), or None
    when they are no longer known.

    Edits of comments, of docstrings the analyses do not read, of trailing whitespace or line
    endings, or of blank lines change a file but not what the analyses see: the changed files
    are analysed again (and their outcomes cached for a full scan, should one follow). When
    each outcome pickles to the same bytes as before, the findings stand. When a module's facts
    differ only in their line numbers (comment or blank lines inserted or deleted above code),
    the findings stand with that file's lines moved (see :func:`_move_lines`). When each
    read the last project stage made (see :mod:`flaskguard.model.reads`) gets the same answer
    from a module's new facts, the findings stand too: a helper function added to a file
    nobody imports it from, or a changed statement no analysis looked into. The two texts are
    lined up by line checksums, so that an answer below the edit is the same with its lines
    moved, and the findings are moved the same way. Only what is
    read from the text itself is redone for the changed files: snippets and fix edits. Files
    added or removed, spacing inside a line (it moves columns), and any other change of the
    facts need a full scan.
    """
    if not isinstance(previous, _CachedResult) or previous.environment != rescan.environment:
        return None
    if {f.relpath: f.kind for f in rescan.files} != {
        relpath: file.kind for relpath, file in previous.files.items()
    }:
        return None
    changed = [
        f
        for f in rescan.files
        if rescan.digests.get(f.relpath) != previous.files[f.relpath].content_digest
    ]
    if not changed or not _still_valid(previous, rescan.root):
        return None
    if any(
        rescan.digests.get(f.relpath) is None or previous.files[f.relpath].facts_digest is None
        for f in changed
    ):
        return None
    total = len(rescan.files)
    on_done: Optional[Callable[[int], None]] = None
    if progress is not None:
        progress("files", total - len(changed), total, "")

        def on_done(finished: int) -> None:
            progress("files", total - len(changed) + finished, total, "")

    packed = analyse_files(
        changed, rescan.jobs or os.cpu_count() or 1, rescan.config.max_file_size, None, on_done
    )
    facts_key = facts_cache_key(rescan.config)
    moved_files = [p for p in packed if p.facts_digest != previous.files[p.relpath].facts_digest]
    # Read before the new outcomes replace them.
    earlier = cache.load_payloads(
        facts_key, {p.relpath: previous.files[p.relpath].content_digest or "" for p in moved_files}
    )
    cache.store_payloads(
        facts_key, [(p.relpath, rescan.digests[p.relpath] or "", p.payload) for p in packed]
    )
    cache.prune_payloads(facts_key, {p.relpath: rescan.digests[p.relpath] for p in packed})
    moved: dict[str, LineMap] = {}
    reads = cache.latest_reads(p.relpath for p in moved_files) if moved_files else ReadLog()
    for p in moved_files:
        before, now = _unpickled(earlier.get(p.relpath)), p.unpack()
        if before is None or not _same_besides_module(before, now):
            return None
        assert before.module is not None and now.module is not None
        mapping = line_mapping(before.module, now.module)
        if mapping is not None:
            # Equal facts (only the text's line checksums differ) move nothing.
            if any(old != new for old, new in mapping.items()):
                moved[p.relpath] = mapping
            continue
        lines = matching_lines(before.lines, now.lines)
        if (
            reads is None
            or not equal_under(before.module.suppressions, now.module.suppressions, lines)
            or changed_read(reads, before.module, now.module, lines) is not None
        ):
            return None
        moved[p.relpath] = lines
    # Reads that name a line (a call looked up by position) must name the new one.
    stored_reads = _moved_reads(reads, moved)
    try:
        findings = [_move_lines(f, moved) for f in previous.result.findings] if moved else None
    except KeyError:  # a finding on a line the facts do not mention: not safe to move
        return None
    edited = {f.relpath for f in changed}
    texts = _TextCache(rescan.root, {}, rescan.config.max_file_size)
    result = previous.result  # freshly unpickled: nobody else holds it
    if findings is not None:
        result.findings = findings
    kept = [f for f in result.findings if f.path not in edited]
    # Fix edits are made from the text: redo those made from a plan, keep what rules set.
    redone = [
        replace(f, fix=None, fix_unavailable_reason=None)
        if isinstance(f.fix_plan, FIX_PLAN_TYPES)
        else f
        for f in result.findings
        if f.path in edited
    ]
    redone = _attach_snippets(_materialise_fixes(redone, texts), texts, set(previous.env_like))
    result.findings = sorted(
        kept + redone,
        key=lambda f: (f.path, f.span.start_line, f.span.start_column, f.rule_id),
    )
    files = dict(previous.files)
    for p in packed:
        files[p.relpath] = replace(
            files[p.relpath], content_digest=rescan.digests[p.relpath], facts_digest=p.facts_digest
        )
    return replace(previous, result=result, files=files), stored_reads


def _moved_reads(reads: Optional[ReadLog], moved: Mapping[str, LineMap]) -> Optional[ReadLog]:
    if reads is None:
        return None
    try:
        for path, mapping in moved.items():
            reads = reads.moved(path, mapping)
    except KeyError:  # a line the facts do not mention: the log no longer holds
        return None
    return reads


def _unpickled(earlier: Optional[bytes]) -> Optional[FileOutcome]:
    if earlier is None:
        return None
    try:
        before = pickle.loads(earlier)
    except Exception:  # a damaged entry: decide nothing from it
        return None
    return before if isinstance(before, FileOutcome) else None


def _same_besides_module(before: FileOutcome, now: FileOutcome) -> bool:
    """Both outcomes are of a Python module, and all else about them is the same."""
    return (
        before.module is not None
        and now.module is not None
        and (before.deployment, before.dependencies, before.template, before.diagnostic)
        == (now.deployment, now.dependencies, now.template, now.diagnostic)
    )


def _move_lines(finding: Finding, moved: Mapping[str, LineMap]) -> Finding:
    """``finding`` with the lines of the files in ``moved`` moved; KeyError for a line of one
    of them that its facts do not mention. Messages name places as ``path:line``."""

    def line(path: str, number: int) -> int:
        mapping = moved.get(path)
        return number if mapping is None else mapping[number]

    def located(location: RelatedLocation) -> RelatedLocation:
        return replace(location, line=line(location.path, location.line))

    places = re.compile(r"(?<![\w./-])(" + "|".join(re.escape(path) for path in moved) + r"):(\d+)")

    def place(match: re.Match[str]) -> str:
        return f"{match.group(1)}:{line(match.group(1), int(match.group(2)))}"

    def text(value: Optional[str]) -> Optional[str]:
        return None if value is None else places.sub(place, value)

    span = finding.span
    plan = finding.fix_plan
    if finding.path in moved:
        span = replace(
            span,
            start_line=line(finding.path, span.start_line),
            end_line=line(finding.path, span.end_line),
        )
        if isinstance(plan, FIX_PLAN_TYPES):
            plan = replace(plan, line=line(finding.path, plan.line))
            if isinstance(plan, MoveDecoratorPlan):
                plan = replace(plan, below_line=line(finding.path, plan.below_line))
    return replace(
        finding,
        span=span,
        message=text(finding.message) or "",
        remediation=text(finding.remediation) or "",
        fix_unavailable_reason=text(finding.fix_unavailable_reason),
        related_locations=tuple(located(r) for r in finding.related_locations),
        trace=tuple(located(r) for r in finding.trace),
        anchors=tuple((path, line(path, number)) for path, number in finding.anchors),
        fix_plan=plan,
    )


def _still_valid(cached: object, root: Path) -> bool:
    return isinstance(cached, _CachedResult) and all(
        file_digest(root / relpath) == digest for relpath, digest in cached.included
    )


def _from_cache(cached: _CachedResult, started: float, warnings: list[str]) -> ScanResult:
    result = copy.deepcopy(cached.result)
    result.warnings = list(warnings)
    result.stats.duration_s = round(time.perf_counter() - started, 3)
    return result


def _deduplicate(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str, int, int, str]] = set()
    unique = []
    for finding in findings:
        key = (
            finding.rule_id,
            finding.path,
            finding.span.start_line,
            finding.span.start_column,
            finding.code,
        )
        if key not in seen:
            seen.add(key)
            unique.append(finding)
    return unique


def _apply_suppressions(
    findings: list[Finding], suppressions: dict[str, tuple[Suppression, ...]]
) -> list[Finding]:
    by_line: dict[tuple[str, int], list[Suppression]] = defaultdict(list)
    for path, entries in suppressions.items():
        for entry in entries:
            by_line[(path, entry.line)].append(entry)
    result = []
    for finding in findings:
        match: Optional[Suppression] = None
        for anchor in finding.anchors:
            for entry in by_line.get(anchor, []):
                if entry.rule_ids is None or any(
                    finding.rule_id.startswith(rule_id) for rule_id in entry.rule_ids
                ):
                    match = entry
                    break
            if match is not None:
                break
        if match is not None:
            finding = replace(finding, suppressed=True, suppression_reason=match.reason)
        result.append(finding)
    return result


def _fingerprint(findings: list[Finding]) -> list[Finding]:
    occurrences: dict[tuple[str, str, str, str], int] = defaultdict(int)
    result = []
    for finding in sorted(
        findings, key=lambda f: (f.path, f.span.start_line, f.span.start_column, f.rule_id)
    ):
        key = (finding.rule_id, finding.path, " ".join(finding.code.split()), finding.scope)
        index = occurrences[key]
        occurrences[key] += 1
        fingerprint = make_fingerprint(
            finding.rule_id, finding.path, finding.code, finding.scope, index
        )
        result.append(replace(finding, fingerprint=fingerprint))
    return result


class _TextCache:
    """File texts for the stages after the rules (fix edits, snippets), read once each."""

    def __init__(self, root: Path, overrides: Mapping[str, str], max_bytes: int) -> None:
        self.root = root
        self.texts: dict[str, Optional[str]] = dict(overrides)
        self.max_bytes = max_bytes

    def text(self, relpath: str) -> Optional[str]:
        if relpath not in self.texts:
            source, _ = read_source(self.root / relpath, relpath, max_bytes=self.max_bytes)
            self.texts[relpath] = source.text if source is not None else None
        return self.texts[relpath]

    def lines(self, relpath: str) -> list[str]:
        text = self.text(relpath)
        if text is None:
            return _read_lines(self.root / relpath)
        return re.split(r"\r\n|\r|\n", text)


def _materialise_fixes(findings: list[Finding], texts: _TextCache) -> list[Finding]:
    result = []
    for finding in findings:
        plan = finding.fix_plan
        if isinstance(plan, FIX_PLAN_TYPES):
            text = texts.text(finding.path)
            if text is None:
                finding = replace(
                    finding, fix_unavailable_reason="The file could not be read again."
                )
            else:
                try:
                    finding = replace(finding, fix=materialise(plan, text))
                except NoFix as reason:
                    finding = replace(finding, fix_unavailable_reason=f"No safe edit: {reason}.")
        result.append(finding)
    return result


def _attach_snippets(
    findings: list[Finding], texts: _TextCache, env_like: set[str]
) -> list[Finding]:
    result = []
    for finding in findings:
        lines = texts.lines(finding.path)
        first = finding.span.start_line
        last = min(finding.span.end_line, first + MAX_SNIPPET_LINES - 1)
        snippet_lines = lines[first - 1 : last]
        if finding.path in env_like:
            # Environment settings hold secrets: show which variable, never its value.
            snippet_lines = [redact_assignments(line) for line in snippet_lines]
        elif finding.redact_snippet:
            snippet_lines = [redact_assigned_value(line) for line in snippet_lines]
        result.append(replace(finding, snippet="\n".join(snippet_lines)))
    return result


def _read_lines(path: Path) -> list[str]:
    try:
        data = path.read_bytes()
    except OSError:
        return []
    text = data.decode("utf-8", "replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    return re.split(r"\r\n|\r|\n", text)
