"""Chapters from an alignment, or from the transcript alone.

The steps, each over whole transcript segments so that every chapter starts on
a segment boundary:

1. **Runs.** Each segment takes the article paragraph the aligner gave it.
   Consecutive segments of one paragraph form a run; consecutive paragraphs
   under one subhead form one run too, since the subhead names them all.
2. **Gaps.** Segments no paragraph covers. A gap shorter than ``min_length``
   is host talk around a paragraph: its lines up to the last question stay
   with the run before it, and the question and what follows lead into the
   next run ("So what is Japan putting on the table?"). A short opening or
   closing joins the first or last run. A longer gap (an introduction, a
   tangent, an outro) is a stretch of its own, split by topic (:mod:`.topics`).
3. **Minimum length.** The shortest piece under ``min_length`` merges into the
   neighbour it shares most words with, until none is left.
4. **Titles.** A subhead where there is one; otherwise a key phrase of the
   article's paragraphs, weighed with what the hosts said (:mod:`.phrases`).
   A stretch the article does not cover is titled from its own key phrases,
   except an opening one ("Introduction", up to two minutes or when it is
   only small talk) and a closing one that is only small talk ("Wrap-up").
   A paragraph or section the hosts come back to later keeps its title, marked
   "(revisited)".

The first chapter starts at 0 and each chapter ends where the next starts; the
last ends at the episode's duration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING

from toolkit.chapters.model import Chapter
from toolkit.chapters.phrases import PhrasePicker, is_chit_chat
from toolkit.chapters.topics import DEFAULT_WINDOW, cosine, fit_vectorizer, topic_boundaries
from toolkit.transcribe.transcript import Segment, Transcript

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from toolkit.align import Alignment
    from toolkit.article import Article, Paragraph

#: Chapters shorter than this (seconds) merge into a neighbour.
MIN_CHAPTER_SECONDS = 20.0
INTRODUCTION = "Introduction"
#: An opening stretch the article does not cover is called an introduction up
#: to this length (seconds); a longer one is titled from its key phrases.
INTRODUCTION_MAX_SECONDS = 120.0
WRAP_UP = "Wrap-up"
#: The title of an uncovered stretch whose words yield no key phrase.
DISCUSSION = "Discussion"


@dataclass
class _Piece:
    """A run of segments ``first``..``last`` (inclusive) on the way to a chapter."""

    first: int
    last: int
    paragraphs: list[int] = field(default_factory=list)
    heading: str | None = None

    @property
    def covered(self) -> bool:
        return bool(self.paragraphs)


class _Timeline:
    """The transcript's segments, with the times chapters are measured by."""

    def __init__(self, segments: list[Segment], duration: float):
        self.segments = segments
        self.duration = duration

    def start(self, piece: _Piece) -> float:
        return 0.0 if piece.first == 0 else self.segments[piece.first].start

    def end(self, piece: _Piece) -> float:
        nxt = piece.last + 1
        return self.segments[nxt].start if nxt < len(self.segments) else self.duration

    def length(self, piece: _Piece) -> float:
        return self.end(piece) - self.start(piece)

    def text(self, piece: _Piece) -> str:
        return " ".join(s.text.strip() for s in self.segments[piece.first : piece.last + 1])


def chapters_from_alignment(
    alignment: Alignment | None,
    article: Article | None,
    transcript: Transcript,
    duration: float | None = None,
    min_length: float = MIN_CHAPTER_SECONDS,
    window: float = DEFAULT_WINDOW,
) -> list[Chapter]:
    """Chapters for an episode, from its alignment to the article where there is one.

    ``duration`` defaults to the transcript's; ``min_length`` is the shortest
    chapter in seconds; ``window`` the seconds compared either side of a
    possible topic change in a stretch the article does not cover. Without an
    alignment the whole transcript is split by topic.
    """
    duration = float(transcript.duration if duration is None else duration)
    segments = sorted((s for s in transcript.segments if s.start < duration), key=lambda s: s.start)
    if not segments:
        return [Chapter(start=0.0, title=INTRODUCTION, end=round(duration, 3))] if duration else []
    timeline = _Timeline(segments, duration)
    paragraphs = {p.index: p for p in article.paragraphs} if article else {}
    labels = _labels(segments, alignment, paragraphs)
    vectorizer = fit_vectorizer([s.text for s in segments])

    pieces: list[_Piece] = []
    for run in _absorb_short_gaps(_runs(labels, paragraphs), timeline, min_length):
        if run.covered:
            pieces.append(run)
            continue
        stretch = segments[run.first : run.last + 1]
        cuts = topic_boundaries(stretch, timeline.end(run), vectorizer, min_length, window)
        bounds = [0, *cuts, len(stretch)]
        pieces += [_Piece(run.first + a, run.first + b - 1) for a, b in pairwise(bounds)]

    pieces = _merge_short(pieces, timeline, min_length, vectorizer)
    background = [p.text for p in article.paragraphs] if article else []
    background += [timeline.text(p) for p in pieces]
    titles = _titles(pieces, timeline, paragraphs, PhrasePicker(background))

    chapters: list[Chapter] = []
    for piece, title in zip(pieces, titles, strict=True):
        if chapters and chapters[-1].title == title:
            chapters[-1].end = round(timeline.end(piece), 3)
            continue
        chapters.append(
            Chapter(
                start=round(timeline.start(piece), 3),
                title=title,
                end=round(timeline.end(piece), 3),
            )
        )
    return chapters


def _labels(
    segments: list[Segment], alignment: Alignment | None, paragraphs: dict[int, Paragraph]
) -> list[int | None]:
    """The article paragraph each segment discusses, or None."""
    if alignment is None:
        return [None] * len(segments)
    return [
        p if (p := alignment.segment_paragraph.get(s.id)) in paragraphs else None for s in segments
    ]


def _runs(labels: list[int | None], paragraphs: dict[int, Paragraph]) -> list[_Piece]:
    """Consecutive segments with the same paragraph, or the same subhead, as pieces."""

    def key(label: int | None) -> object:
        if label is None:
            return None
        heading = paragraphs[label].heading
        return ("heading", heading) if heading else ("paragraph", label)

    runs: list[_Piece] = []
    for i, label in enumerate(labels):
        if runs and key(label) == key(labels[runs[-1].last]):
            runs[-1].last = i
            if label is not None and label not in runs[-1].paragraphs:
                runs[-1].paragraphs.append(label)
            continue
        heading = paragraphs[label].heading if label is not None else None
        runs.append(_Piece(i, i, [label] if label is not None else [], heading))
    return runs


def _absorb_short_gaps(runs: list[_Piece], timeline: _Timeline, min_length: float) -> list[_Piece]:
    """Hand each short uncovered gap to the runs either side of it (see the module doc)."""
    out: list[_Piece] = []
    for i, run in enumerate(runs):
        before = out[-1] if out else None
        after = runs[i + 1] if i + 1 < len(runs) else None
        if run.covered or timeline.length(run) >= min_length or (before is None and after is None):
            out.append(run)
            continue
        if before is None and after is not None:
            after.first = run.first  # a short opening joins the first chapter
            continue
        if after is None and before is not None:
            before.last = run.last  # a short closing joins the last chapter
            continue
        assert before is not None and after is not None
        # Lines up to the last question stay behind; the question leads into what follows.
        split = run.last + 1
        for k in range(run.last, run.first - 1, -1):
            if timeline.segments[k].text.rstrip().endswith("?"):
                split = k
                break
        before.last = split - 1
        after.first = split
    return _join_same(out)


def _join_same(pieces: list[_Piece]) -> list[_Piece]:
    """Join neighbours that cover the same paragraphs or sit under the same subhead."""
    out: list[_Piece] = []
    for piece in pieces:
        prev = out[-1] if out else None
        same = (
            prev is not None
            and piece.covered
            and prev.covered
            and (
                (piece.heading is not None and piece.heading == prev.heading)
                or (
                    piece.heading is None
                    and prev.heading is None
                    and piece.paragraphs == prev.paragraphs
                )
            )
        )
        if prev is not None and same:
            prev.last = piece.last
        else:
            out.append(piece)
    return out


def _merge_short(
    pieces: list[_Piece],
    timeline: _Timeline,
    min_length: float,
    vectorizer: TfidfVectorizer | None,
) -> list[_Piece]:
    """Merge the shortest piece under ``min_length`` into a neighbour until none is left."""
    pieces = list(pieces)
    while len(pieces) > 1:
        i = min(range(len(pieces)), key=lambda k: timeline.length(pieces[k]))
        if timeline.length(pieces[i]) >= min_length:
            break
        if i == 0:
            j = 1
        elif i == len(pieces) - 1:
            j = i - 1
        else:
            j = _closer(pieces, i, timeline, vectorizer)
        a, b = sorted((i, j))
        pieces[a : b + 1] = [_combine(pieces[a], pieces[b], timeline)]
    return pieces


def _closer(
    pieces: list[_Piece], i: int, timeline: _Timeline, vectorizer: TfidfVectorizer | None
) -> int:
    """The neighbour of ``pieces[i]`` that shares most words with it (the earlier on a tie)."""
    prev, nxt = pieces[i - 1], pieces[i + 1]
    piece = pieces[i]
    if piece.heading is not None and piece.heading in (prev.heading, nxt.heading):
        return i - 1 if prev.heading == piece.heading else i + 1
    if vectorizer is None:
        return i - 1
    before, this, after = vectorizer.transform(
        [timeline.text(p) for p in (prev, piece, nxt)]
    ).toarray()
    return i + 1 if cosine(this, after) > cosine(this, before) else i - 1


def _combine(a: _Piece, b: _Piece, timeline: _Timeline) -> _Piece:
    """One piece spanning ``a`` then ``b``; the longer one's subhead wins."""
    paragraphs = a.paragraphs + [p for p in b.paragraphs if p not in a.paragraphs]
    headed = [p for p in (a, b) if p.heading is not None]
    heading = max(headed, key=timeline.length).heading if headed else None
    return _Piece(a.first, b.last, paragraphs, heading)


def _titles(
    pieces: list[_Piece],
    timeline: _Timeline,
    paragraphs: dict[int, Paragraph],
    picker: PhrasePicker,
) -> list[str]:
    """A title for each piece (see the module doc), none repeated but a revisit's."""
    titles: list[str] = []
    earlier: dict[tuple[int, ...], str] = {}  # paragraphs -> title, to name revisits
    for n, piece in enumerate(pieces):
        said = timeline.text(piece)
        if piece.heading is not None:
            title = piece.heading
            if title in titles[:-1]:  # a section the hosts come back to
                title = f"{title} (revisited)"
        elif piece.covered and tuple(piece.paragraphs) in earlier:
            title = f"{earlier[tuple(piece.paragraphs)]} (revisited)"
        elif piece.covered:
            text = " ".join(paragraphs[p].text for p in piece.paragraphs)
            picked = picker.title(text, said, avoid=titles) or picker.title(said, avoid=titles)
            title = picked or (f"{titles[-1]} (continued)" if titles else INTRODUCTION)
            earlier[tuple(piece.paragraphs)] = title
        elif (
            n == 0
            and len(pieces) > 1
            and (timeline.length(piece) <= INTRODUCTION_MAX_SECONDS or is_chit_chat(said))
        ):
            title = INTRODUCTION
        elif n == len(pieces) - 1 and n > 0 and is_chit_chat(said):
            title = WRAP_UP
        else:
            title = picker.title(said, avoid=titles) or DISCUSSION
        titles.append(title)
    return titles


def chapters_from_transcript(
    transcript: Transcript,
    duration: float | None = None,
    min_length: float = MIN_CHAPTER_SECONDS,
    window: float = DEFAULT_WINDOW,
) -> list[Chapter]:
    """Chapters for an episode with no article: the transcript split by topic alone."""
    return chapters_from_alignment(None, None, transcript, duration, min_length, window)
