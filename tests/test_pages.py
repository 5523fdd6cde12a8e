"""The built pages in a real headless browser (Debian's Chromium, driven by Playwright)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import sync_playwright

from toolkit.publish.serve import make_server
from toolkit.render.transcripts import WRITERS

from .helpers import SAMPLE_SLUG

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
    server = make_server(site, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


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
    current = page.locator("#transcript .segment.current")
    assert current.count() == 1
    t = page.evaluate("document.getElementById('player').currentTime")
    assert (
        float(current.get_attribute("data-start")) <= t < float(current.get_attribute("data-end"))
    )
    assert errors == []


def test_every_transcript_and_chapter_link_resolves(browser, base_url):
    page = browser.new_page()
    page.goto(f"{base_url}{SAMPLE_SLUG}/index.html")
    hrefs = page.eval_on_selector_all(".downloads a", "els => els.map(e => e.href)")
    assert len(hrefs) == len(WRITERS) + 2  # every transcript format, chapters, notes
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
