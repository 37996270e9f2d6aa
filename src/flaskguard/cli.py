"""Command-line interface: ``flaskguard scan | fix | rules | explain``.

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings at or above it; 2 usage or
configuration error; 3 files need a newer Python than the one running flaskguard, or no
Python file could be analysed at all (so CI never passes green having read nothing).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from flaskguard import __version__
from flaskguard.report import FORMATS

if TYPE_CHECKING:
    from flaskguard.config import Config
    from flaskguard.findings import ScanResult
    from flaskguard.fix_command import FixOutcome

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INCOMPLETE = 3

SEVERITIES = ("critical", "high", "medium", "low", "info")
CONFIDENCES = ("high", "medium", "low")


def _split_ids(values: Optional[list[str]]) -> Optional[list[str]]:
    if values is None:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _add_common_options(parser: argparse.ArgumentParser) -> None:
    _add_dependency_options(parser)
    parser.add_argument("--no-deps", action="store_true", help="skip the dependency audit (FG7xx)")
    parser.add_argument(
        "--no-cache", action="store_true", help="neither read nor write the on-disk cache"
    )
    parser.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="cache folder (default: the user cache directory, e.g. ~/.cache/flaskguard)",
    )
    parser.add_argument(
        "paths", nargs="*", default=["."], metavar="PATH", help="files or folders (default: .)"
    )
    parser.add_argument(
        "--fail-on",
        choices=SEVERITIES,
        help="lowest severity that makes the exit code 1 (default: low)",
    )
    parser.add_argument(
        "--select",
        action="append",
        metavar="IDS",
        help="rule ids or prefixes to run (comma-separated)",
    )
    parser.add_argument(
        "--ignore",
        action="append",
        metavar="IDS",
        help="rule ids or prefixes to skip (comma-separated)",
    )
    parser.add_argument(
        "--min-confidence", choices=CONFIDENCES, help="drop findings below this confidence"
    )
    parser.add_argument(
        "--exclude",
        action="append",
        metavar="PATTERN",
        help="replace the default excludes (gitignore-style)",
    )
    parser.add_argument(
        "--extend-exclude", action="append", metavar="PATTERN", help="add to the excludes"
    )
    parser.add_argument(
        "--force-exclude",
        action="store_true",
        default=None,
        help="apply excludes to files named on the command line too",
    )
    parser.add_argument(
        "--no-gitignore", action="store_true", help="do not honour .gitignore files"
    )
    parser.add_argument(
        "--jobs", type=int, metavar="N", help="worker processes (default: all cores)"
    )


def _add_dependency_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--advisory-db",
        metavar="PATH",
        help="OSV export (folder or .zip) to use instead of the bundled advisory data",
    )
    parser.add_argument(
        "--online", action="store_true", help="also query the OSV API for pinned dependencies"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flaskguard",
        description="Static security analyzer for Flask applications.",
    )
    parser.add_argument("--version", action="version", version=f"flaskguard {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    scan = commands.add_parser("scan", help="analyse a project and report findings")
    _add_common_options(scan)
    scan.add_argument("--format", choices=FORMATS, default="text", help="report format")
    scan.add_argument(
        "-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout"
    )
    scan.add_argument(
        "--exit-zero", action="store_true", help="exit 0 even when findings are reported"
    )
    scan.add_argument(
        "--color", choices=("auto", "always", "never"), default="auto", help="colour in text output"
    )
    scan.add_argument(
        "--changed-since",
        metavar="REV",
        help="report only findings whose location or trace changed since git revision REV",
    )
    scan.add_argument("-q", "--quiet", action="store_true", help="text: one line per finding")
    scan.add_argument(
        "-v", "--verbose", action="store_true", help="text: also confidence, CWE, fingerprints"
    )
    scan.add_argument(
        "--statistics", action="store_true", help="text: counts by rule and severity at the end"
    )
    scan.add_argument(
        "--baseline",
        metavar="FILE",
        help="hide the findings recorded in this baseline file (see `flaskguard baseline`)",
    )
    scan.add_argument(
        "--fix", action="store_true", help="apply safe fixes first, then report what remains"
    )
    scan.add_argument(
        "--unsafe-fixes",
        action="store_true",
        help="with --fix: also apply behaviour-changing fixes",
    )

    fix = commands.add_parser("fix", help="apply the fixes that findings carry")
    _add_common_options(fix)
    fix.add_argument(
        "--diff", action="store_true", help="print a unified diff instead of writing; exit 1 if any"
    )
    fix.add_argument(
        "--unsafe-fixes", action="store_true", help="also apply fixes that change behaviour"
    )

    baseline = commands.add_parser("baseline", help="record current findings, or check a baseline")
    actions = baseline.add_subparsers(dest="action", metavar="ACTION")
    create = actions.add_parser("create", help="write the current findings to a baseline file")
    _add_common_options(create)
    create.add_argument(
        "-o", "--output", metavar="FILE", default=".flaskguard-baseline.json", help="baseline file"
    )
    check = actions.add_parser("check", help="list baseline entries that no longer match")
    _add_common_options(check)
    check.add_argument(
        "--baseline", metavar="FILE", default=".flaskguard-baseline.json", help="baseline file"
    )

    deps = commands.add_parser("deps", help="list dependencies and the advisories that affect them")
    deps.add_argument(
        "paths", nargs="*", default=["."], metavar="PATH", help="files or folders (default: .)"
    )
    _add_dependency_options(deps)
    deps.add_argument("--format", choices=("text", "json"), default="text", help="output format")

    routes = commands.add_parser(
        "routes", help="print the route table: rules, methods, views, authentication, CSRF"
    )
    routes.add_argument(
        "paths", nargs="*", default=["."], metavar="PATH", help="files or folders (default: .)"
    )
    routes.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    routes.add_argument(
        "--jobs", type=int, metavar="N", help="worker processes (default: all cores)"
    )

    commands.add_parser("lsp", help="run the language server on stdio (needs flaskguard[lsp])")
    commands.add_parser("rules", help="list every rule")
    explain = commands.add_parser("explain", help="print a rule's documentation")
    explain.add_argument(
        "rule", metavar="RULE", help="rule id (FG100) or name (dev-server-at-import)"
    )
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "scan":
            return _scan(args)
        if args.command == "fix":
            return _fix(args)
        if args.command == "deps":
            return _deps(args)
        if args.command == "baseline":
            return _baseline(args)
        if args.command == "routes":
            return _routes(args)
        if args.command == "lsp":
            return _lsp()
        if args.command == "rules":
            return _rules()
        if args.command == "explain":
            return _explain(args.rule)
    except KeyboardInterrupt:
        print("flaskguard: interrupted", file=sys.stderr)
        return 130
    parser.print_help()
    return EXIT_USAGE


def _configure(args: argparse.Namespace) -> Optional[tuple[list[Path], Path, Config]]:
    """Paths, project root and effective configuration; None (after a message) on errors."""
    from flaskguard.config import ConfigError, apply_overrides, load_config
    from flaskguard.discovery import find_project_root

    if args.jobs is not None and args.jobs < 1:
        print("flaskguard: error: --jobs must be at least 1", file=sys.stderr)
        return None
    if not _advisory_db_exists(args):
        return None
    paths = [Path(p) for p in args.paths]
    root = find_project_root(paths, Path.cwd())
    try:
        config = load_config(root)
        config = apply_overrides(
            config,
            select=_split_ids(args.select),
            ignore=_split_ids(args.ignore),
            exclude=args.exclude,
            extend_exclude=args.extend_exclude,
            force_exclude=args.force_exclude,
            respect_gitignore=False if args.no_gitignore else None,
            fail_on=args.fail_on,
            min_confidence=args.min_confidence,
        )
        if args.no_deps:
            config = apply_overrides(config, ignore=(*config.ignore, "FG7"))
    except ConfigError as error:
        print(f"flaskguard: error: {error}", file=sys.stderr)
        return None
    return paths, root, config


def _scan(args: argparse.Namespace) -> int:
    from flaskguard.report import render
    from flaskguard.rules import rule_metas

    configured = _configure(args)
    if configured is None:
        return EXIT_USAGE
    paths, root, config = configured
    if args.fix:
        outcome = _fixed(args, paths, root, config, write=True, quiet=args.quiet)
        _report_fix(outcome)
        result = outcome.result
    else:
        result = _scanned(args, paths, root, config, quiet=args.quiet)
    for warning in result.warnings:
        print(f"flaskguard: warning: {warning}", file=sys.stderr)
    if args.baseline:
        from flaskguard.baseline import BaselineError, apply_baseline, load_baseline

        try:
            baseline = load_baseline(Path(args.baseline))
        except BaselineError as error:
            print(f"flaskguard: error: {error}", file=sys.stderr)
            return EXIT_USAGE
        result, hidden = apply_baseline(result, baseline)
        if hidden:
            print(
                f"flaskguard: {hidden} known finding{'s' if hidden != 1 else ''} hidden by "
                f"the baseline {args.baseline}",
                file=sys.stderr,
            )
    if args.changed_since:
        from flaskguard.changed import ChangedSinceError, changed_lines, filter_changed

        try:
            changed = changed_lines(root, args.changed_since)
        except ChangedSinceError as error:
            print(f"flaskguard: error: --changed-since: {error}", file=sys.stderr)
            return EXIT_USAGE
        result, unchanged = filter_changed(result, changed)
        if unchanged:
            print(
                f"flaskguard: {unchanged} finding{'s' if unchanged != 1 else ''} outside the "
                f"changes since {args.changed_since} not shown",
                file=sys.stderr,
            )
    color = args.color == "always" or (
        args.color == "auto"
        and args.output is None
        and sys.stdout.isatty()
        and not os.environ.get("NO_COLOR")
    )
    report = render(
        args.format,
        result,
        rule_metas(),
        color=color,
        tool_version=__version__,
        verbosity=-1 if args.quiet else (1 if args.verbose else 0),
        statistics=args.statistics,
    )
    if args.output:
        try:
            Path(args.output).write_text(report, encoding="utf-8")
        except OSError as error:
            print(
                f"flaskguard: error: cannot write {args.output}: {error.strerror or error}",
                file=sys.stderr,
            )
            return EXIT_USAGE
        if args.format != "text":
            print(
                f"flaskguard: wrote {args.output}: {len(result.active_findings)} findings, "
                f"{len(result.diagnostics)} diagnostics",
                file=sys.stderr,
            )
    else:
        sys.stdout.write(report)
        sys.stdout.flush()

    needs_newer = any(d.code == "FG902" for d in result.diagnostics)
    if needs_newer or result.stats.python_files_analysed == 0:
        if result.stats.python_files_analysed == 0:
            print("flaskguard: no Python file could be analysed", file=sys.stderr)
        return EXIT_INCOMPLETE
    failing = [f for f in result.active_findings if f.severity >= config.fail_on]
    if failing and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_OK


def _advisory_db_exists(args: argparse.Namespace) -> bool:
    if args.advisory_db and not Path(args.advisory_db).exists():
        print(
            f"flaskguard: error: --advisory-db {args.advisory_db}: no such file or folder",
            file=sys.stderr,
        )
        return False
    return True


def _cache_dir(args: argparse.Namespace) -> Optional[Path]:
    from flaskguard.cache import default_cache_dir

    if args.no_cache:
        return None
    return Path(args.cache_dir) if args.cache_dir else default_cache_dir()


def _path_or_none(value: Optional[str]) -> Optional[Path]:
    return Path(value) if value else None


def _report_fix(outcome: FixOutcome) -> None:
    for path, why in outcome.failures:
        print(f"flaskguard: not fixed: {path}: {why}", file=sys.stderr)
    if outcome.changed:
        count = len(outcome.fixed)
        print(
            f"flaskguard: fixed {count} finding{'s' if count != 1 else ''} in "
            f"{len(outcome.changed)} file{'s' if len(outcome.changed) != 1 else ''}",
            file=sys.stderr,
        )


def _scanned(
    args: argparse.Namespace, paths: list[Path], root: Path, config: Config, quiet: bool = False
) -> ScanResult:
    """``run_scan`` with the command's options, under the terminal progress bar."""
    from flaskguard.progress import terminal_progress
    from flaskguard.scan import run_scan

    with terminal_progress(sys.stderr, quiet=quiet) as progress:
        return run_scan(
            paths,
            config=config,
            root=root,
            jobs=args.jobs,
            advisory_db=_path_or_none(args.advisory_db),
            online=args.online,
            cache_dir=_cache_dir(args),
            progress=progress,
        )


def _fixed(
    args: argparse.Namespace,
    paths: list[Path],
    root: Path,
    config: Config,
    write: bool,
    quiet: bool = False,
) -> FixOutcome:
    """``run_fix`` with the command's options, under the terminal progress bar."""
    from flaskguard.fix_command import run_fix
    from flaskguard.progress import terminal_progress

    with terminal_progress(sys.stderr, quiet=quiet) as progress:
        return run_fix(
            paths,
            config=config,
            root=root,
            unsafe=args.unsafe_fixes,
            write=write,
            jobs=args.jobs,
            advisory_db=_path_or_none(args.advisory_db),
            online=args.online,
            progress=progress,
        )


def _fix(args: argparse.Namespace) -> int:

    configured = _configure(args)
    if configured is None:
        return EXIT_USAGE
    paths, root, config = configured
    outcome = _fixed(args, paths, root, config, write=not args.diff)
    if args.diff:
        sys.stdout.write(outcome.diff())
        return EXIT_FINDINGS if outcome.changed else EXIT_OK
    _report_fix(outcome)
    if any(why.startswith("cannot write") for _, why in outcome.failures):
        return EXIT_USAGE
    remaining = [f for f in outcome.result.active_findings if f.severity >= config.fail_on]
    for finding in remaining:
        print(
            f"{finding.path}:{finding.span.start_line}:{finding.span.start_column}: "
            f"{finding.rule_id} [{finding.severity.label}] {finding.message}"
        )
    return EXIT_FINDINGS if remaining else EXIT_OK


def _baseline(args: argparse.Namespace) -> int:
    """``baseline create``: record the current findings; ``baseline check``: report stale entries."""
    from flaskguard.baseline import (
        BaselineError,
        create_baseline,
        dump_baseline,
        load_baseline,
        stale_entries,
    )

    if args.action not in ("create", "check"):
        print("flaskguard: error: baseline needs an action: create or check", file=sys.stderr)
        return EXIT_USAGE
    configured = _configure(args)
    if configured is None:
        return EXIT_USAGE
    paths, root, config = configured
    result = _scanned(args, paths, root, config)
    if args.action == "create":
        baseline = create_baseline(result)
        try:
            Path(args.output).write_text(dump_baseline(baseline, __version__), encoding="utf-8")
        except OSError as error:
            print(
                f"flaskguard: error: cannot write {args.output}: {error.strerror or error}",
                file=sys.stderr,
            )
            return EXIT_USAGE
        print(
            f"flaskguard: recorded {len(baseline.entries)} findings in {args.output}",
            file=sys.stderr,
        )
        return EXIT_OK
    try:
        baseline = load_baseline(Path(args.baseline))
    except BaselineError as error:
        print(f"flaskguard: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    stale = stale_entries(result, baseline)
    for entry in stale:
        print(f"{entry.path}:{entry.line}: {entry.rule_id} no longer reported: {entry.message}")
    print(
        f"flaskguard: {len(stale)} of {len(baseline.entries)} baseline entries are stale",
        file=sys.stderr,
    )
    return EXIT_FINDINGS if stale else EXIT_OK


def _routes(args: argparse.Namespace) -> int:
    from flaskguard.config import ConfigError, load_config
    from flaskguard.discovery import find_project_root
    from flaskguard.routes_command import render_routes_json, render_routes_text, route_rows

    if args.jobs is not None and args.jobs < 1:
        print("flaskguard: error: --jobs must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    paths = [Path(p) for p in args.paths]
    for path in paths:
        if not path.exists():
            print(f"flaskguard: error: {path}: no such file or directory", file=sys.stderr)
            return EXIT_USAGE
    root = find_project_root(paths, Path.cwd())
    try:
        config = load_config(root)
    except ConfigError as error:
        print(f"flaskguard: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    rows = route_rows(paths, config, root, args.jobs)
    render = render_routes_json if args.format == "json" else render_routes_text
    sys.stdout.write(render(rows))
    return EXIT_OK


def _deps(args: argparse.Namespace) -> int:
    """The dependency inventory: every declared package, its version, the advisories."""
    import json

    from flaskguard.config import ConfigError, load_config
    from flaskguard.deps.audit import declared_packages, exposures
    from flaskguard.discovery import find_project_root
    from flaskguard.scan import build_project, collector_paused, project_inputs

    if not _advisory_db_exists(args):
        return EXIT_USAGE
    paths = [Path(p) for p in args.paths]
    root = find_project_root(paths, Path.cwd())
    try:
        config = load_config(root)
    except ConfigError as error:
        print(f"flaskguard: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    with collector_paused():
        inputs = project_inputs(
            paths,
            config=config,
            root=root,
            advisory_db=_path_or_none(args.advisory_db),
            online=args.online,
        )
        project = build_project(inputs, config)
    packages = declared_packages(project)
    found = exposures(project)
    project.release_analyses()
    source = project.advisories.description if project.advisories else "no advisory data"
    if args.format == "json":
        document = {
            "advisory_data": source,
            "packages": [
                {
                    "name": p.name,
                    "version": p.version,
                    "specifier": p.declared.specifier,
                    "path": p.declared.path,
                    "line": p.declared.line,
                    "locked_in": p.locked_in.path if p.locked_in else None,
                    "advisories": [
                        {
                            "id": e.advisory.id,
                            "aliases": list(e.advisory.aliases),
                            "severity": e.advisory.severity,
                            "certain": e.certain,
                            "fixed_in": e.fixed_in,
                            "reachability": e.verdict.state,
                            "reason": e.verdict.reason,
                        }
                        for e in found
                        if e.dependency.name == p.name
                    ],
                }
                for p in packages
            ],
            "diagnostics": [
                {"code": d.code, "path": d.path, "message": d.message} for d in inputs.diagnostics
            ],
        }
        print(json.dumps(document, indent=2))
        return EXIT_OK
    print(f"Advisory data: {source}")
    if not packages:
        print("No dependencies declared in requirements, pyproject, setup.cfg or lock files.")
    for package in packages:
        version = package.version or package.declared.specifier or "(unpinned)"
        where = f"{package.declared.path}:{package.declared.line}"
        print(f"{package.name} {version}  ({where})")
        for exposure in (e for e in found if e.dependency.name == package.name):
            advisory = exposure.advisory
            fixed = f", fixed in {exposure.fixed_in}" if exposure.fixed_in else ""
            maybe = "" if exposure.certain else " (may resolve to an affected version)"
            print(
                f"  {advisory.id} [{advisory.severity or 'unknown'}]{maybe}{fixed}: "
                f"{exposure.verdict.state} ({exposure.verdict.reason})"
            )
    for diagnostic in inputs.diagnostics:
        print(f"{diagnostic.path}: {diagnostic.code} {diagnostic.message}", file=sys.stderr)
    return EXIT_OK


def _lsp() -> int:
    try:
        from flaskguard.lsp import main as serve
    except ImportError as error:
        print(
            f"flaskguard: error: the language server needs pygls ({error}); "
            "install it with `pip install 'flaskguard[lsp]'`",
            file=sys.stderr,
        )
        return EXIT_USAGE
    return serve()


def _rules() -> int:
    from flaskguard.rules import rule_metas

    rows = [("ID", "NAME", "SEVERITY", "CWE", "OWASP", "SUMMARY")]
    for meta in rule_metas():
        cwe = ",".join(f"CWE-{c}" for c in meta.cwe)
        rows.append((meta.id, meta.name, meta.severity.label, cwe, meta.owasp, meta.summary))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths)]
        print("  ".join([*cells, row[-1]]).rstrip())
    return EXIT_OK


def _explain(rule_id: str) -> int:
    from flaskguard.rules import find_rule

    rule = find_rule(rule_id)
    if rule is None:
        print(
            f"flaskguard: error: unknown rule {rule_id!r} (see `flaskguard rules`)", file=sys.stderr
        )
        return EXIT_USAGE
    meta = rule.meta
    cwe = ", ".join(f"CWE-{c}" for c in meta.cwe)
    print(f"# {meta.id} {meta.name}: {meta.summary}")
    print()
    print(f"Severity: {meta.severity.label} (default)  Confidence: {meta.confidence.label}")
    print(f"CWE: {cwe}  OWASP: {meta.owasp_title}  Autofix: {'yes' if meta.fixable else 'no'}")
    print()
    print(meta.doc.strip())
    return EXIT_OK
