"""Parse text saved from a web page, keeping the story and dropping the page's boilerplate.

General block rules in the spirit of jusText classify each line (length,
sentence-ending punctuation, stop-word density, link and label patterns, photo
credits, author bios, key-value fact boxes) and the longest contiguous run of
content is kept. No rule names a site.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from toolkit.article.assemble import _finish
from toolkit.article.model import Article, Paragraph
from toolkit.article.words import _SENTENCE_END, _clean, _find_date, _stop_density, _words

# Navigation: a line starting or ending with an arrow ("Check out our series →"),
# a menu of "|"-separated items, or a breadcrumb trail ("Home > News > World").
_NAV = re.compile(
    r"^\s*[→←»«›‹▶►▸]|[→←»«›‹▶►▸]\s*$"
    r"|\S\s+\|\s+\S.*\s\|\s+\S"
    r"|\S\s+[>»›]\s+\S.*\s[>»›]\s+\S"
)
# Shortcodes and template tags left behind by a CMS: [gallery ids="1,2"], {{ widget }}.
_SHORTCODE = re.compile(r"^\s*(\[/?[a-z][\w-]*(\s[^\]]*)?\]|\{\{.*\}\}|\{%.*%\})\s*$")
# A photo credit closing a caption: "JOHN PENNEY/PASSBLUE", "Photograph: Tom Aldridge".
_CREDIT = re.compile(
    r"(?:\b[A-Z][A-Z.'’-]+(?:\s+[A-Z][A-Z.'’-]+)*\s*/\s*[A-Z][A-Z.'’&\s-]*[A-Z]"
    r"|\b(?:Photo(?:graph)?s?|Images?|Credit|Illustration)\s*(?:by|:)\s*[A-Z][^.!?]{0,60}"
    r"|\((?:Photo|Credit|Image)[^)]{0,60}\))\s*$"
)
# An author bio: "Jane Doe is a reporter for ...", "Jane Doe covers the UN for ...".
_BIO = re.compile(
    r"^(?:[A-Z][\w.'’-]+\s+){1,3}(?:is|was|has been)\s+(?:a|an|the)\s+(?:[\w’'-]+\s+){0,4}?"
    r"(?:reporter|writer|editor|correspondent|journalist|contributor|columnist|producer|"
    r"freelancer|photographer|photojournalist|blogger)s?\b"
    r"|^(?:[A-Z][\w.'’-]+\s+){1,3}(?:covers|writes about|reports on)\b"
)
# Phrases of subscribe, comment, share and legal blocks, looked for in short lines only.
_BOILERPLATE = re.compile(
    r"\bsubscribe (?:to|now|today|for|here)\b|^subscribe\b|\bnewsletters?\b|\bsign (?:up|in)\b"
    r"|\blog ?in\b|\byour inbox\b|\bnotify (?:me|of)\b"
    r"|\b(?:leave|post|add|view|show|load|read) (?:a |all |the )?(?:comments?|replies|reply)\b"
    r"|\bplease comment\b|\bcomment data\b|\brelated (?:posts?|articles?|stories|content|reading)\b"
    r"|\byou (?:might|may) (?:also )?(?:like|enjoy|be interested)|^read (?:more|next)\b"
    r"|\bshare (?:this|on|via)\b|\bfollow us\b|\bwe use cookies\b|\baccept (?:all )?cookies\b"
    r"|\bcookie (?:policy|settings|preferences)\b|\bprivacy policy\b|\byour privacy\b"
    r"|\ball rights reserved\b|©|^advertisement$|\breduce spam\b|\bdon['’]t miss\b"
    r"|\bstay (?:informed|connected)\b|\bclick here\b|\bsupport (?:our|independent) "
    r"(?:journalism|work|reporting)\b|\bdonate (?:now|today)\b",
    re.IGNORECASE,
)
# "Key: value" lines of a fact box ("Ambassador since: 2019").
_KEY_VALUE = re.compile(r"^(?P<key>[^:“”\"]{1,60}?)\s*:\s*(?P<value>.*)$")
# Editorial notes attached to a story ("Update, Jan. 17: ...", "Correction: ...").
_NOTE = re.compile(
    r"^(?:updated?|correction|clarification|editor['’]?s['’]? note|note)\b[^:]{0,40}:",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^[Bb]y\s+(?P<name>[A-Z][\w.'’-]*(?:\s+(?:and\s+|&\s+)?[A-Z][\w.'’-]*){0,6})")
_URL_LINE = re.compile(r"^(?:(?:url|source|link|canonical)\s*:\s*)?(?P<url>https?://\S+)$", re.I)

# Most blank-free lines of boilerplate that may sit inside a story (a related-posts box).
_MAX_GAP_LINES = 4


@dataclass
class _Line:
    text: str
    block: int
    words: list[str]
    kind: str = "short"  # good, near, short or bad
    why: str = ""


def _is_key_value(text: str) -> tuple[bool, int]:
    """Whether ``text`` reads as "Label: value"; returns the value's word count."""
    m = _KEY_VALUE.match(text)
    if not m:
        return False, 0
    key = m.group("key").strip()
    key_words = _words(key)
    if not key_words or len(key_words) > 8 or not key[0].isupper() and not key[0].isdigit():
        return False, 0
    if re.search(r"[.!?]\s", key + " ") and not re.search(r"\b[A-Z][a-z]{0,3}\.", key):
        return False, 0
    return True, len(_words(m.group("value")))


def _classify(lines: list[_Line]) -> None:
    """Mark every line good, near (short but sentence-like), short or bad."""
    for line in lines:
        text, words = line.text, line.words
        n = len(words)
        sentence = bool(_SENTENCE_END.search(text))
        is_kv, value_words = _is_key_value(text)
        letters = [c for c in text if c.isalpha()]
        upper = sum(c.isupper() for c in letters) / len(letters) if letters else 1.0
        if _NAV.search(text):
            line.kind, line.why = "bad", "navigation"
        elif _SHORTCODE.match(text):
            line.kind, line.why = "bad", "shortcode"
        elif _CREDIT.search(text):
            line.kind, line.why = "bad", "credit"
        elif _BIO.match(text):
            line.kind, line.why = "bad", "bio"
        elif n <= 25 and _BOILERPLATE.search(text):
            line.kind, line.why = "bad", "boilerplate"
        elif not letters or (upper > 0.7 and n <= 12):
            line.kind, line.why = "bad", "label"
        elif is_kv and not _NOTE.match(text) and (value_words <= 12 or not sentence):
            line.kind, line.why = "bad", "fact"
        elif is_kv and not _NOTE.match(text):
            line.kind, line.why = "good", "labelled"
        elif sentence and n >= 10 and _stop_density(words) >= 0.15:
            line.kind = "good"
        elif sentence and n >= 3 and _stop_density(words) >= 0.1:
            line.kind = "near"
        else:
            line.kind = "short"

    blocks: dict[int, list[_Line]] = {}
    for line in lines:
        blocks.setdefault(line.block, []).append(line)
    order = sorted(blocks)
    fact_blocks = {b for b in order if sum(ln.why == "fact" for ln in blocks[b]) >= 2}
    for pos, b in enumerate(order):
        members = blocks[b]
        # A caption or a boilerplate box spoils the lines that share its block.
        boxed = any(
            ln.why in ("credit", "shortcode", "navigation", "boilerplate") for ln in members
        )
        if boxed and not any(ln.kind == "good" and ln.why != "labelled" for ln in members):
            for ln in members:
                if ln.kind != "bad":
                    ln.kind, ln.why = "bad", "in-box"
        # A fact box takes with it the labelled paragraph beside it ("His story: ...").
        if b in fact_blocks:
            for ln in members:
                ln.kind, ln.why = "bad", "fact"
        neighbours = {
            order[pos - 1] if pos else None,
            order[pos + 1] if pos + 1 < len(order) else None,
        }
        if neighbours & fact_blocks:
            for ln in members:
                if ln.why == "labelled":
                    ln.kind, ln.why = "bad", "fact"


def _main_run(lines: list[_Line]) -> tuple[int, int] | None:
    """The first and last line of the run of good lines holding the most words.

    Good lines belong to one run while at most ``_MAX_GAP_LINES`` other
    non-empty lines separate them, so a related-posts box inside a story does
    not split it, while a bio or fact box several blocks later does.
    """
    runs: list[list[int]] = []
    gap = 0
    for i, line in enumerate(lines):
        if line.kind == "good":
            if runs and gap <= _MAX_GAP_LINES:
                runs[-1].append(i)
            else:
                runs.append([i])
            gap = 0
        else:
            gap += 1
    if not runs:
        return None
    best = max(runs, key=lambda r: sum(len(lines[i].words) for i in r))
    return best[0], best[-1]


def _is_heading_line(line: _Line) -> bool:
    n = len(line.words)
    return (
        line.kind == "short"
        and 1 <= n <= 12
        and line.text[0].isupper()
        and not line.text.endswith((":", ",", ";"))
    )


def parse_text(text: str, source: Path | None = None) -> Article:
    """Parse text saved from a web page, dropping the page's boilerplate.

    Kept: the longest run of content lines, an editorial note ("Update, ...:")
    that touches it (such a note often names the podcast episode and its
    hosts, useful vocabulary for transcription), and short subheads inside it.
    Dropped: banners, captions with photo credits, shortcodes and related-post
    boxes, fact boxes and the labelled paragraph beside them ("His story,
    briefly: ..."), author bios, comment and subscribe blocks.
    """
    lines: list[_Line] = []
    block = 0
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        cleaned = _clean(raw)
        if not cleaned:
            block += 1
            continue
        lines.append(_Line(cleaned, block, _words(cleaned)))
    if not lines:
        return _finish(None, None, None, None, [], source)

    _classify(lines)
    run = _main_run(lines)
    if run is None:
        return _finish(None, None, None, None, [], source)
    first, last = run

    paragraphs: list[Paragraph] = []
    heading: str | None = None
    for i in range(first, last + 1):
        line = lines[i]
        if line.kind == "good":
            paragraphs.append(Paragraph(0, line.text, heading))
        elif line.kind == "near":
            before = lines[i - 1].kind if i > first else "good"
            after = lines[i + 1].kind if i < last else "good"
            if before != "bad" and after != "bad":
                paragraphs.append(Paragraph(0, line.text, heading))
        elif _is_heading_line(line):
            alone = (i == 0 or lines[i - 1].block != line.block) and (
                i + 1 >= len(lines) or lines[i + 1].block != line.block
            )
            if alone and lines[i + 1].kind == "good":
                heading = line.text

    header = lines[:first]
    title = _text_title(header, lines)
    byline = None
    for line in header:
        m = _BYLINE.match(line.text)
        if m:
            byline = m.group("name").strip()
            break
    if byline is None:
        for line in lines:
            if line.why == "bio":
                name = re.match(
                    r"^((?:[A-Z][\w.'’-]+\s+){1,3}?)(?:is|was|has|covers|writes)", line.text
                )
                if name:
                    byline = name.group(1).strip()
                break
    date = None
    for line in header:  # a dateline first, then any dated line above the story
        if len(line.words) <= 12 and not line.why:
            date = _find_date(line.text)
            if date:
                break
    if date is None:
        date = next((d for d in (_find_date(ln.text) for ln in header) if d), None)
    url = next((m.group("url") for m in (_URL_LINE.match(ln.text) for ln in header) if m), None)
    return _finish(title, byline, date, url, paragraphs, source)


def _text_title(header: list[_Line], lines: list[_Line]) -> str | None:
    """The headline: a short line above the story, preferring one the page repeats."""
    candidates = [
        ln
        for ln in header
        if ln.kind in ("short", "near")
        and 3 <= len(ln.words) <= 25
        and not ln.text.endswith((".", ":", ","))
        and not _BYLINE.match(ln.text)
        and not _URL_LINE.match(ln.text)
        and not (_find_date(ln.text) and len(ln.words) <= 6)
    ]
    if not candidates:
        return None
    counts = Counter(ln.text for ln in lines)
    repeated = [ln for ln in candidates if counts[ln.text] > 1]
    return (repeated or candidates)[0].text
