"""The workers' metrics, fed by the live engine in-process (no broker): counts and labels."""

from datetime import UTC, datetime, timedelta

from prometheus_client import CollectorRegistry

from agent_assist.clock import FakeClock
from agent_assist.config import EngineConfig
from agent_assist.engine import Engine
from agent_assist.live import LiveCalls, Source
from agent_assist.testing import CallScript
from models import CallerHistory
from streams.metrics import DetectionMetrics

T0 = datetime(2026, 11, 23, 10, tzinfo=UTC)


def run_call(
    queue: str | None, metrics: DetectionMetrics, history_first: bool, hold_s: float = 190
) -> None:
    """One call through LiveCalls, reporting to ``metrics`` as the stream agent does.

    ``history_first=False`` delivers the whole call before its caller's history, as when a
    recorded call is produced at once: then one step carries the call from start to end. The
    worker's clock is a day later, as it is for a recording (events stamped ahead of it would be
    taken at their arrival time).
    """
    live = LiveCalls(Engine(EngineConfig(hold_threshold_s=60)), FakeClock(T0 + timedelta(days=1)))
    call = CallScript(f"call-{queue}-{history_first}", T0, customer_id="cust-1", queue=queue)
    call.say("customer", "this is the third time I'm calling", 1, 4)
    call.hold(10)
    call.unhold(10 + hold_s)
    call.end(hold_s + 30)
    steps, slot = [], None
    for offset, event in enumerate(call.events):
        step = live.on_event(slot, event, Source("events", offset), 0)
        steps.append(step)
        if step.lookup and history_first:
            step = live.on_history(step.slot, CallerHistory(customer_id="cust-1"), Source("c", 0))
            steps.append(step)
        slot = step.slot
    if not history_first:
        steps.append(live.on_history(slot, CallerHistory(customer_id="cust-1"), Source("c", 0)))
    for step in steps:
        metrics.observe(step.observed)
        metrics.outputs(step.outputs, step.observed.queue, "event", 0.02)


def total(registry: CollectorRegistry, name: str, **labels: str) -> float:
    """Sum of a metric's samples whose labels include ``labels``."""
    return sum(
        sample.value
        for metric in registry.collect()
        for sample in metric.samples
        if sample.name == name and labels.items() <= sample.labels.items()
    )


def test_prompts_holds_and_calls_are_counted_with_bounded_queue_labels() -> None:
    registry = CollectorRegistry()
    metrics = DetectionMetrics(registry, queues=["billing"])
    for history_first in (True, False):
        run_call("billing", metrics, history_first)
        run_call("a-queue-nobody-configured", metrics, history_first)
    for queue in ("billing", "other"):
        started = total(registry, "agent_assist_calls_started_total", queue=queue)
        assert started == total(
            registry, "agent_assist_calls_started_total", queue=queue, stage="first_time_caller"
        )
        assert started == 2
        assert total(registry, "agent_assist_prompts_total", kind="long_hold", queue=queue) == 2
        assert total(registry, "agent_assist_prompts_total", kind="escalation_risk", queue=queue)
        assert total(registry, "agent_assist_hold_duration_seconds_count", queue=queue) == 2
        assert total(registry, "agent_assist_hold_duration_seconds_sum", queue=queue) == 2 * 190
        assert total(registry, "agent_assist_prompts_cleared_total", queue=queue) >= 1
    prompts = total(registry, "agent_assist_prompts_total")
    cleared = total(registry, "agent_assist_prompts_cleared_total")
    latencies = total(registry, "agent_assist_prompt_latency_seconds_count", trigger="event")
    assert latencies == prompts + cleared
    queues = {
        sample.labels["queue"]
        for metric in registry.collect()
        for sample in metric.samples
        if "queue" in sample.labels
    }
    assert queues == {"billing", "other"}


def test_live_gauges_count_calls_and_holds_per_queue() -> None:
    metrics = DetectionMetrics(registry := CollectorRegistry(), queues=["billing", "sales"])
    metrics.live([("billing", False), ("billing", True), (None, False)])
    value = registry.get_sample_value
    assert value("agent_assist_active_calls", {"queue": "billing"}) == 2
    assert value("agent_assist_active_holds", {"queue": "billing"}) == 1
    assert value("agent_assist_active_calls", {"queue": "none"}) == 1
    assert value("agent_assist_active_calls", {"queue": "sales"}) == 0  # shown as zero, not absent
    metrics.live([])
    assert value("agent_assist_active_calls", {"queue": "billing"}) == 0


def test_lag_series_follow_the_current_assignment() -> None:
    metrics = DetectionMetrics(registry := CollectorRegistry())
    metrics.consumer_lag({("call-events", 0): 5, ("call-events", 1): 0})
    metrics.consumer_lag({("call-events", 1): 7})  # partition 0 moved to another worker
    value = registry.get_sample_value
    assert (
        value("agent_assist_consumer_lag_messages", {"topic": "call-events", "partition": "0"})
        is None
    )
    assert (
        value("agent_assist_consumer_lag_messages", {"topic": "call-events", "partition": "1"}) == 7
    )


def test_events_stamped_ahead_of_the_worker_clock_are_counted() -> None:
    registry = CollectorRegistry()
    metrics = DetectionMetrics(registry)
    live = LiveCalls(Engine(), FakeClock(T0))
    ahead = CallScript("skewed", T0 + timedelta(minutes=2))
    on_time = CallScript("on-time", T0 + timedelta(seconds=3))
    for n, event in enumerate([ahead.events[0], on_time.events[0]]):
        metrics.observe(live.on_event(None, event, Source("events", n), 0).observed)
    assert total(registry, "agent_assist_clock_skew_events_total") == 1
