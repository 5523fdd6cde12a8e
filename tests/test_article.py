"""Reading an episode's related article: text, Markdown and HTML on real files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toolkit.article import (
    MIN_QUOTE_WORDS,
    Article,
    Quote,
    find_proper_nouns,
    parse_text,
    read_article,
)
from toolkit.errors import ArticleError

from .helpers import DATA

ARTICLES = DATA / "articles"

BOILERPLATE = [
    "display-posts",
    "Subscribe",
    "is a reporter for",
    "JOHN PENNEY",
    "Akismet",
    "Notify of",
]


@pytest.fixture(scope="module")
def seed() -> Article:
    return read_article(ARTICLES / "passblue-seed.txt")


@pytest.fixture(scope="module")
def blog() -> Article:
    return read_article(ARTICLES / "blog-post.md")


@pytest.fixture(scope="module")
def news() -> Article:
    return read_article(ARTICLES / "news-page.html")


def quote_with(article: Article, words: str) -> Quote:
    found = [q for q in article.quotes if words in q.text]
    assert len(found) == 1, [q.text for q in article.quotes]
    return found[0]


def kept_text(article: Article) -> str:
    return "\n".join(p.text for p in article.paragraphs)


# --- text saved from a web page -------------------------------------------


def test_seed_keeps_the_story_in_order(seed: Article) -> None:
    texts = [p.text for p in seed.paragraphs]
    assert texts[0].startswith("Kimihiro Ishikane, Japan’s permanent representative")
    last_body = next(i for i, t in enumerate(texts) if "I am not aware of concrete steps" in t)
    # Only the editorial update note may follow the last body paragraph.
    assert last_body >= len(texts) - 2
    assert 22 <= len(texts) <= 26
    assert [p.index for p in seed.paragraphs] == list(range(len(texts)))
    order = [
        "“The Security Council has not really been successful",
        "Since 2003, Japan has been part of six-party talks",
        "Signature events by countries in the Council",
        "On Iran, the ambassador said",
        "Kumagai said that a trip by the Council",
    ]
    positions = [next(i for i, t in enumerate(texts) if t.startswith(o)) for o in order]
    assert positions == sorted(positions)


def test_seed_boilerplate_is_gone(seed: Article) -> None:
    for p in seed.paragraphs:
        for junk in BOILERPLATE:
            assert junk not in p.text, (junk, p.text[:60])
    text = kept_text(seed)
    for junk in [
        "→",
        "You might be interested",
        "Ambassador since",
        "Country Profile",
        "Prime Minister:",
        "We would love your thoughts",
        "Stay informed",
    ]:
        assert junk not in text, junk


def test_seed_judgement_calls(seed: Article) -> None:
    # The update note names the podcast episode and its hosts: kept, last.
    assert seed.paragraphs[-1].text.startswith("Update, Jan. 17:")
    # The "His story, briefly:" paragraph belongs to the ambassador's fact box.
    assert "His story, briefly" not in kept_text(seed)


def test_seed_metadata(seed: Article) -> None:
    assert seed.title == "Japan Faults the UN Security Council for Lack of Unison on North Korea"
    assert seed.byline == "Damilola Banjo"  # named by the bio, which itself is dropped
    assert seed.date == "2023-01-02"
    assert seed.url is None
    assert seed.source == ARTICLES / "passblue-seed.txt"
    assert all(p.heading is None for p in seed.paragraphs)


def test_seed_quotes(seed: Article) -> None:
    dprk = quote_with(seed, "DPRK files")
    assert dprk.text.startswith("The Security Council has not really been successful")
    assert not dprk.text.endswith(",")
    assert dprk.speaker is not None and "Ishikane" in dprk.speaker
    assert "DPRK files" in seed.paragraphs[dprk.paragraph].text

    p5 = quote_with(seed, "all P5 members")
    assert p5.text == (
        "It is easy for the Security Council to speak with one voice on Afghanistan, "
        "since all P5 members are in agreement"
    )
    assert p5.speaker is not None and p5.speaker.endswith("Kumagai")

    # "Naoko Kumagai, Japan's chair at ..., clarified to PassBlue."
    assert quote_with(seed, "exclusively for defense").speaker == "Naoko Kumagai"
    # "Ishikane said, “We hope ...”"
    assert "Ishikane" in (quote_with(seed, "We hope this event").speaker or "")
    # "..., I wonder if the Taliban's stance will change,” she said." after "Kumagai said ..."
    assert quote_with(seed, "I wonder if").speaker == "Naoko Kumagai"
    assert "Ishikane" in (quote_with(seed, "I am not aware of concrete steps").speaker or "")
    # "... by force,” a paragraph in the paper reads": no person.
    assert quote_with(seed, "Deployment of armed personnel").speaker is None


def test_seed_scare_quotes_are_not_quotations(seed: Article) -> None:
    texts = [q.text for q in seed.quotes]
    for short in ["vague", "rule of force", "life and death", "vulnerable nations"]:
        assert short not in texts
    assert all(len(t.split()) >= MIN_QUOTE_WORDS for t in texts)
    assert not any(t.rstrip(".") == "It is very sad" for t in texts)


def test_seed_proper_nouns(seed: Article) -> None:
    nouns = seed.proper_nouns
    for name in [
        "Ishikane",
        "Kimihiro Ishikane",
        "Kumagai",
        "DPRK",
        "Senkaku Islands",
        "Pyongyang",
        "UN",
        "Naoko Kumagai",
        "University for Peace",
        "P5",
    ]:
        assert name in nouns, name
    assert len(nouns) == len({n.lower() for n in nouns})
    assert nouns.index("Ishikane") < nouns.index("Pyongyang")  # most frequent first
    for not_a_name in [
        "The",
        "It",
        "Jan",
        "January",
        "Since",
        "Reports",
        "Signature",
        "Detailing",
        "Japan’s",
        "PassBlue Related Articles",
    ]:
        assert not_a_name not in nouns, not_a_name


def test_text_rules_are_general() -> None:
    page = (
        "Home | News | Sport | Weather | Contact\n\n"
        "Harbour Council Votes to Keep the Ferry Running\n\n"
        "By Sam Okafor\nMarch 4, 2024\n\n"
        "The harbour council voted on Monday night to keep the foot ferry to Polwenna "
        "running through the winter, reversing a decision made in the autumn.\n\n"
        "Councillors heard from more than forty residents before the vote. Several said "
        "the ferry was the only way to reach the surgery without a car.\n\n"
        "A costly crossing\n\n"
        "The ferry costs about £60,000 a year to run, and fares cover less than half of "
        'that. "We cannot keep asking the parish to fill the gap every single year," said '
        "Ruth Ellery, who chairs the finance committee.\n\n"
        "Share this:\nFacebook\nTwitter\n\n"
        "Sam Okafor is a staff writer covering the south coast.\n"
    )
    article = parse_text(page)
    assert article.title == "Harbour Council Votes to Keep the Ferry Running"
    assert article.byline == "Sam Okafor"
    assert article.date == "2024-03-04"
    assert [p.heading for p in article.paragraphs] == [None, None, "A costly crossing"]
    assert article.quotes == [
        Quote(
            "We cannot keep asking the parish to fill the gap every single year", "Ruth Ellery", 2
        )
    ]
    assert "Share this" not in article.text and "staff writer" not in article.text


# --- Markdown ---------------------------------------------------------------


def test_markdown_metadata_and_headings(blog: Article) -> None:
    assert blog.title == "Why the Harbour Tide Mill Still Turns"
    assert blog.byline == "Morwenna Tregear"
    assert blog.date == "2024-03-18"
    assert blog.url == "https://example.org/blog/harbour-tide-mill"
    assert blog.paragraphs[0].text.startswith("Twice a day the sea fills the millpond")
    assert blog.paragraphs[0].heading is None
    headings = [p.heading for p in blog.paragraphs]
    assert list(dict.fromkeys(h for h in headings if h)) == [
        "A wheel that runs on the calendar",
        "Counting the grain",
        "What comes next",
    ]
    assert 10 <= len(blog.paragraphs) <= 13
    assert blog.paragraphs[-1].text.endswith("first Saturday of every month.")


def test_markdown_markup_is_stripped(blog: Article) -> None:
    text = kept_text(blog)
    for junk in [
        "revs_per_ebb",
        "```",
        "The mill wheel at low water",
        "images/",
        "](",
        "Read our earlier post",
        "Visit the mill",
        "Tide tables for",
        "---",
        "title:",
    ]:
        assert junk not in text, junk
    # An inline link keeps its words.
    assert "which the trust has published on its website, recommends" in text


def test_markdown_quotes(blog: Article) -> None:
    assert quote_with(blog, "tide tables").speaker == "Jory Penhallow"  # straight quotes
    # "Dr. Elowen Hocking, the society's lead engineer, told the trustees": title dropped.
    assert quote_with(blog, "the pond matters more").speaker == "Elowen Hocking"
    curlews = quote_with(blog, "the curlews were here")
    assert curlews.text == "I love the mill, but the curlews were here long before the miller was"
    assert curlews.speaker == "Tamsin Rowe"
    second = quote_with(blog, "count the birds first")  # the same quote's second piece
    assert second.speaker == "Tamsin Rowe" and second.paragraph == curlews.paragraph
    assert quote_with(blog, "everybody wins").speaker == "Jory Penhallow"  # "he said"
    for name in ["Porthgwyn", "Penhallow", "Elowen Hocking", "Cornwall Maritime Society"]:
        assert name in blog.proper_nouns, name


# --- HTML -------------------------------------------------------------------


def test_html_metadata_and_headings(news: Article) -> None:
    assert news.title == "Valley Rail Line Reopens to Passengers After 58 Years"
    assert news.byline == "Priya Ramaswamy"
    assert news.date == "2024-05-06"
    assert news.url == "https://courier.example.com/news/2024/05/valley-rail-line-reopens"
    assert news.paragraphs[0].text.startswith("The first passenger train to run")
    assert news.paragraphs[-1].text.startswith("A formal review of passenger numbers")
    assert [p.heading for p in news.paragraphs[:3]] == [None, None, None]
    assert news.paragraphs[3].heading == "Seven stations, one platform at a time"
    assert news.paragraphs[-1].heading == "Worries about parking and fares"
    assert len(news.paragraphs) == 11


def test_html_boilerplate_is_gone(news: Article) -> None:
    text = kept_text(news)
    for junk in [
        "cookies",
        "Accept all",
        "Subscribe",
        "Opinion",
        "gtag",
        "dataLayer",
        "Photograph: Tom Aldridge",
        "crosses the Esk viaduct on Sunday",
        "Share on X",
        "Related stories",
        "viaduct repairs finished",
        "morning briefing",
        "All rights reserved",
        "Privacy policy",
        "Transport Correspondent",
    ]:
        assert junk not in text, junk


def test_html_quotes(news: Article) -> None:
    assert quote_with(news, "For fifteen years").speaker == "Margaret Oduya"  # straight
    assert quote_with(news, "300,000 journeys").speaker == "Daniel Achterberg"
    spaces = quote_with(news, "extra spaces")
    assert spaces.speaker == "Harold Penrose"  # "he said", after "Harold Penrose, ..., said"
    money = quote_with(news, "Nobody has explained")
    assert money.speaker == "Harold Penrose" and money.paragraph == spaces.paragraph
    # "“...,” Greaves said": the surname maps to the full name used earlier.
    assert quote_with(news, "half reopened").speaker == "Alison Greaves"
    for name in ["Thornbeck", "Kirkby Moor", "Network Rail", "Margaret Oduya", "Lowgill"]:
        assert name in news.proper_nouns, name
    assert "Sundays" not in news.proper_nouns


# --- proper nouns, JSON, errors ---------------------------------------------


def test_proper_noun_rules() -> None:
    nouns = find_proper_nouns(
        [
            "The delegates met in Geneva. Geneva hosted the talks, said Anna de Vries of the "
            "World Health Organization and the WHO. Talks resume in March.",
            "Members of the Women’s Forum for Peace, which speaks for women in exile, met the US "
            "envoy on Monday.",
        ]
    )
    assert nouns[0] == "Geneva"
    for name in [
        "Anna de Vries",
        "World Health Organization",
        "WHO",
        "US",
        "Women’s Forum for Peace",
    ]:
        assert name in nouns, name
    for word in ["The", "Talks", "March", "Monday", "Women"]:
        assert word not in nouns, word


def test_round_trip_through_json(seed: Article, blog: Article, news: Article) -> None:
    for article in (seed, blog, news):
        data = json.loads(json.dumps(article.to_dict()))
        assert data["version"] == 1
        assert Article.from_dict(data) == article


def test_from_dict_rejects_other_versions(tmp_path: Path) -> None:
    with pytest.raises(ArticleError, match="version"):
        Article.from_dict({"version": 99, "paragraphs": []}, tmp_path / "a.json")
    with pytest.raises(ArticleError, match="malformed"):
        Article.from_dict({"version": 1}, tmp_path / "a.json")


def test_missing_file_names_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.txt"
    with pytest.raises(ArticleError, match="not found") as info:
        read_article(missing)
    assert info.value.path == missing
    assert "nowhere.txt" in str(info.value)


@pytest.mark.parametrize("name", ["empty.txt", "empty.md", "empty.html"])
@pytest.mark.parametrize("content", ["", " \n\n\t\n"])
def test_empty_file_names_it(tmp_path: Path, name: str, content: str) -> None:
    empty = tmp_path / name
    empty.write_text(content, encoding="utf-8")
    with pytest.raises(ArticleError, match="empty") as info:
        read_article(empty)
    assert info.value.path == empty
    assert name in str(info.value)


def test_boilerplate_only_file_has_no_article(tmp_path: Path) -> None:
    page = tmp_path / "junk.txt"
    page.write_text("Subscribe to our newsletter\n\nView all comments\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no article text"):  # ArticleError is a ValueError
        read_article(page)


def test_directory_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(ArticleError, match="cannot read"):
        read_article(tmp_path)
