"""Atomic user files: every writer survives a failing write with the old file intact and its mode kept."""

import errno
import os
import stat

import pytest

import torchcircuits.files as files
from torchcircuits.cli import main
from torchcircuits.data import make_dataset, save_csv
from torchcircuits.files import atomic_write_bytes, atomic_write_text, new_file_mode
from torchcircuits.run import PRESETS
from torchcircuits.session import save_session


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def full_disk(monkeypatch):
    """The disk fills up halfway through any write that goes through the one writer."""
    calls = []

    def half_then_fail(fd: int, data: bytes) -> None:
        calls.append(len(data))
        os.write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files, "_write_all", half_then_fail)
    return calls


@pytest.fixture
def old_file(tmp_path):
    def make(name: str):
        path = tmp_path / name
        path.write_bytes(b"the user's earlier file\n")
        os.chmod(path, 0o640)  # not what the umask gives a new file (0o644 under the usual 022)
        return path

    return make


def assert_untouched(path) -> None:
    assert path.read_bytes() == b"the user's earlier file\n"
    assert mode(path) == 0o640
    # no temporary file is left behind beside it
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_replaces_contents_and_keeps_the_mode(old_file):
    path = old_file("a.txt")
    atomic_write_text(path, "new\n")
    assert path.read_text() == "new\n" and mode(path) == 0o640


def test_a_new_file_gets_the_umask_mode_not_mkstemps_0600(tmp_path):
    old = os.umask(0o027)
    try:
        assert new_file_mode() == 0o640
        atomic_write_bytes(tmp_path / "new.bin", b"x")
    finally:
        os.umask(old)
    assert mode(tmp_path / "new.bin") == 0o640
    atomic_write_bytes(tmp_path / "usual.bin", b"x")
    assert mode(tmp_path / "usual.bin") == 0o666 & ~old


def test_writes_through_a_symlink_and_the_link_stays(tmp_path):
    target = tmp_path / "real" / "data.csv"
    target.parent.mkdir()
    target.write_text("old")
    os.chmod(target, 0o600)
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    atomic_write_text(link, "new")
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == "new" and mode(target) == 0o600
    # the temporary file was made beside the target, and is gone
    assert sorted(p.name for p in target.parent.iterdir()) == ["data.csv"]


def test_a_failure_midway_leaves_the_old_file(old_file, full_disk):
    path = old_file("a.bin")
    with pytest.raises(OSError, match="No space left"):
        atomic_write_bytes(path, b"y" * 10_000)
    assert full_disk == [10_000]
    assert_untouched(path)


def test_a_failing_rename_leaves_the_old_file(old_file, monkeypatch):
    path = old_file("a.bin")

    def refuse(src, dst):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(files.os, "replace", refuse)
    with pytest.raises(PermissionError):
        atomic_write_bytes(path, b"new")
    assert_untouched(path)


def test_a_missing_folder_is_an_oserror(tmp_path):
    with pytest.raises(FileNotFoundError):
        atomic_write_text(tmp_path / "no" / "such.txt", "x")


def test_large_writes_arrive_whole(tmp_path):
    data = os.urandom(3 * files._CHUNK + 17)  # several chunks: os.write may take less than asked each time
    atomic_write_bytes(tmp_path / "big.bin", data)
    assert (tmp_path / "big.bin").read_bytes() == data


# --- every writer of the library goes through it ----------------------------------------------------
def test_draw_svg_failing_midway_keeps_the_old_drawing(old_file, full_disk, capsys):
    path = old_file("old.svg")
    assert main(["draw", "neuron", "--out", str(path)]) == 2
    assert full_disk, "draw did not write through the atomic writer"
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"torchcircuits: error: cannot write {path}: No space left on device"]
    assert_untouched(path)


def test_draw_svg_keeps_the_mode_on_success(old_file, capsys):
    path = old_file("old.svg")
    assert main(["draw", "neuron", "--out", str(path)]) == 0
    assert path.read_text().startswith("<svg") and mode(path) == 0o640


def test_save_csv_failing_midway_keeps_the_old_file(old_file, full_disk):
    path = old_file("points.csv")
    with pytest.raises(OSError):
        save_csv(make_dataset("xor"), path)
    assert full_disk
    assert_untouched(path)


def test_save_session_failing_midway_keeps_the_old_file(old_file, full_disk):
    path = old_file("run.json")
    settings = PRESETS["guide-svm"]
    train, test = settings.data.load()
    with pytest.raises(OSError):
        save_session(path, settings, train, test, None, {})
    assert full_disk
    assert_untouched(path)
