import pytest

from tests.streams.kafka_harness import BOOTSTRAP, broker_answers


@pytest.fixture(scope="session", autouse=True)
def kafka_broker() -> str:
    """The project's own broker (`make test` starts it). Missing is an error, not a skip."""
    if not broker_answers():
        pytest.fail(f"no Kafka broker at {BOOTSTRAP}: run `make kafka-up` (make test does)")
    return BOOTSTRAP
