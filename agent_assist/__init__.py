"""The domain: call state, detectors, engagement stages, playbook, engine, replay and CLI.

Pure logic with an injectable clock; nothing here talks to Kafka.
"""
