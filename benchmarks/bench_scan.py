#!/usr/bin/env python3
"""Time ``flaskguard scan`` on a large tree of real Python code.

By default the corpus is a copy of the running interpreter's ``site-packages`` (the Python
files plus any deployment and dependency files flaskguard reads), built once under the system
temporary directory. The script then runs

    python -m flaskguard scan --format json --exit-zero -o <work>/report-N.json <corpus>

``--runs`` times as a child process and prints files, lines, wall time (median and minimum),
throughput, the child's peak resident memory, and the counts read from the JSON report.

Standard library only, Python >= 3.9. Nothing is written inside the repository: the corpus,
the reports, flaskguard's cache and the child's bytecode all live under the temp directory.
See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Optional

try:
    import resource
except ImportError:  # Windows: no peak-RSS measurement
    resource = None  # type: ignore[assignment]

REPO = Path(__file__).resolve().parents[1]
BASE_NAME = "flaskguard-bench"
# Bump when the copy rules change, so that older reusable corpora are not picked up.
CORPUS_FORMAT = 1

# What gets copied besides ``*.py``: the deployment and dependency files flaskguard's
# discovery reads (DESIGN.md, "discovery"), matched on the file name.
DEPLOYMENT_NAMES = {
    "Procfile",
    ".env",
    ".flaskenv",
    "app.yaml",
    "app.yml",
    "pyproject.toml",
    "Pipfile",
    "Pipfile.lock",
    "poetry.lock",
    "pdm.lock",
    "uv.lock",
}
DEPLOYMENT_PATTERNS = (
    "Dockerfile*",
    "*.dockerfile",
    "docker-compose*.yml",
    "docker-compose*.yaml",
    "compose.yml",
    "compose.yaml",
    "requirements*.txt",
    "*.ini",
)
# Jinja templates count when they sit in a ``templates`` folder.
TEMPLATE_SUFFIXES = {".html", ".htm", ".jinja", ".jinja2", ".j2"}
SKIP_DIRS = {"__pycache__", ".git", ".hg", ".svn"}


class BenchError(Exception):
    """A problem to report to the user as it is (exit status 2)."""


# --------------------------------------------------------------------------------------------
# Corpus


@dataclass
class CorpusInfo:
    path: str
    sources: list[str]
    repeat: int
    py_files: int = 0
    py_lines: int = 0
    py_bytes: int = 0
    other_files: int = 0
    unreadable: int = 0
    build_s: float = 0.0
    reused: bool = False
    built_here: bool = False


def is_deployment_file(rel_parts: tuple[str, ...]) -> bool:
    name = rel_parts[-1]
    if name in DEPLOYMENT_NAMES:
        return True
    if any(fnmatch.fnmatchcase(name, pattern) for pattern in DEPLOYMENT_PATTERNS):
        return True
    return "templates" in rel_parts[:-1] and os.path.splitext(name)[1].lower() in TEMPLATE_SUFFIXES


def count_lines(data: bytes) -> int:
    if not data:
        return 0
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


def walk_files(root: Path) -> Iterator[tuple[Path, tuple[str, ...]]]:
    """Yield (path, parts relative to root) of regular files, skipping SKIP_DIRS.

    Directory symlinks are not followed (no loops); file symlinks are read through.
    """
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        rel_dir = Path(dirpath).relative_to(root).parts
        for name in sorted(filenames):
            yield Path(dirpath, name), (*rel_dir, name)


def resolve_sources(venv: Optional[str]) -> list[Path]:
    """The folders to copy: a venv's site-packages, or a folder given as is."""
    if venv is None:
        paths = sysconfig.get_paths()
        candidates = [Path(paths["purelib"]), Path(paths["platlib"])]
    else:
        root = Path(venv).expanduser()
        if not root.is_dir():
            raise BenchError(f"--venv {venv}: not a directory")
        found = sorted(root.glob("lib*/python*/site-packages")) + sorted(
            root.glob("Lib/site-packages")
        )
        candidates = found or [root]  # a site-packages folder (or any tree) given directly
    sources: list[Path] = []
    seen: set[str] = set()
    for candidate in candidates:
        if not candidate.is_dir():
            continue
        real = os.path.realpath(candidate)
        if real not in seen:
            seen.add(real)
            sources.append(Path(real))
    if not sources:
        raise BenchError("no site-packages folder found to build the corpus from")
    return sources


def build_corpus(sources: list[Path], repeat: int, base: Path, rebuild: bool) -> CorpusInfo:
    key_material = json.dumps([[str(s) for s in sources], repeat, CORPUS_FORMAT])
    key = hashlib.sha1(key_material.encode()).hexdigest()[:12]
    corpus = base / f"corpus-{key}"
    manifest = base / f"corpus-{key}.json"

    if not rebuild and corpus.is_dir() and manifest.is_file():
        try:
            info = CorpusInfo(**json.loads(manifest.read_text(encoding="utf-8")))
        except (ValueError, TypeError):
            info = None
        if info is not None:
            info.reused, info.built_here = True, False
            return info

    for stale in (corpus, manifest):
        if stale.is_dir():
            shutil.rmtree(stale)
        elif stale.exists():
            stale.unlink()

    started = time.perf_counter()
    staging = Path(tempfile.mkdtemp(prefix=f"corpus-{key}.building-", dir=base))
    info = CorpusInfo(path=str(corpus), sources=[str(s) for s in sources], repeat=repeat)
    try:
        for copy in range(1, repeat + 1):
            copy_root = staging / f"copy-{copy:02d}"
            for index, source in enumerate(sources):
                # Several sources (purelib and platlib apart) go side by side.
                target_root = copy_root if len(sources) == 1 else copy_root / f"src-{index}"
                _copy_tree(source, target_root, copy, info)
        try:
            os.rename(staging, corpus)
        except OSError:
            # Another run finished the same corpus first: use it, drop ours.
            shutil.rmtree(staging, ignore_errors=True)
            if not corpus.is_dir():
                raise
        info.build_s = time.perf_counter() - started
        manifest.write_text(json.dumps(asdict(info), indent=2), encoding="utf-8")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    info.built_here = True
    return info


def _copy_tree(source: Path, target_root: Path, copy: int, info: CorpusInfo) -> None:
    for path, parts in walk_files(source):
        is_py = parts[-1].endswith(".py")
        if not is_py and not is_deployment_file(parts):
            continue
        try:
            data = path.read_bytes()
        except OSError:
            info.unreadable += 1
            continue
        if is_py and copy > 1:
            # A per-copy trailer gives every copy its own content hash, so a content-addressed
            # cache cannot collapse the copies into one; it leaves all other lines unchanged.
            if data and not data.endswith(b"\n"):
                data += b"\n"
            data += b"# flaskguard-bench copy %d\n" % copy
        target = target_root.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        if is_py:
            info.py_files += 1
            info.py_lines += count_lines(data)
            info.py_bytes += len(data)
        else:
            info.other_files += 1


def describe_existing_corpus(root: Path) -> CorpusInfo:
    info = CorpusInfo(path=str(root), sources=[str(root)], repeat=1, reused=True)
    for path, parts in walk_files(root):
        is_py = parts[-1].endswith(".py")
        if not is_py:
            if is_deployment_file(parts):
                info.other_files += 1
            continue
        try:
            data = path.read_bytes()
        except OSError:
            info.unreadable += 1
            continue
        info.py_files += 1
        info.py_lines += count_lines(data)
        info.py_bytes += len(data)
    return info


# --------------------------------------------------------------------------------------------
# Runs


@dataclass
class RunResult:
    index: int
    wall_s: float
    returncode: int
    peak_rss_mib: Optional[float]
    tree_peak_mib: Optional[float] = None
    files_scanned: Optional[int] = None
    python_files: Optional[int] = None
    python_files_analysed: Optional[int] = None
    tool_duration_s: Optional[float] = None
    findings: Optional[int] = None
    suppressed: Optional[int] = None
    diagnostics: Optional[int] = None
    tool_version: Optional[str] = None
    findings_by_rule: dict[str, int] = field(default_factory=dict)
    diagnostics_by_code: dict[str, int] = field(default_factory=dict)


def maxrss_to_mib(value: int) -> float:
    # ru_maxrss is in kilobytes on Linux and the BSDs, in bytes on macOS.
    return value / (1024 * 1024) if sys.platform == "darwin" else value / 1024


def scan_command(corpus: Path, report: Path, jobs: Optional[int], extra: list[str]) -> list[str]:
    cmd = ["scan", "--format", "json", "--exit-zero", "-o", str(report)]
    if jobs is not None:
        cmd += ["--jobs", str(jobs)]
    cmd += extra
    cmd.append(str(corpus))
    if sys.version_info >= (3, 11):
        # PYTHONSAFEPATH (set in child_env) keeps the corpus, the child's working directory,
        # off sys.path: it holds a copy of site-packages that must not shadow real packages.
        return [sys.executable, "-m", "flaskguard", *cmd]
    # Python 3.9/3.10 have no PYTHONSAFEPATH: drop the working directory from sys.path by hand.
    bootstrap = (
        "import os, runpy, sys\n"
        "if sys.path and sys.path[0] in ('', os.getcwd()): del sys.path[0]\n"
        "runpy.run_module('flaskguard', run_name='__main__', alter_sys=True)\n"
    )
    return [sys.executable, "-c", bootstrap, *cmd]


def child_env(base: Path, cache_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONSAFEPATH"] = "1"
    # Bytecode of flaskguard (an editable install lives in the repo) goes to the temp dir.
    # (Written even where PYTHONDONTWRITEBYTECODE is set, so that runs after the first do not
    # pay for compiling flaskguard, just as an installed tool does not.)
    env["PYTHONPYCACHEPREFIX"] = str(base / "pycache")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # flaskguard's on-disk cache goes to the user cache directory: point it at our own.
    env["XDG_CACHE_HOME"] = str(cache_dir)
    env.pop("FLASKGUARD_CACHE_DIR", None)
    if _find_flaskguard() is None and (REPO / "src" / "flaskguard").is_dir():
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(REPO / "src"), env.get("PYTHONPATH", "")) if p
        )
    return env


def _find_flaskguard() -> Optional[str]:
    import importlib.util

    spec = importlib.util.find_spec("flaskguard")
    return None if spec is None else (spec.origin or "namespace")


@dataclass
class Measured:
    """What `measure` saw of one child process (and the processes it started)."""

    wall_s: float
    returncode: int
    # Peak RSS of the largest single process: the child itself or one of the descendants it
    # waited for (os.wait4 / RUSAGE_CHILDREN semantics). Not a sum over processes.
    peak_rss_mib: Optional[float]
    # Peak of the summed memory of the whole process tree (PSS where the kernel gives it,
    # else RSS), sampled every SAMPLE_INTERVAL_S on Linux; None elsewhere.
    tree_peak_mib: Optional[float]
    tree_metric: Optional[str]
    timed_out: bool


SAMPLE_INTERVAL_S = 0.1


class TreeMemorySampler(threading.Thread):
    """Sample the summed memory of a process and all its descendants (Linux ``/proc``).

    Descendants are found through ``/proc/PID/task/TID/children``; where that file does not
    exist, the sampler falls back to the processes of the child's process group. Each process
    counts with its PSS (``/proc/PID/smaps_rollup``: shared pages split between the processes
    that map them, so forked workers are not double-counted), or with its RSS (``statm``) where
    PSS cannot be read. Sampling can miss a peak shorter than the interval.
    """

    def __init__(self, root_pid: int, interval: float = SAMPLE_INTERVAL_S) -> None:
        super().__init__(daemon=True)
        self.root_pid = root_pid
        self.interval = interval
        self.peak_kib = 0
        self.metrics: set[str] = set()
        self._stop_event = threading.Event()
        self._page_kib = os.sysconf("SC_PAGE_SIZE") // 1024 if hasattr(os, "sysconf") else 4

    @staticmethod
    def available() -> bool:
        return sys.platform.startswith("linux") and os.path.isdir("/proc/self/task")

    def stop(self) -> None:
        self._stop_event.set()
        self.join()

    def run(self) -> None:
        while True:
            self.sample()
            if self._stop_event.wait(self.interval):
                return

    def sample(self) -> None:
        total = sum(self._memory_kib(pid) for pid in self._tree())
        self.peak_kib = max(self.peak_kib, total)

    def _tree(self) -> list[int]:
        pids, todo = [], [self.root_pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            try:
                tids = os.listdir(f"/proc/{pid}/task")
            except OSError:
                continue
            for tid in tids:
                try:
                    with open(f"/proc/{pid}/task/{tid}/children", encoding="ascii") as f:
                        todo.extend(int(c) for c in f.read().split())
                except FileNotFoundError:
                    if pid == self.root_pid and tid == str(pid):
                        return self._group()  # no `children` files: use the process group
                except (OSError, ValueError):
                    pass
        return pids

    def _group(self) -> list[int]:
        pids = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as f:
                        fields = f.read().rsplit(")", 1)[1].split()
                except (OSError, IndexError):
                    continue
                if len(fields) > 2 and fields[2] == str(self.root_pid):  # pgrp
                    pids.append(int(entry))
        return pids

    def _memory_kib(self, pid: int) -> int:
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii", errors="replace") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        self.metrics.add("PSS")
                        return int(line.split()[1])
        except (OSError, ValueError, IndexError):
            pass
        try:
            with open(f"/proc/{pid}/statm", encoding="ascii") as f:
                resident = int(f.read().split()[1])
        except (OSError, ValueError, IndexError):
            return 0
        self.metrics.add("RSS")
        return resident * self._page_kib


def measure(
    cmd: list[str],
    cwd: Path,
    env: dict[str, str],
    stdout_path: Path,
    stderr_path: Path,
    timeout: float,
) -> Measured:
    """Run cmd to completion and measure its wall time and memory.

    The child runs in its own session so that a timeout or Ctrl-C ends it together with any
    worker processes it started.
    """
    timed_out = threading.Event()
    sampler: Optional[TreeMemorySampler] = None
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=(os.name == "posix"),
        )

        def kill() -> None:
            timed_out.set()
            _kill_tree(proc)

        watchdog = threading.Timer(timeout, kill)
        watchdog.start()
        if TreeMemorySampler.available():
            sampler = TreeMemorySampler(proc.pid)
            sampler.start()
        try:
            if hasattr(os, "wait4"):
                # wait4 returns this child's own resource usage, merged with that of the
                # descendants it waited for: ru_maxrss is the peak RSS of the largest of
                # those processes. Exact per run, unlike RUSAGE_CHILDREN, whose ru_maxrss is a
                # running maximum over every child this script has waited for.
                _, status, usage = os.wait4(proc.pid, 0)
                wall = time.perf_counter() - started
                proc.returncode = os.waitstatus_to_exitcode(status)
                rss: Optional[float] = maxrss_to_mib(usage.ru_maxrss)
            else:
                before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss if resource else 0
                proc.wait()
                wall = time.perf_counter() - started
                after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss if resource else 0
                rss = maxrss_to_mib(after) if resource and after > before else None
        except BaseException:
            _kill_tree(proc)
            raise
        finally:
            watchdog.cancel()
            if sampler is not None:
                sampler.stop()

    tree = tree_metric = None
    if sampler is not None and sampler.peak_kib:
        tree = sampler.peak_kib / 1024
        tree_metric = "+".join(sorted(sampler.metrics, reverse=True)) or None
    return Measured(
        wall_s=wall,
        returncode=proc.returncode,
        peak_rss_mib=rss,
        tree_peak_mib=tree,
        tree_metric=tree_metric,
        timed_out=timed_out.is_set(),
    )


def run_once(
    index: int,
    cmd: list[str],
    cwd: Path,
    env: dict[str, str],
    report: Path,
    log_dir: Path,
    timeout: float,
    name: str = "run",
) -> RunResult:
    """One flaskguard scan: measure it, then read its JSON report."""
    if report.exists():
        report.unlink()
    stderr_path = log_dir / f"{name}-{index}.stderr"
    m = measure(cmd, cwd, env, log_dir / f"{name}-{index}.stdout", stderr_path, timeout)
    if m.timed_out:
        raise BenchError(f"{name} {index}: no result after {timeout:.0f} s; the child was killed")
    result = RunResult(
        index=index,
        wall_s=m.wall_s,
        returncode=m.returncode,
        peak_rss_mib=m.peak_rss_mib,
        tree_peak_mib=m.tree_peak_mib,
    )
    if m.returncode not in (0, 1, 3) or not report.is_file():
        tail = stderr_path.read_text(encoding="utf-8", errors="replace")[-3000:]
        hint = ""
        if "No module named flaskguard" in tail or "No module named 'flaskguard'" in tail:
            hint = "\n(flaskguard is not importable by this interpreter; install the repo first)"
        raise BenchError(
            f"{name} {index}: `{' '.join(cmd[:3])} ...` exited with {m.returncode}"
            f"{'' if report.is_file() else ' and wrote no report'}.\n"
            f"--- stderr (last lines) ---\n{tail.rstrip()}{hint}"
        )
    _read_report(report, result)
    return result


def _kill_tree(proc: subprocess.Popen[bytes]) -> None:
    if proc.returncode is not None:
        return
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)  # the group the child leads (start_new_session)
        else:
            proc.kill()
    except OSError:
        pass


def _read_report(report: Path, result: RunResult) -> None:
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise BenchError(f"{report}: not valid JSON ({exc})") from None
    stats: dict[str, Any] = data.get("stats") or {}
    findings = data.get("findings") or []
    diagnostics = data.get("diagnostics") or []
    result.files_scanned = stats.get("files_scanned")
    result.python_files = stats.get("python_files")
    result.python_files_analysed = stats.get("python_files_analysed")
    result.tool_duration_s = stats.get("duration_s")
    result.findings = len(findings)
    result.suppressed = len(data.get("suppressed") or [])
    result.diagnostics = len(diagnostics)
    result.tool_version = (data.get("tool") or {}).get("version")
    for finding in findings:
        rule = str(finding.get("rule_id"))
        result.findings_by_rule[rule] = result.findings_by_rule.get(rule, 0) + 1
    for diagnostic in diagnostics:
        code = str(diagnostic.get("code"))
        result.diagnostics_by_code[code] = result.diagnostics_by_code.get(code, 0) + 1


# --------------------------------------------------------------------------------------------
# Output


def _fmt_int(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:,.0f}"


def _fmt_float(value: Optional[float], digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def summarise(corpus: CorpusInfo, runs: list[RunResult]) -> dict[str, Any]:
    walls = [r.wall_s for r in runs]
    median, minimum = statistics.median(walls), min(walls)
    last = runs[-1]
    files = last.files_scanned if last.files_scanned is not None else corpus.py_files
    rss = [r.peak_rss_mib for r in runs if r.peak_rss_mib is not None]
    tree = [r.tree_peak_mib for r in runs if r.tree_peak_mib is not None]
    tool_s = [r.tool_duration_s for r in runs if r.tool_duration_s is not None]
    return {
        "files_scanned": last.files_scanned,
        "python_files_analysed": last.python_files_analysed,
        "corpus_python_files": corpus.py_files,
        "corpus_other_files": corpus.other_files,
        "corpus_python_lines": corpus.py_lines,
        "corpus_python_mib": round(corpus.py_bytes / 2**20, 1),
        "runs": len(runs),
        "wall_s_median": round(median, 3),
        "wall_s_min": round(minimum, 3),
        "files_per_s": round(files / median, 1) if median else None,
        "lines_per_s": round(corpus.py_lines / median) if median else None,
        "peak_rss_mib": round(max(rss), 1) if rss else None,
        "tree_peak_mib": round(max(tree), 1) if tree else None,
        "tool_duration_s_median": round(statistics.median(tool_s), 3) if tool_s else None,
        "findings": last.findings,
        "suppressed": last.suppressed,
        "diagnostics": last.diagnostics,
        "findings_by_rule": dict(sorted(last.findings_by_rule.items())),
        "diagnostics_by_code": dict(sorted(last.diagnostics_by_code.items())),
        "flaskguard_version": last.tool_version,
    }


def print_table(
    args: argparse.Namespace,
    corpus: CorpusInfo,
    runs: list[RunResult],
    summary: dict[str, Any],
    cmd: list[str],
) -> None:
    impl = f"{platform.python_implementation()} {platform.python_version()}"
    origin = (
        "given with --corpus"
        if args.corpus
        else ("reused" if corpus.reused else f"built in {corpus.build_s:.1f} s")
        + f" from {', '.join(corpus.sources)}"
        + (f" x{corpus.repeat}" if corpus.repeat > 1 else "")
    )
    print("flaskguard scan benchmark")
    print(f"  interpreter  {sys.executable} ({impl}), {os.cpu_count()} CPUs")
    print(
        f"  flaskguard   {summary['flaskguard_version'] or '?'}"
        + (f", --jobs {args.jobs}" if args.jobs is not None else ", default jobs")
    )
    print(f"  corpus       {corpus.path}")
    print(f"               {origin}")
    print(
        f"  cache        {'warm (primed by one unmeasured run)' if args.warm else 'cold (empty cache for every run)'}"
    )
    print(f"  command      {' '.join([*cmd[:1], '-m', 'flaskguard', *cmd[cmd.index('scan') :]])}")
    print()
    print(
        f"  corpus: {corpus.py_files:,} Python files, {corpus.py_lines:,} lines "
        f"({summary['corpus_python_mib']} MiB), {corpus.other_files:,} other files"
    )
    scanned = summary["files_scanned"]
    analysed = summary["python_files_analysed"]
    print(
        f"  report: {_fmt_int(scanned)} files scanned"
        + (f", {analysed:,} Python files analysed" if analysed is not None else "")
    )
    if analysed is not None and analysed < corpus.py_files:
        print(
            f"  note:   {corpus.py_files - analysed:,} Python files of the corpus were not analysed "
            "(default excludes or diagnostics); lines/s counts all corpus lines"
        )
    print()
    header = f"  {'run':>6}  {'wall s':>8}  {'files/s':>9}  {'lines/s':>10}  {'peak RSS MiB':>12}  {'tree MiB':>8}  {'tool s':>7}  {'findings':>8}  {'diagnostics':>11}"
    print(header)
    print("  " + "-" * (len(header) - 2))
    for r in runs:
        files = r.files_scanned if r.files_scanned is not None else corpus.py_files
        print(
            f"  {r.index:>6}  {r.wall_s:>8.2f}  {files / r.wall_s:>9,.0f}  "
            f"{corpus.py_lines / r.wall_s:>10,.0f}  {_fmt_float(r.peak_rss_mib, 1):>12}  "
            f"{_fmt_float(r.tree_peak_mib, 1):>8}  "
            f"{_fmt_float(r.tool_duration_s):>7}  {_fmt_int(r.findings):>8}  {_fmt_int(r.diagnostics):>11}"
        )
    print("  " + "-" * (len(header) - 2))
    print(
        f"  {'median':>6}  {summary['wall_s_median']:>8.2f}  {_fmt_int(summary['files_per_s']):>9}  "
        f"{_fmt_int(summary['lines_per_s']):>10}  {_fmt_float(summary['peak_rss_mib'], 1):>12}  "
        f"{_fmt_float(summary['tree_peak_mib'], 1):>8}  "
        f"{_fmt_float(summary['tool_duration_s_median']):>7}  {_fmt_int(summary['findings']):>8}  "
        f"{_fmt_int(summary['diagnostics']):>11}"
    )
    print(f"  {'min':>6}  {summary['wall_s_min']:>8.2f}")
    if summary["findings_by_rule"]:
        print(
            "\n  findings by rule:     "
            + ", ".join(f"{k} {v}" for k, v in summary["findings_by_rule"].items())
        )
    if summary["diagnostics_by_code"]:
        print(
            "  diagnostics by code:  "
            + ", ".join(f"{k} {v}" for k, v in summary["diagnostics_by_code"].items())
        )
    print(
        "\n  peak RSS = peak RSS of the largest single process (flaskguard or one of its workers,"
        " from os.wait4),\n  not a sum; tree = peak of the summed PSS of all its processes,"
        f" sampled every {SAMPLE_INTERVAL_S} s (Linux only)."
    )


# --------------------------------------------------------------------------------------------


def add_common_args(parser: argparse.ArgumentParser) -> None:
    """Options shared with compare.py: the corpus, --jobs, --runs, --timeout, --json."""
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--venv",
        metavar="DIR",
        help="virtual environment whose site-packages to copy (a site-packages folder or any "
        "other folder also works); default: the running interpreter's",
    )
    source.add_argument(
        "--corpus", metavar="DIR", help="scan this existing folder as it is (no copy)"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help="put N copies of the source in the corpus (default 1)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="pass --jobs N to flaskguard (not passed when omitted)",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the built corpus (later runs reuse it), reports and logs",
    )
    parser.add_argument(
        "--rebuild", action="store_true", help="rebuild the corpus even if a kept one exists"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=1800,
        metavar="S",
        help="kill a run that takes longer than S seconds (default 1800)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print the summary as JSON instead of a table"
    )


def check_common_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.repeat < 1 or args.runs < 1 or (args.jobs is not None and args.jobs < 1):
        parser.error("--repeat, --runs and --jobs take a positive number")
    if args.corpus and args.repeat != 1:
        parser.error("--repeat builds a corpus; it cannot be combined with --corpus")


def parse_args(argv: Optional[list[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time `flaskguard scan` on a copy of a site-packages tree (or any folder).",
    )
    add_common_args(parser)
    parser.add_argument(
        "--runs", type=int, default=3, metavar="N", help="number of measured scans (default 3)"
    )
    parser.add_argument(
        "--warm",
        action="store_true",
        help="measure re-scans with a warm flaskguard cache (one unmeasured "
        "priming run first); default: every run starts with an empty cache",
    )
    parser.add_argument(
        "--scan-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="extra argument for `flaskguard scan` (repeatable), e.g. --scan-arg=--select=FG1",
    )
    args = parser.parse_args(argv)
    check_common_args(parser, args)
    return args


def _inside_repo(path: Path) -> bool:
    try:
        Path(os.path.realpath(path)).relative_to(os.path.realpath(REPO))
    except ValueError:
        return False
    return True


def work_base() -> Path:
    """``<temp>/flaskguard-bench``, created; refused when it lies inside the repository."""
    base = Path(tempfile.gettempdir()) / BASE_NAME
    if _inside_repo(base):
        raise BenchError(
            f"the temp directory {base} is inside the repository; set TMPDIR elsewhere"
        )
    base.mkdir(parents=True, exist_ok=True)
    return base


def prepare_corpus(args: argparse.Namespace, base: Path, verbose: bool) -> CorpusInfo:
    """The corpus named by --corpus, or one built (or reused) from --venv / --repeat."""
    if args.corpus:
        root = Path(args.corpus).expanduser().resolve()
        if not root.is_dir():
            raise BenchError(f"--corpus {args.corpus}: not a directory")
        corpus = describe_existing_corpus(root)
    else:
        sources = resolve_sources(args.venv)
        corpus = build_corpus(sources, args.repeat, base, args.rebuild)
        if verbose:
            how = "reusing" if corpus.reused else f"built in {corpus.build_s:.1f} s:"
            print(f"corpus {how} {corpus.path}", file=sys.stderr)
    if corpus.py_files == 0:
        raise BenchError(f"{corpus.path}: no Python files to scan")
    return corpus


def remove_corpus(corpus: CorpusInfo) -> None:
    """Delete a corpus this run built (a reused or given one is left alone)."""
    if corpus.built_here:
        corpus_path = Path(corpus.path)
        shutil.rmtree(corpus_path, ignore_errors=True)
        manifest = corpus_path.with_name(corpus_path.name + ".json")
        if manifest.exists():
            manifest.unlink()


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    base = work_base()
    corpus = prepare_corpus(args, base, verbose=not args.json)

    corpus_path = Path(corpus.path)
    work = Path(tempfile.mkdtemp(prefix="run-", dir=base))
    runs: list[RunResult] = []
    cmd: list[str] = []
    try:
        shared_cache = work / "cache"
        if args.warm:
            report = work / "report-prime.json"
            cmd = scan_command(corpus_path, report, args.jobs, args.scan_arg)
            env = child_env(base, shared_cache)
            run_once(0, cmd, corpus_path, env, report, work, args.timeout)
        for i in range(1, args.runs + 1):
            report = work / f"report-{i}.json"
            cache = shared_cache if args.warm else work / f"cache-{i}"
            cmd = scan_command(corpus_path, report, args.jobs, args.scan_arg)
            env = child_env(base, cache)
            result = run_once(i, cmd, corpus_path, env, report, work, args.timeout)
            runs.append(result)
            if not args.json:
                print(f"run {i}/{args.runs}: {result.wall_s:.2f} s", file=sys.stderr)
            if not args.warm and not args.keep:
                shutil.rmtree(cache, ignore_errors=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
            remove_corpus(corpus)

    summary = summarise(corpus, runs)
    if args.json:
        print(
            json.dumps(
                {"corpus": asdict(corpus), "summary": summary, "runs": [asdict(r) for r in runs]},
                indent=2,
            )
        )
    else:
        print(file=sys.stderr)
        print_table(args, corpus, runs, summary, cmd)
        if args.keep:
            print(f"\n  kept: corpus {corpus.path}\n        reports, logs and cache {work}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"bench_scan: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
