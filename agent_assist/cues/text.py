"""Text forms the cue finders read: written text normalised, and text as a recogniser emits it."""

import re
from functools import lru_cache

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})
_HANDLE_OR_URL = re.compile(r"@\w+|https?://\S+|www\.\S+")
_EDGE_APOSTROPHE = re.compile(r"(?<![a-z])'|'(?![a-z])")
_NOT_A_WORD = re.compile(r"[^a-z0-9' ]+")
_NUMBERS = {
    "0": "zero", "1": "one", "2": "two", "3": "three", "4": "four", "5": "five", "6": "six",
    "7": "seven", "8": "eight", "9": "nine", "10": "ten", "11": "eleven", "12": "twelve",
    "15": "fifteen", "20": "twenty", "30": "thirty", "1st": "first", "2nd": "second",
    "3rd": "third", "4th": "fourth", "5th": "fifth", "6th": "sixth", "7th": "seventh",
    "8th": "eighth", "9th": "ninth", "10th": "tenth",
}  # fmt: skip


def normalise(text: str) -> str:
    """Lower case, straight apostrophes, ``&`` unescaped, single spaces."""
    text = text.lower().translate(_QUOTES).replace("&amp;", "&")
    return " ".join(text.split())


@lru_cache(maxsize=16)
def spoken(text: str) -> str:
    """``text`` as a speech recogniser would give it: lower case, no punctuation, no handles or
    links, small numbers as words ("3rd" -> "third"). Several detectors read each segment in
    this form: the few most recent are kept, so it is worked out once per segment."""
    text = text.lower().replace("&amp;", "&")
    if "@" in text or "http" in text or "www." in text:
        text = _HANDLE_OR_URL.sub(" ", text)
    text = _NOT_A_WORD.sub(" ", text.translate(_QUOTES).replace("&", " and "))
    if "'" in text:
        text = _EDGE_APOSTROPHE.sub(" ", text)
    return " ".join(_NUMBERS.get(w, w) if w[0].isdigit() else w for w in text.split())
