"""Exit quietly when the reader of our output goes away, as Unix tools do.

``torchcircuits check | head -1`` closes the pipe after one line; the next
write raises BrokenPipeError. A Unix tool dies of SIGPIPE there, silently, and
the shell reports status 141 (128 + 13); the commands here do the same without
a traceback, and point stdout at /dev/null so that the interpreter's last flush
at exit has nowhere to fail.
"""

from __future__ import annotations

import io
import os
import sys

__all__ = ["EXIT_BROKEN_PIPE", "EXIT_INTERRUPTED", "quiet_after_broken_pipe"]

#: what a shell reports for a process killed by SIGPIPE (128 + 13)
EXIT_BROKEN_PIPE = 141
#: what a shell reports for a process stopped by Ctrl-C (128 + SIGINT 2)
EXIT_INTERRUPTED = 130


def quiet_after_broken_pipe() -> int:
    """Send the rest of stdout nowhere; returns :data:`EXIT_BROKEN_PIPE` for the caller to exit with."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.stdout.fileno())
        finally:
            os.close(devnull)
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        # stdout is not a real file (a test's capture, a closed stream): replace the object instead
        sys.stdout = open(os.devnull, "w")  # lives until exit, like stdout itself
    return EXIT_BROKEN_PIPE
