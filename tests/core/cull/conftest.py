"""Fixtures for the move tests: shots on disk, and small real filesystems (tmpfs) when root."""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

MountTmpfs = Callable[..., Path]


@pytest.fixture
def mount_tmpfs(tmp_path: Path) -> Iterator[MountTmpfs]:
    """mount_tmpfs(name, size_kib=1024, readonly=False) -> a fresh tmpfs mounted in tmp_path.

    Skips when the test does not run as root or mounting is not allowed (a container): the
    fault-injection tests cover the same code paths then."""
    mounted: list[Path] = []

    def mount(name: str, size_kib: int = 1024, readonly: bool = False) -> Path:
        if os.geteuid() != 0:
            pytest.skip("mounting a small tmpfs needs root")
        d = tmp_path / name
        d.mkdir()
        opts = f"size={size_kib}k" + (",ro" if readonly else "")
        r = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(d)], capture_output=True
        )
        if r.returncode:
            pytest.skip(f"cannot mount a tmpfs here: {r.stderr.decode(errors='replace')}")
        mounted.append(d)
        return d

    yield mount
    for d in reversed(mounted):
        subprocess.run(["umount", "-l", str(d)], capture_output=True)


def fill(fs: Path, leave: int = 0) -> None:
    """Fill the filesystem at fs until at most `leave` bytes are free (0: until ENOSPC)."""
    fd = os.open(fs / "filler", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        while True:
            st = os.statvfs(fs)
            free = st.f_bavail * st.f_frsize
            if free <= leave and leave > 0:
                return
            try:
                os.write(fd, b"\0" * min(max(free - leave, 4096), 1 << 20))
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                return
    finally:
        os.close(fd)
