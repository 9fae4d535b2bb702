"""The escalation cue classes, shared by the grammar, the classifier and the playbook."""

from enum import StrEnum


class CueClass(StrEnum):
    """Escalation cue classes, most urgent first."""

    LEGAL_PUBLIC = "legal_public_threat"
    SUPERVISOR = "supervisor_request"
    CHURN = "churn_threat"
    REPEAT = "repeat_contact"
    ANGER = "anger"


CUE_CLASSES = tuple(CueClass)
"""The classes in order, as a tuple: iterating an enum is slow on a path run per utterance."""
