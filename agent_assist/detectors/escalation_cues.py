"""Escalation cue phrases in customer speech, with negation and neutral uses ruled out.

Each class is a list of regular expressions over normalised text (lower case, straight
apostrophes, single spaces). A match is dropped when a negation stands in the three words
before it within the same clause ("I don't want to cancel").
"""

import re
from dataclasses import dataclass
from enum import StrEnum


class CueClass(StrEnum):
    """Escalation cue classes, most urgent first."""

    LEGAL_PUBLIC = "legal_public_threat"
    SUPERVISOR = "supervisor_request"
    CHURN = "churn_threat"
    REPEAT = "repeat_contact"
    ANGER = "anger"


_SERVICE = (
    r"(?:account|subscription|service|contract|membership|plan|policy|line|internet|cable|"
    r"card|credit card|phone|sky|broadband|package|prime|insurance)s?"
)
_BOSS = r"(?:supervisor|manager|superior|boss|team lead(?:er)?|someone (?:higher|senior|in charge))"
_ORDINAL = r"(?:second|third|fourth|fifth|sixth|seventh|tenth|2nd|3rd|4th|5th|6th|7th|\d+th|\d+)"
_CONTACTED = (
    r"(?:called|call|calling|phoned|contacted|contacting|emailed|messaged|written|wrote|tweeted|"
    r"dm'?d|chatted|spoken|spoke|talked|reached out|been in touch|complained)"
)
_TIMES = (
    r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|twenty|several|multiple|many|"
    r"numerous|countless|a few|a dozen|dozens of|a million) times|twice|repeatedly"
)
_REGULATOR = (
    r"(?:bbb|better business bureau|fcc|ftc|cfpb|ombudsman|attorney general|ag'?s office|"
    r"trading standards|consumer protection|consumer affairs|regulator|ofcom|ofgem|"
    r"state (?:insurance )?commission|department of|public utilit(?:y|ies) commission|puc|"
    r"federal trade commission|consumer financial protection bureau|dot|faa)"
)

PATTERNS: dict[CueClass, list[str]] = {
    CueClass.LEGAL_PUBLIC: [
        r"\b(?:contact|contacting|call|calling|get|getting|got|hire|hiring|consult|consulting|"
        r"retain|retained|involve|involving|see|seeing|going to|speak(?:ing)? (?:to|with)|"
        r"talk(?:ing)? (?:to|with)|have) (?:my|a|an) (?:lawyer|attorney|solicitor)s?\b",
        r"\bmy (?:lawyer|attorney|solicitor)s? (?:will|is going to|can|would|shall)\b",
        r"\b(?:lawyers?|attorneys?) (?:involved|on (?:this|it|you))",
        r"\blegal (?:action|route|proceedings|recourse|steps)\b",
        r"\b(?:sue|suing|sued|lawsuit|class action|small claims|"
        r"take (?:you|this|it|them) to court)",
        r"\b(?:report|reporting|reported|complain|complaint|complaints|file|filing|filed|lodge|"
        r"contact|contacting|escalat\w*)\b[\w ,']{0,40}\b(?:to|with) (?:the )?"
        + _REGULATOR
        + r"\b",
        r"\b(?:bbb|better business bureau|cfpb|fcc|ftc|ombudsman|attorney general) complaint",
        r"\b(?:the )?(?:news|press|media|newspaper|journalists?|reporters?)\b(?! (?:said|says))"
        r"[\w ,']{0,20}\b(?:about this|about you|will hear|know)",
        r"\b(?:go|going|went|contact|contacting|call|calling|tell|telling) (?:to )?(?:the )?"
        r"(?:news|press|media|newspapers?|local news|journalists?)\b",
        r"\b(?:post|posting|share|sharing|tweet|tweeting|put|putting|blast|blasting|write|"
        r"writing|leave|leaving)\b[\w ,']{0,30}\b(?:online|(?:on|all over|across) "
        r"(?:social media|twitter|facebook|instagram|tiktok|reddit|youtube|yelp|trustpilot)|"
        r"everywhere|bad reviews?|negative reviews?|(?:1|one)[- ]star reviews?)",
        r"\b(?:tell|telling|warn|warning) (?:everyone|everybody|all my (?:friends|followers)|"
        r"the world|people)\b",
    ],
    CueClass.SUPERVISOR: [
        r"\b(?:speak|talk|talking|speaking) (?:to|with) (?:a|your|the|ur|an?other|some) ?" + _BOSS,
        r"\b(?:get|give|put|transfer|connect|send|escalate) me (?:to |through to |over to )?"
        r"(?:a|your|the|ur) " + _BOSS,
        r"\b(?:i (?:want|need|demand|would like|'d like)|can i (?:have|get)|may i (?:have|speak)"
        r"|let me have) (?:a|your|the|ur|to speak to (?:a|your|the)) " + _BOSS,
        r"\b(?:your|ur) " + _BOSS + r",? (?:please|now|right now|immediately)",
        r"\bwho(?:'s| is) (?:your|ur) (?:supervisor|manager|boss)",
        r"\b(?:escalate|escalated) (?:this|it|my (?:case|complaint|issue))\b",
        r"\b(?:someone|somebody|anyone) (?:higher up|with (?:more )?authority|who can actually)",
    ],
    CueClass.CHURN: [
        r"\b(?:cancel|cancelling|canceling|cancelled|canceled|close|closing|terminate|"
        r"terminating|end|ending|drop|dropping|quit|quitting) (?:my|our|the|this|your)? ?"
        + _SERVICE
        + r"\b",
        r"\b(?:switch|switching|moving|move|going|go|port|porting|leave|leaving|change|changing)"
        r" (?:my \w+ )?(?:over )?(?:to|for) (?:a |another |a different |an other )?"
        r"(?:competitor|provider|carrier|company|bank|network|airline|verizon|at&t|att|t-mobile|"
        r"tmobile|sprint|comcast|xfinity|spectrum|directv|dish|virgin|ee|o2|vodafone|bt|"
        r"android|samsung|google|iphone|apple)\b",
        r"\btake (?:my|our) (?:business|money|custom) (?:elsewhere|somewhere else)",
        r"\b(?:find|get|look for|looking for|shopping for) (?:a |another |a new |a different )"
        r"(?:provider|carrier|company|bank|service|isp)\b",
        r"\b(?:leaving|leave|ditch|ditching|dump|dumping|done with|through with|finished with)"
        r" (?:you|your (?:company|service)|you guys|this company)\b",
        r"\bnever (?:use|using|buy|buying|fly|flying|shop|shopping|order|ordering|"
        r"book|booking|deal) (?:\w+ ){0,3}again\b",
        r"\b(?:former|ex|last time i'?m a) customer\b|\blost (?:a|my|our|another) customer\b",
        r"\b(?:no longer|won't|will not|not going to) (?:be )?(?:a )?(?:customer|use you|"
        r"do business)",
        r"\bunsubscrib\w*\b",
    ],
    CueClass.REPEAT: [
        r"\b" + _ORDINAL + r" (?:time|attempt|call|contact)\b[\w ,']{0,25}\b(?:call|calling|"
        r"contact|contacting|writ|asking|ask|reach|complain|tweet|message|messag|chat|phon|"
        r"been|i've|trying|tried|explain)",
        r"\b(?:this is|it's|that's|now) (?:the|my) " + _ORDINAL + r" (?:time|call|attempt)\b",
        r"\b" + _CONTACTED + r"(?: \w+){0,5} (?:" + _TIMES + r")\b",
        r"\b(?:" + _TIMES + r") (?:already|now|today|this week|this month)\b",
        r"\b(?:already|previously) (?:called|contacted|explained|told|spoke|spoken|talked|"
        r"reported|complained|asked|emailed|sent|been through|gone through|tried)",
        r"\b(?:keep|kept) (?:having to )?(?:call|calling|contact|contacting|ask|asking|"
        r"explain|explaining|repeat|repeating)",
        r"\b(?:every|each) time i (?:call|contact|ask|chat|reach out)",
        r"\b(?:called|contacted|spoke|talked|been|came)(?: \w+){0,3} (?:before|last (?:week|"
        r"month|time)|yesterday|earlier|again) (?:about|regarding|for) (?:this|the same|it)\b",
        r"\b(?:still|again) (?:not (?:fixed|resolved|working)|hasn't been (?:fixed|resolved)|"
        r"haven't (?:received|heard|gotten|got))",
        r"\b(?:for|over) (?:weeks|months|a week|a month|\d+ (?:weeks|months|days)) now\b",
    ],
    CueClass.ANGER: [
        r"\b(?:ridiculous|unacceptable|outrageous|pathetic|disgusting|disgusted|disgraceful|"
        r"furious|livid|infuriat\w*|fuming|appalling|appalled|atrocious|shameful|horrendous|"
        r"incompetent|incompetence|useless|worthless|joke|laughable|absurd|insane|insulting|"
        r"inexcusable|unbelievable|sick of|fed up|pissed|angry|mad|annoyed|annoying|frustrat\w*|"
        r"terrible|horrible|awful|the worst|worst \w+|garbage|crap|bs|wtf|screw(?:ed)? (?:you|me|"
        r"up)|rip ?off|scam|scammed|lied to|lying|a lie|liars?|disappointed|disappointing|"
        r"enough is enough|had enough|last straw|waste of (?:my )?time|wasted (?:my|\w+ hours)|"
        r"shit|fuck\w*|f\*+\w*|damn|hell)\b",
        r"\bhow (?:hard|difficult) (?:is|can) it\b",
        r"\bwhat (?:the hell|the heck|a joke|is wrong with you)\b",
    ],
}

NEGATIONS = frozenset(
    {"not", "no", "never", "don't", "dont", "doesn't", "didn't", "won't", "wouldn't", "isn't",
     "wasn't", "aren't", "cannot", "can't", "without", "nor"}
)  # fmt: skip
SUBJECTS = frozenset({"i", "i'm", "i'll", "i've", "i'd", "we", "we're", "we'll", "you", "they"})
_CLAUSE_BREAK = re.compile(r"[.!?;,]| but | and | so | because | if ")

_COMPILED = {
    cue: re.compile("|".join(f"(?:{p})" for p in patterns)) for cue, patterns in PATTERNS.items()
}


@dataclass(frozen=True, slots=True)
class CueMatch:
    """One cue found in an utterance: its class and the words that gave it away."""

    cue: CueClass
    phrase: str


def normalise(text: str) -> str:
    """Lower case, straight apostrophes, single spaces."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(text.split())


def _negated(text: str, start: int) -> bool:
    """A negation among the three words before ``start``, with no new subject in between."""
    clause = _CLAUSE_BREAK.split(text[:start])[-1]
    for word in reversed(clause.split()[-3:]):
        if word in NEGATIONS:
            return True
        if word in SUBJECTS:
            return False
    return False


def find_cues(text: str) -> list[CueMatch]:
    """The cue classes in ``text``, most urgent first, each with its first un-negated phrase."""
    norm = normalise(text)
    found = []
    for cue, pattern in _COMPILED.items():
        for match in pattern.finditer(norm):
            if not _negated(norm, match.start()):
                found.append(CueMatch(cue, match.group(0).strip()))
                break
    return found
