"""Word lists and small text helpers shared by the article parsers and finders."""

from __future__ import annotations

import re
from datetime import date as _date


def _word_set(words: str) -> frozenset[str]:
    """A set from whitespace-separated words, so long lists stay readable."""
    return frozenset(words.split())


STOP_WORDS = _word_set(
    """
    a about above after again against all also although am an and any are as at be
    because been before being below between both but by can could did do does doing
    down during each even ever every few for from further had has have having he her
    here hers herself him himself his how however i if in into is it its itself just
    least less like many may me might more most much must my myself neither never no
    nor not now of off on once only or other others our ours ourselves out over own
    per perhaps rather same several she should since so some still such than that
    the their theirs them themselves then there these they this those though through
    thus to too under until up upon us very via was we were what when where whether
    which while who whom whose why will with within without would yet you your yours
    yourself yourselves one two three first last many another instead meanwhile
    according unlike despite amid across toward towards onto beyond besides
    """
)

_MONTH_NAMES = [
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
]  # fmt: skip
MONTHS = {name: i for i, name in enumerate(_MONTH_NAMES, 1)} | {
    name[:3]: i for i, name in enumerate(_MONTH_NAMES, 1)
}
MONTHS["sept"] = 9
WEEKDAYS = _word_set(
    "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur "
    "thurs fri sat sun"
)

# Titles dropped from the front of a name ("President Vladimir Putin").
TITLES = _word_set(
    """
    mr mrs ms miss dr prof professor sir dame lord lady rev reverend fr father sister
    president vice prime minister foreign secretary general secretary-general ambassador
    senator sen rep representative governor gov mayor judge justice chancellor chief
    king queen prince princess pope bishop cardinal captain capt colonel col lieutenant
    lt sergeant sgt commander gen admiral deputy chair chairman chairwoman director
    """
)

# Abbreviations whose full stop does not end a sentence.
ABBREVIATIONS = _word_set(
    "mr mrs ms dr prof st sr jr gen gov sen rep col capt lt sgt rev fr vs etc no nos "
    "inc ltd co corp dept est approx fig mt ft"
) | frozenset(MONTHS)

# Head words of names that take an inner "of" / "for" ("University for Peace").
INSTITUTION_WORDS = _word_set(
    """
    university college school institute institution academy society association union
    league federation forum council committee commission board agency office ministry
    department bureau court republic kingdom state states empire principality bank fund
    foundation trust museum gallery library hospital church cathedral party movement
    front alliance coalition organization organisation centre center company
    corporation house chamber army navy corps order museum isle islands island sea gulf
    bay cape lake mount port city province county district strait straits duchy duke
    prince princess king queen secretary minister treaty declaration convention charter
    statue battle campaign network festival council conference summit embassy mission
    """
)
NAME_PARTICLES = _word_set("de da di del della der van von le la al bin ibn du dos")
CONNECTORS = frozenset({"of", "for"})

SPEECH_VERBS = (
    r"said|says|say|told|tells|added|adds|explained|explains|clarified|clarifies|noted|notes|"
    r"argued|argues|asked|asks|wrote|writes|recalled|recalls|warned|warns|insisted|insists|"
    r"stated|states|continued|continues|replied|replies|answered|answers|observed|observes|"
    r"remarked|remarks|admitted|admits|acknowledged|acknowledges|conceded|concedes|"
    r"declared|declares|announced|announces|tweeted|tweets|posted|posts|emphasized|"
    r"emphasised|stressed|stresses|suggested|suggests|agreed|agrees|joked|jokes|"
    r"predicted|predicts|concluded|concludes|commented|comments|responded|responds"
)

SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
_WORD = re.compile(r"[^\W_][\w’'-]*")


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _stop_density(words: list[str]) -> float:
    if not words:
        return 0.0
    return sum(w.lower() in STOP_WORDS for w in words) / len(words)


def _clean(text: str) -> str:
    """Collapse whitespace (non-breaking spaces included) to single spaces."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u200b", "")).strip()


def _find_date(text: str) -> str | None:
    """The first full calendar date in ``text`` as ISO ``YYYY-MM-DD``."""
    m = re.search(r"\b(\d{4})-(\d{2})-(\d{2})\b", text)
    if m:
        return _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = re.search(r"\b([A-Z][a-z]{2,8})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b", text)
    if m and m.group(1).lower() in MONTHS:
        return _iso(int(m.group(3)), MONTHS[m.group(1).lower()], int(m.group(2)))
    m = re.search(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+([A-Z][a-z]{2,8})\.?,?\s+(\d{4})\b", text)
    if m and m.group(2).lower() in MONTHS:
        return _iso(int(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1)))
    return None


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return _date(year, month, day).isoformat()
    except ValueError:
        return None
