"""Every example in docs/contract.md is valid against the models, and every event is shown."""

import json
import re
from pathlib import Path

from agent_assist.decoding import decode_event
from models import EVENT_TYPES, GuidanceFeedback, caller_history_adapter, output_event_adapter

DOC = Path(__file__).parents[2] / "docs" / "contract.md"


def examples() -> list[dict[str, object]]:
    blocks = re.findall(r"```json\n(.*?)```", DOC.read_text(), flags=re.S)
    return [json.loads(line) for block in blocks for line in block.splitlines() if line]


def test_examples_validate_and_cover_every_message_type() -> None:
    seen = set()
    for example in examples():
        raw = json.dumps(example)
        kind = example.get("type")
        if kind in EVENT_TYPES:
            decode_event(raw)
        elif kind in ("guidance", "guidance_cleared"):
            output_event_adapter.validate_json(raw)
        elif kind == "guidance_feedback":
            GuidanceFeedback.model_validate_json(raw)
        else:
            caller_history_adapter.validate_json(raw)
            kind = "caller_history"
        seen.add(kind)
    assert seen == {
        *EVENT_TYPES,
        "guidance",
        "guidance_cleared",
        "guidance_feedback",
        "caller_history",
    }
