"""Named rules for the blocks of a page that are not its story.

Each rule is a predicate over one block of text (a line of a saved page, a
paragraph from trafilatura or Markdown) and says why the block is not story
text: a photo caption or credit, an advertisement marker, a share, follow,
subscribe or newsletter prompt, an author bio, a related-links label, a
comment count or comment form, a cookie notice, a copyright footer, a tag
list, or a publication trailer ("This article was first published ...").

The rules are general: they look at the shape of a block (where a label
sits, how long it is, whether it reads as a sentence, whether it speaks to
the reader), never at a site's name. They lean towards keeping text: a rule
fires on a label at the start or a credit at the end of a block, or on a
short block whose words are all of one kind, not on a word that a story
sentence may use ("the photo, taken in 1945, shows ..."; "the society's
newsletter now goes to ninety households"). Dropping a story paragraph costs
more than keeping a caption.

:func:`match` names the first rule a block breaks, or None. A few rules need
the blocks around one (a short caption beside a credit line, the headlines
under a "Related" label, a pull quote that repeats the story, the bio that
closes it); the parsers apply those with the helpers at the end of this module.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from toolkit.article.words import SENTENCE_END, SPEECH_VERBS, _words

__all__ = [
    "INSERT_RULES",
    "RULES",
    "Rule",
    "is_credit_only",
    "is_list_label",
    "is_tail_bio",
    "match",
    "repeats",
    "sift",
]

_I = re.IGNORECASE


def _re(pattern: str, flags: int = _I) -> re.Pattern[str]:
    return re.compile(pattern, flags)


def _strip(text: str) -> str:
    """``text`` without the bullets, dashes and stars a page puts around a block."""
    return text.strip().strip("*_•·–—-|> ").strip()


def _sentence(text: str) -> bool:
    return bool(SENTENCE_END.search(text))


def _only(words: list[str], vocabulary: frozenset[str], needed: frozenset[str]) -> bool:
    """Every word is in ``vocabulary`` and at least one is in ``needed``."""
    lowered = [w.lower() for w in words]
    return bool(lowered) and all(w in vocabulary for w in lowered) and bool(needed & set(lowered))


# --- captions and credits ------------------------------------------------------

_CAPTION_LABEL = _re(
    r"^[\[(](?:photos?|images?|pictures?|video|graphic|gallery|caption|illustration|map|chart)"
    r"[\])]"
    r"|^(?:photos?|photograph|images?|picture|pictured|caption|video|graphic|illustration|"
    r"gallery|slideshow|watch|top image|main image|header image|above|below)\s*:"
)
# AP-style captions: "FILE - A man walks ...", "In this photo provided by the Navy, ...".
_CAPTION_WIRE = re.compile(
    r"^FILE\s*[-–—]\s"
    r"|^(?:In )?[Tt]his (?:file |undated |handout |aerial )?(?:photo|image|picture|frame grab)"
    r"(?:graph)?,? (?:provided|released|taken|made|distributed|obtained|shared|posted|from)\b"
)


def caption(text: str, words: list[str]) -> bool:
    """A photo or video caption by its label: "[Photo] ...", "Image: ...", "FILE - ...".

    Only a label at the very start counts, so "The photo, taken in 1945,
    shows ..." is story text.
    """
    text = _strip(text) if not text.lstrip().startswith(("[", "(")) else text.strip()
    return bool(_CAPTION_LABEL.search(text) or _CAPTION_WIRE.search(text))


_CREDIT_END = re.compile(
    # "JOHN PENNEY/PASSBLUE", "KARIN HOLT / AFP": no full stop after it
    r"\b[A-Z][A-Z.'’-]+(?:\s+[A-Z][A-Z.'’-]+)*\s*/\s*[A-Z][A-Z.'’&\s-]*[A-Z]\s*$"
    # "Photograph: Tom Aldridge", "Illustration by Mara Quist", "Image courtesy of the Trust"
    r"|\b(?:Photo(?:graph)?s?|Images?|Pictures?|Credit|Illustrations?|Artwork|Video)\s*"
    r"(?:by|:|courtesy(?: of)?)\s*[A-Z][^.!?]{0,60}$"
    # "(Photo: Jane Roe/Agency)", "(AP Photo/Karin Holt, File)", "(Courtesy of the family)"
    r"|\([^()]{0,20}\b(?:Photo(?:graph)?|Image|Picture|Credit|Illustration|Courtesy)s?\b"
    r"[^()]{0,80}\)[\s.]*$"
    # "Karin Holt/Getty Images", "... via Getty Images", a line "Getty Images"
    r"|(?:/\s*|\bvia |\bfor |^|[.!?][\"”’)]?\s+)Getty Images\)?[\s.]*$"
    # "... on Monday. Jane Roe/Meridian Press": capitalised words, a slash, an agency,
    # opening the block or following a sentence, with no full stop after it
    r"|(?:^|[.!?][\"”’)]?\s+)[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){1,3}\s*/\s*"
    r"[A-Z][\w&'’-]*(?:\s+[A-Z][\w&'’-]*){0,3}\s*$"
)
# A credit opening a block: "Credit: ...", or "Photo by Jane Roe" with nothing but
# names after it ("Photographs by Ansel Adams hang in the hall" goes on as a sentence).
_CREDIT_START = re.compile(
    r"^(?i:(?:photo |image |picture )?credits?)\s*:"
    r"|^(?i:photo(?:graph)?s?|images?|pictures?|illustrations?|artwork|photo illustration)\s+"
    r"(?i:by|courtesy(?: of)?)\s+(?:the\s+)?[A-Z][\w.'’-]*"
    r"(?:\s+(?:[A-Z][\w.'’-]*|of|the|and|for|de|van|von|&))*(?:\s*[/,]\s*[\w .&'’-]+)?\.?$"
)
_AP_PHOTO = re.compile(r"\b(?:AP|AFP|EPA|PA) (?:Photo|Images?)\s*/")


def credit(text: str, words: list[str]) -> bool:
    """A photo or image credit: a caption ending "(Photo: Jane Roe/Agency)",
    "JOHN PENNEY/PASSBLUE", "Karin Holt/Getty Images", "Illustration by Mara
    Quist", or a block starting "Credit: ..." or "Photo by ...".

    A credit closes a block (nothing but a full stop after it), so a story
    sentence that names a photographer is kept.
    """
    text = _strip(text)
    return bool(_CREDIT_END.search(text) or _CREDIT_START.search(text) or _AP_PHOTO.search(text))


# --- advertising, sharing, following -------------------------------------------

_ADVERT = _re(
    r"^(?:advertisements?|advert|ads?"
    r"|sponsored(?: (?:content|post|story|stories|links?|by .{1,40}))?"
    r"|paid (?:content|post|partner(?:ship)? content|for by .{1,40})|partner content|promoted"
    r"(?: (?:content|stories|links))?|(?:the )?(?:story|article|content) continues (?:below|after)"
    r"(?: (?:the |this )?(?:advertisement|advert|ad))?|continue reading (?:below|the main story)"
    r"|scroll (?:down )?to continue(?: with content)?|advertisement\W+scroll to continue"
    r"(?: with content)?|report this ad)$"
)


# An affiliate-link disclosure: "This post contains affiliate links", "We may earn a commission".
_AFFILIATE = _re(
    r"^this (?:post|article|page|story|guide) (?:may )?contains? affiliate links\b"
    r"|\bwe may (?:earn|receive) (?:a )?(?:small )?(?:commission|share of sales)\b"
)


def advertisement(text: str, words: list[str]) -> bool:
    """An advertisement or sponsorship marker standing alone: "Advertisement",
    "ADVERTISEMENT", "Story continues below advertisement", "Sponsored content",
    or an affiliate-link disclosure.
    """
    text = _strip(text)
    if len(words) <= 40 and _AFFILIATE.search(text):
        return True
    return len(words) <= 10 and bool(_ADVERT.match(text.rstrip(".:!")))


_NETWORKS = frozenset(
    "facebook twitter x linkedin whatsapp reddit pinterest telegram tumblr flipboard messenger "
    "bluesky mastodon threads instagram youtube tiktok snapchat pocket email e-mail sms".split()
)
_SHARE_WORDS = frozenset(
    "share shares shared sharing tweet print copy copied link url save saved bookmark gift "
    "like loading reblog pin repost".split()
)
_SHARE_VOCABULARY = (
    _NETWORKS
    | _SHARE_WORDS
    | frozenset(
        "this article story post page on via to the a in new window tab opens click more options "
        "with friends and or your it here share's".split()
    )
)
_SHARE_PHRASE = _re(
    r"^(?:please )?share (?:this|on|via|the (?:story|article|post))\b"
    r"|^click to (?:share|email|print|copy)\b|^(?:like|share) this:$|^like loading"
)


def share(text: str, words: list[str]) -> bool:
    """A share, print or save control: "Share this:", "Facebook Twitter Email",
    "Click to share on X (Opens in new window)", "Like Loading...".

    The block must start with the prompt or hold nothing but such words, so
    "We share the bays with the plots next door" is story text.
    """
    text = _strip(text)
    if len(words) > 15:
        return False
    return bool(_SHARE_PHRASE.search(text)) or _only(
        words, _SHARE_VOCABULARY, _NETWORKS | _SHARE_WORDS
    )


_FOLLOW = _re(
    r"^follow (?:us|me|him|her|them)(?:\s+(?:on|at|via|for)\b|\W*$)"
    r"|^(?:find|join|connect with|like) (?:us|me|him|her|them) (?:on|at) (?:"
    + "|".join(sorted(_NETWORKS - {"email", "e-mail", "sms"}))
    + r")\b"
    r"|^follow @|^@[\w.]+$"
)
_NETWORK_WORD = _re(r"\b(?:" + "|".join(sorted(_NETWORKS - {"email", "e-mail", "sms"})) + r")\b")


def follow(text: str, words: list[str]) -> bool:
    """A follow prompt: "Follow us on Instagram", "Follow her on X @handle",
    "Follow The Potting Shed on Facebook", an @handle alone.

    "Follow the river north for two miles" names no network and is kept.
    """
    text = _strip(text)
    if len(words) > 20:
        return False
    if _FOLLOW.search(text):
        return True
    return bool(re.match(r"follow\b", text, _I) and _NETWORK_WORD.search(text))


# --- subscriptions and newsletters ---------------------------------------------

_NEWSLETTER = _re(r"\bnewsletters?\b|\bdigest\b|\bbriefing\b|\balerts?\b|\bupdates\b")
# What a sign-up box says and a story sentence does not.
_SIGN_UP_WORDS = _re(
    r"\bsign(?:ing)?[- ]?up\b|\bsubscrib|\b(?:in|into|to) your inbox\b|\bemail address\b"
    r"|\bdelivered (?:to|straight|every|each)\b|\bstraight to your\b"
)
_SIGNUP = _re(
    r"^(?:sign(?:[- ]?up| in)\b|log ?in\b|register (?:for free|now|here)"
    r"|create (?:an|a free|your) account|enter your (?:e-?mail|email address)|e-?mail address"
    r"|your e-?mail|thanks? (?:you )?for (?:signing up|subscribing)|you['’]re (?:all )?"
    r"(?:signed up|subscribed)|already (?:a (?:subscriber|member)|have an account)"
    r"|unsubscribe at any time|no spam\b|by (?:signing up|subscribing|clicking)|i agree to"
    r"|become a (?:member|subscriber|supporter|patron)|support (?:our|independent) "
    r"(?:journalism|work|reporting)|donate (?:now|today|here)\b|don['’]t miss (?:a|an|out|"
    r"another|our|the latest)\b|never miss (?:a|an|another)\b|want more (?:stories|news|like)"
    r"|get (?:the latest|our)\b)"
    r"|\bwe respect your privacy\b|^(?:have|got) a (?:news |story )?tip\b"
)
# Short prompts whose words a story line may also open with: ten words at most.
_SIGNUP_SHORT = _re(r"^stay (?:informed|connected|up to date|in the know)\b")
_SUBSCRIBE = _re(r"^subscribe\b|\bsubscribe (?:to|now|today|for|here)\b")


def newsletter(text: str, words: list[str]) -> bool:
    """A newsletter sign-up box: "Sign up for our newsletter ...", "Get the
    morning briefing delivered to your inbox", "Enter your email address".

    A sentence that only mentions a newsletter ("The society's newsletter
    now goes to ninety households") does not speak to the reader and is kept.
    """
    text = _strip(text)
    if len(words) > 40:
        return False
    if _NEWSLETTER.search(text) and _SIGN_UP_WORDS.search(text):
        return True
    if len(words) <= 20 and re.search(r"\bnewsletters?\b", text, _I):
        return re.search(r"\b(?:you|your|our)\b", text, _I) is not None
    return bool(re.search(r"\byour inbox\b", text, _I)) and len(words) <= 25


def subscribe(text: str, words: list[str]) -> bool:
    """A subscribe, log-in or donate prompt: "Subscribe now", "Already a
    subscriber? Log in", "Support independent journalism", "Don't miss a story".

    Only a prompt at the start of a short block, or "subscribe to/now/..."
    in a block that speaks to the reader, counts.
    """
    text = _strip(text)
    if len(words) > 25:
        return False
    if _SIGNUP.search(text) or re.match(r"subscribe\b", text, _I):
        return True
    if len(words) <= 10 and _SIGNUP_SHORT.search(text):
        return True
    return bool(_SUBSCRIBE.search(text) and re.search(r"\b(?:you|your|our|us)\b", text, _I))


# --- authors ------------------------------------------------------------------

# One to three capitalised words, not a pronoun or an article ("She is a reporter ...").
_NAME = (
    r"(?!(?:He|She|They|It|This|That|The|His|Her|Their|Its|One|We|I|You|Our|My)\s)"
    r"(?:[A-Z][\w.'’-]+\s+){1,3}(?:\([^()]{1,40}\)\s+)?"
)
_JOURNALIST = (
    r"(?:reporter|writer|editor|correspondent|journalist|contributor|columnist|producer|"
    r"freelancer|photographer|photojournalist|blogger|critic|reviewer|intern|fellow at)s?\b"
)
# What follows a job title in a bio: the outlet, the beat, the base, or the sentence's end.
_BIO_TAIL = (
    r"(?:\s+(?:for|at|with|on|in|covering|based|who (?:covers|writes|reports))\b|\s*[.,;]|$)"
)
_BIO = re.compile(
    rf"^{_NAME}is\s+(?:a|an|the)\s+(?:[\w’'-]+\s+){{0,4}}?{_JOURNALIST}{_BIO_TAIL}"
    rf"|^{_NAME}(?:covers|writes about|reports on)\b[^.]{{1,80}}?\b(?:for|at) (?:the )?[A-Z]"
    rf"|^{_NAME}(?:reports|writes) for (?:the )?[A-Z]"
    r"|^(?i:about the (?:author|writer|reporter)s?)\b",
)
# A full name (two to four capitalised words) opening a bio, as bios name their writer.
_FULL_NAME = (
    r"(?!(?:He|She|They|It|This|That|The|His|Her|Their|Its|One|We|I|You|Our|My)\s)"
    r"(?P<name>[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){1,3})\s+(?:\([^()]{1,40}\)\s+)?"
)
_TAIL_BIO = re.compile(
    rf"^{_FULL_NAME}is\s+(?:a|an|the)\s+(?:[\w’'-]+\s+){{0,4}}?"
    r"(?:author|novelist|poet|historian|professor|lecturer|researcher|scholar|fellow|"
    r"director|founder|co-founder|host|presenter|filmmaker|illustrator|artist|designer|"
    r"broadcaster|essayist|translator|teacher|"
    r"reporter|writer|editor|correspondent|journalist|contributor|columnist|producer|"
    r"freelancer|photographer|photojournalist|blogger|critic|reviewer)s?\b"
)


def bio(text: str, words: list[str]) -> bool:
    """An author bio: "Jane Doe is a reporter for ...", "Jane Doe covers the
    UN for PassBlue", "About the author".

    Only journalists' job titles count anywhere on a page; a wider bio
    ("... is a professor of ...", "... is the author of ...") counts only
    where it closes the story (see :func:`is_tail_bio`).
    """
    return bool(_BIO.search(_strip(text)))


def is_tail_bio(text: str, story: Sequence[str] = ()) -> bool:
    """A bio of the writer, read where it closes a story: every :func:`bio`,
    and a full name then "is a professor/author/director/writer ..." when
    the story (the other kept blocks, ``story``) never names that person.

    A story may well end "Ruth Amadi is the director of the archive", about
    someone it has quoted; a writer's bio names someone the story has not
    met. The parsers test this only on the last blocks they keep.
    """
    text = _strip(text)
    if _BIO.search(text):
        return True
    m = _TAIL_BIO.search(text)
    if m is None:
        return False
    surname = m.group("name").split()[-1]
    return not any(re.search(rf"\b{re.escape(surname)}\b", other) for other in story)


# --- links to other stories ---------------------------------------------------

_RELATED_LABEL = (
    r"(?:related(?: (?:posts?|articles?|stories|story|content|reading|coverage|links|topics))?"
    r"|read (?:more|next|also)|also read|see also|more (?:on this(?: story)?|from [\w .’'-]{1,40}"
    r"|stories|coverage|to read)|recommended(?: (?:for you|reading|stories|articles))?"
    r"|you (?:might|may) (?:also )?(?:like|enjoy|be interested)|top stories|most (?:read|popular"
    r"|viewed|shared)|trending(?: now| stories)?|editor['’]?s['’]? picks|popular now|latest news"
    r"|further reading|in other news|what to read next|keep reading|don['’]t miss)"
)
_RELATED_START = re.compile(rf"^{_RELATED_LABEL}\b\s*(?P<rest>[:|»›>–—-]?.*)$", _I)
_RELATED_ANYWHERE = _re(
    r"\brelated (?:posts?|articles?|stories|content|reading|coverage|links)\b"
    r"|\byou (?:might|may) (?:also )?(?:like|enjoy|be interested)"
)


def related(text: str, words: list[str]) -> bool:
    """A related-links label or link: "Related:", "Read more: <headline>",
    "Recommended", "Most read", "You might also like".

    The label must open the block and be followed by a colon, an arrow, a
    headline or nothing; "Read more widely, she said." ends like a sentence
    and is kept.
    """
    text = _strip(text)
    if len(words) > 25:
        return False
    m = _RELATED_START.match(text)
    if m:
        rest = m.group("rest").strip()
        if not rest or rest[0] in ":|»›>–—-" or not _sentence(text):
            return True
    return bool(_RELATED_ANYWHERE.search(text)) and (
        not _sentence(text) or re.search(r"\byou\b", text, _I) is not None
    )


def is_list_label(text: str) -> bool:
    """A label that heads a list of links ("Related stories", "Read more:",
    "Recommended"): the headlines under it are links too."""
    text = _strip(text)
    m = _RELATED_START.match(text)
    return m is not None and m.group("rest").strip() in ("", ":")


# --- comments, cookies, footers -----------------------------------------------

_COMMENTS = _re(
    r"^\d[\d,.]*k?\s+(?:comments?|responses?|replies|reactions)\b"
    r"|^comments?\s*[(\[]?\d*[)\]]?$"
    r"|^(?:leave|post|add|write|view|show|load|read|see|hide|join|jump to) "
    r"(?:a |an |all |the |your |\d+ |more )?"
    r"(?:comments?|replies|reply|responses?|conversation|discussion)\b"
    r"|^(?:leave a reply|reply|cancel reply|notify of|inline feedbacks?|oldest|newest|most voted"
    r"|sort by|log in to (?:comment|reply)|report (?:comment|abuse))$"
    r"|\bplease comment\b|\bcomment data\b|\bnotify (?:me|of)\b|\breduce spam\b"
    r"|\bcomments? (?:are|is) (?:now )?closed\b|\bbe the first to comment\b"
    r"|\byour email address will not be published\b|\brequired fields are marked\b"
    r"|\b(?:our|read the|see the|follow (?:our|the)) community (?:guidelines|standards|rules)\b"
)


def comments(text: str, words: list[str]) -> bool:
    """A comment count or comment form: "12 Comments", "Comments (14)",
    "Leave a Reply", "Your email address will not be published."."""
    return len(words) <= 25 and bool(_COMMENTS.search(_strip(text)))


_COOKIES = _re(
    r"\b(?:we|site|website|partners|vendors) (?:and (?:our|selected) (?:partners|vendors) )?"
    r"(?:use|uses|store|set) cookies\b|\buse of cookies\b|\bcookies? (?:policy|settings|"
    r"preferences|consent|notice|statement)\b|\b(?:accept|reject|allow|manage) (?:all )?cookies\b"
    r"|\bhow to control cookies\b|\bwe value your privacy\b"
    r"|\byour privacy (?:choices|settings|options|preferences)\b"
    r"|^(?:read|see|view|review) (?:our|the) (?:privacy|cookie) (?:policy|notice)\b"
)
_CONSENT_BUTTON = _re(
    r"^(?:accept(?: all)?|reject(?: all)?|allow all|manage (?:preferences|settings|options)"
    r"|i (?:accept|agree)|agree|got it|ok|okay|dismiss|customi[sz]e|more options|learn more"
    r"|cookie settings)$"
)


def cookies(text: str, words: list[str]) -> bool:
    """A cookie or consent notice: "We use cookies ...", "By continuing to use
    this website, you agree to their use ... Cookie Policy", "Accept all"."""
    text = _strip(text)
    if len(words) > 80:
        return False
    return bool(_COOKIES.search(text) or _CONSENT_BUTTON.match(text.rstrip(".!")))


_COPYRIGHT = _re(
    r"©|\(c\)\s*\d{4}|^copyright\b|\bcopyright\s*(?:©\s*)?\d{4}"
    r"|\ball rights reserved\b|\bmay not be (?:re)?(?:published|produced|broadcast|distributed|"
    r"rewritten|redistributed)\b"
)
_FOOTER_WORDS = frozenset(
    "privacy policy notice terms of use service services conditions cookie cookies contact us "
    "about careers jobs advertise advertising accessibility sitemap site map help faq faqs rss "
    "feeds and newsletters archive archives subscriptions corrections ethics masthead press "
    "statement do not sell my personal information settings legal imprint".split()
)
_FOOTER_NEEDED = frozenset("privacy terms sitemap advertise accessibility imprint".split())


def copyright_footer(text: str, words: list[str]) -> bool:
    """A copyright or legal footer: "© 2024 ...", "All rights reserved.",
    "This material may not be published ...", "Privacy Policy Terms of Use",
    "Powered by WordPress"."""
    text = _strip(text)
    if len(words) > 40:
        return False
    if _COPYRIGHT.search(text):
        return True
    if len(words) <= 6 and re.match(r"powered by\b", text, _I) and not _sentence(text):
        return True
    return len(words) <= 20 and _only(words, _FOOTER_WORDS, _FOOTER_NEEDED)


_TAGS = _re(
    r"^(?:tags?|tagged(?: with| as| in)?|filed (?:under|in)|posted in|categor(?:y|ies)|topics?"
    r"|keywords|labels|more about|related topics|explore (?:more on )?(?:these|this) "
    r"topics?|see more on)\s*:"
)


def tags(text: str, words: list[str]) -> bool:
    """A tag or category list: "Tags: compost, leaf mould", "Filed under: ...",
    "Posted in Allotment diary | Tagged ..."."""
    text = _strip(text)
    if len(words) > 30:
        return False
    if _TAGS.match(text):
        value = text.split(":", 1)[1]
        return not re.search(r"[.!?]\s+[A-Z]", value)
    return bool(re.match(r"(?:posted|filed) (?:in|under) ", text, _I)) and not _sentence(text)


_TRAILER = _re(
    r"^(?:this|a version of this|an earlier version of this|portions of this|parts of this)"
    r" (?:article|story|piece|post|essay|interview|column|feature)\b.{0,40}?"
    r"\b(?:was |is |has been |were )?(?:first |originally |also )?"
    r"(?:published|appeared|appears|republished|produced|adapted|excerpted|syndicated|"
    r"reprinted|made possible|supported|funded|updated to|edited for|condensed)\b"
    r"|^(?:originally|first) (?:published|appeared|posted) (?:in|on|at|by)\b"
    r"|^(?:this article|this story) is (?:republished|reproduced|part of a series)\b"
    r"|\b(?:contributed|contributed reporting) to this (?:report|story|article)\.?$"
    r"|^(?:additional )?reporting by [A-Z]|^contributing:\s|^editing by [A-Z]"
    r"|^the (?:views|opinions) expressed (?:in this (?:article|piece|column|post) )?are "
    r"(?:the author['’]s|those of the authors?|(?:his|her|their|my) own)"
)


def trailer(text: str, words: list[str]) -> bool:
    """A note about the story rather than the story: "This article was first
    published in ...", "A version of this story appeared in print on ...",
    "Ana Ruiz in Madrid contributed to this report.", "Reporting by ...".

    Only the note's own opening counts ("This story was first reported by
    the Herald in 2019, when ..." names no publishing step and is kept), and
    only in a block of 50 words or fewer. Editorial notes ("Update, Jan. 17:
    ...", "Correction: ...") are not trailers: they often say what changed.
    """
    return len(words) <= 50 and bool(_TRAILER.search(_strip(text)))


_CONTROLS = _re(
    r"^(?:skip to (?:main )?content|menu|search|close|open in app|listen|play|pause"
    r"|listen to (?:this|the) (?:article|story|episode)\b.*|\d+\s*(?:-|\s)?min(?:ute)?s?"
    r"(?: read| listen)?|reading time\W.*|print this (?:article|page)|back to top"
    r"|(?:see|view|show) (?:more|all|less)|load more|next|previous|view gallery"
    r"|\d+ (?:photos|images|pictures)|expand|enlarge this image|toggle caption|hide caption"
    r"|image \d+ of \d+|\d+ of \d+|report a (?:typo|correction|error)|gift (?:this )?article)$"
    r"|^(?:please )?click here\b"
    r"|\bclick here to (?:read|see|view|learn|find|download|sign|subscribe)"
)


def page_control(text: str, words: list[str]) -> bool:
    """A control of the page itself: "Skip to content", "Listen to this
    article · 6 min", "5 min read", "Back to top", "Image 2 of 7", "Click
    here to read more"."""
    return len(words) <= 20 and bool(_CONTROLS.search(_strip(text).rstrip(".:")))


# --- the rules in order ---------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """A named boilerplate rule; ``doc`` says what it drops.

    A ``prompt`` rule reads a block as the page speaking to its reader, so it
    does not fire on a block that quotes someone ("“Nobody thought to notify
    me,” she said"): that is a story reporting speech.
    """

    name: str
    test: Callable[[str, list[str]], bool]
    prompt: bool = True

    @property
    def doc(self) -> str:
        return (self.test.__doc__ or "").strip().split("\n\n")[0]


#: Every block rule, in the order they are tried: the first that fires names the block.
RULES: tuple[Rule, ...] = (
    Rule("caption", caption, prompt=False),
    Rule("credit", credit, prompt=False),
    Rule("advertisement", advertisement, prompt=False),
    Rule("share", share),
    Rule("follow", follow),
    Rule("newsletter", newsletter),
    Rule("subscribe", subscribe),
    Rule("bio", bio, prompt=False),
    Rule("related", related),
    Rule("comments", comments),
    Rule("cookies", cookies),
    Rule("copyright", copyright_footer, prompt=False),
    Rule("tags", tags),
    Rule("trailer", trailer),
    Rule("page-control", page_control),
)

# A quotation and a verb of speech: the block reports what someone said.
_SPEECH = re.compile(
    rf"[“”\"](?:.*\b(?:{SPEECH_VERBS})\b)|\b(?:{SPEECH_VERBS})\b.*[“”\"]", re.IGNORECASE
)

#: Rules whose block stands alone inside a story (an "Advertisement" line, a
#: "Read more:" link, a pull quote): a short story line beside one is not
#: thereby suspect, as a line beside a caption or sign-up box is.
INSERT_RULES = frozenset({"advertisement", "related", "share", "page-control", "pull-quote"})


def match(text: str, words: list[str] | None = None) -> str | None:
    """The name of the first rule in :data:`RULES` that ``text`` breaks, or None."""
    if words is None:
        words = _words(text)
    speech = bool(_SPEECH.search(text))
    for rule in RULES:
        if (not rule.prompt or not speech) and rule.test(text, words):
            return rule.name
    return None


def is_credit_only(text: str, words: list[str] | None = None) -> bool:
    """A block that is nothing but a credit ("Karin Holt/Getty Images",
    "Photo courtesy of the Harwick Historical Society"): its caption sits beside it."""
    if words is None:
        words = _words(text)
    return len(words) <= 10 and credit(text, words) and not _sentence(text.rstrip(")"))


# --- pull quotes ----------------------------------------------------------------

_ATTRIBUTION = re.compile(r"\s*[—–-]{1,2}\s*[A-Z][\w.'’ -]{0,40}$")


def _tokens(text: str) -> str:
    return " ".join(w.lower().replace("’", "'") for w in _words(text))


def repeats(texts: Sequence[str], candidates: Sequence[int] | None = None) -> dict[int, int]:
    """Pull quotes: blocks that repeat part of a longer block of the same page.

    Returns ``{index: index of the longer block}``. A pull quote is a
    sentence lifted from the story and set large beside it, with or without
    quote marks and a "— Name" attribution; the words of each piece between
    ellipses (at least six words in all) must appear, in order and
    unbroken, in one longer block. Only ``candidates`` (default: all) are
    tested.
    """
    tokens = [f" {_tokens(t)} " for t in texts]
    found: dict[int, int] = {}
    for i in candidates if candidates is not None else range(len(texts)):
        text = _ATTRIBUTION.sub("", texts[i].strip())
        pieces = [_tokens(p) for p in re.split(r"\.\.\.|…", text)]
        pieces = [p for p in pieces if p]
        if sum(len(p.split()) for p in pieces) < 6:
            continue
        for j, other in enumerate(tokens):
            if j == i or len(other) <= len(tokens[i]):
                continue
            if all(f" {p} " in other for p in pieces):
                found[i] = j
                break
    return found


# --- blocks of a parsed page ------------------------------------------------------


def _caption_sized(text: str, words: list[str]) -> bool:
    """Short enough to be the caption beside a credit and not a story paragraph:
    under ten words, or up to thirty that do not end like a sentence."""
    return len(words) < 10 or (len(words) <= 30 and not _sentence(text))


def sift(texts: Sequence[str], sections: Sequence[str | None] | None = None) -> list[str | None]:
    """The rule that drops each block of a page's main content, or None to keep it.

    For the paragraphs an HTML or Markdown parser found, in order. Besides
    :func:`match` on each block: a block under a heading that a rule drops
    ("Related stories", "About the author"; ``sections`` gives each block's
    heading rule) goes with it; a short block beside a credit alone is its
    caption (only one too short to be a story paragraph); the headlines
    under a "Read more:" label are links; a block repeating part of a longer
    one is a pull quote; a bio that closes the page is dropped (see
    :func:`is_tail_bio`).
    """
    words = [_words(t) for t in texts]
    reasons: list[str | None] = [match(t, w) for t, w in zip(texts, words, strict=True)]
    if sections is not None:
        reasons = [r or s for r, s in zip(reasons, sections, strict=True)]
    for i, text in enumerate(texts):
        if reasons[i] == "credit" and is_credit_only(text, words[i]):
            beside = [j for j in (i - 1, i + 1) if 0 <= j < len(texts) and reasons[j] is None]
            for j in beside:
                if _caption_sized(texts[j], words[j]):
                    reasons[j] = "caption"
                    break
        if reasons[i] == "related" and is_list_label(text):
            for j in range(i + 1, min(i + 9, len(texts))):
                if reasons[j] is not None or len(words[j]) > 20 or _sentence(texts[j]):
                    break
                reasons[j] = "related"
    kept = [i for i, r in enumerate(reasons) if r is None]
    for i, j in repeats(texts, kept).items():
        if reasons[j] is None:
            reasons[i] = "pull-quote"
    kept = [i for i, r in enumerate(reasons) if r is None]
    for i in kept[-2:][::-1]:
        if not is_tail_bio(texts[i], [texts[j] for j in kept if j != i]):
            break
        reasons[i] = "bio"
    return reasons
