"""The embedded demo: bundled sample calls through the engine, shown as the agent sees them."""

import time
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime
from importlib import resources
from importlib.resources.abc import Traversable

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from agent_assist.decoding import decode_event
from agent_assist.engine import Engine
from agent_assist.replay import Ignored, Simulator, play
from models import (
    CallEnded,
    CallerHistory,
    CallStarted,
    Guidance,
    GuidanceCleared,
    HoldEnded,
    HoldStarted,
    InputEvent,
    OutputEvent,
    Transcript,
    caller_history_adapter,
)

SEVERITY_STYLE = {"info": "cyan", "warning": "yellow", "critical": "bold red"}
MAX_PAUSE_S = 2.5
"""Longest real pause between two items, so long silences and holds don't drag."""

_MARKERS = {"hold_started": "on hold", "hold_ended": "off hold", "call_ended": "call ended"}

Item = InputEvent | OutputEvent | Ignored


def demo_call_files() -> list[Traversable]:
    """The bundled sample calls (scripted for the demo, not recordings)."""
    folder = resources.files("agent_assist").joinpath("demo_calls")
    return sorted(
        (f for f in folder.iterdir() if f.name[0].isdigit() and f.name.endswith(".jsonl")),
        key=lambda f: f.name,
    )


def demo_history_file() -> Traversable:
    return resources.files("agent_assist").joinpath("demo_calls", "history.jsonl")


def load_demo() -> tuple[list[InputEvent], list[CallerHistory]]:
    events = [
        decode_event(line)
        for f in demo_call_files()
        for line in f.read_text().splitlines()
        if line.strip()
    ]
    history = [
        caller_history_adapter.validate_json(line)
        for line in demo_history_file().read_text().splitlines()
        if line.strip()
    ]
    return events, history


def paced(
    items: Iterable[Item], speed: float, sleep: Callable[[float], None] = time.sleep
) -> Iterable[Item]:
    """Yield items at ``speed`` times event time; speed 0 means no waiting."""
    previous: datetime | None = None
    for item in items:
        ts = item.event.ts if isinstance(item, Ignored) else item.ts
        if speed > 0 and previous is not None and ts > previous:
            sleep(min((ts - previous).total_seconds() / speed, MAX_PAUSE_S))
        previous = ts
        yield item


class TerminalView:
    """Live transcript with prompts in place, coloured by severity; a summary at the end."""

    def __init__(self, console: Console):
        self.console = console
        self.prompts: Counter[tuple[str, str]] = Counter()
        self.severities: Counter[str] = Counter()
        self.events = 0

    def show(self, item: Item) -> None:
        if isinstance(item, Guidance):
            self._guidance(item)
        elif isinstance(item, GuidanceCleared):
            self.console.print(Text(f"      prompt cleared ({item.call_id})", style="dim"))
        elif not isinstance(item, Ignored):
            self.events += 1
            self._event(item)

    def _event(self, event: InputEvent) -> None:
        clock = event.ts.strftime("%H:%M:%S")
        if isinstance(event, CallStarted):
            who = event.customer_id or ("caller by number" if event.caller_number else "unknown")
            parts = [f"[bold]{event.call_id}[/]", event.agent_id, event.queue or "no queue", who]
            self.console.rule(" · ".join(parts))
        elif isinstance(event, Transcript) and event.final:  # partials would repeat each line
            style = "green" if event.speaker == "agent" else "white"
            line = Text(f"{clock} ", style="dim")
            line.append(f"{event.speaker:>8}: ", style=f"bold {style}")
            line.append(event.text, style=style)
            self.console.print(line)
        elif isinstance(event, HoldStarted | HoldEnded | CallEnded):
            label = _MARKERS[event.type]
            self.console.print(Text(f"{clock}   ── {label} ──", style="dim italic"))

    def _guidance(self, prompt: Guidance) -> None:
        self.prompts[(prompt.call_id, prompt.kind)] += 1
        self.severities[prompt.severity] += 1
        style = SEVERITY_STYLE[prompt.severity]
        self.console.print(
            Panel(
                prompt.message,
                title=f"[{style}]{prompt.severity.upper()} · {prompt.title}[/]",
                title_align="left",
                border_style=style,
                padding=(0, 1),
            )
        )

    def summary(self) -> None:
        table = Table(title="Prompts per call")
        table.add_column("call")
        table.add_column("prompts")
        calls: dict[str, list[str]] = {}
        for (call_id, kind), n in sorted(self.prompts.items()):
            calls.setdefault(call_id, []).append(kind if n == 1 else f"{kind} x{n}")
        for call_id, kinds in calls.items():
            table.add_row(call_id, ", ".join(kinds))
        self.console.print(table)
        total = sum(self.severities.values())
        counts = ", ".join(f"{n} {s}" for s, n in sorted(self.severities.items()))
        self.console.print(f"{self.events} events, {total} prompts ({counts}).")


def run_demo(engine: Engine, speed: float, show: Callable[[Item], None]) -> None:
    """Play the bundled calls through ``engine``, handing each item to ``show``."""
    events, history = load_demo()
    for item in paced(play(Simulator(engine, history), events), speed):
        show(item)
