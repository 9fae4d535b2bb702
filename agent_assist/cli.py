"""The ``agent-assist`` command line: replay, demo, schema."""

import json
import sys
from collections.abc import Iterable
from itertools import chain
from pathlib import Path
from typing import Annotated, NoReturn, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console

from agent_assist.config import EngineConfig, load_config
from agent_assist.demo import Item, TerminalView, run_demo
from agent_assist.engine import Engine
from agent_assist.playbook import PlaybookError
from agent_assist.replay import Ignored, Simulator, play
from agent_assist.sources import LineError, Located, read_events, read_history
from models import Guidance, GuidanceCleared
from models.schema import contract_schema

app = typer.Typer(
    help="Real-time agent assist for contact centres: guidance prompts from live call events.",
    no_args_is_help=True,
    add_completion=False,
)
err_console = Console(stderr=True)
T = TypeVar("T")

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", help="TOML file of thresholds (env AGENT_ASSIST_* wins)."),
]


def build_engine(config_file: Path | None) -> Engine:
    """The engine from config and playbook, or exit 2 with a message naming the problem."""
    try:
        config: EngineConfig = load_config(config_file)
        return Engine(config)
    except (FileNotFoundError, PlaybookError) as err:
        fail(str(err))
    except ValidationError as err:
        name = config_file or "environment"
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())
        fail(f"{name}: {problems}")


def fail(message: str) -> NoReturn:
    """Print an error (unwrapped, so file paths stay whole) and exit with status 2."""
    err_console.print(f"[red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


@app.command()
def replay(
    files: Annotated[list[str], typer.Argument(help="JSON Lines event files; - for stdin.")],
    history: Annotated[
        str | None, typer.Option("--history", help="JSON Lines caller history records.")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Run recorded events through the engine; print the guidance as JSON Lines.

    Invalid lines are reported on stderr as FILE:LINE: field: reason and skipped;
    the exit status is then 1.
    """
    engine = build_engine(config)
    located, bad_events = read_reporting(chain.from_iterable(read_events(f) for f in files))
    records, bad_history = read_reporting(read_history(history)) if history else ([], False)
    where = {id(item.value): item for item in located}
    simulator = Simulator(engine, [record.value for record in records])
    for out in play(simulator, (item.value for item in located)):
        if isinstance(out, Guidance | GuidanceCleared):
            print(out.model_dump_json(), flush=True)
        elif isinstance(out, Ignored):
            origin = where[id(out.event)]
            print(f"{origin.source}:{origin.line}: warning: {out.reason}", file=sys.stderr)
    raise typer.Exit(1 if bad_events or bad_history else 0)


def read_reporting(lines: Iterable[Located[T] | LineError]) -> tuple[list[Located[T]], bool]:
    """The valid lines, and whether any was invalid; each invalid one is reported on stderr."""
    valid: list[Located[T]] = []
    invalid = False
    try:
        for item in lines:
            if isinstance(item, LineError):
                invalid = True
                print(item, file=sys.stderr)
            else:
                valid.append(item)
    except OSError as err:
        fail(f"{err.filename}: {err.strerror}")
    return valid, invalid


@app.command()
def demo(
    speed: Annotated[
        float, typer.Option(help="Times real time; 0 plays without pauses.", min=0)
    ] = 12.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print guidance as JSON Lines.")] = False,
    config: ConfigOption = None,
) -> None:
    """Play the bundled sample calls through the engine, no broker needed."""
    engine = build_engine(config)
    if as_json:

        def show(item: Item) -> None:
            if isinstance(item, Guidance | GuidanceCleared):
                print(item.model_dump_json(), flush=True)

        run_demo(engine, speed, show)
        return
    view = TerminalView(Console(highlight=False))
    run_demo(engine, speed, view.show)
    view.summary()


@app.command()
def schema() -> None:
    """Print the JSON Schema of the wire contract (inputs, outputs, caller history)."""
    print(json.dumps(contract_schema(), indent=2))
