"""Parse text saved from a web page, keeping the story and dropping the page's boilerplate.

General block rules in the spirit of jusText classify each line (length,
sentence-ending punctuation, stop-word density, navigation, shortcodes,
key-value fact boxes, and the named rules of :mod:`toolkit.article.boilerplate`
for captions, credits, prompts, bios, footers and the like) and the longest
contiguous run of content is kept. No rule names a site.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from toolkit.article import boilerplate
from toolkit.article.assemble import _finish
from toolkit.article.model import Article, Dropped, Paragraph
from toolkit.article.words import SENTENCE_END, _clean, _find_date, _stop_density, _words

# Navigation: a line starting or ending with an arrow ("Check out our series →"),
# a menu of "|"-separated items, or a breadcrumb trail ("Home > News > World").
_NAV = re.compile(
    r"^\s*[→←»«›‹▶►▸]|[→←»«›‹▶►▸]\s*$"
    r"|\S\s+\|\s+\S.*\s\|\s+\S"
    r"|\S\s+[>»›]\s+\S.*\s[>»›]\s+\S"
)
# Shortcodes and template tags left behind by a CMS: [gallery ids="1,2"], {{ widget }}.
_SHORTCODE = re.compile(r"^\s*(\[/?[a-z][\w-]*(\s[^\]]*)?\]|\{\{.*\}\}|\{%.*%\})\s*$")
# "Key: value" lines of a fact box ("Ambassador since: 2019").
_KEY_VALUE = re.compile(r"^(?P<key>[^:“”\"]{1,60}?)\s*:\s*(?P<value>.*)$")
# Editorial notes attached to a story ("Update, Jan. 17: ...", "Correction: ...").
_NOTE = re.compile(
    r"^(?:updated?|correction|clarification|editor['’]?s['’]? note|note)\b[^:]{0,40}:",
    re.IGNORECASE,
)
_BYLINE_NAME = r"(?P<name>[A-Z][\w.'’-]*(?:\s+(?:and\s+|&\s+)?[A-Z][\w.'’-]*){0,6})"
_BYLINE = re.compile(rf"^[Bb]y\s+{_BYLINE_NAME}")
# A blog's "Posted on March 9, 2024 by Edith Marr".
_POSTED_BY = re.compile(
    rf"^(?:[Pp]osted|[Pp]ublished|[Ww]ritten)\b[^.!?]{{0,60}}?\sby\s+{_BYLINE_NAME}\s*$"
)
# A writer's role on the line under the name: "Jo Pemberton" / "Local Democracy Reporter".
_ROLE = re.compile(
    r"^(?:[A-Z][\w’'-]*\s+){0,4}(?:Reporter|Correspondent|Editor|Writer|Columnist|Contributor)$"
)
_NAME_LINE = re.compile(r"^[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){1,3}$")
# A menu saved as text: three or more short items set apart by tabs or wide spaces.
_MENU_GAP = re.compile(r"\t+|\s{3,}")
_URL_LINE = re.compile(r"^(?:(?:url|source|link|canonical)\s*:\s*)?(?P<url>https?://\S+)$", re.I)

# Most blank-free lines of boilerplate that may sit inside a story (a related-posts box).
_MAX_GAP_LINES = 4
# Good lines a run needs before a comment section may end it.
_MIN_STORY_LINES = 3
# Reasons that spoil the other lines of their block: a caption's first line, the
# rest of a sign-up box. A bio does not: its block may hold a story line.
_BOX_REASONS = frozenset({"shortcode", "navigation"}) | {
    rule.name for rule in boilerplate.RULES if rule.name != "bio"
}
# A caption beside a credit line on its own is at most this long.
_MAX_CAPTION_WORDS = 30
_MAX_BOXED_CAPTION_WORDS = 60


@dataclass
class _Line:
    text: str
    block: int
    words: list[str]
    kind: str = "short"  # good, near, short or bad
    why: str = ""
    menu: bool = False


def _is_menu(raw: str) -> bool:
    """Whether a raw line is a menu: "Features   Essays   Culture   Subscribe"."""
    items = [item for item in _MENU_GAP.split(raw.strip()) if item]
    return len(items) >= 3 and all(len(_words(item)) <= 3 for item in items)


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
        sentence = bool(SENTENCE_END.search(text))
        is_kv, value_words = _is_key_value(text)
        letters = [c for c in text if c.isalpha()]
        upper = sum(c.isupper() for c in letters) / len(letters) if letters else 1.0
        if line.menu or _NAV.search(text):
            line.kind, line.why = "bad", "navigation"
        elif _SHORTCODE.match(text):
            line.kind, line.why = "bad", "shortcode"
        elif rule := boilerplate.match(text, words):
            line.kind, line.why = "bad", rule
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
        box = [ln.why for ln in members if ln.why in _BOX_REASONS]
        if box and not any(ln.kind == "good" and ln.why != "labelled" for ln in members):
            # A line that shares a credit's block is its caption ("Ishikane Kimihiro, ..."),
            # one in a box of links or prompts goes by the box's rule.
            spoiled = "caption" if {"credit", "caption"} & set(box) else box[0]
            for ln in members:
                if ln.kind != "bad":
                    ln.kind, ln.why = "bad", spoiled
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
    _captions(lines)
    _link_lists(lines)
    _pull_quotes(lines)


def _captions(lines: list[_Line]) -> None:
    """A credit on a line of its own ("Karin Holt/Getty Images") marks the
    caption beside it: the line above in its block, else the line below in
    its block; with no other line in its block, a short line (too short to
    be a story paragraph) in the block above, else in the block below.
    """
    for i, line in enumerate(lines):
        if line.why != "credit" or not boilerplate.is_credit_only(line.text, line.words):
            continue
        above = lines[i - 1] if i > 0 else None
        below = lines[i + 1] if i + 1 < len(lines) else None
        same = [ln for ln in (above, below) if ln is not None and ln.block == line.block]
        if same:  # the caption shares the credit's block
            mate = same[0]
            if mate.kind != "bad" and len(mate.words) <= _MAX_BOXED_CAPTION_WORDS:
                mate.kind, mate.why = "bad", "caption"
            continue
        # Across a blank line only a line too short to be a story paragraph (not
        # "good") is taken for the caption: a story paragraph is never dropped for it.
        for beside in (above, below):
            if beside is None or beside.kind in ("bad", "good") or _BYLINE.match(beside.text):
                continue
            if len(beside.words) <= _MAX_CAPTION_WORDS:
                beside.kind, beside.why = "bad", "caption"
                break


def _link_lists(lines: list[_Line]) -> None:
    """The headlines under a link-list label ("Related stories", "Read more:")
    are links too, up to the next line that reads as story text."""
    for i, line in enumerate(lines):
        if line.why != "related" or not boilerplate.is_list_label(line.text):
            continue
        for ln in lines[i + 1 : i + 9]:
            if ln.kind == "good" or ln.kind == "bad" and ln.block != line.block:
                break
            ln.kind, ln.why = "bad", "related"


def _pull_quotes(lines: list[_Line]) -> None:
    """A kept line that repeats part of a longer kept line is a pull quote."""
    texts = [ln.text for ln in lines]
    kept = [i for i, ln in enumerate(lines) if ln.kind in ("good", "near")]
    for i, j in boilerplate.repeats(texts, kept).items():
        if lines[j].kind == "good":
            lines[i].kind, lines[i].why = "bad", "pull-quote"


def _trim_tail_bio(lines: list[_Line], first: int, last: int) -> int:
    """Drop a bio that closes the story ("... is a professor of ..."); the new last line."""
    checked = 0
    while last >= first and checked < 2:
        line = lines[last]
        if line.kind == "good":
            story = [ln.text for ln in lines[first:last] if ln.kind in ("good", "near")]
            if not boilerplate.is_tail_bio(line.text, story):
                break
            line.kind, line.why = "bad", "bio"
            checked += 1
        last -= 1
    while last > first and lines[last].kind != "good":
        last -= 1
    return last


def _main_run(lines: list[_Line]) -> tuple[int, int] | None:
    """The first and last line of the run of good lines holding the most words.

    Good lines belong to one run while at most ``_MAX_GAP_LINES`` other
    non-empty lines separate them, so a related-posts box inside a story does
    not split it, while a bio or fact box several blocks later does. A box
    of lines that named rules drop (a share bar, a sign-up box) counts as one
    line however many it holds.

    A comment count or comment form after a run of at least
    ``_MIN_STORY_LINES`` good lines ends it: what follows is the readers'
    words, not the story's, and a run after it is chosen only when no other
    run is left. (A count nearer the top, beside the byline or after the
    lead, is only a gap.)
    """
    runs: list[list[int]] = []
    after_comments: list[bool] = []
    gap = 0
    closed = False  # a comment section has ended the last run
    for i, line in enumerate(lines):
        if line.kind == "good":
            if runs and gap <= _MAX_GAP_LINES and not closed:
                runs[-1].append(i)
            else:
                after_comments.append(closed)
                runs.append([i])
            gap = 0
            closed = False
            continue
        if line.why == "comments" and runs and len(runs[-1]) >= _MIN_STORY_LINES:
            closed = True
        prev = lines[i - 1] if i else None
        boxed = (
            prev is not None
            and prev.block == line.block
            and prev.kind != "good"
            and _named(prev)
            and _named(line)
        )
        if not boxed:
            gap += 1
    if not runs:
        return None
    choices = [r for r, late in zip(runs, after_comments, strict=True) if not late] or runs
    best = max(choices, key=lambda r: sum(len(lines[i].words) for i in r))
    return best[0], best[-1]


_RULE_NAMES = frozenset(rule.name for rule in boilerplate.RULES) | {"shortcode"}


def _named(line: _Line) -> bool:
    """Whether a named boilerplate rule dropped ``line``."""
    return line.why in _RULE_NAMES


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
    Dropped: banners, captions and photo credits (and a short caption beside a
    credit line), shortcodes and related-post boxes, fact boxes and the
    labelled paragraph beside them ("His story, briefly: ..."), pull quotes
    that repeat the story, author bios, advertisement markers, share, follow,
    subscribe and newsletter prompts, comment, cookie, copyright and tag
    blocks, and publication trailers (the rules of
    :mod:`toolkit.article.boilerplate`). ``Article.dropped`` lists every line
    left out with the rule that left it out.
    """
    lines: list[_Line] = []
    block = 0
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        cleaned = _clean(raw)
        if not cleaned:
            block += 1
            continue
        lines.append(_Line(cleaned, block, _words(cleaned), menu=_is_menu(raw)))
    if not lines:
        return _finish(None, None, None, None, [], source)

    _classify(lines)
    run = _main_run(lines)
    if run is None:
        return _finish(None, None, None, None, [], source, _dropped(lines, set(), None))
    first, last = run
    last = _trim_tail_bio(lines, first, last)

    paragraphs: list[Paragraph] = []
    used: set[int] = set()
    heading: str | None = None
    for i in range(first, last + 1):
        line = lines[i]
        if line.kind == "good":
            paragraphs.append(Paragraph(0, line.text, heading))
            used.add(i)
        elif line.kind == "near":
            before = _suspect(lines[i - 1]) if i > first else False
            after = _suspect(lines[i + 1]) if i < last else False
            if not before and not after:
                paragraphs.append(Paragraph(0, line.text, heading))
                used.add(i)
            else:
                line.why = "beside-boilerplate"
        elif _is_heading_line(line):
            alone = (i == 0 or lines[i - 1].block != line.block) and (
                i + 1 >= len(lines) or lines[i + 1].block != line.block
            )
            if alone and lines[i + 1].kind == "good":
                heading = line.text
                used.add(i)

    header = lines[:first]
    title = _text_title(header, lines)
    byline = None
    for line in header:
        m = _BYLINE.match(line.text) or _POSTED_BY.match(line.text)
        if m:
            byline = _name_case(m.group("name").strip())
            break
    if byline is None:
        for above, below in zip(header, header[1:], strict=False):
            if _ROLE.match(below.text) and _NAME_LINE.match(above.text):
                byline = above.text
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
    dropped = _dropped(lines, used, (first, last))
    return _finish(title, byline, date, url, paragraphs, source, dropped)


def _suspect(line: _Line) -> bool:
    """Whether a short sentence beside ``line`` may belong to it, not to the story.

    A caption, credit or sign-up box often runs over several lines, so a short
    sentence beside one is dropped with it; an "Advertisement" marker, a
    "Read more:" link or a pull quote stands alone and casts no such doubt.
    """
    return line.kind == "bad" and line.why not in boilerplate.INSERT_RULES


def _dropped(lines: list[_Line], used: set[int], run: tuple[int, int] | None) -> list[Dropped]:
    """Every line not kept, with the reason: a rule's name, or where it stood."""
    out: list[Dropped] = []
    for i, line in enumerate(lines):
        if i in used:
            continue
        if line.why and line.why != "labelled":
            rule = line.why
        elif run is None or not run[0] <= i <= run[1]:
            rule = "outside-story"
        else:
            rule = "fragment"
        out.append(Dropped(line.text, rule))
    return out


def _text_title(header: list[_Line], lines: list[_Line]) -> str | None:
    """The headline: a short line above the story, preferring one the page
    repeats, then the last one above the byline (else above the first dated
    line; a site's name and motto come first), then the first.

    A line with a sentence break inside ("... of the north. Now the furnace
    is cooling") is a standfirst, not a headline.
    """
    candidates = [
        ln
        for ln in header
        if ln.kind in ("short", "near")
        and 3 <= len(ln.words) <= 25
        and not ln.text.endswith((".", ":", ","))
        and not re.search(r"[.!?]\s+[A-Z]", ln.text)
        and not _BYLINE.match(ln.text)
        and not _POSTED_BY.match(ln.text)
        and not _ROLE.match(ln.text)
        and not _URL_LINE.match(ln.text)
        and not (_find_date(ln.text) and len(ln.words) <= 6)
    ]
    if not candidates:
        return None
    counts = Counter(ln.text for ln in lines)
    repeated = [ln for ln in candidates if counts[ln.text] > 1]
    if repeated:
        return repeated[0].text
    position = {id(ln): i for i, ln in enumerate(header)}
    bylines = [
        i
        for i, ln in enumerate(header)
        if _BYLINE.match(ln.text) or _POSTED_BY.match(ln.text) or _ROLE.match(ln.text)
    ]
    marks = bylines or [i for i, ln in enumerate(header) if _find_date(ln.text)]
    if marks:
        above = [ln for ln in candidates if position[id(ln)] < marks[0]]
        if above:
            return above[-1].text
    return candidates[0].text


def _name_case(name: str) -> str:
    """A byline in capitals as a name is written: "LENA VOS and TOMAS REIS" ->
    "Lena Vos and Tomas Reis"; a byline in mixed case is left alone."""
    if not any(c.isupper() for c in name) or name != name.upper().replace(" AND ", " and "):
        return name
    return " ".join(
        w if w == "and" else re.sub(r"[^\W\d_]+", lambda m: m.group().capitalize(), w)
        for w in name.split()
    )
