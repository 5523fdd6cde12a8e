"""The renderers on small hand-made jobs: URLs and guids, people, translations, overrides.

The sample show's own output is held to the golden files by
tests/test_render_sample.py; these cover what the sample does not have.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from markdown_it import MarkdownIt

from toolkit.article.model import Article
from toolkit.article.model import Paragraph as ArticleParagraph
from toolkit.chapters.model import Chapter
from toolkit.config import load_episodes, load_show
from toolkit.paths import default_templates_dir
from toolkit.pipeline.job import EpisodeJob, PublishedAudio
from toolkit.render import podcast_guid, render_episode, render_show, render_transcripts
from toolkit.render.contexts import cover_name, episode_view, show_view
from toolkit.render.transcripts import WRITERS, paragraphs
from toolkit.transcribe.transcript import Transcript

from .helpers import DATA, ROOT, SAMPLE_SLUG, STORED_TRANSCRIPT

PODCAST = "{https://podcastindex.org/namespace/1.0}"
GOLDEN_SAMPLE = DATA / "golden" / "sample" / SAMPLE_SLUG


@pytest.fixture
def show():
    return load_show(ROOT)


@pytest.fixture
def job(show) -> EpisodeJob:
    """The sample episode with a short transcript (Host and Guest), no article."""
    (episode,) = load_episodes(ROOT)
    job = EpisodeJob(
        show, episode, transcript=Transcript.load(DATA / "golden" / "transcript.full.json")
    )
    job.audio = PublishedAudio(f"{episode.slug}.mp3", "audio/mpeg", 1234, 33.0)
    return job


def with_transcript_files(show, job: EpisodeJob) -> EpisodeJob:
    files = render_transcripts(show, job)
    job.transcript_files = files.transcript_files
    job.translation_files = files.translation_files
    return job


def test_guid_is_episode_toml_s_else_the_assigned_one_never_a_url(show, job):
    assert episode_view(show, job).guid == "un-desk-2023-001-japan-security-council"
    job.episode = job.episode.model_copy(update={"guid": None})
    with pytest.raises(ValueError, match="no guid"):
        episode_view(show, job)
    job.guid = "assigned-by-the-build"
    folder = f"{show.base_url}{job.slug}/"
    view = episode_view(show, job)
    assert view.guid == "assigned-by-the-build"
    assert view.folder_url == view.page_url == folder
    assert view.audio_url == folder + f"{job.slug}.mp3"
    moved = show.model_copy(update={"base_url": "https://elsewhere.example/pod/"})
    assert episode_view(moved, job).guid == "assigned-by-the-build"


def test_podcast_guid_matches_the_namespace_example():
    # The Podcasting 2.0 namespace's own example (podnews.net).
    assert podcast_guid("https://podnews.net/rss") == "9b024349-ccf0-5f69-a609-6b82873eab3c"
    assert podcast_guid("http://podnews.net/rss/") == podcast_guid("https://podnews.net/rss")


def test_people_get_their_roles(show, job):
    names = {p.name: p.role for p in episode_view(show, job).people}
    assert names == {"Maya Okafor": "host", "Daniel Reyes": "guest"}
    job.episode = job.episode.model_copy(update={"hosts": [], "guests": []})
    show = show.model_copy(update={"hosts": [show.hosts[0].model_copy(update={"role": None})]})
    assert [(p.name, p.role) for p in episode_view(show, job).people] == [("Maya Okafor", "host")]
    assert [p.role for p in show_view(show).hosts] == ["host"]


def test_show_without_cover_art_has_no_image(show, job):
    bare = show.model_copy(update={"image": None, "categories": ["Arts"]})
    assert cover_name(bare) is None
    assert show_view(bare).image is None and show_view(bare).image_url is None
    feed = render_show(bare, [with_transcript_files(bare, job)])["feed.xml"]
    assert "itunes:image" not in feed and "<image>" not in feed
    assert '<itunes:category text="Arts"/>' in feed
    assert cover_name(show) == "cover.jpg"


def test_episode_without_published_audio_is_refused(show, job):
    job.audio = None
    with pytest.raises(ValueError, match="no published audio"):
        render_episode(show, job)


def test_translation_files_are_rendered_listed_and_linked(show, job):
    job.translation = job.transcript
    files = render_transcripts(show, job)
    assert files.transcript_files == {fmt: f"transcript.{fmt}" for fmt in WRITERS}
    assert files.translation_files == {fmt: f"transcript.en.{fmt}" for fmt in WRITERS}
    assert sorted(files) == sorted(
        [*files.transcript_files.values(), *files.translation_files.values()]
    )
    assert files["transcript.en.vtt"] == files["transcript.vtt"]
    assert job.transcript_files == {} and job.translation_files == {}  # the job is not changed

    with_transcript_files(show, job)
    page = render_episode(show, job)["index.html"]
    assert '<a href="transcript.en.srt" hreflang="en">SRT</a>' in page
    feed = ET.fromstring(render_show(show, [job])["feed.xml"])
    entries = [
        (t.get("url", "").rsplit("/", 1)[1], t.get("language"))
        for t in feed.iter(f"{PODCAST}transcript")
    ]
    listed = ["vtt", "srt", "json", "html"]  # plain text is on the page only
    assert entries == [(f"transcript.{fmt}", "en") for fmt in listed] + [
        (f"transcript.en.{fmt}", "en") for fmt in listed
    ]


def test_transcript_language_is_the_transcript_s(show, job):
    job.transcript.language = "de"
    job.translation = job.transcript
    with_transcript_files(show, job)
    view = episode_view(show, job)
    assert {f.language for f in view.transcript_files} == {"de"}
    assert {f.language for f in view.translation_files} == {"en"}
    assert [f.captions for f in view.feed_transcripts[:2]] == [True, False]  # VTT, SRT


def test_missing_transcript_is_refused(show, job):
    job.transcript = None
    with pytest.raises(ValueError, match="no transcript"):
        render_transcripts(show, job)


def test_show_files_are_feed_index_and_the_stylesheet_and_script_as_they_are(show, job):
    files = render_show(show, [with_transcript_files(show, job)])
    assert set(files) == {"feed.xml", "index.html", "style.css", "player.js"}
    for name in ("style.css", "player.js"):
        assert files[name] == (default_templates_dir() / name).read_text(encoding="utf-8")


def test_a_show_overrides_one_block_of_a_packaged_template(show, job, tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "episode.html").write_text(
        '{% extends "default:episode.html" %}\n'
        '{% block soundbites %}<p class="bites">{{ ep.soundbites | length }} bites, '
        "{{ ep.people | map(attribute='role') | join('+') }}</p>{% endblock %}\n",
        encoding="utf-8",
    )
    (tmp_path / "templates" / "notes.md").write_text("# {{ ep.title }} ({{ show.title }})\n")
    own = show.model_copy(update={"root": tmp_path})
    files = render_episode(own, with_transcript_files(own, job))
    assert '<p class="bites">0 bites, host+guest</p>' in files["index.html"]
    assert "<h2>Chapters</h2>" not in files["index.html"]  # no chapters in this job
    assert '<audio id="player"' in files["index.html"]  # the rest is the packaged page
    assert files["notes.md"] == f"# {job.episode.title} ({show.title})\n"


# --- the transcript by speaker turn, people, speakers, quotes and notes --------------
GROUND_TRUTH = json.loads((ROOT / "tools" / "sample_episode" / "ground_truth.json").read_text())


def set_ground_truth_speakers(transcript: Transcript) -> Transcript:
    """Each segment's speaker: the sample's script line it overlaps most (who really speaks)."""
    lines = GROUND_TRUTH["lines"]
    for seg in transcript.segments:
        line = max(lines, key=lambda ln: min(seg.end, ln["end"]) - max(seg.start, ln["start"]))
        seg.speaker = line["speaker"]
    return transcript


@pytest.fixture
def sample_job(show) -> EpisodeJob:
    """The whole sample transcript (base), its chapters, with who speaks from the script."""
    (episode,) = load_episodes(ROOT)
    transcript = set_ground_truth_speakers(Transcript.load(STORED_TRANSCRIPT))
    job = EpisodeJob(show, episode, transcript=transcript)
    job.audio = PublishedAudio(f"{episode.slug}.mp3", "audio/mpeg", 1234, 194.77)
    chapters = json.loads((GOLDEN_SAMPLE / "chapters.json").read_text())["chapters"]
    job.chapters = [Chapter(c["startTime"], c["title"], c["endTime"]) for c in chapters]
    return with_transcript_files(show, job)


def test_transcript_paragraphs_are_the_transcript_files_split_at_chapters(show, sample_job):
    view = episode_view(show, sample_job)
    paras = view.transcript
    # Every spoken segment once, in order.
    spoken = [seg for seg in view.segments if seg.text.strip()]
    assert [seg for para in paras for seg in para.segments] == spoken
    # Which paragraph of the TXT and HTML files each segment is in.
    source = []
    for i, par in enumerate(paragraphs(sample_job.transcript)):
        source += [i] * len(par.texts)
    owner = dict(zip(map(id, spoken), source, strict=True))
    for before, para in zip([None, *paras[:-1]], paras, strict=True):
        assert len({owner[id(seg)] for seg in para.segments}) == 1, para  # inside one
        if before is not None and owner[id(before.segments[-1])] == owner[id(para.segments[0])]:
            assert para.chapters, para  # a file's paragraph is cut only where a chapter starts
        assert {seg.speaker for seg in para.segments} <= {para.speaker}
    starts = {par.start for par in paragraphs(sample_job.transcript)}
    inside = [ch for ch in view.chapters if ch.start not in starts]
    assert len(inside) == 3  # three chapters start inside a paragraph of the files
    assert len(paras) == len(set(source)) + len(inside)
    # Each chapter heads the paragraph that starts where it starts.
    headed = {ch.title: para.start for para in paras for ch in para.chapters}
    assert headed == {ch.title: ch.start for ch in view.chapters}
    assert [p.speaker for p in paras if p.named][:2] == ["Maya Okafor", "Daniel Reyes"]


def test_a_name_is_shown_once_per_turn_and_after_each_chapter_heading(show, sample_job):
    paras = episode_view(show, sample_job).transcript
    for before, para in zip([None, *paras[:-1]], paras, strict=True):
        turn = before is None or before.speaker != para.speaker
        assert para.named == (turn or bool(para.chapters)), para
    assert len({p.speaker for p in paras}) == 2
    page = render_episode(show, sample_job)["index.html"]
    named = [p for p in paras if p.named]
    assert page.count('<p class="speaker"><cite>') == len(named)
    assert page.count('<h3 class="chapter-title">') == len(sample_job.chapters)


def test_without_speakers_no_name_is_shown(show, sample_job):
    for seg in sample_job.transcript.segments:
        seg.speaker = None
    view = episode_view(show, sample_job)
    assert view.transcript and not any(p.named or p.speaker for p in view.transcript)
    assert len(view.transcript) >= 9  # still in paragraphs (at pauses and chapters)
    assert "<cite>" not in render_episode(show, sample_job)["index.html"]


def test_named_speakers_become_people_in_the_feed_once(show, sample_job):
    segments = sample_job.transcript.segments
    segments[3].speaker = "Ada Lovelace"
    segments[4].speaker = "Speaker 3"  # not named: not a person
    segments[6].speaker = "Guest"  # a role, not a name
    segments[5].speaker = "  maya   OKAFOR "  # the host, written otherwise
    view = episode_view(show, sample_job)
    assert [(p.name, p.role) for p in view.speakers] == [("Ada Lovelace", "guest")]
    feed = ET.fromstring(render_show(show, [sample_job])["feed.xml"])
    (item,) = feed.iter("item")
    names = [p.text for p in item.iter(f"{PODCAST}person")]
    assert names == ["Maya Okafor", "Daniel Reyes", "Ada Lovelace"]
    page = render_episode(show, sample_job)["index.html"]
    header = page.split('<header class="episode-head">', 1)[1].split("</header>", 1)[0]
    assert header.count("Ada Lovelace") == 1 and "Speaker 3" not in header and "Guest" not in header


def test_a_person_listed_twice_appears_once_on_the_page_and_in_each_item(show, sample_job):
    host = show.hosts[0]
    episode = sample_job.episode
    sample_job.episode = episode.model_copy(update={"hosts": [host, host], "guests": [host]})
    both = show.model_copy(update={"hosts": [host, host]})
    view = episode_view(both, sample_job)
    assert [p.name for p in view.people] == ["Maya Okafor"]
    assert [p.name for p in show_view(both).hosts] == ["Maya Okafor"]
    page = render_episode(both, sample_job)["index.html"]
    header = page.split('<header class="episode-head">', 1)[1].split("</header>", 1)[0]
    assert header.count("Maya Okafor") == 1
    assert page.count("<h2>People</h2>") == 0  # no second list of them
    feed = ET.fromstring(render_show(both, [sample_job])["feed.xml"])
    channel = feed.find("channel")
    assert [p.text for p in channel.findall(f"{PODCAST}person")] == ["Maya Okafor"]
    (item,) = feed.iter("item")
    people = [(p.text, p.get("role")) for p in item.iter(f"{PODCAST}person")]
    assert people == [("Maya Okafor", "host"), ("Daniel Reyes", "guest")]  # he speaks


def quote(text="We hope", speaker="Kimihiro Ishikane", voiced_by=None, start=89.0):
    from toolkit.align.model import QuoteMatch

    return QuoteMatch(text, speaker, 7, "verbatim", start, start + 5, 100.0, text,
                      voiced_by=voiced_by)  # fmt: skip


def with_quotes(job: EpisodeJob, *quotes) -> EpisodeJob:
    from toolkit.align.model import Alignment

    job.alignment = Alignment(3, [], list(quotes), {})
    return job


def test_a_quote_read_by_someone_else_names_both(show, sample_job):
    with_quotes(
        sample_job,
        quote("We hope", voiced_by="Maya Okafor"),
        quote("Even if", "Naoko Kumagai", voiced_by="naoko kumagai", start=168.0),
        quote("Unsaid", None, voiced_by="Daniel Reyes", start=10.0),
        quote("Nobody", None, start=12.0),
    )
    view = episode_view(show, sample_job)
    assert [q.read_by for q in view.found_quotes] == ["Daniel Reyes", None, "Maya Okafor", None]
    files = render_episode(show, sample_job)
    page, notes = files["index.html"], files["notes.md"]
    assert 'Kimihiro Ishikane, <span class="read-by">read by Maya Okafor</span>, heard at' in page
    assert "Naoko Kumagai, heard at" in page  # read by herself: said once
    assert '<span class="read-by">Read by Daniel Reyes</span>, heard at' in page
    assert "“We hope” (Kimihiro Ishikane, read by Maya Okafor)" in notes
    assert "“Even if” (Naoko Kumagai) ·" in notes
    assert "“Unsaid” (read by Daniel Reyes) ·" in notes
    assert "misquote" not in page.split('class="quotes"', 1)[1].split("</section>", 1)[0]


def test_notes_are_paste_ready(show, sample_job):
    from toolkit.align.model import Alignment, ParagraphMatch

    sample_job.alignment = Alignment(
        3,
        [ParagraphMatch(0, False, None, None, 0.0, [])],
        [quote("Said", start=40.2), quote("Changed", start=50.0)],
        {},
    )
    sample_job.alignment.quotes[1].differences = ["article 'twenty' / heard 'ten'"]
    sample_job.alignment.quotes[1].status = "near"
    notes = render_episode(show, sample_job)["notes.md"]
    lines = notes.splitlines()
    chapters = [ln.rstrip() for ln in lines if re.match(r"\d\d:\d\d:\d\d ", ln)]
    assert chapters[0] == "00:00:00 Introduction" and len(chapters) == len(sample_job.chapters)
    assert chapters[3] == "00:01:18 Rule of law"
    # Each chapter line its own line once rendered (a hard break), the last ends the paragraph.
    html = MarkdownIt("commonmark").render(notes)
    assert html.count("<br />\n") == len(chapters) - 1
    assert "“Said”" in notes and "Changed" not in notes  # only quotes heard as written
    for banned in ("wording differs", "not discussed", "read in part", "](transcript."):
        assert banned not in notes
    folder = f"{show.base_url}{sample_job.slug}/"
    links = re.findall(r"\]\(([^)]+)\)|<(https?://[^>]+)>", notes)
    urls = [a or b for a, b in links]
    assert all(u.startswith(show.base_url) for u in urls), urls
    assert f"{folder}transcript.vtt" in urls and f"{folder}{sample_job.slug}.mp3" in urls
    assert folder in urls and f"{folder}#t=40" in urls
    assert "- Maya Okafor, host" in lines and "- Daniel Reyes, guest" in lines
    assert "## Credits" in notes and show.author in notes.split("## Credits", 1)[1]


def test_notes_have_no_chapter_lines_with_fewer_than_three_chapters(show, sample_job):
    sample_job.chapters = [Chapter(5.0, "One"), Chapter(60.0, "Two")]
    notes = render_episode(show, sample_job)["notes.md"]
    assert "## Chapters" not in notes and not re.search(r"^\d\d:\d\d:\d\d", notes, re.M)
    sample_job.chapters.append(Chapter(120.0, "Three"))
    notes = render_episode(show, sample_job)["notes.md"]
    assert "00:00:00 One  \n00:01:00 Two  \n00:02:00 Three\n" in notes  # the first moved to 0


def test_notes_link_the_article_by_episode_toml_s_url_else_the_saved_page_s(show, sample_job):
    sample_job.article = _article(url="https://news.example/japan?a=1&b=(2)")
    notes = render_episode(show, sample_job)["notes.md"]
    assert "- The article: [Japan faults](https://news.example/japan?a=1&b=%282%29)" in notes
    page = render_episode(show, sample_job)["index.html"]
    assert '<a href="https://news.example/japan?a=1&amp;b=(2)">Japan faults</a>' in page
    sample_job.article = _article(url="javascript:alert(1)")  # never a link
    files = render_episode(show, sample_job)
    assert "javascript" not in files["notes.md"] and "javascript" not in files["index.html"]
    # episode.toml's article_url (the public URL of a local article file) comes first.
    own = load_episodes(ROOT)[0].model_validate(
        {**sample_job.episode.model_dump(), "article_url": "https://own.example/story"}
    )
    sample_job.episode = own.model_copy(update={"slug": sample_job.slug})
    notes = render_episode(show, sample_job)["notes.md"]
    assert "](https://own.example/story)" in notes


def _article(url: str | None) -> Article:
    return Article("Japan faults", "A. Writer", None, url, [ArticleParagraph(0, "Text.")])


HOSTILE_MD = "[click](javascript:alert(1)) <script>x</script> *b* # _i_ `c` &amp;"


def test_notes_show_hostile_text_as_text(show, sample_job):
    sample_job.episode = sample_job.episode.model_copy(
        update={"title": HOSTILE_MD, "description": "Hi <img src=x onerror=alert(1)> *ok*"}
    )
    sample_job.chapters[1] = Chapter(22.6, HOSTILE_MD)
    notes = render_episode(show, sample_job)["notes.md"]
    html = MarkdownIt("commonmark").render(notes)
    assert "<script" not in html and "<img" not in html and "<a " not in html.split("Listen")[0]
    assert "<em>" not in html.split("<p>Hi", 1)[0]  # the title's and chapter's text stays text
    assert "<em>ok</em>" in html  # the description is Markdown, without its HTML
    title = "[click](javascript:alert(1)) &lt;script&gt;x&lt;/script&gt; *b* # _i_ `c` &amp;amp;"
    assert f"<h1>{title}</h1>" in html and f"00:00:22 {title}" in html


def test_one_environment_is_shared_until_a_template_file_changes(show, job, tmp_path):
    from toolkit.render.environment import shared_environment

    own = show.model_copy(update={"root": tmp_path})
    job = with_transcript_files(own, job)
    first = render_episode(own, job)["notes.md"]
    assert shared_environment(tmp_path) is shared_environment(tmp_path)  # compiled once
    (tmp_path / "templates").mkdir()
    notes = tmp_path / "templates" / "notes.md"
    notes.write_text("one {{ ep.title }}\n")  # an override added: used at once
    assert render_episode(own, job)["notes.md"] == f"one {job.episode.title}\n"
    notes.write_text("two, longer {{ ep.title }}\n")  # edited: used at once
    assert render_episode(own, job)["notes.md"] == f"two, longer {job.episode.title}\n"
    notes.unlink()  # removed: the packaged one again
    assert render_episode(own, job)["notes.md"] == first


def test_subscribe_links_the_podcast_index_page_when_its_id_is_given(show, job):
    job = with_transcript_files(show, job)
    without = render_show(show, [job])["index.html"]
    assert "podcastindex.org" not in without and 'href="podcast://' in without
    listed = show.model_copy(update={"podcast_index_id": 6004846})
    for page in (
        render_show(listed, [job])["index.html"],
        render_episode(listed, job)["index.html"],
    ):
        assert '<a href="https://podcastindex.org/podcast/6004846">On the Podcast Index</a>' in page
