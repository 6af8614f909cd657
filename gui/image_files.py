"""Qt pictures into PNG files, atomically, through the library's one file writer.

``QImage.save(path)`` writes in place: a full disk leaves a truncated file
where the user's earlier one was. Here Qt encodes into memory and
:func:`torchcircuits.files.atomic_write_bytes` does the writing (temporary
file, fsync, rename; permission bits kept; symlinks written through).
"""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import QBuffer, QByteArray, QIODevice
from PyQt6.QtGui import QImage, QPixmap

from torchcircuits.files import atomic_write_bytes

__all__ = ["png_bytes", "save_png"]


def png_bytes(picture: QImage | QPixmap) -> bytes:
    """The picture encoded as PNG; OSError if Qt cannot encode it (an empty picture)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    ok = picture.save(buffer, "PNG")
    buffer.close()
    if not ok:
        raise OSError(f"cannot encode a {picture.width()}×{picture.height()} picture as PNG")
    return bytes(data)


def save_png(picture: QImage | QPixmap, path: str | Path) -> None:
    """Write the picture to ``path`` as PNG, atomically; raises OSError (the old file is then intact)."""
    atomic_write_bytes(path, png_bytes(picture))
