"""Escalation cues in customer speech: a precise grammar first, a learned classifier for recall."""
