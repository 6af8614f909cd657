"""Long library calls (search, doctor) in a worker process, so the window never waits for them.

A process, not a thread: a thread running the trainer's Python would hold the
interpreter lock between torch calls, and the window's event loop would stall
with it. The worker runs at a lower priority (``nice``), sends its progress and
result through a queue that a QTimer on the main thread polls (only the main
thread touches widgets), and Cancel ends it at once.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
from collections.abc import Callable

from PyQt6.QtCore import QObject, QTimer, pyqtSignal

from torchcircuits.errors import InputError

__all__ = ["BackgroundJob", "POLL_MS"]

#: how often the window looks for the worker's news (milliseconds)
POLL_MS = 50


def _run(work: Callable, args: tuple, news: multiprocessing.Queue) -> None:
    """The worker: ``work(*args, report)``, where ``report(*message)`` sends news; then the result or the error."""
    import torch

    os.nice(10)  # the window's process comes first on a busy machine
    torch.set_num_threads(1)
    try:
        result = work(*args, lambda *message: news.put(("news", message)))
    except InputError as error:
        news.put(("error", error.as_flag()))
        return
    except Exception as error:  # noqa: BLE001 (a bug in the worker must still end the job in one line)
        news.put(("error", f"the worker failed: {type(error).__name__}: {error}"))
        return
    news.put(("done", result))


class BackgroundJob(QObject):
    """One worker process at a time: ``start(work, args)``, ``cancel()``; news, result and errors as signals.

    ``work`` must be a module-level function (the worker is spawned and imports it).
    """

    #: a tuple the work reported (progress, one finished item)
    sigNews = pyqtSignal(object)
    sigDone = pyqtSignal(object)
    #: one line: the library's refusal, or why the worker stopped
    sigFailed = pyqtSignal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._context = multiprocessing.get_context("spawn")
        self._process: multiprocessing.process.BaseProcess | None = None
        self._news: multiprocessing.Queue | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)

    @property
    def running(self) -> bool:
        return self._process is not None

    def start(self, work: Callable, args: tuple) -> None:
        self.cancel()
        self._news = self._context.Queue()
        self._process = self._context.Process(target=_run, args=(work, args, self._news), daemon=True)
        self._process.start()
        self._timer.start()

    def cancel(self) -> None:
        """End the worker now (nothing it made is kept)."""
        if self._process is not None:
            self._process.terminate()
            self._process.join(timeout=5)
            self._finish()

    def _finish(self) -> None:
        self._timer.stop()
        if self._news is not None:
            self._news.close()
        self._process = self._news = None

    def _poll(self) -> None:
        if self._news is None:
            return
        for _ in range(100):  # a bounded batch per tick: the event loop gets its turn back
            try:
                kind, payload = self._news.get_nowait()
            except queue.Empty:
                break
            if kind == "news":
                self.sigNews.emit(payload)
                continue
            process = self._process
            self._finish()
            if process is not None:
                process.join(timeout=5)
            (self.sigDone if kind == "done" else self.sigFailed).emit(payload)
            return
        if self._process is not None and not self._process.is_alive() and self._news.empty():
            code = self._process.exitcode
            self._finish()
            self.sigFailed.emit(f"the worker ended without a result (exit status {code})")
