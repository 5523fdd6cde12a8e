"""Publish a site as a whole: build it beside the old one, then switch.

A build writes into a staging folder next to the output
(``.site.staging-<pid>`` beside ``site``). Files that did not change are
hard links to the old site's files, so they are neither copied nor touched
(their modification times stay). When every file is in place the staging
folder and the output are exchanged in one step (Linux ``renameat2`` with
``RENAME_EXCHANGE``), and the old site, now at the staging path, is removed.
So after a crash, a ``kill -9`` or a failed episode, the output is wholly the
old site or wholly the new one, and it never holds a temporary file.

Where the exchange is not available, the old site is renamed aside and the
new one renamed into place; a crash between those two renames leaves no
output, and :func:`recover` (run before every build, under its lock)
puts the old site back.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
from pathlib import Path

from toolkit.errors import PublishError

__all__ = ["Staging", "is_site", "recover", "STATE_DIR"]

#: The folder inside a site that holds the build's own records (never served).
STATE_DIR = ".toolkit"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _siblings(output: Path, kind: str) -> list[Path]:
    return sorted(output.parent.glob(f".{output.name}.{kind}-*"))


def is_site(folder: Path) -> bool:
    """Whether ``folder`` is a site this toolkit built (and may replace)."""
    if (folder / STATE_DIR).is_dir():
        return True
    # A site from before the build kept records: its feed and index page.
    return (folder / "feed.xml").is_file() and (folder / "index.html").is_file()


def recover(output: Path) -> list[str]:
    """Undo what a killed build left beside ``output``; returns what was done.

    Call it holding the output's lock (:mod:`toolkit.publish.lock`), or from a
    reader that only needs the output back.
    """
    output = Path(output)
    done: list[str] = []
    old = _siblings(output, "old")
    if not output.exists() and old:
        os.rename(old[-1], output)
        done.append(f"restored {output} from {old[-1].name}")
        old = old[:-1]
    for leftover in [*old, *_siblings(output, "staging")]:
        shutil.rmtree(leftover, ignore_errors=True)
        done.append(f"removed {leftover.name}, left by a build that stopped")
    return done


def _exchange(a: Path, b: Path) -> bool:
    """Swap ``a`` and ``b`` atomically; False where the system cannot."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    libc = ctypes.CDLL(name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    rc = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(a))


class Staging:
    """A new site under construction beside ``output``.

    ``root`` is where the build writes. :meth:`reuse` brings an unchanged file
    over from the current site; :meth:`commit` switches the new site into
    place; :meth:`discard` throws it away. Used as a context manager, it
    discards on any error and on leaving without a commit.
    """

    def __init__(self, output: Path):
        self.output = Path(output).absolute()
        if self.output.exists() and not self.output.is_dir():
            raise PublishError("the output is a file, not a folder", self.output)
        if self.output.is_dir() and any(self.output.iterdir()) and not is_site(self.output):
            raise PublishError(
                "the output folder holds files that are not a site built by the toolkit; "
                "choose a new or empty folder",
                self.output,
            )
        self.previous = self.output if self.output.is_dir() else None
        self.root = self.output.parent / f".{self.output.name}.staging-{os.getpid()}"
        try:
            if self.root.exists():
                shutil.rmtree(self.root)
            self.root.mkdir(parents=True)
        except OSError as e:
            raise PublishError(
                f"cannot write beside the output ({e.strerror}); is its folder writable?",
                self.root,
            ) from e
        self.committed = False

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.committed:
            self.discard()

    def old(self, relative: str | Path) -> Path | None:
        """The current site's file at ``relative``, if it has one."""
        if self.previous is None:
            return None
        path = self.previous / relative
        return path if path.is_file() else None

    def reuse(self, relative: str | Path) -> bool:
        """Bring the current site's file at ``relative`` into the new site unchanged.

        A hard link where the file system allows it (no copy; the file keeps
        its modification time), else a copy with its times. False when the
        current site has no such file.
        """
        src = self.old(relative)
        if src is None:
            return False
        dest = self.root / relative
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(src, dest)
        except OSError:
            shutil.copy2(src, dest)
        return True

    def commit(self) -> None:
        """Switch the new site into place as a whole, and remove the old one.

        Raises :class:`~toolkit.errors.PublishError` when the switch fails
        (the old site is then left as it was).
        """
        try:
            self._switch()
        except OSError as e:
            raise PublishError(f"cannot switch the new site into place ({e})", self.output) from e
        self.committed = True

    def _switch(self) -> None:
        if self.previous is None:
            os.rename(self.root, self.output)
        elif _exchange(self.root, self.output):
            shutil.rmtree(self.root)
        else:
            aside = self.output.parent / f".{self.output.name}.old-{os.getpid()}"
            os.rename(self.output, aside)
            os.rename(self.root, self.output)
            shutil.rmtree(aside)

    def discard(self) -> None:
        """Throw the new site away; the current one is left as it is."""
        shutil.rmtree(self.root, ignore_errors=True)
