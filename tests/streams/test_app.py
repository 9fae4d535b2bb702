"""The faust app as configured from our settings (built, not started: no broker needed)."""

import asyncio
from pathlib import Path

from agent_assist.cli import build_engine
from streams import faust_fixes
from streams.app import create_app
from streams.settings import Settings


def test_standby_copies_of_call_state_follow_the_setting(tmp_path: Path) -> None:
    engine = build_engine(None)
    default = create_app(Settings(data_dir=tmp_path, app_id="standby-default"), engine)
    none = Settings(data_dir=tmp_path, app_id="standby-none", table_standby_replicas=0)
    assert default.conf.table_standby_replicas == 1
    assert create_app(none, engine).conf.table_standby_replicas == 0


async def test_the_worker_consumer_fetches_without_faust_s_long_wait(tmp_path: Path) -> None:
    """faust asks the broker to hold a fetch 1.5 s (streams/faust_fixes.py, item 5)."""
    app = create_app(Settings(data_dir=tmp_path, app_id="fetch-wait"), build_engine(None))
    consumer = app.consumer._thread._create_consumer(loop=asyncio.get_running_loop())
    await consumer.stop()
    assert consumer._fetch_max_wait_ms == faust_fixes.FETCH_MAX_WAIT_MS < 1500
