"""The progress bar: when it shows, what it draws, and the scan's progress callback."""

from __future__ import annotations

import io
import os
import select
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Optional

import pytest

from flaskguard.config import Config
from flaskguard.progress import ProgressBar, terminal_progress, wants_progress
from flaskguard.rules import all_rules
from flaskguard.scan import run_scan

ROOT = Path(__file__).resolve().parent.parent


class FakeTTY(io.StringIO):
    """A terminal as far as the bar can tell: isatty() is true, the encoding is chosen."""

    def __init__(self, encoding: str = "utf-8") -> None:
        super().__init__()
        self._encoding = encoding

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._encoding

    def isatty(self) -> bool:
        if self.closed:
            raise ValueError("I/O operation on closed file")
        return True


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def make_bar(
    tty: Optional[FakeTTY] = None, columns: int = 80
) -> tuple[ProgressBar, FakeTTY, FakeClock]:
    tty = tty or FakeTTY()
    clock = FakeClock()
    return ProgressBar(tty, clock=clock, columns=columns), tty, clock


def screen(output: str) -> str:
    """What a terminal shows after ``output``: the text after the last carriage return."""
    return output.rsplit("\r", 1)[-1]


# --------------------------------------------------------------------------- when it draws


def test_nothing_is_drawn_in_the_first_second() -> None:
    bar, tty, clock = make_bar()
    for done, at in ((1, 0.0), (5, 0.5), (9, 0.99)):
        clock.now = 100.0 + at
        bar("files", done, 10)
    assert tty.getvalue() == ""
    clock.now = 101.0
    bar("files", 10, 20)
    assert screen(tty.getvalue()).startswith("Analysing files  10/20 ")


def test_redraws_at_most_ten_times_a_second() -> None:
    bar, tty, clock = make_bar()
    clock.now += 2.0
    for step in range(100):  # 100 updates over one second
        clock.now += 0.01
        bar("files", step, 100)
    assert 9 <= tty.getvalue().count("\r") <= 11


def test_a_new_stage_is_drawn_at_once() -> None:
    bar, tty, clock = make_bar()
    clock.now += 2.0
    bar("files", 10, 10)
    clock.now += 0.01
    bar("rules", 0, 30, "FG100")
    assert screen(tty.getvalue()).startswith("Running rules  FG100   0/30 ")


def test_clear_erases_the_line_and_only_if_drawn() -> None:
    bar, tty, clock = make_bar()
    bar.clear()
    assert tty.getvalue() == ""
    clock.now += 2.0
    bar("files", 3, 10)
    width = len(screen(tty.getvalue()))
    bar.clear()
    assert tty.getvalue().endswith("\r" + " " * width + "\r")
    bar.clear()  # a second clear writes nothing more
    assert tty.getvalue().endswith("\r" + " " * width + "\r")


def test_a_shorter_line_covers_what_was_left_of_a_longer_one() -> None:
    bar, tty, clock = make_bar()
    clock.now += 2.0
    bar("rules", 0, 30, "FG100")
    first = screen(tty.getvalue())
    clock.now += 1.0
    bar("files", 5, 9)
    second = screen(tty.getvalue())
    assert len(second) >= len(first)
    assert second.rstrip() == bar.render("files", 5, 9)


# --------------------------------------------------------------------------- what it draws


def test_the_line_reads_like_the_documentation() -> None:
    bar, _, _ = make_bar(columns=80)
    line = bar.render("files", 1234, 2598)
    assert line == "Analysing files  1,234/2,598 " + "━" * 18 + "╸" + "─" * 21 + "  47%"
    # Narrower than the widest bar: the line fills the width but for the last column, which
    # stays free because writing there makes some terminals wrap.
    assert len(make_bar(columns=60)[0].render("files", 1234, 2598)) == 59
    assert bar.render("rules", 12, 30, "FG504").startswith("Running rules  FG504  12/30 ━")


def test_the_bar_fills_in_half_cells() -> None:
    bar, _, _ = make_bar(columns=200)  # 40 cells
    assert bar.render("files", 0, 8).count("─") == 40
    assert bar.render("files", 8, 8).count("━") == 40
    half_cell = bar.render("files", 1, 80)
    assert "━" not in half_cell and half_cell.count("╸") == 1
    assert bar.render("files", 0, 0).endswith(" 100%")


def test_the_count_keeps_its_width_so_the_bar_does_not_jump() -> None:
    bar, _, _ = make_bar()
    assert len(bar.render("files", 5, 2598)) == len(bar.render("files", 2598, 2598))


def test_a_narrow_terminal_gets_the_count_without_a_bar() -> None:
    bar, _, _ = make_bar(columns=40)
    line = bar.render("files", 1234, 2598)
    assert line == "Analysing files  1,234/2,598  47%"
    assert len(make_bar(columns=20)[0].render("files", 1234, 2598)) == 19


def test_ascii_only_streams_get_an_ascii_bar() -> None:
    bar, _, _ = make_bar(FakeTTY(encoding="ascii"))
    assert bar.render("files", 1, 7) == "Analysing files  1/7 =====>" + "-" * 34 + "  14%"


# --------------------------------------------------------------------------- whether it shows


def test_the_bar_is_for_terminals_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("NO_COLOR", "1")  # colour is not the bar's business: it is plain text
    assert wants_progress(FakeTTY())
    assert not wants_progress(FakeTTY(), quiet=True)
    assert not wants_progress(io.StringIO())
    closed = FakeTTY()
    closed.close()
    assert not wants_progress(closed)
    monkeypatch.setenv("TERM", "dumb")
    assert not wants_progress(FakeTTY())


def test_terminal_progress_clears_the_line_on_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm")
    tty = FakeTTY()
    with pytest.raises(KeyboardInterrupt), terminal_progress(tty) as bar:
        assert bar is not None
        bar._started -= 5  # as if the scan had been running for five seconds
        bar("files", 1, 2)
        raise KeyboardInterrupt
    assert screen(tty.getvalue()).strip() == ""
    with terminal_progress(io.StringIO()) as none:
        assert none is None


# --------------------------------------------------------------------------- the scan's callback


def project(root: Path, count: int) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        (root / f"mod{index}.py").write_text(f"VALUE = {index}\n", encoding="utf-8")
    (root / "app.py").write_text(
        "from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n", encoding="utf-8"
    )
    return root


def test_run_scan_reports_files_then_rules(tmp_path: Path) -> None:
    calls: list[tuple[str, int, int, str]] = []
    root = project(tmp_path, 6)
    run_scan(
        [root],
        root=root,
        config=Config(),
        jobs=2,
        progress=lambda *call: calls.append(call),
    )
    files = [call for call in calls if call[0] == "files"]
    rules = [call for call in calls if call[0] == "rules"]
    assert calls == files + rules
    assert files[0] == ("files", 0, 7, "")
    assert files[-1] == ("files", 7, 7, "")
    assert [done for _, done, _, _ in files] == sorted(done for _, done, _, _ in files)
    enabled = [rule.meta.id for rule in all_rules() if Config().rule_enabled(rule.meta.id)]
    assert rules == [("rules", i, len(enabled), rule) for i, rule in enumerate(enabled)]


def test_cached_files_count_as_done_from_the_start(tmp_path: Path) -> None:
    root = project(tmp_path / "project", 4)
    cache = tmp_path / "cache"
    run_scan([root], root=root, config=Config(), jobs=1, cache_dir=cache)
    (root / "mod0.py").write_text("VALUE = 'changed'\n", encoding="utf-8")
    calls: list[tuple[str, int, int, str]] = []
    run_scan(
        [root],
        root=root,
        config=Config(),
        jobs=1,
        cache_dir=cache,
        progress=lambda *call: calls.append(call),
    )
    files = [call for call in calls if call[0] == "files"]
    assert files[0] == ("files", 4, 5, "")
    assert files[-1] == ("files", 5, 5, "")
    assert [done for _, done, _, _ in files] == sorted(done for _, done, _, _ in files)


# --------------------------------------------------------------------------- end to end

# Runs the real CLI in a subprocess with a bar that draws at once, so that a quick scan
# shows whether the bar would have appeared.
IMMEDIATE_BAR = textwrap.dedent(
    """
    import sys
    import flaskguard.progress as progress

    class Immediate(progress.ProgressBar):
        def __init__(self, stream, **options):
            super().__init__(stream, delay=0.0, interval=0.0)

    progress.ProgressBar = Immediate
    from flaskguard.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)


def run_cli(args: list[str], *, stderr_tty: bool) -> tuple[str, str]:
    env = {**os.environ, "TERM": "xterm", "NO_COLOR": "1"}
    command = [sys.executable, "-c", IMMEDIATE_BAR, *args]
    if not stderr_tty:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
        return done.stdout, done.stderr
    import pty

    master, slave = pty.openpty()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=slave, env=env)
    os.close(slave)
    received = b""
    # Read while it runs: a full terminal buffer would block the writer.
    while True:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the last writer closed the terminal
                break
            if not chunk:
                break
            received += chunk
        elif process.poll() is not None:
            break
    assert process.stdout is not None
    stdout = process.stdout.read().decode()
    process.wait(timeout=120)
    os.close(master)
    return stdout, received.decode("utf-8", "replace")


def test_piped_stderr_gets_no_progress(tmp_path: Path) -> None:
    root = project(tmp_path, 3)
    stdout, stderr = run_cli(["scan", str(root), "--no-cache"], stderr_tty=False)
    assert "FG100" in stdout
    assert "\r" not in stderr and "Analysing" not in stderr and "Running rules" not in stderr


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_a_terminal_gets_the_bar_and_a_clean_line_after_it(tmp_path: Path) -> None:
    root = project(tmp_path, 3)
    stdout, stderr = run_cli(["scan", str(root), "--no-cache"], stderr_tty=True)
    assert "FG100" in stdout and "\r" not in stdout
    assert "Analysing files" in stderr and "Running rules  FG" in stderr
    assert screen(stderr).strip() == ""  # cleared before the process ended


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_quiet_turns_the_bar_off_on_a_terminal(tmp_path: Path) -> None:
    root = project(tmp_path, 3)
    stdout, stderr = run_cli(["scan", str(root), "--no-cache", "-q"], stderr_tty=True)
    assert "FG100" in stdout
    assert "Analysing" not in stderr and "Running rules" not in stderr
