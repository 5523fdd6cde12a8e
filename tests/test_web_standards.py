"""Every page type against web standards: html-validate, and axe-core run in Chromium.

The pages are the sample show's (built from the stored transcript, with who
speaks when from the sample's script, so the page shows names, chapter
headings and quotes read by a host): the index page and an episode's page.
The validators are npm packages at the versions ``tests/js/package-lock.json``
pins (``make npm``), run on the real files; no page is fetched from elsewhere.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from .helpers import ROOT, SAMPLE_SLUG
from .test_pages import browser, open_episode, speaker_site, speaker_url  # noqa: F401 (fixtures)

JS = ROOT / "tests" / "js"
HTML_VALIDATE = JS / "node_modules" / ".bin" / "html-validate"
AXE = JS / "node_modules" / "axe-core" / "axe.min.js"
PAGES = {"index": "index.html", "episode": f"{SAMPLE_SLUG}/index.html"}
#: html-validate's recommended rules, less one about content rather than markup: a
#: title is the episode's and the show's, as long as they are.
HTML_VALIDATE_CONFIG = {
    "extends": ["html-validate:recommended"],
    "rules": {"long-title": "off"},
}


def _need(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"{path.relative_to(ROOT)} is not installed (make npm)")


def html_validate(files: list[Path], config: Path) -> list[dict]:
    """html-validate's messages for ``files``, each with the file's path."""
    _need(HTML_VALIDATE)
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    run = subprocess.run(
        [str(HTML_VALIDATE), "--config", str(config), "--formatter", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode in (0, 1), run.stderr  # 1: the files have errors
    return [
        {"file": result["filePath"], **message}
        for result in json.loads(run.stdout or "[]")
        for message in result["messages"]
    ]


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("html-validate") / "htmlvalidate.json"
    path.write_text(json.dumps(HTML_VALIDATE_CONFIG), encoding="utf-8")
    return path


@pytest.mark.parametrize("page", PAGES)
def test_every_page_type_is_valid_html(speaker_site, config, page):  # noqa: F811
    messages = html_validate([speaker_site / PAGES[page]], config)
    assert [f"{m['line']}:{m['column']} {m['ruleId']}: {m['message']}" for m in messages] == []


def test_the_validator_finds_errors(speaker_site, config, tmp_path):  # noqa: F811
    """The same check on a page broken on purpose fails, so the test above can fail."""
    page = (speaker_site / PAGES["episode"]).read_text(encoding="utf-8")
    broken = page.replace('alt="Cover art of', 'title="Cover art of', 1)
    broken = broken.replace("<h2>Chapters</h2>", "<h2>Chapters</h3>", 1)
    (tmp_path / "broken.html").write_text(broken, encoding="utf-8")
    rules = {m["ruleId"] for m in html_validate([tmp_path / "broken.html"], config)}
    assert {"wcag/h37", "close-order"} <= rules, rules


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.scripts: list[dict[str, str | None]] = []
        self.styles: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.append(str(found["id"]))
        if tag == "script":
            self.scripts.append(found)
        if tag == "style" or "style" in found:
            self.styles.append(tag)


@pytest.mark.parametrize("page", PAGES)
def test_every_asset_is_the_site_s_own_and_no_script_is_inline(speaker_site, page):  # noqa: F811
    html = (speaker_site / PAGES[page]).read_text(encoding="utf-8")
    parser = _Ids()
    parser.feed(html)
    assert len(parser.ids) == len(set(parser.ids))
    sources = re.findall(r'\s(?:src|href)="([^"]+)"', html)
    # Links to other sites are fine (the article, a person's page); what the page loads is not.
    loaded = re.findall(r'<(?:script|img|audio|source|link)\b[^>]*\s(?:src|href)="([^"]+)"', html)
    assert loaded and all("://" not in url for url in loaded), loaded
    assert sources
    for script in parser.scripts:  # code only in its own file; data (JSON-LD) may be inline
        assert script.get("src") or script.get("type") == "application/ld+json", script
    assert parser.styles == []


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the page, run in the browser from the installed package."""
    _need(AXE)
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => {
          const result = await axe.run(document, {resultTypes: ['violations']});
          return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
        }"""
    )


@pytest.mark.parametrize("page_name", PAGES)
@pytest.mark.parametrize("width", [1280, 390])
def test_axe_finds_no_serious_or_critical_violation(browser, speaker_url, page_name, width):  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{speaker_url}{PAGES[page_name]}")
    page.wait_for_load_state("networkidle")
    if page_name == "episode":  # with the state playback gives: highlights, current marks
        page.wait_for_function("document.getElementById('player').readyState >= 1")
        word = page.locator("#transcript [data-t]").nth(120)
        page.evaluate(
            f"document.getElementById('player').currentTime = {word.get_attribute('data-t')}"
        )
        page.wait_for_function("document.querySelector('#transcript .now') !== null")
        page.fill("#search-q", "council")
    found = axe_violations(page)
    bad = [v for v in found if v["impact"] in ("serious", "critical")]
    assert bad == [], json.dumps(bad, indent=1)
    context.close()


def test_axe_finds_what_is_wrong_on_a_broken_page(browser, speaker_url):  # noqa: F811
    """axe-core on the episode page made worse on purpose: the check can fail."""
    page, _ = open_episode(browser, speaker_url)
    page.evaluate(
        """() => { document.querySelector('.episode-head img').removeAttribute('alt');
        document.querySelector('#play').textContent = '';
        document.querySelector('#play').removeAttribute('aria-label');
        document.body.style.color = '#ccc'; }"""
    )
    ids = {v["id"] for v in axe_violations(page) if v["impact"] in ("serious", "critical")}
    assert {"image-alt", "button-name", "color-contrast"} <= ids, ids
