"""What the cue classifier sees of an utterance: words and word pairs, with words put in classes.

The text is read in its spoken form (lower case, no punctuation), so written and recognised
speech give the same features. Words of the grammar's lexicons are also replaced by their class
("manager" and "supervisor" both become ``<boss>``), so a pair such as "a <boss>" learnt from
one wording carries over to another. Training and run time share this one function.
"""

import re
from itertools import pairwise

from agent_assist.cues.text import spoken

WORD_CLASSES: dict[str, tuple[str, ...]] = {
    "<boss>": ("supervisor", "manager", "superior", "boss", "supervisors", "managers", "senior",
               "management", "higher", "lead", "superiors"),
    "<human>": ("human", "person", "representative", "rep", "agent", "operator", "someone",
                "somebody", "people", "humans", "reps", "agents", "live", "real", "actual"),
    "<talk>": ("speak", "talk", "chat", "transfer", "connect", "put", "escalate", "speaking",
               "talking"),
    "<want>": ("want", "need", "like", "wanna", "demand", "request", "requested", "asked", "ask",
               "asking", "insist", "prefer", "rather"),
    "<leave>": ("cancel", "cancelling", "canceling", "cancelled", "canceled", "leave", "leaving",
                "switch", "switching", "quit", "quitting", "close", "closing", "terminate",
                "unsubscribe", "delete", "deleting", "ditch", "drop", "dump", "move", "moving",
                "left", "switched", "closed"),
    "<competitor>": ("competitor", "competitors", "elsewhere", "another", "provider", "carrier",
                     "verizon", "sprint", "comcast", "xfinity", "spectrum", "apple", "google",
                     "amazon", "netflix", "tidal", "pandora"),
    "<never>": ("never", "nevermore", "longer", "again", "anymore", "last"),
    "<legal>": ("lawyer", "lawyers", "attorney", "attorneys", "solicitor", "lawsuit", "sue",
                "suing", "court", "legal", "litigation", "claims", "counsel"),
    "<regulator>": ("bbb", "fcc", "ftc", "cfpb", "fca", "ombudsman", "regulator", "regulators",
                    "ofcom", "ofgem", "attorney", "general", "commission", "bureau", "police"),
    "<public>": ("news", "media", "press", "newspaper", "reporter", "journalist", "twitter",
                 "facebook", "instagram", "tiktok", "reddit", "youtube", "yelp", "trustpilot",
                 "review", "reviews", "online", "everyone", "everybody", "viral", "public"),
    "<contact>": ("called", "call", "calling", "calls", "phoned", "rang", "contacted",
                  "contacting", "emailed", "messaged", "wrote", "written", "tweeted", "chatted",
                  "spoke", "spoken", "talked", "explained", "told", "emails", "messages"),
    "<count>": ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "twice",
                "several", "multiple", "many", "numerous", "countless", "dozen", "twenty"),
    "<ordinal>": ("second", "third", "fourth", "fifth", "sixth", "seventh", "tenth", "umpteenth"),
    "<period>": ("yesterday", "week", "weeks", "month", "months", "days", "today", "already",
                 "before", "previous", "previously", "ago"),
    "<anger>": ("ridiculous", "unacceptable", "outrageous", "pathetic", "disgusting", "furious",
                "livid", "fuming", "appalling", "terrible", "horrible", "awful", "worst",
                "useless", "incompetent", "joke", "scam", "stupid", "sick", "tired", "fed",
                "angry", "mad", "upset", "frustrated", "frustrating", "annoyed", "shit", "fuck",
                "fucking", "damn", "crap", "hell", "garbage", "rude", "insane", "absurd"),
    "<neg>": ("not", "no", "don't", "dont", "never", "won't", "wont", "can't", "cant", "didn't",
              "isn't", "doesn't", "nothing", "nobody"),
    "<i>": ("i", "i'm", "im", "i'll", "ill", "i've", "ive", "i'd", "we", "we're", "we'll", "me",
            "my", "our"),
    "<they>": ("they", "he", "she", "they're", "he's", "she's", "his", "her", "their", "them"),
    "<thanks>": ("thanks", "thank", "thx", "appreciate", "great", "love", "awesome", "amazing",
                 "perfect", "helpful", "lol", "haha"),
}  # fmt: skip
_CLASS_OF = {word: name for name, words in WORD_CLASSES.items() for word in words}
_TOKEN = re.compile(r"[a-z0-9']+")


Feature = str | tuple[str, str]
"""A word or its class, or a pair of them (kept as a tuple: no string is built per pair)."""


def features(text: str) -> set[Feature]:
    """Words, their classes, and pairs of words put in their classes."""
    words = _TOKEN.findall(spoken(text))
    classed = [_CLASS_OF.get(w, w) for w in words]
    found: set[Feature] = set(words)
    found.update(c for c in classed if c[0] == "<")
    found.update(pairwise(classed))
    return found


def feature_name(feature: Feature) -> str:
    """How a feature is written in the model file: a pair as its two parts and a space."""
    return feature if isinstance(feature, str) else " ".join(feature)


def parse_feature(name: str) -> Feature:
    first, _, second = name.partition(" ")
    return (first, second) if second else first
