"""Feelings in a call: the customer's distress, and the agent's acknowledgement of it.

Both read the spoken form of the text (lower case, no punctuation), so recognised speech and
written transcripts match alike. Distress is kept narrow (a nagging assistant is switched off):
first-person feelings and plain complaints, not every negative word, and not when negated
("I'm not worried"). Acknowledgement is kept broad: any apology, understanding or naming of
the feeling counts, so a prompt comes only when the agent clearly skipped it.
"""

import re

from agent_assist.cues.text import spoken

_FEELING = (
    r"worried|stressed|anxious|upset|frustrated|annoyed|angry|furious|scared|frightened|"
    r"panicking|desperate|devastated|distraught|disappointed|fed up|sick of|tired of|"
    r"at my wits end|in tears|heartbroken|exhausted|livid|fuming"
)
_DISTRESS = re.compile(
    r"\b(?:i'?m|i am|we'?re|we are|i feel|i'?ve been|i'?m getting|"
    r"i'?m so|i'?m really|i'?m just|i'?m very|i'?m absolutely|i'?m completely)"
    rf"(?: (?:so|really|very|just|absolutely|completely|getting|quite|pretty|extremely))*"
    rf" (?:{_FEELING})\b"
    r"|\b(?:ruined|ruining) (?:my|our)\b"
    r"|\b(?:this|it|that) is (?:a )?(?:nightmare|ridiculous|unacceptable|outrageous|a joke|"
    r"absurd|awful|terrible|horrible|disgusting|insane)\b"
    r"|\b(?:this|it|that)'?s (?:a )?(?:nightmare|ridiculous|unacceptable|outrageous|a joke|"
    r"absurd|awful|terrible|horrible|disgusting|insane)\b"
    r"|\bi (?:can'?t|cannot) (?:believe|take|stand|cope with|deal with|cope)"
    r" (?:this|it|that|any ?more)\b"
    r"|\b(?:had|have had) enough\b"
    r"|\b(?:waste|wasted|wasting) (?:of )?(?:my|our) (?:time|money|day|morning|afternoon)\b"
)
_ACKNOWLEDGEMENT = re.compile(
    r"\b(?:sorry|apologi[sz]e|apologies|understand|understandable|understood|"
    r"i can imagine|i can (?:see|tell|hear) (?:why|how|that (?:you|this|it)|you'?re|it'?s been)|"
    r"i hear you|i know how|i get (?:it|that|why)|"
    r"that sounds|sounds (?:really |so |very )?(?:frustrating|stressful|awful|terrible|hard|"
    r"difficult|worrying|upsetting|annoying)|that must|must (?:be|have been)|"
    r"frustrating|stressful|worrying|upsetting|"
    r"i would (?:be|feel)|i'?d (?:be|feel)|feel the same|"
    r"appreciate (?:your|you|that|how)|thank you for (?:your )?(?:patience|bearing)|"
    r"you'?re right|fair enough|not (?:ok|okay|acceptable|good enough|what you)|"
    r"let'?s (?:get|fix|sort) (?:this|it|that)|i'?m here to help)"
)


def distress(text: str) -> str | None:
    """The words in which the customer voices distress or a complaint, if they do."""
    match = _DISTRESS.search(spoken(text))
    return match.group(0) if match else None


def acknowledges(text: str) -> bool:
    """The agent apologises, shows understanding or names the feeling."""
    return _ACKNOWLEDGEMENT.search(spoken(text)) is not None
