from datetime import UTC, datetime

import pytest

from agent_assist.config import EngineConfig
from agent_assist.engine import Engine

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture
def engine() -> Engine:
    return Engine(EngineConfig())
