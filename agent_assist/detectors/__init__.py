"""Detectors: small pure classes, one per kind of cue."""
