"""Call slots between checkpoints: a call's next event works on the live slot only while the
table holds the very copy written from it."""

from datetime import UTC, datetime

from agent_assist.call_state import CallState
from agent_assist.live import Slot, new_slot
from streams.checkpoint import CheckpointedSlots

STARTED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class Event:
    """What a slot is written with: faust only needs a reference to it."""


def live_slot() -> Slot:
    slot = new_slot(partition=0)
    slot["state"] = CallState("c1", "a1", STARTED, STARTED, queue="billing")
    return slot


def written(table: dict[str, Slot]) -> tuple[CheckpointedSlots, Slot]:
    slots = CheckpointedSlots(table, deferred=True)  # type: ignore[arg-type]
    slot = live_slot()
    slots.put("c1", slot, Event())  # type: ignore[arg-type]
    slots.write_pending()
    return slots, slot


def test_after_a_checkpoint_the_next_event_works_on_the_live_slot() -> None:
    table: dict[str, Slot] = {}
    slots, slot = written(table)
    assert isinstance(table["c1"]["state"], dict)  # the table holds the JSON-ready copy
    assert slots.get("c1") is slot
    assert isinstance(slot["state"], CallState)


def test_a_copy_the_table_got_elsewhere_is_rebuilt_from_the_table() -> None:
    table: dict[str, Slot] = {}
    slots, slot = written(table)
    recovered = dict(table["c1"]) | {"state": dict(table["c1"]["state"], queue="sales")}
    table["c1"] = recovered  # as a changelog recovery would store it
    got = slots.get("c1")
    assert got is not slot
    assert got is not None and got["state"]["queue"] == "sales"


def test_a_rebalance_forgets_the_live_slots_and_a_deleted_call_is_gone() -> None:
    table: dict[str, Slot] = {}
    slots, slot = written(table)
    slots.on_rebalance_start(app=None)
    assert slots.get("c1") is not slot
    slots.put("c1", None, Event())  # type: ignore[arg-type]
    slots.write_pending()
    assert slots.get("c1") is None and not slots.written
