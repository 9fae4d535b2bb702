import json
from datetime import UTC, datetime

import pytest

from agent_assist.decoding import InvalidEvent, decode_event
from models import CallStarted, Guidance, Transcript

BASE = {"call_id": "c1", "ts": "2026-11-23T10:00:00.000Z"}


def problems(raw: dict[str, object]) -> list[str]:
    with pytest.raises(InvalidEvent) as err:
        decode_event(json.dumps(raw))
    return [str(p) for p in err.value.problems]


def test_each_input_type_decodes() -> None:
    started = decode_event(json.dumps({**BASE, "type": "call_started", "agent_id": "a1"}))
    assert isinstance(started, CallStarted)
    assert started.customer_id is None and started.caller_number is None
    for kind in ("hold_started", "hold_ended", "call_ended"):
        assert decode_event(json.dumps({**BASE, "type": kind})).type == kind


def test_unknown_fields_are_ignored_and_ts_is_utc() -> None:
    raw = {**BASE, "ts": "2026-11-23T11:00:00+01:00", "type": "transcript", "speaker": "agent",
           "text": "hi", "start": 0, "end": 1.5, "vendor_extra": {"x": 1}}  # fmt: skip
    event = decode_event(json.dumps(raw))
    assert isinstance(event, Transcript)
    assert event.final is True
    assert event.ts == datetime(2026, 11, 23, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({**BASE, "type": "nope"}, "type: must be one of call_started, transcript"),
        ({"call_id": "c1", "ts": "2026-11-23T10:00:00Z"}, "type: must be one of"),
        ({**BASE, "type": "call_started"}, "agent_id: Field required"),
        ({**BASE, "type": "hold_started", "ts": "2026-11-23T10:00:00"}, "ts: Input should have"),
        ({**BASE, "type": "hold_started", "ts": 1700000000}, "ts: Value error, must be an RFC3339"),
        ({**BASE, "type": "call_started", "agent_id": "a", "caller_number": "0171 555"},
         "caller_number: String should match pattern"),
        ({**BASE, "type": "transcript", "speaker": "bot", "text": "x", "start": 0, "end": 1},
         "speaker: Input should be 'agent' or 'customer'"),
        ({**BASE, "type": "transcript", "speaker": "agent", "text": "x", "start": 2, "end": 1},
         "end: Value error, must not be before start"),
        ({**BASE, "type": "hold_ended", "schema_version": 2}, "schema_version: Input should be 1"),
        ({**BASE, "type": "hold_ended", "call_id": ""}, "call_id: String should have at least"),
    ],
)  # fmt: skip
def test_invalid_events_name_the_field(raw: dict[str, object], expected: str) -> None:
    assert any(p.startswith(expected) for p in problems(raw)), problems(raw)


def test_bad_json_and_non_objects() -> None:
    for raw in (b"{nope", b"\xff\xfe", b"[1, 2]"):
        with pytest.raises(InvalidEvent) as err:
            decode_event(raw)
        assert err.value.problems[0].field == "(json)"


def test_guidance_serialises_rfc3339_utc_with_millis() -> None:
    prompt = Guidance(prompt_id="p", call_id="c", agent_id="a", kind="long_hold",
                      severity="warning", title="t", message="m",
                      ts=datetime(2026, 11, 23, 10, 0, 1, 500000, tzinfo=UTC))  # fmt: skip
    data = json.loads(prompt.model_dump_json())
    assert data["ts"] == "2026-11-23T10:00:01.500Z"
    assert data["type"] == "guidance" and data["schema_version"] == 1


def test_digits_in_a_string_are_no_timestamp() -> None:
    """pydantic would read "1764500000" as Unix time; the contract wants RFC3339 text."""
    for ts in ["1764500000", "44100", "-1"]:
        raw = json.dumps({"type": "call_ended", "call_id": "c", "ts": ts})
        with pytest.raises(InvalidEvent) as err:
            decode_event(raw)
        assert err.value.problems[0].field == "ts"
