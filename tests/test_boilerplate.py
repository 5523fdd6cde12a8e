"""Boilerplate in articles is dropped by general, named rules, on several sites' shapes.

The fixture pages (``tests/data/articles``, see its MANIFEST) are a wire
story, a magazine longform, a blog post, a local news page and an HTML news
page, each with the captions, credits, prompts and footers its kind of site
prints. The tests name exactly which paragraphs survive, which quotes are
found, and which rule dropped each block; story text that only looks like
boilerplate must survive.
"""

from __future__ import annotations

import json

import pytest

from toolkit.article import Article, parse_html, parse_markdown, parse_text, read_article
from toolkit.article.boilerplate import RULES, match, repeats

from .helpers import DATA

ARTICLES = DATA / "articles"


def read(name: str) -> Article:
    return read_article(ARTICLES / name)


def openings(article: Article, n: int = 4) -> list[str]:
    return [" ".join(p.text.split()[:n]) for p in article.paragraphs]


def rule_of(article: Article, start: str) -> str:
    """The rule that dropped the one block starting with ``start``."""
    found = [d.rule for d in article.dropped if d.text.startswith(start)]
    assert len(found) == 1, (start, [(d.rule, d.text[:40]) for d in article.dropped])
    return found[0]


def assert_dropped(article: Article, expected: dict[str, str]) -> None:
    got = {start: rule_of(article, start) for start in expected}
    assert got == expected
    kept = article.text
    for start in expected:
        assert start not in kept, start


@pytest.fixture(scope="module")
def wire() -> Article:
    return read("wire-story.txt")


@pytest.fixture(scope="module")
def magazine() -> Article:
    return read("magazine-longform.txt")


@pytest.fixture(scope="module")
def blog() -> Article:
    return read("blog-share.txt")


@pytest.fixture(scope="module")
def local() -> Article:
    return read("local-news.txt")


@pytest.fixture(scope="module")
def harbour() -> Article:
    return read("harbour-page.html")


# --- a wire story: captions, credits, an advert, a related link, a trailer -----


def test_wire_story_keeps_exactly_the_story(wire: Article) -> None:
    assert openings(wire) == [
        "VILLAFRÍA, Spain (MP) —",
        "The authority said the",
        "“The structure is safe,",
        "Farmers’ groups said the",
        "The dam was finished",
        "Marzal said the repair",
        "“We would rather lose",
        "The authority has asked",
    ]
    assert wire.title == "Spillway Cracks Keep Arden Dam Closed Through Summer"
    assert wire.byline == "Lena Vos and Tomas Reis"  # "By LENA VOS and TOMAS REIS, ..."
    assert wire.date == "2024-06-11"
    assert all(p.heading is None for p in wire.paragraphs)


def test_wire_story_caption_quote_is_not_an_article_quote(wire: Article) -> None:
    # The "[Photo]" caption quotes the site manager; only Marzal's words are quotes.
    assert [(q.paragraph, q.speaker) for q in wire.quotes] == [
        (2, "Inés Marzal"),
        (2, "Inés Marzal"),
        (6, "Inés Marzal"),
    ]
    assert not any("cracks just in time" in q.text for q in wire.quotes)


def test_wire_story_boilerplate_rules(wire: Article) -> None:
    assert_dropped(
        wire,
        {
            "[Photo] Engineers inspect": "caption",
            "FILE - Water pours": "caption",
            "Workers lower a survey drone": "caption",  # beside a credit on its own line
            "Karin Holt/Getty Images": "credit",
            "Share": "share",
            "Facebook": "share",
            "Copy link": "share",
            "Advertisement": "advertisement",
            "Related: Drought rules": "related",
            "Ana Ruiz in Madrid contributed": "trailer",
            "Copyright 2024 Meridian Press": "copyright",
            "Most Read": "related",
            "Ferry crews vote to strike": "related",
            "Skip to content": "page-control",
        },
    )


# --- a magazine longform: credits, a pull quote, link lists, a bio -----------


def test_magazine_keeps_exactly_the_story(magazine: Article) -> None:
    assert openings(magazine) == [
        "On a wet morning",
        "Kell is sixty-eight. His",
        "“A bell is the",
        "The foundry will close",
        "Casting is the shortest",
        "Kell learned the profile",
        "“You cannot hurry bronze,",
        "He was right.",  # a short story paragraph after a pull quote
        "When the new bronze",
        "A bell that is",
        "“People think tuning is",
        "Amadi keeps a tuning",
        "The bells themselves will",
        "Kell intends to pour",
    ]
    assert magazine.title == "The Last Bell Founders of the Eden Valley"
    assert magazine.byline == "Hanna Oyelaran"
    headings = [p.heading for p in magazine.paragraphs]
    assert (
        headings
        == [None] * 4
        + ["A trade that does not hurry"] * 5
        + ["The hum and the strike"] * 3
        + ["What happens to the bells"] * 2
    )


def test_magazine_pull_quote_is_not_a_second_quote(magazine: Article) -> None:
    hurry = [q for q in magazine.quotes if "cannot hurry bronze" in q.text]
    assert [(q.paragraph, q.speaker) for q in hurry] == [(6, "Kell")]
    assert len(magazine.quotes) == 6


def test_magazine_boilerplate_rules(magazine: Article) -> None:
    assert_dropped(
        magazine,
        {
            "Illustrations by Mara Quist": "credit",
            "Illustration by Mara Quist": "credit",
            "Listen to this article": "page-control",
            "“You cannot hurry bronze, and you cannot hurry the people who know how to pour it.”": (
                "pull-quote"
            ),
            "Read more: The glassblowers": "related",
            "Recommended": "related",
            "The canal that an orchestra saved": "related",
            "How to build a dry stone wall": "related",
            "Hanna Oyelaran is a contributing writer": "bio",
            "This article appears in the June 2024": "trailer",
            "Topics: crafts": "tags",
            "You may also like": "related",
            "Features Essays Culture": "navigation",  # a menu set apart by wide spaces
        },
    )


def test_magazine_keeps_a_person_described_in_the_story(magazine: Article) -> None:
    # "Amadi is a metallurgist ..." reads like a bio but is the story's subject.
    assert any("Amadi is a metallurgist by training" in p.text for p in magazine.paragraphs)


# --- a blog: share bar, newsletter box, tags, comments, cookies --------------


def test_blog_keeps_exactly_the_story(blog: Article) -> None:
    assert openings(blog) == [
        "This winter we finally",
        "We share the bays",  # "share" in a story sentence
        "So the rebuild has",
        "Leaves rot slowly and",
        "It works, mostly.",
        # The share bar inside the story does not split it.
        "In January the allotment",
        "The society’s newsletter, printed",  # mentions a newsletter, asks nothing
        "The count will be",
    ]
    assert blog.title == "Leaf Mould, Worms and the Great Compost Rebuild"
    assert blog.byline == "Edith Marr"
    assert blog.date == "2024-03-09"
    assert [p.heading for p in blog.paragraphs] == [None] * 3 + [
        "Why leaves need their own cage"
    ] * 2 + ["The worm count"] * 3
    assert blog.quotes == []


def test_blog_boilerplate_rules(blog: Article) -> None:
    assert_dropped(
        blog,
        {
            "Image: the new bays": "caption",
            "Share this:": "share",
            "Like Loading...": "share",
            "Sign up for the Potting Shed newsletter": "newsletter",
            "Get new posts and seasonal planting notes": "newsletter",
            "Enter your email address": "subscribe",
            "Tags: compost": "tags",
            "Posted in Allotment diary": "tags",
            "Building a cold frame": "related",
            "12 Comments": "comments",
            "Leave a Reply": "comments",
            "Follow The Potting Shed on Instagram": "follow",
            "This site uses cookies": "cookies",
            "© 2024 The Potting Shed": "copyright",
        },
    )


def test_blog_reader_comments_are_not_the_story(blog: Article) -> None:
    # Comment bodies read like story text; the comment count ends the story's run.
    assert "coffee grounds" not in blog.text
    assert "two wet winters" not in blog.text
    assert rule_of(blog, "Forty-one is a respectable count") == "outside-story"


# --- a local news page: consent banner, adverts, sponsored box, typo link ----


def test_local_news_keeps_exactly_the_story(local: Article) -> None:
    assert openings(local) == [
        "A cinema that closed",
        "The Regal on Station",
        "The Friends of the",
        "“When we first opened",
        "They were wrong.",  # a short paragraph just above "Advertisement"
        "The group raised most",
        "Volunteers found a box",  # "The photo, taken in 1945, shows ..."
        "The restored screen will",
        "Fenwick said the group",
    ]
    assert local.title == "Volunteers Bring Harwick’s Regal Cinema Back to Life"
    assert local.byline == "Jo Pemberton"  # the line above "Local Democracy Reporter"
    assert local.date == "2024-05-14"
    assert all(p.heading is None for p in local.paragraphs)  # no advert became a subhead
    assert [q.speaker for q in local.quotes] == ["Alan Fenwick", "Alan Fenwick"]
    assert "The photo, taken in 1945, shows the queue" in local.text


def test_local_news_boilerplate_rules(local: Article) -> None:
    assert_dropped(
        local,
        {
            "We value your privacy": "cookies",
            "We and our partners use cookies": "cookies",
            "Accept all": "cookies",
            "Comments (14)": "comments",
            "The Regal, pictured in 1945": "caption",
            "Photo courtesy of the Harwick": "credit",
            "ADVERTISEMENT": "advertisement",
            "Story continues below advertisement": "advertisement",
            "Sponsored": "advertisement",
            "Seven garden tools": "advertisement",
            "Read more": "related",
            "Harwick bypass: what the new road": "related",
            "Report a typo": "page-control",
            "1. Man charged after crash": "related",
            "Comments are closed": "comments",
            "Harwick Herald, 4 Market Place": "copyright",
        },
    )


# --- HTML: what trafilatura lets through -------------------------------------


def test_html_keeps_exactly_the_story(harbour: Article) -> None:
    assert openings(harbour) == [
        "Repairs to the harbour",
        "The council expects the",
        "“The wall has stood",
        "Engineers will first build",
        "The trust has also",  # "The photo, taken in 1945, shows ..."
        "It was slow work.",
        "The trust’s newsletter, which",  # mentions a newsletter, asks nothing
    ]
    assert harbour.title == "Harbour Wall Repairs Begin Three Months After Storm"
    assert harbour.byline == "Ellen Carne"
    assert [q.speaker for q in harbour.quotes] == ["Morwen Tresize", "Morwen Tresize"]
    assert not any("worst damage" in q.text for q in harbour.quotes)  # the caption's quote


def test_html_boilerplate_rules(harbour: Article) -> None:
    assert_dropped(
        harbour,
        {
            "Advertisement": "advertisement",
            "“The wall has stood since 1855, and we intend it to stand for another hundred "
            "and seventy years.”": "pull-quote",
            "Image: Porthkennack Harbour Trust": "caption",
            "Read more: Storm damage bill": "related",
            "Sign up for our newsletter": "newsletter",
            "Share this article": "share",
            "Ellen Carne is a reporter": "bio",
            "This article was first published": "trailer",
            "Tags: harbour": "tags",
        },
    )


def test_html_section_under_a_boilerplate_heading() -> None:
    page = (
        "<html><head><title>Ferry fares frozen</title></head><body><article>"
        "<h1>Ferry fares frozen</h1>"
        "<p>The harbour board voted on Tuesday to freeze ferry fares for another year, "
        "after a survey found that most passengers were islanders travelling to work.</p>"
        "<p>Fares rose by a tenth last spring, and the board said it did not want to add to "
        "the cost of living on the islands while the new timetable beds in.</p>"
        "<h2>About the author</h2>"
        "<p>Sam Okafor has covered the islands since 2015 and lives on the largest of them, "
        "where he keeps bees and a small boat.</p>"
        "<h2>Related stories</h2>"
        "<ul><li>New timetable for the winter crossings</li><li>Island school gets a bus</li></ul>"
        "</article></body></html>"
    )
    article = parse_html(page)
    assert openings(article) == ["The harbour board voted", "Fares rose by a"]
    assert rule_of(article, "About the author") == "bio"
    assert rule_of(article, "Sam Okafor has covered") == "bio"
    assert rule_of(article, "Island school gets a bus") == "related"


def test_markdown_captions_and_prompts() -> None:
    text = (
        "---\ntitle: Mending the sea wall\n---\n\n"
        "The sea wall below the church was mended this week by a team of four masons, who "
        "worked at every low tide for nine days to reset the fallen stones.\n\n"
        "![The wall](wall.jpg)\n\n"
        "*Photo: Jory Penhallow*\n\n"
        "The parish paid for the work from a legacy left by a former churchwarden, who asked "
        "that the money be spent on the wall she walked along every morning.\n\n"
        "**Enjoyed this post? Sign up for our newsletter and get every new post in your "
        "inbox.**\n\n"
        "## Share this post\n\n"
        "Facebook · Email\n"
    )
    article = parse_markdown(text)
    assert openings(article) == ["The sea wall below", "The parish paid for"]
    assert rule_of(article, "Photo: Jory Penhallow") == "caption"
    assert rule_of(article, "Enjoyed this post?") == "newsletter"
    assert rule_of(article, "Facebook · Email") == "share"


# --- rules that need the lines around a block (saved text) -------------------

STORY = (
    "The lifeboat station at Polwenna will get a new slipway this summer, the charity "
    "that runs it said on Friday, after the old one was damaged in two winter storms.\n\n"
    "The slipway was built in 1911 and has been repaired many times since, most recently "
    "in 1998, when a storm lifted a whole section of its timber deck.\n\n"
)
END = (
    "Work will start in May and is expected to take ten weeks, during which the boat will "
    "launch from the beach with a tractor, as it did before the first slipway was built.\n"
)


def test_credit_first_caption_below_and_story_above_kept() -> None:
    page = STORY + "KARIN HOLT/AFP\n\nThe old slipway at low tide.\n\n" + END
    article = parse_text(page)
    assert openings(article) == [
        "The lifeboat station at",
        "The slipway was built",
        "Work will start in",
    ]
    assert rule_of(article, "The old slipway at low tide.") == "caption"


def test_short_line_beside_caption_goes_with_it_but_not_beside_an_advert() -> None:
    boxed = parse_text(STORY + "[Photo] The crew in 1911.\n\nThe boat was new.\n\n" + END)
    assert "The boat was new." not in boxed.text
    assert rule_of(boxed, "The boat was new.") == "beside-boilerplate"
    advert = parse_text(STORY + "The boat was new.\n\nAdvertisement\n\n" + END)
    assert "The boat was new." in advert.text


def test_pull_quote_in_saved_text() -> None:
    story = (
        "“We have launched from this slipway in every kind of weather for a hundred years, "
        "and we want it to last another hundred,” said Tom Hart, the coxswain.\n\n"
    )
    pull = "“We have launched from this slipway in every kind of weather for a hundred years.”\n\n"
    article = parse_text(STORY + story + pull + END)
    assert len(article.paragraphs) == 4
    assert len(article.quotes) == 1 and article.quotes[0].speaker == "Tom Hart"
    assert rule_of(article, pull.strip()) == "pull-quote"


def test_a_bio_closing_the_story_only_when_it_names_a_stranger() -> None:
    bio = "Priya Shah is a professor of maritime history at the University of Leeds."
    stranger = parse_text(STORY + END + "\n" + bio + "\n")
    assert "Priya Shah" not in stranger.text
    assert rule_of(stranger, "Priya Shah is a professor") == "bio"
    quoted = (
        "Ruth Amadi, who chairs the station’s management group, said the crew had raised "
        "£40,000 towards the work from open days and a sponsored swim.\n\n"
    )
    known = parse_text(
        STORY + quoted + END + "\nRuth Amadi is the director of the county archive in Truro.\n"
    )
    assert known.paragraphs[-1].text == "Ruth Amadi is the director of the county archive in Truro."


def test_a_long_comment_thread_does_not_win_over_the_story() -> None:
    comment = (
        "I grew up two streets from the station and remember the old boat launching in the "
        "storm of 1979, when the whole village came down to the harbour to watch it go out "
        "and nobody went home until it came back.\n\n"
    )
    page = STORY + END + "\n3 Comments\n\nLeave a Reply\n\n" + comment * 3
    article = parse_text(page)
    assert openings(article) == [
        "The lifeboat station at",
        "The slipway was built",
        "Work will start in",
    ]


def test_a_comment_count_after_the_lead_does_not_cut_the_story() -> None:
    lead = (
        "Polwenna’s lifeboat crew will launch from the beach this summer while the station "
        "is rebuilt, the charity said.\n\n"
    )
    article = parse_text(lead + "14 comments\n\n" + STORY + END)
    assert openings(article) == [
        "Polwenna’s lifeboat crew will",
        "The lifeboat station at",
        "The slipway was built",
        "Work will start in",
    ]
    assert rule_of(article, "14 comments") == "comments"


# --- each rule alone -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("[Photo] Workers stand on the new barrier.", "caption"),
        ("[Image] A map of the route", "caption"),
        ("Photo: Jane Roe", "caption"),
        ("Caption: The mill in 1910", "caption"),
        ("FILE - A ferry leaves the harbour, May 2, 2019.", "caption"),
        ("In this photo provided by the coastguard, a boat lies on its side.", "caption"),
        ("Workers on the wall on Monday. (Photo: Jane Roe/Gazette)", "credit"),
        ("Water pours over the dam. (AP Photo/Karin Holt)", "credit"),
        ("Karin Holt/Getty Images", "credit"),
        ("A man walks past the flooded shop. Jane Roe/Meridian Press", "credit"),
        ("Credit: Jane Roe", "credit"),
        ("Illustration by Mara Quist", "credit"),
        ("Photo courtesy of the Harwick Historical Society", "credit"),
        ("Advertisement", "advertisement"),
        ("ADVERTISEMENT", "advertisement"),
        ("Sponsored content", "advertisement"),
        ("Article continues below", "advertisement"),
        ("Share this:", "share"),
        ("Facebook Twitter LinkedIn Email", "share"),
        ("Click to share on X (Opens in new window)", "share"),
        ("Follow us on Instagram", "follow"),
        ("Follow her on X @ecarne", "follow"),
        ("Sign up for our newsletter to get the week’s news in your inbox.", "newsletter"),
        ("Get the morning briefing delivered to your inbox every weekday.", "newsletter"),
        ("Subscribe now", "subscribe"),
        ("Already a subscriber? Log in", "subscribe"),
        ("Support independent journalism", "subscribe"),
        ("Ellen Carne is a reporter at the Gazette. Follow her on X @ecarne.", "bio"),
        ("Sam Okafor covers the islands for the Gazette.", "bio"),
        ("About the author", "bio"),
        ("Related: Drought rules widen", "related"),
        ("Read more: The glassblowers of Wearside", "related"),
        ("Recommended", "related"),
        ("You might also like", "related"),
        ("12 Comments", "comments"),
        ("Comments (14)", "comments"),
        ("Leave a Reply", "comments"),
        ("We use cookies to improve your experience.", "cookies"),
        ("Accept all", "cookies"),
        ("© 2024 The Gazette. All rights reserved.", "copyright"),
        ("Privacy Policy Terms of Use", "copyright"),
        ("Tags: harbour, storms", "tags"),
        ("Filed under: Transport", "tags"),
        ("This article was first published in the Gazette on 12 March 2024.", "trailer"),
        ("This interview has been edited for length and clarity.", "trailer"),
        ("A version of this story appeared in print on May 3, 2024.", "trailer"),
        ("Reporting by Ana Ruiz; editing by Tom Hart", "trailer"),
        ("5 min read", "page-control"),
        ("Click here to read the full report", "page-control"),
        ("This post contains affiliate links.", "advertisement"),
        ("The views expressed in this article are the author’s own.", "trailer"),
        ("Got a story tip? Email the newsroom.", "subscribe"),
        ("Read our privacy policy", "cookies"),
        ("Skip to content", "page-control"),
    ],
)
def test_rule_fires(text: str, rule: str) -> None:
    assert match(text) == rule


@pytest.mark.parametrize(
    "text",
    [
        "The photo, taken in 1945, shows the queue for the first post-war matinee.",
        "Photographs by Ansel Adams hang in the hall.",
        "She licensed the picture to Getty Images.",
        "The line runs between New York/New Jersey.",
        "The society’s newsletter, printed on the library’s copier, now goes to ninety households.",
        "Members get the newsletter four times a year.",
        "“You will get alerts on your phone when the river rises,” said Marzal.",
        "“Nobody bothered to notify me,” she said.",
        "We share the bays with the two plots next door.",
        "He wants to share this view with the committee.",
        "Share prices fell sharply on Tuesday.",
        "Follow the river north for two miles and you reach the weir.",
        "Join us on Saturday for the reopening, the trust said.",
        "Read more widely, she advised.",
        "More stories emerged on Monday.",
        "Recommended by her doctor, the walk takes an hour.",
        "In other news, the council approved the budget.",
        "Most read the report as a warning.",
        "The company changed its privacy policy in May.",
        "The platform updated its community guidelines in March.",
        "The band lost its copyright case in 2019.",
        "(a) the budget, (b) the timetable and (c) The Ferry Act.",
        "Powered by two diesel engines, the ferry crosses in ten minutes.",
        "This report, produced by the council’s auditors, found waste.",
        "This story was first reported by the Herald in 2019, when the mill closed.",
        "Bill Okoro is a retired photographer who spent forty years at sea.",
        "She is a reporter at the local paper and a mother of two.",
        "Jane Doe was a reporter at the Herald for thirty years before she retired.",
        "Medicare Advantage covers most of the cost.",
        "Stay informed, officials advised residents during the flood, and keep a radio nearby.",
        "Comments from residents were mixed.",
        "Discussion",
        "The advertisement ran for three weeks in 1962.",
        "Posted in 1943 to the Far East, he served for three years.",
        "Tagged as a heritage asset in 1972, the mill cannot be demolished.",
        "Listen to the river, she said.",
        "Residents must log in to the council portal to book a slot.",
        "“Click here,” the email said, and thousands did.",
        "The views of the harbour from the hill are the best in the county.",
        "It did not.",
    ],
)
def test_story_sentence_is_kept(text: str) -> None:
    assert match(text) is None


def test_rules_are_named_and_documented() -> None:
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))
    for rule in RULES:
        assert len(rule.doc) > 20, rule.name


def test_every_rule_fires_on_a_fixture(
    wire: Article, magazine: Article, blog: Article, local: Article, harbour: Article
) -> None:
    fired = {d.rule for a in (wire, magazine, blog, local, harbour) for d in a.dropped}
    assert {rule.name for rule in RULES} <= fired


def test_repeats_needs_six_words_inside_a_longer_block() -> None:
    texts = [
        "The wall has stood since 1855, and we intend it to stand for another century.",
        "“The wall has stood since 1855 …  for another century.” — Morwen Tresize",
        "The wall has stood",
    ]
    assert repeats(texts) == {1: 0}


# --- the record of what was dropped ------------------------------------------


def test_dropped_is_not_saved_in_the_json(wire: Article, harbour: Article) -> None:
    for article in (wire, harbour):
        data = json.loads(json.dumps(article.to_dict()))
        assert data["version"] == 1
        assert "dropped" not in data
        back = Article.from_dict(data)
        assert back == article and back.dropped == []
        assert article.dropped


def test_sample_article_drops_are_named() -> None:
    seed = read("passblue-seed.txt")
    assert rule_of(seed, "Ishikane Kimihiro, Ambassador") == "caption"
    assert rule_of(seed, "At the press briefing held by") == "credit"
    assert rule_of(seed, "PassBlue Related Articles") == "related"
    assert rule_of(seed, "Damilola Banjo is a reporter") == "bio"
    assert rule_of(seed, "Subscribe to PassBlue") == "subscribe"
    kept = {p.text for p in seed.paragraphs}
    assert not kept & {d.text for d in seed.dropped}
