"""What each agent's desktop shows: their current call and its prompts, replayable by id.

The feed turns call events and guidance into per-agent desk events, numbered in one sequence,
so a page that reconnects asks for what came after the last id it saw and misses nothing. A
prompt seen twice (at-least-once delivery, or two topics during a migration) is shown once.
An agent only ever gets events of calls that ``call_started`` or the prompt itself assigned to
them. Pure logic: the web gateway and the embedded demo both drive it.
"""

from collections import OrderedDict, deque
from dataclasses import dataclass, replace
from typing import Any, Literal

from models import (
    CallEnded,
    CallStarted,
    Guidance,
    GuidanceCleared,
    InputEvent,
    OutputEvent,
    format_ts,
)

DeskKind = Literal["call_started", "call_ended", "prompt", "cleared"]
KEEP_PER_AGENT = 200
"""Desk events kept per agent for reconnects and newly opened pages."""
REMEMBER = 100_000
"""Prompts and calls remembered, for de-duplication, clearing and feedback (oldest first out)."""


@dataclass(frozen=True, slots=True)
class DeskEvent:
    """One thing to show on an agent's desktop. ``id`` grows across the whole feed."""

    id: int
    agent_id: str
    kind: DeskKind
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class PromptRef:
    """Whose a prompt is, so feedback can be checked and recorded."""

    agent_id: str
    call_id: str
    kind: str
    cleared: bool = False
    feedback: frozenset[str] = frozenset()
    """The feedback actions already recorded for this prompt."""


class DeskFeed:
    """Per-agent desk events from call events and guidance, de-duplicated by ``prompt_id``."""

    def __init__(self, keep_per_agent: int = KEEP_PER_AGENT):
        self.keep_per_agent = keep_per_agent
        self.last_id = 0
        self._agents: dict[str, deque[DeskEvent]] = {}
        self._calls: OrderedDict[str, str] = OrderedDict()
        self._prompts: OrderedDict[str, PromptRef] = OrderedDict()

    def on_input(self, event: InputEvent) -> list[DeskEvent]:
        """A call event: only the start and end of calls matter to the desktop."""
        if isinstance(event, CallStarted):
            self._remember(self._calls, event.call_id, event.agent_id)
            data = {"call_id": event.call_id, "queue": event.queue, "ts": format_ts(event.ts)}
            return [self._add(event.agent_id, "call_started", data)]
        if isinstance(event, CallEnded) and event.call_id in self._calls:
            data = {"call_id": event.call_id, "ts": format_ts(event.ts)}
            return [self._add(self._calls[event.call_id], "call_ended", data)]
        return []

    def on_output(self, event: OutputEvent) -> list[DeskEvent]:
        """A prompt (shown once, however often it arrives) or the clearing of one."""
        if isinstance(event, Guidance):
            if event.prompt_id in self._prompts:
                return []
            ref = PromptRef(event.agent_id, event.call_id, event.kind)
            self._remember(self._prompts, event.prompt_id, ref)
            self._remember(self._calls, event.call_id, event.agent_id)
            return [self._add(event.agent_id, "prompt", event.model_dump(mode="json"))]
        assert isinstance(event, GuidanceCleared)
        owner = self._prompts.get(event.prompt_id)
        if owner is None or owner.call_id != event.call_id or owner.cleared:
            return []
        self._prompts[event.prompt_id] = replace(owner, cleared=True)
        data = {"prompt_id": event.prompt_id, "call_id": event.call_id}
        return [self._add(owner.agent_id, "cleared", data)]

    def since(self, agent_id: str, last_id: int = 0) -> list[DeskEvent]:
        """This agent's kept events after ``last_id`` (0: all of them)."""
        return [e for e in self._agents.get(agent_id, ()) if e.id > last_id]

    def prompt(self, prompt_id: str) -> PromptRef | None:
        return self._prompts.get(prompt_id)

    def note_feedback(self, prompt_id: str, action: str) -> bool:
        """Remember an agent's click; False if this action was already recorded (a double
        click, or the same click after a page reload)."""
        ref = self._prompts[prompt_id]
        if action in ref.feedback:
            return False
        self._prompts[prompt_id] = replace(ref, feedback=ref.feedback | {action})
        return True

    def _add(self, agent_id: str, kind: DeskKind, data: dict[str, Any]) -> DeskEvent:
        self.last_id += 1
        event = DeskEvent(self.last_id, agent_id, kind, data)
        queue = self._agents.setdefault(agent_id, deque(maxlen=self.keep_per_agent))
        queue.append(event)
        return event

    def _remember(self, memory: OrderedDict[str, Any], key: str, value: Any) -> None:
        memory[key] = value
        memory.move_to_end(key)
        while len(memory) > REMEMBER:
            memory.popitem(last=False)
