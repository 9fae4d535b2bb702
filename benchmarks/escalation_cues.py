"""Escalation cue finder against the labeled development set of real customer text.

Run: .venv/bin/python benchmarks/escalation_cues.py [--errors]
"""

import argparse
from pathlib import Path

from agent_assist.cue_scores import load_labeled, score
from agent_assist.detectors.escalation_cues import find_cues

DEVSET = Path(__file__).parents[1] / "tests" / "agent_assist" / "data" / "escalation_devset.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--errors", action="store_true", help="List every miss and false alarm.")
    args = parser.parse_args()
    items = load_labeled(DEVSET)
    print(f"{len(items)} labeled texts from {DEVSET.name}")
    print(f"{'cue class':<22}{'support':>8}{'precision':>11}{'recall':>8}{'F1':>7}")
    for cue, s in score(items).items():
        print(f"{cue.value:<22}{s.tp + s.fn:>8}{s.precision:>11.3f}{s.recall:>8.3f}{s.f1:>7.3f}")
    if args.errors:
        for item in items:
            found = {m.cue.value for m in find_cues(item.text)}
            if found != item.cues:
                print(f"- labels {sorted(item.cues)} found {sorted(found)}: {item.text[:160]}")


if __name__ == "__main__":
    main()
