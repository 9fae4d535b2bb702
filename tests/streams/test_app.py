"""The faust app as configured from our settings (built, not started: no broker needed)."""

from pathlib import Path

from agent_assist.cli import build_engine
from streams.app import create_app
from streams.settings import Settings


def test_standby_copies_of_call_state_follow_the_setting(tmp_path: Path) -> None:
    engine = build_engine(None)
    default = create_app(Settings(data_dir=tmp_path, app_id="standby-default"), engine)
    none = Settings(data_dir=tmp_path, app_id="standby-none", table_standby_replicas=0)
    assert default.conf.table_standby_replicas == 1
    assert create_app(none, engine).conf.table_standby_replicas == 0
