"""``python -m spreiding.cli``: the ``spreiding`` command."""

from spreiding.cli import app

app()
