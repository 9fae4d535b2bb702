from datetime import timedelta

import pytest

from agent_assist.callers import Stage, caller_key, recent_contact, stage_of
from models import CallerHistory, CallStarted
from tests.conftest import T0


def started(**fields: str | None) -> CallStarted:
    return CallStarted(call_id="c", ts=T0, agent_id="a", **fields)  # type: ignore[arg-type]


def test_customer_id_is_the_key() -> None:
    assert caller_key(started(customer_id="cust-9", caller_number="+441234567890"), "s") == "cust-9"


def test_number_is_hashed_with_the_salt_and_never_kept_raw() -> None:
    key = caller_key(started(caller_number="+441234567890"), "salt-a")
    assert key is not None and key.startswith("tel:")
    assert "441234567890" not in key
    assert key == caller_key(started(caller_number="+441234567890"), "salt-a")
    assert key != caller_key(started(caller_number="+441234567890"), "salt-b")


def test_no_id_no_number_is_unknown() -> None:
    assert caller_key(started(), "s") is None


@pytest.mark.parametrize(
    ("contacts", "advocate", "stage"),
    [(0, False, Stage.FIRST_TIME), (1, False, Stage.RETURNING), (2, False, Stage.RETURNING),
     (3, False, Stage.REGULAR), (40, False, Stage.REGULAR), (0, True, Stage.ADVOCATE),
     (5, True, Stage.ADVOCATE)],
)  # fmt: skip
def test_stage_boundaries(contacts: int, advocate: bool, stage: Stage) -> None:
    assert stage_of(CallerHistory(customer_id="c", contacts=contacts, advocate=advocate)) == stage


def test_recent_contact_window() -> None:
    week = timedelta(days=7)
    record = CallerHistory(customer_id="c", contacts=1, last_contact_ts=T0 - timedelta(days=2))
    assert recent_contact(record, T0, week) == timedelta(days=2)
    old = record.model_copy(update={"last_contact_ts": T0 - timedelta(days=8)})
    assert recent_contact(old, T0, week) is None
    assert recent_contact(CallerHistory(customer_id="c"), T0, week) is None
