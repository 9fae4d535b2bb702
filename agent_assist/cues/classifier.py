"""The learned second opinion: one logistic regression per cue class over ``features``.

The model is a JSON file of per-feature weights (``model.json``, made by ``make train-cues``),
so run time needs no machine-learning library: a score is a sum of weights and a logistic.
"""

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from agent_assist.cues.classes import CueClass
from agent_assist.cues.features import Feature, feature_name, features, parse_feature

MODEL_PATH = Path(__file__).with_name("model.json")
_FUNCTION_WORDS = frozenset(
    {"a", "an", "the", "to", "of", "in", "on", "at", "for", "with", "from", "by", "and", "or",
     "if", "but", "so", "as", "is", "are", "was", "be", "it", "this", "that", "i", "i'm", "im",
     "we", "me", "my", "you", "your", "they", "he", "she", "not", "no", "do", "did", "have",
     "has", "had", "just"}
)  # fmt: skip
"""Words too common to show as the evidence for a prompt."""


@dataclass(frozen=True, slots=True)
class CueModel:
    """Weights per feature (one per class, in ``classes`` order), biases and thresholds."""

    classes: tuple[CueClass, ...]
    bias: tuple[float, ...]
    weights: dict[Feature, tuple[float, ...]]
    thresholds: dict[CueClass, float]
    """The probability at which each class counts, chosen by cross-validation in training."""

    def probabilities(self, text: str) -> dict[CueClass, float]:
        """Each class's probability for ``text``."""
        return self.probabilities_of(features(text))

    def probabilities_of(self, found: Iterable[Feature]) -> dict[CueClass, float]:
        """Each class's probability for an utterance with these ``features``: the logistic of
        the bias plus the summed weights of the known features, scaled by one over the square
        root of how many there are (the rows were normalised so in training)."""
        known = [w for w in map(self.weights.get, found) if w is not None]
        if not known:
            return {c: 1 / (1 + math.exp(-b)) for c, b in zip(self.classes, self.bias, strict=True)}
        scale = 1 / math.sqrt(len(known))
        totals = map(sum, zip(*known, strict=True))
        return {
            cue: 1 / (1 + math.exp(-(bias + scale * total)))
            for cue, bias, total in zip(self.classes, self.bias, totals, strict=True)
        }

    def strongest(self, text: str, cue: CueClass, most: int = 3) -> str:
        """The words of ``text`` that weigh most towards ``cue``: the evidence for a prompt
        (words and word pairs, not word classes, and no lone function word)."""
        i = self.classes.index(cue)
        named = {feature_name(f): f for f in features(text) if f in self.weights}
        shown = [n for n in named if "<" not in n and n not in _FUNCTION_WORDS]
        words = sorted(shown, key=lambda n: -self.weights[named[n]][i])
        return ", ".join(n for n in words[:most] if self.weights[named[n]][i] > 0)

    def to_json(self) -> str:
        return json.dumps(
            {
                "classes": [c.value for c in self.classes],
                "bias": self.bias,
                "thresholds": {c.value: t for c, t in self.thresholds.items()},
                "weights": dict(sorted((feature_name(f), w) for f, w in self.weights.items())),
            },
            indent=0,
        )

    @classmethod
    def from_json(cls, text: str) -> "CueModel":
        data = json.loads(text)
        return cls(
            classes=tuple(CueClass(c) for c in data["classes"]),
            bias=tuple(data["bias"]),
            weights={parse_feature(f): tuple(w) for f, w in data["weights"].items()},
            thresholds={CueClass(c): t for c, t in data["thresholds"].items()},
        )


@cache
def bundled_model() -> CueModel:
    """The model shipped with the package."""
    return CueModel.from_json(MODEL_PATH.read_text(encoding="utf-8"))
