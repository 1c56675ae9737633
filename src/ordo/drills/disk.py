"""A small disk of its own for a drill's SQLite file: a tmpfs mount that can fill up.

Mounting needs root (``CAP_SYS_ADMIN``); :func:`can_mount` says whether this process may,
and drills that need it are skipped otherwise. ``fill`` writes a filler file until the
disk answers ENOSPC; ``restore`` removes it. It only ever mounts and unmounts the
directory it was given.
"""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
from pathlib import Path


def can_mount() -> bool:
    return os.geteuid() == 0


class SmallDisk:
    def __init__(self, path: Path, size_mb: int = 128) -> None:
        self.path, self.size_mb = path, size_mb
        self.filler = path / "filler.bin"
        self.mounted = False

    def mount(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        _run("mount", "-t", "tmpfs", "-o", f"size={self.size_mb}m", "tmpfs", str(self.path))
        self.mounted = True

    def fill(self) -> int:
        """Write until the disk is full; the bytes written."""
        written = 0
        block = b"\0" * (1 << 20)
        with self.filler.open("wb", buffering=0) as f:
            while True:
                try:
                    written += f.write(block)
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise
                    break
        return written

    def restore(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.filler.unlink()

    def unmount(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.path)], check=False, capture_output=True)
            self.mounted = False


def _run(*cmd: str) -> None:
    done = subprocess.run(list(cmd), capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"{' '.join(cmd)}: {done.stderr.strip()}")
