"""Backchannels ("uh-huh", "right"): a listener's signals, not a turn in the conversation."""

import re

_WORD = re.compile(r"[a-z']+(?:-[a-z']+)*")


class Backchannels:
    """Tells whether an utterance is nothing but backchannels (from the config's list)."""

    def __init__(self, phrases: tuple[str, ...]):
        self._pattern = re.compile(
            r"(?:\s*\b(?:"
            + "|".join(re.escape(b) for b in sorted(phrases, key=len, reverse=True))
            + r")\b)+\s*"
        )

    def only(self, text: str) -> bool:
        """``text`` says nothing but backchannels (an empty utterance counts too)."""
        words = " ".join(_WORD.findall(text.lower()))
        return not words or self._pattern.fullmatch(words) is not None
