"""Words a regular expression cannot match without, so a rule can be skipped cheaply.

Most customer utterances contain no cue, and trying a rule's pattern at every position of the
text costs far more than asking whether the text contains, say, "supervisor" or "manager". For
each rule this module works out, from the parsed pattern, a set of strings of which every match
must contain at least one, and from those the word parts (anchors) that a word of the text must
then contain; the grammar tries a rule only when some word holds one of its anchors. The same
is worked out for every required part of each alternative of a rule ("i" or "we", and "cancel"
or "leave"), and the rule is skipped unless some alternative has all its parts. These are
necessary conditions, never guesses, so skipping changes no result (a test checks it).
"""

import re
from collections.abc import Iterable
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import cast

_MAX_STRINGS = 64
_Strings = frozenset[str]


def required_strings(pattern: str) -> _Strings | None:
    """Strings of which every match of ``pattern`` contains one, or None if none can be told."""
    return _sequence(list(_parser.parse(pattern)))


def required_clauses(pattern: str) -> list[list[_Strings]]:
    """Per top-level alternative of ``pattern``: every set of strings of which each match of
    that alternative contains one ("i", "will" and "leave" all, not only the rarest)."""
    items = list(_parser.parse(pattern))
    branches = [i for i, (op, _) in enumerate(items) if op is sre.BRANCH]
    if len(branches) != 1:
        return [_candidates(items)]
    at = branches[0]  # the parser moves a prefix all alternatives share ("\\b") out of them
    rest = _candidates([*items[:at], (sre.ANY, None), *items[at + 1 :]])
    return [rest + _candidates(list(branch)) for branch in items[at][1][1]]


def _sequence(items: list[tuple[object, object]]) -> _Strings | None:
    """The best candidate among the literal runs and the required parts of a sequence."""
    return max(_candidates(items), key=_selectivity, default=None)


def _candidates(items: list[tuple[object, object]]) -> list[_Strings]:
    """The literal runs and the required parts of a sequence: a match contains one of each."""
    candidates: list[_Strings] = []
    run: set[str] = {""}

    def close() -> None:
        nonlocal run
        if all(run):
            candidates.append(frozenset(run))
        run = {""}

    for op, arg in items:
        if op is sre.LITERAL:
            run = {s + chr(arg) for s in run}  # type: ignore[arg-type]
        elif op is sre.MAX_REPEAT and arg[0] >= 1 and _single_literal(arg[2]):  # type: ignore[index]
            char = chr(arg[2][0][1])  # type: ignore[index]
            run = {s + char for s in run}  # "x+y" holds "xy": the last x, then y
            close()
            run = {char}
        elif op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            continue  # zero width: the run goes on
        elif (finite := _finite(op, arg)) is not None and len(run) * len(finite) <= _MAX_STRINGS:
            run = {s + f for s in run for f in finite}
        else:
            close()
            inner = _required(op, arg)
            if inner is not None:
                candidates.append(inner)
    close()
    return candidates


_COMMON = frozenset(
    {"a", "an", "the", "to", "of", "in", "on", "at", "for", "with", "from", "by", "and", "or",
     "if", "but", "so", "as", "is", "are", "was", "be", "been", "it", "its", "it's", "this", "that",
     "i", "im", "i'm", "we", "me", "my", "our", "you", "your", "they", "he", "she", "them", "his",
     "her", "not", "no", "do", "did", "have", "has", "had", "get", "got", "can", "will", "would",
     "just", "all", "any", "some", "one", "ll", "am", "go", "out", "over", "back", "let", "how",
     "may", "what", "very"}
)  # fmt: skip
"""Words too frequent to be worth an anchor when a rarer one will do."""
WORD = re.compile(r"[\w'@]+")
"""What a word of the text is, for anchors: "@handle" is one word, so "@" can anchor."""


def _anchor(string: str) -> str | None:
    """The word part of ``string`` a word of the text must contain: the longest uncommon one."""
    return max(WORD.findall(string), key=lambda w: (w not in _COMMON, len(w)), default=None)


def _selectivity(strings: _Strings) -> tuple[bool, int, int]:
    """Sets whose anchors are no common word first, then longer anchors, then fewer strings."""
    anchors = [_anchor(s) for s in strings]
    if any(a is None for a in anchors):
        return (False, 0, -len(strings))
    common = any(a in _COMMON for a in anchors)
    return (not common, min(len(a) for a in anchors if a), -len(strings))


def _single_literal(body: object) -> bool:
    return len(body) == 1 and body[0][0] is sre.LITERAL  # type: ignore[arg-type, index]


def _required(op: object, arg: object) -> _Strings | None:
    if op is sre.SUBPATTERN:
        return _sequence(list(arg[-1]))  # type: ignore[index]
    if op is sre.BRANCH:
        parts = [_sequence(list(branch)) for branch in arg[1]]  # type: ignore[index]
        if any(p is None for p in parts):
            return None
        return frozenset(s for p in parts for s in p)  # type: ignore[union-attr]
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        low, _, body = cast(tuple[int, int, list[tuple[object, object]]], arg)
        return _sequence(list(body)) if low >= 1 else None
    return None


def _finite(op: object, arg: object) -> _Strings | None:
    """All the strings a small literal-only group can match, or None."""
    if op is sre.LITERAL:
        return frozenset({chr(arg)})  # type: ignore[arg-type]
    if op is sre.SUBPATTERN:
        return _finite_sequence(list(arg[-1]))  # type: ignore[index]
    if op is sre.BRANCH:
        strings: set[str] = set()
        for branch in arg[1]:  # type: ignore[index]
            part = _finite_sequence(list(branch))
            if part is None:
                return None
            strings |= part
        return frozenset(strings) if len(strings) <= _MAX_STRINGS else None
    if op is sre.IN and all(kind is sre.LITERAL for kind, _ in arg):  # type: ignore[attr-defined]
        return frozenset(chr(c) for _, c in arg)  # type: ignore[attr-defined]
    return None


def _finite_sequence(items: Iterable[tuple[object, object]]) -> _Strings | None:
    strings = {""}
    for op, arg in items:
        if op is sre.AT:
            continue
        part = _finite(op, arg)
        if part is None or len(strings) * len(part) > _MAX_STRINGS:
            return None
        strings = {s + p for s in strings for p in part}
    return frozenset(strings)


def anchor_words(patterns: Iterable[str]) -> frozenset[str] | None:
    """Parts of words of which every match of any of ``patterns`` puts one inside a word of the
    text (the longest word part of each required string), or None if some pattern has none."""
    anchors: set[str] = set()
    for pattern in patterns:
        strings = required_strings(pattern)
        found = None if strings is None else anchor_set(strings)
        if found is None:
            return None
        anchors |= found
    return frozenset(anchors)


def anchor_set(strings: Iterable[str]) -> frozenset[str] | None:
    """The anchors of ``strings`` (a word of the text holds one if it holds one of the strings),
    or None if one of them has no word part."""
    anchors = frozenset(_anchor(string) for string in strings)
    return None if None in anchors else cast(frozenset[str], anchors)
