"""The pages' metadata (Open Graph, Twitter card, JSON-LD) with hostile text in every field."""

from __future__ import annotations

import json
import re

from toolkit.render import render_episode, render_show

from .test_render_pages import job, show, with_transcript_files  # noqa: F401 (fixtures)

HOSTILE = "Q&A </script><script>alert(\"x\")</script> 'it' <b>"
LD_JSON = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def test_json_ld_and_meta_tags_escape_the_episode_s_text(show, job):  # noqa: F811
    job.episode = job.episode.model_copy(update={"title": HOSTILE, "description": HOSTILE})
    page = render_episode(show, with_transcript_files(show, job))["index.html"]
    assert "<script>alert" not in page and "'it' <b>" not in page
    (data,) = LD_JSON.findall(page)  # the first </script> is the real end
    ld = json.loads(data)
    assert ld["@type"] == "PodcastEpisode"
    assert ld["name"] == HOSTILE and ld["description"] == HOSTILE
    assert ld["partOfSeries"]["@type"] == "PodcastSeries"
    assert ld["timeRequired"] == "PT33S"
    assert '<meta property="og:title" content="Q&amp;A &lt;/script&gt;' in page
    assert '<meta name="twitter:title" content="Q&amp;A &lt;/script&gt;' in page


def test_index_json_ld_is_a_podcast_series_and_escapes_the_show_s_text(show, job):  # noqa: F811
    own = show.model_copy(update={"title": HOSTILE, "author": HOSTILE})
    page = render_show(own, [with_transcript_files(own, job)])["index.html"]
    assert "<script>alert" not in page
    (data,) = LD_JSON.findall(page)
    ld = json.loads(data)
    assert ld["@type"] == "PodcastSeries" and ld["name"] == HOSTILE
    assert ld["author"]["name"] == HOSTILE
    assert ld["webFeed"] == show.base_url + "feed.xml"
    assert f'<meta property="og:image" content="{show.base_url}cover.jpg">' in page
