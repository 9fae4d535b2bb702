"""Runners for one scenario: the same input files through each path must give the same output."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from agent_assist.cli import app
from agent_assist.engine import Engine
from agent_assist.replay import replay
from agent_assist.sources import Located, read_events, read_history

Runner = Callable[[list[Path], Path | None], list[dict[str, Any]]]


def run_engine(files: list[Path], history: Path | None) -> list[dict[str, Any]]:
    events = [i.value for f in files for i in read_events(str(f)) if isinstance(i, Located)]
    lines = read_history(str(history)) if history else []
    records = [i.value for i in lines if isinstance(i, Located)]
    return [json.loads(o.model_dump_json()) for o in replay(Engine(), events, records)]


def run_replay_cli(files: list[Path], history: Path | None) -> list[dict[str, Any]]:
    args = ["replay", *map(str, files)] + (["--history", str(history)] if history else [])
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


RUNNERS: dict[str, Runner] = {"engine": run_engine, "replay_cli": run_replay_cli}
