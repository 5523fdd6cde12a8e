"""One build at a time per output folder.

The lock is a file beside the output (``.site.lock`` beside ``site``), held
with ``flock`` for as long as the build runs and holding the build's process
id. The system drops a ``flock`` when its process dies, so a lock left by a
killed build never blocks: the next build takes it over and says so.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from toolkit.errors import LockedError, PublishError

__all__ = ["build_lock", "lock_path"]


def lock_path(output: Path) -> Path:
    """The lock file of the output folder ``output``."""
    output = Path(output).absolute()
    return output.parent / f".{output.name}.lock"


def _holder(fd: int) -> int | None:
    os.lseek(fd, 0, os.SEEK_SET)
    text = os.read(fd, 64).decode(errors="replace").strip()
    return int(text) if text.isdigit() else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def build_lock(
    output: Path, *, wait: bool = False, say: Callable[[str], None] | None = None
) -> Iterator[Path]:
    """Hold the lock of ``output`` for the ``with`` block.

    Another build holding it: with ``wait``, block until it is done (``say``
    is told once); otherwise raise :class:`~toolkit.errors.LockedError`,
    naming the lock file and the other build's process id. A lock left by a
    build that was killed is taken over (``say`` is told).
    """
    path = lock_path(output)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise PublishError(
            f"cannot create the lock file beside the output ({e.strerror}); "
            "is the output folder writable?",
            path,
        ) from e
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _holder(fd)
            other = f"process {pid}" if pid else "another process"
            if not wait:
                raise LockedError(
                    f"another build ({other}) is writing this site; "
                    "wait for it, or run again with --wait",
                    path,
                ) from None
            if say is not None:
                say(f"waiting for the build of {other} to finish ({path})")
            fcntl.flock(fd, fcntl.LOCK_EX)
        else:
            pid = _holder(fd)
            if pid and pid != os.getpid() and _alive(pid) is False and say is not None:
                say(f"took over the lock {path} of build {pid}, which stopped")
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"{os.getpid()}\n".encode())
        try:
            yield path
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # closing the descriptor releases the flock
