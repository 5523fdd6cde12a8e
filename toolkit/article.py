"""Read an episode's related article: paragraphs, quotes and proper nouns.

An article arrives in one of three shapes, chosen by the file's suffix:

* ``.txt``: text saved from a web page, boilerplate and all. General block
  rules in the spirit of jusText classify each line (length, sentence-ending
  punctuation, stop-word density, link and label patterns, photo credits,
  author bios, key-value fact boxes) and the longest contiguous run of content
  is kept. No rule names a site.
* ``.md`` / ``.markdown``: front matter and ``#`` headings give the metadata
  and section headings; markdown-it-py gives the paragraph text.
* ``.html`` / ``.htm``: trafilatura extracts the main content and metadata.

Quotes and proper nouns are found afterwards by plain rules, the same for
every shape. An :class:`Article` is saved as versioned JSON like the transcript.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date as _date
from pathlib import Path
from typing import Any

from .errors import ArticleError

__all__ = [
    "MIN_QUOTE_WORDS",
    "SCHEMA_VERSION",
    "Article",
    "Paragraph",
    "Quote",
    "find_proper_nouns",
    "find_quotes",
    "parse_html",
    "parse_markdown",
    "parse_text",
    "read_article",
]

SCHEMA_VERSION = 1

# Quotes shorter than this are scare quotes or names ("vague", "rule of force").
MIN_QUOTE_WORDS = 6


# --------------------------------------------------------------------------
# Data model
# --------------------------------------------------------------------------


@dataclass
class Quote:
    text: str
    speaker: str | None
    paragraph: int


@dataclass
class Paragraph:
    index: int
    text: str
    heading: str | None = None


@dataclass
class Article:
    title: str | None
    byline: str | None
    date: str | None
    url: str | None
    paragraphs: list[Paragraph] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    proper_nouns: list[str] = field(default_factory=list)
    source: Path | None = None

    @property
    def text(self) -> str:
        """The kept paragraphs joined by blank lines."""
        return "\n\n".join(p.text for p in self.paragraphs)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": SCHEMA_VERSION,
            "title": self.title,
            "byline": self.byline,
            "date": self.date,
            "url": self.url,
            "paragraphs": [
                {"index": p.index, "text": p.text, "heading": p.heading} for p in self.paragraphs
            ],
            "quotes": [
                {"text": q.text, "speaker": q.speaker, "paragraph": q.paragraph}
                for q in self.quotes
            ],
            "proper_nouns": list(self.proper_nouns),
            "source": str(self.source) if self.source is not None else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: Path | None = None) -> Article:
        """Rebuild an article from :meth:`to_dict` output; ``source`` names the file."""
        try:
            if data.get("version") != SCHEMA_VERSION:
                raise ArticleError(
                    f"unsupported article version {data.get('version')!r} "
                    f"(expected {SCHEMA_VERSION})",
                    source,
                )
            stored = data.get("source")
            return cls(
                title=data.get("title"),
                byline=data.get("byline"),
                date=data.get("date"),
                url=data.get("url"),
                paragraphs=[Paragraph(**p) for p in data["paragraphs"]],
                quotes=[Quote(**q) for q in data.get("quotes", [])],
                proper_nouns=list(data.get("proper_nouns", [])),
                source=Path(stored) if stored else source,
            )
        except (KeyError, TypeError, AttributeError) as e:
            raise ArticleError(f"malformed article: {e}", source) from e


# --------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------


def read_article(path: Path) -> Article:
    """Read the article at ``path``, choosing the parser by its suffix.

    ``.txt`` (or any unknown suffix) is text saved from a web page, ``.md`` and
    ``.markdown`` are Markdown, ``.html`` and ``.htm`` are HTML. Raises
    :class:`ArticleError` when the file is missing, unreadable, empty, or
    holds no article text.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError as e:
        raise ArticleError("article file not found", path) from e
    except OSError as e:
        raise ArticleError(f"cannot read article: {e}", path) from e
    if not raw.strip():
        raise ArticleError("article file is empty", path)

    suffix = path.suffix.lower()
    if suffix in (".html", ".htm", ".xhtml"):
        article = parse_html(raw, source=path)
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise ArticleError(f"article is not UTF-8 text: {e}", path) from e
        if suffix in (".md", ".markdown"):
            article = parse_markdown(text, source=path)
        elif suffix not in (".txt", ".text") and text.lstrip().startswith("<"):
            article = parse_html(text, source=path)
        else:
            article = parse_text(text, source=path)
    if not article.paragraphs:
        raise ArticleError("no article text found", path)
    return article


def _finish(
    title: str | None,
    byline: str | None,
    date: str | None,
    url: str | None,
    paragraphs: list[Paragraph],
    source: Path | None,
) -> Article:
    """Number the paragraphs and add the quotes and proper nouns."""
    for i, p in enumerate(paragraphs):
        p.index = i
    nouns = find_proper_nouns(p.text for p in paragraphs)
    return Article(
        title=title,
        byline=byline,
        date=date,
        url=url,
        paragraphs=paragraphs,
        quotes=find_quotes(paragraphs, nouns),
        proper_nouns=nouns,
        source=Path(source) if source is not None else None,
    )


def _clean(text: str) -> str:
    """Collapse whitespace (non-breaking spaces included) to single spaces."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u200b", "")).strip()


# --------------------------------------------------------------------------
# Shared word lists
# --------------------------------------------------------------------------


def _word_set(words: str) -> frozenset[str]:
    """A set from whitespace-separated words, so long lists stay readable."""
    return frozenset(words.split())


STOP_WORDS = _word_set(
    """
    a about above after again against all also although am an and any are as at be
    because been before being below between both but by can could did do does doing
    down during each even ever every few for from further had has have having he her
    here hers herself him himself his how however i if in into is it its itself just
    least less like many may me might more most much must my myself neither never no
    nor not now of off on once only or other others our ours ourselves out over own
    per perhaps rather same several she should since so some still such than that
    the their theirs them themselves then there these they this those though through
    thus to too under until up upon us very via was we were what when where whether
    which while who whom whose why will with within without would yet you your yours
    yourself yourselves one two three first last many another instead meanwhile
    according unlike despite amid across toward towards onto beyond besides
    """
)

_MONTH_NAMES = [
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
]  # fmt: skip
MONTHS = {name: i for i, name in enumerate(_MONTH_NAMES, 1)} | {
    name[:3]: i for i, name in enumerate(_MONTH_NAMES, 1)
}
MONTHS["sept"] = 9
WEEKDAYS = _word_set(
    "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur "
    "thurs fri sat sun"
)

# Titles dropped from the front of a name ("President Vladimir Putin").
TITLES = _word_set(
    """
    mr mrs ms miss dr prof professor sir dame lord lady rev reverend fr father sister
    president vice prime minister foreign secretary general secretary-general ambassador
    senator sen rep representative governor gov mayor judge justice chancellor chief
    king queen prince princess pope bishop cardinal captain capt colonel col lieutenant
    lt sergeant sgt commander gen admiral deputy chair chairman chairwoman director
    """
)

# Abbreviations whose full stop does not end a sentence.
ABBREVIATIONS = _word_set(
    "mr mrs ms dr prof st sr jr gen gov sen rep col capt lt sgt rev fr vs etc no nos "
    "inc ltd co corp dept est approx fig mt ft"
) | frozenset(MONTHS)

# Head words of names that take an inner "of" / "for" ("University for Peace").
INSTITUTION_WORDS = _word_set(
    """
    university college school institute institution academy society association union
    league federation forum council committee commission board agency office ministry
    department bureau court republic kingdom state states empire principality bank fund
    foundation trust museum gallery library hospital church cathedral party movement
    front alliance coalition organization organisation centre center company
    corporation house chamber army navy corps order museum isle islands island sea gulf
    bay cape lake mount port city province county district strait straits duchy duke
    prince princess king queen secretary minister treaty declaration convention charter
    statue battle campaign network festival council conference summit embassy mission
    """
)
NAME_PARTICLES = _word_set("de da di del della der van von le la al bin ibn du dos")
CONNECTORS = frozenset({"of", "for"})

SPEECH_VERBS = (
    r"said|says|say|told|tells|added|adds|explained|explains|clarified|clarifies|noted|notes|"
    r"argued|argues|asked|asks|wrote|writes|recalled|recalls|warned|warns|insisted|insists|"
    r"stated|states|continued|continues|replied|replies|answered|answers|observed|observes|"
    r"remarked|remarks|admitted|admits|acknowledged|acknowledges|conceded|concedes|"
    r"declared|declares|announced|announces|tweeted|tweets|posted|posts|emphasized|"
    r"emphasised|stressed|stresses|suggested|suggests|agreed|agrees|joked|jokes|"
    r"predicted|predicts|concluded|concludes|commented|comments|responded|responds"
)

_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
_WORD = re.compile(r"[^\W_][\w’'-]*")


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _stop_density(words: list[str]) -> float:
    if not words:
        return 0.0
    return sum(w.lower() in STOP_WORDS for w in words) / len(words)


# --------------------------------------------------------------------------
# Plain text saved from a web page
# --------------------------------------------------------------------------

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


def _find_date(text: str) -> str | None:
    """The first full calendar date in ``text`` as ISO ``YYYY-MM-DD``."""
    m = re.search(r"\b(\d{4})-(\d{2})-(\d{2})\b", text)
    if m:
        return _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = re.search(r"\b([A-Z][a-z]{2,8})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b", text)
    if m and m.group(1).lower() in MONTHS:
        return _iso(int(m.group(3)), MONTHS[m.group(1).lower()], int(m.group(2)))
    m = re.search(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+([A-Z][a-z]{2,8})\.?,?\s+(\d{4})\b", text)
    if m and m.group(2).lower() in MONTHS:
        return _iso(int(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1)))
    return None


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return _date(year, month, day).isoformat()
    except ValueError:
        return None


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


# --------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split a leading ``---`` block of ``key: value`` lines from the body."""
    lines = text.lstrip("\ufeff").split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        return {}, text
    meta: dict[str, str] = {}
    for line in lines[1:end]:
        m = re.match(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$", line)
        if not m:
            continue  # nested or continued values are not needed here
        value = m.group(2).strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        meta[m.group(1).lower()] = value
    return meta, "\n".join(lines[end + 1 :])


def _inline_text(token: Any) -> tuple[str, bool]:
    """Plain text of an inline token and whether it is only links or images."""
    parts: list[str] = []
    in_link = 0
    outside = False
    for child in token.children or []:
        kind = child.type
        if kind == "link_open":
            in_link += 1
        elif kind == "link_close":
            in_link -= 1
        elif kind in ("text", "code_inline"):
            parts.append(child.content)
            if not in_link and child.content.strip():
                outside = True
        elif kind in ("softbreak", "hardbreak"):
            parts.append(" ")
    text = _clean("".join(parts))
    return text, not outside


def parse_markdown(text: str, source: Path | None = None) -> Article:
    """Parse a Markdown article with optional ``---`` front matter.

    The title comes from the front matter or the first ``#`` heading; deeper
    headings become each paragraph's ``heading``. Code blocks, images, raw HTML
    and paragraphs that are only links are dropped; inline markup is stripped.
    """
    from markdown_it import MarkdownIt

    meta, body = _front_matter(text)
    title = meta.get("title") or None
    byline = meta.get("author") or meta.get("authors") or meta.get("byline") or None
    if byline:
        byline = byline.strip("[]").replace('"', "").replace("'", "") or None
    date = _find_date(meta.get("date", ""))
    url = meta.get("url") or meta.get("canonical_url") or meta.get("permalink") or None

    tokens = MarkdownIt("commonmark").parse(body)
    paragraphs: list[Paragraph] = []
    heading: str | None = None
    pending_heading: int | None = None
    for token in tokens:
        if token.type == "heading_open":
            pending_heading = int(token.tag[1])
        elif token.type == "inline" and pending_heading is not None:
            words, _ = _inline_text(token)
            if pending_heading == 1 and not paragraphs and (title is None or words == title):
                title = title or words
            else:
                heading = words or heading
            pending_heading = None
        elif token.type == "inline":
            words, only_links = _inline_text(token)
            if words and not only_links:
                paragraphs.append(Paragraph(0, words, heading))
    return _finish(title, byline, date, url, paragraphs, source)


# --------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------


def parse_html(html: str | bytes, source: Path | None = None) -> Article:
    """Parse an HTML page, keeping only its main content (via trafilatura).

    Navigation, headers and footers, scripts, cookie banners, asides and
    figure captions are left out by trafilatura; ``<h2>``-and-deeper headings
    become each paragraph's ``heading``.
    """
    import trafilatura

    doc = trafilatura.bare_extraction(
        html,
        include_comments=False,
        include_tables=False,
        include_images=False,
        with_metadata=True,
    )
    if doc is None:
        return _finish(None, None, None, None, [], source)
    title = _clean(doc.title) if doc.title else None
    if title and doc.sitename:  # "Headline | Site Name" when the page has no og:title
        title = re.sub(rf"\s*[|–—-]\s*{re.escape(_clean(doc.sitename))}$", "", title) or title
    byline = _clean(doc.author) if doc.author else None
    date = _find_date(doc.date) if doc.date else None
    url = doc.url or None

    paragraphs: list[Paragraph] = []
    heading: str | None = None
    body = doc.body
    for element in body if body is not None else []:
        tag = element.tag
        text = _clean("".join(element.itertext()))
        if not text:
            continue
        if tag == "head":
            if text != title:
                heading = text
        elif tag == "list":
            for item in element.iter("item"):
                item_text = _clean("".join(item.itertext()))
                if item_text:
                    paragraphs.append(Paragraph(0, item_text, heading))
        elif tag in ("p", "quote"):
            paragraphs.append(Paragraph(0, text, heading))
    return _finish(title, byline, date, url, paragraphs, source)


# --------------------------------------------------------------------------
# Proper nouns
# --------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W_][\w’'-]*")
_DOTTED_ACRONYM = re.compile(r"\b((?:[A-Z]\.){2,})")


@dataclass
class _Token:
    text: str  # possessive ending removed
    raw: str  # as written, possessive included
    start: bool  # opens a sentence (or a quotation, or follows a colon)
    breaks_before: bool  # punctuation separates it from the previous word
    breaks_after: bool = False  # a hyphenated tail ("Tokyo-based") ends the name here
    possessive: bool = False


def _tokens(text: str) -> Iterator[_Token]:
    """Words of ``text`` with sentence starts and name breaks marked."""
    text = _DOTTED_ACRONYM.sub(lambda m: m.group(1).replace(".", "") + ".", text)
    prev_end = 0
    prev_word = ""
    for m in _TOKEN.finditer(text):
        gap = text[prev_end : m.start()]
        word = raw = m.group(0)
        prev_initial = len(prev_word) == 1 and prev_word.isupper()
        abbreviation = prev_word.lower() in ABBREVIATIONS or prev_initial
        ends_sentence = bool(re.search(r"[.!?…]", gap)) and not (
            abbreviation and re.fullmatch(r"\.\s*", gap)
        )
        start = prev_end == 0 or ends_sentence or bool(re.search(r"[:“\"(\[—–]\s*$", gap))
        soft = re.fullmatch(r"\s*", gap) or (
            (prev_word.lower() in TITLES or prev_initial) and re.fullmatch(r"\.\s*", gap)
        )
        prev_end, prev_word = m.end(), raw
        possessive = re.search(r"[’']s?$", word)
        if possessive:
            word = word[: possessive.start()]
        breaks_after = False
        parts = word.split("-")
        if len(parts) > 1 and not all(p[:1].isupper() or p.isdigit() for p in parts if p):
            lead = []
            for p in parts:
                if not p[:1].isupper():
                    break
                lead.append(p)
            if lead:
                word, breaks_after = "-".join(lead), True
        if word:
            yield _Token(word, raw, start, not soft, breaks_after, bool(possessive))


def _is_cap(word: str) -> bool:
    return word[:1].isupper() and not word.isdigit()


def _is_acronym(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(word) >= 2 and bool(letters) and all(c.isupper() for c in letters)


def find_proper_nouns(paragraphs: Iterable[str]) -> list[str]:
    """Names, places and acronyms in ``paragraphs``, most frequent first.

    A name is a run of capitalised words (with "of"/"for" inside an
    institution's name and particles such as "de"); titles and leading
    function words are dropped. A lone capitalised word at the start of a
    sentence counts only when the text also capitalises it mid-sentence.
    """
    texts = list(paragraphs)
    token_lists = [list(_tokens(t)) for t in texts]
    lower_words = {
        m.group(0).lower() for t in texts for m in _TOKEN.finditer(t) if m.group(0).islower()
    }
    mid_caps = {
        tok.text for toks in token_lists for tok in toks if _is_cap(tok.text) and not tok.start
    }

    def function_word(word: str) -> bool:
        """Stop words, months and weekdays ("Sundays" too); acronyms never are."""
        low = word.lower()
        if _is_acronym(word):
            return False
        return low in STOP_WORDS or low in MONTHS or low.rstrip("s") in WEEKDAYS

    def common(word: str) -> bool:
        """A word the text also writes in lower case, or a function word."""
        return function_word(word) or (word.lower() in lower_words and not _is_acronym(word))

    counts: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    spelled: dict[str, str] = {}

    def add(run: list[_Token]) -> None:
        words = [t.text for t in run]
        # Function words, titles and a sentence's opening common word start no name.
        while words and (
            function_word(words[0])
            or (words[0].lower() in TITLES and not _is_acronym(words[0]))
            or (run[0].start and common(words[0]))
        ):
            run, words = run[1:], words[1:]
            if run:  # the next word no longer opens the sentence
                run[0] = _Token(run[0].text, run[0].raw, False, False)
        while words and words[-1].lower() in CONNECTORS | NAME_PARTICLES:
            run, words = run[:-1], words[:-1]
        if not words:
            return
        if len(words) == 1:
            word = words[0]
            if len(word) < 2:
                return
            if run[0].start and not _is_acronym(word) and word not in mid_caps:
                return
        name = " ".join(words)
        key = name.lower()
        counts[key] += 1
        first_seen.setdefault(key, len(first_seen))
        spelled.setdefault(key, name)

    for toks in token_lists:
        run: list[_Token] = []
        i = 0
        while i < len(toks):
            tok = toks[i]
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            next_joins = nxt is not None and not nxt.breaks_before and _is_cap(nxt.text)
            if _is_cap(tok.text) and (not run or not tok.breaks_before):
                if tok.possessive:
                    # "Women's Forum", "People's Republic" go on; "Japan's envoy" ends.
                    inner = tok.text.lower() in lower_words or len(run) >= 1
                    if next_joins and inner:
                        run.append(_Token(tok.raw, tok.raw, tok.start, tok.breaks_before))
                    else:
                        add([*run, tok])
                        run = []
                else:
                    run.append(tok)
                    if tok.breaks_after:
                        add(run)
                        run = []
                i += 1
                continue
            # "of"/"for" inside an institution's name, particles inside a person's.
            low = tok.text.lower()
            joins = (
                run
                and not tok.breaks_before
                and next_joins
                and (
                    (low in CONNECTORS and run[-1].text.lower() in INSTITUTION_WORDS)
                    or low in NAME_PARTICLES
                )
            )
            if joins:
                run.append(tok)
                i += 1
                continue
            if run:
                add(run)
                run = []
            if not _is_cap(tok.text):
                i += 1
        if run:
            add(run)

    ranked = sorted(counts, key=lambda k: (-counts[k], first_seen[k]))
    return [spelled[k] for k in ranked]


# --------------------------------------------------------------------------
# Quotes
# --------------------------------------------------------------------------

_NAME = r"[A-Z][\w’'.-]*(?:\s+(?:(?:de|da|van|von|der|del|al|bin|le|la)\s+)?[A-Z][\w’'.-]*){0,3}"
_APPOSITIVE = r"(?:\s*,[^“”\".!?]{1,200}?,)?"
_VERB = rf"(?:{SPEECH_VERBS})"
_AFTER_NAME = re.compile(rf"^[\s,]*(?:according to\s+)?(?P<name>{_NAME}){_APPOSITIVE}\s+{_VERB}\b")
_AFTER_VERB_NAME = re.compile(rf"^[\s,]*{_VERB}\s+(?P<name>{_NAME})")
_AFTER_ACCORDING = re.compile(rf"^[\s,]*according to\s+(?P<name>{_NAME})")
_AFTER_PRONOUN = re.compile(rf"^[\s,]*(?:(?:he|she|they)\s+{_VERB}|{_VERB}\s+(?:he|she))\b")
_BEFORE_NAME = re.compile(
    rf"(?P<name>{_NAME}){_APPOSITIVE}\s+{_VERB}(?:\s+[a-z][\w’']*){{0,3}}\s*[,:]\s*$"
)
_BEFORE_PRONOUN = re.compile(rf"\b(?:he|she|they)\s+{_VERB}(?:\s+[a-z][\w’']*){{0,3}}\s*[,:]\s*$")
_SUBJECT = re.compile(rf"(?P<name>{_NAME}){_APPOSITIVE}\s+{_VERB}\b")
_QUOTED = re.compile(r"“(?P<curly>[^“”]+)”|(?<![\w])\"(?P<straight>[^\"]+)\"")


def _person(name: str) -> str | None:
    """Drop titles from ``name``; None when nothing name-like is left."""
    words = [w.rstrip(".") for w in name.split()]
    while words and words[0].lower() in TITLES:
        words = words[1:]
    if not words or words[0].lower() in STOP_WORDS or words[0].lower() in MONTHS:
        return None
    return " ".join(words)


def _canonical(name: str, nouns: list[str]) -> str:
    """Map a surname to the one full name in the article that ends with it."""
    if " " in name:
        return name
    fuller = {
        n
        for n in nouns
        if n.endswith(" " + name)
        and 2 <= len(n.split()) <= 4
        and all(w[:1].isupper() and w.lower() not in INSTITUTION_WORDS for w in n.split())
    }
    return fuller.pop() if len(fuller) == 1 else name


def _speaker(text: str, start: int, end: int, nouns: list[str]) -> tuple[str | None, bool]:
    """Speaker of the quote at ``text[start:end]``; second item: found by a pronoun.

    A quote closed by a full stop is a whole sentence, so the words after it
    start a new sentence and do not attribute it.
    """
    after = text[end:] if not text[start + 1 : end - 1].rstrip().endswith(".") else ""
    before = text[:start]
    for pattern in (_AFTER_ACCORDING, _AFTER_NAME, _AFTER_VERB_NAME):
        m = pattern.match(after)
        if m:
            name = _person(m.group("name"))
            if name:
                return _canonical(name, nouns), False
    if _AFTER_PRONOUN.match(after) or _BEFORE_PRONOUN.search(before):
        subjects = [_person(m.group("name")) for m in _SUBJECT.finditer(before)]
        subjects = [s for s in subjects if s]
        return (_canonical(subjects[-1], nouns) if subjects else None), True
    m = _BEFORE_NAME.search(before)
    if m:
        name = _person(m.group("name"))
        if name:
            return _canonical(name, nouns), False
    return None, False


def find_quotes(paragraphs: list[Paragraph], nouns: list[str] | None = None) -> list[Quote]:
    """Quotations of at least ``MIN_QUOTE_WORDS`` words, with their speakers.

    Curly and straight double quotes are both read. A speaker is a name
    beside a speech verb ("…,” Ishikane said; said Ishikane; Ishikane said,
    “…”); a pronoun ("she said") is resolved to the last named subject of a
    speech verb before it in the paragraph, or else to the previous quote's
    speaker. A second piece of the same quote inherits the first one's speaker.
    """
    nouns = nouns or []
    quotes: list[Quote] = []
    last_speaker: str | None = None
    for para in paragraphs:
        text = para.text
        prev: tuple[int, str | None] | None = None  # end of previous quote, its speaker
        for m in _QUOTED.finditer(text):
            body = m.group("curly") if m.group("curly") is not None else m.group("straight")
            body = body.strip().rstrip(",;: ")
            if len(_words(body)) < MIN_QUOTE_WORDS:
                continue
            speaker, by_pronoun = _speaker(text, m.start(), m.end(), nouns)
            if by_pronoun and speaker is None:
                speaker = last_speaker
            continued = prev is not None and len(_words(text[prev[0] : m.start()])) <= 20
            if speaker is None and continued and prev is not None:
                speaker = prev[1]
            quotes.append(Quote(body, speaker, para.index))
            prev = (m.end(), speaker)
            if speaker is not None:
                last_speaker = speaker
    return quotes
