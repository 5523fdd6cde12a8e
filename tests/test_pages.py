"""The built pages in a real headless browser (Debian's Chromium, driven by Playwright)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from toolkit import pipeline
from toolkit.render.transcripts import WRITERS

from .helpers import ROOT, SAMPLE_SLUG, serving, stored_transcript_stages
from .test_render_pages import GROUND_TRUTH, set_ground_truth_speakers

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]


@pytest.fixture(scope="module")
def base_url(site) -> Iterator[str]:
    yield from serving(site)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()


def test_index_links_to_the_episode(browser, base_url):
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base_url)
    assert page.title() == "UN Desk Conversations"
    page.click(f"a[href='{SAMPLE_SLUG}/index.html']")
    page.wait_for_url(f"**/{SAMPLE_SLUG}/index.html")
    assert page.locator("h1").inner_text().startswith("Japan, the Security Council")
    assert errors == []


def test_chapter_click_seeks_the_player_and_highlights_the_transcript(browser, base_url):
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base_url}{SAMPLE_SLUG}/index.html")
    page.wait_for_function("document.getElementById('player').readyState >= 1")
    duration = page.evaluate("document.getElementById('player').duration")
    assert 190 < duration < 200

    chapter = page.locator(".chapters a.seek").nth(2)
    start = float(chapter.get_attribute("data-start"))
    chapter.click()
    page.wait_for_function(
        f"Math.abs(document.getElementById('player').currentTime - {start}) < 1.5"
    )
    page.evaluate("document.getElementById('player').pause()")
    page.evaluate("document.getElementById('player').dispatchEvent(new Event('timeupdate'))")
    current = page.locator("#transcript .para.current")
    assert current.count() == 1
    t = page.evaluate("document.getElementById('player').currentTime")
    assert (
        float(current.get_attribute("data-start")) <= t < float(current.get_attribute("data-end"))
    )
    marked = page.locator("#chapters li.current")  # the chapter playing is marked too
    assert marked.count() == 1 and marked.get_attribute("aria-current") == "true"
    assert float(marked.get_attribute("data-start")) == start
    assert errors == []


def test_every_transcript_and_chapter_link_resolves(browser, base_url):
    page = browser.new_page()
    page.goto(f"{base_url}{SAMPLE_SLUG}/index.html")
    hrefs = page.eval_on_selector_all(".downloads a", "els => els.map(e => e.href)")
    assert len(hrefs) == 1 + len(WRITERS) + 2  # the audio, every transcript format, chapters, notes
    assert hrefs[0].endswith(f"/{SAMPLE_SLUG}.mp3")
    for href in hrefs:
        response = page.request.get(href)
        assert response.status == 200, href
        assert len(response.body()) > 0, href


def open_episode(browser, base_url, fragment: str = "", **context_options):
    """The episode page in a new context, with every console error and page error collected."""
    context = browser.new_context(**context_options)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{base_url}{SAMPLE_SLUG}/index.html{fragment}")
    return page, errors


def player(page, expression: str):
    return page.evaluate(f"document.getElementById('player').{expression}")


def test_every_transcript_word_carries_its_start_time(browser, base_url):
    page, _ = open_episode(browser, base_url)
    starts = page.eval_on_selector_all("#transcript [data-t]", "els => els.map(e => +e.dataset.t)")
    assert len(starts) > 300  # the 3-minute sample episode, word by word
    assert 0 <= starts[0] < 5 and 170 < starts[-1] < 200
    segments = page.eval_on_selector_all(
        "#transcript .segment",
        "els => els.map(e => [+e.dataset.start, +e.dataset.end,"
        " [...e.querySelectorAll('[data-t]')].map(w => +w.dataset.t)])",
    )
    for start, end, times in segments:  # each word inside its own segment
        assert all(start - 0.01 <= t <= end for t in times), (start, end, times)


def test_clicking_a_word_seeks_the_player_to_it(browser, base_url):
    page, errors = open_episode(browser, base_url)
    page.wait_for_function("document.getElementById('player').readyState >= 1")
    word = page.locator("#transcript [data-t]").nth(200)
    start = float(word.get_attribute("data-t"))
    assert start > 30  # far from where the player starts
    word.click()
    page.wait_for_function(
        f"Math.abs(document.getElementById('player').currentTime - {start}) < 0.3"
    )
    assert errors == []


def test_the_highlight_follows_the_current_time(browser, base_url):
    page, errors = open_episode(browser, base_url)
    page.wait_for_function("document.getElementById('player').readyState >= 1")
    words = page.locator("#transcript [data-t]")
    for index in (50, 120):
        start = float(words.nth(index).get_attribute("data-t"))
        player(page, f"currentTime = {start + 0.01}")
        page.wait_for_function(
            f"(document.querySelector('#transcript .now') || {{}}).dataset?.t == "
            f"'{words.nth(index).get_attribute('data-t')}'"
        )
        assert page.locator("#transcript .now").count() == 1
        background = page.eval_on_selector(
            "#transcript .now", "e => getComputedStyle(e).backgroundColor"
        )
        assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    assert errors == []


def test_follow_mode_pauses_when_the_listener_scrolls_and_resumes(browser, base_url):
    page, errors = open_episode(browser, base_url)
    page.wait_for_function("document.getElementById('player').readyState >= 1")
    follow = page.locator("#follow")
    assert follow.is_hidden()
    word = page.locator("#transcript [data-t]").nth(300)
    player(page, f"currentTime = {float(word.get_attribute('data-t')) + 0.01}")
    page.wait_for_function("document.querySelector('#transcript .now') !== null")
    page.mouse.move(200, 200)
    page.mouse.wheel(0, -400)
    follow.wait_for(state="visible")
    page.evaluate("window.scrollTo(0, 0)")
    follow.click()
    assert follow.is_hidden()
    page.wait_for_function(  # the current word scrolled back into view
        "(() => { const r = document.querySelector('#transcript .now').getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= window.innerHeight; })()"
    )
    assert errors == []


def test_the_episode_and_index_pages_log_no_errors(browser, base_url):
    page, errors = open_episode(browser, base_url)
    page.wait_for_load_state("networkidle")
    page.goto(base_url)
    page.wait_for_load_state("networkidle")
    assert errors == []


@pytest.mark.parametrize(
    ("fragment", "start"), [("#t=1:30", 90), ("#t=75", 75), ("#t=0:02:03", 123)]
)
def test_a_deep_link_starts_the_player_at_its_time(browser, base_url, fragment, start):
    page, errors = open_episode(browser, base_url, fragment)
    page.wait_for_function(
        f"Math.abs(document.getElementById('player').currentTime - {start}) < 0.5"
    )
    page.evaluate("location.hash = '#t=10'")  # a new fragment on the same page seeks too
    page.wait_for_function("Math.abs(document.getElementById('player').currentTime - 10) < 0.5")
    assert errors == []


def test_without_javascript_every_timestamp_links_into_the_audio(browser, base_url):
    page, _ = open_episode(browser, base_url, java_script_enabled=False)
    audio = page.eval_on_selector("#player", "e => e.src")
    assert page.locator("button.seek").count() == 0
    links = page.eval_on_selector_all(
        "a.seek", "els => els.map(e => [e.href, +e.dataset.start, e.textContent])"
    )
    assert len(links) > 20  # chapters, quotes, soundbites, article map, transcript
    for href, start, _label in links:
        file, _, fragment = href.partition("#")
        assert file == audio
        assert fragment.startswith("t=") and abs(float(fragment[2:]) - start) < 0.01
    chapter = page.locator(".chapters a.seek").nth(1)
    href = chapter.get_attribute("href")
    assert href.startswith(f"{SAMPLE_SLUG}.mp3#t=")
    assert float(href.partition("#t=")[2]) == float(chapter.get_attribute("data-start"))
    assert page.request.get(links[1][0]).status in (200, 206)


def test_search_finds_words_steps_through_them_and_scrolls_to_each(browser, base_url):
    page, errors = open_episode(browser, base_url)
    count = page.locator("#search-count")
    page.fill("#search-q", "Taliban")
    matches = page.locator("#transcript .hit")
    total = matches.count()
    assert total >= 2
    assert count.inner_text() == f"1 of {total}"
    seen = []
    for _ in range(total):
        now = page.locator("#transcript .hit-now")
        assert now.count() == 1
        assert "taliban" in now.inner_text().lower()
        assert page.evaluate(  # scrolled into view
            "(() => { const r = document.querySelector('#transcript .hit-now')"
            ".getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight; })()"
        )
        seen.append(now.get_attribute("data-t"))
        page.click("#search-next")
    assert len(set(seen)) == total and count.inner_text() == f"1 of {total}"  # round again
    page.click("#search-prev")
    assert count.inner_text() == f"{total} of {total}"
    page.fill("#search-q", "security council")  # two words in a row
    assert page.locator("#transcript .hit").count() >= 1
    page.fill("#search-q", "zzyzx")
    assert count.inner_text() == "No matches" and matches.count() == 0
    assert errors == []


def test_without_javascript_the_search_form_is_not_shown(browser, base_url):
    page, _ = open_episode(browser, base_url, java_script_enabled=False)
    assert page.locator("#search").is_hidden()


def test_the_header_shows_the_cover_and_the_metadata_parses(browser, base_url):
    page, errors = open_episode(browser, base_url)
    page.wait_for_load_state("networkidle")
    cover = page.locator(".episode-head img.cover")
    assert cover.get_attribute("alt").startswith("Cover art of Japan")
    assert page.evaluate("document.querySelector('.episode-head img.cover').naturalWidth") > 0
    head = page.locator(".episode-head").inner_text()
    assert "Season 1" in head and "Episode 1" in head and "3:15" in head and "2023" in head
    assert "Maya Okafor" in head and "Daniel Reyes" in head
    ld = page.evaluate(
        "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)"
    )
    assert ld["@type"] == "PodcastEpisode" and ld["name"].startswith("Japan")
    assert page.get_attribute("meta[property='og:title']", "content") == ld["name"]
    assert page.get_attribute("link[rel=icon]", "href") == "../cover.jpg"
    assert errors == []


@pytest.mark.parametrize("path", ["", f"{SAMPLE_SLUG}/index.html"])
@pytest.mark.parametrize("width", [1280, 390])
def test_no_sideways_scrolling_and_a_screenshot(browser, base_url, tmp_path, path, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{base_url}{path}")
    page.wait_for_load_state("networkidle")
    name = "index" if not path else "episode"
    shot = tmp_path / f"{name}-{width}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    widest = page.evaluate(
        "Math.max(...[...document.querySelectorAll('body *')]"
        ".map(e => e.getBoundingClientRect().right))"
    )
    assert widest <= width + 0.5
    context.close()


def test_the_article_map_links_discussed_paragraphs_and_folds_the_rest(browser, base_url):
    page, errors = open_episode(browser, base_url)
    discussed = page.locator(".article-map ol.discussed > li")
    assert discussed.count() >= 3
    for i in range(discussed.count()):
        link = discussed.nth(i).locator("a.seek")
        assert link.inner_text().startswith("Listen from here")
        assert "#t=" in link.get_attribute("href")
    folded = page.locator(".article-map details.not-discussed")
    assert folded.count() == 1 and folded.get_attribute("open") is None
    hidden = folded.locator("li")
    summary = folded.locator("summary")
    assert summary.inner_text() == f"{hidden.count()} paragraphs not discussed"
    assert hidden.first.is_hidden()
    summary.click()
    assert hidden.first.is_visible()
    discussed.nth(1).locator("a.seek").click()
    start = float(discussed.nth(1).locator("a.seek").get_attribute("data-start"))
    page.wait_for_function(
        f"Math.abs(document.getElementById('player').currentTime - {start}) < 0.5"
    )
    assert errors == []


# --- the sample built with who speaks when (the script's truth), no Whisper run -----
@pytest.fixture(scope="module")
def speaker_site(tmp_path_factory) -> Path:
    """The sample show built from the stored transcript, each segment's speaker set from
    the sample's script (what the speakers stage fills): the page by speaker turn."""
    out = tmp_path_factory.mktemp("speaker-site")
    pipeline.build(ROOT, pipeline.BuildOptions(output=out, progress=False), stages=speaker_stages())
    return out


def speaker_stages():
    """The build's stages with the stored transcript, whose speakers are the script's.

    The speakers are set again after a speakers stage, where the build has one, so the
    page shows the truth whatever that stage finds.
    """
    from toolkit.pipeline import stages

    def truth(stage):
        def run(job, ctx, folder):
            record = stage.run(job, ctx, folder)
            set_ground_truth_speakers(job.transcript)
            stages.save_transcript(folder / stages.FULL_TRANSCRIPT, job.transcript)
            return record

        return replace(stage, run=run)

    base = stored_transcript_stages()
    return [truth(s) if s.name in ("transcribe", "speakers") else s for s in base]


@pytest.fixture(scope="module")
def speaker_url(speaker_site) -> Iterator[str]:
    yield from serving(speaker_site)


def turns_on_page(page) -> list[dict]:
    """The transcript as the page shows it: each paragraph, the heading and name before it."""
    return page.evaluate(
        """() => { const out = []; let heading = null, name = null;
        for (const el of document.getElementById('transcript').children) {
          if (el.matches('h3.chapter-title')) heading = el.textContent;
          else if (el.matches('p.speaker')) name = el.querySelector('cite').textContent;
          else if (el.matches('p.para')) {
            out.push({heading, name, speaker: el.dataset.speaker, start: +el.dataset.start,
                      words: [...el.querySelectorAll('[data-t]')].map(w => +w.dataset.t)});
            heading = null; name = null;
          }
        } return out; }"""
    )


def test_the_transcript_is_grouped_by_turn_with_names_and_chapter_headings(
    browser, speaker_url, speaker_site
):
    page, errors = open_episode(browser, speaker_url)
    paras = turns_on_page(page)
    truth = {line["speaker"] for line in GROUND_TRUTH["lines"]}
    assert {p["speaker"] for p in paras} == truth  # Maya Okafor and Daniel Reyes
    # A name at each change of speaker, and after each chapter heading; nowhere else.
    for before, para in zip([None, *paras[:-1]], paras, strict=True):
        turn = before is None or before["speaker"] != para["speaker"]
        assert (para["name"] is not None) == (turn or para["heading"] is not None), para
        assert para["name"] in (None, para["speaker"])
    assert len(paras) >= 15  # by turn: not one paragraph per sentence (52), nor one wall
    # Who speaks each paragraph's words, by the script.
    for para in paras:
        for t in para["words"][1:-1]:  # inside the paragraph: clear of the turn's edges
            line = next(
                (ln for ln in GROUND_TRUTH["lines"] if ln["start"] - 1 <= t <= ln["end"] + 1), None
            )
            if line is not None and not any(
                other is not line and other["start"] - 1 <= t <= other["end"] + 1
                for other in GROUND_TRUTH["lines"]
            ):
                assert line["speaker"] == para["speaker"], (t, para["start"])
    # Every chapter's title heads the paragraph that starts where the chapter does.
    chapters = json.loads((speaker_site / SAMPLE_SLUG / "chapters.json").read_text())["chapters"]
    headed = [(p["heading"], p["start"]) for p in paras if p["heading"]]
    assert headed == [(c["title"], c["startTime"]) for c in chapters]
    # The words still seek.
    word = page.locator("#transcript [data-t]").nth(150)
    word.click()
    start = float(word.get_attribute("data-t"))
    page.wait_for_function(
        f"Math.abs(document.getElementById('player').currentTime - {start}) < 0.3"
    )
    assert errors == []


def test_a_quote_read_by_a_host_names_its_speaker_and_its_reader(browser, speaker_url):
    page, errors = open_episode(browser, speaker_url)
    footers = page.eval_on_selector_all(
        ".quotes blockquote footer",
        "els => els.map(e => [e.textContent, +e.querySelector('a.seek').dataset.start])",
    )
    # Who read each quote in the sample's script, by where it is heard.
    readers = {
        q["start"]: line["speaker"] for line in GROUND_TRUTH["lines"] for q in line["quotes"]
    }
    assert len(footers) == len(readers) >= 3
    for footer, start in footers:  # "Kimihiro Ishikane, read by Maya Okafor, heard at 0:40"
        speaker, _, rest = footer.partition(", read by ")
        reader = rest.split(", heard at ")[0]
        [truth] = [who for t, who in readers.items() if abs(t - start) < 2.0]
        assert reader == truth, footer
        assert speaker in ("Kimihiro Ishikane", "Naoko Kumagai"), footer
    assert page.locator(".quotes .misquote").count() == 0  # read by a host: no misquote
    assert errors == []


def test_the_player_controls_work_by_keyboard(browser, speaker_url):
    page, errors = open_episode(browser, speaker_url)
    page.wait_for_function("document.getElementById('player').readyState >= 1")
    assert page.locator("#controls").is_visible()
    assert player(page, "controls") is False  # the page's controls replace the browser's
    page.focus("#play")
    assert page.eval_on_selector("#play", "e => getComputedStyle(e).outlineStyle") != "none"
    page.keyboard.press("Enter")
    page.wait_for_function("!document.getElementById('player').paused")
    page.wait_for_function("document.getElementById('play').getAttribute('aria-label') == 'Pause'")
    page.keyboard.press(" ")
    page.wait_for_function("document.getElementById('player').paused")
    page.wait_for_function("document.getElementById('play').textContent == 'Play'")
    player(page, "currentTime = 60")
    page.keyboard.press("Tab")  # to "back 15 s"
    assert page.evaluate("document.activeElement.id") == "back"
    page.keyboard.press("Enter")
    assert abs(player(page, "currentTime") - 45) < 0.5
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert abs(player(page, "currentTime") - 75) < 0.5
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "speed"
    page.select_option("#speed", "1.5")
    assert player(page, "playbackRate") == 1.5
    page.focus("#seek-bar")
    before = player(page, "currentTime")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"document.getElementById('player').currentTime > {before}")
    page.keyboard.press("End")
    page.wait_for_function("document.getElementById('player').currentTime > 190")
    assert errors == []


def test_the_scrubber_marks_each_chapter(browser, speaker_url, speaker_site):
    page, errors = open_episode(browser, speaker_url)
    page.wait_for_function("document.querySelectorAll('#marks .mark').length > 0")
    chapters = json.loads((speaker_site / SAMPLE_SLUG / "chapters.json").read_text())["chapters"]
    box = page.locator("#seek-bar").bounding_box()
    xs = page.eval_on_selector_all(
        "#marks .mark", "els => els.map(e => e.getBoundingClientRect().left)"
    )
    assert len(xs) == len(chapters) - 1  # the first chapter starts at 0: no mark
    duration = player(page, "duration")
    for x, chapter in zip(xs, chapters[1:], strict=True):
        expected = box["x"] + box["width"] * chapter["startTime"] / duration
        assert abs(x - expected) < 0.03 * box["width"], (x, expected)
    assert errors == []


def test_share_from_here_copies_a_link_at_the_current_time(browser, speaker_url):
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=speaker_url.rstrip("/"))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{speaker_url}{SAMPLE_SLUG}/index.html")
    page.wait_for_function("document.getElementById('player').readyState >= 1")
    player(page, "currentTime = 93.6")
    page.click("#share")
    link = f"{speaker_url}{SAMPLE_SLUG}/index.html#t=93"
    page.wait_for_function("document.getElementById('share-status').textContent === 'Copied'")
    assert page.input_value("#share-link") == link
    assert page.evaluate("navigator.clipboard.readText()") == link
    # The link starts another page there.
    other = context.new_page()
    other.goto(link)
    other.wait_for_function("Math.abs(document.getElementById('player').currentTime - 93) < 0.5")
    assert errors == []
    context.close()


@pytest.mark.parametrize("path", ["", f"{SAMPLE_SLUG}/index.html"])
def test_subscribe_gives_the_feed_a_podcast_link_and_an_address_to_copy(browser, speaker_url, path):
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=speaker_url.rstrip("/"))
    page = context.new_page()
    page.goto(f"{speaker_url}{path}")
    section = page.locator("section.subscribe")
    feed = page.input_value("#feed-url")
    assert feed.endswith("/feed.xml") and feed.startswith("http")
    assert (
        section.locator("a[href^='podcast://']").get_attribute("href")
        == "podcast://" + feed.split("://", 1)[1]
    )
    rss = section.locator("a[type='application/rss+xml']")
    assert page.request.get(rss.evaluate("e => e.href")).status == 200
    section.locator("button.copy").click()
    page.wait_for_function(
        "document.querySelector('.subscribe .copy-status').textContent === 'Copied'"
    )
    assert page.evaluate("navigator.clipboard.readText()") == feed
    context.close()


def test_downloads_give_the_audio_and_every_transcript_format(browser, speaker_url):
    page, _ = open_episode(browser, speaker_url)
    links = page.eval_on_selector_all(
        ".downloads a", "els => els.map(e => [e.href, e.textContent])"
    )
    names = [href.rsplit("/", 1)[1] for href, _ in links]
    assert names[0] == f"{SAMPLE_SLUG}.mp3" and links[0][1].startswith("The audio (MP3, ")
    assert {f"transcript.{fmt}" for fmt in WRITERS} <= set(names)
    for href, _ in links:
        assert page.request.get(href).status == 200, href
    txt = page.request.get(next(h for h, _ in links if h.endswith(".txt"))).text()
    assert txt.startswith("Maya Okafor: Hello and welcome")  # the files name the speakers too
