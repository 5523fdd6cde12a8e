"""Fuzz the article readers and the episode.toml loader: only typed errors may come out.

Four targets, each for ``--seconds`` (default 60):

- ``article-txt``, ``article-md``, ``article-html``: :func:`toolkit.article.read_article`
  on a file of that suffix, its bytes mutated from the real articles of
  tests/data/articles and the hostile payloads of tests/data/bad/xss
  (flipped, inserted, deleted and repeated runs, splices of two seeds,
  markup tokens, invalid UTF-8, deep nesting, long lines);
- ``episode-toml``: :func:`toolkit.config.load_episode` on an ``episode.toml``
  written into a temporary show: half the time a table of the episode's
  fields (and unknown ones) with values of any TOML type, half the time the
  text of such a table mutated like the articles.

An input may be read (an article then with no URL, or an http(s) one), or
refused with a :class:`toolkit.errors.ToolkitError`
(the CLI then prints one line naming the file and the field). Anything else
(another exception, or an input that takes over ``--slow`` seconds) is a
finding: it is printed with where it was raised, and the input is saved under
``--out`` to reproduce it. Exit status 1 when anything was found.

    .venv/bin/python bench/fuzz.py [--seconds 60] [--seed 1] [--only article-md]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import re
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit.errors import ToolkitError  # noqa: E402

ARTICLES = ROOT / "tests" / "data" / "articles"
PAYLOADS = ROOT / "tests" / "data" / "bad" / "xss" / "payloads.txt"
SAMPLE = ROOT / "episodes" / "001-japan-security-council"

TOKENS = [
    "<", ">", "&", "&amp;", "&#0;", "&#x110000;", '"', "'", "\\", "\x00", "\x0b", "\r", "\r\n",
    "\n\n", "\t", "\ufeff", "\u2028", "\ud7ff", "\U0001f399", "---\n", "...\n", "# ", "## ",
    "> ", "- ", "1. ", "```\n", "    ", "[", "](", ")", "![", "<!--", "-->", "<![CDATA[", "]]>",
    "<p>", "</p>", "<h2>", "<div>", "</div>", "<script>", "</script>", "<html>", "<body>",
    "<head><title>", "<meta charset=utf-16>", "<?xml version='1.0'?>", "<!DOCTYPE html>",
    "url: ", "title: ", "author: ", "date: ", "By ", "Photo: ", "Advertisement\n", "“", "”",
    "javascript:alert(1)", "https://example.org/", ":", "=", '"""', "'''", "[[", "]]", "{", "}",
]  # fmt: skip
FIELDS = ["title", "date", "description", "audio", "number", "season", "type", "article",
          "article_url", "guid", "explicit", "image", "hosts", "guests", "keywords",
          "chapters", "imported", "unknown"]  # fmt: skip


@dataclass
class Finding:
    kind: str  # the exception's type, or "slow"
    where: str
    message: str
    saved: Path


@dataclass
class Result:
    target: str
    tried: int = 0
    read: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    findings: dict[tuple[str, str], list[Finding]] = field(default_factory=dict)
    slowest: float = 0.0


class Slow(Exception):
    """An input ran past ``--slow`` seconds."""


class UnsafeURL(Exception):
    """An article read with a URL that is not an http(s) one."""


def _alarm(signum: int, frame: Any) -> None:
    raise Slow


# --- mutation -----------------------------------------------------------------------
def mutate(data: bytes, rng: random.Random, seeds: list[bytes]) -> bytes:
    """A few random edits of ``data``: the kinds a fuzzer's mutator makes."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.randrange(9)
        at = rng.randint(0, len(out))
        if op == 0 and out:  # flip a byte
            i = rng.randrange(len(out))
            out[i] = rng.randrange(256)
        elif op in (1, 2):  # insert a token
            out[at:at] = rng.choice(TOKENS).encode("utf-8", "surrogatepass")
        elif op == 3:  # delete a run
            del out[at : at + rng.randint(1, 200)]
        elif op == 4 and out:  # repeat a run
            end = min(len(out), at + rng.randint(1, 100))
            out[at:at] = out[at:end] * rng.randint(2, 50)
        elif op == 5:  # splice another seed in
            other = rng.choice(seeds)
            i = rng.randint(0, len(other))
            out[at:] = other[i : i + rng.randint(0, 4000)] + out[at:]
        elif op == 6:  # deep nesting
            token = rng.choice([b"<div>", b"> ", b"- ", b"[", b"<b><i>", b"    "])
            out[at:at] = token * rng.randint(100, 3000)
        elif op == 7:  # a long line, or random bytes
            out[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
        else:  # truncate
            del out[at:]
    return bytes(out[:200_000])


# --- episode.toml -------------------------------------------------------------------
def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return (
            "nan"
            if math.isnan(value)
            else ("inf" if value > 0 else "-inf")
            if math.isinf(value)
            else repr(value)
        )
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


def any_value(rng: random.Random, depth: int = 0) -> Any:
    """A value of any TOML type."""
    kind = rng.randrange(12 if depth < 3 else 9)
    if kind == 0:
        return rng.choice([True, False])
    if kind == 1:
        return rng.choice([0, -1, 1, 2**63 - 1, -(2**63), rng.randint(-1000, 10**6)])
    if kind == 2:
        return rng.choice([0.0, -0.5, 1e308, float("nan"), float("inf"), rng.uniform(-1e4, 1e6)])
    if kind in (3, 4, 5):
        return any_text(rng)
    if kind == 6:
        offset = dt.timezone(dt.timedelta(hours=rng.randint(-23, 23)))
        return dt.datetime(
            rng.randint(1, 9999),
            rng.randint(1, 12),
            rng.randint(1, 28),
            rng.randint(0, 23),
            tzinfo=rng.choice([None, dt.UTC, offset]),
        )
    if kind == 7:
        return dt.date(rng.randint(1, 9999), rng.randint(1, 12), rng.randint(1, 28))
    if kind == 8:
        return dt.time(rng.randint(0, 23), rng.randint(0, 59))
    if kind in (9, 10):
        return [any_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {rng.choice(["name", "role", "href", "img", "voice", "start", "title", "url", "x"]):
            any_value(rng, depth + 1) for _ in range(rng.randint(0, 4))}  # fmt: skip


def any_text(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(0, 6)):
        pick = rng.randrange(4)
        if pick == 0:
            parts.append(rng.choice(TOKENS))
        elif pick == 1:
            parts.append("".join(chr(rng.randint(0x20, 0x2FFF)) for _ in range(rng.randint(1, 12))))
        elif pick == 2:
            parts.append(rng.choice(["audio.mp3", "article.txt", "cover.jpg", "../show.toml",
                                     "/etc/passwd", "https://example.org/a", "2023-01-17",
                                     "00:01:02.5", "full", "trailer", "missing.mp3"]))  # fmt: skip
        else:
            parts.append("x" * rng.choice([1, 10, 5000]))
    return "".join(parts).replace("\ud800", "")


def good_episode(rng: random.Random) -> dict[str, Any]:
    return {
        "title": "An episode",
        "date": dt.datetime(2023, 1, 17, 9, tzinfo=dt.UTC),
        "description": "What it is about.",
        "audio": "audio.mp3",
        "article": "article.txt",
        "image": "cover.jpg",
        "hosts": [{"name": "Maya", "role": "host"}],
        "chapters": [{"start": 0, "title": "One"}, {"start": "00:01:00", "title": "Two"}],
    }


def episode_toml(rng: random.Random) -> bytes:
    data = good_episode(rng)
    for _ in range(rng.randint(1, 4)):
        data[rng.choice(FIELDS)] = any_value(rng)
    if rng.random() < 0.2:
        data.pop(rng.choice(list(data)), None)
    text = "".join(f"{json.dumps(k)} = {toml_value(v)}\n" for k, v in data.items())
    raw = text.encode("utf-8", "surrogatepass")
    return mutate(raw, rng, [raw]) if rng.random() < 0.5 else raw


# --- the targets --------------------------------------------------------------------
def article_target(suffix: str, work: Path) -> tuple[Callable[[bytes], object], list[bytes]]:
    from toolkit.article import read_article

    path = work / f"article{suffix}"
    seeds = [p.read_bytes() for p in sorted(ARTICLES.iterdir()) if p.is_file()]
    seeds.append(PAYLOADS.read_bytes())
    seeds.append((SAMPLE / "article.txt").read_bytes())

    def run(data: bytes) -> object:
        path.write_bytes(data)
        article = read_article(path)
        # What an article gives the pages must be safe to print: its URL a web URL.
        if article.url is not None and not re.fullmatch(r"https?://[^\s<>\"'`]+", article.url):
            raise UnsafeURL(article.url)
        return article

    return run, seeds


def episode_target(work: Path) -> tuple[Callable[[bytes], object], list[bytes]]:
    from toolkit.config import load_episode

    show = work / "show"
    folder = show / "episodes" / "001-fuzz"
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "show.toml", show / "show.toml")
    shutil.copy(ROOT / "cover.jpg", show / "cover.jpg")
    shutil.copy(ROOT / "cover.jpg", folder / "cover.jpg")
    (folder / "audio.mp3").write_bytes(b"\xff\xfb" + b"\0" * 1000)  # exists; never decoded
    shutil.copy(SAMPLE / "article.txt", folder / "article.txt")

    def run(data: bytes) -> object:
        (folder / "episode.toml").write_bytes(data)
        return load_episode(folder, show)

    return run, []


def where(error: BaseException) -> str:
    """The innermost frame of the toolkit's own code, else the innermost one."""
    frames = traceback.extract_tb(error.__traceback__)
    own = [f for f in frames if "/toolkit/" in f.filename]
    if not frames:
        return "?"
    f = (own or frames)[-1]
    name = f.filename
    if name.startswith(str(ROOT)):
        name = str(Path(name).relative_to(ROOT))
    return f"{name}:{f.lineno} ({f.name})"


def fuzz(name: str, seconds: float, seed: int, slow: float, out: Path, work: Path) -> Result:
    rng = random.Random(f"{seed}-{name}")
    if name == "episode-toml":
        run, seeds = episode_target(work)
    else:
        run, seeds = article_target("." + name.split("-")[1], work)
    result = Result(name)
    signal.signal(signal.SIGALRM, _alarm)
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        if name == "episode-toml":
            data = episode_toml(rng)
        else:
            data = mutate(rng.choice(seeds), rng, seeds)
        result.tried += 1
        began = time.monotonic()
        signal.setitimer(signal.ITIMER_REAL, slow)
        try:
            run(data)
            result.read += 1
        except ToolkitError as e:
            result.refused[type(e).__name__] += 1
        except Slow:
            record(result, "slow", f"over {slow:g} s", "", data, out)
        except (Exception, RecursionError) as e:  # noqa: BLE001 - every other kind is a finding
            record(result, type(e).__name__, where(e), " ".join(str(e).split())[:160], data, out)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        result.slowest = max(result.slowest, time.monotonic() - began)
    return result


def record(result: Result, kind: str, place: str, message: str, data: bytes, out: Path) -> None:
    found = result.findings.setdefault((kind, place), [])
    saved = out / f"{result.target}-{kind}-{len(result.findings)}-{len(found)}.bin"
    if len(found) < 3:  # a few inputs of each are enough to reproduce it
        out.mkdir(parents=True, exist_ok=True)
        saved.write_bytes(data)
    found.append(Finding(kind, place, message, saved))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="per target")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--slow", type=float, default=10.0, help="an input over this is a finding")
    parser.add_argument("--only", choices=["article-txt", "article-md", "article-html",
                                           "episode-toml"], action="append")  # fmt: skip
    parser.add_argument("--out", type=Path, default=None, help="where found inputs are saved")
    args = parser.parse_args()
    targets = args.only or ["article-txt", "article-md", "article-html", "episode-toml"]
    out = args.out or Path(tempfile.mkdtemp(prefix="toolkit-fuzz-"))
    found = False
    print(f"{'target':<14} {'tried':>7} {'read':>7} {'refused':>8} {'findings':>8} {'slowest':>8}")
    for name in targets:
        with tempfile.TemporaryDirectory() as work:
            r = fuzz(name, args.seconds, args.seed, args.slow, out, Path(work))
        refused = sum(r.refused.values())
        findings = sum(len(v) for v in r.findings.values())
        print(f"{name:<14} {r.tried:>7} {r.read:>7} {refused:>8} {findings:>8} {r.slowest:>7.2f}s")
        for kind, n in sorted(r.refused.items()):
            print(f"    refused with {kind}: {n}")
        for (kind, place), items in sorted(r.findings.items()):
            found = True
            print(f"    FOUND {kind} x{len(items)} at {place}: {items[0].message}")
            print(f"        input: {items[0].saved}")
    print(f"inputs of findings under {out}" if found else "nothing but typed errors")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
