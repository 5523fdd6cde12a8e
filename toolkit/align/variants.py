"""Ways of writing the same words: contractions and British / American spellings.

Both sides of a comparison pass through the same functions, so a rule only
has to send the two spellings of one word to the same token; what that token
looks like does not matter. The danger is the other way round: two different
words sent to one token. So each rule below keeps a minimum stem length (or an
exception) where it would otherwise join real words ("our" and "or", "timbre"
and "timber").
"""

from __future__ import annotations

import re

# --- contractions -------------------------------------------------------------

#: Words whose "'s" is "is" or "has" ("it's", "there's"); after any other word
#: "'s" is a possessive ("Japan's") and only loses its apostrophe.
_S_IS = frozenset(
    "it he she that there here what who where when why how this everyone everybody "
    "everything someone somebody something nobody nothing one".split()
)
#: Words whose "'d" is "would" or "had" ("we'd"); after wh-words also "did".
_D_WOULD = frozenset("i you he she it we they that there who what where how why when".split())
_WH = frozenset("who what where how why when".split())
#: Stems of "n't" that are not the verb itself.
_NT_STEM = {"ca": "can", "wo": "will", "sha": "shall"}
#: Simple suffixes: "we're" -> "we are".
_SUFFIX = {"re": ("are",), "ve": ("have",), "ll": ("will",), "m": ("am",)}

# A reading of one written word: its tokens, and for some of them other readings.
Reading = list[tuple[str, tuple[str, ...]]]


def expand_contraction(word: str) -> Reading | None:
    """The tokens of a contraction, lower case, with "'" as its apostrophe.

    ``"we're"`` -> we, are; ``"can't"`` -> can, not; ``"it's"`` -> it, is (or
    has); ``"I'd"`` -> i, would (or had). Returns None for a word that is no
    contraction (a possessive such as ``"japan's"``, or ``"o'clock"``).
    """
    if word == "cannot":
        return [("can", ()), ("not", ())]
    if "'" not in word:
        return None
    head, _, tail = word.rpartition("'")
    if not head.isalpha() or not tail.isalpha():
        return None
    if tail == "t" and head.endswith("n") and len(head) > 1:
        stem = head[:-1]
        if stem == "ai":  # "ain't": am / is / are / has / have not
            return [("is", ("am", "are", "has", "have")), ("not", ())]
        return [(_NT_STEM.get(stem, stem), ()), ("not", ())]
    if tail in _SUFFIX:
        return [(head, ()), *[(t, ()) for t in _SUFFIX[tail]]]
    if tail == "s":
        if head == "let":
            return [("let", ()), ("us", ())]
        if head in _S_IS:
            return [(head, ()), ("is", ("has",))]
        return None
    if tail == "d" and head in _D_WOULD:
        return [(head, ()), ("would", ("had", "did") if head in _WH else ("had",))]
    return None


# --- British and American spelling ---------------------------------------------

#: British spelling -> American, where no general rule below covers it.
_SPELLING = {
    "programme": "program", "programmes": "programs", "programmed": "programed",
    "grey": "gray", "greys": "grays", "greyer": "grayer", "greyish": "grayish",
    "tyre": "tire", "tyres": "tires", "kerb": "curb", "kerbs": "curbs",
    "plough": "plow", "ploughs": "plows", "ploughed": "plowed", "draught": "draft",
    "draughts": "drafts", "cheque": "check", "cheques": "checks",
    "aluminium": "aluminum", "manoeuvre": "maneuver", "manoeuvres": "maneuvers",
    "manoeuvred": "maneuvered", "mould": "mold", "moulds": "molds", "mouldy": "moldy",
    "moult": "molt", "smoulder": "smolder", "smouldering": "smoldering",
    "jewellery": "jewelry", "jeweller": "jeweler", "jewellers": "jewelers",
    "ageing": "aging", "judgement": "judgment", "judgements": "judgments",
    "acknowledgement": "acknowledgment", "fulfil": "fulfill", "fulfils": "fulfills",
    "fulfilment": "fulfillment", "enrol": "enroll", "enrols": "enrolls",
    "enrolled": "enroled", "enrolment": "enrollment", "instalment": "installment",
    "skilful": "skillful", "wilful": "willful", "distil": "distill", "instil": "instill",
    "sceptic": "skeptic", "sceptics": "skeptics", "sceptical": "skeptical",
    "scepticism": "skepticism", "gaol": "jail", "pyjamas": "pajamas",
    "storey": "story", "storeys": "stories", "learnt": "learned", "dreamt": "dreamed",
    "spelt": "spelled", "burnt": "burned", "spoilt": "spoiled",
    "practise": "practice", "practised": "practiced", "practises": "practices",
    "practising": "practicing", "cosy": "cozy", "moustache": "mustache",
    "sulphur": "sulfur", "artefact": "artifact", "artefacts": "artifacts",
    "speciality": "specialty", "centred": "centered", "centring": "centering",
    "fuelled": "fueled", "fuelling": "fueling", "dialled": "dialed", "dialling": "dialing",
    "duelling": "dueling", "trialled": "trialed", "trialling": "trialing",
    "paediatric": "pediatric", "anaemia": "anemia", "anaesthetic": "anesthetic",
    "haemorrhage": "hemorrhage", "encyclopaedia": "encyclopedia", "foetus": "fetus",
    "oestrogen": "estrogen", "leukaemia": "leukemia", "orthopaedic": "orthopedic",
    "mediaeval": "medieval", "axe": "ax",
}  # fmt: skip
#: Words a rule would join to another real word.
_KEEP = frozenset({"timbre", "timbres"})

_RULES = [
    # -our / -or: colour, favourite, honourable, behaviour. Two letters at least
    # before "our", so "our", "hour", "four" and "your" stay as they are.
    re.compile(
        r"^(?P<stem>[a-z]{1,}[b-df-hj-np-tv-z]|[a-z]+i)our"
        r"(?P<end>|s|ed|ing|ite|ites|able|ably|ful|fully|less|er|ers|hood|hoods|ism|ist|ists|y|ly)$"
    ),
    # -ise / -ize: realise, organisation. Three letters before "is" keeps "rise",
    # "wise", "raise" and "prise" (not "prize").
    re.compile(r"^(?P<stem>[a-z]{3,})is(?P<end>e|es|ed|ing|er|ers|ation|ations|ational)$"),
    # -yse / -yze: analyse, paralysed.
    re.compile(r"^(?P<stem>[a-z]{2,})ys(?P<end>e|es|ed|ing|er|ers)$"),
    # -tre, -bre, -gre / -ter, -ber, -ger: centre, metre, fibre, meagre.
    re.compile(r"^(?P<stem>[a-z]{2,}[tbg])re(?P<end>|s)$"),
    # -lled / -led after an unstressed vowel: travelled, cancelling, counsellor.
    re.compile(
        r"^(?P<stem>[a-z]*[aeiouy][a-z]*[^aeiouy][aeiou])ll(?P<end>ed|ing|er|ers|or|ors|ous|ist|ists)$"
    ),
    # -ence / -ense: defence, offence, licence, pretence.
    re.compile(r"^(?P<stem>[a-z]{2,})ence(?P<end>|s|less)$"),
    # -logue, -gogue / -log, -gog: catalogue, dialogue, demagogue.
    re.compile(r"^(?P<stem>[a-z]+(?:lo|go))gue(?P<end>|s)$"),
]
_REPLACEMENT = ["{stem}or{end}", "{stem}iz{end}", "{stem}yz{end}", "{stem}er{end}",
                "{stem}l{end}", "{stem}ense{end}", "{stem}g{end}"]  # fmt: skip


def american(token: str) -> str:
    """``token`` (lower case) in American spelling; other words unchanged.

    A small table ("programme", "grey", "tyre", "defence" is a rule) and the
    general rules -our/-or, -ise/-ize, -yse/-yze, -re/-er, -ll-/-l-,
    -ence/-ense and -logue/-log. A word that is already American, or English
    everywhere, comes back as it is, or (for a few) in a spelling that its
    variant shares ("glamour" and "glamor" both give "glamor").
    """
    if not token.isalpha() or len(token) < 4 or token in _KEEP:
        return token
    fixed = _SPELLING.get(token)
    if fixed is not None:
        return fixed
    for rule, replacement in zip(_RULES, _REPLACEMENT, strict=True):
        m = rule.match(token)
        if m is not None:
            return replacement.format(**m.groupdict())
    return token
