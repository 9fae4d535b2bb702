"""The escalation development set, its data card and the classifier trained on it."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from agent_assist.cues.classes import CueClass
from agent_assist.cues.classifier import MODEL_PATH, CueModel
from agent_assist.cues.scoring import Labeled, Scores, load_labeled, overall, score

ROOT = Path(__file__).parents[2]
DATA = ROOT / "data" / "escalation"
SOURCES = sorted((DATA / "sources").glob("*.jsonl"))
SYNTHETIC = sorted((DATA / "synthetic").glob("*.jsonl"))
KEYS = ["text", "cues", "source", "ref", "license", "style"]
HELD_OUT = re.compile(r"airline.?sentiment|banking ?77|taskmaster|abcd|asapp", re.IGNORECASE)
AIRLINES = re.compile(
    r"@(?:AmericanAir|Delta|SouthwestAir|united|JetBlue|VirginAmerica|USAirways|AlaskaAir|"
    r"British_Airways)\b",
    re.IGNORECASE,
)


def rows(paths: list[Path] = SOURCES) -> list[dict[str, object]]:
    return [json.loads(line) for path in paths for line in path.read_text().splitlines()]


def test_the_set_is_large_varied_and_every_item_says_where_it_came_from() -> None:
    items = rows()
    assert len(items) >= 1500
    sources = Counter(str(row["source"]) for row in items)
    assert len(sources) >= 5
    assert {path.stem for path in SOURCES} == set(sources)
    for row in items:
        assert list(row)[: len(KEYS)] == KEYS, row
        assert row["text"] and row["ref"] and row["license"], row
        assert set(row["cues"]) <= {c.value for c in CueClass}, row  # type: ignore[arg-type]
    assert sum(not row["cues"] for row in items) >= 0.4 * len(items)
    for cue in CueClass:
        assert sum(cue.value in row["cues"] for row in items) >= 60, cue  # type: ignore[operator]
    texts = Counter(str(row["text"]).casefold() for row in items)
    assert texts.most_common(1)[0][1] == 1


def test_no_item_comes_from_a_source_the_held_out_set_uses() -> None:
    for row in rows():
        assert not HELD_OUT.search(f"{row['source']} {row['ref']}"), row
        assert not AIRLINES.search(str(row["text"])), row


def test_synthetic_text_is_marked_as_such_and_kept_apart_from_the_real_set() -> None:
    """Synthetic training text is never mistaken for a customer's words: its own folder,
    source, reference and licence, and no text that is also in the real set."""
    synthetic = rows(SYNTHETIC)
    assert len(synthetic) >= 1000
    real = {str(row["text"]).casefold() for row in rows()}
    texts = Counter(str(row["text"]).casefold() for row in synthetic)
    assert texts.most_common(1)[0][1] == 1
    for row in synthetic:
        assert list(row)[: len(KEYS)] == KEYS, row
        assert str(row["source"]).startswith("synthetic_"), row
        assert str(row["ref"]).startswith(f"synthetic:{row['source']}:"), row
        assert "synthetic" in str(row["license"]), row
        assert set(row["cues"]) <= {c.value for c in CueClass}, row  # type: ignore[arg-type]
        assert str(row["text"]).casefold() not in real, row
        assert not AIRLINES.search(str(row["text"])), row
    assert {path.stem for path in SYNTHETIC} == {str(row["source"]) for row in synthetic}


def test_the_data_card_counts_what_is_there() -> None:
    """Each source's row in the card's tables: items, per class, and without cue."""
    card = (DATA / "ESCALATION_DEVSET.md").read_text()
    by_source: dict[str, list[dict[str, object]]] = {}
    for row in rows(SOURCES + SYNTHETIC):
        by_source.setdefault(str(row["source"]), []).append(row)
    for source, items in by_source.items():
        counts = [len(items)] + [sum(c.value in r["cues"] for r in items) for c in CueClass]  # type: ignore[operator]
        counts.append(sum(not r["cues"] for r in items))
        expected = "| `" + source + "` | " + " | ".join(map(str, counts)) + " |"
        assert expected in card, f"{source}: the card lacks {expected}"


def test_the_committed_model_is_what_training_gives_on_the_committed_data() -> None:
    pytest.importorskip("sklearn")
    from training.train_cues import build

    assert build().to_json() + "\n" == MODEL_PATH.read_text()


def test_scores_count_hits_misses_and_false_alarms() -> None:
    items = [
        Labeled("I want to speak to your manager", frozenset({"supervisor_request"})),
        Labeled("my manager asked me to call", frozenset({"supervisor_request"})),
        Labeled("get me a supervisor", frozenset()),
    ]
    found = {
        "I want to speak to your manager": [CueClass.SUPERVISOR],
        "get me a supervisor": [CueClass.SUPERVISOR],
    }
    result = score(items, lambda text: found.get(text, []))
    assert (result[CueClass.SUPERVISOR].tp, result[CueClass.SUPERVISOR].fn) == (1, 1)
    assert result[CueClass.SUPERVISOR].fp == 1
    assert result[CueClass.SUPERVISOR].f1 == 0.5
    assert overall(result).f1 == 0.5
    assert Scores().f1 == 0.0


def test_model_round_trips_through_json() -> None:
    model = CueModel.from_json(MODEL_PATH.read_text())
    again = CueModel.from_json(model.to_json())
    assert again == model
    text = "I want to talk to a real person, this is the third time I call"
    assert again.probabilities(text) == model.probabilities(text)


def test_load_labeled_reads_source() -> None:
    items = load_labeled(*SOURCES)
    assert {i.source for i in items} == {p.stem for p in SOURCES}
