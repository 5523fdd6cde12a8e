"""No script a show's input carries runs on any page, or survives into the feed or the notes.

The payloads are tests/data/bad/xss/payloads.txt: script tags, event-handler
attributes, frames, ``javascript:``, ``data:`` and ``vbscript:`` URLs with
case, entity and whitespace tricks, attribute and element breakouts, Markdown
links and template syntax that must stay literal. Each one that could run
calls ``alert(n)`` or sets ``window.__xss = n``, ``n`` its number.

Two sites are built:

- **the built show**: a show folder whose every text field holds payloads
  (``show.toml``, three ``episode.toml``: titles, descriptions, names, roles,
  groups, chapter titles, copyright, funding, licence, location, seasons, ...),
  with an article of each shape (text, Markdown, HTML) made hostile, and the
  transcript's speakers and one segment set to payloads; built by the real
  pipeline from the stored sample transcript (no model runs);
- **the template variables**: the same show with every URL a template
  prints (person ``href`` and ``img``, ``link``, funding, licence, chapter
  links and images, the article's URL) set to the URL payloads behind the
  loader's back, rendered by the real renderers: the templates must make
  them harmless whatever reaches them.

Every page of both is opened in Chromium: no dialog opens, ``window.__xss``
stays unset, no element has an ``on*`` attribute, a ``srcdoc``, a frame, or a
link or source whose scheme the browser reads as anything but http(s),
mailto or podcast, and the only scripts are the site's own. The feed (parsed)
and the notes (rendered by a lenient Markdown reader) are held to the same.
Each text payload must come back on a page and in the feed as the same
literal text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import re
import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import feedparser
import pytest
from markdown_it import MarkdownIt

from toolkit import pipeline
from toolkit.article import parse_html, parse_markdown, parse_text
from toolkit.chapters.model import Chapter
from toolkit.config import Funding, License, Person, load_show
from toolkit.render import render_episode, render_show, render_transcripts
from toolkit.render.environment import markdown_html, md_markdown
from toolkit.render.sanitize import safe_url, sanitize_html
from toolkit.transcribe.transcript import Transcript, Word

from .feedkit import NS, rich_jobs
from .helpers import DATA, ROOT, SAMPLE_SLUG, STORED_TRANSCRIPT, serving
from .test_pages import browser  # noqa: F401 (fixture)

PAYLOADS_FILE = DATA / "bad" / "xss" / "payloads.txt"


@dataclass(frozen=True)
class Payload:
    n: int
    kind: str  # "text" or "url"
    text: str

    def __str__(self) -> str:
        return f"{self.n}-{self.kind}"


def load_payloads() -> list[Payload]:
    out: list[Payload] = []
    for line in PAYLOADS_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, raw = line.split("\t", 1)
        assert kind in ("text", "url"), line
        out.append(Payload(len(out) + 1, kind, raw.replace("XSSID", str(len(out) + 1))))
    return out


PAYLOADS = load_payloads()
TEXT = [p for p in PAYLOADS if p.kind == "text"]
URLS = [p for p in PAYLOADS if p.kind == "url"]
ALL_TEXT = "\n\n".join(p.text for p in TEXT)


def test_the_corpus_has_what_the_issue_asks_for():
    assert len(PAYLOADS) >= 15
    joined = "\n".join(p.text for p in PAYLOADS).lower()
    for needle in ("<script", "onerror=", "onload=", "srcdoc", "javascript:", "data:", "vbscript:",
                   "&#106;avascript", '">', "{{ 7*7 }}", "](javascript:"):  # fmt: skip
        assert needle in joined, needle


# --- what is harmful, judged independently of the code under test ----------------
#: A scheme as a browser reads it: after dropping ASCII whitespace and controls.
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
BANNED_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "base",
               "svg", "math", "img", "style", "form", "meta", "link", "textarea"}  # fmt: skip


def scheme_of(url: str) -> str | None:
    m = _SCHEME.match(re.sub(r"[\x00-\x20]", "", html.unescape(url)).lower())
    return m.group(1) if m else None


class _Html(HTMLParser):
    """Every problem in an HTML fragment (a feed's notes, rendered Markdown notes)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BANNED_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in ("srcdoc", "formaction", "xlink:href", "style"):
                self.problems.append(f"<{tag} {name}>")
            if name in ("href", "src", "action") and scheme_of(value or "") not in (
                None,
                "http",
                "https",
                "mailto",
            ):
                self.problems.append(f"<{tag} {name}={value!r}>")


def html_problems(fragment: str) -> list[str]:
    parser = _Html()
    parser.feed(fragment)
    parser.close()
    return parser.problems


#: How a lenient reader renders the notes: raw HTML on, every link taken as a link.
LENIENT = MarkdownIt("commonmark", {"html": True})
LENIENT.validateLink = lambda url: True


def feed_problems(xml: str) -> list[str]:
    """What in a feed could run: in the HTML notes, or as a URL an app would open."""
    root = ET.fromstring(xml.encode("utf-8"))
    problems = []
    for el in root.iter():
        for name in ("href", "url", "img", "image", "uri"):
            value = el.get(name)
            if value is not None and scheme_of(value) not in ("http", "https", "mailto"):
                problems.append(f"{el.tag} {name}={value!r}")
        if el.tag == "link" and scheme_of(el.text or "") not in ("http", "https"):
            problems.append(f"<link>{el.text!r}")
    for notes in root.iter(f"{{{NS['content']}}}encoded"):
        problems += html_problems(notes.text or "")
    return problems


def feed_texts(xml: str) -> str:
    """Every text and attribute value of a parsed feed, one per line."""
    root = ET.fromstring(xml.encode("utf-8"))
    out = []
    for el in root.iter():
        out.append(el.text or "")
        out.extend(el.attrib.values())
    return "\n".join(out)


def plain(fragment: str) -> str:
    """The text of an HTML fragment."""
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


def flat(text: str) -> str:
    return " ".join(text.split())


# --- the hostile show ---------------------------------------------------------------
def toml(value: Any) -> str:
    """A TOML value (JSON's string escapes are TOML's)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {toml(v)}" for k, v in value.items()) + " }"
    raise TypeError(value)


def toml_document(data: dict[str, Any]) -> str:
    """Top-level keys first, then one ``[table]`` or ``[[array]]`` per nested value."""
    lines = [f"{k} = {toml(v)}" for k, v in data.items() if not _table(v)]
    for k, v in data.items():
        if isinstance(v, dict) and _table(v):
            lines += ["", f"[{k}]"] + [f"{json.dumps(kk)} = {toml(vv)}" for kk, vv in v.items()]
        elif isinstance(v, list) and _table(v):
            for item in v:
                lines += ["", f"[[{k}]]"] + [f"{kk} = {toml(vv)}" for kk, vv in item.items()]
    return "\n".join(lines) + "\n"


def _table(v: Any) -> bool:
    return (isinstance(v, dict) and v != {}) or (
        isinstance(v, list) and bool(v) and all(isinstance(i, dict) for i in v)
    )


class Slots:
    """Text payloads handed out to fields: the first ``len(TEXT)`` calls use each once."""

    def __init__(self) -> None:
        self.i = 0

    def __call__(self) -> str:
        payload = TEXT[self.i % len(TEXT)]
        self.i += 1
        return payload.text


ARTICLE_SHAPES = {"txt": "article.txt", "md": "article.md", "html": "article.html"}


def sample_paragraphs() -> list[str]:
    text = (ROOT / "episodes" / SAMPLE_SLUG / "article.txt").read_text(encoding="utf-8")
    return [p for p in text.split("\n") if len(p) > 120]


def hostile_article(shape: str, take: Slots) -> str:
    """The sample's article in ``shape``, with payloads in its title, byline, URL and body."""
    paragraphs = sample_paragraphs()
    body = paragraphs[:4] + [f"Here is {p.text} in the middle of a sentence." for p in TEXT]
    body += paragraphs[4:]
    if shape == "txt":
        return "\n\n".join([f"Japan Faults the Council {take()}", f"By {take()}", *body]) + "\n"
    if shape == "md":
        front = "\n".join(
            ["---", f"title: Japan Faults the Council {take()}", f"author: {take()}",
             f"url: {URLS[0].text}", "---", ""]
        )  # fmt: skip
        raw = "\n\n".join(p.text for p in TEXT)  # raw HTML blocks and Markdown links
        return front + "\n\n".join(paragraphs[:4] + [raw] + paragraphs[4:]) + "\n"
    escaped = "".join(f"<p>{html.escape(p)}</p>\n" for p in body)
    raw = "".join(f"<p>{p.text}</p>\n" for p in TEXT)  # as markup, not text
    title = html.escape(f"Japan Faults the Council {take()}")
    return (
        "<!DOCTYPE html><html><head>"
        f"<title>{title}</title>"
        f'<link rel="canonical" href="{html.escape(URLS[1].text)}">'
        f'<meta property="og:url" content="{html.escape(URLS[2].text)}">'
        f'<meta name="author" content="{html.escape(take())}">'
        '<script>alert("head")</script></head><body>'
        f'<article><h1>{title}</h1><p class="byline" onclick="alert(1)">By someone</p>'
        f"{escaped}<h2>{html.escape(take())}</h2>{raw}"
        f'<p><a href="javascript:alert(2)">A link</a> <img src=x onerror="alert(3)"></p>'
        "</article></body></html>"
    )


def write_hostile_show(root: Path) -> tuple[list[str], list[str]]:
    """The hostile show folder; returns the speaker names and the transcript payload."""
    take = Slots()
    primary = {  # the fields every page, and the feed, show: each text payload once
        "title": take(),
        "author": take(),
        "copyright": take(),
    }
    episodes = []
    for i, shape in enumerate(ARTICLE_SHAPES):
        episodes.append(
            {
                "title": take(),
                "hosts": [{"name": take(), "role": take()}],
                "guests": [{"name": take(), "role": take()}],
                "chapters": [{"start": s, "title": take()} for s in (0, 40, 90, 140)],
                "shape": shape,
                "number": i + 1,
            }
        )
    speakers = [take(), take()]
    season_name = take()
    assert take.i >= len(TEXT), "more text payloads than page fields: add fields"
    show = {
        **primary,
        "description": ALL_TEXT,
        "language": "en",
        "base_url": "http://127.0.0.1:8000/",
        "image": "cover.jpg",
        "categories": ["News/Politics"],
        "explicit": False,
        "link": "https://example.org/?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
        "hosts": [{"name": take(), "role": take(), "group": take()}],
        "locked": False,
        "funding": [{"url": "https://example.org/fund", "text": take()}],
        "license": {"identifier": take(), "url": "https://example.org/licence"},
        "txt": [{"text": ALL_TEXT, "purpose": take()}],
        "location": {"name": take()},
        "value": {
            "recipients": [
                {
                    "name": take(),
                    "type": "node",
                    "address": take(),
                    "split": 100,
                    "custom_key": take(),
                    "custom_value": take(),
                }
            ]
        },  # fmt: skip
        "seasons": {"1": season_name},
        "owner": {"name": take(), "email": "owner@example.org"},
        "transcription": {"model": "base", "language": "en"},
        "alignment": {"acoustic_check": False},
        "speakers": {"enabled": False},
    }
    root.mkdir(parents=True)
    shutil.copy(ROOT / "cover.jpg", root / "cover.jpg")
    (root / "show.toml").write_text(toml_document(show), encoding="utf-8")
    for ep in episodes:
        shape = ep.pop("shape")
        folder = root / "episodes" / f"00{ep['number']}-{shape}"
        folder.mkdir(parents=True)
        shutil.copy(ROOT / "episodes" / SAMPLE_SLUG / "audio.mp3", folder / "audio.mp3")
        article = ARTICLE_SHAPES[shape]
        (folder / article).write_text(hostile_article(shape, take), encoding="utf-8")
        data = {
            **{k: v for k, v in ep.items() if k != "chapters"},
            "season": 1,
            "type": "full",
            "date": dt.datetime(2023, 1, 10 + ep["number"], 9, tzinfo=dt.UTC),
            "description": ALL_TEXT,
            "audio": "audio.mp3",
            "article": article,
            "guid": f"{take()} {ep['number']}",
            "keywords": [take(), take()],
            "chapters": ep["chapters"],
        }
        (folder / "episode.toml").write_text(toml_document(data), encoding="utf-8")
    return speakers, [take()]


def hostile_stages(speakers: list[str], said: str):
    """The build's stages with the stored transcript, its speakers and one segment hostile."""
    from toolkit.pipeline import stages

    def stored(job, ctx, folder):
        transcript = Transcript.load(STORED_TRANSCRIPT)
        for i, seg in enumerate(transcript.segments):
            seg.speaker = speakers[(i // 6) % len(speakers)]
        seg = transcript.segments[3]
        seg.text = f" {said}"
        seg.words = [Word(seg.start, seg.end, f" {said}", 1.0)]
        job.transcript = transcript
        job.transcript_outcome = "plain"
        stages.save_transcript(folder / stages.FULL_TRANSCRIPT, job.transcript)
        return stages.Record(files=[stages.FULL_TRANSCRIPT], action="stored transcript")

    return [replace(s, run=stored) if s.name == "transcribe" else s for s in stages.STAGES]


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".toolkit" not in p.parts
    }


@dataclass
class Built:
    show_dir: Path
    site: Path
    speakers: list[str]
    said: str


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    show_dir = tmp_path_factory.mktemp("xss") / "show"
    speakers, (said,) = write_hostile_show(show_dir)
    before = tree_digest(show_dir)
    out = tmp_path_factory.mktemp("xss-site")
    stages = hostile_stages(speakers, said)
    pipeline.build(show_dir, pipeline.BuildOptions(output=out, progress=False), stages=stages)
    assert tree_digest(show_dir) == before, "a source file of the show changed"
    return Built(show_dir, out, speakers, said)


@pytest.fixture(scope="module")
def templated(built, tmp_path_factory) -> Path:
    """The hostile show with every URL a template prints set to a URL payload, rendered."""
    urls = iter(p.text for p in URLS * 4)
    show = load_show(built.show_dir)
    people = [
        Person.model_construct(name=p.name, role=p.role, group=p.group, href=next(urls),
                               img=next(urls), voice=None)
        for p in show.hosts
    ]  # fmt: skip
    show = show.model_copy(
        update={
            "link": next(urls),
            "hosts": people,
            "funding": [Funding.model_construct(url=next(urls), text="Fund us")],
            "license": License.model_construct(identifier="cc-by-4.0", url=next(urls)),
        }
    )
    jobs = rich_jobs(show)
    articles = [
        parse_markdown(hostile_article("md", Slots())),
        parse_html(hostile_article("html", Slots())),
    ]
    for job, article in zip(jobs, articles, strict=True):
        article.url = next(urls)  # past the reader's own check: the templates must hold
        job.article = article
        guest = Person.model_construct(
            name="A guest", role="guest", group=None, href=next(urls), img=next(urls), voice=None
        )
        job.episode = job.episode.model_copy(
            update={"article_url": next(urls), "hosts": people, "guests": [guest]}
        )
        job.chapters = [
            Chapter(0.0, "One", 30.0, url=next(urls), img=next(urls)),
            Chapter(30.0, "Two", None, url=next(urls), img=next(urls)),
        ]
    site = tmp_path_factory.mktemp("xss-templated")
    for name, text in render_show(show, jobs).items():
        (site / name).write_text(text, encoding="utf-8")
    for job in jobs:
        folder = site / job.episode.slug
        folder.mkdir()
        for name, text in {**render_episode(show, job), **render_transcripts(show, job)}.items():
            (folder / name).write_text(text, encoding="utf-8")
    return site


# What every page is held to, in the browser: the browser's own URL parser says
# what a link's scheme is.
DOM_CHECK = """() => {
  const problems = [], links = [];
  const linkOk = new Set(["http:", "https:", "mailto:", "podcast:"]);
  const loadOk = new Set(["http:", "https:"]);
  const banned = ["iframe", "frame", "frameset", "object", "embed", "applet", "base", "math",
                  "style", "textarea", "img"];
  for (const el of document.querySelectorAll("*")) {
    const tag = el.localName;
    const own = ["cover", "thumb", "avatar"].some(c => el.classList.contains(c));
    if (banned.includes(tag) && !(tag === "img" && own)) problems.push("element " + tag);
    if (tag === "svg" && !el.classList.contains("waveform")) problems.push("svg");
    if (tag === "form" && el.id !== "search") problems.push("form");
    if (tag === "meta" && el.httpEquiv) problems.push("meta http-equiv");
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      if (name.startsWith("on") || ["srcdoc", "formaction", "xlink:href"].includes(name))
        problems.push(tag + " " + name);
      if (["href", "src", "action", "poster", "data"].includes(name)) {
        links.push(a.value);
        let protocol;
        try { protocol = new URL(a.value, document.baseURI).protocol; }
        catch (e) { protocol = "unparsable:"; }
        const ok = name === "href" && tag === "a" ? linkOk : loadOk;
        if (!ok.has(protocol)) problems.push(tag + " " + name + "=" + a.value);
      }
    }
    if (tag === "script") {
      const own = el.src && new URL(el.src).pathname.endsWith("/player.js");
      const data = el.type === "application/ld+json";
      if (!own && !data) problems.push("script " + el.outerHTML.slice(0, 100));
      if (data) {
        try { JSON.parse(el.textContent); } catch (e) { problems.push("ld+json: " + e); }
      }
    }
  }
  return {problems, links, text: document.body ? document.body.textContent : "",
          xss: window.__xss === undefined ? null : String(window.__xss)};
}"""


@dataclass
class Visit:
    url: str
    dialogs: list[str]
    xss: str | None
    problems: list[str]
    links: list[str]
    text: str


def visit(browser, url: str) -> Visit:  # noqa: F811
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []

    def on_dialog(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(url, wait_until="load")
    # Hover and focus everything, open every <details>: what a reader would do.
    page.evaluate(
        """() => { for (const el of document.querySelectorAll('body *')) {
            for (const type of ['mouseover', 'mouseenter', 'focus', 'pointerover'])
              el.dispatchEvent(new Event(type, {bubbles: true}));
            if (el.localName === 'details') el.open = true; } }"""
    )
    page.wait_for_timeout(300)
    found = page.evaluate(DOM_CHECK)
    xss = page.evaluate("window.__xss === undefined ? null : String(window.__xss)")
    context.close()
    return Visit(url, dialogs, xss, found["problems"], found["links"], found["text"])


def site_pages(site: Path) -> list[str]:
    """Every page: the index, the episodes' pages and their HTML transcripts."""
    return [str(p.relative_to(site)) for p in sorted(site.rglob("*.html"))]


@pytest.fixture(scope="module")
def visits(built, templated, browser) -> dict[str, list[Visit]]:  # noqa: F811
    out = {}
    for name, site in (("built", built.site), ("templated", templated)):
        for base in serving(site):
            out[name] = [visit(browser, base + page) for page in site_pages(site)]
    return out


# --- the tests ----------------------------------------------------------------------
@pytest.mark.parametrize("site", ["built", "templated"])
def test_nothing_runs_on_any_page(visits, site):
    pages = visits[site]
    assert len(pages) >= 5  # the index, the episodes' pages, their HTML transcripts
    for v in pages:
        assert v.dialogs == [], (v.url, v.dialogs)
        assert v.xss is None, (v.url, v.xss)
        assert v.problems == [], (v.url, v.problems)


@pytest.mark.parametrize("payload", TEXT, ids=str)
def test_a_text_payload_comes_back_as_its_own_text(visits, built, payload):
    """On a page (outside any attribute), and in the feed: the same characters, not markup."""
    wanted = flat(payload.text)
    assert any(wanted in flat(v.text) for v in visits["built"]), payload.text
    feed = (built.site / "feed.xml").read_text(encoding="utf-8")
    assert wanted in flat(feed_texts(feed)), payload.text


@pytest.mark.parametrize("payload", URLS, ids=str)
def test_a_url_payload_never_reaches_a_link(visits, templated, payload):
    """A URL a browser would not read as http(s) is emptied; an http(s) one passes as given."""
    links = [link for v in visits["templated"] for link in v.links]
    feed = (templated / "feed.xml").read_text(encoding="utf-8")
    feed_links = [
        v for el in ET.fromstring(feed.encode()).iter() for k, v in el.attrib.items()
        if k in ("href", "url", "img", "image", "uri")
    ]  # fmt: skip
    if scheme_of(payload.text) in ("http", "https"):
        assert payload.text in links + feed_links  # as given, escaped where printed
    else:
        assert payload.text not in links and payload.text not in feed_links
        assert safe_url(payload.text) == ""


@pytest.mark.parametrize("site", ["built", "templated"])
def test_the_feed_carries_no_script_and_no_unsafe_url(built, templated, site):
    folder = built.site if site == "built" else templated
    xml = (folder / "feed.xml").read_text(encoding="utf-8")
    assert feed_problems(xml) == []
    parsed = feedparser.parse(xml)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert len(parsed.entries) >= 2
    root = ET.fromstring(xml.encode("utf-8"))
    notes = [n.text or "" for n in root.iter(f"{{{NS['content']}}}encoded")]
    assert len(notes) == len(parsed.entries)
    if site == "built":  # the description's payloads are there, as text
        assert all("&lt;script&gt;alert(1)&lt;/script&gt;" in n for n in notes)


@pytest.mark.parametrize("site", ["built", "templated"])
def test_the_notes_carry_no_script_and_no_unsafe_link(built, templated, site):
    folder = built.site if site == "built" else templated
    notes = sorted(folder.glob("*/notes.md"))
    assert len(notes) >= 2
    for path in notes:
        rendered = LENIENT.render(path.read_text(encoding="utf-8"))
        assert html_problems(rendered) == [], path
    if site == "built":  # the names come back as text
        texts = [flat(plain(LENIENT.render(p.read_text(encoding="utf-8")))) for p in notes]
        for name in built.speakers:
            assert any(flat(name) in t for t in texts), name


def test_the_built_show_had_every_kind_of_article_and_hostile_speakers(built, visits):
    episodes = sorted(built.site.glob("*/index.html"))
    assert len(episodes) == len(ARTICLE_SHAPES)
    for page in episodes:
        text = page.read_text(encoding="utf-8")
        assert 'class="article-map"' in text, page  # the article was read and shown
        assert 'class="speaker"' in text, page  # hostile names as speakers
    assert any(flat(built.said) in flat(v.text) for v in visits["built"])


# --- the pieces on their own: one test per payload ----------------------------------
@pytest.mark.parametrize("payload", PAYLOADS, ids=str)
def test_markdown_of_a_payload_is_safe_html(payload):
    assert html_problems(str(markdown_html(payload.text))) == []
    assert html_problems(sanitize_html(payload.text)) == []
    assert html_problems(LENIENT.render(md_markdown(payload.text))) == []


@pytest.mark.parametrize("payload", URLS, ids=str)
def test_an_article_s_url_must_be_http(payload):
    md = f"---\ntitle: T\nurl: {payload.text}\n---\n\n" + "\n\n".join(sample_paragraphs()[:3])
    page = (
        f'<html><head><link rel="canonical" href="{html.escape(payload.text)}"></head><body>'
        + "".join(f"<p>{html.escape(p)}</p>" for p in sample_paragraphs()[:3])
        + "</body></html>"
    )
    for article in (parse_markdown(md), parse_html(page)):
        assert article.paragraphs
        if scheme_of(payload.text) not in ("http", "https"):
            assert article.url is None, article.url
        else:  # kept as given, or made safe (a page's URL is percent-encoded)
            assert article.url is None or not re.search(r"[\s\"'<>]", article.url), article.url


def test_an_article_keeps_an_http_url():
    body = "\n\n".join(sample_paragraphs()[:3])
    md = parse_markdown(f"---\nurl: https://example.org/story?a=1\n---\n\n{body}")
    txt = parse_text(f"Headline here\nurl: https://example.org/story\n\n{body}")
    page = parse_html(
        '<html><head><link rel="canonical" href="https://example.org/page"></head><body>'
        + "".join(f"<p>{html.escape(p)}</p>" for p in sample_paragraphs()[:3])
        + "</body></html>"
    )
    assert md.url == "https://example.org/story?a=1"
    assert txt.url == "https://example.org/story"
    assert page.url == "https://example.org/page"
