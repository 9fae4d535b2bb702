"""Rebuild the cue classifier from the development set: ``make train-cues``.

Fits on every labelled utterance in ``data/escalation/sources`` and on the synthetic text in
``data/escalation/synthetic``, with thresholds chosen by leave-one-source-out cross-validation
on the real sources only, and writes ``agent_assist/cues/model.json``. The same
data always gives the same file (a test checks the committed one).
"""

import argparse
from pathlib import Path

from agent_assist.cues.classifier import MODEL_PATH, CueModel
from agent_assist.cues.scoring import load_labeled
from agent_assist.cues.training import prepare, train

SOURCES = Path(__file__).parents[1] / "data" / "escalation" / "sources"
SYNTHETIC = SOURCES.with_name("synthetic")


def build(sources: Path = SOURCES, synthetic: Path = SYNTHETIC) -> CueModel:
    """The model the committed data gives."""
    real = prepare(load_labeled(*sorted(sources.glob("*.jsonl"))))
    return train(real, prepare(load_labeled(*sorted(synthetic.glob("*.jsonl")))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    args = parser.parse_args()
    model = build()
    args.out.write_text(model.to_json() + "\n", encoding="utf-8")
    thresholds = ", ".join(f"{c.value} {t:.3f}" for c, t in model.thresholds.items())
    print(f"wrote {args.out}: {len(model.weights):,} features; thresholds: {thresholds}")


if __name__ == "__main__":
    main()
