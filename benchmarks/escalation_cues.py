"""Escalation cues on real customer text, scored source by source on data they were not fit on.

Leave-one-source-out: for each source, the classifier is fitted and its thresholds chosen on the
other sources only (plus the synthetic text of ``data/escalation/synthetic``, which is training
data and never scored), then grammar-or-classifier is scored on the left-out source; the counts
of all folds are pooled. Scored on the written text and on its ASR form (lower case, unpunctuated,
numbers as words). The grammar was written with the whole development set in view, so every
figure that includes it is partly tuned on the data, and its own whole-set scores are labelled
as such.

Run: make bench-cues   (or .venv/bin/python benchmarks/escalation_cues.py [--errors])
"""

import argparse
import gc
import resource
import statistics
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path

from agent_assist.cues.classes import CueClass
from agent_assist.cues.classifier import CueModel, bundled_model
from agent_assist.cues.scoring import Labeled, Scores, count, load_labeled, overall
from agent_assist.cues.text import spoken
from agent_assist.cues.training import Prepared, choose_thresholds, fit, prepare

SOURCES = Path(__file__).parents[1] / "data" / "escalation" / "sources"
SYNTHETIC = SOURCES.with_name("synthetic")
FORMS: dict[str, Callable[[str], str]] = {"written": str, "ASR-style": spoken}


def found_by(p: Prepared, model: CueModel, use_grammar: bool = True) -> set[str]:
    probabilities = model.probabilities_of(p.features)
    return {
        cue.value
        for cue in CueClass
        if (use_grammar and cue in p.grammar) or probabilities[cue] >= model.thresholds[cue]
    }


def leave_one_source_out(
    prepared: Sequence[Prepared], extra: Sequence[Prepared] = ()
) -> dict[str, dict[str, list[tuple[frozenset[str], set[str]]]]]:
    """Per left-out source, (labels, found) pairs for grammar+classifier, classifier, grammar.
    ``extra`` (synthetic text) is added to every fold's training data and never scored."""
    results = {}
    for source in sorted({p.item.source for p in prepared}):
        train = [p for p in prepared if p.item.source != source]
        test = [p for p in prepared if p.item.source == source]
        model = fit([*train, *extra], choose_thresholds(train, extra))
        results[source] = {
            "both": [(p.item.cues, found_by(p, model)) for p in test],
            "classifier": [(p.item.cues, found_by(p, model, use_grammar=False)) for p in test],
            "grammar": [(p.item.cues, {c.value for c in p.grammar}) for p in test],
        }
    return results


def table(title: str, by_form: dict[str, dict[CueClass, Scores]], support: dict[str, int]) -> None:
    forms = list(by_form)
    print(f"\n{title}")
    head = "".join(f"{f'{form}: P / R / F1':>26}" for form in forms)
    print(f"{'cue class':<22}{'support':>8}{head}")
    rows: list[tuple[str, dict[str, Scores]]] = [
        (cue.value, {form: by_form[form][cue] for form in forms}) for cue in CueClass
    ]
    rows.append(("overall (micro)", {form: overall(by_form[form]) for form in forms}))
    for name, scores in rows:
        cells = "".join(
            f"{s.precision:>12.3f} / {s.recall:.3f} / {s.f1:.3f}"[-26:].rjust(26)
            for s in scores.values()
        )
        print(f"{name:<22}{support.get(name, sum(support.values())):>8}{cells}")


def speed(items: Sequence[Labeled]) -> None:
    """Per-utterance time of the shipped classifier, and the memory its model takes."""
    gc.collect()
    tracemalloc.start()
    bundled_model.cache_clear()
    model = bundled_model()
    memory = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    texts = [i.text for i in items]
    for text in texts[:200]:
        model.probabilities(text)
    times = []
    for _ in range(3):
        for text in texts:
            t = time.perf_counter_ns()
            model.probabilities(text)
            times.append(time.perf_counter_ns() - t)
    q = statistics.quantiles(times, n=100)
    print(f"\nclassifier per utterance: p50 {q[49] / 1000:.0f} us, p99 {q[98] / 1000:.0f} us")
    print(f"model in memory: {memory / 2**20:.1f} MiB ({len(model.weights):,} features)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {peak:.0f} MiB")


def score_shipped(folder: Path) -> None:
    """The shipped grammar and model on labelled files kept outside the repo and never used."""
    items = load_labeled(*sorted(folder.glob("*.jsonl")))
    model = bundled_model()
    by_form = {}
    for form, transform in FORMS.items():
        prepared = prepare(items, transform)
        by_form[form] = count((p.item.cues, found_by(p, model)) for p in prepared)
    support = {cue.value: sum(cue.value in i.cues for i in items) for cue in CueClass}
    table(
        f"shipped grammar + classifier on {len(items)} items in {folder} (never used)",
        by_form,
        support,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--errors", action="store_true", help="List left-out misses, ASR form.")
    parser.add_argument("--data", type=Path, default=SOURCES, help="A folder of *.jsonl sets.")
    parser.add_argument(
        "--without-synthetic", action="store_true", help="Train on the real sources only."
    )
    parser.add_argument(
        "--score", type=Path, help="Only score the shipped stages on this folder of *.jsonl sets."
    )
    args = parser.parse_args()
    if args.score:
        score_shipped(args.score)
        return
    items = load_labeled(*sorted(args.data.glob("*.jsonl")))
    sources = sorted({i.source for i in items})
    negatives = sum(not i.cues for i in items)
    print(
        f"{len(items):,} labelled utterances from {len(sources)} sources, {negatives:,} without cue"
    )
    synthetic = [] if args.without_synthetic else load_labeled(*sorted(SYNTHETIC.glob("*.jsonl")))
    print(f"plus {len(synthetic):,} synthetic utterances, used for training only, never scored")
    support = {cue.value: sum(cue.value in i.cues for i in items) for cue in CueClass}
    pooled: dict[str, dict[str, dict[CueClass, Scores]]] = {}
    per_source: dict[str, dict[str, Scores]] = {}
    for form, transform in FORMS.items():
        results = leave_one_source_out(prepare(items, transform), prepare(synthetic, transform))
        for stage in ("both", "classifier", "grammar"):
            pairs = [pair for by_stage in results.values() for pair in by_stage[stage]]
            pooled.setdefault(stage, {})[form] = count(pairs)
        for source, by_stage in results.items():
            per_source.setdefault(source, {})[form] = overall(count(by_stage["both"]))
        if args.errors and form == "ASR-style":
            for source, by_stage in results.items():
                for (labels, found), item in zip(
                    by_stage["both"], [i for i in items if i.source == source], strict=True
                ):
                    if set(labels) != found:
                        print(
                            f"- {source}: labels {sorted(labels)} found {sorted(found)}: "
                            f"{spoken(item.text)[:150]}"
                        )
    table(
        "grammar + classifier, leave-one-source-out (classifier held out; grammar tuned on all)",
        pooled["both"],
        support,
    )
    table("classifier alone, leave-one-source-out (held out)", pooled["classifier"], support)
    table(
        "grammar alone on each left-out source (TUNED: written with this whole set in view)",
        pooled["grammar"],
        support,
    )
    print("\nper left-out source, grammar + classifier: overall F1, or false cues if it has no cue")
    for source, by_form in per_source.items():
        n = sum(i.source == source for i in items)
        k = sum(bool(i.cues) for i in items if i.source == source)
        scores = "  ".join(
            f"{form} {s.f1:.3f}" if k else f"{form} {s.fp} false" for form, s in by_form.items()
        )
        print(f"  {source:<20}{n:>5} items ({k:>3} with a cue)  {scores}")
    speed(items)


if __name__ == "__main__":
    main()
