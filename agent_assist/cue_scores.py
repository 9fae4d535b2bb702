"""Precision, recall and F1 of the escalation cue finder against a labeled set."""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from agent_assist.detectors.escalation_cues import CueClass, find_cues


@dataclass(frozen=True, slots=True)
class Labeled:
    """One labeled text: the cue classes a person found in it."""

    text: str
    cues: frozenset[str]


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


def load_labeled(path: Path) -> list[Labeled]:
    """Read a JSON Lines set with ``text`` and ``cues`` on each line."""
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            data = json.loads(line)
            items.append(Labeled(data["text"], frozenset(data["cues"])))
    return items


def score(items: Iterable[Labeled]) -> dict[CueClass, Scores]:
    """Per-class counts of the finder's answers against the labels."""
    scores = {cue: Scores() for cue in CueClass}
    for item in items:
        found = {m.cue.value for m in find_cues(item.text)}
        for cue, counts in scores.items():
            counts.tp += cue in found and cue in item.cues
            counts.fp += cue in found and cue not in item.cues
            counts.fn += cue not in found and cue in item.cues
    return scores
