"""The labelled cases' common ground-truth format, ``bench/cases/<name>/truth.json``.

One file per case, whatever made it (a synthesized discussion or a reading)::

    {
      "version": 2,
      "name": "sample",
      "kind": "discussion",            # or "reading"
      "audio": "episodes/.../audio.mp3",   # paths relative to the project root
      "article": "episodes/.../article.txt",
      "duration": 194.774,
      "source": "where the truth comes from",
      "speakers": [                    # who talks, and in which espeak-ng voice
        {"role": "host", "name": "Maya Okafor", "voice": "en-us+f3", "speed": 155}
      ],
      "names": ["Maya Okafor", "Daniel Reyes", "Kimihiro Ishikane", ...],
      "mentions": [                    # every time a name in "names" is spoken
        {"name": "Daniel Reyes", "spoken": "Daniel", "line": 0,
         "start": 4.02, "end": 4.41}
      ],
      "paragraphs": [                  # every paragraph the article reader keeps
        {"index": 0, "first_words": "Kimihiro Ishikane, Japan's permanent ...",
         "discussed": true,
         "start": 20.914, "end": 37.419,   # the first stretch that discusses it
         "spans": [[20.914, 37.419]]},     # every stretch, revisits included
        {"index": 3, "first_words": "...", "discussed": false,
         "start": null, "end": null, "spans": []}
      ],
      "quotes": [                      # every quote the article reader finds, in its order
        {"text": "...", "paragraph": 1,    # the quote as the article has it
         "status": "verbatim",             # "verbatim" | "near" | "not_spoken"
         "spoken": "...",                  # the words read aloud (null: not spoken)
         "start": 40.761, "end": 46.759,   # when they were read (null: not spoken)
         "changes": []},                   # for "near": what differs, see below
        {"text": "...", "paragraph": 8, "status": "near", "spoken": "...",
         "start": 90.1, "end": 95.3,
         "changes": [{"kind": "number", "article": "twenty-five", "spoken": "thirty-five"}]}
      ]
    }

``index`` is the paragraph's place in ``toolkit.article.read_article(article)``
when the truth was written; ``first_words`` lets the evaluation find it again
should the reader's paragraphs ever shift. Times are seconds on the audio.

**Quote status.** ``verbatim``: the whole quote was read word for word.
``near``: it was read with a real wording change, each listed in ``changes``
with its ``kind``:

* ``number``: a number changed ("twenty-five" read as "thirty-five");
* ``negation``: a negation dropped or added ("not" left out: ``spoken`` is "");
* ``word``: another word swapped in ("rent" read as "way");
* ``partial``: only part of the quote was read; ``article`` holds the words
  left out, ``spoken`` is "". A quote read in part is ``near``, not
  ``verbatim``: what was heard is not the article's quote, and the aligner
  says so (``toolkit.align`` classes a quote read in part as near, listing
  the rest as not heard). It is not a misquote, so the evaluation does not
  count it among the false misquote alerts either way.

``not_spoken``: not read aloud at all (a paraphrase of it does not count as
reading it). For the older cases, whose scripts list only the verbatim
pieces they read, the status comes from the script: a quote read in full is
``verbatim``, one read in part ``near`` (``partial``), one not read
``not_spoken``. Scripts mark a misquote with ``{"article", "spoken",
"changes"}`` in a line's ``quotes`` (see ``make_discussion.py``).

**Names.** ``names`` are the people of the case: the speakers and the
article's people (the script's ``people``). ``mentions`` are the times one of
them is said: ``spoken`` is the form said (the full name, or one of its
words, "Daniel" for "Daniel Reyes"; a possessive "'s" is not part of it).
A mention's ``start`` and ``end`` are estimated: its line's chunk is known to
the sample, and the time into the chunk is the length of the chunk's words
before the name (and up to its end) synthesized on their own, so they are
good to a few tenths of a second (a pause espeak-ng makes at a comma before
the name is not counted).

This module turns the per-line ground truth that ``tools/make_sample_episode.py``
writes into that format.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.article import Article, read_article

ROOT = Path(__file__).resolve().parent.parent.parent
CASES = ROOT / "bench" / "cases"
VERSION = 2
FIRST_WORDS = 8
STATUSES = ("verbatim", "near", "not_spoken")
CHANGE_KINDS = ("number", "negation", "word", "partial")


def first_words(text: str, n: int = FIRST_WORDS) -> str:
    """The first ``n`` words of a paragraph, enough to find it again."""
    return " ".join(text.split()[:n])


def paragraph_index(article: Article, prefix: str) -> int:
    """The index of the article paragraph that starts with ``prefix``."""
    for p in article.paragraphs:
        if p.text.startswith(prefix):
            return p.index
    raise ValueError(f"no paragraph of {article.source} starts with {prefix!r}")


def tokens(text: str) -> list[str]:
    """Words as compared here: case-folded, split at hyphens and dashes, no punctuation.

    Quotes read aloud are verbatim pieces of the article's text, so this needs
    none of the aligner's normalisation (numbers by value and so on).
    """
    words = re.split(r"[^\w']+", text.casefold().replace("’", "'"))
    return [w.strip("'") for w in words if w.strip("'")]


def _find(long: list[str], short: list[str]) -> int:
    """Where ``short`` starts in ``long``, or -1."""
    n = len(short)
    for i in range(len(long) - n + 1):
        if n and long[i : i + n] == short:
            return i
    return -1


# --- names -------------------------------------------------------------------
_POSSESSIVE = re.compile(r"['’]s$")


def name_tokens(text: str) -> list[str]:
    """A name's words as compared: case-folded, split at hyphens, no possessive."""
    out = []
    for word in text.split():
        for piece in word.split("-"):
            piece = piece.strip(".,;:!?\"'“”‘’()[]")
            piece = _POSSESSIVE.sub("", piece).casefold()
            if piece:
                out.append(piece)
    return out


@dataclass(frozen=True)
class Mention:
    """A name said in a piece of text: where, whose, and the form said."""

    offset: int  # character offset in the text
    name: str  # the full name, as in the case's ``names``
    spoken: str  # the form said: the full name or one of its words


def find_mentions(text: str, names: list[str]) -> list[Mention]:
    """Every mention of ``names`` in ``text``, longest forms first, not overlapping.

    A name is found whole or by any one of its words ("Daniel", "Reyes"), as
    a whole word (not inside a hyphenated one), a possessive "'s" allowed.
    A word two names share goes to the first of them.
    """
    forms: list[tuple[str, str]] = []
    for name in names:
        forms.append((name, name))
        parts = name.split()
        if len(parts) > 1:
            forms += [(part, name) for part in parts]
    forms.sort(key=lambda f: -len(f[0]))
    taken: list[tuple[int, int]] = []
    found = []
    for form, name in forms:
        pattern = re.compile(rf"(?<![\w-]){re.escape(form)}(?=(?:['’]s)?(?![\w-]))")
        for m in pattern.finditer(text):
            a, b = m.start(), m.end()
            if any(a < t1 and t0 < b for t0, t1 in taken):
                continue
            taken.append((a, b))
            found.append(Mention(a, name, form))
    return sorted(found, key=lambda m: m.offset)


# --- quotes ------------------------------------------------------------------
def _article_quote(article: Article, piece: str, paragraph: int | None) -> int:
    """The article quote that a quote read aloud comes from (its index in article.quotes).

    Either may contain the other: a host may read part of a quote, and the
    reader may cut a quote where the script did not. The line's paragraph
    wins a tie.
    """
    want = tokens(piece)
    hits = []
    for k, q in enumerate(article.quotes):
        have = tokens(q.text)
        if _find(have, want) >= 0 or _find(want, have) >= 0:
            hits.append(k)
    if not hits:
        raise ValueError(f"no quote of {article.source} holds {piece!r}")
    mine = [k for k in hits if article.quotes[k].paragraph == paragraph]
    return (mine or hits)[0]


def _left_out(quote_text: str, piece: str) -> str:
    """The words of ``quote_text`` that a reading of ``piece`` leaves out."""
    words = quote_text.split()
    have = [tokens(w) for w in words]
    flat = [t for ts in have for t in ts]
    at = _find(flat, tokens(piece))
    if at < 0:
        return ""
    n = len(tokens(piece))
    out, pos = [], 0
    for word, ts in zip(words, have, strict=True):
        if not pos + len(ts) > at or pos >= at + n:
            out.append(word)
        pos += len(ts)
    return " ".join(out).strip(".,;:!? ")


def quote_reading(
    article: Article, entry: str | dict[str, Any], paragraph: int | None, start: float, end: float
) -> dict[str, Any]:
    """The truth of one quote read aloud: a script's ``quotes`` entry and its time.

    ``entry`` is a verbatim piece of an article quote (a string) or a misquote
    ``{"article": piece, "spoken": what was said, "changes": [...]}``.
    """
    piece = entry if isinstance(entry, str) else entry["article"]
    spoken = entry if isinstance(entry, str) else entry["spoken"]
    changes = [] if isinstance(entry, str) else [dict(c) for c in entry["changes"]]
    k = _article_quote(article, piece, paragraph)
    quote = article.quotes[k]
    if _find(tokens(piece), tokens(quote.text)) < 0:  # only part of it was read
        changes.append({"kind": "partial", "article": _left_out(quote.text, piece), "spoken": ""})
    return {
        "quote": k,
        "text": quote.text,
        "paragraph": quote.paragraph,
        "status": "near" if changes else "verbatim",
        "spoken": spoken,
        "start": start,
        "end": end,
        "changes": changes,
    }


def article_quotes(article: Article, readings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every article quote's truth, in the article's order: its reading, or not spoken."""
    by_quote: dict[int, dict[str, Any]] = {}
    for r in readings:
        k = r.get("quote")
        if k is None:
            k = _article_quote(article, r["text"], r.get("paragraph"))
        if k in by_quote:
            raise ValueError(f"quote read twice: {article.quotes[k].text[:60]!r}")
        by_quote[k] = {key: v for key, v in r.items() if key != "quote"}
    out = []
    for k, q in enumerate(article.quotes):
        out.append(
            by_quote.get(k)
            or {
                "text": q.text,
                "paragraph": q.paragraph,
                "status": "not_spoken",
                "spoken": None,
                "start": None,
                "end": None,
                "changes": [],
            }
        )
    return out


# --- assembling a truth file ---------------------------------------------------
def _is_question(text: str) -> bool:
    return text.rstrip().rstrip("\"'\u201d\u2019)").endswith("?")


def _spans(lines: list[dict[str, Any]], index_of: dict[int, int | None]) -> dict[int, list]:
    """Each paragraph's stretches: runs of consecutive lines that discuss it.

    A line labelled with no paragraph that ends in a question, just before a
    line that discusses one, leads into it and counts as its first line
    (issue 10: "A question that leads into a paragraph belongs to it").
    """
    index_of = dict(index_of)
    for k in range(len(lines) - 1):
        nxt = index_of[k + 1]
        leads_in = nxt is not None and (k == 0 or index_of[k - 1] != nxt)
        if index_of[k] is None and leads_in and _is_question(lines[k].get("text", "")):
            index_of[k] = nxt
    spans: dict[int, list[list[float]]] = {}
    prev: int | None = None
    for k, line in enumerate(lines):
        para = index_of[k]
        if para is not None:
            if para == prev:
                spans[para][-1][1] = line["end"]
            else:
                spans.setdefault(para, []).append([line["start"], line["end"]])
        prev = para
    return spans


def from_script_truth(
    name: str,
    script: dict[str, Any],
    lines_truth: dict[str, Any],
    source: str,
    names: list[str],
    mentions: list[dict[str, Any]],
) -> dict[str, Any]:
    """The common truth for a case made by ``tools/make_sample_episode.py``.

    ``script`` is the case's script (its lines' ``quotes`` entries say what
    was read: a verbatim piece of the article or a misquote), ``lines_truth``
    that tool's ground truth for it: per line its start, end, the first words
    of the paragraph it discusses (or null) and its quotes' times.
    """
    article = read_article(ROOT / lines_truth["article"])
    lines = lines_truth["lines"]
    index_of = {
        k: None if line["paragraph"] is None else paragraph_index(article, line["paragraph"])
        for k, line in enumerate(lines)
    }
    spans = _spans(lines, index_of)
    readings = [
        quote_reading(article, entry, index_of[k], timed["start"], timed["end"])
        for k, (line, sline) in enumerate(zip(lines, script["lines"], strict=True))
        for entry, timed in zip(sline.get("quotes", []), line["quotes"], strict=True)
    ]
    speakers = [{"role": role, **voice} for role, voice in lines_truth["speakers"].items()]
    return make_truth(
        name, "discussion", lines_truth["audio"], lines_truth["article"],
        lines_truth["duration"], source, article, spans, readings,
        speakers=speakers, names=names, mentions=mentions,
    )  # fmt: skip


def make_truth(
    name: str,
    kind: str,
    audio: str,
    article_path: str,
    duration: float,
    source: str,
    article: Article,
    spans: dict[int, list[list[float]]],
    quotes: list[dict[str, Any]],
    *,
    speakers: list[dict[str, Any]] | None = None,
    names: list[str] | None = None,
    mentions: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Assemble a truth file from each paragraph's spans and the quotes heard.

    ``quotes`` are the readings (see :func:`quote_reading`); every other quote
    of the article is written as not spoken.
    """
    paragraphs = []
    for p in article.paragraphs:
        mine = spans.get(p.index, [])
        paragraphs.append(
            {
                "index": p.index,
                "first_words": first_words(p.text),
                "discussed": bool(mine),
                "start": mine[0][0] if mine else None,
                "end": mine[0][1] if mine else None,
                "spans": mine,
            }
        )
    return {
        "version": VERSION,
        "name": name,
        "kind": kind,
        "audio": audio,
        "article": article_path,
        "duration": duration,
        "source": source,
        "speakers": speakers or [],
        "names": names or [],
        "mentions": mentions or [],
        "paragraphs": paragraphs,
        "quotes": article_quotes(article, quotes),
    }


def write_truth(truth: dict[str, Any], dest: Path) -> None:
    """Write a truth file as pretty UTF-8 JSON."""
    dest.write_text(json.dumps(truth, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def load_truth(path: Path) -> dict[str, Any]:
    """Read a truth file, checking its version and its quotes' statuses."""
    truth = json.loads(Path(path).read_text(encoding="utf-8"))
    if truth.get("version") != VERSION:
        raise ValueError(f"{path}: unsupported truth version {truth.get('version')!r}")
    for q in truth["quotes"]:
        if q["status"] not in STATUSES:
            raise ValueError(f"{path}: unknown quote status {q['status']!r}")
        if any(c["kind"] not in CHANGE_KINDS for c in q["changes"]):
            raise ValueError(f"{path}: unknown change in {q['text'][:40]!r}")
    return truth
