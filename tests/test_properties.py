"""Properties of the writers, on input hypothesis makes: any times, any text, any title.

- VTT and SRT timestamps: any time in seconds is written in the format's own
  shape and reads back to the millisecond it rounds to;
- the VTT and SRT writers: any transcript (words of any text, speakers of any
  name, newlines and ``-->`` included) reads back with webvtt-py and srt, with
  its words and times, cues in order;
- the chapters JSON: any chapter list reads back with its titles and times;
- the feed: any Unicode title and description gives a well-formed feed
  (lxml, strict) that podcastparser and feedparser read, with the text back
  less what XML 1.0 forbids;
- the sanitiser: HTML put together from hostile pieces keeps no script, no
  event handler and no ``javascript:`` link, and :func:`safe_url` keeps only
  what a browser reads as a web, mail or podcast URL;
- the notes: any text made literal for Markdown reads back as the same text.

Tags round-trip with arbitrary text belongs to toolkit/tag's tests.
"""

from __future__ import annotations

import html
import io
import json
import re

import feedparser
import podcastparser
import srt
import webvtt
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree
from markdown_it import MarkdownIt

from toolkit.chapters.model import Chapter, to_podcast_json
from toolkit.config import Episode, Show
from toolkit.render import get_writer, render_feed
from toolkit.render.captions import make_cues
from toolkit.render.environment import markdown_html, md_text
from toolkit.render.sanitize import safe_url, sanitize_html
from toolkit.render.transcripts import _timestamp
from toolkit.transcribe.transcript import Segment, Transcript, Word

from .feedkit import RICH_SHOW, rich_jobs

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Any code point but surrogates (TOML and UTF-8 cannot carry them).
ANY_CHAR = st.characters(exclude_categories=["Cs"])
SPECIALS = ["&", "<", ">", '"', "'", "-->", "\n", "\r\n", "\t", "  ", "&amp;", "<v x>", "]]>",
            "\x00", "\x0b", "\ufffe", "\u2028", "\U0001f399", "1", "00:00:01,000"]  # fmt: skip
TEXT = st.lists(
    st.one_of(st.text(ANY_CHAR, max_size=10), st.sampled_from(SPECIALS)), max_size=6
).map("".join)


def xml_text(text: str) -> str:
    """What an XML parser gives back for ``text``: only XML 1.0 Chars, line ends as ``\\n``."""

    def char(c: str) -> bool:
        n = ord(c)
        return c in "\t\n\r" or 0x20 <= n <= 0xD7FF or 0xE000 <= n <= 0xFFFD or n >= 0x10000

    return re.sub("\r\n?", "\n", "".join(c for c in text if char(c)))


# --- timestamps ---------------------------------------------------------------------
VTT_TIME = re.compile(r"(\d{2,}):([0-5]\d):([0-5]\d)\.(\d{3})")
SRT_TIME = re.compile(r"(\d{2,}):([0-5]\d):([0-5]\d),(\d{3})")
SECONDS = st.floats(min_value=-10, max_value=400_000, allow_nan=False, allow_infinity=False)


@FAST
@given(seconds=SECONDS)
def test_a_timestamp_reads_back_to_its_millisecond(seconds):
    millis = max(0, round(seconds * 1000))
    for sep, shape in ((".", VTT_TIME), (",", SRT_TIME)):
        m = shape.fullmatch(_timestamp(seconds, sep))
        assert m, _timestamp(seconds, sep)
        h, mi, s, ms = map(int, m.groups())
        assert ((h * 60 + mi) * 60 + s) * 1000 + ms == millis


# --- the caption writers ------------------------------------------------------------
WORD_TEXT = TEXT.filter(lambda t: t.strip())


@st.composite
def transcripts(draw) -> Transcript:
    """Segments in time order, each with timed words of any text and maybe a speaker."""
    speakers = draw(st.lists(WORD_TEXT, min_size=1, max_size=3))
    segments, at = [], 0.0
    for i in range(draw(st.integers(1, 5))):
        words = []
        start = at
        for text in draw(st.lists(WORD_TEXT, min_size=1, max_size=8)):
            length = draw(st.floats(0.0, 3.0))
            words.append(Word(at, at + length, " " + text))
            at += length + draw(st.floats(0.0, 1.0))
        speaker = draw(st.one_of(st.none(), st.sampled_from(speakers)))
        text = "".join(w.word for w in words)
        segments.append(Segment(i, start, at, text, words, speaker=speaker))
    return Transcript(language="en", duration=at, segments=segments)


def spoken_words(transcript: Transcript) -> list[str]:
    """The transcript's words as a caption shows them: split at any whitespace."""
    return [token for seg in transcript.segments for w in seg.words for token in w.word.split()]


@FAST
@given(transcript=transcripts(), width=st.integers(1, 60), lines=st.integers(1, 3))
def test_any_transcript_makes_a_vtt_that_reads_back(transcript, width, lines):
    from toolkit.render import WriterOptions

    text = get_writer("vtt", WriterOptions(max_line_chars=width, max_lines=lines)).render(
        transcript
    )
    vtt = webvtt.WebVTT.from_string(text, strict=True)
    words, previous = [], 0.0
    for caption in vtt.captions:
        assert VTT_TIME.fullmatch(caption.start) and VTT_TIME.fullmatch(caption.end)
        assert previous <= caption.start_in_seconds <= caption.end_in_seconds
        previous = caption.start_in_seconds
        body = re.sub(r"^<v [^>]*>", "", caption.raw_text)
        assert "<" not in body and "-->" not in body
        words += html.unescape(body).split()
    assert words == spoken_words(transcript)
    assert vtt.captions[-1].end_in_seconds <= round(transcript.duration, 3) + 0.001


@FAST
@given(transcript=transcripts(), width=st.integers(1, 60), lines=st.integers(1, 3))
def test_any_transcript_makes_an_srt_that_reads_back(transcript, width, lines):
    from toolkit.render import WriterOptions

    text = get_writer("srt", WriterOptions(max_line_chars=width, max_lines=lines)).render(
        transcript
    )
    subs = list(srt.parse(text))
    assert [s.index for s in subs] == list(range(1, len(subs) + 1))
    cues = make_cues(transcript, width, lines, label_turns=True)
    assert len(subs) == len(cues)
    words, previous = [], 0.0
    for sub, cue in zip(subs, cues, strict=True):
        assert previous <= sub.start.total_seconds() <= sub.end.total_seconds()
        previous = sub.start.total_seconds()
        assert sub.start.total_seconds() == cue.start and sub.end.total_seconds() == cue.end
        tokens = sub.content.split()
        label = cue.label.split() if cue.label else []  # a speaker's "Name:" opens a turn
        assert tokens[: len(label)] == label
        words += tokens[len(label) :]
    assert words == spoken_words(transcript)


# --- chapters -----------------------------------------------------------------------
@st.composite
def chapter_lists(draw) -> list[Chapter]:
    starts = sorted(draw(st.lists(st.floats(0, 50_000, allow_nan=False), max_size=8)))
    out = []
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else draw(st.one_of(st.none(), st.just(start)))
        url = draw(st.one_of(st.none(), st.just("https://example.org/?a=1&b=<2>")))
        out.append(Chapter(start, draw(TEXT.filter(str.strip)), end, url=url))
    return out


@FAST
@given(chapters=chapter_lists())
def test_any_chapters_read_back_from_the_json(chapters):
    data = json.loads(to_podcast_json(chapters))
    assert data["version"] == "1.2.0"
    assert [c["title"] for c in data["chapters"]] == [c.title for c in chapters]
    assert [c["startTime"] for c in data["chapters"]] == [round(c.start, 3) for c in chapters]
    for item, chapter in zip(data["chapters"], chapters, strict=True):
        assert item.get("endTime") == (None if chapter.end is None else round(chapter.end, 3))
        assert item.get("url") == chapter.url


# --- the feed -----------------------------------------------------------------------
def feed_for(title: str, description: str) -> str:
    show = Show.model_validate({**RICH_SHOW, "title": title, "description": description})
    job = rich_jobs(show)[0]
    old = job.episode
    job.episode = Episode.model_validate(
        {**old.model_dump(), "title": title, "description": description}
    )
    job.episode.slug, job.episode.folder = old.slug, old.folder
    return render_feed(show, [job])


@FAST
@given(title=TEXT.filter(str.strip), description=TEXT.filter(str.strip))
def test_any_title_and_description_give_a_well_formed_feed_that_reads_back(title, description):
    xml = feed_for(title, description)
    # Well formed for a strict parser (no recovery).
    root = etree.fromstring(xml.encode("utf-8"), etree.XMLParser(recover=False))
    assert root.tag == "rss"
    show = Show.model_validate({**RICH_SHOW, "title": title, "description": description})
    assert root.findtext("channel/title") == xml_text(show.title)
    assert root.findtext("channel/item/title") == xml_text(show.title)
    assert root.findtext("channel/item/description") == xml_text(show.description)
    # podcastparser reads it too (it squashes runs of whitespace in a title).
    parsed = podcastparser.parse("https://pod.example.org/show/feed.xml", io.BytesIO(xml.encode()))
    (entry,) = parsed["episodes"]
    assert parsed["title"] == entry["title"] == " ".join(xml_text(show.title).split())
    assert not feedparser.parse(xml).bozo


# --- the sanitiser ------------------------------------------------------------------
HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>",
           '<a href="javascript:alert(1)">x</a>', '<a href="java\tscript:alert(1)">x</a>',
           '<a href="&#106;avascript:alert(1)">x</a>', "<iframe srcdoc='<script>'>", '"', "'",
           "<", ">", "&", "<!--", "-->", "<style>", "</p>", "<a href=", "[x](javascript:alert(1))",
           "<b onclick=alert(1)>", "<math>", "<![CDATA[", "\n\n", "*", "`"]  # fmt: skip
HTMLISH = st.lists(
    st.one_of(st.sampled_from(HOSTILE), st.text(ANY_CHAR, max_size=5)), max_size=12
).map("".join)


def problems(fragment: str) -> list[str]:
    from html.parser import HTMLParser

    found: list[str] = []

    class Check(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag in ("script", "iframe", "svg", "math", "img", "style", "object", "embed"):
                found.append(tag)
            for name, value in attrs:
                if name.startswith("on") or name in ("srcdoc", "style"):
                    found.append(name)
                if name in ("href", "src") and not re.match(
                    r"(https?:|mailto:|[^:]*$)", re.sub(r"[\x00-\x20]", "", value or "").lower()
                ):
                    found.append(f"{name}={value}")

    check = Check()
    check.feed(fragment)
    check.close()
    return found


@FAST
@given(fragment=HTMLISH)
# Found by this test: an unquoted href that reads as relative to a browser,
# with "javascript:" inside it.
@example(fragment="<a href=[x](javascript:alert(1))<script>alert(1)</script>")
def test_sanitised_html_keeps_nothing_that_runs(fragment):
    assert problems(sanitize_html(fragment)) == []
    assert problems(str(markdown_html(fragment))) == []
    # Sanitising what is already clean changes nothing.
    clean = sanitize_html(fragment)
    assert sanitize_html(clean) == clean


IGNORED = st.text(st.sampled_from(["\t", "\n", "\r", " ", "\x00", "\x01", "\x1f"]), max_size=3)


@FAST
@given(
    before=IGNORED,
    scheme=st.sampled_from(["javascript", "vbscript", "data", "livescript", "file"]),
    inside=IGNORED,
    case=st.lists(st.booleans(), min_size=12, max_size=12),
    rest=st.text(ANY_CHAR, max_size=20),
)
def test_safe_url_empties_every_spelling_of_a_bad_scheme(before, scheme, inside, case, rest):
    cased = "".join(c.upper() if up else c for c, up in zip(scheme, case, strict=False))
    spelled = cased[:2] + inside + cased[2:]
    assert safe_url(f"{before}{spelled}:{rest}") == ""
    assert safe_url(f"{before}{spelled}&#58;{rest}") == ""  # behind an entity


@FAST
@given(url=st.text(ANY_CHAR, max_size=30))
def test_safe_url_keeps_a_url_or_empties_it(url):
    kept = safe_url(url)
    assert kept in ("", url)
    for form in (url, html.unescape(url)):
        m = re.match(r"([a-z][a-z0-9+.\-]*):", re.sub(r"[\x00-\x20]", "", form).lower())
        if m and m.group(1) not in ("http", "https", "mailto", "podcast"):
            assert kept == ""
    assert safe_url("https://example.org/" + url) == "https://example.org/" + url


# --- the notes ----------------------------------------------------------------------
_md = MarkdownIt("commonmark")
# Text as a producer writes it on one line: no leading or trailing spaces (the
# notes' lines are stripped), no line breaks.
LINE = st.text(st.characters(exclude_categories=["Cs", "Cc", "Zl", "Zp"]), max_size=40).map(
    lambda t: " ".join(t.split())
)


@FAST
@given(text=LINE)
def test_markdown_made_literal_reads_back_as_the_text(text):
    rendered = _md.render(md_text(text))
    inner = re.sub(r"^<p>|</p>\n$", "", rendered)
    assert "<" not in re.sub(r"&lt;", "", inner.replace("<br />", "")), rendered
    assert html.unescape(inner) == text
