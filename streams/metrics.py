"""Prometheus metrics of the workers, built per registry so each test gets its own.

Names follow Prometheus conventions (``agent_assist_`` prefix, base units, ``_total`` on
counters). Labels only take bounded values: event types, prompt kinds and severities, engagement
stages, the queues named in ``Settings.queues`` (any other queue is ``other``), partitions.
Never a call, agent or caller.
"""

import json
from collections import Counter as Tally
from collections.abc import Collection, Iterable, Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from agent_assist.live import Observed

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
HOLD_BUCKETS = (15, 30, 60, 90, 120, 180, 300, 600, 1200)
RTF_BUCKETS = (0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 5)
NO_QUEUE = "none"
OTHER_QUEUE = "other"


class Queues:
    """Maps a call's queue to a label value from a fixed set."""

    def __init__(self, known: Collection[str]):
        self.known = frozenset(known)

    def __call__(self, queue: str | None) -> str:
        if queue is None:
            return NO_QUEUE
        return queue if queue in self.known else OTHER_QUEUE


def dead_letter_counter(registry: CollectorRegistry) -> Counter:
    """One series for every worker's dead letters; ``input`` says which topic they came from."""
    return Counter(
        "agent_assist_invalid_events_total",
        "Messages sent to a dead-letter topic, by input and the field at fault.",
        ["input", "reason"],
        registry=registry,
    )


class DetectionMetrics:
    """What the detection worker reports: input, prompts, holds, live calls, lag."""

    def __init__(self, registry: CollectorRegistry, queues: Collection[str] = ()):
        self.queue = Queues(queues)
        self.events = Counter(
            "agent_assist_events_consumed_total",
            "Valid call events consumed, by type.",
            ["type"],
            registry=registry,
        )
        self.invalid = dead_letter_counter(registry)
        self.prompts = Counter(
            "agent_assist_prompts_total",
            "Guidance prompts sent to agents.",
            ["kind", "severity", "queue"],
            registry=registry,
        )
        self.cleared = Counter(
            "agent_assist_prompts_cleared_total",
            "Prompts withdrawn because their reason went away.",
            ["queue"],
            registry=registry,
        )
        self.latency = Histogram(
            "agent_assist_prompt_latency_seconds",
            "From the triggering event's arrival in Kafka (or a timer's due time) to the "
            "prompt being handed to the producer.",
            ["trigger"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.holds = Histogram(
            "agent_assist_hold_duration_seconds",
            "Length of each finished hold, in call time.",
            ["queue"],
            buckets=HOLD_BUCKETS,
            registry=registry,
        )
        self.calls = Counter(
            "agent_assist_calls_started_total",
            "Calls that began, by engagement stage (unknown: no caller id to look up).",
            ["stage", "queue"],
            registry=registry,
        )
        self.active_calls = Gauge(
            "agent_assist_active_calls",
            "Live calls on this worker's partitions.",
            ["queue"],
            registry=registry,
        )
        self.active_holds = Gauge(
            "agent_assist_active_holds",
            "Calls on hold right now, on this worker's partitions.",
            ["queue"],
            registry=registry,
        )
        self.skewed = Counter(
            "agent_assist_clock_skew_events_total",
            "Events stamped further ahead of the worker's clock than max_clock_skew_s, taken "
            "at their arrival time instead.",
            registry=registry,
        )
        self.lag = Gauge(
            "agent_assist_consumer_lag_messages",
            "Messages in an input partition not yet committed by this worker's group.",
            ["topic", "partition"],
            registry=registry,
        )

    def outputs(
        self, outputs: Iterable[str], queue: str | None, trigger: str, waited: float
    ) -> None:
        """Count output events (JSON) and how long after their trigger they were sent."""
        label = self.queue(queue)
        for raw in outputs:
            out = json.loads(raw)
            if out["type"] == "guidance":
                self.prompts.labels(out["kind"], out["severity"], label).inc()
            else:
                self.cleared.labels(label).inc()
            self.latency.labels(trigger).observe(max(waited, 0.0))

    def observe(self, observed: Observed) -> None:
        """Count the calls that began and the holds that ended in one step."""
        queue = self.queue(observed.queue)
        for stage in observed.started:
            self.calls.labels(stage or "unknown", queue).inc()
        for seconds in observed.holds:
            self.holds.labels(queue).observe(max(seconds, 0.0))
        if observed.skewed:
            self.skewed.inc(observed.skewed)

    def live(self, calls_now: Iterable[tuple[str | None, bool]]) -> None:
        """Set the live-call gauges from the (queue, on hold) of each call this worker owns."""
        calls: Tally[str] = Tally()
        holds: Tally[str] = Tally()
        for queue_name, on_hold in calls_now:
            queue = self.queue(queue_name)
            calls[queue] += 1
            holds[queue] += on_hold
        for gauge, tally in ((self.active_calls, calls), (self.active_holds, holds)):
            gauge.clear()
            for queue in {NO_QUEUE, *self.queue.known} | set(tally):
                gauge.labels(queue).set(tally[queue])

    def consumer_lag(self, lags: Mapping[tuple[str, int], int]) -> None:
        """Replace the lag series with this worker's current partitions."""
        self.lag.clear()
        for (topic, partition), lag in lags.items():
            self.lag.labels(topic, str(partition)).set(lag)


class SpeechMetrics:
    """What the speech worker reports: decoding speed, transcript lag, live streams."""

    def __init__(self, registry: CollectorRegistry):
        self.invalid = dead_letter_counter(registry)
        self.audio = Counter(
            "agent_assist_asr_audio_seconds_total",
            "Seconds of call audio decoded.",
            registry=registry,
        )
        self.transcripts = Counter(
            "agent_assist_asr_transcripts_total",
            "Transcript events published, final or partial.",
            ["final"],
            registry=registry,
        )
        self.rtf = Histogram(
            "agent_assist_asr_real_time_factor",
            "Decoding time divided by audio duration, per chunk (below 1 keeps up).",
            buckets=RTF_BUCKETS,
            registry=registry,
        )
        self.transcript_lag = Histogram(
            "agent_assist_asr_transcript_lag_seconds",
            "From the arrival of the audio that completed a transcript to its publication.",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.streams = Gauge(
            "agent_assist_asr_live_streams",
            "Speaker channels being decoded right now.",
            registry=registry,
        )
        self.resumed = Counter(
            "agent_assist_asr_resumed_streams_total",
            "Channels picked up mid-call, after a restart or a partition move.",
            registry=registry,
        )
        self.gaps = Counter(
            "agent_assist_asr_audio_gaps_total",
            "Missing chunks inside a stream: filled with silence, or the recognizer restarted.",
            ["action"],
            registry=registry,
        )
        for action in ("silence", "restart"):  # both series exist from the start, at 0
            self.gaps.labels(action)


class DesktopMetrics:
    """What the desktop gateway reports: open pages and agents' feedback on prompts."""

    def __init__(self, registry: CollectorRegistry):
        self.pages = Gauge(
            "agent_assist_desktop_pages",
            "Agent pages connected right now.",
            registry=registry,
        )
        self.feedback = Counter(
            "agent_assist_desktop_feedback_total",
            "Agents' feedback on prompts: helpful, not_helpful or dismissed, by prompt kind.",
            ["kind", "action"],
            registry=registry,
        )


class IngestMetrics:
    """What the telephony ingest reports: live streams, their outcome, audio lost on the way."""

    def __init__(self, registry: CollectorRegistry):
        self.streams = Gauge(
            "agent_assist_ingest_streams",
            "Telephony media streams connected right now.",
            ["platform"],
            registry=registry,
        )
        self.sessions = Counter(
            "agent_assist_ingest_sessions_total",
            "Media streams by how they ended: completed, probe, refused, protocol_error or "
            "timeout.",
            ["platform", "outcome"],
            registry=registry,
        )
        self.chunks = Counter(
            "agent_assist_ingest_chunks_total",
            "Audio chunks written to call-audio.",
            ["platform"],
            registry=registry,
        )
        self.chunk_latency = Histogram(
            "agent_assist_ingest_chunk_latency_seconds",
            "From the frame that completes a chunk reaching ingest to the broker acknowledging "
            "the chunk on call-audio.",
            ["platform"],
            buckets=(0.002, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
            registry=registry,
        )
        self.filled = Counter(
            "agent_assist_ingest_filled_seconds_total",
            "Audio lost before it reached us (timestamp gaps), kept as silence or skipped.",
            ["platform"],
            registry=registry,
        )
        self.call_events = Counter(
            "agent_assist_ingest_call_events_total",
            "Call events taken on the HTTP endpoint, by outcome: accepted, refused or invalid.",
            ["outcome"],
            registry=registry,
        )
