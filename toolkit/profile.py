"""Where a build's time goes: nested, named spans of wall-clock and CPU time.

Library code marks its costly steps with :func:`timed`, which costs nothing
unless a :func:`profiling` block is active (``toolkit build --profile``).
Spans nest: a stage's span holds its passes, a pass its decoding. CPU time
is the whole process's (every thread), so a CPU/wall ratio near the core
count says the cores were busy, near 1 that one core did the work.

    with profiling() as prof:
        build(...)
    print(prof.table())
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

__all__ = ["Profile", "Timing", "profiling", "timed"]


@dataclass
class Timing:
    """One finished span: its path of labels, wall-clock and CPU seconds."""

    path: tuple[str, ...]
    wall: float
    cpu: float
    #: How many spans of this path were added up into this one.
    count: int = 1

    @property
    def label(self) -> str:
        return self.path[-1]


@dataclass
class Profile:
    """The spans recorded while :func:`profiling` was active, in the order they began."""

    timings: list[Timing] = field(default_factory=list)
    wall: float = 0.0
    cpu: float = 0.0
    _index: dict[tuple[str, ...], int] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _open(self, path: tuple[str, ...]) -> int:
        with self._lock:
            if path not in self._index:  # the order spans first began in
                self._index[path] = len(self.timings)
                self.timings.append(Timing(path, 0.0, 0.0, 0))
            return self._index[path]

    def _close(self, index: int, wall: float, cpu: float) -> None:
        with self._lock:
            timing = self.timings[index]
            timing.wall += wall
            timing.cpu += cpu
            timing.count += 1

    def get(self, *path: str) -> Timing | None:
        """The span at ``path``, if one was recorded."""
        index = self._index.get(tuple(path))
        return self.timings[index] if index is not None else None

    def to_dict(self) -> dict[str, object]:
        return {
            "wall": round(self.wall, 3),
            "cpu": round(self.cpu, 3),
            "spans": [
                {
                    "path": list(t.path),
                    "wall": round(t.wall, 3),
                    "cpu": round(t.cpu, 3),
                    "count": t.count,
                }
                for t in self.timings
            ],  # fmt: skip
        }

    def tree(self) -> list[Timing]:
        """The spans parent first, each one's children after it in the order they began.

        Spans from another thread (work started alongside) begin while the
        main thread's spans are open; this keeps each under its own parent.
        """
        children: dict[tuple[str, ...], list[Timing]] = {}
        for t in self.timings:
            children.setdefault(t.path[:-1], []).append(t)
        ordered: list[Timing] = []

        def visit(parent: tuple[str, ...]) -> None:
            for t in children.get(parent, []):
                ordered.append(t)
                visit(t.path)

        visit(())
        return ordered

    def table(self) -> str:
        """The spans as an indented table: wall seconds, share of the whole, CPU/wall."""
        total = self.wall or sum(t.wall for t in self.timings if len(t.path) == 1) or 1.0
        rows = [("step", "wall s", "share", "cpu/wall")]
        for t in self.tree():
            label = "  " * (len(t.path) - 1) + t.label + (f" (x{t.count})" if t.count > 1 else "")
            ratio = f"{t.cpu / t.wall:.2f}" if t.wall > 0 else "-"
            rows.append((label, f"{t.wall:.2f}", f"{100 * t.wall / total:.0f} %", ratio))
        ratio = f"{self.cpu / self.wall:.2f}" if self.wall > 0 else "-"
        rows.append(("total", f"{self.wall:.2f}", "100 %", ratio))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        lines = []
        for r in rows:
            rest = [c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)]
            cells = [r[0].ljust(widths[0]), *rest]
            lines.append("  ".join(cells).rstrip())
        return "\n".join(lines)


# The active profile and the path of the span open in this context. A thread
# started with contextvars.copy_context() nests its spans under the span that
# started it, each thread with its own path.
_CURRENT: ContextVar[tuple[Profile, tuple[str, ...]] | None] = ContextVar(
    "toolkit_profile", default=None
)


@contextmanager
def profiling() -> Iterator[Profile]:
    """Record every :func:`timed` span inside the block into the :class:`Profile` yielded."""
    profile = Profile()
    token = _CURRENT.set((profile, ()))
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield profile
    finally:
        profile.wall = time.perf_counter() - wall
        profile.cpu = time.process_time() - cpu
        _CURRENT.reset(token)


@contextmanager
def timed(label: str) -> Iterator[None]:
    """Time the block as ``label``, inside whatever span is open; nothing when not profiling.

    Spans of the same path (the same label under the same parents) add up
    into one row, with their count.
    """
    current = _CURRENT.get()
    if current is None:
        yield
        return
    profile, parent = current
    path = (*parent, label)
    index = profile._open(path)
    token = _CURRENT.set((profile, path))
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        profile._close(index, time.perf_counter() - wall, time.process_time() - cpu)
        _CURRENT.reset(token)
