"""A dependency-free progress bar for long CLI work, drawn only on a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["ProgressBar"]


class ProgressBar:
    """``with ProgressBar(total) as bar: bar.update(n, "loss 0.3")``.

    Draws on ``stream`` (stderr by default) at most ten times a second, and
    not at all when the stream is not a terminal, so piped and ``--json``
    output stay clean.
    """

    def __init__(self, total: int, label: str = "", stream: TextIO | None = None, width: int = 30) -> None:
        self.total = max(int(total), 1)
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_draw = 0.0
        self._start = time.perf_counter()
        self._shown = ""  # the bar as last drawn, to draw it again below a printed line

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()

    def update(self, done: int, note: str = "", force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        if not force and done < self.total and now - self._last_draw < 0.1:
            return
        self._last_draw = now
        fraction = min(max(done / self.total, 0.0), 1.0)
        filled = int(round(fraction * self.width))
        rate = done / max(now - self._start, 1e-9)
        bar = "#" * filled + "-" * (self.width - filled)
        self._shown = f"\r{self.label} [{bar}] {done}/{self.total} {rate:,.0f}/s {note}\x1b[K"
        self.stream.write(self._shown)
        self.stream.flush()

    def write_line(self, text: str, stream: TextIO) -> None:
        """Print ``text`` and a newline on ``stream`` now (flushed), above the bar when both share a terminal."""
        tearing = bool(self._shown) and bool(getattr(stream, "isatty", lambda: False)())
        if tearing:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
        stream.write(text + "\n")
        stream.flush()
        if tearing:
            self.stream.write(self._shown)
            self.stream.flush()
