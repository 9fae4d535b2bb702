"""Precision, recall and F1 of a cue finder against labelled text."""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from agent_assist.cues.classes import CueClass

Finder = Callable[[str], Iterable[CueClass]]
"""Anything that names the cue classes in a text."""


@dataclass(frozen=True, slots=True)
class Labeled:
    """One labelled text: the cue classes a person found in it, and where it came from."""

    text: str
    cues: frozenset[str]
    source: str = ""


@dataclass(slots=True)
class Scores:
    """Counts for one cue class, and the measures derived from them."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: "Scores") -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn


def load_labeled(*paths: Path) -> list[Labeled]:
    """Read JSON Lines sets with ``text``, ``cues`` and ``source`` on each line."""
    items = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                data = json.loads(line)
                items.append(Labeled(data["text"], frozenset(data["cues"]), data.get("source", "")))
    return items


def count(labels: Iterable[tuple[frozenset[str], set[str]]]) -> dict[CueClass, Scores]:
    """Per-class counts from (labelled, found) pairs."""
    scores = {cue: Scores() for cue in CueClass}
    for labelled, found in labels:
        for cue, counts in scores.items():
            counts.tp += cue in found and cue in labelled
            counts.fp += cue in found and cue not in labelled
            counts.fn += cue not in found and cue in labelled
    return scores


def score(items: Iterable[Labeled], finder: Finder) -> dict[CueClass, Scores]:
    """Per-class counts of ``finder``'s answers against the labels."""
    return count((item.cues, {str(c) for c in finder(item.text)}) for item in items)


def overall(scores: dict[CueClass, Scores]) -> Scores:
    """All classes pooled (micro-average)."""
    total = Scores()
    for counts in scores.values():
        total.add(counts)
    return total
