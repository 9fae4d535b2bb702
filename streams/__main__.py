"""``python -m streams worker`` is ``agent-assist worker``."""

from streams.cli import app

app()
