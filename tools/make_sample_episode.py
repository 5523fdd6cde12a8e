"""Synthesize a scripted discussion episode and its exact ground truth.

Reads a conversation script (by default ``tools/sample_episode/script.json``,
a host and a guest discussing the PassBlue article in
``episodes/001-japan-security-council/article.txt``), speaks every line with
espeak-ng, each speaker in their own voice, joins the lines with pydub and
writes:

* the episode audio (by default ``episodes/001-japan-security-council/audio.mp3``):
  mono, 22.05 kHz, 64 kbit/s unless ``--bitrate`` says otherwise;
* the ground truth (by default ``tools/sample_episode/ground_truth.json``): for
  every line its speaker, start and end (seconds), text and the article
  paragraph it discusses, and for every word-for-word quote of the article its
  own start and end.

The script is JSON: ``speakers`` maps a role to its ``name``, espeak-ng
``voice`` and optional ``speed`` (words per minute, default 155) and ``pitch``
(0-99, espeak-ng's default when absent); ``lines`` is the conversation, each
line with its ``speaker`` role, ``text``, the first words of the article
``paragraph`` it discusses (or null) and the ``quotes`` it reads verbatim from
the article. An optional ``seed`` changes the pauses between turns. The
article may be any format ``toolkit.article`` reads (text, Markdown, HTML).

Times are exact, not estimated. Each line is cut into chunks (the text before a
quote, the quote, the text after it), each chunk is synthesized on its own and
trimmed to its first and last audible sample, and the chunks and the pauses
between them are counted in samples as they are joined. A quote's start and end
are therefore the first and last audible sample of its own chunk.

The output is deterministic: espeak-ng is run with fixed voices and speeds, the
pauses between turns come from a seeded generator, and ffmpeg is asked for
bit-exact output, so two runs give the same bytes.

Usage::

    .venv/bin/python tools/make_sample_episode.py [--script PATH] [--article PATH]
        [--out PATH] [--truth PATH] [--bitrate RATE]

With no options it rebuilds the sample show's episode. Needs ``espeak-ng`` and
``ffmpeg`` on the PATH.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pydub import AudioSegment

ROOT = Path(__file__).resolve().parent.parent
EPISODE_DIR = ROOT / "episodes" / "001-japan-security-council"
DEFAULT_SCRIPT = ROOT / "tools" / "sample_episode" / "script.json"
DEFAULT_ARTICLE = EPISODE_DIR / "article.txt"
DEFAULT_OUT = EPISODE_DIR / "audio.mp3"
DEFAULT_TRUTH = ROOT / "tools" / "sample_episode" / "ground_truth.json"

FRAME_RATE = 22050  # espeak-ng's native rate; kept for the MP3 too
BITRATE = "64k"
MAX_MP3_BYTES = 3 * 1024 * 1024
MIN_SECONDS, MAX_SECONDS = 120.0, 240.0

LEAD_IN = 0.5  # silence before the first line, seconds
TAIL = 1.0  # silence after the last line
TURN_PAUSE = (0.4, 0.8)  # pause between two lines, drawn per gap
CLAUSE_PAUSE = 0.15  # between chunks of one line split after , ; :
SENTENCE_PAUSE = 0.25  # between chunks of one line split after . ? !
PAUSE_SEED = 20230102
# A sample quieter than this (-60 dBFS) counts as silence when trimming chunks.
SILENCE_AMPLITUDE = 33

QUOTE_MARKS = "\"'“”‘’"


class ScriptError(ValueError):
    """The script JSON is malformed or does not match the article."""


@dataclass
class Chunk:
    """One piece of a line that espeak-ng speaks on its own."""

    speak: str  # text passed to espeak-ng
    quote: int | None  # index into the line's quotes, or None


def split_line(text: str, quotes: list[str]) -> list[Chunk]:
    """Cut ``text`` into the text around each quote and the quotes themselves.

    The quotation marks around a quote are dropped (espeak-ng does not speak
    them); punctuation right after a quote goes with the quote so that it is
    spoken with a falling or continuing tone.
    """
    chunks: list[Chunk] = []
    pos = 0
    for qi, quote in enumerate(quotes):
        at = text.find(quote, pos)
        if at < 0:
            raise ScriptError(f"quote not found, in order, in its line: {quote!r}")
        before = text[pos:at].strip().rstrip(QUOTE_MARKS).strip()
        if before:
            chunks.append(Chunk(before, None))
        end = at + len(quote)
        trail = re.match(r"[.,;:?!]*", text[end:]).group(0)
        chunks.append(Chunk(quote + trail, qi))
        pos = end + len(trail)
    after = text[pos:].strip().lstrip(QUOTE_MARKS).strip()
    if after.strip(QUOTE_MARKS + ".,;:?! "):
        chunks.append(Chunk(after, None))
    return chunks


def article_paragraphs(article_path: Path) -> tuple[str, list[str]]:
    """The article's text and paragraphs, as saved and as the toolkit reads them.

    A script names a paragraph by its first words and quotes it verbatim; both
    are checked against the raw lines of the file and, for formats with markup
    (Markdown, HTML), against the clean paragraphs that ``toolkit.article``
    reads from it.
    """
    raw = article_path.read_text(encoding="utf-8")
    paragraphs = [p.strip() for p in raw.splitlines() if p.strip()]
    texts = [raw]
    try:
        from toolkit.article import read_article

        clean = [p.text for p in read_article(article_path).paragraphs]
    except ImportError:  # run outside the project's environment: raw lines only
        clean = []
    paragraphs += clean
    texts += clean
    return "\n".join(texts), paragraphs


def load_script(script_path: Path, article_path: Path) -> dict:
    """Load the script and check it against the article."""
    script = json.loads(script_path.read_text(encoding="utf-8"))
    article, paragraphs = article_paragraphs(article_path)
    speakers = script.get("speakers", {})
    if not speakers:
        raise ScriptError("the script has no speakers")
    for role, who in speakers.items():
        if not {"name", "voice"} <= set(who):
            raise ScriptError(f"speakers.{role} needs a name and a voice")
    for i, line in enumerate(script["lines"]):
        if line["speaker"] not in speakers:
            raise ScriptError(f"line {i}: unknown speaker {line['speaker']!r}")
        para = line.get("paragraph")
        if para is not None and not any(p.startswith(para) for p in paragraphs):
            raise ScriptError(f"line {i}: no article paragraph starts with {para!r}")
        for quote in line.get("quotes", []):
            if quote not in article:
                raise ScriptError(f"line {i}: quote is not verbatim in the article: {quote!r}")
            if quote not in line["text"]:
                raise ScriptError(f"line {i}: quote is not spoken in the line: {quote!r}")
    return script


def synthesize(
    text: str, voice: str, speed: int, wav: Path, pitch: int | None = None
) -> AudioSegment:
    """Speak ``text`` with espeak-ng into ``wav`` and return it trimmed of silence."""
    cmd = ["espeak-ng", "-b", "1", "-v", voice, "-s", str(speed)]
    if pitch is not None:
        cmd += ["-p", str(pitch)]
    cmd += ["-w", str(wav), "--stdin"]
    try:
        subprocess.run(cmd, input=text.encode("utf-8"), check=True, capture_output=True)
    except subprocess.CalledProcessError as e:
        err = e.stderr.decode(errors="replace").strip()
        raise RuntimeError(f"espeak-ng failed on {text!r}: {err}") from e
    seg = AudioSegment.from_wav(wav).set_channels(1).set_sample_width(2)
    seg = seg.set_frame_rate(FRAME_RATE)
    samples = seg.get_array_of_samples()
    loud = [i for i, s in enumerate(samples) if abs(s) > SILENCE_AMPLITUDE]
    if not loud:
        raise RuntimeError(f"espeak-ng produced only silence for {text!r}")
    first, last = loud[0], loud[-1] + 1
    return seg._spawn(samples[first:last].tobytes())


def silence(duration: float) -> AudioSegment:
    """Exactly ``round(duration * FRAME_RATE)`` samples of digital silence."""
    n = round(duration * FRAME_RATE)
    return AudioSegment(data=b"\0\0" * n, sample_width=2, frame_rate=FRAME_RATE, channels=1)


def display_path(path: Path) -> str:
    """``path`` relative to the project root when it lies inside it."""
    path = path.resolve()
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def seconds(samples: int) -> float:
    """A sample position as seconds, rounded to the millisecond."""
    return round(samples / FRAME_RATE, 3)


def build(script: dict, workdir: Path) -> tuple[AudioSegment, dict]:
    """Synthesize every line; return the episode audio and its ground truth."""
    speakers = script["speakers"]
    rng = random.Random(script.get("seed", PAUSE_SEED))
    pieces: list[AudioSegment] = []
    pos = 0  # samples so far

    def add(seg: AudioSegment) -> None:
        nonlocal pos
        pieces.append(seg)
        pos += len(seg.raw_data) // 2

    add(silence(LEAD_IN))
    truth_lines = []
    n_chunk = 0
    for index, line in enumerate(script["lines"]):
        if index:
            add(silence(round(rng.uniform(*TURN_PAUSE), 2)))
        who = speakers[line["speaker"]]
        quotes = line.get("quotes", [])
        quote_times: list[dict] = [{} for _ in quotes]
        start = pos
        prev_text = ""
        for chunk in split_line(line["text"], quotes):
            if prev_text:
                # A short pause where the line was cut: longer after a sentence.
                pause = SENTENCE_PAUSE if prev_text[-1] in ".?!" else CLAUSE_PAUSE
                add(silence(pause))
            wav = workdir / f"chunk{n_chunk:04d}.wav"
            n_chunk += 1
            pitch = who.get("pitch")
            seg = synthesize(
                chunk.speak,
                who["voice"],
                int(who.get("speed", 155)),
                wav,
                None if pitch is None else int(pitch),
            )
            chunk_start = pos
            add(seg)
            if chunk.quote is not None:
                quote_times[chunk.quote] = {
                    "text": quotes[chunk.quote],
                    "start": seconds(chunk_start),
                    "end": seconds(pos),
                }
            prev_text = chunk.speak
        truth_lines.append(
            {
                "index": index,
                "role": line["speaker"],
                "speaker": who["name"],
                "start": seconds(start),
                "end": seconds(pos),
                "text": line["text"],
                "paragraph": line.get("paragraph"),
                "quotes": quote_times,
            }
        )
    add(silence(TAIL))
    audio = sum(pieces[1:], pieces[0])
    truth = {
        "title": script.get("title", ""),
        "audio": "",  # filled in by main() once the output path is known
        "article": "",
        "sample_rate": FRAME_RATE,
        "duration": seconds(pos),
        "speakers": {role: _voice(s) for role, s in speakers.items()},
        "lines": truth_lines,
    }
    return audio, truth


def _voice(speaker: dict) -> dict:
    """A speaker's voice settings as recorded in the ground truth."""
    out = {
        "name": speaker["name"],
        "voice": speaker["voice"],
        "speed": int(speaker.get("speed", 155)),
    }
    if speaker.get("pitch") is not None:
        out["pitch"] = int(speaker["pitch"])
    return out


def export_mp3(audio: AudioSegment, out: Path, bitrate: str = BITRATE) -> None:
    """Encode ``audio`` as a mono 22.05 kHz MP3 at ``out``, atomically."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    try:
        audio.export(
            tmp,
            format="mp3",
            bitrate=bitrate,
            # Bit-exact output and no metadata make the file byte-reproducible.
            parameters=f"-ac 1 -ar {FRAME_RATE} -map_metadata -1 "
            "-fflags +bitexact -flags:a +bitexact".split(),
        )
        size = os.path.getsize(tmp)
        if size > MAX_MP3_BYTES:
            raise RuntimeError(f"MP3 is {size} bytes, over the {MAX_MP3_BYTES} byte limit")
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_json(data: dict, dest: Path) -> None:
    """Write ``data`` as pretty UTF-8 JSON at ``dest``, atomically."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=2)
            f.write("\n")
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--script", type=Path, default=DEFAULT_SCRIPT, help="conversation JSON")
    parser.add_argument("--article", type=Path, default=DEFAULT_ARTICLE, help="article text")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="MP3 to write")
    parser.add_argument("--truth", type=Path, default=DEFAULT_TRUTH, help="ground truth JSON")
    parser.add_argument(
        "--bitrate", default=BITRATE, help=f"MP3 bit rate, as ffmpeg takes it (default {BITRATE})"
    )
    args = parser.parse_args(argv)

    for tool in ("espeak-ng", "ffmpeg"):
        if shutil.which(tool) is None:
            print(f"error: {tool} is not installed", file=sys.stderr)
            return 1
    try:
        script = load_script(args.script, args.article)
    except (OSError, ValueError, KeyError) as e:
        print(f"error: {args.script}: {e}", file=sys.stderr)
        return 1

    with tempfile.TemporaryDirectory(prefix="sample-episode-") as work:
        audio, truth = build(script, Path(work))
    truth["audio"] = display_path(args.out)
    truth["article"] = display_path(args.article)
    if not MIN_SECONDS <= truth["duration"] <= MAX_SECONDS:
        print(
            f"warning: episode is {truth['duration']:.1f} s, outside "
            f"{MIN_SECONDS:.0f}-{MAX_SECONDS:.0f} s",
            file=sys.stderr,
        )
    export_mp3(audio, args.out, args.bitrate)
    write_json(truth, args.truth)
    n_quotes = sum(len(line["quotes"]) for line in truth["lines"])
    print(
        f"wrote {args.out} ({truth['duration']:.3f} s, {args.out.stat().st_size} bytes) "
        f"and {args.truth} ({len(truth['lines'])} lines, {n_quotes} quotes)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
