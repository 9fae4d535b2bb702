"""The desk feed: per-agent events, de-duplication, clearing and replay after an id."""

from datetime import UTC, datetime

from agent_assist.desk import DeskFeed
from agent_assist.engine import Engine
from agent_assist.replay import replay
from agent_assist.testing import CallScript
from models import Guidance, GuidanceCleared, InputEvent, OutputEvent

T0 = datetime(2026, 11, 23, 10, tzinfo=UTC)


def two_agents(engine: Engine) -> tuple[list[InputEvent], list[OutputEvent]]:
    """Ann's call gets an escalation prompt and a long hold; Bob's call gets an escalation."""
    ann = CallScript("call-ann", T0, agent_id="ann")
    ann.say("customer", "I want to speak to your supervisor", 1, 4)
    ann.hold(10)
    ann.unhold(200)
    ann.end(210)
    bob = CallScript("call-bob", T0, agent_id="bob")
    bob.say("customer", "I'm going to cancel my account", 2, 5)
    events = ann.events + bob.events
    return events, replay(engine, events)


def feed_all(feed: DeskFeed, events: list[InputEvent], outputs: list[OutputEvent]) -> None:
    for event in events:
        feed.on_input(event)
    for output in outputs:
        feed.on_output(output)


def test_each_agent_sees_only_their_calls(engine: Engine) -> None:
    events, outputs = two_agents(engine)
    feed = DeskFeed()
    feed_all(feed, events, outputs)
    ann = feed.since("ann")
    bob = feed.since("bob")
    assert {e.data["call_id"] for e in ann} == {"call-ann"}
    assert {e.data["call_id"] for e in bob} == {"call-bob"}
    assert [e.kind for e in ann] == ["call_started", "call_ended", "prompt", "prompt", "cleared"]
    assert feed.since("carol") == []


def test_a_prompt_delivered_twice_is_shown_once_and_cleared_once(engine: Engine) -> None:
    events, outputs = two_agents(engine)
    feed = DeskFeed()
    feed_all(feed, events, outputs + outputs)
    prompts = [e.data["prompt_id"] for e in feed.since("ann") if e.kind == "prompt"]
    assert len(prompts) == len(set(prompts)) == 2
    assert len([e for e in feed.since("ann") if e.kind == "cleared"]) == 1


def test_replay_after_an_id_gives_exactly_what_came_later(engine: Engine) -> None:
    events, outputs = two_agents(engine)
    feed = DeskFeed()
    feed_all(feed, events, outputs[:1])
    seen = feed.since("ann")
    feed_all(feed, [], outputs[1:])
    later = feed.since("ann", seen[-1].id)
    assert later and all(e.id > seen[-1].id for e in later)
    assert seen + later == feed.since("ann")


def test_a_clear_for_another_call_or_an_unknown_prompt_is_ignored(engine: Engine) -> None:
    events, outputs = two_agents(engine)
    feed = DeskFeed()
    feed_all(feed, events, outputs)
    prompt = next(o for o in outputs if isinstance(o, Guidance) and o.agent_id == "bob")
    forged = GuidanceCleared(prompt_id=prompt.prompt_id, call_id="call-ann", ts=T0)
    unknown = GuidanceCleared(prompt_id="no-such-prompt", call_id="call-bob", ts=T0)
    assert feed.on_output(forged) == [] and feed.on_output(unknown) == []
    assert feed.prompt(prompt.prompt_id).agent_id == "bob"


def test_old_events_are_dropped_beyond_the_per_agent_limit(engine: Engine) -> None:
    feed = DeskFeed(keep_per_agent=3)
    for n in range(5):
        feed.on_input(CallScript(f"call-{n}", T0, agent_id="ann").events[0])
    assert [e.data["call_id"] for e in feed.since("ann")] == ["call-2", "call-3", "call-4"]
