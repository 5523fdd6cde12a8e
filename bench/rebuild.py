"""Time a rebuild of the sample show with nothing changed, against a first build.

Both runs are the real CLI in a subprocess (`toolkit build . -o DIR -q`) with
a fresh transcript cache for the first build, so the ratio shows what the
cache and the lazy model import save. The first build is the peer measured in
the same run; this machine is shared, so compare ratios, not seconds.

    .venv/bin/python bench/rebuild.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLKIT = str(Path(sys.executable).parent / "toolkit")


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, TOOLKIT_CACHE_DIR=str(Path(tmp, "cache")))
        cmd = [TOOLKIT, "build", str(ROOT), "-o", str(Path(tmp, "site")), "-q"]
        first = timed(cmd, env)  # converts the model if needed, then transcribes
        again = [timed(cmd, env) for _ in range(args.runs)]
    best = min(again)
    print(f"first build (fresh cache): {first:6.2f} s")
    print(
        f"rebuild, nothing changed:  {best:6.2f} s best of {args.runs} "
        f"(all: {', '.join(f'{t:.2f}' for t in again)})"
    )
    print(f"ratio rebuild/first build: {best / first:.3f}")


if __name__ == "__main__":
    main()
