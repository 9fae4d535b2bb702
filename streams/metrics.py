"""Prometheus metrics of the workers, declared in one place."""

from prometheus_client import Counter

EVENTS = Counter("agent_assist_events_consumed_total", "Valid call events consumed.", ["type"])
INVALID_EVENTS = Counter(
    "agent_assist_invalid_events_total", "Messages sent to the dead-letter topic.", ["reason"]
)
PROMPTS = Counter("agent_assist_outputs_total", "Guidance and clear events produced.")
