"""A one-line progress bar on a terminal, for scans that take more than a second.

The scan only reports progress through a callback (:data:`flaskguard.scan.ProgressCallback`);
how it looks, and whether it shows at all, is decided here for the CLI. Standard library
only: the bar must not cost the start-up time that the rest of the CLI saves.

The bar is plain text (no colour, no escape sequences: a carriage return redraws it), so
``NO_COLOR`` and terminals without ANSI support need nothing special.
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Callable, Optional, TextIO

STAGE_LABELS = {"files": "Analysing files", "rules": "Running rules"}
DELAY_S = 1.0  # quick scans never flash a bar
INTERVAL_S = 0.1  # at most about ten redraws a second
MAX_BAR_WIDTH = 40
MIN_BAR_WIDTH = 10
DEFAULT_COLUMNS = 80


class ProgressBar:
    """Draws ``progress(stage, done, total, item)`` updates on one line of ``stream``.

    Nothing is drawn until ``delay`` seconds after the bar was created, then at most once
    per ``interval`` (a new stage is drawn at once). :meth:`clear` erases the line.
    """

    def __init__(
        self,
        stream: TextIO,
        *,
        clock: Callable[[], float] = time.monotonic,
        delay: float = DELAY_S,
        interval: float = INTERVAL_S,
        columns: Optional[int] = None,
    ) -> None:
        self._stream = stream
        self._clock = clock
        self._delay = delay
        self._interval = interval
        self._columns = columns
        self._started = clock()
        self._last_draw: Optional[float] = None
        self._last_stage = ""
        self._shown = 0  # characters of the bar on screen
        self._done, self._half, self._todo = _glyphs(stream)

    def __call__(self, stage: str, done: int, total: int, item: str = "") -> None:
        now = self._clock()
        if now - self._started < self._delay:
            return
        if (
            stage == self._last_stage
            and self._last_draw is not None
            and now - self._last_draw < self._interval
        ):
            return
        self._last_draw = now
        self._last_stage = stage
        line = self.render(stage, done, total, item)
        # Spaces over what is left of a longer previous line: no escape sequence needed.
        self._write("\r" + line.ljust(self._shown))
        self._shown = len(line)

    def render(self, stage: str, done: int, total: int, item: str = "") -> str:
        """The line for one update, fitted to the terminal's width."""
        columns = self._width()
        label = STAGE_LABELS.get(stage, stage)
        head = f"{label}  {item}  " if item else f"{label}  "
        count = f"{done:>{len(f'{total:,}')},}/{total:,}"
        percent = f"{done * 100 // total if total else 100:>3}%"
        # The last column stays empty: writing into it makes some terminals wrap the line.
        room = columns - 1 - len(head) - len(count) - len(percent) - 2
        if room < MIN_BAR_WIDTH:
            return f"{head}{count} {percent}"[: columns - 1]
        return f"{head}{count} {self._bar(done, total, min(room, MAX_BAR_WIDTH))} {percent}"

    def clear(self) -> None:
        if self._shown:
            self._write("\r" + " " * self._shown + "\r")
            self._shown = 0

    def _bar(self, done: int, total: int, width: int) -> str:
        halves = width * 2 * min(done, total) // total if total else width * 2
        full, half = divmod(halves, 2)
        return self._done * full + self._half * half + self._todo * (width - full - half)

    def _width(self) -> int:
        if self._columns is not None:
            return self._columns
        try:
            # Asked at each draw, so that the bar follows a resized window.
            return os.get_terminal_size(self._stream.fileno()).columns or DEFAULT_COLUMNS
        except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
            return DEFAULT_COLUMNS

    def _write(self, text: str) -> None:
        self._stream.write(text)
        self._stream.flush()


def _glyphs(stream: TextIO) -> tuple[str, str, str]:
    """Box-drawing characters where the stream can encode them, ASCII elsewhere."""
    glyphs = ("━", "╸", "─")
    try:
        "".join(glyphs).encode(getattr(stream, "encoding", None) or "ascii")
    except (UnicodeEncodeError, LookupError):
        return ("=", ">", "-")
    return glyphs


def wants_progress(stream: TextIO, *, quiet: bool = False) -> bool:
    """Whether a bar belongs on ``stream``: a terminal that redraws lines, and not ``--quiet``.

    Pipes, files and CI logs get no bar: carriage returns would litter them. A ``dumb``
    terminal (an editor's shell buffer) does not redraw a line on a carriage return either.
    """
    if quiet or os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or replaced by an object without isatty
        return False


@contextmanager
def terminal_progress(stream: TextIO, *, quiet: bool = False) -> Iterator[Optional[ProgressBar]]:
    """A :class:`ProgressBar` on ``stream`` when :func:`wants_progress`, else None.

    The line is cleared on the way out, also after an error or Ctrl-C, so that whatever is
    printed next starts on a clean line.
    """
    if not wants_progress(stream, quiet=quiet):
        yield None
        return
    bar = ProgressBar(stream)
    try:
        yield bar
    finally:
        bar.clear()
