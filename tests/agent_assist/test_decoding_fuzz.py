"""Whatever arrives, decoding either gives a valid message or names what is wrong: nothing else
may escape, since anything else would stop a worker instead of sending the input to a DLQ."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from agent_assist.decoding import InvalidEvent, decode_event
from models import AudioChunk, CallerHistory, caller_history_adapter

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=6)
    ),
    max_leaves=20,
)
FIELDS = st.sampled_from(
    ["type", "call_id", "ts", "agent_id", "customer_id", "caller_number", "queue", "speaker",
     "text", "start", "end", "final", "schema_version", "contacts", "advocate", "last_contact_ts"]
)  # fmt: skip
KINDS = ["call_started", "transcript", "hold_started", "hold_ended", "call_ended"]
TYPES = st.sampled_from(KINDS)
NEAR_VALID = st.fixed_dictionaries(
    {"type": TYPES}, optional={"call_id": st.text(max_size=300)}
).flatmap(lambda base: st.dictionaries(FIELDS, JSON, max_size=8).map(lambda extra: base | extra))


@settings(max_examples=300)
@given(
    st.binary(max_size=300)
    | JSON.map(lambda v: json.dumps(v).encode())
    | NEAR_VALID.map(lambda v: json.dumps(v).encode())
)
def test_decoding_an_event_gives_an_event_or_invalid_event(raw: bytes) -> None:
    try:
        event = decode_event(raw)
    except InvalidEvent as err:
        assert err.problems and all(p.field and p.reason for p in err.problems)
    else:
        assert event.type in KINDS and event.call_id


@settings(max_examples=300)
@given(
    st.binary(max_size=200)
    | st.dictionaries(FIELDS, JSON, max_size=5).map(lambda v: json.dumps(v).encode())
)
def test_decoding_a_profile_gives_a_profile_or_a_validation_error(raw: bytes) -> None:
    try:
        assert isinstance(caller_history_adapter.validate_json(raw), CallerHistory)
    except ValidationError as err:
        assert err.errors()


@settings(max_examples=300)
@given(
    st.dictionaries(
        st.sampled_from([*AudioChunk.model_fields, "x"]),
        st.text(max_size=30),
        max_size=7,
    )
)
def test_audio_headers_give_a_chunk_or_a_validation_error(headers: dict[str, str]) -> None:
    try:
        assert isinstance(AudioChunk.model_validate(headers), AudioChunk)
    except ValidationError as err:
        assert err.errors()
