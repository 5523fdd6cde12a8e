"""What a bench's JSON records about the code it measured: the commit, and local edits."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def git_state() -> dict[str, Any]:
    """The checked-out commit, and whether ``toolkit/`` has uncommitted changes."""

    def run(*cmd: str) -> str:
        out = subprocess.run(["git", *cmd], cwd=ROOT, capture_output=True, text=True)
        return out.stdout.strip()

    return {
        "commit": run("rev-parse", "HEAD"),
        "dirty_toolkit": bool(run("status", "--porcelain", "toolkit")),
    }
