"""Least-privilege Kafka ACLs, one principal per kind of process, and applying them.

Every process may describe the project's topics (it checks their partition counts at start) and
nothing else beyond its own reads and writes; topics are made by an administrator
(``agent-assist topics``), never by a worker. aiokafka has no ACL API, so ``apply`` sends
Kafka's CreateAcls request itself (creating an ACL that exists is a no-op).
"""

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.protocol.admin import CreateAclsRequest

from streams.settings import Settings
from streams.topics import calls_group, topic_specs


class Resource(IntEnum):
    """Kafka's resource type codes."""

    TOPIC = 2
    GROUP = 3
    TRANSACTIONAL_ID = 5


class Operation(IntEnum):
    """Kafka's ACL operation codes."""

    READ = 3
    WRITE = 4
    CREATE = 5
    DESCRIBE = 8


class Pattern(IntEnum):
    """Kafka's resource pattern codes."""

    LITERAL = 3
    PREFIXED = 4


ALLOW = 3
ANY_HOST = "*"


@dataclass(frozen=True, slots=True, order=True)
class Acl:
    """One ALLOW rule: ``principal`` may do ``operation`` on ``resource`` ``name``."""

    principal: str
    resource: Resource
    name: str
    operation: Operation
    pattern: Pattern = Pattern.LITERAL

    def __str__(self) -> str:
        prefix = "*" if self.pattern is Pattern.PREFIXED else ""
        return f"{self.principal}: {self.operation.name} {self.resource.name} {self.name}{prefix}"


@dataclass(frozen=True, slots=True)
class Principals:
    """Who each kind of process authenticates as (SCRAM user names)."""

    detection: str = "User:detection"
    speech: str = "User:speech"
    desktop: str = "User:desktop"
    producer: str = "User:producer"


def acls(settings: Settings, who: Principals = Principals()) -> list[Acl]:
    """Every ACL the deployment needs, and no more."""
    s = settings
    rules: list[Acl] = []

    def allow(principal: str, operation: Operation, *topics: str) -> None:
        rules.extend(Acl(principal, Resource.TOPIC, t, operation) for t in topics)

    every_topic = sorted(spec.name for spec in topic_specs(settings))
    for principal in (who.detection, who.speech, who.desktop, who.producer):
        allow(principal, Operation.DESCRIBE, *every_topic)
    # Detection workers: faust's own topics (changelogs, the assignor's; it creates them) and
    # transactions all start with the app id, as do the internal control and caller topics.
    internal = f"{s.app_id}-"
    allow(who.detection, Operation.READ, s.call_events_topic, s.profiles_topic)
    allow(who.detection, Operation.WRITE, s.guidance_topic, s.dlq_topic)
    for operation in (Operation.READ, Operation.WRITE, Operation.CREATE, Operation.DESCRIBE):
        rules.append(Acl(who.detection, Resource.TOPIC, internal, operation, Pattern.PREFIXED))
    for group in (s.app_id, calls_group(s)):
        rules.append(Acl(who.detection, Resource.GROUP, group, Operation.READ))
    for operation in (Operation.WRITE, Operation.DESCRIBE):
        rules.append(
            Acl(who.detection, Resource.TRANSACTIONAL_ID, internal, operation, Pattern.PREFIXED)
        )
    # Speech workers: audio in, transcripts (call events) and rejected audio out.
    allow(who.speech, Operation.READ, s.audio_topic)
    allow(who.speech, Operation.WRITE, s.call_events_topic, s.audio_dlq_topic)
    rules.append(Acl(who.speech, Resource.GROUP, f"{s.app_id}-asr", Operation.READ))
    # The desktop gateway follows calls and prompts (no group: it reads every partition) and
    # records feedback.
    allow(who.desktop, Operation.READ, s.call_events_topic, s.guidance_topic)
    allow(who.desktop, Operation.WRITE, s.feedback_topic)
    # Telephony and CRM integrations.
    allow(who.producer, Operation.WRITE, s.call_events_topic, s.audio_topic, s.profiles_topic)
    return sorted(set(rules))


async def apply(settings: Settings, rules: list[Acl]) -> None:
    """Create ``rules`` on the cluster ``settings`` reaches (as a principal allowed to)."""
    admin = AIOKafkaAdminClient(**settings.aiokafka_options())
    await admin.start()
    try:
        for rule in rules:
            request = CreateAclsRequest(
                rule.resource,
                rule.name,
                rule.pattern,
                rule.principal,
                ANY_HOST,
                rule.operation,
                ALLOW,
            )
            response: Any = await admin._send_request(request)  # no public ACL call in aiokafka
            for code, message in response.creation_responses:
                if code:
                    raise SystemExit(f"could not create ACL {rule}: {message or code}")
    finally:
        await admin.close()
