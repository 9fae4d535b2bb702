"""Fitting the cue classifier and choosing its thresholds, without looking at held-out data.

Needs scikit-learn (``pip install -e .[train]``); nothing at run time imports this module.
Thresholds are chosen on out-of-fold probabilities, with the folds split by source, so a
threshold is never set on the text it is then judged on.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from scipy.sparse import csr_matrix  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

from agent_assist.cues.classes import CueClass
from agent_assist.cues.classifier import CueModel
from agent_assist.cues.features import Feature, feature_name, features
from agent_assist.cues.grammar import find_cues
from agent_assist.cues.scoring import Labeled

MIN_ITEMS_PER_FEATURE = 2
REGULARISATION_C = 4.0
DECIMALS = 4
BETA = 0.5
THRESHOLD_GRID = tuple(round(0.30 + 0.025 * i, 3) for i in range(27))  # 0.30 .. 0.95


@dataclass(slots=True)
class Prepared:
    """An item with what fitting needs of it computed once: features and grammar hits."""

    item: Labeled
    features: set[Feature]
    grammar: set[CueClass] = field(default_factory=set)


def prepare(items: Sequence[Labeled], form: Callable[[str], str] = str) -> list[Prepared]:
    """Features and grammar hits of ``form(text)`` for every item."""
    prepared = []
    for item in items:
        text = form(item.text)
        prepared.append(Prepared(item, features(text), {m.cue for m in find_cues(text)}))
    return prepared


def _matrix(rows: Sequence[set[Feature]], index: dict[Feature, int]) -> csr_matrix:
    data: list[float] = []
    columns: list[int] = []
    pointers = [0]
    for row in rows:
        known = sorted(index[f] for f in row if f in index)
        data.extend([1 / math.sqrt(len(known))] * len(known) if known else [])
        columns.extend(known)
        pointers.append(len(columns))
    return csr_matrix((data, columns, pointers), shape=(len(rows), len(index)))


def fit(train: Sequence[Prepared], thresholds: dict[CueClass, float] | None = None) -> CueModel:
    """One logistic regression per class on ``train``; features seen in fewer than two items
    are left out. Weights are rounded so that a refit gives the same file."""
    counts: dict[Feature, int] = {}
    for p in train:
        for f in p.features:
            counts[f] = counts.get(f, 0) + 1
    vocabulary = sorted(
        (f for f, n in counts.items() if n >= MIN_ITEMS_PER_FEATURE), key=feature_name
    )
    index = {f: i for i, f in enumerate(vocabulary)}
    x = _matrix([p.features for p in train], index)
    classes = tuple(CueClass)
    coefficients, bias = [], []
    for cue in classes:
        y = [cue.value in p.item.cues for p in train]
        model = LogisticRegression(C=REGULARISATION_C, class_weight="balanced", max_iter=2000)
        model.fit(x, y)
        coefficients.append([round(float(w), DECIMALS) for w in model.coef_[0]])
        bias.append(round(float(model.intercept_[0]), DECIMALS))
    weights = {
        f: tuple(column[i] for column in coefficients)
        for i, f in enumerate(vocabulary)
        if any(column[i] for column in coefficients)
    }
    return CueModel(classes, tuple(bias), weights, thresholds or dict.fromkeys(classes, 0.5))


def out_of_fold(
    prepared: Sequence[Prepared], extra: Sequence[Prepared] = ()
) -> list[dict[CueClass, float]]:
    """Each item's probabilities from a model fitted on the other sources only (and on
    ``extra``, training text that is never scored)."""
    probabilities: list[dict[CueClass, float]] = [{} for _ in prepared]
    for source in sorted({p.item.source for p in prepared}):
        model = fit([p for p in prepared if p.item.source != source] + list(extra))
        for i, p in enumerate(prepared):
            if p.item.source == source:
                probabilities[i] = model.probabilities_of(p.features)
    return probabilities


def choose_thresholds(
    prepared: Sequence[Prepared], extra: Sequence[Prepared] = (), beta: float = BETA
) -> dict[CueClass, float]:
    """Per class, the threshold at which grammar-or-classifier has the best out-of-fold
    F-beta (beta below 1 weighs precision more: a noisy assistant gets switched off), the
    highest such threshold on a tie."""
    probabilities = out_of_fold(prepared, extra)
    b2 = beta * beta
    chosen = {}
    for cue in CueClass:
        best = (-1.0, 0.5)
        for threshold in THRESHOLD_GRID:
            tp = fp = fn = 0
            for p, probs in zip(prepared, probabilities, strict=True):
                found = cue in p.grammar or probs[cue] >= threshold
                labelled = cue.value in p.item.cues
                tp += found and labelled
                fp += found and not labelled
                fn += labelled and not found
            score = (1 + b2) * tp / ((1 + b2) * tp + b2 * fn + fp) if tp else 0.0
            best = max(best, (score, threshold))
        chosen[cue] = best[1]
    return chosen


def train(prepared: Sequence[Prepared], extra: Sequence[Prepared] = ()) -> CueModel:
    """The model to ship: thresholds by source-wise cross-validation on the real sources,
    then a fit on everything."""
    return fit([*prepared, *extra], choose_thresholds(prepared, extra))
