"""The cue grammar: escalation cues as compositions of small parts, with negation and third
parties ruled out.

Each class is a few rules, and each rule is built from named parts, so "request x target"
covers "can I speak to a supervisor", "put me through to someone senior" and "I just want a
real person" without listing each phrase. A rule reads normalised text (lower case, straight
apostrophes) and never depends on punctuation, so it works on a recogniser's output too.

A match is dropped when, in the four words before it within the same clause, a negation ("I
don't want to cancel") or a third party ("they will close my account", "she threatened to sue")
comes before any first-person subject. Mild words of frustration are dropped in an utterance
that also thanks or laughs ("thanks, I was just frustrated").
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from agent_assist.cues.classes import CUE_CLASSES, CueClass
from agent_assist.cues.literals import WORD, anchor_set, anchor_words, required_clauses
from agent_assist.cues.text import normalise


def alt(*parts: str) -> str:
    """One of ``parts`` (regular expressions), as a non-capturing group."""
    return "(?:" + "|".join(parts) + ")"


def words(spaced: str) -> str:
    """One of the space-separated regular expressions in ``spaced``; ``_`` stands for a space."""
    return alt(*(w.replace("_", " ") for w in spaced.split()))


def gap(most: int) -> str:
    """A space, then up to ``most`` words (each followed by a space) in between, none of them a
    negation: "I will not cancel" is no "I will ... cancel"."""
    return rf" (?:{_NOT_NEGATION}[\w',&/-]+ ){{0,{most}}}?"


_NOT_NEGATION = r"(?!(?:not|never|no|don't|dont|won't|wont|can't|cannot|didn't|isn't)\b)"


# fmt: off
# --- shared parts ---------------------------------------------------------------------------
I_WILL = alt(
    r"(?:i|we)(?: will|'ll| shall| am going to|'m going to| are going to|'re going to| am gonna|"
    r"'m gonna| gonna| am about to|'m about to| am ready to|'m ready to| might| may|"
    r" can just| could just| might as well)",
    r"i'?ll", "im going to", "im gonna", "ill",
)
CONSIDERING = alt(
    r"(?:seriously |really )?(?:considering|thinking (?:of|about)|contemplating)",
    r"debating(?: whether| if)?(?: or not)?(?: to)?",
    r"(?:about|ready|going|planning|tempted) to", "gonna", "might (?:just )?", "will just",
)
NUMBER = words(
    r"\d+ two three four five six seven eight nine ten eleven twelve fifteen twenty several "
    "multiple many numerous countless a_few a_dozen dozens_of a_million so_many too_many "
    "a_bunch_of a_couple_of a_couple a_hundred a_thousand"
)
ORDINAL = words(
    r"second third fourth fifth sixth seventh eighth ninth tenth umpteenth hundredth millionth "
    r"\d*(?:1st|2nd|3rd|[0456789]th|1[123]th)"
)

# --- supervisor_request: request x target ---------------------------------------------------
BOSS = alt(
    words(r"supervisor manager superior boss team_lead(?:er)? higher[-_]ups? management"),
    r"(?:someone|somebody|anyone|anybody|person) (?:higher(?: up)?|senior|more senior|above "
    r"(?:you|her|him)|in charge|with (?:more )?authority|who can (?:actually )?(?:help|make "
    r"decisions|do something))",
    r"senior (?:person|agent|rep|representative|member of (?:the )?staff|staff|management)",
    r"(?:the )?(?:person|one) in charge",
)
HUMAN = alt(
    r"(?:real|live|actual|human) (?:chat )?(?:person|people|human|agent|representative|rep|being|"
    r"operator)",
    r"(?:someone|somebody) in person",
    r"(?:a )?human(?: being)?", "a person", "someone real", "somebody real",
    r"customer (?:service|care|support) (?:rep|representative|agent|person|team)s?",
    r"(?:an? )?(?:agent|representative|rep|operator)",
)
CORPORATE = alt(
    r"(?:the )?corporate(?: offices?| number| headquarters| level| customer relations)?",
    r"(?:the )?head ?office", "headquarters", r"(?:the )?executive (?:office|branch|team)s?",
    r"(?:a |the )?higher[- ]up (?:office|department|level)", r"(?:the|your) ceo",
)
TARGET = alt(
    r"(?:a|an|the|your|ur|their|her|his|some|another|any|to a|for a|with a|one of your|\w+ ?'s|"
    r"\w+ s) " + BOSS,
    r"(?:upper |senior |higher )?management\b",
    r"(?:to |with |for )?" + alt(HUMAN, CORPORATE),
    r"(?:someone|somebody|anyone|anybody) (?:higher(?: up)?|senior|more senior|above (?:you|her|"
    r"him|them)|in charge|with (?:more )?authority)",
    BOSS + r"s?(?= please| now| right now| immediately)",
)
ASK = alt(
    r"(?:i|we) (?:want|wanna|need|would like|'d like|demand|insist on|am asking for|'m asking for|"
    r"ask|request|asked|requested|demanded|have asked|'ve asked|keep asking|kept asking|"
    r"would rather|'d rather|prefer|just want|only want|wanted|needed|ask for|asked for|"
    r"ask to|asking for|asking to|wish|wished)",
    words(
        "id_like i'd_like im_asking let_me get_me give_me put_me transfer_me connect_me send_me "
        "is_there isn't_there is_there_not please i_asked asked_for asked_to requested request "
        "requesting demanding how_to trying_to tried_to i_can way_to best_to how_do_you "
        "immediately_ask(?:ed)?"
    ),
    r"(?:can|could|may) (?:i|we|you)", r"(?:how|where) (?:can|do|could|would) (?:i|we)",
    r"(?:where|so) (?:i|we) (?:can|could)",
)
TALK = alt(
    r"(?:speak|talk|chat|deal) (?:to|with|w/)", r"(?:contact|reach|call|email|write to)",
    r"be (?:transferred|put through|connected|escalated|sent) to",
    r"(?:transfer|connect|escalate|put|send) (?:me|this|it|my call) (?:through |over |up )?to",
    words("have get through_to over_to to for with see"),
)
ESCALATE = (
    r"\b(?:escalat|elevat)(?:e|ed|ing) (?:this|it|my (?:case|complaint|issue|request|call)|the "
    r"(?:issue|matter|call|complaint)|a complaint|this (?:matter|complaint|issue))\b"
    r"(?! (?:matter )?to (?:\w+ )?(?:court|the (?:cfpb|bbb|fcc|ftc|attorney)))"
)
SUPERVISOR = [
    r"\b(?:refus\w* to|won't|will not|wouldn't|would not|didn't|did not|unwilling to) "
    r"(?:transfer|connect|escalate|put) (?:me |my call |calls |it |this )?(?:to |through to |"
    r"over to )?" + TARGET,
    r"\bescalat\w* (?:it |this |my \w+ )?to (?:a |the |your |their )?" + BOSS,
    r"\b(?:needs? to be|should be|must be|be) escalated\b",
    r"\b(?:need|get|want|getting) corporate (?:involved|on the line|on the phone)\b",
    r"\b" + ASK + r"\b" + gap(4) + alt(TALK + " ", "") + TARGET + r"\b",
    r"\b(?:get|give|put|transfer|connect|send|escalate) me (?:to |through to |over to )?"
    + TARGET + r"\b",
    r"\bwho(?:'s| is) (?:your|ur) (?:supervisor|manager|boss|superior)",
    ESCALATE,
    r"\b(?:someone|somebody|anyone|anybody) (?:higher up|higher|above you|with (?:more )?"
    r"authority|more senior)\b",
    r"\bcall ?backs? from (?:a |your |the )?" + BOSS,
    r"\b(?:tried|trying|try|attempted|had|have)" + gap(3) + r"to (?:speak|talk|get through) "
    r"(?:to|with) " + TARGET + r"\b",
    r"\b(?:is there|are there|do you have) (?:a |an |any(?:one|body)? |some(?:one|body) )?"
    + alt(BOSS, HUMAN) + r"\b",
    r"\bput (?:a|your|the) " + BOSS + r" on\b",
    r"\b(?:reach|reaching|speak(?:ing)? to|talk(?:ing)? to|get(?:ting)? (?:through to|hold of)|"
    r"get|getting) (?:a |an )?(?:human(?: being| response)?|live (?:person|agent|rep\w*))\b",
    r"\b(?:please|pls|plz) escalate\b|\bescalate (?:again|asap|please|this please)\b|"
    r"\b(?:get|have) (?:this|it|my \w+) escalated\b",
    r"\belevat\w* (?:it |this |this matter |my \w+ )?to (?:a |the |his |her |your |their )?" + BOSS,
    r"\b(?:contact\w*|wrote|write|writing|email\w*|letter|appeal\w*|sent|send|call\w*|"
    r"complain\w*) (?:\w+ ){0,4}?(?:to |with )?(?:the )?(?:ceo|president|executive (?:office|"
    r"branch|team)s?|office of the president|upper management|corporate(?: office)?s?)\b",
    r"\bpass (?:this|that|it) (?:on |up )?to (?:your|the) (?:boss|bosses|manager|managers|"
    r"supervisor|supervisors|superiors?|higher[- ]ups)\b",
    r"\b(?:talk|speak|chat) (?:to|with) (?:a |an )?(?:real|live|actual) (?:person|human|agent|"
    r"representative|rep)\b",
    # asking for the way to a person: "what number do I call to talk to a rep"
    r"\bnumbers? (?:\w+ ){0,3}?(?:to|i can|so i can|for me to) " + TALK + " " + TARGET + r"\b",
    r"\b(?:real|live|actual) (?:chat )?(?:person|human|agent|rep|representative)s? (?:please|"
    r"now|asap|right now)\b",
]

# --- churn_threat: first-person future or condition x leaving -------------------------------
SERVICE = words(
    "account subscription service contract membership plan policy line internet cable broadband "
    "package premium prime insurance card_account credit_card phone_service everything it_all "
    "business accounts"
)
COMPETITOR = alt(
    r"(?:a |another |a different |the other |one of your )?(?:competitor|provider|carrier|"
    r"company|bank|network|airline|streaming service|service|isp|brand|store)s?",
    r"@\w+", "someone else",
    words(
        r"apple_music google_(?:play_)?music tidal deezer amazon(?:_music|_prime)? "
        r"youtube(?:_music|_tv)? pandora soundcloud verizon t-mobile t_mobile "
        "sprint comcast xfinity spectrum directv dish virgin vodafone netflix hulu apple android "
        "google samsung chase wells_fargo bank_of_america capital_one paypal walmart target ebay "
        "uber lyft doordash fedex ups dhl xbox playstation nintendo"
    ),
)
NOT_A_SERVICE = (
    r"(?! (?:the |my |this |that |your |an? )?(?:orders?|card|payment|appointment|dispute|"
    r"transaction|request|download|booking|reservation|flight|trip|delivery|claim|check|"
    r"transfer|shipment|item|purchase|job|plans?)\b)"
)
LEAVE = alt(
    r"(?:cancel|switch|quit|unsubscrib|drop|ditch|dump)\w*" + NOT_A_SERVICE
    + r"(?=\W*$|[.!?,;]| (?:now|today|tomorrow|then|soon|asap|altogether|for good|as well|too|"
    r"if|unless|because|since|after|and|but|instead|it|everything|mine|all))",
    # "leaving tomorrow" on a call is a trip as often as a threat: no time words after it
    r"leav(?:e|ing)(?=\W*$|[.!?,;]| (?:altogether|for good|as well|too|if|unless|because|"
    r"since|and|but|instead))",
    r"cancel(?:l?ing|l?ed)? (?:my |our |the |this |your |all (?:of )?(?:my |our )?)?(?:\S+ ){0,2}?"
    + SERVICE + "s?",
    r"clos(?:e|ing) (?:my|our|all (?:of )?my) (?:\w+ )?accounts?",
    r"(?:leave|leaving|quit|quitting|ditch|ditching|dump|dumping|drop|dropping) (?:you"
    r"(?! (?:my|a|an|the|your|with|to|alone|some|this|that|in|on|for)\b)|your "
    r"(?:company|service|bank|app)|you guys|this (?:\w+ )?company|this bank|this place)",
    r"(?:switch|switching|move|moving|go|going|port|porting|take|taking|subscrib\w+|sign\w* up) "
    r"(?:my \w+ |it |them )?(?:over )?(?:to|with|for) " + COMPETITOR,
    r"(?:leave|leaving|quit|ditch|ditching|dump|dumping) (?:\S+ )?for " + COMPETITOR,
    r"(?:try|trying) " + COMPETITOR + r"(?: instead)?",
    r"(?:switch|chang|mov)(?:e|es|ed|ing)? (?:providers|carriers|banks|companies|networks|"
    r"services|isps)",
    r"(?:take|taking|move|moving) (?:my|our) (?:\w+ ){0,2}?(?:business|money|custom|account|"
    r"accounts|dollars) "
    r"(?:elsewhere|somewhere else|to another|to a different|to a competitor)",
    r"delet(?:e|ing) (?:my|this|the) (?:account|app|profile)",
    r"end(?:ing)? (?:my|our) (?:\w+ )?" + SERVICE,
    r"(?:find|get|look for|looking for|shopping for) (?:a |another |a new |a different )"
    r"(?:provider|carrier|company|bank|service|isp)",
    r"unsubscrib\w*", r"terminat(?:e|ing) (?:my|our|the) (?:contract|account|service)",
    r"stop (?:using|paying for) (?:you|your|this)",
    r"(?:drop|dropping) (?:the|my) subscription",
)
RETURN_VERB = words(
    "use using fly flying buy buying shop shopping order ordering book booking deal dealing go "
    "going come coming bank banking stay staying eat eating recommend return returning purchase "
    "purchasing trust visit choose pick step set_foot"
)
NOT_AGAIN = alt(
    r"never", r"won'?t", "will not", r"wouldn'?t", "would not", "not going to", "never going to",
    r"couldn'?t pay me to", r"(?:don'?t|do not) think (?:i|we)(?:'ll| will|'d| would)?",
    r"doubt (?:i|we)(?:'ll| will)", "not inspired to", "not in a hurry to",
)
NEVER_AGAIN = [
    r"\b" + NOT_AGAIN + r" (?:ever )?(?:be )?(?:\w+ ){0,1}?" + RETURN_VERB + r"\b(?: \S+){0,4}? "
    r"(?:again|back|anymore|any more|anytime soon|any time soon)\b",
    r"\b" + NOT_AGAIN + r" (?:ever )?(?:return|come back|go back|be back|be returning|set foot)\b",
    r"\bnever (?:\w+ ){0,2}" + RETURN_VERB + r"\b(?: \w+){0,4}? (?:again|back|anymore|any more|"
    r"ever)\b",
    r"\bnever again\b|\bnever (?:be )?(?:going |coming )?back\b",
    r"\b(?:will )?never (?:return|revisit|be back|set foot)\b",
    r"\b(?:won't|will not|wont|not) be (?:revisiting|returning|back|coming back|renewing)\b",
    r"\b(?:first|1st) (?:and (?:the )?last|time\W+and (?:probably |likely |definitely )?(?:the )?"
    r"last)\b|\b(?:be|was|is) (?:the|my) last (?:time|visit|order|purchase)\b",
    r"\b(?:the )?last time (?:i|we)(?:'ll| will)? (?:ever )?(?:use|fly|buy|shop|order|book|deal|"
    r"come|go|bank|stay|eat|choose|do business)",
    r"\b(?:won't|will not|wont|not going to|never going to|not gonna) (?:ever )?(?:be )?"
    r"(?:using|use|buying|buy|flying|fly|ordering|order|shopping|shop|coming back|come back|"
    r"going back|go back|returning|return|doing business|banking|booking|recommending|recommend)"
    r"\b(?: \w+){0,3}? (?:again|back|anymore|any more|with (?:you|them|this)|from (?:you|them))\b",
    r"\bno longer (?:be )?(?:use|using|fly|flying|a customer|do(?:ing)? business|shop|shopping|"
    r"bank|banking|want (?:your|to (?:use|be))|need your|buy|buying|order|ordering|trust)",
]
CHURN = [
    r"\b" + I_WILL + r"(?: just| probably| definitely| seriously| have to| be)?" + gap(1) + LEAVE
    + r"\b",
    r"\b(?:i|we)(?:'m| am|'re| are)?" + gap(1) + CONSIDERING + gap(1) + LEAVE + r"\b",
    r"\b(?:i'm|im|i am|we're|we are)" + gap(1) + LEAVE + r"\b",
    r"(?:^|(?<=[.!?,;] ))(?:will be|will|definitely|seriously|probably|gonna|time to)" + gap(1)
    + LEAVE + r"\b",
    r"\btime to" + gap(1) + LEAVE + r"\b",
    r"\b(?:if|unless|or|otherwise|or else)\b" + gap(10)
    + alt(I_WILL, "i", "we", "i'm", "im", "we're") + gap(2) + LEAVE + r"\b",
    r"\b(?:i|we) (?:want|need|would like|'d like|wanna) to (?:\w+ )?" + LEAVE + r"\b" + gap(12)
    + words(
        "because since after as_(?:you|your|this) due_to sick tired fed_up enough ridiculous "
        "worst terrible horrible awful useless joke nothing_but never keep still again can't "
        "cannot unless not_happy unhappy dissatisfied decided_to_(?:go|switch|move)"
    ),
    *NEVER_AGAIN,
    r"\b(?:i|we)(?:'d| would) (?:much )?rather (?:use|go with|pay|fly|bank with|switch to|"
    r"deal with|buy from|shop at|go to|give my money to)\b",
    r"\b(?:former|ex)[- ]customers?\b",
    r"\b(?:you(?:'ve)?|you have) (?:just )?lost (?:a|my|our|another|a loyal|one) (?:customer|"
    r"client|business)",
    r"\b(?:i'm|i am|we're|we are|im|i think we're|i think i'm) (?:so |totally |officially )?"
    r"(?:done|through|finished) with (?:you|your|this|them|u\b|y'all)",
    r"\b(?:i|we) (?:may|might|think i|think we)(?:'re| are| am|'m| be)? (?:be )?done with\b",
    r"\blost (?:me|us) as (?:a )?customers?\b|\b(?:not|no longer) (?:a )?loyal(?: customer)? "
    r"anymore\b|\bnever see another (?:dime|penny|cent)\b|\b(?:don't|do not) want to be "
    r"(?:a|your) customer\b",
    r"\b(?:look|looking|shop|shopping|search|searching) (?:around\b|for (?:a |an )?(?:new |"
    r"another |different |other )(?:\w+ ){0,3}?(?:provider|company|carrier|bank|source|service|"
    r"option)s?\b)",
    r"\b(?:see|check) what other (?:companies|providers|carriers|banks) (?:offer|have)\b",
    r"\b(?:that's why|which is why|so) (?:i|we) (?:cancelled|canceled|closed|left|switched|"
    r"quit|unsubscribed)\b",
    r"\bunsubscrib(?:ed|ing)\b|\b(?:stop|stopped|quit) (?:using|watching|buying|"
    r"eating|shopping|ordering|flying|banking)(?: from| with| at)? (?:you|your|there|here|this|"
    r"it|them)\b|\bstop being (?:a|your) customer\b",
    r"\b(?:from now on|next time) (?:i|we)(?:'ll| will)? (?:\w+ )?(?:get|use|go|order|shop|buy|"
    r"fly|bank|try)\b|\b(?:using|go(?:ing)? (?:to|with)|order(?:ing)? from|only) \S+ from now on\b",
    r"\blos(?:e|t|ing) (?:my|our|this|a|another|\d+|two|three|a loyal) (?:\w+ )?(?:business|"
    r"customers?|clients?)\b|\b(?:loyal )?customer (?:just )?lost\b",
    r"\b(?:i|we)(?:'ve| have)? (?:just |finally |already )?(?:switched|moved|changed) "
    r"(?:my \w+ |our \w+ )?(?:over )?(?:to|with) " + COMPETITOR + r"\b",
    r"\b(?:i|we) left \S+ for\b|\b(?:moved|switched|transferred) (?:my|our) (?:\w+ )?"
    r"(?:account|accounts|business|money|service) to\b",
    r"(?:^|(?<=[.!?,;] ))(?:ready|about|going|planning) to" + gap(1) + LEAVE + r"\b",
    r"\b(?:won't|will not|not going to|never) (?:be )?renew\w*\b|\bneveragain\b",
    r"\bnever (?:ever )?(?:buy|buying|order|ordering|shop|shopping|use|using|fly|flying) "
    r"(?:from|off|at|with|there|here|you)\b|\blast time (?:buying|ordering|using|flying|"
    r"shopping|eating|booking|staying)\b|\bwould (?:i|we) ever (?:return|go back|come back)\b",
    r"\b(?:bout|about|almost|so|pretty much) done with (?:you|y'all|them|this|your)\b|"
    r"(?:^|(?<=[.!?] ))done with (?:you|your|this|y'all|them)\b",
    r"\bconsider (?:the|my|this) \w+ (?:cancelled|canceled|closed|terminated)\b|\breason (?:to "
    r"not|not to|why i shouldn't) (?:cancel|leave|switch)\b",
    r"\b(?:sent|made|submitted) (?:a|the|my) request to" + gap(1) + LEAVE + r"\b",
    r"\bit(?:'s| is) goodbye\b|\bgoodbye,? (?:@\w+|\w+ (?:premium|prime))\b",
    r"\b(?:switching|moving|jumping|leaving|left|switched|moved|signing up|signed up)\b"
    + gap(2)
    + r"(?:to|for|with) (?:@\w+|a competitor|your competitors?|someone else|another "
    r"(?:provider|carrier|company|bank|airline|service|network|isp|store|brand))\b",
    r"\bhow (?:do|can) (?:i|we) (?:cancel|leave|quit)\b" + gap(10)
    + words(
        "because since sick tired fed_up enough ridiculous worst terrible useless joke not_happy "
        "unhappy dissatisfied"
    ),
    # considering leaving needs no object: "honestly considering cancelling"
    r"\b(?:considering|thinking (?:of|about)|tempted to|contemplating) (?:cancel|leav|switch|"
    r"quit|unsubscrib|drop|ditch|clos(?:e|ing) (?:my|our|the) (?:\w+ )?account)\w*"
    + NOT_A_SERVICE,
    # a recogniser drops the subject's sentence break: "... still jumping will be cancelling"
    r"\b(?:will be|'ll be|will|'ll) (?:probably |definitely |soon )?(?:cancel(?:l?ing)?|"
    r"switch(?:ing)?|quit(?:ting)?|unsubscrib(?:e|ing))" + NOT_A_SERVICE
    + r"(?: (?:my|our|the|this|your) (?:\w+ )?" + SERVICE + r"| (?:to|for) " + COMPETITOR
    + r"| (?:you|now|today|tomorrow|soon)|$)",
    r"\b(?:cancel(?:l?ing)?|switch(?:ing)?) (?:tomorrow|today|tonight|asap|next month|"
    r"this week)\b",
    # already gone, out of dissatisfaction is the common case in a complaint
    r"\b(?:i|we)(?:'ve| have)? (?:just |finally |already |then |now )?(?:cancel+ed|closed|"
    r"terminated|deleted) (?:my|our|the|this|the whole) (?:\w+ ){0,2}?" + SERVICE + r"\b",
    r"\b(?:stop|stopped) (?:doing )?business with\b|\bget (?:any|my|our) (?:more )?business from "
    r"(?:me|us)\b|\bget away from (?:this|these|them|you)\b|\bdone with \S+ for good\b",
    r"\b(?:went|gone|go|going) (?:with (?:a|another|a different)|to (?:another|a different)) "
    r"(?:credit union|bank|"
    r"provider|carrier|company|dealership|brand|service|network)\b|\bgo another brand\b",
    r"\b(?:shop|shopping|buy|buying|go|going) (?:somewhere|someplace) else\b|\blook (?:into|at) "
    r"other (?:\w+ )?(?:services|providers|banks|companies|carriers|options)\b",
    r"\bget(?:ting)? rid of (?:my|our|the|this) (?:\w+ )?(?:membership|subscription|account|"
    r"service|contract|plan)\b",
    r"\b(?:i'll|ill|i will|we'll|we will) (?:just )?(?:stick|stay) with\b|\bback to \S+(?: \S+)? "
    r"it is\b|\b(?:i'm|im|i am) off to\b|\b(?:i've|ive|i have|we've|we have) (?:now )?gone "
    r"with\b|\bunsubbed\b",
    # a bare "I'm done" on a call is as often "I've finished typing": only with a word of weight
    r"\b(?:i'm|im|i am|we're|we are) (?:(?:officially|so|totally) done|(?:just )?(?:out|giving "
    r"up))(?:\W*$|[.!?])",
    r"\b(?:switch|chang|mov)\w* (?:providers|carriers|banks|companies|networks|services|isps|"
    r"platforms)\b",
    r"\b(?:as soon as|once|when|the day) (?:i|we) find (?:something|someone|somewhere|a \w+|an?"
    r" \w+ \w+) (?:better|cheaper)\b",
]

# --- legal_public_threat: lawyers, courts, regulators, the media, going public --------------
LAWYER = alt(
    r"(?:\w+ )?lawyers?", r"(?:\w+ )?attorneys?", "solicitors?",
    "legal (?:counsel|team|department|advice)",
)
REGULATOR = alt(
    words(
        "bbb better_business_bureau fcc ftc cfpb fca occ fdic sec dot faa ombudsman "
        "trading_standards consumer_affairs regulators? ofcom ofgem ofwat puc cpuc "
        "federal_trade_commission consumer_financial_protection_bureau police authorities "
        "citizens_advice watchdog government congressman congresswoman congress senator feds"
    ),
    r"regulatory (?:authorities|agencies|bodies)",
    r"attorney generals?'?s?(?: office)?", r"ag'?s office",
    r"consumer protection(?: agency| bureau| office)?", r"my (?:mp|representative)",
    r"state (?:insurance )?(?:commission|regulator|department)",
    r"public (?:utility|utilities|service) commission",
    r"department of (?:transportation|consumer affairs|insurance|labor|justice|banking)",
)
MEDIA = alt(
    words(r"news media press newspapers? local_news journalists? reporters? tv(?:_station)? "
          r"the_paper consumer_watchdog news_?(?:station|paper)s?"),
    r"channel \d+",
)
PUBLIC = alt(
    "online", "everywhere", "a review",
    r"(?:on|all over|across) (?:social media|twitter|facebook|instagram|tiktok|reddit|youtube|"
    r"yelp|trustpilot|google|the internet)",
    r"(?:bad|negative|terrible|scathing|honest) reviews?", r"(?:1|one)[- ]star reviews?",
)
LEGAL = [
    r"\b(?:contact|call|get|got|hire|consult|retain|involve|see|speak (?:to|with)|talk (?:to|with)"
    r"|have|seek|go to|going to|getting|calling|contacting|hiring|consulting|involving)"
    r" (?:my|a|an|our) " + LAWYER,
    r"\bmy " + LAWYER + r" (?:will|is going to|can|would|shall|is (?:going to be )?(?:hearing|"
    r"contacting|calling)|'ll)\b",
    r"\bmy (?:\w+ )?(?:lawyer|attorney|solicitor)s? (?:is|are|has|have|will|'s|was)\b",
    r"\blawyer(?:ing)? up\b|\blegal (?:action|claim|case|recourse)\b|\bin court\b|"
    r"\bcriminal (?:case|complaint|charges)\b",
    r"\b(?:take|taking|pursue|pursuing|seek|seeking|consider|considering|file|filing|start|"
    r"starting|bring|bringing|initiate) (?:\w+ )?(?:legal (?:action|help|advice|recourse|steps|"
    r"proceedings)|litigation|law ?suits?|a claim|a case)",
    r"\blegal (?:route|proceedings|steps) (?:will|against|is|shall)\b|\bbefore (?:taking )?"
    r"legal action\b",
    r"\b(?:sue|suing)\b(?! me\b| us\b)|\b(?:i|we) sued\b|\b(?:i|we|my|our)\b" + gap(8)
    + r"law ?suits?\b|\blaw ?suits? (?:against (?:you|your)|waiting|incoming|coming)\b|"
    r"\b(?:grounds|basis) for (?:a )?law ?suit\b|\bclass[- ]action\b|\bsmall claims\b|"
    r"\blitigation\b",
    r"\bsee (?:you|u) in court\b|\b(?:take|taking) (?:you|this|it|them|this matter|your \w+) "
    r"to court\b|\bsettle (?:this )?in court\b|\bto (?:federal|district|small claims) court\b|"
    r"\bcourt (?:case|action)\b",
    r"\b(?:report|reporting|reported|complain|complained|complaint|complaints|file|filing|filed|"
    r"lodge|lodged|submit|submitting|contact|contacting|contacted|escalat\w*|write|writing|wrote|"
    r"call|calling|called|go|going|went|take|taking)\b" + gap(8) + r"(?:to|with|the|my) (?:the )?"
    + REGULATOR + r"\b",
    r"\b(?:will|going to|gonna|'ll) (?:contact|call|report (?:you |this |it )?to|write to|"
    r"notify|involve) (?:the )?" + REGULATOR + r"\b",
    r"\b" + REGULATOR + r" (?:complaint|report|case)s?\b",
    r"\bformal (?:consumer )?complaint\b|\bpolice reports?\b",
    r"\b(?:i|we) (?:will|'ll|am going to|'m going to|shall|am gonna|'m gonna) report "
    r"(?:you|them|this|it)\b",
    r"\b(?:go|going|went|contact|contacting|call|calling|tell|telling|reach out to|talk to|"
    r"take (?:this|it|my story)|taking (?:this|it|my story)|alert|alerting|email|emailing)\b"
    + gap(2) + r"(?:to )?(?:the )?" + MEDIA + r"\b",
    r"\b(?:post|posting|share|sharing|tweet|tweeting|put|putting|blast|blasting|write|writing|"
    r"leave|leaving|spread|spreading|publish|publishing)\b" + gap(6) + PUBLIC + r"\b",
    r"\b(?:share|sharing|tell|telling|post|posting) (?:my|this|our) (?:story|experience)\b",
    r"\b(?:tell|telling|warn|warning) (?:everyone|everybody|all my (?:friends|family|followers)|"
    r"the world|people|ppl|others|my followers)\b",
    r"\b(?:everyone|everybody|the whole world|the world|people) (?:will|is going to|are going to) "
    r"(?:know|hear)\b",
    r"\b(?:want|let|letting) (?:everyone|everybody|people|the world|all of you) (?:to )?know\b",
    r"\b(?:negatively|publicly) review\w*|\breview (?:this|it|you) (?:negatively|badly)\b",
    r"\bgo(?:ing)? viral\b",
    r"\b(?:contacted|hired|consulted|retained|called|visit(?:ed|ing)?|spoke (?:to|with)|spoken "
    r"(?:to|with)|informed|told|educated|notified) (?:my|a|an|our) " + LAWYER,
    r"\b(?:hire|hired|hiring|retain|retained|contact\w*|consult\w*) (?:a|my|our) law firm\b|"
    r"\b(?:my|our) legal counsel\b|\bcourts? of law\b|\b(?:will|'ll|ill|gonna|going to) "
    r"(?:go|take (?:you|them|this|it)) to court\b",
    r"\b(?:make|making) (?:this|it|everything|all)\b(?: \w+){0,8}? public\b|\bgo(?:ing)? public\b|"
    r"\bexpos(?:e|ed|ing) (?:\w+ ){0,2}?(?:on|to) (?:public|the public|social media|twitter|"
    r"facebook|the world)\b",
    r"\b(?:give|giving|gave|leave|leaving|left|write|writing|wrote|post\w*) (?:\w+ ){0,3}?(?:bad|"
    r"negative|terrible|scathing|(?:1|one)[- ]star|low) (?:review|rating)s?\b|"
    r"\bmy (?:1|one)[- ]star review\b",
    r"\b(?:have )?told (?:many|lots of|all my|so many) (?:people|friends)\b",
    r"\binvestigation by (?:the )?(?:us |u s )?" + REGULATOR + r"\b",
]

# --- repeat_contact: count x contact, or contact before x still unresolved ------------------
CONTACTED = alt(
    words(
        r"called call calling phoned rang contacted contacting contact emailed e-mailed messaged "
        r"written wrote tweeted dm'?d chatted spoken spoke talked reached_out been_in_touch "
        r"complained told_(?:them|you) asked requested request sent explained faxed "
        r"been_through_this been_on_the_phone been_on_hold gone_through_this visited "
        r"went_(?:in|into) reported submitted raised filed logged"
    ),
)
TIMES = alt(
    NUMBER + r" times?", "twice", "repeatedly", r"over and over(?: again)?", "again and again"
)
CONTACT_STEM = words(
    "call calling contact contacting writ asking ask reach complain tweet messag chat phon explain "
    "request on_the_phone trying speak talk in_touch dm email this_week today about_this"
)
REPEAT = [
    r"\b" + ORDINAL + r" (?:time|attempt|call|contact)\b" + gap(5) + CONTACT_STEM,
    r"\b" + ORDINAL + r" (?:call|request|complaint|attempt|message|email|letter|chat|agent|"
    r"person|rep|representative)\b",
    r"\b(?:this is|it's|its|it is) (?:my|the|our) " + ORDINAL + r" (?:call|request|complaint|"
    r"attempt|message|email|letter|chat|ticket|dispute|endeavou?r|try|"
    r"time (?:i'm |i am |i've |i have |we're |we've )?"
    r"(?:call|contact|writ|ask|reach|messag|email|chat|phon|tweet|complain))",
    r"\b" + ORDINAL + r" time'?s a charm\b",
    r"\b" + CONTACTED + r"\b" + gap(8) + TIMES + r"\b",
    r"\b(?:tried|attempted)\b" + gap(2) + TIMES + r" to (?:contact|call|reach|speak|talk|get "
    r"through|get in touch|resolve|sort|fix)\b",
    r"\b(?:sent|written|wrote|left|made|had) " + NUMBER + r" (?:\w+ )?(?:messages|emails|e-mails|"
    r"dms|letters|complaints|requests|voicemails|calls|phone calls|tickets|chats)\b",
    r"\b" + NUMBER + r" (?:\w+ ){0,3}?(?:calls|phone calls|chats|complaints|visits|departments|"
    r"agents|reps|representatives|transfers|employees|supervisors|managers)\b",
    # emails, tickets and people are contacts only when sent, raised or spoken to
    r"\b(?:after|through|sent|wrote|written|opened|raised|filed|with|to|spoke to|talked to|spoken "
    r"to|dealt with|been through) (?:you |them |us )?(?:over |about |at least )?" + NUMBER
    + r" (?:\w+ ){0,2}?(?:emails|e-mails|tickets|people|messages|letters|tweets|dms|texts)\b",
    r"\b" + NUMBER + r" (?:different|separate) (?:people|persons|ppl)\b|\b" + NUMBER
    + r" (?:emails|e-mails|messages|letters|tweets|dms|texts) (?:and|with|but) (?:still )?no "
    r"(?:\w+ ){0,2}?(?:response|reply|answer)\b",
    r"\b(?:repeatedly|constantly|continually|keep|kept) (?:asked|called|calling|contacted|"
    r"contacting|requested|emailed|wrote|tried|asking|having to (?:call|explain|repeat))\b",
    r"\b(?:requested|asked for|left) " + NUMBER + r" call ?backs\b",
    r"\b(?:already|previously) (?:called|contacted|explained|told|spoke|spoken|talked|"
    r"reported|complained|asked|emailed|wrote|written|been through|gone through|sent|messaged)",
    r"\b(?:done|did|tried) (?:it|this|that) already\b",
    r"\b(?:keep|kept) (?:on )?(?:having to )?(?:call|calling|contact|contacting|ask|asking|"
    r"explain|explaining|repeat|repeating|telling you|being (?:told|transferred|passed))",
    r"\b(?:(?:every|each) (?:single )?time|whenever) (?:i|we) (?:call|contact|ask|chat|reach out|"
    r"phone|get through|talk|speak|email|message|try to (?:call|contact|reach|speak|talk|get "
    r"through))",
    r"\b(?:repeated|repeatedly \w+|constant|numerous|multiple|several|countless) (?:attempts|"
    r"calls|requests|emails|messages|complaints) (?:to|about|regarding|for|and)\b",
    r"\b(?:i|we) (?:\w+ ){0,2}(?:called|phoned|rang|wrote|messaged|emailed|contacted|call|"
    r"calling|get|got|reached out|wrote in) (?:in |them |you |back on the phone )?(?:back|again)"
    r"\b|\bcalling (?:in |you )?again\b|\b(?:again|another) to (?:another|a different)\b",
    r"\b(?:i|we) (?:\w+ ){0,2}(?:messaged|e-?mailed|called|contacted|wrote|spoke|talked|"
    r"tweeted|dm'?d|rang|phoned)\b" + gap(8)
    + r"(?:(?:\w+ )?(?:hours?|mins?|minutes?|days?|weeks?|months?) ago|last "
    r"(?:week|month|year|time|night)|yesterday|on (?:monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday))\b",
    r"\b(?:days?|weeks?|months?) ago (?:i|we) (?:called|phoned|rang|contacted|emailed|wrote|"
    r"reported|submitted|raised|messaged)\b",
    r"\b(?:submitted|sent|filed|opened|raised|made|logged) (?:a |my |the )?(?:ticket|complaint|"
    r"request|claim|case)\b" + gap(3) + r"(?:\w+ )?(?:days?|weeks?|months?|a week|a month) ago\b",
    r"\b(?:called|contacted|spoke|talked|been|came|rang|phoned)(?: \w+){0,3} (?:before|last "
    r"(?:week|month|time)|yesterday|earlier|again) (?:about|regarding|for|over) (?:this|the "
    r"same|it)\b",
    r"\b(?:called|rang|phoned|contacted)\b" + gap(3) + r"yesterday and\b" + gap(3)
    + r"(?:the day before|today|again|this morning)",
    r"\b(?:explained|told|said) (?:this|it|my (?:story|issue|problem|situation)|the same thing) "
    r"(?:to )?(?:the last |" + NUMBER + r" |every |each |everyone|everybody|all)\b",
    r"\b(?:last|past|previous) (?:" + NUMBER + r" )?(?:people|agents|reps|representatives|"
    r"persons|calls|times) (?:i|we)(?:'ve| have)? (?:spoke|spoken|talked|called|dealt)",
    r"\bsame (?:answer|answers|reply|replies|response|responses|excuse|excuses|story|runaround)\b",
    r"\bmy (?:previous|last|earlier|other) (?:messages?|emails?|calls?|tweets?|dms?|"
    r"complaints?|requests?|tickets?|chats?)\b",
    r"\b(?:still|again) (?:not (?:fixed|resolved|sorted)|hasn't been (?:fixed|resolved)|"
    r"unresolved|waiting (?:for (?:a |an )?(?:response|reply|answer|call ?back|refund)))",
    r"\b(?:haven't|have not|never|still haven't|still have not|not) (?:yet )?(?:heard back|"
    r"got(?:ten)? (?:a |any )?(?:response|reply|answer|call ?back|resolution))\b",
    r"\bstill no (?:reply|response|answer|call ?back|word|resolution|update)\b|\bnot a single "
    r"(?:response|reply)\b|\bno one (?:has )?(?:ever )?(?:got(?:ten)? back|responded|replied|"
    r"called (?:me )?back|dealt with)\b",
    r"\b(?:for|over|after) (?:weeks|months|a week|a month|\w+ (?:weeks|months|days)) (?:now|of "
    r"(?:calls|calling|emails|back and forth|trying|waiting|this))\b",
    r"\b(?:not|never|still (?:not|un)) (?:been )?(?:resolved|fixed|sorted)\b" + gap(3)
    + r"(?:after|in|for) (?:weeks|months|" + NUMBER + r" (?:weeks|months|days|calls))",
    r"\b(?:called|contacted|rang|phoned) (?:you |in )?" + NUMBER + r" (?:times|calls)\b",
    r"\b(?:third|fourth|fifth|second) (?:day|week) (?:in a row )?(?:i|we)(?:'ve| have)? "
    r"(?:called|contacted|rang|phoned|been calling|tried)",
    # an earlier contact with the company's people, told in passing: "called customer service"
    r"\b(?:already |just |previously )?(?:called|contacted|emailed|e-mailed|messaged|dm'?d|"
    r"tweeted|reached out to|spoke (?:to|with)|spoken (?:to|with)|talked (?:to|with)|chatted "
    r"with|asked) (?:your |the |a |an |to )?(?:customer (?:service|care|support)|cs|csr|cust|"
    r"support|help ?desk|help ?line|help number|rep|sales rep|representative|agent|you guys|"
    r"y'all)\b",
    r"\balready (?:did|done|responded|replied|dm'?d?|sent|talk\w*|spoke|chatted|"
    r"submitted|filled|reported|asked|have (?:a |an )?(?:service )?(?:request|ticket|case))\b",
    r"\b(?:call|calling|tweet|tweeting|email|emailing|message|messaging|chase|chasing)\w* "
    r"(?:\S+ ){0,4}?(?:almost |nearly )?(?:every day|daily|every week|all (?:day|week|weekend)|"
    r"every few (?:days|hours))\b|\b(?:continue|keep) to (?:call|tweet|email|contact|chase|"
    r"write)\b",
    r"\b(?:been|have been|i've been|i have been) (?:trying|calling|contacting|reporting|"
    r"disputing|emailing|writing|fighting|chasing|asking|dealing|going back and forth|"
    r"complaining|on the phone)\b(?: \S+){0,8}? for (?:months|weeks|years|a (?:month|week|year|"
    r"long time)|\S+ (?:months|weeks|years|days))\b",
    r"\b(?:i|we) (?:once )?again (?:\w+ed|sent|wrote|spoke|told)\b|\b(?:called|contacted|"
    r"emailed|wrote|messaged|reported|disputed|asked|requested) (?:\w+ ){0,3}?again\b",
    r"\bprevious (?:\w+ )?(?:letters?|requests?|disputes?|complaints?|calls?|emails?|messages?|"
    r"conversations?|tickets?|chats?|dms?)\b|\b(?:they|you) previously (?:told|said|promised)\b",
    r"\b(?:the )?run ?-?around\b",
    r"\b(?:i|we) (?:have |had )?previously (?:called|contacted|reached out|spoke|spoken|talked|"
    r"emailed|wrote|written|reported|complained|asked|requested)\b",
    r"\b(?:call|called|calling|contact|contacted|write|wrote|come|came) (?:in |you |about this )?"
    r"(?:once |twice |a few times )?before\b",
    r"\bstill (?:haven't|have not|havent|not) heard\b(?! of)",
    r"\b(?:yesterday|last night|this morning) and (?:again )?(?:this morning|today|earlier today|"
    r"last night|again)\b(?: \w+){0,3}? (?:i |we )?(?:called|contacted|spoke|emailed|wrote|"
    r"chatted|rang|phoned)\b",
    r"\b(?:reported|called about|complained about|called in about|been reporting) (?:this |it |"
    r"that )?(?:for|over) (?:the (?:past|last) )?(?:\w+ )?(?:days|weeks|months|years)\b",
    r"\b(?:sent|submitted|put|made|filed|opened)(?: in)? (?:a|my|the) (?:request|ticket|claim|"
    r"complaint) (?:\w+ ){0,2}?(?:\d+|two|three|several|a few) (?:days|weeks|months) ago\b",
    r"\b(?:numerous|several|multiple|many|countless|repeated|\d+|three|four|five) (?:separate |"
    r"different )?(?:occasions|attempts)\b",
    r"\b(?:contacted|called|disputed|reported|asked|emailed|wrote|complained)\b(?: \w+){0,2} once "
    r"(?:already|before)\b|\b(?:called|rang|phoned|wrote|emailed) back (?:on|in|to|and|about)\b|"
    r"\bfollow(?:ed|ing)? up (?:with|on)\b",
    r"\bagain\b(?: \w+){0,2} (?:with )?no (?:response|reply|answer|resolution|help)\b",
    r"\b(?:every|each) (?:single )?time (?:that )?(?:i've|i have|we've|we have) (?:called|"
    r"contacted|spoken|talked|emailed|written)\b",
    r"\b(?:spoken|spoke|talked|dealt) (?:to|with|w/) (?:\w+ )?(?:several|different|numerous|"
    r"multiple|many|various|countless|\d+\+?) (?:\w+ )?(?:people|ppl|reps|representatives|agents|"
    r"employees|supervisors|managers|persons|departments)\b",
]

# --- anger ----------------------------------------------------------------------------------
ANGER = [
    r"\b" + words(
        r"ridiculous unacceptable outrageous outraged pathetic disgusting disgusted disgraceful "
        r"furious livid infuriat\w* fuming appalling appalled atrocious shameful horrendous "
        r"incompetent incompetence worthless laughable absurd insulting inexcusable sick_of fed_up "
        r"pissed rude dumbest stupid idiots? sucks garbage crap bs wtf screw(?:ed)?_(?:you|me) "
        r"rip_?off scam scammed lied_to liars? thieves enough_is_enough had_enough last_straw "
        r"waste_of_(?:my_)?time wasted_(?:my|\w+_hours) shit bullshit fuck\w* fu+ck\w* fck\w* "
        r"damn assholes? weasel the_worst worst_\w+ tired_of joke_of_a "
        r"beyond_(?:frustrat\w*|angry|annoyed) sick_and_tired unbelievably fraudsters? "
        r"shambles clowns? morons? useless_(?:company|service|people|bank|app) not_good_enough"
    ) + r"\b",
    r"\bhow (?:hard|difficult) (?:is|can) it\b|\bthanks? for nothing\b|\bthx for nothing\b",
    r"\bwhat (?:the hell|the heck|a joke|is wrong with (?:you|your))\b|\bi want my money\b",
    r"\b(?:i'm|i am|im|we're|we are|getting|got) (?:so |really |very |extremely |absolutely |"
    r"beyond |incredibly )(?:angry|mad|upset|frustrated|annoyed|irritated|pissed)\b",
    r"\b(?:are you|you're|you are) (?:kidding|joking|serious)\b",
    r"\b(?:you|y'all|u|they|you're|you are|they're|they are|stop|keep|people are) (?:\w+ )?"
    r"(?:lie|lies|lying|lied)\b|\b(?:a |big |blatant |total )lie\b|\b"
    + words(r"jokers crooks crooked scam_artists asinine crappy wits'?_end f_it shitting_me "
            r"ruining_my ruined_my evil shitty scum scumbags? criminals bastards ffs goddamn\w* "
            r"frick(?:ing)? fux?k\w* punks maddening disrespect(?:ful)? shame_on_(?:you|u) "
            r"(?:be|so|feel)_ashamed piss(?:es|ing|ed)?_me_off irritat\w*_me is_hell of_hell "
            r"hell_no what_a_disrespect"),
    r"\b(?:i|we) (?:really |just |absolutely )?hate (?:you|your|this|dealing|that|how)\b|"
    r"\bthanks?(?: \w+)? for (?:ruining|wasting|nothing)\b|\b(?:should|needs? to|must) be "
    r"fired\b|\bfire (?:the|your|that|this) \w+|\b(?:you|y'all|u) (?:guys )?(?:clearly )?"
    r"(?:don't|do not|dont) (?:even )?care\b|\bhow do you not\b",
]
# fmt: on

MILD_ANGER = re.compile(
    r"\b(?:frustrat\w*|angry|mad|annoyed|annoying|terrible|horrible|awful|"
    r"useless|unbelievable|insane|joke)\b"
)
CALM_MARKERS = re.compile(
    r"\b(?:thanks?|thank you|thx|appreciate\w*|lo+l\w*|haha\w*|cheers|best|love|great|amazing|"
    r"awesome|excellent|perfect|wonderful)\b|[:=]\)"
)
"""Thanks, laughter or praise: mild words and capitals are then not anger."""
RESOLVED = re.compile(
    r"\b(?<!never )(?<!not )(?<!n't )(?<!nt )(?:it's|its|it is|is|was|been|now|all) (?:now )?"
    r"(?:fixed|resolved|sorted)\b"
)
"""An earlier contact that solved it is no repeat contact ("I called yesterday, it's fixed");
one that did not ("it has never been fixed", "it hasn't been resolved") still is."""
SHOUTING = re.compile(r"(?:\b(?!X+\b)[A-Z]{2,}[!?.,]*\s+){2,}(?!X+\b)[A-Z]{2,}\b")
"""Three or more words in capitals (not redactions like XXXX): shouting."""

RULES: dict[CueClass, list[str]] = {
    CueClass.LEGAL_PUBLIC: LEGAL,
    CueClass.SUPERVISOR: SUPERVISOR,
    CueClass.CHURN: CHURN,
    CueClass.REPEAT: REPEAT,
    CueClass.ANGER: ANGER,
}

NEGATIONS = frozenset(
    {"not", "no", "never", "don't", "dont", "doesn't", "didn't", "won't", "wouldn't", "isn't",
     "wasn't", "aren't", "cannot", "can't", "without", "nor", "shouldn't", "didnt", "wont"}
)  # fmt: skip
FIRST_PERSON = frozenset(
    {"i", "i'm", "i'll", "i've", "i'd", "im", "ive", "we", "we're", "we'll", "we've", "you", "me"}
)
THIRD_PARTY = frozenset(
    {"they", "they're", "they've", "they'd", "they'll", "he", "he's", "she", "she's", "who",
     "it", "friend", "friends", "wife", "husband", "mom", "dad", "mother", "father", "son",
     "daughter", "brother", "sister", "neighbor", "neighbour", "colleague"}
)  # fmt: skip
ADVICE = frozenset({"should", "could"})
"""Advice or a possibility for someone other than the speaker ("you should sue") is no threat."""
_CLAUSE_BREAK = re.compile(r"[.!?;,]| but | and | so | because | if | that ")


@dataclass(frozen=True, slots=True)
class _Rule:
    cue: CueClass
    pattern: re.Pattern[str]
    anchors: frozenset[str] | None
    """A rule cannot match unless a word of the text contains one of these (None: always try)."""
    alternatives: tuple[tuple[frozenset[str], ...], ...]
    """Per alternative of the pattern, sets of anchors: it cannot match unless a word of the
    text contains one of each set ("i" or "we", and "cancel" or "leave"). Each set is as
    necessary as ``anchors``, which is only the rarest."""


def _rule(cue: CueClass, pattern: str) -> _Rule:
    alternatives = tuple(
        tuple(needed for strings in clauses if (needed := anchor_set(strings)) is not None)
        for clauses in required_clauses(pattern)
    )
    return _Rule(cue, re.compile(pattern), anchor_words([pattern]), alternatives)


_RULES = tuple(_rule(cue, rule) for cue, rules in RULES.items() for rule in rules)

# The shortcut works on bit masks, as the test runs for every rule of every utterance: bit i of
# a rule mask is rule i; each anchor has a bit in an anchor mask.
_ALL_ANCHORS = sorted(
    {a for rule in _RULES for a in rule.anchors or ()}
    | {a for rule in _RULES for sets in rule.alternatives for needed in sets for a in needed}
)
_ANCHOR_BIT = {anchor: 1 << i for i, anchor in enumerate(_ALL_ANCHORS)}
_ANCHOR_LENGTHS = sorted({len(a) for a in _ALL_ANCHORS})
_ALWAYS = sum(1 << i for i, rule in enumerate(_RULES) if rule.anchors is None)
_RULES_ANCHORED = {
    anchor: sum(1 << i for i, rule in enumerate(_RULES) if anchor in (rule.anchors or ()))
    for anchor in _ALL_ANCHORS
}
_NEEDED = tuple(
    tuple(tuple(sum(_ANCHOR_BIT[a] for a in needed) for needed in sets) for sets in alternatives)
    for alternatives in (rule.alternatives for rule in _RULES)
)
"""Per rule, per alternative, the anchor mask of each set it needs."""


@lru_cache(maxsize=65536)
def _masks(word: str) -> tuple[int, int]:
    """The anchors inside ``word`` and the rules they anchor: every part of the word as long as
    some anchor is looked up (cached: speech reuses its words)."""
    anchors = rules = 0
    for length in _ANCHOR_LENGTHS:
        for start in range(len(word) - length + 1):
            bit = _ANCHOR_BIT.get(word[start : start + length])
            if bit is not None:
                anchors |= bit
                rules |= _RULES_ANCHORED[word[start : start + length]]
    return anchors, rules


def _possible(rule: int, present: int) -> bool:
    """Whether some alternative of the rule has each of its anchor sets in ``present``."""
    for sets in _NEEDED[rule]:
        for needed in sets:
            if not needed & present:
                break
        else:
            return True
    return False


def _rules_to_try(norm: str) -> list[int]:
    """The rules that could match ``norm``, in order. Skipping the others changes no result
    and saves trying every rule at every position of every utterance."""
    present, anchored = 0, _ALWAYS
    for word in set(WORD.findall(norm)):
        anchors, rules = _masks(word)
        present |= anchors
        anchored |= rules
    chosen = []
    while anchored:
        lowest = anchored & -anchored
        rule = lowest.bit_length() - 1
        if _possible(rule, present):
            chosen.append(rule)
        anchored ^= lowest
    return chosen


@dataclass(frozen=True, slots=True)
class CueMatch:
    """One cue found in an utterance: its class and the words that gave it away."""

    cue: CueClass
    phrase: str


def _blocked(text: str, start: int, parties: frozenset[str] = THIRD_PARTY) -> bool:
    """A negation or one of ``parties`` governs the words at ``start``."""
    clause = _CLAUSE_BREAK.split(text[:start])[-1]
    before = clause.split()[-4:]
    for i in range(len(before) - 1, -1, -1):
        word = before[i]
        if word in NEGATIONS or word in parties:
            return True
        if word in ADVICE:
            return i == 0 or before[i - 1] not in ("i", "we")
        if word in FIRST_PERSON:
            return False
    return False


def _first_unblocked(
    pattern: re.Pattern[str], text: str, parties: frozenset[str] = THIRD_PARTY
) -> re.Match[str] | None:
    """The first match not governed by a negation or one of ``parties`` (overlaps included)."""
    match = pattern.search(text)
    while match is not None:
        phrase = match.group(0).strip()
        if phrase and (
            phrase.split()[0] in FIRST_PERSON or not _blocked(text, match.start(), parties)
        ):
            return match
        match = pattern.search(text, match.start() + 1)
    return None


def find_cues(text: str) -> list[CueMatch]:
    """The cue classes in ``text``, most urgent first, each with its first un-negated phrase
    (the leftmost match of the class's rules, the earlier rule on a tie)."""
    norm = normalise(text)
    leftmost: dict[CueClass, re.Match[str]] = {}
    for i in _rules_to_try(norm):
        rule = _RULES[i]
        parties = frozenset() if rule.cue is CueClass.ANGER else THIRD_PARTY
        match = _first_unblocked(rule.pattern, norm, parties)
        if match is not None:
            held = leftmost.get(rule.cue)
            if held is None or match.start() < held.start():
                leftmost[rule.cue] = match
    if CueClass.REPEAT in leftmost and RESOLVED.search(norm):
        del leftmost[CueClass.REPEAT]
    found = []
    for cue in CUE_CLASSES:
        match = leftmost.get(cue)
        phrase = match.group(0).strip() if match is not None else None
        if phrase is None and cue is CueClass.ANGER:
            phrase = _mild_anger(text, norm)
        if phrase is not None:
            found.append(CueMatch(cue, phrase))
    return found


def _mild_anger(text: str, norm: str) -> str | None:
    if CALM_MARKERS.search(norm):
        return None
    shouting = SHOUTING.search(text)
    if shouting:
        return shouting.group(0).lower()
    match = _first_unblocked(MILD_ANGER, norm)
    return match.group(0).strip() if match is not None else None
