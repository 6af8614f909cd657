"""Writing user files without ever leaving a half-written one behind.

Every file the project writes for a user (CSV, session, drawing, screenshot,
exported plot) goes through :func:`atomic_write_bytes`, which guarantees:

* the bytes go to a temporary file beside the target, are flushed and
  ``fsync``-ed, and only then renamed over the target: a failure at any point
  (a full disk, a killed process) leaves the earlier file as it was;
* an existing file keeps its permission bits (a 0o640 file stays 0o640); a new
  file gets the usual ``0o666`` less the umask, not ``mkstemp``'s private 0o600;
* a symbolic link is written *through*: its target gets the new contents and
  the link stays a link.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

__all__ = ["atomic_write_bytes", "atomic_write_text", "new_file_mode"]

_CHUNK = 1 << 20


def new_file_mode() -> int:
    """The permission bits ``open(path, "w")`` gives a new file: 0o666 less the process umask."""
    mask = os.umask(0)  # the only portable way to read the umask is to set it and put it back
    os.umask(mask)
    return 0o666 & ~mask


def _write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` to ``fd`` (os.write may write less than asked)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view[:_CHUNK])
        view = view[written:]


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Replace the file at ``path`` with ``data`` in one step (see the module docstring).

    Raises OSError as ``open`` would (a missing directory, no permission, a
    full disk); the file at ``path`` is then unchanged.
    """
    # a link is written through: the file it points to is the one replaced
    target = Path(os.path.realpath(path))
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = new_file_mode()
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        try:
            os.fchmod(handle, mode)
            _write_all(handle, data)
            os.fsync(handle)
        finally:
            os.close(handle)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_directory(target.parent)


def _sync_directory(folder: Path) -> None:
    """Make the rename itself durable; best effort (some systems cannot open a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8") -> None:
    """:func:`atomic_write_bytes` for text, written as given (no newline translation)."""
    atomic_write_bytes(path, text.encode(encoding))
