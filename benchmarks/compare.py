#!/usr/bin/env python3
"""flaskguard side by side with Bandit, Ruff and Semgrep on one large tree of real Python code.

Builds (or reuses) the corpus of bench_scan.py, a copy of a site-packages tree under the system
temp directory, then runs one after another on that same tree:

    flaskguard cold      python -m flaskguard scan ...      (empty cache, which it fills)
    flaskguard warm      the same again on that cache       (unchanged tree)
    flaskguard 1 change  one line appended to one .py file, re-scanned with the warm cache
    bandit               bandit -r -q -f json -o <work>/bandit-N.json <corpus>
    ruff                 ruff check --select S --no-cache --exit-zero ... <corpus>
    semgrep              semgrep scan --config <local rules> ... <corpus>   (when available)

and prints wall time, files/s and peak memory of each, the ratio of each wall time to
flaskguard's cold scan, and the four speed and memory targets of the project with PASS/FAIL.

Standard library only, Python >= 3.9. Nothing is written inside the repository: corpus,
reports, caches and logs live under ``<temp>/flaskguard-bench/``. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

# Import the sibling module without writing benchmarks/__pycache__ into the repository.
sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_scan as bs  # noqa: E402  (the corpus builder and the measuring code)

DEFAULT_SEMGREP_RULES = Path(__file__).resolve().parent / "semgrep-rules"
INSTALL_HINT = (
    "install it into any virtual environment (`python3 -m venv /tmp/bench-tools && "
    "/tmp/bench-tools/bin/pip install bandit ruff`) and put it on PATH or pass {option} PATH"
)
GIB = 1024.0  # MiB


@dataclass
class ToolResult:
    key: str
    label: str
    status: str = "skipped"  # "ok", "skipped" or "failed"
    note: str = ""
    command: list[str] = field(default_factory=list)
    version: Optional[str] = None
    walls: list[float] = field(default_factory=list)
    wall_s: Optional[float] = None  # median of `walls`
    files: Optional[int] = None  # files the tool says it analysed
    files_from: str = ""  # where `files` comes from
    files_per_s: Optional[float] = None
    peak_rss_mib: Optional[float] = None  # largest single process, max over the runs
    tree_peak_mib: Optional[float] = None  # sampled sum over the process tree, max over runs
    findings: Optional[int] = None
    ratio_to_cold: Optional[float] = None

    def add(self, wall_s: float, peak_rss_mib: Optional[float], tree_mib: Optional[float]) -> None:
        self.walls.append(wall_s)
        self.wall_s = statistics.median(self.walls)
        if peak_rss_mib is not None:
            self.peak_rss_mib = max(self.peak_rss_mib or 0.0, peak_rss_mib)
        if tree_mib is not None:
            self.tree_peak_mib = max(self.tree_peak_mib or 0.0, tree_mib)


@dataclass
class Target:
    name: str
    status: str  # "PASS", "FAIL" or "n/a"
    detail: str
    value: Optional[float] = None
    limit: Optional[float] = None


# --------------------------------------------------------------------------------------------
# Tools


def find_tool(name: str, given: Optional[str]) -> Optional[str]:
    if given:
        path = shutil.which(given) or (given if os.access(given, os.X_OK) else None)
        if path is None:
            raise bs.BenchError(f"--{name} {given}: not an executable")
        return os.path.abspath(path)
    return shutil.which(name)


def tool_version(exe: str, env: Optional[dict[str, str]] = None) -> Optional[str]:
    try:
        out = subprocess.run(
            [exe, "--version"],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = (out.stdout or out.stderr).strip().splitlines()
    if not lines:
        return None
    version = lines[0].strip()
    name = Path(exe).name
    return version if version.lower().startswith(name.lower()) else f"{name} {version}"


def count_rules(path: Path) -> Optional[int]:
    """Rules in a Semgrep config file or folder (lines `- id:`), without a YAML parser."""
    files = [path] if path.is_file() else sorted(path.rglob("*.y*ml"))
    total = 0
    for f in files:
        try:
            total += sum(
                1
                for line in f.read_text(encoding="utf-8").splitlines()
                if line.lstrip().startswith("- id:")
            )
        except OSError:
            return None
    return total


def semgrep_env(work: Path) -> dict[str, str]:
    """Keep Semgrep's settings, logs and version cache in the work folder, metrics off."""
    home = work / "semgrep-home"
    home.mkdir(exist_ok=True)
    env = dict(os.environ)
    env.update(
        HOME=str(home),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_CONFIG_HOME=str(home / ".config"),
        SEMGREP_SETTINGS_FILE=str(home / "settings.yml"),
        SEMGREP_LOG_FILE=str(home / "semgrep.log"),
        SEMGREP_VERSION_CACHE_PATH=str(home / "version-cache"),
        SEMGREP_ENABLE_VERSION_CHECK="0",
        SEMGREP_SEND_METRICS="off",
    )
    return env


# --------------------------------------------------------------------------------------------
# The touched file


def pick_file_to_touch(corpus: Path, given: Optional[str]) -> Path:
    """--touch, or the Python file of median size (ties by path) outside excluded folders."""
    if given:
        path = (corpus / given).resolve()
        if not path.is_file() or not path.name.endswith(".py"):
            raise bs.BenchError(f"--touch {given}: not a .py file inside {corpus}")
        return path
    excluded = {"build", "dist", "venv", ".venv", "site-packages", "node_modules", "_build"}
    candidates = []
    for path, parts in bs.walk_files(corpus):
        if parts[-1].endswith(".py") and not excluded.intersection(parts[:-1]):
            with contextlib.suppress(OSError):
                candidates.append((path.stat().st_size, str(path), path))
    if not candidates:
        raise bs.BenchError(f"{corpus}: no Python file to touch")
    candidates.sort()
    return candidates[len(candidates) // 2][2]


class TouchedFile:
    """Edit one file before each run; put back its bytes and times afterwards.

    ``touch`` appends a comment line: the file changes, its code does not. ``edit_code``
    appends a small function: a change of the code, which the analyses have to see.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.original = path.read_bytes()
        st = path.stat()
        self.times_ns = (st.st_atime_ns, st.st_mtime_ns)
        self.edits = 0

    def touch(self) -> None:
        self.edits += 1
        data = self.path.read_bytes()
        if data and not data.endswith(b"\n"):
            data += b"\n"
        # A new line each time, so that every measured run sees a file it has not cached.
        self.path.write_bytes(data + b"# flaskguard-bench touch %d\n" % self.edits)

    def edit_code(self) -> None:
        self.edits += 1
        data = self.path.read_bytes()
        if data and not data.endswith(b"\n"):
            data += b"\n"
        n = self.edits
        self.path.write_bytes(
            data + b"\n\ndef _flaskguard_bench_edit_%d(value):\n    return value + %d\n" % (n, n)
        )

    def edit_code_with_call(self) -> None:
        self.edits += 1
        data = self.path.read_bytes()
        if data and not data.endswith(b"\n"):
            data += b"\n"
        n = self.edits
        self.path.write_bytes(
            data + b"\n\ndef _flaskguard_bench_call_%d(value):\n    total = len(value) + %d\n"
            b"    return total\n" % (n, n)
        )

    def restore(self) -> None:
        if self.edits:
            self.path.write_bytes(self.original)
            os.utime(self.path, ns=self.times_ns)
            self.edits = 0


# --------------------------------------------------------------------------------------------
# Running


class Runner:
    def __init__(self, args: argparse.Namespace, corpus: bs.CorpusInfo, base: Path, work: Path):
        self.args = args
        self.corpus = corpus
        self.corpus_path = Path(corpus.path)
        self.base = base
        self.work = work
        self.verbose = not args.json

    def log(self, message: str) -> None:
        if self.verbose:
            print(message, file=sys.stderr, flush=True)

    # flaskguard ------------------------------------------------------------------------------

    def flaskguard(
        self,
        result: ToolResult,
        cache_for_run: Callable[[int], Path],
        before_run: Optional[Callable[[], None]] = None,
    ) -> None:
        for i in range(1, self.args.runs + 1):
            if before_run is not None:
                before_run()
            report = self.work / f"{result.key}-{i}.json"
            cmd = bs.scan_command(self.corpus_path, report, self.args.jobs, [])
            env = bs.child_env(self.base, cache_for_run(i))
            run = bs.run_once(
                i, cmd, self.corpus_path, env, report, self.work, self.args.timeout, result.key
            )
            result.add(run.wall_s, run.peak_rss_mib, run.tree_peak_mib)
            result.command = [cmd[0], "-m", "flaskguard", *cmd[cmd.index("scan") :]]
            result.version = run.tool_version and f"flaskguard {run.tool_version}"
            result.files = run.python_files_analysed
            result.files_from = "report: python_files_analysed"
            result.findings = run.findings
            result.status = "ok"
            self.log(f"{result.label} {i}/{self.args.runs}: {run.wall_s:.2f} s")

    # other tools -----------------------------------------------------------------------------

    def external(
        self,
        result: ToolResult,
        make_cmd: Callable[[Path], list[str]],
        ok_codes: tuple[int, ...],
        read_output: Callable[[Path, ToolResult], None],
        env: Optional[dict[str, str]] = None,
    ) -> None:
        env = env or dict(os.environ)
        for i in range(1, self.args.runs + 1):
            out = self.work / f"{result.key}-{i}.json"
            cmd = make_cmd(out)
            result.command = cmd
            stderr_path = self.work / f"{result.key}-{i}.stderr"
            m = bs.measure(
                cmd,
                self.corpus_path,
                env,
                self.work / f"{result.key}-{i}.stdout",
                stderr_path,
                self.args.timeout,
            )
            if m.timed_out or m.returncode not in ok_codes:
                tail = stderr_path.read_text(encoding="utf-8", errors="replace")[-1500:]
                why = (
                    f"killed after {self.args.timeout:.0f} s"
                    if m.timed_out
                    else f"exit status {m.returncode}"
                )
                result.status, result.note = "failed", why
                self.log(f"{result.label}: {why}\n--- stderr (last lines) ---\n{tail.rstrip()}")
                return
            result.add(m.wall_s, m.peak_rss_mib, m.tree_peak_mib)
            result.status = "ok"
            try:
                read_output(out, result)
            except (OSError, ValueError, KeyError, TypeError) as exc:
                result.note = f"could not read its output ({exc})"
            self.log(f"{result.label} {i}/{self.args.runs}: {m.wall_s:.2f} s")


def read_bandit(out: Path, result: ToolResult) -> None:
    data = json.loads(out.read_text(encoding="utf-8"))
    metrics = data.get("metrics") or {}
    result.files = len([k for k in metrics if k != "_totals"])
    result.files_from = "report: metrics per file"
    result.findings = len(data.get("results") or [])
    errors = len(data.get("errors") or [])
    if errors:
        result.note = f"{errors} files it could not analyse"


def read_ruff(out: Path, result: ToolResult) -> None:
    result.findings = len(json.loads(out.read_text(encoding="utf-8")))


def read_semgrep(out: Path, result: ToolResult) -> None:
    data = json.loads(out.read_text(encoding="utf-8"))
    scanned = (data.get("paths") or {}).get("scanned")
    if scanned is not None:
        result.files = len(scanned)
        result.files_from = "report: paths.scanned"
    result.findings = len(data.get("results") or [])
    errors = len(data.get("errors") or [])
    if errors:
        result.note = f"{errors} errors reported"


def ruff_file_count(ruff: str, corpus: Path) -> Optional[int]:
    """The files Ruff checks (`--show-files`, not timed)."""
    try:
        out = subprocess.run(
            [ruff, "check", "--select", "S", "--no-cache", "--show-files", str(corpus)],
            cwd=corpus,
            capture_output=True,
            text=True,
            timeout=600,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    prefix = str(corpus)
    return sum(1 for line in out.stdout.splitlines() if line.startswith(prefix))


# --------------------------------------------------------------------------------------------
# Targets


def check_targets(results: dict[str, ToolResult], corpus: bs.CorpusInfo) -> list[Target]:
    def wall(key: str) -> Optional[float]:
        r = results.get(key)
        return r.wall_s if r is not None and r.status == "ok" else None

    def ratio_target(name: str, num: str, den: str, limit: float, what: str) -> Target:
        a, b = wall(num), wall(den)
        if a is None or b is None:
            missing = results[den].label if b is None else results[num].label
            return Target(name, "n/a", f"{missing} did not run", limit=limit)
        ratio = a / b
        status = "PASS" if ratio <= limit else "FAIL"
        return Target(
            name,
            status,
            f"{a:.2f} s / {b:.2f} s = {ratio:.2f} ({what} <= {limit:g})",
            round(ratio, 3),
            limit,
        )

    targets = [
        ratio_target("cold <= 0.5x Bandit", "fg-cold", "bandit", 0.5, "cold / Bandit"),
        ratio_target("warm <= 3x Ruff --no-cache", "fg-warm", "ruff", 3.0, "warm / Ruff"),
        ratio_target(
            "one changed file <= 1.5x warm", "fg-touched", "fg-warm", 1.5, "touched / warm"
        ),
        ratio_target(
            "one code edit <= 1.5x warm", "fg-code-edit", "fg-warm", 1.5, "code edit / warm"
        ),
        ratio_target(
            "one edit with a call <= 1.5x warm", "fg-call-edit", "fg-warm", 1.5, "call edit / warm"
        ),
    ]

    fg = [r for k, r in results.items() if k.startswith("fg-") and r.status == "ok"]
    single = max((r.peak_rss_mib for r in fg if r.peak_rss_mib is not None), default=None)
    tree = max((r.tree_peak_mib for r in fg if r.tree_peak_mib is not None), default=None)
    name = "peak RSS < 1 GiB"
    if single is None and tree is None:
        targets.append(Target(name, "n/a", "no memory measurement on this platform"))
    else:
        worst = max(v for v in (single, tree) if v is not None)
        status = "PASS" if worst < GIB else "FAIL"
        parts = []
        if single is not None:
            parts.append(f"largest process {single:.0f} MiB")
        if tree is not None:
            parts.append(f"process tree {tree:.0f} MiB")
        size = f"{corpus.py_lines:,}-line corpus"
        if corpus.py_lines < 1_000_000:
            size += " (< 1M lines: use --repeat to reach the target size)"
        targets.append(
            Target(name, status, f"{', '.join(parts)} (< 1024 MiB; {size})", round(worst, 1), GIB)
        )
    return targets


# --------------------------------------------------------------------------------------------
# Output


def _fmt_ratio(value: Optional[float]) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}" if value >= 0.1 else f"{value:.3f}"


def print_report(
    results: list[ToolResult],
    targets: list[Target],
    corpus: bs.CorpusInfo,
    touched: Optional[str],
    machine: dict[str, Any],
    semgrep_rules: Optional[str],
) -> None:
    f = bs._fmt_float
    print("flaskguard vs Bandit, Ruff and Semgrep")
    print(
        f"  machine  {machine['system']}, {machine['cpus']} CPUs, Python {machine['python']}; "
        f"load average {machine['load_before']} before, {machine['load_after']} after"
    )
    print(f"  corpus   {corpus.path}")
    print(
        f"           {corpus.py_files:,} Python files, {corpus.py_lines:,} lines "
        f"({corpus.py_bytes / 2**20:.1f} MiB)"
        + (
            ""
            if corpus.sources == [corpus.path]
            else f", copied from {', '.join(corpus.sources)}"
            + (f" x{corpus.repeat}" if corpus.repeat > 1 else "")
        )
    )
    if touched:
        print(f"  touched  {touched} (restored afterwards)")
    if semgrep_rules:
        print(f"  semgrep  rules: {semgrep_rules}")
    print()
    header = (
        f"  {'tool':<22} {'wall s':>8} {'files':>7} {'files/s':>8} "
        f"{'peak RSS MiB':>12} {'tree MiB':>9} {'x fg cold':>9} {'findings':>8}"
    )
    print(header)
    print("  " + "-" * (len(header) - 2))
    for r in results:
        if r.status != "ok":
            print(f"  {r.label:<22} {r.status}: {r.note}")
            continue
        print(
            f"  {r.label:<22} {f(r.wall_s, 3 if (r.wall_s or 0) < 10 else 2):>8} "
            f"{bs._fmt_int(r.files):>7} "
            f"{bs._fmt_int(r.files_per_s):>8} {f(r.peak_rss_mib, 0):>12} "
            f"{f(r.tree_peak_mib, 0):>9} {_fmt_ratio(r.ratio_to_cold):>9} {bs._fmt_int(r.findings):>8}"
            + (f"  ({r.note})" if r.note else "")
        )
    print()
    print("  targets")
    for t in targets:
        print(f"  {t.status:<5} {t.name:<30} {t.detail}")
    print()
    print("  commands")
    for r in results:
        if r.command:
            version = f"  [{r.version}]" if r.version else ""
            print(f"    {r.label}: {' '.join(r.command)}{version}")
    runs = max((len(r.walls) for r in results), default=1)
    print(
        "\n  wall s: "
        + ("median of the runs" if runs > 1 else "one run")
        + "; files: what each tool says it analysed (Ruff: `--show-files`),"
        " files/s = files / wall s."
        "\n  peak RSS: largest single process (the tool or one of the processes it started"
        " and waited for),\n  from os.wait4 (RUSAGE_CHILDREN semantics) - not a sum."
        f" tree: peak of the summed PSS of the whole\n  process tree, sampled every"
        f" {bs.SAMPLE_INTERVAL_S} s from /proc (Linux only; can miss shorter peaks)."
        "\n  x fg cold: wall time / flaskguard cold wall time. findings are not comparable:"
        " every tool has its own rules."
    )


# --------------------------------------------------------------------------------------------


def parse_args(argv: Optional[list[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time flaskguard (cold, warm, one changed file), Bandit, Ruff and Semgrep "
        "one after another on the same copy of a site-packages tree (or any folder).",
    )
    bs.add_common_args(parser)
    parser.add_argument(
        "--runs",
        type=int,
        default=1,
        metavar="N",
        help="measured runs of each tool; the median wall time counts (default 1)",
    )
    parser.add_argument("--bandit", metavar="PATH", help="bandit executable (default: on PATH)")
    parser.add_argument("--ruff", metavar="PATH", help="ruff executable (default: on PATH)")
    parser.add_argument("--semgrep", metavar="PATH", help="semgrep executable (default: on PATH)")
    parser.add_argument(
        "--semgrep-config",
        metavar="PATH",
        help=f"local Semgrep rules, file or folder (default: {DEFAULT_SEMGREP_RULES} if present)",
    )
    parser.add_argument(
        "--skip",
        default="",
        metavar="TOOLS",
        help="comma-separated tools not to run: bandit, ruff, semgrep",
    )
    parser.add_argument(
        "--touch",
        metavar="FILE",
        help="the .py file (relative to the corpus) to change for the one-changed-file run "
        "(default: the file of median size)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit with status 1 when a target fails",
    )
    args = parser.parse_args(argv)
    bs.check_common_args(parser, args)
    args.skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    unknown = args.skip - {"bandit", "ruff", "semgrep"}
    if unknown:
        parser.error(f"--skip: unknown tool(s) {', '.join(sorted(unknown))}")
    return args


def _load() -> str:
    try:
        return "/".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    base = bs.work_base()
    corpus = bs.prepare_corpus(args, base, verbose=not args.json)
    corpus_path = Path(corpus.path)
    if bs._inside_repo(corpus_path):
        raise bs.BenchError(f"{corpus_path}: the corpus must not lie inside the repository")

    results = {
        key: ToolResult(key, label)
        for key, label in (
            ("fg-cold", "flaskguard cold"),
            ("fg-warm", "flaskguard warm"),
            ("fg-touched", "flaskguard 1 changed"),
            ("fg-code-edit", "flaskguard 1 code edit"),
            ("fg-call-edit", "flaskguard 1 call edit"),
            ("bandit", "bandit -r"),
            ("ruff", "ruff --select S"),
            ("semgrep", "semgrep"),
        )
    }

    # Find the other tools first, so that a missing one is reported before the long runs.
    exes: dict[str, Optional[str]] = {}
    for name in ("bandit", "ruff", "semgrep"):
        if name in args.skip:
            results[name].note = "--skip"
            exes[name] = None
            continue
        exes[name] = find_tool(name, getattr(args, name))
        if exes[name] is None:
            option = f"--{name}"
            hint = (
                INSTALL_HINT.format(option=option)
                if name != "semgrep"
                else f"`pip install semgrep` into any venv and put it on PATH or pass {option}"
            )
            results[name].note = f"not found; {hint}"
    rules: Optional[Path] = None
    if exes["semgrep"] is not None:
        rules = Path(args.semgrep_config) if args.semgrep_config else DEFAULT_SEMGREP_RULES
        if not rules.exists():
            results[
                "semgrep"
            ].note = (
                f"no local rules at {rules} (its rule registry is not used); pass --semgrep-config"
            )
            exes["semgrep"] = None
    for name, exe in exes.items():
        if exe is None and not args.json:
            print(f"{name}: skipped: {results[name].note}", file=sys.stderr)

    machine = {
        "system": f"{platform.system()} {platform.machine()}",
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_before": _load(),
        "load_after": None,
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
    }
    work = Path(tempfile.mkdtemp(prefix="compare-", dir=base))
    runner = Runner(args, corpus, base, work)
    touched: Optional[TouchedFile] = None
    try:
        # 1. flaskguard cold: every run starts with an empty cache; the last one fills the
        #    cache that the warm runs use.
        cold_cache = {"dir": work / "cache-cold-1"}

        def fresh_cache(i: int) -> Path:
            cold_cache["dir"] = work / f"cache-cold-{i}"
            shutil.rmtree(cold_cache["dir"], ignore_errors=True)
            return cold_cache["dir"]

        runner.flaskguard(results["fg-cold"], fresh_cache)
        # 2. flaskguard warm: unchanged tree, cache from the last cold run.
        runner.flaskguard(results["fg-warm"], lambda i: cold_cache["dir"])
        # 3. one changed file: a line appended before each run, same cache.
        touched = TouchedFile(pick_file_to_touch(corpus_path, args.touch))
        runner.flaskguard(results["fg-touched"], lambda i: cold_cache["dir"], touched.touch)
        touched.restore()
        # 3b. the same file with a function appended: its facts change.
        runner.flaskguard(results["fg-code-edit"], lambda i: cold_cache["dir"], touched.edit_code)
        touched.restore()
        # 3c. a function with an assignment and a call: what most edits of code contain.
        runner.flaskguard(
            results["fg-call-edit"], lambda i: cold_cache["dir"], touched.edit_code_with_call
        )
        touched.restore()

        # 4. Bandit.
        if exes["bandit"]:
            bandit = exes["bandit"]
            results["bandit"].version = tool_version(bandit)
            runner.external(
                results["bandit"],
                lambda out: [bandit, "-r", "-q", "-f", "json", "-o", str(out), str(corpus_path)],
                (0, 1),
                read_bandit,
            )
        # 5. Ruff.
        if exes["ruff"]:
            ruff = exes["ruff"]
            results["ruff"].version = tool_version(ruff)
            runner.external(
                results["ruff"],
                lambda out: [
                    ruff,
                    "check",
                    "--select",
                    "S",
                    "--no-cache",
                    "--exit-zero",
                    "--output-format",
                    "json",
                    "--output-file",
                    str(out),
                    str(corpus_path),
                ],
                (0,),
                read_ruff,
            )
            if results["ruff"].status == "ok":
                results["ruff"].files = ruff_file_count(ruff, corpus_path)
                results["ruff"].files_from = "ruff check --show-files"
        # 6. Semgrep with local rules.
        if exes["semgrep"] and rules is not None:
            semgrep = exes["semgrep"]
            env = semgrep_env(work)
            results["semgrep"].version = tool_version(semgrep, env)
            n_rules = count_rules(rules)
            results["semgrep"].label = f"semgrep ({n_rules} rules)" if n_rules else "semgrep"
            runner.external(
                results["semgrep"],
                lambda out: [
                    semgrep,
                    "scan",
                    "--config",
                    str(rules),
                    "--json",
                    "--output",
                    str(out),
                    "--metrics",
                    "off",
                    "--disable-version-check",
                    "--quiet",
                    str(corpus_path),
                ],
                (0, 1),
                read_semgrep,
                env,
            )
    finally:
        if touched is not None:
            touched.restore()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
            bs.remove_corpus(corpus)
    machine["load_after"] = _load()

    cold = results["fg-cold"].wall_s
    for r in results.values():
        if r.status == "ok" and r.wall_s:
            files = r.files if r.files is not None else corpus.py_files
            if r.files is None:
                r.files_from = "corpus Python files"
            r.files_per_s = round(files / r.wall_s, 1)
            r.ratio_to_cold = round(r.wall_s / cold, 3) if cold else None
    targets = check_targets(results, corpus)
    touched_rel = str(touched.path.relative_to(corpus_path)) if touched is not None else None

    if args.json:
        print(
            json.dumps(
                {
                    "machine": machine,
                    "corpus": asdict(corpus),
                    "touched_file": touched_rel,
                    "semgrep_rules": str(rules) if rules else None,
                    "runs_per_tool": args.runs,
                    "tools": [asdict(r) for r in results.values()],
                    "targets": [asdict(t) for t in targets],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        print(file=sys.stderr)
        print_report(
            list(results.values()),
            targets,
            corpus,
            touched_rel,
            machine,
            str(rules) if rules and exes["semgrep"] else None,
        )
        if args.keep:
            print(f"\n  kept: corpus {corpus.path}\n        reports, logs and caches {work}")
    if args.check and any(t.status == "FAIL" for t in targets):
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except bs.BenchError as exc:
        print(f"compare: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
