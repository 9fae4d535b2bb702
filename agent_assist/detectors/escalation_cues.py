"""Escalation cue phrases in customer speech, with negation and neutral uses ruled out.

Each class is a list of regular expressions over normalised text (lower case, straight
apostrophes, single spaces). A match is dropped when, in the four words before it within the
same clause, a negation ("I don't want to cancel") or a third party ("they will close my
account", "she threatened to sue") comes before any first-person subject. Mild words of
frustration are dropped in an utterance that also thanks or laughs ("thanks, I was just
frustrated"). Tuned and measured on ``tests/agent_assist/data/escalation_devset.jsonl``
(``benchmarks/escalation_cues.py`` prints the scores).
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
    r"broadband|package|premium|prime|insurance|family (?:plan|subscription|account)|"
    r"credit card account)s?"
)
_COMPETITOR = (
    r"(?:a |another |a different |the )?(?:competitor|provider|carrier|company|bank|network|"
    r"airline|streaming service|service|isp)|@\w+|apple music|google (?:play )?music|tidal|"
    r"deezer|amazon music|youtube music|pandora|soundcloud|verizon|at&t|t-mobile|sprint|"
    r"comcast|xfinity|spectrum|directv|dish|virgin|vodafone|netflix|hulu|apple|android|google"
)
_BOSS = r"(?:supervisor|manager|superior|boss|team lead(?:er)?|someone (?:higher|senior|in charge))"
_ASK = (
    r"(?:ask|asked|asking|request|requested|requesting|demand|demanded|demanding|want|wanted|"
    r"need|needed|like|get|got|escalat\w*|transfer\w*|put|connect)"
)
_ORDINAL = r"(?:second|third|fourth|fifth|sixth|seventh|tenth|2nd|3rd|4th|5th|6th|7th|\d+th)"
_CONTACTED = (
    r"(?:called|call|calling|phoned|contacted|contacting|contact|emailed|e-mailed|messaged|"
    r"written|wrote|tweeted|dm'?d|chatted|spoken|spoke|talked|reached out|been in touch|"
    r"complained|told (?:them|you)|asked|requested|request|sent|explained|faxed|faxing|"
    r"got back with them|been through this)"
)
_TIMES = (
    r"(?:\d+(?:-\d+)?|two|three|four|five|six|seven|eight|nine|ten|twenty|several|multiple|"
    r"many|numerous|countless|a few|a dozen|dozens of|a million|so many|too many) times?|"
    r"twice|repeatedly"
)
_REGULATOR = (
    r"(?:bbb|better business bureau|fcc|ftc|cfpb|ombudsman|attorney generals?'?s?(?: office)?|"
    r"ag'?s office|trading standards|consumer protection|consumer affairs|regulators?|ofcom|"
    r"ofgem|state (?:insurance )?commission|public utilit(?:y|ies) commission|puc|"
    r"federal trade commission|consumer financial protection bureau|police|authorities)"
)

PATTERNS: dict[CueClass, list[str]] = {
    CueClass.LEGAL_PUBLIC: [
        r"\b(?:contact|contacting|call|calling|get|getting|got|hire|hiring|consult|consulting|"
        r"retain|retained|involve|involving|see|seeing|going to|speak(?:ing)? (?:to|with)|"
        r"talk(?:ing)? (?:to|with)|have|seek|seeking) (?:my|a|an) (?:lawyer|attorney|solicitor)s?",
        r"\bmy (?:lawyer|attorney|solicitor)s? (?:will|is going to|can|would|shall)\b",
        r"\b(?:take|taking|pursue|pursuing|seek|seeking|consider|considering|file|filing) "
        r"(?:\w+ )?(?:legal (?:action|help|advice|recourse|steps)|litigation|law ?suit)",
        r"\blegal (?:action|route|proceedings|recourse|steps) (?:will|against|is|shall)\b|"
        r"\bresult in legal action\b|\bbefore (?:taking )?legal action\b",
        r"\b(?:sue|suing)\b(?! me)|\b(?:continue with )?my law ?suit\b|\bclass action\b|"
        r"\bsmall claims\b|\blitigation will\b|\bpursue litigation\b",
        r"\b(?:take|taking) (?:you|this|it|them|this matter) to court\b|\bsettle (?:this )?in "
        r"court\b|\bto (?:federal|district|small claims) court\b",
        r"\b(?:report|reporting|complain|complaint|complaints|compliant|file|filing|filed|lodge|"
        r"submit|submitting|contact|contacting|escalat\w*|write|writing)\b[\w ,'&]{0,60}?\b"
        r"(?:to|with|the) (?:the )?" + _REGULATOR + r"\b",
        r"\b(?:will|going to|gonna) (?:contact|call|report to|write to) (?:the )?" + _REGULATOR,
        r"\b(?:bbb|better business bureau|cfpb|fcc|ftc|ombudsman|attorney general) complaint",
        r"\bformal (?:consumer )?complaint\b|\bpolice reports?\b",
        r"\b(?:i|we) (?:will|'ll|am going to|'m going to|shall) report (?:you|them|this|it)\b",
        r"\b(?:go|going|went|contact|contacting|call|calling|tell|telling) (?:to )?(?:the )?"
        r"(?:news|press|media|newspapers?|local news|journalists?)\b",
        r"\b(?:post|posting|share|sharing|tweet|tweeting|put|putting|blast|blasting|write|"
        r"writing|leave|leaving)\b[\w ,']{0,30}\b(?:online|(?:on|all over|across) "
        r"(?:social media|twitter|facebook|instagram|tiktok|reddit|youtube|yelp|trustpilot)|"
        r"everywhere|bad reviews?|negative reviews?|(?:1|one)[- ]star reviews?)",
        r"\b(?:tell|telling) (?:everyone|everybody|all my (?:friends|followers)|the world)\b|"
        r"\b(?:warn|warning) (?:everyone|everybody|people|ppl|others)\b",
    ],
    CueClass.SUPERVISOR: [
        r"\b" + _ASK + r"\b(?: \w+){0,4}? (?:to|with|for|from)? ?(?:a|an|the|your|ur|their|her|"
        r"his|some|another|to a|for a|with a|\w+ ?'s) " + _BOSS + r"s?\b",
        r"\b(?:get|give|put|transfer|connect|send|escalate) me (?:to |through to |over to )?"
        r"(?:a|your|the|ur) " + _BOSS,
        r"\b(?:can i|may i|could i|let me) (?:have|get|speak to|talk to) (?:a|your|the) " + _BOSS,
        r"\b(?:your|ur) " + _BOSS + r",? (?:please|now|right now|immediately)",
        r"\bwho(?:'s| is) (?:your|ur) (?:supervisor|manager|boss)",
        r"\b(?:escalate|escalated|escalating) (?:this|it|my (?:case|complaint|issue|request))\b"
        r"(?! (?:matter )?to (?:\w+ )?(?:court|the (?:cfpb|bbb|fcc|ftc|attorney)))",
        r"\b(?:someone|somebody|anyone) (?:higher up|higher|with (?:more )?authority)\b",
        r"\bcall ?backs? from (?:a )?" + _BOSS,
        r"\b(?:tried|trying|try|attempted|had|have) (?:\w+ ){0,3}?to (?:speak|talk) (?:to|with) "
        r"(?:a|an|the|your|their|another|\w+ ?'s) " + _BOSS,
    ],
    CueClass.CHURN: [
        r"\b(?:cancel|cancelling|canceling|cancelled|canceled|close|closing|terminate|"
        r"terminating|end|ending|drop|dropping|quit|quitting|stop paying for) (?:my|our|the|this|"
        r"your)? ?" + _SERVICE + r"\b(?! and re)",
        r"\b(?:cancel|cancelling|canceling) (?:mine|it all|tomorrow|today|now|after)\b",
        r"\b(?:considering|thinking (?:of|about)|about to|going to|gonna|will|'ll|definitely) "
        r"(?:cancel|cancelling|canceling|leave|leaving|switch|switching|quit|unsubscrib)\w*",
        r"\bi(?:'ve| have)? (?:just )?(?:cancelled|canceled) (?:this|it|my|the|any further)\b",
        r"\b(?:switch|switching|move|moving|going|go|port|porting|change|changing|jump|jumping|"
        r"subscribing|signing up) (?:my \w+ )?(?:over )?(?:to|for) (?:" + _COMPETITOR + r")\b",
        r"\b(?:leave|leaving|left|quit|ditch|ditching|dump|dumping) (?:\w+ )?for (?:"
        + _COMPETITOR
        + r")\b",
        r"\bgoing to try @\w+|\bsigning up for (?:" + _COMPETITOR + r")",
        r"\btake (?:my|our) (?:business|money|custom) (?:elsewhere|somewhere else)",
        r"\b(?:find|get|look for|looking for|shopping for) (?:a |another |a new |a different )"
        r"(?:provider|carrier|company|bank|service|isp)\b",
        r"\b(?:leaving|leave|ditch|ditching|dump|dumping|done with|through with|finished with|"
        r"get away from|move on from|quit)\b (?:you|your (?:company|service|app)|you guys|"
        r"this (?:\w+ )?company|your app)\b",
        r"\bit(?:'s| is) goodbye\b|\bgoodbye,? (?:spotify|@\w+)",
        r"\bnever (?:use|using|buy|buying|fly|flying|shop|shopping|order|ordering|"
        r"book|booking|deal) (?:\w+ ){0,3}again\b",
        r"\b(?:former|ex) customer\b|\blost (?:a|my|our|another) customer\b",
        r"\b(?:no longer|won't|will not|not going to) (?:be )?(?:a )?(?:customer|use you|"
        r"do business)",
        r"\bunsubscrib\w*\b|\bhelp me cancel\b|\bhow (?:do|can) i cancel\b",
    ],
    CueClass.REPEAT: [
        r"\b" + _ORDINAL + r" (?:time|attempt|call|contact)\b[\w ,']{0,25}\b(?:call|calling|"
        r"contact|contacting|writ|asking|ask|reach|complain|tweet|messag|chat|phon|explain)",
        r"\b" + _ORDINAL + r" time'?s a charm\b",
        r"\b" + _CONTACTED + r"\b[\w ,']{0,50}? (?:" + _TIMES + r")\b",
        r"\b(?:tried|attempted)\b(?: \w+){0,2} (?:" + _TIMES + r") to (?:contact|call|reach|"
        r"speak|talk|get through)\b",
        r"\b(?:sent|written|wrote|left) (?:several|multiple|many|numerous|countless|\d+) (?:\w+ )?"
        r"(?:messages|emails|e-mails|dms|letters|complaints|requests|voicemails)\b",
        r"\b(?:repeatedly|constantly|continually) (?:asked|called|contacted|requested|emailed|"
        r"wrote|tried)\b",
        r"\bmy " + _ORDINAL + r" (?:request|call|complaint|attempt|message|email|letter)\b",
        r"\b(?:requested|asked for|left) (?:several|multiple|many|numerous|\d+) call ?backs\b",
        r"\b(?:" + _TIMES + r") (?:already|now|today|this week|this month)\b",
        r"\b(?:already|previously) (?:called|contacted|explained|told|spoke|spoken|talked|"
        r"reported|complained|asked|emailed|wrote|written|been through|gone through)",
        r"\b(?:done|did) (?:it|this|that) already\b",
        r"\b(?:keep|kept) (?:having to )?(?:call|calling|contact|contacting|ask|asking|"
        r"explain|explaining|repeat|repeating|sending me|telling me|getting this)",
        r"\b(?:(?:every|each) time|whenever) i (?:call|contact|ask|chat|reach out)",
        r"\b(?:repeated|repeatedly \w+|constant|numerous|multiple|several) attempts to "
        r"(?:speak|contact|reach|call|get through)",
        r"\b(?:i|we) (?:\w+ ){0,2}(?:called|phoned|rang|wrote|messaged|emailed|contacted|call|"
        r"calling|get|got|reached out|wrote in) (?:in |them |back on the phone )?(?:back|again)\b|"
        r"\bcalling in again\b|\b(?:again|another) to (?:another|a different)\b",
        r"\b(?:i|we) (?:\w+ ){0,2}(?:messaged|e-?mailed|called|contacted|wrote|spoke|talked|"
        r"tweeted|dm'?d)\b[\w ,'@]{0,50}\b(?:\w+ (?:days?|weeks?|months?) ago|last (?:week|"
        r"month|year|time)|yesterday)\b",
        r"\b(?:called|contacted|spoke|talked|been|came)(?: \w+){0,3} (?:before|last (?:week|"
        r"month|time)|yesterday|earlier|again) (?:about|regarding|for) (?:this|the same|it)\b",
        r"\bsame (?:answer|answers|reply|replies|response|responses|excuse|story)\b",
        r"\bmy (?:previous|last|earlier|other) (?:messages?|emails?|calls?|tweets?|dms?|"
        r"complaints?|requests?)\b",
        r"\b(?:still|again) (?:not (?:fixed|resolved)|hasn't been (?:fixed|resolved)|"
        r"haven't (?:received|heard|gotten|got))",
        r"\b(?:for|over) (?:weeks|months|a week|a month|\d+ (?:weeks|months|days)) now\b",
    ],
    CueClass.ANGER: [
        r"\b(?:ridiculous|unacceptable|outrageous|outraged|pathetic|disgusting|disgusted|"
        r"disgraceful|furious|livid|infuriat\w*|fuming|appalling|appalled|atrocious|shameful|"
        r"horrendous|incompetent|incompetence|worthless|laughable|absurd|insulting|inexcusable|"
        r"sick of|fed up|pissed|rude|dumbest|stupid|idiots?|sucks|garbage|crap|bs|wtf|"
        r"screw(?:ed)? (?:you|me)|rip ?off|scam|scammed|lied to|liars?|thieves|enough is enough|"
        r"had enough|last straw|waste of (?:my )?time|wasted (?:my|\w+ hours)|shit|bullshit|"
        r"f+u+c+k\w*|f\*+\w*|f it|damn|assholes?|weasel|the worst|worst \w+|tired of)\b",
        r"\bhow (?:hard|difficult) (?:is|can) it\b|\bthanks? for nothing\b|\bthx for nothing\b",
        r"\bwhat (?:the hell|the heck|a joke|is wrong with you)\b|\bi want my money\b",
    ],
}

MILD_ANGER = re.compile(
    r"\b(?:frustrat\w*|angry|mad|annoyed|annoying|terrible|horrible|awful|disappoint\w*|"
    r"useless|unbelievable|insane|joke)\b"
)
CALM_MARKERS = re.compile(
    r"\b(?:thanks?|thank you|thx|appreciate\w*|lo+l\w*|haha\w*|cheers)\b|[:=]\)"
)
SHOUTING = re.compile(r"(?:\b(?!X+\b)[A-Z]{2,}[!?.,]*\s+){2,}(?!X+\b)[A-Z]{2,}\b")
"""Three or more words in capitals (not redactions like XXXX): shouting."""

NEGATIONS = frozenset(
    {"not", "no", "never", "don't", "dont", "doesn't", "didn't", "won't", "wouldn't", "isn't",
     "wasn't", "aren't", "cannot", "can't", "without", "nor", "shouldn't"}
)  # fmt: skip
FIRST_PERSON = frozenset(
    {"i", "i'm", "i'll", "i've", "i'd", "im", "ive", "we", "we're", "we'll", "we've", "you", "me"}
)
THIRD_PARTY = frozenset(
    {"they", "they're", "they've", "they'd", "they'll", "he", "he's", "she", "she's", "who", "it"}
)
_CLAUSE_BREAK = re.compile(r"[.!?;,]| but | and | so | because | if | that ")

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
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("&amp;", "&")
    return " ".join(text.split())


def _blocked(text: str, start: int) -> bool:
    """A negation or a third party governs the words at ``start``."""
    clause = _CLAUSE_BREAK.split(text[:start])[-1]
    for word in reversed(clause.split()[-4:]):
        if word in NEGATIONS or word in THIRD_PARTY:
            return True
        if word in FIRST_PERSON:
            return False
    return False


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    for match in pattern.finditer(text):
        phrase = match.group(0).strip()
        if phrase.split()[0] in FIRST_PERSON or not _blocked(text, match.start()):
            return phrase
    return None


def find_cues(text: str) -> list[CueMatch]:
    """The cue classes in ``text``, most urgent first, each with its first un-negated phrase."""
    norm = normalise(text)
    found = []
    for cue, pattern in _COMPILED.items():
        phrase = _first(pattern, norm)
        if phrase is None and cue is CueClass.ANGER:
            phrase = _mild_anger(text, norm)
        if phrase is not None:
            found.append(CueMatch(cue, phrase))
    return found


def _mild_anger(text: str, norm: str) -> str | None:
    shouting = SHOUTING.search(text)
    if shouting:
        return shouting.group(0).lower()
    if CALM_MARKERS.search(norm):
        return None
    return _first(MILD_ANGER, norm)
