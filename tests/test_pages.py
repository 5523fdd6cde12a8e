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

    chapter = page.locator(".chapters button.seek").nth(2)
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
