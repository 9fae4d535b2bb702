"""Listening and empathy prompts: false prompts on real calm calls, recall on labelled positives.

Run: .venv/bin/python benchmarks/listening.py
- Calm calls: data/listening/harper_valley.jsonl, real bank calls (role-played, Apache-2.0; see
  data/listening/README.md). Every empathy_gap, agent_monologue or dead_air prompt on them is
  counted as false, which overstates the rate where a real silence or monologue happened.
- Positives and hard negatives: data/listening/labelled.jsonl, short calls written for this
  benchmark (constructed, not recorded), each labelled with the one kind it should get or none.
Each call is replayed as the speech worker would send it: a partial every second while someone
speaks, then the final. Callers are first-time callers, whose empathy window is the shortest.
"""

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from agent_assist.engine import Engine
from agent_assist.replay import replay
from agent_assist.testing import CallScript, spoken_call
from models import CallerHistory, Guidance

DATA = Path(__file__).parents[1] / "data" / "listening"
KINDS = ("empathy_gap", "agent_monologue", "dead_air")
START = datetime(2026, 1, 1, tzinfo=UTC)


def prompts(engine: Engine, call: CallScript) -> list[Guidance]:
    history = [CallerHistory(customer_id=call.call_id, contacts=0)]
    found = replay(engine, call.events, history)
    return [o for o in found if isinstance(o, Guidance) and o.kind in KINDS]


def calm_calls() -> list[CallScript]:
    calls = []
    for line in (DATA / "harper_valley.jsonl").read_text().splitlines():
        item = json.loads(line)
        segments = [
            (role, offset_ms / 1000, (offset_ms + duration_ms) / 1000, text)
            for role, offset_ms, duration_ms, text in item["segments"]
        ]
        calls.append(spoken_call(item["call"], START, segments))
    return calls


def main() -> None:
    engine = Engine()
    calm = calm_calls()
    minutes = sum((c.events[-1].ts - c.start).total_seconds() for c in calm) / 60
    found = {call.call_id: prompts(engine, call) for call in calm}
    false = Counter(p.kind for ps in found.values() for p in ps)
    print(f"calm calls: {len(calm)} real calls, {minutes:.0f} minutes")
    print(f"{'kind':>16} {'prompts':>8} {'per call':>9}")
    for kind in KINDS:
        print(f"{kind:>16} {false[kind]:>8} {false[kind] / len(calm):>9.3f}")
    for call_id, ps in found.items():
        for p in ps:
            print(f"  {call_id} {p.kind}: {json.dumps(p.evidence)[:150]}")
    labelled = [json.loads(line) for line in (DATA / "labelled.jsonl").read_text().splitlines()]
    hits: Counter[str] = Counter()
    wanted: Counter[str] = Counter()
    extra: Counter[str] = Counter()
    for item in labelled:
        call = spoken_call(item["id"], START, [tuple(s) for s in item["segments"]])
        kinds = {p.kind for p in prompts(engine, call)}
        expect = item["expect"]
        if expect:
            wanted[expect] += 1
            hits[expect] += expect in kinds
        for kind in kinds - {expect}:
            extra[kind] += 1
            print(f"  unexpected {kind} on {item['id']}")
        if expect and expect not in kinds:
            print(f"  missed {expect} on {item['id']}")
    negatives = sum(1 for item in labelled if not item["expect"])
    print(f"labelled calls: {len(labelled)} constructed ({negatives} hard negatives)")
    print(f"{'kind':>16} {'recall':>10} {'unexpected':>11}")
    for kind in KINDS:
        print(f"{kind:>16} {hits[kind]:>4}/{wanted[kind]:<5} {extra[kind]:>11}")


if __name__ == "__main__":
    main()
