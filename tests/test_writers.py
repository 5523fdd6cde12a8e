"""Golden and property tests for the transcript writers.

To accept an intended change: ``UPDATE_GOLDEN=1 pytest tests/test_writers.py``
and review the diff of tests/data/golden/transcript.*.

Our VTT and SRT are read back with real parsers (webvtt-py, srt), and the HTML
transcript is held to the structure of the namespace's real example in
tests/data/transcripts/.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from html import unescape
from html.parser import HTMLParser

import pytest
import srt
import webvtt

from toolkit.render.captions import Cue, make_cues
from toolkit.render.transcripts import WRITERS, WriterOptions, _timestamp, clock, get_writer
from toolkit.transcribe.transcript import Segment, Transcript, Word

from .helpers import DATA

GOLDEN = DATA / "golden"
EXAMPLES = DATA / "transcripts"
VOICE = re.compile(r"^<v ([^>]+)>")
VTT_TIME = re.compile(r"^\d{2,}:\d{2}:\d{2}\.\d{3}$")
SRT_TIME = re.compile(r"^\d{2,}:\d{2}:\d{2},\d{3} --> \d{2,}:\d{2}:\d{2},\d{3}$")
LAYOUTS = [(12, 1), (20, 2), (32, 3), (42, 2), (65, 2)]


@pytest.fixture
def transcript() -> Transcript:
    return Transcript.load(GOLDEN / "transcript.full.json")


GOLDENS = {
    "transcript.vtt": ("vtt", WriterOptions()),
    "transcript.srt": ("srt", WriterOptions()),
    "transcript.json": ("json", WriterOptions()),
    "transcript.words.json": ("json", WriterOptions(words=True)),
    "transcript.txt": ("txt", WriterOptions()),
    "transcript.html": ("html", WriterOptions()),
}


def test_every_format_has_a_golden():
    assert {fmt for fmt, _ in GOLDENS.values()} == set(WRITERS)


@pytest.mark.parametrize("name", sorted(GOLDENS))
def test_writer_matches_golden(transcript, name):
    fmt, options = GOLDENS[name]
    rendered = get_writer(fmt, options).render(transcript)
    golden = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(rendered, encoding="utf-8")
    assert rendered == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_default_writer_is_the_default_options(transcript, fmt):
    assert get_writer(fmt).render(transcript) == get_writer(fmt, WriterOptions()).render(transcript)
    assert WRITERS[fmt]().render(transcript) == get_writer(fmt).render(transcript)


# --- Property checks shared by VTT and SRT ---------------------------------------------


def spoken(cue: Cue) -> str:
    """The words of a cue, without its speaker label."""
    joined = " ".join(cue.lines)
    return joined[len(cue.label) :].lstrip() if cue.label else joined


def segment_words(transcript: Transcript) -> list[list[str]]:
    return [s.text.split() for s in transcript.segments if s.text.strip()]


def check_layout(lines: list[str], label: str | None, width: int, max_lines: int) -> None:
    """Each line fits, or holds one word (after the label) that cannot fit anyway."""
    assert 1 <= len(lines) <= max_lines, lines
    for i, line in enumerate(lines):
        body = line[len(label) :].strip() if (i == 0 and label) else line
        assert line and body, lines
        assert len(line) <= width or len(body.split()) == 1, (width, line)


def check_cues_follow_segments(cue_words: list[list[str]], transcript: Transcript) -> None:
    """Every word comes out once, in order, and no cue crosses a segment (a speaker)."""
    queue = list(cue_words)
    for words in segment_words(transcript):
        got: list[str] = []
        while len(got) < len(words):
            got += queue.pop(0)
        assert got == words
    assert not queue


def check_times(times: list[tuple[float, float]]) -> None:
    for start, end in times:
        assert 0 <= start <= end
    for (_, end), (start, _) in zip(times, times[1:], strict=False):
        assert end <= start


@pytest.mark.parametrize(("width", "max_lines"), LAYOUTS)
def test_cues_respect_layout_words_and_order(transcript, width, max_lines):
    for label_turns in (False, True):
        cues = make_cues(transcript, width, max_lines, label_turns=label_turns)
        for cue in cues:
            check_layout(cue.lines, cue.label, width, max_lines)
        check_cues_follow_segments([spoken(c).split() for c in cues], transcript)
        check_times([(c.start, c.end) for c in cues])


@pytest.mark.parametrize(("width", "max_lines"), LAYOUTS)
def test_vtt_reads_back_with_webvtt_py(transcript, width, max_lines):
    options = WriterOptions(max_line_chars=width, max_lines=max_lines)
    text = get_writer("vtt", options).render(transcript)
    assert text.startswith("WEBVTT\n\n")
    vtt = webvtt.WebVTT.from_string(text, strict=True)
    cue_words, voices = [], []
    for caption in vtt.captions:
        assert VTT_TIME.match(caption.start) and VTT_TIME.match(caption.end)
        lines = caption.raw_text.split("\n")
        voice = VOICE.match(lines[0])
        assert voice, "every cue of a known speaker carries <v Name>"
        voices.append(caption.voice)
        # The voice tag is not displayed text, so it is outside the line budget.
        lines = [unescape(VOICE.sub("", line)) for line in lines]
        check_layout(lines, None, width, max_lines)
        cue_words.append(" ".join(lines).split())
    check_cues_follow_segments(cue_words, transcript)
    check_times([(c.start_in_seconds, c.end_in_seconds) for c in vtt.captions])
    assert voices[0] == "Host" and voices[-1] == "Guest"
    assert "Guest" in voices[voices.index("Host") :]


@pytest.mark.parametrize(("width", "max_lines"), LAYOUTS)
def test_srt_reads_back_with_srt(transcript, width, max_lines):
    options = WriterOptions(max_line_chars=width, max_lines=max_lines)
    text = get_writer("srt", options).render(transcript)
    for block in text.strip().split("\n\n"):
        assert SRT_TIME.match(block.split("\n")[1])
    subs = list(srt.parse(text))
    assert [s.index for s in subs] == list(range(1, len(subs) + 1))
    cue_words, labels = [], []
    for sub in subs:
        lines = sub.content.split("\n")
        label = re.match(r"^(Host|Guest):", lines[0])
        labels.append(label.group(1) if label else None)
        # The "Name:" label is displayed text, so it counts within the first line.
        check_layout(lines, label.group(0) if label else None, width, max_lines)
        words = " ".join(lines).split()
        cue_words.append(words[1:] if label else words)
    check_cues_follow_segments(cue_words, transcript)
    check_times([(s.start.total_seconds(), s.end.total_seconds()) for s in subs])
    # Like the real example, a label opens each speaker turn and only that.
    assert [x for x in labels if x] == ["Host", "Guest", "Host", "Guest"]
    assert srt.compose(subs, reindex=False) == text + "\n"  # compose ends on a blank line


def test_srt_label_counts_within_the_first_line(transcript):
    lines = get_writer("srt").render(transcript).split("\n")
    assert max(len(line) for line in lines) <= 42
    assert "Host: And so, my fellow Americans, ask not" in lines  # 41 with the label


def test_real_examples_pass_our_checks():
    """The checks above accept the real files, so they test shape, not our quirks."""
    vtt = webvtt.WebVTT.from_string((EXAMPLES / "example.vtt").read_text(), strict=True)
    assert {c.voice for c in vtt.captions} == {"Sarah", "Gillian"}
    check_times([(c.start_in_seconds, c.end_in_seconds) for c in vtt.captions])
    subs = list(srt.parse((EXAMPLES / "example.srt").read_text()))
    labels = []
    for sub in subs:
        lines = sub.content.split("\n")
        label = re.match(r"^[A-Z][a-z]+:", lines[0])
        labels.append(label.group(0) if label else None)
        check_layout(lines, label.group(0) if label else None, 42, 2)
    turns = [x for x in labels if x]
    assert all(a != b for a, b in zip(turns, turns[1:], strict=False))


def test_cues_never_overlap_when_segments_do(transcript):
    # Segment 3 starts at 12.4, before segment 2 ends at 12.5, as Whisper's can.
    cues = make_cues(transcript)
    guest_end = [c for c in cues if spoken(c).endswith("<great>.")][0].end
    assert guest_end == 12.4


def test_segment_without_word_timings_is_timed_in_proportion(transcript):
    cues = make_cues(transcript, 12, 1)
    untimed = [c for c in cues if 26.0 <= c.start < 27.5]
    assert " ".join(spoken(c) for c in untimed) == "Looking forward to it."
    assert untimed[0].start == 26.0 and untimed[-1].end == 27.5
    check_times([(c.start, c.end) for c in untimed])


def test_long_segment_cut_at_pause_or_punctuation(transcript):
    cues = [c for c in make_cues(transcript) if 12.4 <= c.start < 26]
    for cue in cues[:-1]:
        text = spoken(cue)
        assert text.endswith((",", ":", ".")) or text.endswith("pause"), text


def test_a_very_long_segment_is_split_quickly():
    words = [Word(i * 0.3, i * 0.3 + 0.25, f" word{i % 17}{',' if i % 9 == 8 else ''}")
             for i in range(6000)]  # fmt: skip
    text = "".join(w.word for w in words).strip()
    t = Transcript("en", 1800.0, [Segment(0, 0.0, 1800.0, text, words, speaker="Host")])
    cues = make_cues(t)
    check_cues_follow_segments([spoken(c).split() for c in cues], t)
    for cue in cues:
        check_layout(cue.lines, None, 42, 2)


def test_long_speaker_name_still_gives_one_line_cues():
    seg = Segment(0, 0.0, 1.0, "Hi there.", [Word(0.0, 0.5, " Hi"), Word(0.5, 1.0, " there.")],
                  speaker="Professor Bartholomew")  # fmt: skip
    cues = make_cues(Transcript("en", 1.0, [seg]), 12, 1, label_turns=True)
    assert [c.lines for c in cues] == [["Professor Bartholomew: Hi"], ["there."]]


# --- Podcasting 2.0 JSON ----------------------------------------------------------------


def test_podcasting20_json_segments(transcript):
    data = json.loads(get_writer("json").render(transcript))
    assert data["version"] == "1.0.0"
    speakers = [s["speaker"] for s in data["segments"]]
    assert speakers == ["Host", "Host", "Guest", "Host", "Guest", "Guest"]
    assert data["segments"][0]["startTime"] == 0.5
    assert data["segments"][2]["endTime"] == 12.5
    assert [s["body"] for s in data["segments"]] == [s.text for s in transcript.segments]


def test_podcasting20_json_words_like_the_spec_example(transcript):
    example = json.loads((EXAMPLES / "example.json").read_text())
    data = json.loads(get_writer("json", WriterOptions(words=True)).render(transcript))
    assert data["version"] == example["version"] == "1.0.0"
    assert {tuple(e) for e in data["segments"]} == {tuple(e) for e in example["segments"]}
    bodies = " ".join(e["body"] for e in data["segments"]).split()
    assert bodies == transcript.text.split()
    # One entry per timed word; the segment without word timings stays whole.
    assert len(data["segments"]) == len(transcript.words) + 1
    for e in data["segments"]:
        assert e["startTime"] <= e["endTime"]
    assert data["segments"][-1] == {
        "speaker": "Guest", "startTime": 31.9, "endTime": 32.6, "body": "goodbye."
    }  # fmt: skip


# --- HTML transcript ----------------------------------------------------------------------


class _Blocks(HTMLParser):
    """Top-level elements of an HTML transcript as (tag, text) pairs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str]] = []
        self.depth = 0
        self.stray = ""

    def handle_starttag(self, tag, attrs):
        if self.depth == 0:
            self.blocks.append((tag, ""))
        self.depth += 1

    def handle_endtag(self, tag):
        self.depth -= 1
        assert self.depth >= 0 and self.blocks[-1][0] == tag

    def handle_data(self, data):
        if self.depth:
            tag, text = self.blocks[-1]
            self.blocks[-1] = (tag, text + data)
        else:
            self.stray += data.strip()


def html_structure(text: str) -> list[tuple[str, str]]:
    """Check the namespace's HTML shape and return its blocks."""
    parser = _Blocks()
    parser.feed(text)
    parser.close()
    assert parser.depth == 0 and not parser.stray
    tags = "".join({"cite": "c", "time": "t", "p": "p"}[tag] for tag, _ in parser.blocks)
    assert re.fullmatch(r"(c?tp)+", tags), tags
    for tag, body in parser.blocks:
        if tag == "cite":
            assert body.endswith(":") and body[:-1].strip()
        if tag == "time":
            assert re.fullmatch(r"\d+:\d{2}(:\d{2})?", body)
    return parser.blocks


def test_html_has_the_structure_of_the_real_example(transcript):
    real = html_structure((EXAMPLES / "example.html").read_text())
    ours = html_structure(get_writer("html").render(transcript))
    assert [tag for tag, _ in ours][:3] == [tag for tag, _ in real][:3] == ["cite", "time", "p"]
    assert [b for t, b in ours if t == "cite"] == ["Host:", "Guest:", "Host:", "Guest:", "Guest:"]
    assert [b for t, b in ours if t == "time"] == ["0:00", "0:10", "0:12", "0:26", "0:31"]
    paragraphs = " ".join(b for t, b in ours if t == "p")
    assert paragraphs.split() == transcript.text.split()


def test_html_without_speakers_has_no_cite(transcript):
    html = get_writer("html", WriterOptions(speakers=False)).render(transcript)
    blocks = html_structure(html)
    assert "cite" not in {tag for tag, _ in blocks}


def test_clock_and_timestamps_past_an_hour():
    assert _timestamp(3725.5, ".") == "01:02:05.500"
    assert _timestamp(3725.5, ",") == "01:02:05,500"
    assert _timestamp(-0.2, ".") == "00:00:00.000"
    assert clock(102.739) == "1:42"
    assert clock(3725.9) == "1:02:05"


# --- Options --------------------------------------------------------------------------


def test_speakers_can_be_left_out(transcript):
    options = WriterOptions(speakers=False)
    for fmt in WRITERS:
        rendered = get_writer(fmt, options).render(transcript)
        assert "Host" not in rendered and "Guest" not in rendered, fmt


def test_paragraph_pause_is_an_option(transcript):
    text = get_writer("txt", WriterOptions(paragraph_pause=5.0)).render(transcript)
    assert text.count("\n\n") == 3  # the 3.5 s pause before "That's all" no longer splits


@pytest.mark.parametrize(
    "bad", [{"max_line_chars": 0}, {"max_lines": 0}, {"paragraph_pause": -1.0}]
)
def test_bad_options_are_refused(bad):
    with pytest.raises(ValueError, match=next(iter(bad))):
        WriterOptions(**bad)


def test_options_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        WriterOptions().max_lines = 3  # type: ignore[misc]


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_empty_transcript(fmt):
    rendered = get_writer(fmt).render(Transcript("en", 0.0, []))
    if fmt == "vtt":
        assert webvtt.WebVTT.from_string(rendered, strict=True).captions == []
    elif fmt == "json":
        assert json.loads(rendered) == {"version": "1.0.0", "segments": []}
    else:
        assert rendered == ""


def test_mime_types_and_extensions():
    assert {fmt: w.mime_type for fmt, w in WRITERS.items()} == {
        "vtt": "text/vtt",
        "srt": "application/x-subrip",
        "json": "application/json",
        "txt": "text/plain",
        "html": "text/html",
    }
    assert all(fmt == w.extension for fmt, w in WRITERS.items())


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="unknown transcript format 'docx'"):
        get_writer("docx")


def test_transcript_round_trip(transcript, tmp_path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps(transcript.to_dict()))
    assert Transcript.load(path) == transcript
